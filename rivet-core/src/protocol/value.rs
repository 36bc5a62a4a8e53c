//! The values actions take and return, events carry and errors attach, whatever the encoding.
//!
//! A value is a CBOR data item (`ciborium::Value`): it can hold everything the official client
//! sends, including byte arrays and big integers that JSON cannot. Two conventions on top:
//! a big integer from a client stays a CBOR bignum (tag 2 or 3), so it goes back as a BigInt;
//! `undefined` is a private tag around `null`, so it goes back as `undefined`.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A value on its way between a client and an actor.
pub(crate) type Value = ciborium::Value;

/// CBOR tag of a positive bignum.
pub(crate) const BIGNUM_POSITIVE: u64 = 2;
/// CBOR tag of a negative bignum.
pub(crate) const BIGNUM_NEGATIVE: u64 = 3;
/// The private tag that marks JavaScript's `undefined` inside the runtime; it never reaches the
/// wire, where each encoding has its own form.
pub(crate) const UNDEFINED_TAG: u64 = 0x7269_7665_7400_0017;

/// JavaScript's `undefined`.
pub(crate) fn undefined() -> Value {
    Value::Tag(UNDEFINED_TAG, Box::new(Value::Null))
}

/// Serializes a Rust value into a [`Value`].
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, String> {
    Value::serialized(value).map_err(|error| error.to_string())
}

/// Decodes a Rust value from a [`Value`].
///
/// The value is tried as it is first, which keeps byte strings, bignums and tags for types that
/// want them (such as `RawValue`). When that fails, it is tried in its plain form, the way a
/// JavaScript client means it: bignums that fit become integers, byte strings lists of bytes,
/// `undefined` becomes `null`, and an integral float an integer; so `u64` takes a timestamp the
/// official client sent as a float, and `f64` takes `3`.
pub(crate) fn decode<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    match value.deserialized::<T>() {
        Ok(decoded) => Ok(decoded),
        Err(_) => serde_json::from_value(to_json(plain(value))).map_err(|error| error.to_string()),
    }
}

/// The plain form of a value, for [`decode`].
fn plain(value: Value) -> Value {
    match value {
        Value::Tag(tag @ (BIGNUM_POSITIVE | BIGNUM_NEGATIVE), inner) => match *inner {
            Value::Bytes(bytes) if bytes.len() <= 8 => {
                let magnitude =
                    i128::from(bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)));
                let number = if tag == BIGNUM_POSITIVE {
                    magnitude
                } else {
                    -1 - magnitude
                };
                Value::Integer(number.try_into().unwrap_or_else(|_| 0.into()))
            }
            Value::Bytes(bytes) => Value::Text(super::bigint::to_decimal(tag, &bytes)),
            other => plain(other),
        },
        Value::Tag(_, inner) => plain(*inner),
        Value::Bytes(bytes) => Value::Array(
            bytes
                .into_iter()
                .map(|b| Value::Integer(b.into()))
                .collect(),
        ),
        Value::Float(f) if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER => {
            Value::Integer((f as i64).into())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(plain).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (plain(k), plain(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The largest integer a JavaScript number holds exactly, 2^53 - 1.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JSON value as a [`Value`], structurally (no compat convention).
pub(crate) fn from_json(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Integer(u.into())
            } else if let Some(i) = n.as_i64() {
                Value::Integer(i.into())
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Text(s),
        serde_json::Value::Array(items) => Value::Array(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (Value::Text(k), from_json(v)))
                .collect(),
        ),
    }
}

/// A [`Value`] as JSON, structurally. Values JSON cannot hold are expected to have been escaped
/// by the compat convention already; what is left is mapped as closely as JSON allows.
pub(crate) fn to_json(value: Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(b),
        Value::Integer(i) => {
            let i = i128::from(i);
            if let Ok(u) = u64::try_from(i) {
                u.into()
            } else if let Ok(s) = i64::try_from(i) {
                s.into()
            } else {
                serde_json::Value::String(i.to_string())
            }
        }
        Value::Float(f) => {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(s) => serde_json::Value::String(s),
        Value::Bytes(bytes) => bytes.into_iter().map(serde_json::Value::from).collect(),
        Value::Array(items) => items.into_iter().map(to_json).collect(),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect(),
        ),
        Value::Tag(_, inner) => to_json(*inner),
        _ => serde_json::Value::Null,
    }
}

/// A map key as JSON object keys must be: text.
fn key_text(key: Value) -> String {
    match key {
        Value::Text(s) => s,
        other => to_json(other).to_string(),
    }
}
