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
    // Base-2^32 limbs, least significant first, built by multiply-and-add nine digits at a
    // time: quadratic, but with few enough steps that the longest text a message can carry
    // converts in milliseconds.
    let mut limbs: Vec<u32> = Vec::new();
    for chunk in digits.as_bytes().chunks(9) {
        let scale = 10u64.pow(chunk.len() as u32);
        let mut carry = chunk.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        for limb in &mut limbs {
            let next = u64::from(*limb) * scale + carry;
            *limb = next as u32;
            carry = next >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    let mut magnitude: Vec<u8> = limbs.iter().flat_map(|limb| limb.to_le_bytes()).collect();
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
    // Repeated division by 10^9 of the number in base-2^32 limbs, most significant first.
    let mut limbs: Vec<u32> = {
        let pad = (4 - magnitude.len() % 4) % 4;
        let padded: Vec<u8> = std::iter::repeat_n(0, pad).chain(magnitude).collect();
        padded
            .chunks(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let mut digits = Vec::new();
    while !limbs.is_empty() {
        let mut remainder = 0u64;
        for limb in &mut limbs {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = (current / 1_000_000_000) as u32;
            remainder = current % 1_000_000_000;
        }
        let zeros = limbs.iter().take_while(|l| **l == 0).count();
        limbs.drain(..zeros);
        for _ in 0..9 {
            digits.push(b'0' + (remainder % 10) as u8);
            remainder /= 10;
            if limbs.is_empty() && remainder == 0 {
                break;
            }
        }
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
