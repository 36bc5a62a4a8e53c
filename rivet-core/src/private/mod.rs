//! Support for the code `#[actor]` generates. Not a public API: it changes without notice.

mod checks;

pub use checks::*;
pub use std::sync::OnceLock;
pub use std::vec;
pub use std::vec::Vec;

pub use ciborium::Value;
pub use futures::future::BoxFuture;
pub use serde;
pub use serde_json::Value as JsonValue;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, RuntimeError};

/// Decodes argument `index` of an action; a missing trailing argument decodes from `null`, so
/// `Option` arguments may be left out.
pub fn arg<T: DeserializeOwned>(
    args: &mut std::vec::IntoIter<Value>,
    action: &str,
    name: &str,
) -> Result<T, Error> {
    let value = args.next().unwrap_or(Value::Null);
    crate::protocol::value::decode(value).map_err(|error| {
        RuntimeError::InvalidArguments {
            action: action.to_owned(),
            detail: format!("argument `{name}`: {}", describe(&error)),
        }
        .into()
    })
}

/// Fails when more arguments came than the action takes.
pub fn no_more_args(
    args: std::vec::IntoIter<Value>,
    action: &str,
    expected: usize,
) -> Result<(), Error> {
    let extra = args.len();
    if extra == 0 {
        return Ok(());
    }
    Err(RuntimeError::InvalidArguments {
        action: action.to_owned(),
        detail: format!("expected {expected} argument(s), got {}", expected + extra),
    }
    .into())
}

/// The kind of a decoding failure, without the value that caused it.
#[cold]
fn describe(text: &str) -> String {
    // serde quotes the offending value (`invalid type: string "…", expected u32`): keep only its
    // kind, since arguments may carry secrets.
    let mismatch = text
        .strip_prefix("invalid type: ")
        .or_else(|| text.strip_prefix("invalid value: "));
    match mismatch.and_then(|rest| rest.split_once(", expected ")) {
        Some((found, expected)) => {
            let kind = found.split(' ').next().unwrap_or("value");
            format!("expected {expected}, found {kind}")
        }
        None => text.to_owned(),
    }
}

/// Decodes the connection params once more, for a hook that takes them by value.
pub fn reparse_params<P: DeserializeOwned>(raw: &JsonValue) -> Result<P, Error> {
    serde_json::from_value(raw.clone()).map_err(|_| {
        RuntimeError::InvalidParams("they do not match the shape the actor expects".into()).into()
    })
}

/// Encodes an action's result for the wire.
pub fn output<T: Serialize>(value: &T) -> Result<Value, Error> {
    crate::protocol::value::to_value(value).map_err(Error::internal)
}

/// Encodes an argument of a typed client call.
pub fn client_arg<T: Serialize>(value: &T) -> Result<Value, crate::client::ClientError> {
    crate::protocol::value::to_value(value).map_err(|message| {
        crate::client::ClientError::Encode(<serde_json::Error as serde::ser::Error>::custom(
            message,
        ))
    })
}

/// Boxes a hook or action future.
pub fn boxed<'a, T>(future: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(future)
}
