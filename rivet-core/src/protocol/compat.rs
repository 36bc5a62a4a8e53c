//! The official client's value convention: what an encoding cannot carry travels as a
//! two-element array tagged with a `$` string (`["$BigInt","5"]`, `["$Uint8Array","<base64>"]`,
//! `["$Undefined",0]`), and user arrays that look like such a tag get one more `$`.
//!
//! JSON messages and the CBOR inside BARE messages use the whole convention; whole-CBOR messages
//! carry bytes, bignums and `undefined` natively and only escape the look-alike arrays.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::bigint;
use super::value::{BIGNUM_NEGATIVE, BIGNUM_POSITIVE, UNDEFINED_TAG, Value, undefined};

/// Which form a value is escaped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// JSON text, or the CBOR data fields of BARE messages: everything is tagged.
    Tagged,
    /// A whole-CBOR message: bytes, bignums and `undefined` stay native.
    Cbor,
}

fn tagged(tag: &str, payload: Value) -> Value {
    Value::Array(vec![Value::Text(tag.to_owned()), payload])
}

/// Rewrites a value for the wire.
pub(crate) fn escape(value: Value, target: Target) -> Value {
    match (value, target) {
        (Value::Bytes(bytes), Target::Tagged) => {
            tagged("$Uint8Array", Value::Text(BASE64.encode(bytes)))
        }
        (Value::Tag(tag @ (BIGNUM_POSITIVE | BIGNUM_NEGATIVE), inner), Target::Tagged) => {
            match *inner {
                Value::Bytes(bytes) => {
                    tagged("$BigInt", Value::Text(bigint::to_decimal(tag, &bytes)))
                }
                other => escape(other, target),
            }
        }
        (Value::Integer(i), Target::Tagged) => {
            let wide = i128::from(i);
            if u64::try_from(wide).is_ok() || i64::try_from(wide).is_ok() {
                Value::Integer(i)
            } else {
                tagged("$BigInt", Value::Text(wide.to_string()))
            }
        }
        (Value::Tag(UNDEFINED_TAG, _), Target::Tagged) => {
            tagged("$Undefined", Value::Integer(0.into()))
        }
        (value @ Value::Tag(UNDEFINED_TAG, _), Target::Cbor) => value,
        (Value::Tag(tag @ (BIGNUM_POSITIVE | BIGNUM_NEGATIVE), inner), Target::Cbor) => {
            Value::Tag(tag, inner)
        }
        // Other tags mean nothing to the client: keep what they wrap.
        (Value::Tag(_, inner), target) => escape(*inner, target),
        (Value::Array(items), target) => {
            let mut items: Vec<Value> =
                items.into_iter().map(|item| escape(item, target)).collect();
            if let [Value::Text(first), _] = items.as_mut_slice()
                && first.starts_with('$')
            {
                first.insert(0, '$');
            }
            Value::Array(items)
        }
        (Value::Map(entries), target) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, escape(v, target)))
                .collect(),
        ),
        (other, _) => other,
    }
}

/// Reads a tagged value from the wire: tags become plain values, escaped arrays lose one `$`,
/// and an unknown tag is an error, as in the official client.
pub(crate) fn revive(value: Value) -> Result<Value, String> {
    match value {
        Value::Array(items) => {
            if let [Value::Text(tag), _] = items.as_slice()
                && tag.starts_with('$')
            {
                let mut items = items.into_iter();
                let (Some(Value::Text(tag)), Some(payload)) = (items.next(), items.next()) else {
                    unreachable!("matched a two-element array")
                };
                return revive_tag(tag, payload);
            }
            items
                .into_iter()
                .map(revive)
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        Value::Map(entries) => entries
            .into_iter()
            .map(|(k, v)| revive(v).map(|v| (k, v)))
            .collect::<Result<_, _>>()
            .map(Value::Map),
        other => Ok(other),
    }
}

fn revive_tag(tag: String, payload: Value) -> Result<Value, String> {
    if let Some(escaped) = tag.strip_prefix('$')
        && escaped.starts_with('$')
    {
        return Ok(Value::Array(vec![
            Value::Text(escaped.to_owned()),
            revive(payload)?,
        ]));
    }
    match (tag.as_str(), payload) {
        ("$BigInt", Value::Text(digits)) => {
            bigint::from_decimal(&digits).ok_or_else(|| "`$BigInt` holds no integer".to_owned())
        }
        ("$Uint8Array" | "$ArrayBuffer", Value::Text(text)) => BASE64
            .decode(text.as_bytes())
            .map(Value::Bytes)
            .map_err(|_| format!("`{tag}` holds no base64")),
        ("$Undefined", _) => Ok(undefined()),
        ("$Set", Value::Array(items)) => items
            .into_iter()
            .map(revive)
            .collect::<Result<_, _>>()
            .map(Value::Array),
        _ => Err(format!("unknown value tag `{tag}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    fn int(i: i64) -> Value {
        Value::Integer(i.into())
    }

    #[test]
    fn look_alike_user_arrays_round_trip() {
        let user = Value::Array(vec![
            Value::Array(vec![text("$x"), int(1)]),
            Value::Array(vec![text("$$y"), Value::Array(vec![int(1)])]),
            Value::Array(vec![text("x"), int(1)]),
        ]);
        let wire = escape(user.clone(), Target::Tagged);
        assert_eq!(
            wire,
            Value::Array(vec![
                Value::Array(vec![text("$$x"), int(1)]),
                Value::Array(vec![text("$$$y"), Value::Array(vec![int(1)])]),
                Value::Array(vec![text("x"), int(1)]),
            ])
        );
        assert_eq!(revive(wire).unwrap(), user);
    }

    #[test]
    fn exotic_values_round_trip_tagged() {
        let user = Value::Array(vec![
            Value::Bytes(vec![0, 255]),
            bigint::from_decimal("1180591620717411303424").unwrap(),
            bigint::from_decimal("5").unwrap(),
            undefined(),
        ]);
        let wire = escape(user.clone(), Target::Tagged);
        assert_eq!(
            wire,
            Value::Array(vec![
                Value::Array(vec![text("$Uint8Array"), text("AP8=")]),
                Value::Array(vec![text("$BigInt"), text("1180591620717411303424")]),
                Value::Array(vec![text("$BigInt"), text("5")]),
                Value::Array(vec![text("$Undefined"), int(0)]),
            ])
        );
        assert_eq!(revive(wire).unwrap(), user);
    }

    #[test]
    fn whole_cbor_keeps_exotic_values_native() {
        let user = Value::Array(vec![Value::Bytes(vec![1]), undefined()]);
        assert_eq!(escape(user.clone(), Target::Cbor), user);
    }

    #[test]
    fn unknown_tags_are_refused() {
        assert!(revive(Value::Array(vec![text("$Nope"), int(1)])).is_err());
        assert!(revive(Value::Array(vec![text("$BigInt"), text("x")])).is_err());
    }
}
