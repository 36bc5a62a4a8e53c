//! The manager routes: `/metadata`, `/health` and `/actors`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ServerState;
use super::reply::{failure, rejected};
use crate::RuntimeError;
use crate::protocol::key;
use crate::runtime::InstanceEntry;
use crate::runtime::directory::Lookup;

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub(super) async fn metadata() -> Json<Value> {
    Json(json!({ "runtime": "rivet", "version": VERSION }))
}

pub(super) async fn health() -> Json<Value> {
    Json(json!({ "runtime": "rivet", "status": "ok", "version": VERSION }))
}

/// An instance as the official client reads it.
fn resource(entry: &InstanceEntry) -> Value {
    json!({
        "actor_id": &*entry.id,
        "name": entry.name,
        "key": key::serialize(&entry.key),
        "namespace_id": "default",
        "runner_name_selector": "default",
        "crash_policy": "sleep",
        "create_ts": entry.create_ts,
        "start_ts": entry.create_ts,
        "connectable_ts": entry.create_ts,
    })
}

/// `GET /actors?name=&key=` or `GET /actors?actor_ids=a,b`: the instances found, maybe none.
pub(super) async fn list(
    State(state): State<Arc<ServerState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut actors = Vec::new();
    if let Some(ids) = query.get("actor_ids") {
        for id in ids.split(',').filter(|id| !id.is_empty()) {
            if let Ok(entry) = state.directory.by_id(id) {
                actors.push(resource(&entry));
            }
        }
    } else if let Some(name) = query.get("name") {
        let key = key::deserialize(query.get("key").map_or("/", String::as_str));
        match state.directory.lookup(name, key, Lookup::Get) {
            Ok((entry, _)) => actors.push(resource(&entry)),
            Err(RuntimeError::ActorNotFound) => {}
            Err(error) => return failure(error),
        }
    } else {
        return failure(RuntimeError::InvalidRequest(
            "expected `name` or `actor_ids`".into(),
        ));
    }
    Json(json!({ "actors": actors })).into_response()
}

/// The body of `PUT` and `POST /actors`; the other fields the client sends are ignored.
#[derive(Deserialize)]
pub(super) struct ActorRequest {
    name: String,
    #[serde(default)]
    key: Option<String>,
}

fn lookup(
    state: &ServerState,
    request: ActorRequest,
    mode: Lookup,
) -> Result<(Arc<InstanceEntry>, bool), RuntimeError> {
    let key = key::deserialize(request.key.as_deref().unwrap_or("/"));
    state.directory.lookup(&request.name, key, mode)
}

/// `PUT /actors`: get or create by key.
pub(super) async fn get_or_create(
    State(state): State<Arc<ServerState>>,
    request: Result<Json<ActorRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection),
    };
    match lookup(&state, request, Lookup::GetOrCreate) {
        Ok((entry, created)) => {
            Json(json!({ "actor": resource(&entry), "created": created })).into_response()
        }
        Err(error) => failure(error),
    }
}

/// `POST /actors`: create; a taken key is `actor.already_exists`.
pub(super) async fn create(
    State(state): State<Arc<ServerState>>,
    request: Result<Json<ActorRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection),
    };
    match lookup(&state, request, Lookup::Create) {
        Ok((entry, _)) => Json(json!({ "actor": resource(&entry) })).into_response(),
        Err(error) => failure(error),
    }
}
