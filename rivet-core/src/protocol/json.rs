//! The JSON encoding: `{"body":{"tag":…,"val":{…}}}` in text frames, ids as `["$BigInt","n"]`,
//! user values in the tagged convention.

use std::sync::Arc;

use serde_json::{Map, Value as Json, json};

use super::compat::{self, Target};
use super::message::{ErrorBody, EventBody, ToClient, ToServer};
use super::value::{self, Value};

/// A user value as JSON: tagged, then converted.
fn out(value: Value) -> Json {
    value::to_json(compat::escape(value, Target::Tagged))
}

/// A user value from JSON: converted, then revived.
fn read(json: Json) -> Result<Value, String> {
    compat::revive(value::from_json(json))
}

/// A u64 the way the official client expects it: `["$BigInt","n"]`.
fn big_int(n: u64) -> Json {
    json!(["$BigInt", n.to_string()])
}

/// Reads a u64 sent either as `["$BigInt","n"]` or as a plain number.
fn read_u64(value: &Json) -> Option<u64> {
    match value {
        Json::Number(n) => n.as_u64(),
        Json::Array(items) => match items.as_slice() {
            [Json::String(tag), Json::String(digits)] if tag == "$BigInt" => digits.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn parse(bytes: &[u8]) -> Result<Json, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))
}

fn envelope(tag: &str, val: Json) -> String {
    json!({ "body": { "tag": tag, "val": val } }).to_string()
}

fn error_fields(error: &ErrorBody) -> Map<String, Json> {
    let mut val = Map::new();
    if let Some(actor) = &error.actor {
        let mut spec = Map::new();
        spec.insert("actorId".into(), Json::String(actor.actor_id.to_string()));
        spec.insert("generation".into(), actor.generation.into());
        if let Some(key) = &actor.key {
            spec.insert("key".into(), Json::String(key.clone()));
        }
        val.insert("actor".into(), Json::Object(spec));
    }
    val.insert("group".into(), Json::String(error.group.clone()));
    val.insert("code".into(), Json::String(error.code.clone()));
    val.insert("message".into(), Json::String(error.message.clone()));
    if let Some(metadata) = &error.metadata {
        val.insert("metadata".into(), out(value::from_json(metadata.clone())));
    }
    val
}

/// Actions take a list; a lone value is one argument, as the official server does.
fn args_list(args: Value) -> Vec<Value> {
    match args {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn body(value: &Json) -> Result<(&str, &Json), String> {
    let body = value.get("body").ok_or("missing `body`")?;
    let tag = body
        .get("tag")
        .and_then(Json::as_str)
        .ok_or("missing `body.tag`")?;
    let val = body.get("val").ok_or("missing `body.val`")?;
    Ok((tag, val))
}

fn field<'a>(val: &'a Json, name: &str) -> Result<&'a Json, String> {
    val.get(name).ok_or_else(|| format!("missing `{name}`"))
}

fn string_field(val: &Json, name: &str) -> Result<String, String> {
    field(val, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("`{name}` is not a string"))
}

fn id_field(val: &Json, name: &str) -> Result<u64, String> {
    read_u64(field(val, name)?).ok_or_else(|| format!("`{name}` is not an unsigned integer"))
}

/// Encodes a server message as JSON text.
pub(crate) fn encode_to_client(message: &ToClient) -> String {
    match message {
        ToClient::Init {
            actor_id,
            connection_id,
        } => envelope(
            "Init",
            json!({ "actorId": &**actor_id, "connectionId": &**connection_id }),
        ),
        ToClient::Error(error) => {
            let mut val = error_fields(error);
            // Present even when null: the client's schema requires the field.
            val.insert(
                "actionId".into(),
                error.action_id.map_or(Json::Null, big_int),
            );
            envelope("Error", Json::Object(val))
        }
        ToClient::ActionResponse { id, output } => envelope(
            "ActionResponse",
            json!({ "id": big_int(*id), "output": out(output.clone()) }),
        ),
        ToClient::Event(event) => envelope(
            "Event",
            json!({ "name": event.name, "args": out(Value::Array(event.args.clone())) }),
        ),
    }
}

/// Decodes a client message; the error says what was wrong, without echoing values.
pub(crate) fn decode_to_server(bytes: &[u8]) -> Result<ToServer, String> {
    let value = parse(bytes)?;
    let (tag, val) = body(&value)?;
    match tag {
        "ActionRequest" => Ok(ToServer::ActionRequest {
            id: id_field(val, "id")?,
            name: string_field(val, "name")?,
            args: args_list(read(val.get("args").cloned().unwrap_or(Json::Null))?),
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
    match message {
        ToServer::ActionRequest { id, name, args } => envelope(
            "ActionRequest",
            json!({ "id": big_int(*id), "name": name, "args": out(Value::Array(args.clone())) }),
        ),
        ToServer::SubscriptionRequest {
            event_name,
            subscribe,
        } => envelope(
            "SubscriptionRequest",
            json!({ "eventName": event_name, "subscribe": subscribe }),
        ),
    }
}

fn read_error(val: &Json) -> Result<ErrorBody, String> {
    let action_id = match val.get("actionId") {
        None | Some(Json::Null) => None,
        Some(_) => Some(id_field(val, "actionId")?),
    };
    Ok(ErrorBody {
        group: string_field(val, "group")?,
        code: string_field(val, "code")?,
        message: string_field(val, "message")?,
        metadata: match val.get("metadata") {
            None | Some(Json::Null) => None,
            Some(metadata) => Some(value::to_json(read(metadata.clone())?)),
        },
        action_id,
        actor: None,
    })
}

/// Decodes a server message (the Rust client's side).
pub(crate) fn decode_to_client(bytes: &[u8]) -> Result<ToClient, String> {
    let value = parse(bytes)?;
    let (tag, val) = body(&value)?;
    match tag {
        "Init" => Ok(ToClient::Init {
            actor_id: string_field(val, "actorId")?.into(),
            connection_id: string_field(val, "connectionId")?.into(),
        }),
        "Error" => read_error(val).map(ToClient::from),
        "ActionResponse" => Ok(ToClient::ActionResponse {
            id: id_field(val, "id")?,
            output: read(val.get("output").cloned().unwrap_or(Json::Null))?,
        }),
        "Event" => Ok(ToClient::Event(Arc::new(EventBody::new(
            string_field(val, "name")?,
            args_list(read(field(val, "args")?.clone())?),
        )))),
        other => Err(format!("unknown message tag `{other}`")),
    }
}

/// Decodes an HTTP action request body `{"args":[…]}`.
pub(crate) fn decode_http_args(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let value = parse(bytes)?;
    let args = value.get("args").cloned().ok_or("missing `args`")?;
    Ok(args_list(read(args)?))
}

/// Encodes an HTTP action request body (the Rust client's side).
pub(crate) fn encode_http_args(args: Vec<Value>) -> String {
    json!({ "args": out(Value::Array(args)) }).to_string()
}

/// Encodes an HTTP action's output: `{"output":…}`.
pub(crate) fn encode_http_output(output: Value) -> String {
    json!({ "output": out(output) }).to_string()
}

/// Decodes an HTTP action response `{"output":…}` (the Rust client's side).
pub(crate) fn decode_http_output(bytes: &[u8]) -> Result<Value, String> {
    read(parse(bytes)?.get("output").cloned().unwrap_or(Json::Null))
}

/// Encodes an HTTP error body: `{"group","code","message","metadata"?}`.
pub(crate) fn encode_http_error(error: &ErrorBody) -> String {
    Json::Object(error_fields(error)).to_string()
}

/// Decodes an HTTP error body (the Rust client's side).
pub(crate) fn decode_http_error(bytes: &[u8]) -> Result<ErrorBody, String> {
    read_error(&parse(bytes)?)
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
            actor: None,
        };
        let text = encode_to_client(&ToClient::from(error.clone()));
        let value: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"body":{"tag":"Error","val":{"group":"user","code":"forbidden",
                "message":"bad token","metadata":{"why":"token"},"actionId":null}}})
        );
        assert_eq!(
            decode_to_client(text.as_bytes()).unwrap(),
            ToClient::from(error)
        );
    }

    #[test]
    fn action_requests_accept_both_id_forms() {
        let captured = r#"{"body":{"tag":"ActionRequest","val":{"id":["$BigInt","1"],"name":"post","args":["hello from alice"]}}}"#;
        let plain = r#"{"body":{"tag":"ActionRequest","val":{"id":1,"name":"post","args":["hello from alice"]}}}"#;
        let expected = ToServer::ActionRequest {
            id: 1,
            name: "post".into(),
            args: vec![Value::Text("hello from alice".into())],
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
            output: Value::Integer(1.into()),
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
            r#"{"body":{"tag":"ActionRequest","val":{"id":1,"name":"x","args":[["$Nope",1]]}}}"#,
        ] {
            assert!(decode_to_server(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
