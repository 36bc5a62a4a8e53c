//! The client's "JSON compat" convention: values JSON cannot carry travel as two-element arrays
//! tagged with a `$` string, and user arrays that look like such a tag are escaped with one more
//! `$`.

use serde_json::Value;

/// Rewrites a user value for the wire: a two-element array whose first item is a string starting
/// with `$` gets one more `$`, so it cannot be mistaken for a tag.
pub(crate) fn escape(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(escape).collect();
            if let [Value::String(tag), _] = items.as_mut_slice()
                && tag.starts_with('$')
            {
                tag.insert(0, '$');
            }
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, escape(v))).collect()),
        other => other,
    }
}

/// Reads a value from the wire: tags become plain values, escaped arrays lose one `$`.
pub(crate) fn revive(value: Value) -> Result<Value, String> {
    match value {
        Value::Array(items) => {
            if let [Value::String(tag), payload] = items.as_slice()
                && tag.starts_with('$')
            {
                if tag.starts_with("$$") {
                    return Ok(Value::Array(vec![
                        Value::String(tag[1..].to_owned()),
                        revive(payload.clone())?,
                    ]));
                }
                return revive_tag(tag, payload);
            }
            items
                .into_iter()
                .map(revive)
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| revive(v).map(|v| (k, v)))
            .collect::<Result<_, _>>()
            .map(Value::Object),
        other => Ok(other),
    }
}

fn revive_tag(tag: &str, payload: &Value) -> Result<Value, String> {
    match (tag, payload) {
        ("$BigInt", Value::String(digits)) => {
            if let Ok(n) = digits.parse::<u64>() {
                Ok(Value::from(n))
            } else if let Ok(n) = digits.parse::<i64>() {
                Ok(Value::from(n))
            } else {
                // TODO(#3): carry integers beyond 64 bits instead of refusing them.
                Err(format!("BigInt {digits} does not fit in 64 bits"))
            }
        }
        ("$Undefined", _) => Ok(Value::Null),
        // TODO(#3): `$Uint8Array`, `$ArrayBuffer` and `$Set`.
        _ => Err(format!("unsupported value tag `{tag}`")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn escaped_user_arrays_round_trip() {
        let user = json!({"a": ["$x", 1], "b": ["$$y", [1, 2]], "c": ["x", 1]});
        let wire = escape(user.clone());
        assert_eq!(
            wire,
            json!({"a": ["$$x", 1], "b": ["$$$y", [1, 2]], "c": ["x", 1]})
        );
        assert_eq!(revive(wire).unwrap(), user);
    }

    #[test]
    fn tags_become_plain_values() {
        let wire = json!([["$BigInt", "5"], ["$BigInt", "-3"], ["$Undefined", 0]]);
        assert_eq!(revive(wire).unwrap(), json!([5, -3, null]));
    }

    #[test]
    fn unknown_tags_and_huge_integers_are_refused() {
        assert!(revive(json!(["$Nope", 1])).is_err());
        assert!(revive(json!(["$BigInt", "1180591620717411303424"])).is_err());
    }
}
