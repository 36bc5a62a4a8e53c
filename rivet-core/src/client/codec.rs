//! The client's side of the encodings: what goes into frames and bodies, and how the server is
//! told which encoding is used. Only JSON for now.

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::protocol::{Encoding, ErrorBody, ToClient, ToServer, compat, json};

/// The name of an encoding in `rivet_encoding.<name>` and `x-rivet-encoding`.
pub(super) fn name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Json => "json",
    }
}

/// A client message as a WebSocket frame: text for JSON.
pub(super) fn encode_message(encoding: Encoding, message: &ToServer) -> Message {
    match encoding {
        Encoding::Json => Message::text(json::encode_to_server(message)),
    }
}

/// A server message from the bytes of a text or binary frame.
pub(super) fn decode_message(encoding: Encoding, bytes: &[u8]) -> Result<ToClient, String> {
    match encoding {
        Encoding::Json => json::decode_to_client(bytes),
    }
}

/// The id of an `ActionResponse` that [`decode_message`] refused (for example because its output
/// holds a value this client cannot read yet), so that the waiting call can fail rather than hang.
pub(super) fn undecodable_response_id(encoding: Encoding, bytes: &[u8]) -> Option<u64> {
    match encoding {
        Encoding::Json => {
            let value: Value = serde_json::from_slice(bytes).ok()?;
            let body = value.get("body")?;
            if body.get("tag")?.as_str()? != "ActionResponse" {
                return None;
            }
            match body.get("val")?.get("id")? {
                Value::Number(n) => n.as_u64(),
                Value::Array(items) => match items.as_slice() {
                    [Value::String(tag), Value::String(digits)] if tag == "$BigInt" => {
                        digits.parse().ok()
                    }
                    _ => None,
                },
                _ => None,
            }
        }
    }
}

/// The body of a stateless action request: `{"args":[…]}`.
pub(super) fn encode_action_body(encoding: Encoding, args: Vec<Value>) -> String {
    match encoding {
        Encoding::Json => json!({ "args": compat::escape(Value::Array(args)) }).to_string(),
    }
}

/// The output of a stateless action from its response body `{"output":…}`.
pub(super) fn decode_action_output(encoding: Encoding, bytes: &[u8]) -> Result<Value, String> {
    match encoding {
        Encoding::Json => json::decode_http_output(bytes),
    }
}

/// An error body `{group, code, message, metadata?}`.
pub(super) fn decode_error(encoding: Encoding, bytes: &[u8]) -> Result<ErrorBody, String> {
    match encoding {
        Encoding::Json => json::decode_http_error(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_bodies_escape_tag_like_arrays() {
        let body = encode_action_body(Encoding::Json, vec![json!(["$x", 1]), json!("hi")]);
        assert_eq!(body, r#"{"args":[["$$x",1],"hi"]}"#);
        assert_eq!(
            encode_action_body(Encoding::Json, Vec::new()),
            r#"{"args":[]}"#
        );
    }

    #[test]
    fn outputs_are_revived() {
        let output =
            decode_action_output(Encoding::Json, br#"{"output":["$BigInt","5"]}"#).unwrap();
        assert_eq!(output, json!(5));
        assert_eq!(
            decode_action_output(Encoding::Json, b"{}").unwrap(),
            Value::Null
        );
    }

    #[test]
    fn requests_are_text_frames() {
        let message = encode_message(
            Encoding::Json,
            &ToServer::ActionRequest {
                id: 0,
                name: "post".into(),
                args: vec![json!("hi")],
            },
        );
        let Message::Text(text) = message else {
            panic!("expected a text frame, got {message:?}");
        };
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!({"body":{"tag":"ActionRequest","val":{"id":["$BigInt","0"],"name":"post",
                "args":["hi"]}}})
        );
    }

    #[test]
    fn ids_of_unreadable_responses_are_found() {
        let frame = br#"{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","7"],"output":["$Uint8Array","AAE="]}}}"#;
        assert!(decode_message(Encoding::Json, frame).is_err());
        assert_eq!(undecodable_response_id(Encoding::Json, frame), Some(7));
        let plain = br#"{"body":{"tag":"ActionResponse","val":{"id":3,"output":["$Nope",1]}}}"#;
        assert_eq!(undecodable_response_id(Encoding::Json, plain), Some(3));
        let event = br#"{"body":{"tag":"Event","val":{"name":"x","args":[["$Nope",1]]}}}"#;
        assert_eq!(undecodable_response_id(Encoding::Json, event), None);
        assert_eq!(undecodable_response_id(Encoding::Json, b"garbage"), None);
    }
}
