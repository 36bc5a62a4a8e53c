//! Actor keys as the client takes them: anything that turns into a list of strings.

/// Something that names an actor instance within its type: a list of strings.
///
/// A single string is a one-part key, an array or a vector is a key of several parts, and `()`
/// is the empty key.
///
/// ```
/// use rivet_core::client::IntoKey;
///
/// assert_eq!("lobby".into_key(), vec!["lobby".to_owned()]);
/// assert_eq!(["tenant-1", "room-2"].into_key(), vec!["tenant-1".to_owned(), "room-2".to_owned()]);
/// assert_eq!(().into_key(), Vec::<String>::new());
/// ```
pub trait IntoKey {
    /// The parts of the key, in order.
    fn into_key(self) -> Vec<String>;
}

impl IntoKey for &str {
    fn into_key(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl IntoKey for String {
    fn into_key(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoKey for &String {
    fn into_key(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<const N: usize> IntoKey for [&str; N] {
    fn into_key(self) -> Vec<String> {
        self.iter().map(|part| (*part).to_owned()).collect()
    }
}

impl<const N: usize> IntoKey for &[&str; N] {
    fn into_key(self) -> Vec<String> {
        self.iter().map(|part| (*part).to_owned()).collect()
    }
}

impl<const N: usize> IntoKey for [String; N] {
    fn into_key(self) -> Vec<String> {
        self.into()
    }
}

impl IntoKey for &[&str] {
    fn into_key(self) -> Vec<String> {
        self.iter().map(|part| (*part).to_owned()).collect()
    }
}

impl IntoKey for &[String] {
    fn into_key(self) -> Vec<String> {
        self.to_vec()
    }
}

impl IntoKey for Vec<String> {
    fn into_key(self) -> Vec<String> {
        self
    }
}

impl IntoKey for Vec<&str> {
    fn into_key(self) -> Vec<String> {
        self.into_iter().map(str::to_owned).collect()
    }
}

/// The empty key: the one instance of an actor type that needs no name.
impl IntoKey for () {
    fn into_key(self) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|part| (*part).to_owned()).collect()
    }

    #[test]
    fn strings_are_one_part_keys() {
        assert_eq!("room".into_key(), owned(&["room"]));
        assert_eq!(String::from("room").into_key(), owned(&["room"]));
        assert_eq!((&String::from("room")).into_key(), owned(&["room"]));
        assert_eq!("".into_key(), owned(&[""]));
    }

    #[test]
    fn lists_keep_their_order() {
        assert_eq!(["a", "b"].into_key(), owned(&["a", "b"]));
        assert_eq!(
            [String::from("a"), String::from("b")].into_key(),
            owned(&["a", "b"])
        );
        assert_eq!((&["a", "b"][..]).into_key(), owned(&["a", "b"]));
        assert_eq!((&["a", "b"]).into_key(), owned(&["a", "b"]));
        assert_eq!((&owned(&["a", "b"])[..]).into_key(), owned(&["a", "b"]));
        assert_eq!(owned(&["a", "b"]).into_key(), owned(&["a", "b"]));
        assert_eq!(vec!["a", "b"].into_key(), owned(&["a", "b"]));
    }

    #[test]
    fn unit_and_empty_lists_are_the_empty_key() {
        assert_eq!(().into_key(), Vec::<String>::new());
        assert_eq!(<[&str; 0]>::default().into_key(), Vec::<String>::new());
        assert_eq!(Vec::<String>::new().into_key(), Vec::<String>::new());
    }
}
