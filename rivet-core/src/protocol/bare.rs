//! The BARE encoding, protocol version 4: a two-byte little-endian version, a one-byte union tag,
//! then the fields; `data` fields hold CBOR of the value in the tagged convention.

use std::sync::Arc;

use super::cbor;
use super::compat::{self, Target};
use super::message::{ActorSpecifier, ErrorBody, EventBody, ToClient, ToServer};
use super::value::{self, Value};

/// The version this server writes.
const VERSION: u16 = 4;
/// The versions it reads: 3 and 4 share every message a client sends.
const READABLE: [u16; 2] = [3, 4];

struct Writer(Vec<u8>);

impl Writer {
    fn new() -> Self {
        Self(VERSION.to_le_bytes().to_vec())
    }

    fn uint(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        self.0.extend(bytes);
    }

    fn string(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn data(&mut self, value: Value) {
        self.bytes(&cbor::to_bytes(&compat::escape(value, Target::Tagged)));
    }

    fn tag(&mut self, tag: u8) {
        self.0.push(tag);
    }

    fn present(&mut self, present: bool) {
        self.0.push(u8::from(present));
    }

    fn actor(&mut self, actor: Option<&ActorSpecifier>) {
        self.present(actor.is_some());
        if let Some(actor) = actor {
            self.string(&actor.actor_id);
            self.uint(actor.generation);
            self.present(actor.key.is_some());
            if let Some(key) = &actor.key {
                self.string(key);
            }
        }
    }

    fn error_fields(&mut self, error: &ErrorBody) {
        self.string(&error.group);
        self.string(&error.code);
        self.string(&error.message);
        self.present(error.metadata.is_some());
        if let Some(metadata) = &error.metadata {
            self.data(value::from_json(metadata.clone()));
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts after the version, which must be one this server reads.
    fn new(bytes: &'a [u8]) -> Result<Self, String> {
        let version = bytes.get(..2).ok_or("truncated BARE message")?;
        let version = u16::from_le_bytes([version[0], version[1]]);
        if !READABLE.contains(&version) {
            return Err(format!("unsupported BARE protocol version {version}"));
        }
        Ok(Self { bytes, pos: 2 })
    }

    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self.bytes.get(self.pos).ok_or("truncated BARE message")?;
        self.pos += 1;
        Ok(byte)
    }

    fn uint(&mut self) -> Result<u64, String> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err("BARE integer too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = usize::try_from(self.uint()?).map_err(|_| "BARE length too large")?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or("truncated BARE message")?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn string(&mut self) -> Result<String, String> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_owned)
            .map_err(|_| "BARE string is not UTF-8".into())
    }

    fn data(&mut self) -> Result<Value, String> {
        compat::revive(cbor::from_bytes(self.bytes()?)?)
    }

    fn bool(&mut self) -> Result<bool, String> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("BARE bool is neither 0 nor 1".into()),
        }
    }

    fn optional(&mut self) -> Result<bool, String> {
        self.bool()
            .map_err(|_| "BARE optional flag is neither 0 nor 1".into())
    }

    fn end(self) -> Result<(), String> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err("trailing bytes after the BARE message".into())
        }
    }

    fn args(&mut self) -> Result<Vec<Value>, String> {
        match self.data()? {
            Value::Array(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            other => Ok(vec![other]),
        }
    }

    fn error(&mut self) -> Result<ErrorBody, String> {
        let group = self.string()?;
        let code = self.string()?;
        let message = self.string()?;
        let metadata = if self.optional()? {
            Some(value::to_json(self.data()?))
        } else {
            None
        };
        Ok(ErrorBody {
            group,
            code,
            message,
            metadata,
            action_id: None,
            actor: None,
        })
    }

    fn skip_actor(&mut self) -> Result<(), String> {
        if self.optional()? {
            self.string()?;
            self.uint()?;
            if self.optional()? {
                self.string()?;
            }
        }
        Ok(())
    }
}

pub(crate) fn encode_to_client(message: &ToClient) -> Vec<u8> {
    let mut w = Writer::new();
    match message {
        ToClient::Init {
            actor_id,
            connection_id,
        } => {
            w.tag(0);
            w.string(actor_id);
            w.string(connection_id);
        }
        ToClient::Error(error) => {
            w.tag(1);
            w.error_fields(error);
            w.present(error.action_id.is_some());
            if let Some(id) = error.action_id {
                w.uint(id);
            }
            w.actor(error.actor.as_ref());
        }
        ToClient::ActionResponse { id, output } => {
            w.tag(2);
            w.uint(*id);
            w.data(output.clone());
        }
        ToClient::Event(event) => {
            w.tag(3);
            w.string(&event.name);
            w.data(Value::Array(event.args.clone()));
        }
    }
    w.0
}

pub(crate) fn decode_to_server(bytes: &[u8]) -> Result<ToServer, String> {
    let mut r = Reader::new(bytes)?;
    let message = match r.byte()? {
        0 => ToServer::ActionRequest {
            id: r.uint()?,
            name: r.string()?,
            args: r.args()?,
        },
        1 => ToServer::SubscriptionRequest {
            event_name: r.string()?,
            subscribe: r.bool()?,
        },
        tag => return Err(format!("unknown BARE message tag {tag}")),
    };
    r.end()?;
    Ok(message)
}

pub(crate) fn encode_to_server(message: &ToServer) -> Vec<u8> {
    let mut w = Writer::new();
    match message {
        ToServer::ActionRequest { id, name, args } => {
            w.tag(0);
            w.uint(*id);
            w.string(name);
            w.data(Value::Array(args.clone()));
        }
        ToServer::SubscriptionRequest {
            event_name,
            subscribe,
        } => {
            w.tag(1);
            w.string(event_name);
            w.present(*subscribe);
        }
    }
    w.0
}

pub(crate) fn decode_to_client(bytes: &[u8]) -> Result<ToClient, String> {
    let mut r = Reader::new(bytes)?;
    let message = match r.byte()? {
        0 => ToClient::Init {
            actor_id: r.string()?.into(),
            connection_id: r.string()?.into(),
        },
        1 => {
            let mut error = r.error()?;
            error.action_id = if r.optional()? { Some(r.uint()?) } else { None };
            r.skip_actor()?;
            ToClient::from(error)
        }
        2 => ToClient::ActionResponse {
            id: r.uint()?,
            output: r.data()?,
        },
        3 => ToClient::Event(Arc::new(EventBody::new(r.string()?, r.args()?))),
        tag => return Err(format!("unknown BARE message tag {tag}")),
    };
    r.end()?;
    Ok(message)
}

pub(crate) fn decode_http_args(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut r = Reader::new(bytes)?;
    let args = r.args()?;
    r.end()?;
    Ok(args)
}

pub(crate) fn encode_http_args(args: Vec<Value>) -> Vec<u8> {
    let mut w = Writer::new();
    w.data(Value::Array(args));
    w.0
}

pub(crate) fn encode_http_output(output: Value) -> Vec<u8> {
    let mut w = Writer::new();
    w.data(output);
    w.0
}

pub(crate) fn decode_http_output(bytes: &[u8]) -> Result<Value, String> {
    let mut r = Reader::new(bytes)?;
    let output = r.data()?;
    r.end()?;
    Ok(output)
}

pub(crate) fn encode_http_error(error: &ErrorBody) -> Vec<u8> {
    let mut w = Writer::new();
    w.error_fields(error);
    w.actor(error.actor.as_ref());
    w.0
}

pub(crate) fn decode_http_error(bytes: &[u8]) -> Result<ErrorBody, String> {
    let mut r = Reader::new(bytes)?;
    let error = r.error()?;
    r.skip_actor()?;
    r.end()?;
    Ok(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        text.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).expect("hex"))
            .collect()
    }

    #[test]
    fn captured_requests_decode() {
        assert_eq!(
            decode_to_server(&hex("04 00 01 07 6d 65 73 73 61 67 65 01")).unwrap(),
            ToServer::SubscriptionRequest {
                event_name: "message".into(),
                subscribe: true
            }
        );
        assert_eq!(
            decode_to_server(&hex("04 00 00 00 06 77 68 6f 61 6d 69 01 80")).unwrap(),
            ToServer::ActionRequest {
                id: 0,
                name: "whoami".into(),
                args: vec![]
            }
        );
    }

    #[test]
    fn captured_responses_encode() {
        let response = ToClient::ActionResponse {
            id: 1,
            output: Value::Integer(1.into()),
        };
        assert_eq!(encode_to_client(&response), hex("04 00 02 01 01 01"));
        let init = ToClient::Init {
            actor_id: "a".into(),
            connection_id: "c".into(),
        };
        assert_eq!(encode_to_client(&init), hex("04 00 00 01 61 01 63"));
    }

    #[test]
    fn a_connection_error_matches_the_capture() {
        let error = ErrorBody {
            group: "user".into(),
            code: "forbidden".into(),
            message: "bad token".into(),
            metadata: Some(serde_json::json!({"why": "token"})),
            action_id: None,
            actor: None,
        };
        let bytes = encode_to_client(&ToClient::from(error.clone()));
        assert_eq!(
            bytes,
            hex(
                "04 00 01 04 75 73 65 72 09 66 6f 72 62 69 64 64 65 6e 09 62 61 64 20 74 6f 6b 65 6e 01 0b a1 63 77 68 79 65 74 6f 6b 65 6e 00 00"
            )
        );
        assert_eq!(decode_to_client(&bytes).unwrap(), ToClient::from(error));
    }

    #[test]
    fn the_big_int_echo_request_decodes() {
        // echo(1, "two", {three: [3]}, null, 2n ** 70n), as captured from the official client.
        let mut bytes = hex(
            "04 00 00 05 04 65 63 68 6f 32 85 01 63 74 77 6f b9 00 01 65 74 68 72 65 65 81 03 f6 82 67 24 42 69 67 49 6e 74 76",
        );
        bytes.extend(b"1180591620717411303424");
        let ToServer::ActionRequest { args, .. } = decode_to_server(&bytes).unwrap() else {
            panic!()
        };
        assert_eq!(args.len(), 5);
        assert_eq!(
            args[4],
            super::super::bigint::from_decimal("1180591620717411303424").unwrap()
        );
    }

    #[test]
    fn bad_versions_tags_and_truncations_are_refused() {
        for bad in [
            "09 00 00",
            "04 00 07",
            "04 00 00 05",
            "04",
            "04 00 01 03 61 62",
            "04 00 01 01 61 02",
        ] {
            assert!(decode_to_server(&hex(bad)).is_err(), "{bad}");
        }
    }
}
