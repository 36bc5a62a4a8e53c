//! The JSON encoding: `{"body":{"tag":…,"val":{…}}}`, ids as `["$BigInt","n"]`, user values in
//! the compat convention.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::compat;
use super::message::{ErrorBody, EventBody, ToClient, ToServer};

/// A u64 the way the official client expects it: `["$BigInt","n"]`.
fn big_int(n: u64) -> Value {
    json!(["$BigInt", n.to_string()])
}

/// Reads a u64 sent either as `["$BigInt","n"]` or as a plain number.
fn read_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::Array(items) => match items.as_slice() {
            [Value::String(tag), Value::String(digits)] if tag == "$BigInt" => digits.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn envelope(tag: &str, val: Value) -> Value {
    json!({ "body": { "tag": tag, "val": val } })
}

fn error_value(error: &ErrorBody) -> Value {
    let mut val = Map::new();
    val.insert("group".into(), Value::String(error.group.clone()));
    val.insert("code".into(), Value::String(error.code.clone()));
    val.insert("message".into(), Value::String(error.message.clone()));
    if let Some(metadata) = &error.metadata {
        val.insert("metadata".into(), compat::escape(metadata.clone()));
    }
    // Present even when null: the client's schema requires the field.
    val.insert(
        "actionId".into(),
        error.action_id.map_or(Value::Null, big_int),
    );
    Value::Object(val)
}

/// Encodes a server message as JSON text.
pub(crate) fn encode_to_client(message: &ToClient) -> String {
    let value = match message {
        ToClient::Init {
            actor_id,
            connection_id,
        } => envelope(
            "Init",
            json!({ "actorId": &**actor_id, "connectionId": &**connection_id }),
        ),
        ToClient::Error(error) => envelope("Error", error_value(error)),
        ToClient::ActionResponse { id, output } => envelope(
            "ActionResponse",
            json!({ "id": big_int(*id), "output": compat::escape(output.clone()) }),
        ),
        ToClient::Event(event) => envelope(
            "Event",
            json!({
                "name": event.name,
                "args": compat::escape(Value::Array(event.args.clone())),
            }),
        ),
    };
    value.to_string()
}

/// Encodes an HTTP action's output: `{"output":…}`.
pub(crate) fn encode_http_output(output: Value) -> String {
    json!({ "output": compat::escape(output) }).to_string()
}

/// Encodes an HTTP error body: `{"group","code","message","metadata"?}`.
pub(crate) fn encode_http_error(error: &ErrorBody) -> String {
    let mut value = error_value(error);
    if let Value::Object(map) = &mut value {
        map.remove("actionId");
    }
    value.to_string()
}

/// Decodes an HTTP action request body `{"args":[…]}`.
pub(crate) fn decode_http_args(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    let args = value.get("args").cloned().ok_or("missing `args`")?;
    args_list(compat::revive(args)?)
}

/// Actions take a list; a lone value is one argument, as the official server does.
fn args_list(args: Value) -> Result<Vec<Value>, String> {
    Ok(match args {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    })
}

fn body(value: &Value) -> Result<(&str, &Value), String> {
    let body = value.get("body").ok_or("missing `body`")?;
    let tag = body
        .get("tag")
        .and_then(Value::as_str)
        .ok_or("missing `body.tag`")?;
    let val = body.get("val").ok_or("missing `body.val`")?;
    Ok((tag, val))
}

fn field<'a>(val: &'a Value, name: &str) -> Result<&'a Value, String> {
    val.get(name).ok_or_else(|| format!("missing `{name}`"))
}

fn string_field(val: &Value, name: &str) -> Result<String, String> {
    field(val, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("`{name}` is not a string"))
}

/// Decodes a client message; the error says what was wrong, without echoing values.
pub(crate) fn decode_to_server(bytes: &[u8]) -> Result<ToServer, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    let (tag, val) = body(&value)?;
    match tag {
        "ActionRequest" => Ok(ToServer::ActionRequest {
            id: read_u64(field(val, "id")?).ok_or("`id` is not an unsigned integer")?,
            name: string_field(val, "name")?,
            args: args_list(compat::revive(
                val.get("args").cloned().unwrap_or(Value::Null),
            )?)?,
        }),
        "SubscriptionRequest" => Ok(ToServer::SubscriptionRequest {
            event_name: string_field(val, "eventName")?,
            subscribe: field(val, "subscribe")?
                .as_bool()
                .ok_or("`subscribe` is not a boolean")?,
        }),
        other => Err(format!("unknown message tag `{other}`")),
    }
}

/// Encodes a client message (the Rust client's side).
pub(crate) fn encode_to_server(message: &ToServer) -> String {
    let value = match message {
        ToServer::ActionRequest { id, name, args } => envelope(
            "ActionRequest",
            json!({
                "id": big_int(*id),
                "name": name,
                "args": compat::escape(Value::Array(args.clone())),
            }),
        ),
        ToServer::SubscriptionRequest {
            event_name,
            subscribe,
        } => envelope(
            "SubscriptionRequest",
            json!({ "eventName": event_name, "subscribe": subscribe }),
        ),
    };
    value.to_string()
}

fn read_error(val: &Value) -> Result<ErrorBody, String> {
    let action_id = match val.get("actionId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(read_u64(id).ok_or("`actionId` is not an unsigned integer")?),
    };
    Ok(ErrorBody {
        group: string_field(val, "group")?,
        code: string_field(val, "code")?,
        message: string_field(val, "message")?,
        metadata: match val.get("metadata") {
            None | Some(Value::Null) => None,
            Some(metadata) => Some(compat::revive(metadata.clone())?),
        },
        action_id,
    })
}

/// Decodes a server message (the Rust client's side).
pub(crate) fn decode_to_client(bytes: &[u8]) -> Result<ToClient, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    let (tag, val) = body(&value)?;
    match tag {
        "Init" => Ok(ToClient::Init {
            actor_id: string_field(val, "actorId")?.into(),
            connection_id: string_field(val, "connectionId")?.into(),
        }),
        "Error" => read_error(val).map(ToClient::Error),
        "ActionResponse" => Ok(ToClient::ActionResponse {
            id: read_u64(field(val, "id")?).ok_or("`id` is not an unsigned integer")?,
            output: compat::revive(val.get("output").cloned().unwrap_or(Value::Null))?,
        }),
        "Event" => Ok(ToClient::Event(Arc::new(EventBody {
            name: string_field(val, "name")?,
            args: args_list(compat::revive(field(val, "args")?.clone())?)?,
        }))),
        other => Err(format!("unknown message tag `{other}`")),
    }
}

/// Decodes an HTTP error body (the Rust client's side).
pub(crate) fn decode_http_error(bytes: &[u8]) -> Result<ErrorBody, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    read_error(&value)
}

/// Decodes an HTTP action response `{"output":…}` (the Rust client's side).
pub(crate) fn decode_http_output(bytes: &[u8]) -> Result<Value, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
    compat::revive(value.get("output").cloned().unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_matches_the_captured_frame() {
        let init = ToClient::Init {
            actor_id: "a1".into(),
            connection_id: "c1".into(),
        };
        assert_eq!(
            encode_to_client(&init),
            r#"{"body":{"tag":"Init","val":{"actorId":"a1","connectionId":"c1"}}}"#
        );
    }

    #[test]
    fn connection_errors_carry_a_null_action_id() {
        let error = ErrorBody {
            group: "user".into(),
            code: "forbidden".into(),
            message: "bad token".into(),
            metadata: Some(json!({"why": "token"})),
            action_id: None,
        };
        let text = encode_to_client(&ToClient::Error(error.clone()));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"body":{"tag":"Error","val":{"group":"user","code":"forbidden",
                "message":"bad token","metadata":{"why":"token"},"actionId":null}}})
        );
        assert_eq!(
            decode_to_client(text.as_bytes()).unwrap(),
            ToClient::Error(error)
        );
    }

    #[test]
    fn action_requests_accept_both_id_forms() {
        let captured = r#"{"body":{"tag":"ActionRequest","val":{"id":["$BigInt","1"],"name":"post","args":["hello from alice"]}}}"#;
        let plain = r#"{"body":{"tag":"ActionRequest","val":{"id":1,"name":"post","args":["hello from alice"]}}}"#;
        let expected = ToServer::ActionRequest {
            id: 1,
            name: "post".into(),
            args: vec![json!("hello from alice")],
        };
        assert_eq!(decode_to_server(captured.as_bytes()).unwrap(), expected);
        assert_eq!(decode_to_server(plain.as_bytes()).unwrap(), expected);
        assert_eq!(
            decode_to_server(encode_to_server(&expected).as_bytes()).unwrap(),
            expected
        );
    }

    #[test]
    fn responses_write_ids_as_big_ints() {
        let text = encode_to_client(&ToClient::ActionResponse {
            id: 1,
            output: json!(1),
        });
        assert_eq!(
            text,
            r#"{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","1"],"output":1}}}"#
        );
    }

    #[test]
    fn malformed_messages_are_refused() {
        for bad in [
            "not json",
            "{}",
            r#"{"body":{"tag":"Nope","val":{}}}"#,
            r#"{"body":{"tag":"ActionRequest","val":{"name":"x","args":[]}}}"#,
            r#"{"body":{"tag":"SubscriptionRequest","val":{"eventName":"x"}}}"#,
        ] {
            assert!(decode_to_server(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
