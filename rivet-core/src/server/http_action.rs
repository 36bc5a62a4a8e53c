//! Stateless HTTP actions: `POST /gateway/{target}/action/{name}`, each one a short-lived
//! connection around one action.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::oneshot;

use super::ServerState;
use super::gateway::resolve;
use super::reply::{error_response, failure, rejected};
use crate::protocol::message::ActorSpecifier;
use crate::protocol::{Encoding, key};
use crate::runtime::InstanceEntry;
use crate::runtime::{Command, HttpCall};
use crate::{Error, RuntimeError};

pub(super) async fn action(
    State(state): State<Arc<ServerState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Path((target, action)) = match path {
        Ok(path) => path,
        Err(rejection) => return rejected(rejection),
    };
    let encoding = match Encoding::from_name(header_str(&headers, "x-rivet-encoding")) {
        Ok(encoding) => encoding,
        Err(error) => return failure(error),
    };
    match run(&state, &target, action, &query, &headers, body, encoding).await {
        Ok(body) => {
            let mut response = body.into_response();
            let content_type = HeaderValue::from_static(encoding.content_type());
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
            response
        }
        Err(Failure { error, actor }) => error_response(&error, actor, encoding),
    }
}

/// Why a request failed, and which actor answered when one did.
struct Failure {
    error: Error,
    actor: Option<ActorSpecifier>,
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self {
            error: error.into(),
            actor: None,
        }
    }
}

fn specifier(entry: &InstanceEntry) -> ActorSpecifier {
    ActorSpecifier {
        actor_id: entry.id.clone(),
        generation: 1,
        key: Some(key::serialize(&entry.key)),
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn run(
    state: &ServerState,
    target: &str,
    action: String,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Body,
    encoding: Encoding,
) -> Result<Vec<u8>, Failure> {
    let limits = &state.limits;
    let params = match header_str(headers, "x-rivet-conn-params") {
        None => Value::Null,
        Some(text) => serde_json::from_str(text)
            .map_err(|_| RuntimeError::InvalidParams("they are not JSON".into()))?,
    };
    let bytes = axum::body::to_bytes(body, limits.max_incoming_message_size)
        .await
        .map_err(|_| RuntimeError::IncomingTooLong)?;
    let args = encoding
        .decode_http_args(&bytes)
        .map_err(RuntimeError::InvalidRequest)?;
    let entry = resolve(state, target, query)?;
    let (reply, answer) = oneshot::channel();
    entry
        .mailbox
        .send(Command::HttpAction(Box::new(HttpCall {
            params,
            name: action,
            args,
            reply,
        })))
        .map_err(|_| RuntimeError::ActorStopped)?;
    let answered = answer.await.map_err(|_| RuntimeError::ActorStopped)?;
    let body = answered
        .map(|output| encoding.encode_http_output(output))
        .and_then(|body| {
            if body.len() > limits.max_outgoing_message_size {
                Err(RuntimeError::OutgoingTooLong.into())
            } else {
                Ok(body)
            }
        });
    body.map_err(|error| Failure {
        error,
        actor: Some(specifier(&entry)),
    })
}
