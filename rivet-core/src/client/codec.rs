//! The client's side of the encodings: what goes into frames and bodies, and how the server is
//! told which encoding is used.

use serde_json::Value as Json;
use tokio_tungstenite::tungstenite::Message;

use crate::protocol::compat::{self, Target};
use crate::protocol::value::{self, Value};
use crate::protocol::{Encoding, ErrorBody, Frame, ToClient, ToServer};

/// The name of an encoding in `rivet_encoding.<name>` and `x-rivet-encoding`.
pub(super) fn name(encoding: Encoding) -> &'static str {
    encoding.name()
}

/// A client message as a WebSocket frame: text for JSON, binary otherwise.
pub(super) fn encode_message(encoding: Encoding, message: &ToServer) -> Message {
    match encoding.encode_to_server(message) {
        Frame::Text(text) => Message::text(text),
        Frame::Binary(bytes) => Message::binary(bytes),
    }
}

/// A server message from the bytes of a text or binary frame.
pub(super) fn decode_message(encoding: Encoding, bytes: &[u8]) -> Result<ToClient, String> {
    encoding.decode_to_client(bytes)
}

/// The id of a JSON `ActionResponse` that [`decode_message`] refused (for example because its
/// output holds an unknown value tag), so that the waiting call can fail rather than hang.
pub(super) fn undecodable_response_id(encoding: Encoding, bytes: &[u8]) -> Option<u64> {
    if encoding != Encoding::Json {
        return None;
    }
    let value: Json = serde_json::from_slice(bytes).ok()?;
    let body = value.get("body")?;
    if body.get("tag")?.as_str()? != "ActionResponse" {
        return None;
    }
    match body.get("val")?.get("id")? {
        Json::Number(n) => n.as_u64(),
        Json::Array(items) => match items.as_slice() {
            [Json::String(tag), Json::String(digits)] if tag == "$BigInt" => digits.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// The body of a stateless action request.
pub(super) fn encode_action_body(encoding: Encoding, args: Vec<Value>) -> Vec<u8> {
    encoding.encode_http_args(args)
}

/// The output of a stateless action from its response body.
pub(super) fn decode_action_output(encoding: Encoding, bytes: &[u8]) -> Result<Value, String> {
    encoding.decode_http_output(bytes)
}

/// An error body `{group, code, message, metadata?}`.
pub(super) fn decode_error(encoding: Encoding, bytes: &[u8]) -> Result<ErrorBody, String> {
    encoding.decode_http_error(bytes)
}

/// JSON arguments of an untyped call as wire values.
pub(super) fn from_json_args(args: Vec<Json>) -> Vec<Value> {
    args.into_iter().map(value::from_json).collect()
}

/// A wire value as JSON, for untyped calls: what JSON cannot hold comes in the tagged form of
/// the official client (`["$BigInt","…"]`, `["$Uint8Array","<base64>"]`).
pub(super) fn to_json(output: Value) -> Json {
    value::to_json(compat::escape(output, Target::Tagged))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn wire(values: Vec<Json>) -> Vec<Value> {
        from_json_args(values)
    }

    #[test]
    fn action_bodies_escape_tag_like_arrays() {
        let body = encode_action_body(Encoding::Json, wire(vec![json!(["$x", 1]), json!("hi")]));
        assert_eq!(body, br#"{"args":[["$$x",1],"hi"]}"#);
        assert_eq!(
            encode_action_body(Encoding::Json, Vec::new()),
            br#"{"args":[]}"#
        );
    }

    #[test]
    fn outputs_are_revived() {
        let output =
            decode_action_output(Encoding::Json, br#"{"output":["$BigInt","5"]}"#).unwrap();
        assert_eq!(
            to_json(output),
            json!(["$BigInt", "5"]),
            "a BigInt stays one"
        );
        assert_eq!(
            decode_action_output(Encoding::Json, b"{}").unwrap(),
            Value::Null
        );
    }

    #[test]
    fn requests_are_text_frames_in_json_and_binary_otherwise() {
        let request = ToServer::ActionRequest {
            id: 0,
            name: "post".into(),
            args: wire(vec![json!("hi")]),
        };
        let Message::Text(text) = encode_message(Encoding::Json, &request) else {
            panic!("expected a text frame");
        };
        assert_eq!(
            serde_json::from_str::<Json>(&text).unwrap(),
            json!({"body":{"tag":"ActionRequest","val":{"id":["$BigInt","0"],"name":"post",
                "args":["hi"]}}})
        );
        for encoding in [Encoding::Cbor, Encoding::Bare] {
            assert!(
                matches!(encode_message(encoding, &request), Message::Binary(_)),
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn ids_of_unreadable_responses_are_found() {
        let frame = br#"{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","7"],"output":["$Nope",1]}}}"#;
        assert!(decode_message(Encoding::Json, frame).is_err());
        assert_eq!(undecodable_response_id(Encoding::Json, frame), Some(7));
    }
}
