//! The CBOR encoding: the same `{body: {tag, val}}` maps as JSON, as CBOR, with ids as 8-byte
//! integers and values carried natively.

use std::sync::Arc;

use super::cbor::{self, write_map_head, write_null, write_text, write_u64_wide, write_value};
use super::compat::{self, Target};
use super::message::{ErrorBody, EventBody, ToClient, ToServer};
use super::value::{self, BIGNUM_POSITIVE, Value};

fn envelope(out: &mut Vec<u8>, tag: &str, fields: usize) {
    write_map_head(out, 1);
    write_text(out, "body");
    write_map_head(out, 2);
    write_text(out, "tag");
    write_text(out, tag);
    write_text(out, "val");
    write_map_head(out, fields);
}

fn field(out: &mut Vec<u8>, name: &str, value: Value) {
    write_text(out, name);
    write_value(out, &compat::escape(value, Target::Cbor));
}

/// How many fields [`error_fields`] writes.
fn error_field_count(error: &ErrorBody) -> usize {
    3 + usize::from(error.metadata.is_some()) + usize::from(error.actor.is_some())
}

fn error_fields(out: &mut Vec<u8>, error: &ErrorBody) {
    if let Some(actor) = &error.actor {
        let mut spec = vec![
            (
                Value::Text("actorId".into()),
                Value::Text(actor.actor_id.to_string()),
            ),
            (
                Value::Text("generation".into()),
                Value::Integer(actor.generation.into()),
            ),
        ];
        if let Some(key) = &actor.key {
            spec.push((Value::Text("key".into()), Value::Text(key.clone())));
        }
        field(out, "actor", Value::Map(spec));
    }
    field(out, "group", Value::Text(error.group.clone()));
    field(out, "code", Value::Text(error.code.clone()));
    field(out, "message", Value::Text(error.message.clone()));
    if let Some(metadata) = &error.metadata {
        field(out, "metadata", value::from_json(metadata.clone()));
    }
}

pub(crate) fn encode_to_client(message: &ToClient) -> Vec<u8> {
    let mut out = Vec::new();
    match message {
        ToClient::Init {
            actor_id,
            connection_id,
        } => {
            envelope(&mut out, "Init", 2);
            field(&mut out, "actorId", Value::Text(actor_id.to_string()));
            field(
                &mut out,
                "connectionId",
                Value::Text(connection_id.to_string()),
            );
        }
        ToClient::Error(error) => {
            envelope(&mut out, "Error", error_field_count(error) + 1);
            error_fields(&mut out, error);
            write_text(&mut out, "actionId");
            match error.action_id {
                Some(id) => write_u64_wide(&mut out, id),
                None => write_null(&mut out),
            }
        }
        ToClient::ActionResponse { id, output } => {
            envelope(&mut out, "ActionResponse", 2);
            write_text(&mut out, "id");
            write_u64_wide(&mut out, *id);
            field(&mut out, "output", output.clone());
        }
        ToClient::Event(event) => {
            envelope(&mut out, "Event", 2);
            field(&mut out, "name", Value::Text(event.name.clone()));
            field(&mut out, "args", Value::Array(event.args.clone()));
        }
    }
    out
}

/// The entry of a text-keyed map.
fn get<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    let Value::Map(entries) = map else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
        .map(|(_, v)| v)
}

fn need<'a>(map: &'a Value, key: &str) -> Result<&'a Value, String> {
    get(map, key).ok_or_else(|| format!("missing `{key}`"))
}

fn text(map: &Value, key: &str) -> Result<String, String> {
    match need(map, key)? {
        Value::Text(text) => Ok(text.clone()),
        _ => Err(format!("`{key}` is not a string")),
    }
}

fn id(map: &Value, key: &str) -> Result<u64, String> {
    let not_an_id = || format!("`{key}` is not an unsigned integer");
    match need(map, key)? {
        Value::Integer(i) => u64::try_from(*i).map_err(|_| not_an_id()),
        // Ids come in the 8-byte form, which reads as a positive bignum.
        Value::Tag(BIGNUM_POSITIVE, inner) => match &**inner {
            Value::Bytes(bytes) if bytes.len() <= 8 => {
                Ok(bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
            }
            _ => Err(not_an_id()),
        },
        _ => Err(not_an_id()),
    }
}

fn args(value: Option<&Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

fn body(bytes: &[u8]) -> Result<(String, Value), String> {
    let root = cbor::from_bytes(bytes)?;
    let body = need(&root, "body")?;
    let tag = text(body, "tag")?;
    let val = need(body, "val")?.clone();
    Ok((tag, val))
}

pub(crate) fn decode_to_server(bytes: &[u8]) -> Result<ToServer, String> {
    let (tag, val) = body(bytes)?;
    match tag.as_str() {
        "ActionRequest" => Ok(ToServer::ActionRequest {
            id: id(&val, "id")?,
            name: text(&val, "name")?,
            args: args(get(&val, "args")),
        }),
        "SubscriptionRequest" => Ok(ToServer::SubscriptionRequest {
            event_name: text(&val, "eventName")?,
            subscribe: match need(&val, "subscribe")? {
                Value::Bool(b) => *b,
                _ => return Err("`subscribe` is not a boolean".into()),
            },
        }),
        other => Err(format!("unknown message tag `{other}`")),
    }
}

pub(crate) fn encode_to_server(message: &ToServer) -> Vec<u8> {
    let mut out = Vec::new();
    match message {
        ToServer::ActionRequest { id, name, args } => {
            envelope(&mut out, "ActionRequest", 3);
            write_text(&mut out, "id");
            write_u64_wide(&mut out, *id);
            field(&mut out, "name", Value::Text(name.clone()));
            // Like the official client: arguments go as they are, without the tagged convention,
            // and the server reads them so.
            write_text(&mut out, "args");
            write_value(&mut out, &Value::Array(args.clone()));
        }
        ToServer::SubscriptionRequest {
            event_name,
            subscribe,
        } => {
            envelope(&mut out, "SubscriptionRequest", 2);
            field(&mut out, "eventName", Value::Text(event_name.clone()));
            field(&mut out, "subscribe", Value::Bool(*subscribe));
        }
    }
    out
}

fn read_error(val: &Value) -> Result<ErrorBody, String> {
    Ok(ErrorBody {
        group: text(val, "group")?,
        code: text(val, "code")?,
        message: text(val, "message")?,
        metadata: match get(val, "metadata") {
            None | Some(Value::Null) => None,
            Some(metadata) => Some(value::to_json(compat::revive(metadata.clone())?)),
        },
        action_id: match get(val, "actionId") {
            None | Some(Value::Null) => None,
            Some(_) => Some(id(val, "actionId")?),
        },
        actor: None,
    })
}

pub(crate) fn decode_to_client(bytes: &[u8]) -> Result<ToClient, String> {
    let (tag, val) = body(bytes)?;
    match tag.as_str() {
        "Init" => Ok(ToClient::Init {
            actor_id: text(&val, "actorId")?.into(),
            connection_id: text(&val, "connectionId")?.into(),
        }),
        "Error" => read_error(&val).map(ToClient::from),
        "ActionResponse" => Ok(ToClient::ActionResponse {
            id: id(&val, "id")?,
            output: compat::revive(get(&val, "output").cloned().unwrap_or(Value::Null))?,
        }),
        "Event" => {
            // The whole list was escaped as one value, so it is revived as one.
            let revived = compat::revive(Value::Array(args(get(&val, "args"))))?;
            Ok(ToClient::Event(Arc::new(EventBody::new(
                text(&val, "name")?,
                args(Some(&revived)),
            ))))
        }
        other => Err(format!("unknown message tag `{other}`")),
    }
}

pub(crate) fn decode_http_args(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let root = cbor::from_bytes(bytes)?;
    Ok(args(Some(need(&root, "args")?)))
}

pub(crate) fn encode_http_args(args: Vec<Value>) -> Vec<u8> {
    // As in socket requests, arguments go without the tagged convention.
    let mut out = Vec::new();
    write_map_head(&mut out, 1);
    write_text(&mut out, "args");
    write_value(&mut out, &Value::Array(args));
    out
}

pub(crate) fn encode_http_output(output: Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_map_head(&mut out, 1);
    field(&mut out, "output", output);
    out
}

pub(crate) fn decode_http_output(bytes: &[u8]) -> Result<Value, String> {
    let root = cbor::from_bytes(bytes)?;
    compat::revive(get(&root, "output").cloned().unwrap_or(Value::Null))
}

pub(crate) fn encode_http_error(error: &ErrorBody) -> Vec<u8> {
    let mut out = Vec::new();
    write_map_head(&mut out, error_field_count(error));
    error_fields(&mut out, error);
    out
}

pub(crate) fn decode_http_error(bytes: &[u8]) -> Result<ErrorBody, String> {
    read_error(&cbor::from_bytes(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_matches_the_captured_layout() {
        let init = ToClient::Init {
            actor_id: "a".into(),
            connection_id: "c".into(),
        };
        let mut expected = vec![0xa1, 0x64];
        expected.extend(b"body");
        expected.extend([0xa2, 0x63]);
        expected.extend(b"tag");
        expected.push(0x64);
        expected.extend(b"Init");
        expected.push(0x63);
        expected.extend(b"val");
        expected.extend([0xa2, 0x67]);
        expected.extend(b"actorId");
        expected.extend([0x61, b'a', 0x6c]);
        expected.extend(b"connectionId");
        expected.extend([0x61, b'c']);
        assert_eq!(encode_to_client(&init), expected);
    }

    #[test]
    fn the_captured_action_request_decodes() {
        // b9 0001 "body" b9 0002 "tag" "ActionRequest" "val" b9 0003 "id" 1b 0..0 "name" "whoami" "args" 80
        let mut bytes = vec![0xb9, 0x00, 0x01, 0x64];
        bytes.extend(b"body");
        bytes.extend([0xb9, 0x00, 0x02, 0x63]);
        bytes.extend(b"tag");
        bytes.push(0x6d);
        bytes.extend(b"ActionRequest");
        bytes.push(0x63);
        bytes.extend(b"val");
        bytes.extend([0xb9, 0x00, 0x03, 0x62]);
        bytes.extend(b"id");
        bytes.extend([0x1b, 0, 0, 0, 0, 0, 0, 0, 0, 0x64]);
        bytes.extend(b"name");
        bytes.push(0x66);
        bytes.extend(b"whoami");
        bytes.push(0x64);
        bytes.extend(b"args");
        bytes.push(0x80);
        assert_eq!(
            decode_to_server(&bytes).unwrap(),
            ToServer::ActionRequest {
                id: 0,
                name: "whoami".into(),
                args: vec![]
            }
        );
    }

    #[test]
    fn responses_write_wide_ids_and_round_trip() {
        let response = ToClient::ActionResponse {
            id: 7,
            output: Value::Bytes(vec![1, 2]),
        };
        let bytes = encode_to_client(&response);
        let wide = [0x62, b'i', b'd', 0x1b, 0, 0, 0, 0, 0, 0, 0, 7];
        assert!(bytes.windows(wide.len()).any(|w| w == wide));
        assert_eq!(decode_to_client(&bytes).unwrap(), response);
    }

    #[test]
    fn errors_round_trip_with_a_null_action_id() {
        let error = ErrorBody {
            group: "user".into(),
            code: "my_code".into(),
            message: "user facing failure".into(),
            metadata: Some(serde_json::json!({"a": 1})),
            action_id: None,
            actor: None,
        };
        assert_eq!(
            decode_to_client(&encode_to_client(&ToClient::from(error.clone()))).unwrap(),
            ToClient::from(error)
        );
    }
}
