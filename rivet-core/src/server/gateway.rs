//! Finding the actor a gateway URL names: by name and key (`rvt-method`), or by id.

use std::collections::HashMap;
use std::sync::Arc;

use super::ServerState;
use crate::RuntimeError;
use crate::protocol::key;
use crate::runtime::{InstanceEntry, directory::Lookup};

/// Resolves `/gateway/{target}/…` with its query string.
pub(super) fn resolve(
    state: &ServerState,
    target: &str,
    query: &HashMap<String, String>,
) -> Result<Arc<InstanceEntry>, RuntimeError> {
    match query.get("rvt-method") {
        Some(method) => {
            let mode = match method.as_str() {
                "get" => Lookup::Get,
                "getOrCreate" => Lookup::GetOrCreate,
                other => {
                    return Err(RuntimeError::InvalidRequest(format!(
                        "unknown `rvt-method` `{other}`; expected `get` or `getOrCreate`"
                    )));
                }
            };
            let key = key::from_query(query.get("rvt-key").map(String::as_str));
            state
                .directory
                .lookup(target, key, mode)
                .map(|(entry, _)| entry)
        }
        None => {
            // A direct target is `<actor id>` or `<actor id>@<token>`; tokens are not checked.
            let id = target.split('@').next().unwrap_or(target);
            state.directory.by_id(id)
        }
    }
}
