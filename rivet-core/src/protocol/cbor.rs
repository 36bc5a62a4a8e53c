//! A CBOR writer and reader for the data items of the protocol.
//!
//! Hand-written rather than taken from `ciborium`'s serde layer because the protocol needs
//! control that layer does not give: ids always as 8-byte integers (`0x1b`), JavaScript's
//! `undefined` (simple value 23) kept apart from `null`, and a nesting limit on input.

use super::value::{BIGNUM_NEGATIVE, BIGNUM_POSITIVE, UNDEFINED_TAG, Value, undefined};

/// How deep arrays, maps and tags may nest in a message from a client.
const MAX_DEPTH: usize = 128;

/// The most items an array or map reserves room for before reading them: past that it grows
/// with the items actually read, so that a declared length never reserves memory the input does
/// not hold (each level of nesting could otherwise reserve its declared length at once).
pub(crate) const MAX_PREALLOC: usize = 64;

const UNSIGNED: u8 = 0;
const NEGATIVE: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
const FALSE: u8 = 0xf4;
const TRUE: u8 = 0xf5;
const NULL: u8 = 0xf6;
const UNDEFINED: u8 = 0xf7;

/// Writes a major type with its argument in the shortest form.
pub(crate) fn write_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let major = major << 5;
    if n < 24 {
        out.push(major | n as u8);
    } else if n <= u64::from(u8::MAX) {
        out.extend([major | 24, n as u8]);
    } else if n <= u64::from(u16::MAX) {
        out.push(major | 25);
        out.extend((n as u16).to_be_bytes());
    } else if n <= u64::from(u32::MAX) {
        out.push(major | 26);
        out.extend((n as u32).to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend(n.to_be_bytes());
    }
}

/// Writes an unsigned integer in the 8-byte form, which the official client reads as a BigInt.
pub(crate) fn write_u64_wide(out: &mut Vec<u8>, n: u64) {
    out.push(0x1b);
    out.extend(n.to_be_bytes());
}

pub(crate) fn write_text(out: &mut Vec<u8>, text: &str) {
    write_head(out, TEXT, text.len() as u64);
    out.extend(text.as_bytes());
}

pub(crate) fn write_map_head(out: &mut Vec<u8>, len: usize) {
    write_head(out, MAP, len as u64);
}

pub(crate) fn write_null(out: &mut Vec<u8>) {
    out.push(NULL);
}

/// Writes a value.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Integer(i) => {
            let i = i128::from(*i);
            // As the official client does: up to 32 bits an integer, up to 2^53 a float (a
            // JavaScript number), beyond it the 8-byte form (which it reads as a BigInt).
            if i.unsigned_abs() >= 1 << 32 && i.unsigned_abs() <= 1 << 53 {
                out.push(0xfb);
                out.extend((i as f64).to_be_bytes());
            } else if i >= 0 {
                write_head(out, UNSIGNED, i as u64);
            } else {
                write_head(out, NEGATIVE, (-1 - i) as u64);
            }
        }
        Value::Bytes(bytes) => {
            write_head(out, BYTES, bytes.len() as u64);
            out.extend(bytes);
        }
        Value::Float(f) => {
            out.push(0xfb);
            out.extend(f.to_be_bytes());
        }
        Value::Text(text) => write_text(out, text),
        Value::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        Value::Null => out.push(NULL),
        Value::Tag(UNDEFINED_TAG, _) => out.push(UNDEFINED),
        Value::Tag(tag, inner) => {
            write_head(out, TAG, *tag);
            write_value(out, inner);
        }
        Value::Array(items) => {
            write_head(out, ARRAY, items.len() as u64);
            for item in items {
                write_value(out, item);
            }
        }
        Value::Map(entries) => {
            write_head(out, MAP, entries.len() as u64);
            for (key, value) in entries {
                write_value(out, key);
                write_value(out, value);
            }
        }
        _ => out.push(NULL),
    }
}

/// A value as CBOR bytes.
pub(crate) fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, value);
    out
}

/// Reads exactly one value from `bytes`; trailing bytes are an error.
pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Value, String> {
    let mut reader = Reader { bytes, pos: 0 };
    let value = reader.value(0)?;
    if reader.pos != bytes.len() {
        return Err("trailing bytes after the CBOR value".into());
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or("truncated CBOR")?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn argument(&mut self, info: u8) -> Result<u64, String> {
        Ok(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(
                self.take(2)?.try_into().expect("two bytes"),
            )),
            26 => u64::from(u32::from_be_bytes(
                self.take(4)?.try_into().expect("four bytes"),
            )),
            27 => u64::from_be_bytes(self.take(8)?.try_into().expect("eight bytes")),
            _ => return Err("indefinite or reserved CBOR length".into()),
        })
    }

    /// A length, which can never exceed what is left of the input.
    fn length(&mut self, info: u8) -> Result<usize, String> {
        let n = self.argument(info)?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err("truncated CBOR".into());
        }
        Ok(n as usize)
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("CBOR nested too deeply".into());
        }
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        Ok(match major {
            // The 8-byte form is how the official client writes a BigInt: keep it one, so that
            // it goes back as a BigInt.
            UNSIGNED | NEGATIVE if info == 27 => {
                let magnitude = self.argument(info)?.to_be_bytes();
                let bytes = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
                let tag = if major == UNSIGNED {
                    BIGNUM_POSITIVE
                } else {
                    BIGNUM_NEGATIVE
                };
                Value::Tag(tag, Box::new(Value::Bytes(bytes)))
            }
            UNSIGNED => Value::Integer(self.argument(info)?.into()),
            // Below 2^32 here: the 8-byte form is handled above.
            NEGATIVE => Value::Integer((-1 - self.argument(info)? as i64).into()),
            BYTES => {
                let len = self.length(info)?;
                Value::Bytes(self.take(len)?.to_vec())
            }
            TEXT => {
                let len = self.length(info)?;
                let text =
                    std::str::from_utf8(self.take(len)?).map_err(|_| "CBOR text is not UTF-8")?;
                Value::Text(text.to_owned())
            }
            ARRAY => {
                let len = self.length(info)?;
                let mut items = Vec::with_capacity(len.min(MAX_PREALLOC));
                for _ in 0..len {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            MAP => {
                let len = self.length(info)?;
                let mut entries = Vec::with_capacity(len.min(MAX_PREALLOC));
                for _ in 0..len {
                    let key = self.value(depth + 1)?;
                    entries.push((key, self.value(depth + 1)?));
                }
                Value::Map(entries)
            }
            TAG => {
                let tag = self.argument(info)?;
                if tag == UNDEFINED_TAG {
                    return Err("reserved CBOR tag".into());
                }
                Value::Tag(tag, Box::new(self.value(depth + 1)?))
            }
            _ => match info {
                20 => Value::Bool(false),
                21 => Value::Bool(true),
                22 => Value::Null,
                23 => undefined(),
                25 => Value::Float(f64::from(half_to_f32(u16::from_be_bytes(
                    self.take(2)?.try_into().expect("two bytes"),
                )))),
                26 => Value::Float(f64::from(f32::from_be_bytes(
                    self.take(4)?.try_into().expect("four bytes"),
                ))),
                27 => Value::Float(f64::from_be_bytes(
                    self.take(8)?.try_into().expect("eight bytes"),
                )),
                _ => return Err("unsupported CBOR simple value".into()),
            },
        })
    }
}

/// An IEEE 754 half-precision float, widened.
fn half_to_f32(half: u16) -> f32 {
    let sign = if half & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((half >> 10) & 0x1f);
    let fraction = f32::from(half & 0x3ff);
    sign * match exponent {
        0 => fraction * 2f32.powi(-24),
        31 if fraction == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        _ => (1.0 + fraction / 1024.0) * 2f32.powi(exponent - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: Value) {
        assert_eq!(from_bytes(&to_bytes(&value)).unwrap(), value);
    }

    #[test]
    fn values_round_trip() {
        round_trip(Value::Map(vec![
            (Value::Text("a".into()), Value::Integer(1.into())),
            (Value::Text("neg".into()), Value::Integer((-300).into())),
            (Value::Text("big".into()), Value::Integer(u32::MAX.into())),
            (
                Value::Text("huge".into()),
                Value::Tag(2, Box::new(Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0]))),
            ),
            (Value::Text("bytes".into()), Value::Bytes(vec![0, 255])),
            (Value::Text("f".into()), Value::Float(1.5)),
            (
                Value::Text("list".into()),
                Value::Array(vec![Value::Null, Value::Bool(true), undefined()]),
            ),
            (
                Value::Text("tag".into()),
                Value::Tag(2, Box::new(Value::Bytes(vec![1, 0]))),
            ),
        ]));
    }

    #[test]
    fn reads_what_cbor_x_writes() {
        // The captured `{hello: 1}` with a 16-bit map header, and an 8-byte id.
        let value =
            from_bytes(&[0xb9, 0x00, 0x01, 0x65, b'h', b'e', b'l', b'l', b'o', 0x01]).unwrap();
        assert_eq!(
            value,
            Value::Map(vec![(
                Value::Text("hello".into()),
                Value::Integer(1.into())
            )])
        );
        assert_eq!(
            from_bytes(&[0x1b, 0, 0, 0, 0, 0, 0, 0, 5]).unwrap(),
            Value::Tag(BIGNUM_POSITIVE, Box::new(Value::Bytes(vec![5])))
        );
        assert_eq!(from_bytes(&[0xf9, 0x3e, 0x00]).unwrap(), Value::Float(1.5));
    }

    #[test]
    fn ids_can_be_written_wide() {
        let mut out = Vec::new();
        write_u64_wide(&mut out, 5);
        assert_eq!(out, [0x1b, 0, 0, 0, 0, 0, 0, 0, 5]);
    }

    #[test]
    fn bad_input_is_refused_without_panicking() {
        for bad in [
            &[][..],
            &[0x1b, 0],
            &[0x62, b'a'],
            &[0x9f],
            &[0x5a, 0xff, 0xff, 0xff, 0xff],
            &[0x01, 0x02],
        ] {
            assert!(from_bytes(bad).is_err(), "{bad:?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n(0x81, 1000).chain([0x00]).collect();
        assert!(from_bytes(&deep).is_err());
    }
}
