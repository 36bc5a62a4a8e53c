//! Actor keys: lists of strings, serialized as in the official client.

/// Serializes a key in the manager API form: parts joined with `/`, each part escaped (`\` as
/// `\\`, `/` as `\/`, an empty part as `\0`); the empty key is `/`.
pub(crate) fn serialize(key: &[String]) -> String {
    if key.is_empty() {
        return "/".to_owned();
    }
    let parts: Vec<String> = key
        .iter()
        .map(|part| {
            if part.is_empty() {
                "\\0".to_owned()
            } else {
                part.replace('\\', "\\\\").replace('/', "\\/")
            }
        })
        .collect();
    parts.join("/")
}

/// Parses the manager API form written by [`serialize`].
pub(crate) fn deserialize(text: &str) -> Vec<String> {
    if text == "/" || text.is_empty() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut empty_marker = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('0') => empty_marker = true,
                Some(escaped) => current.push(escaped),
                None => current.push('\\'),
            },
            '/' => {
                parts.push(std::mem::take(&mut current));
                empty_marker = false;
            }
            other => current.push(other),
        }
    }
    let _ = empty_marker;
    parts.push(current);
    parts
}

/// Parses the gateway query form `rvt-key=a,b`: parts split on `,`, a missing key is empty.
pub(crate) fn from_query(value: Option<&str>) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(text) => text.split(',').map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn serialization_matches_the_client() {
        assert_eq!(serialize(&[]), "/");
        assert_eq!(serialize(&key(&["room-1"])), "room-1");
        assert_eq!(serialize(&key(&["k", "b"])), "k/b");
        assert_eq!(serialize(&key(&["x/y"])), "x\\/y");
        assert_eq!(serialize(&key(&["a\\b", ""])), "a\\\\b/\\0");
    }

    #[test]
    fn parsing_reverses_serialization() {
        for parts in [
            vec![],
            key(&["a"]),
            key(&["tenant/with/slash", "room"]),
            key(&["", "x\\"]),
        ] {
            assert_eq!(deserialize(&serialize(&parts)), parts);
        }
    }

    #[test]
    fn query_keys_split_on_commas() {
        assert_eq!(from_query(None), Vec::<String>::new());
        assert_eq!(from_query(Some("k,b")), key(&["k", "b"]));
    }
}
