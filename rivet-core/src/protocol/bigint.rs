//! Big integers in the two forms they travel in: decimal text (`["$BigInt","…"]`) and CBOR
//! bignums (tag 2 or 3 around big-endian bytes).

use super::value::{BIGNUM_NEGATIVE, BIGNUM_POSITIVE, Value};

/// `"-123"` as a bignum value; `None` when the text is not an integer.
pub(crate) fn from_decimal(text: &str) -> Option<Value> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Base-256 digits, least significant first, built by multiply-and-add.
    let mut magnitude: Vec<u8> = Vec::new();
    for digit in digits.bytes().map(|b| u32::from(b - b'0')) {
        let mut carry = digit;
        for byte in &mut magnitude {
            let next = u32::from(*byte) * 10 + carry;
            *byte = (next & 0xff) as u8;
            carry = next >> 8;
        }
        while carry > 0 {
            magnitude.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    magnitude.reverse();
    let mut bytes: Vec<u8> = magnitude.into_iter().skip_while(|b| *b == 0).collect();
    if negative && !bytes.is_empty() {
        // CBOR stores -1 - n for negative bignums.
        subtract_one(&mut bytes);
        return Some(Value::Tag(BIGNUM_NEGATIVE, Box::new(Value::Bytes(bytes))));
    }
    Some(Value::Tag(BIGNUM_POSITIVE, Box::new(Value::Bytes(bytes))))
}

/// The decimal text of a bignum with `tag` and big-endian `bytes`.
pub(crate) fn to_decimal(tag: u64, bytes: &[u8]) -> String {
    let mut magnitude: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if tag == BIGNUM_NEGATIVE {
        add_one(&mut magnitude);
    }
    // Repeated division by 10 of the base-256 number.
    let mut digits = Vec::new();
    while !magnitude.is_empty() {
        let mut remainder = 0u32;
        for byte in &mut magnitude {
            let current = (remainder << 8) | u32::from(*byte);
            *byte = (current / 10) as u8;
            remainder = current % 10;
        }
        digits.push(b'0' + remainder as u8);
        let zeros = magnitude.iter().take_while(|b| **b == 0).count();
        magnitude.drain(..zeros);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    if tag == BIGNUM_NEGATIVE {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

fn subtract_one(bytes: &mut Vec<u8>) {
    for byte in bytes.iter_mut().rev() {
        if *byte > 0 {
            *byte -= 1;
            break;
        }
        *byte = 0xff;
    }
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
}

fn add_one(bytes: &mut Vec<u8>) {
    for byte in bytes.iter_mut().rev() {
        if *byte < 0xff {
            *byte += 1;
            return;
        }
        *byte = 0;
    }
    bytes.insert(0, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_round_trips() {
        for text in [
            "0",
            "5",
            "255",
            "256",
            "-1",
            "-256",
            "-257",
            "1180591620717411303424",
            "-1180591620717411303424",
        ] {
            let Some(Value::Tag(tag, inner)) = from_decimal(text) else {
                panic!("{text}")
            };
            let Value::Bytes(bytes) = *inner else {
                panic!("{text}")
            };
            assert_eq!(to_decimal(tag, &bytes), text);
        }
    }

    #[test]
    fn two_to_the_seventy_is_nine_bytes() {
        let Some(Value::Tag(BIGNUM_POSITIVE, inner)) = from_decimal("1180591620717411303424")
        else {
            panic!("not a bignum")
        };
        assert_eq!(*inner, Value::Bytes(vec![0x40, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    #[test]
    fn non_integers_are_refused() {
        for text in ["", "-", "1.5", "12a", "+3"] {
            assert!(from_decimal(text).is_none(), "{text}");
        }
    }
}
