//! The few frames of the client protocol the load generator sends and reads, written from
//! PROTOCOL.md (BARE, version 4): action requests, subscriptions and HTTP action bodies out;
//! Init, Error, ActionResponse and Event in.

/// The BARE embedded version: 4, little-endian.
const VERSION: [u8; 2] = [4, 0];

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// CBOR for an unsigned integer (major type 0, shortest form).
fn cbor_uint(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=23 => out.push(n as u8),
        24..=0xff => out.extend_from_slice(&[0x18, n as u8]),
        0x100..=0xffff => {
            out.push(0x19);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0x1a);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(0x1b);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// CBOR of the argument list `[n]`, or `[]` for `None`.
pub(crate) fn cbor_args(arg: Option<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(10);
    match arg {
        None => out.push(0x80),
        Some(n) => {
            out.push(0x81);
            cbor_uint(&mut out, n);
        }
    }
    out
}

/// `ToServer::ActionRequest { id, name, args }`.
pub(crate) fn action_request(id: u64, name: &str, arg: Option<u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + name.len());
    out.extend_from_slice(&VERSION);
    out.push(0);
    put_uint(&mut out, id);
    put_bytes(&mut out, name.as_bytes());
    put_bytes(&mut out, &cbor_args(arg));
    out
}

/// `ToServer::SubscriptionRequest { eventName, subscribe: true }`.
pub(crate) fn subscribe(event: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + event.len());
    out.extend_from_slice(&VERSION);
    out.push(1);
    put_bytes(&mut out, event.as_bytes());
    out.push(1);
    out
}

/// The body of a stateless HTTP action: `HttpActionRequest { args }`.
pub(crate) fn http_action_request(arg: Option<u64>) -> Vec<u8> {
    let mut out = VERSION.to_vec();
    put_bytes(&mut out, &cbor_args(arg));
    out
}

/// A message from the server, as far as the generator needs it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToClient {
    Init,
    Error {
        action_id: Option<u64>,
    },
    ActionResponse {
        id: u64,
    },
    /// The first argument of the event when it is an unsigned integer.
    Event {
        first: Option<u64>,
    },
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.uint()?).ok()?;
        if self.bytes.len() < len {
            return None;
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some(head)
    }
}

/// The first item of a CBOR array when it is an unsigned integer.
fn cbor_first_uint(cbor: &[u8]) -> Option<u64> {
    let (&head, rest) = cbor.split_first()?;
    // An array of 1 to 23 items, or with a 1-byte or 2-byte length.
    let rest = match head {
        0x81..=0x97 => rest,
        0x98 => rest.get(1..)?,
        0x99 => rest.get(2..)?,
        _ => return None,
    };
    let (&item, rest) = rest.split_first()?;
    let width = match item {
        0..=23 => return Some(u64::from(item)),
        0x18 => 1,
        0x19 => 2,
        0x1a => 4,
        0x1b => 8,
        _ => return None,
    };
    let bytes = rest.get(..width)?;
    Some(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
}

/// Reads a BARE `ToClient` frame.
pub(crate) fn decode(frame: &[u8]) -> Option<ToClient> {
    let body = frame.strip_prefix(&VERSION)?;
    let mut reader = Reader { bytes: body };
    match reader.byte()? {
        0 => Some(ToClient::Init),
        1 => {
            reader.bytes()?;
            reader.bytes()?;
            reader.bytes()?;
            if reader.byte()? == 1 {
                reader.bytes()?;
            }
            let action_id = match reader.byte()? {
                1 => Some(reader.uint()?),
                _ => None,
            };
            Some(ToClient::Error { action_id })
        }
        2 => Some(ToClient::ActionResponse { id: reader.uint()? }),
        3 => {
            reader.bytes()?;
            let args = reader.bytes()?;
            Some(ToClient::Event {
                first: cbor_first_uint(args),
            })
        }
        _ => None,
    }
}

/// The `Init` frame of the echo server: fixed ids, the same shape as rivet's.
pub(crate) fn init_frame() -> Vec<u8> {
    let mut out = VERSION.to_vec();
    out.push(0);
    put_bytes(&mut out, b"echo0000000000000000000000000000");
    put_bytes(&mut out, b"00000000-0000-0000-0000-000000000000");
    out
}

/// For the echo server: the action id and where the rest of an ActionRequest starts, so that
/// the request's name and arguments can be sent on as an Event.
pub(crate) fn split_action_request(frame: &[u8]) -> Option<usize> {
    let body = frame.strip_prefix(&VERSION)?;
    let mut reader = Reader { bytes: body };
    if reader.byte()? != 0 {
        return None;
    }
    reader.uint()?;
    Some(frame.len() - reader.bytes.len())
}

/// Percent-encodes connection params for the `rivet_conn_params.` sub-protocol token.
pub(crate) fn encode_params(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 3);
    for byte in json.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_match_the_captures() {
        // PROTOCOL.md 5.4: id 0, "whoami", args CBOR [].
        let whoami = [4, 0, 0, 0, 6, b'w', b'h', b'o', b'a', b'm', b'i', 1, 0x80];
        assert_eq!(action_request(0, "whoami", None), whoami);
        assert_eq!(
            subscribe("message"),
            [4, 0, 1, 7, b'm', b'e', b's', b's', b'a', b'g', b'e', 1]
        );
        assert_eq!(
            decode(&[4, 0, 2, 1, 1, 1]),
            Some(ToClient::ActionResponse { id: 1 })
        );
        assert_eq!(
            decode(&[4, 0, 3, 1, b'm', 4, 0x81, 0x19, 1, 0]),
            Some(ToClient::Event { first: Some(256) })
        );
        assert_eq!(decode(&init_frame()), Some(ToClient::Init));
        assert_eq!(http_action_request(None), [4, 0, 1, 0x80]);
    }

    #[test]
    fn an_action_request_becomes_an_event() {
        let request = action_request(300, "send", Some(70_000));
        let start = split_action_request(&request).unwrap();
        let mut event = vec![4, 0, 3];
        event.extend_from_slice(&request[start..]);
        assert_eq!(
            decode(&event),
            Some(ToClient::Event {
                first: Some(70_000)
            })
        );
    }

    #[test]
    fn params_are_percent_encoded() {
        assert_eq!(
            encode_params(r#"{"user":"w1"}"#),
            "%7B%22user%22%3A%22w1%22%7D"
        );
    }
}
