//! The three encodings a connection or request can choose, behind one interface.

use super::message::{ErrorBody, ToClient, ToServer};
use super::value::Value;
use super::{bare, cbor_messages, json};
use crate::RuntimeError;

/// How the messages of one connection or one request are encoded. The server speaks all three,
/// chosen by each client; the Rust client picks one with [`Client::with_encoding`].
///
/// [`Client::with_encoding`]: crate::Client::with_encoding
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// JSON text with the tagged value convention (the server's default).
    #[default]
    Json,
    /// CBOR maps, values carried natively.
    Cbor,
    /// BARE version 4, values as CBOR in the tagged convention; the official client's default.
    Bare,
}

/// One encoded WebSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Frame {
    /// A text frame (JSON).
    Text(String),
    /// A binary frame (CBOR, BARE).
    Binary(Vec<u8>),
}

impl Encoding {
    /// Parses the name a client sends; a missing name means JSON.
    pub(crate) fn from_name(name: Option<&str>) -> Result<Self, RuntimeError> {
        match name {
            None | Some("json") => Ok(Self::Json),
            Some("cbor") => Ok(Self::Cbor),
            Some("bare") => Ok(Self::Bare),
            Some(other) => Err(RuntimeError::UnsupportedEncoding(other.to_owned())),
        }
    }

    /// The name clients use for it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Cbor => "cbor",
            Self::Bare => "bare",
        }
    }

    /// The content type of HTTP bodies in this encoding.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Cbor | Self::Bare => "application/octet-stream",
        }
    }

    /// Whether a frame of this kind may carry this encoding: JSON comes in text or binary frames
    /// (as UTF-8), CBOR and BARE only in binary ones.
    pub(crate) fn accepts(self, binary: bool) -> bool {
        binary || self == Self::Json
    }

    pub(crate) fn encode_to_client(self, message: &ToClient) -> Frame {
        if let ToClient::Event(event) = message {
            // A broadcast goes to many connections: encode it once per encoding.
            return event
                .encoded
                .get_or_encode(self, || self.encode_fresh(message));
        }
        self.encode_fresh(message)
    }

    fn encode_fresh(self, message: &ToClient) -> Frame {
        match self {
            Self::Json => Frame::Text(json::encode_to_client(message)),
            Self::Cbor => Frame::Binary(cbor_messages::encode_to_client(message)),
            Self::Bare => Frame::Binary(bare::encode_to_client(message)),
        }
    }

    pub(crate) fn decode_to_server(self, bytes: &[u8]) -> Result<ToServer, String> {
        match self {
            Self::Json => json::decode_to_server(bytes),
            Self::Cbor => cbor_messages::decode_to_server(bytes),
            Self::Bare => bare::decode_to_server(bytes),
        }
    }

    pub(crate) fn encode_to_server(self, message: &ToServer) -> Frame {
        match self {
            Self::Json => Frame::Text(json::encode_to_server(message)),
            Self::Cbor => Frame::Binary(cbor_messages::encode_to_server(message)),
            Self::Bare => Frame::Binary(bare::encode_to_server(message)),
        }
    }

    pub(crate) fn decode_to_client(self, bytes: &[u8]) -> Result<ToClient, String> {
        match self {
            Self::Json => json::decode_to_client(bytes),
            Self::Cbor => cbor_messages::decode_to_client(bytes),
            Self::Bare => bare::decode_to_client(bytes),
        }
    }

    pub(crate) fn decode_http_args(self, bytes: &[u8]) -> Result<Vec<Value>, String> {
        match self {
            Self::Json => json::decode_http_args(bytes),
            Self::Cbor => cbor_messages::decode_http_args(bytes),
            Self::Bare => bare::decode_http_args(bytes),
        }
    }

    pub(crate) fn encode_http_args(self, args: Vec<Value>) -> Vec<u8> {
        match self {
            Self::Json => json::encode_http_args(args).into_bytes(),
            Self::Cbor => cbor_messages::encode_http_args(args),
            Self::Bare => bare::encode_http_args(args),
        }
    }

    pub(crate) fn encode_http_output(self, output: Value) -> Vec<u8> {
        match self {
            Self::Json => json::encode_http_output(output).into_bytes(),
            Self::Cbor => cbor_messages::encode_http_output(output),
            Self::Bare => bare::encode_http_output(output),
        }
    }

    pub(crate) fn decode_http_output(self, bytes: &[u8]) -> Result<Value, String> {
        match self {
            Self::Json => json::decode_http_output(bytes),
            Self::Cbor => cbor_messages::decode_http_output(bytes),
            Self::Bare => bare::decode_http_output(bytes),
        }
    }

    pub(crate) fn encode_http_error(self, error: &ErrorBody) -> Vec<u8> {
        match self {
            Self::Json => json::encode_http_error(error).into_bytes(),
            Self::Cbor => cbor_messages::encode_http_error(error),
            Self::Bare => bare::encode_http_error(error),
        }
    }

    pub(crate) fn decode_http_error(self, bytes: &[u8]) -> Result<ErrorBody, String> {
        match self {
            Self::Json => json::decode_http_error(bytes),
            Self::Cbor => cbor_messages::decode_http_error(bytes),
            Self::Bare => bare::decode_http_error(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::protocol::message::EventBody;

    #[test]
    fn an_event_is_encoded_once_per_encoding_and_the_same_each_time() {
        let event = Arc::new(EventBody::with_payload("message", &"hi").unwrap());
        let message = ToClient::Event(event.clone());
        for encoding in [Encoding::Json, Encoding::Cbor, Encoding::Bare] {
            let first = encoding.encode_to_client(&message);
            assert_eq!(first, encoding.encode_fresh(&message), "{encoding:?}");
            assert_eq!(encoding.encode_to_client(&message), first, "{encoding:?}");
        }
        // The cache answers without encoding again, and does not change what the event is.
        let cached = event
            .encoded
            .get_or_encode(Encoding::Bare, || panic!("encoded twice"));
        assert_eq!(cached, Encoding::Bare.encode_fresh(&message));
        assert_eq!(*event, EventBody::with_payload("message", &"hi").unwrap());
    }
}
