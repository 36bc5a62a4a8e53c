//! What can go wrong on the client.

use serde_json::Value;

use super::CloseInfo;
use crate::protocol::ErrorBody;

/// The error of every client call.
///
/// Errors the actor returns (an action's `Err(Error::user(…))`, a rejected connection, an unknown
/// action) are [`ClientError::Actor`]; everything else is about the transport or the data.
///
/// ```no_run
/// use rivet_core::Actor;
/// use rivet_core::client::{ActorHandle, ClientError};
///
/// # #[allow(dead_code)] // only compiled
/// async fn try_join<A: Actor>(room: &ActorHandle<A>) {
///     match room.action_raw("join", vec![]).await {
///         Ok(answer) => println!("joined: {answer}"),
///         Err(error) if error.code() == Some("forbidden") => println!("not allowed"),
///         Err(ClientError::Closed(info)) => println!("closed with {}", info.code),
///         Err(other) => println!("failed: {other}"),
///     }
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The actor (or the server on its behalf) answered with an error.
    #[error("{group}.{code}: {message}")]
    Actor {
        /// The error's group: `user` for errors of user code, `actor` for the runtime's, …
        group: String,
        /// The error's code within its group, such as `forbidden` or `not_found`.
        code: String,
        /// The human-readable message.
        message: String,
        /// Structured details the actor attached, if any.
        metadata: Option<Value>,
    },
    /// The connection closed before the call got an answer.
    #[error("connection closed (code {}): {}", .0.code, .0.reason)]
    Closed(CloseInfo),
    /// A value (an argument or the connection params) could not be encoded.
    #[error("could not encode a value: {0}")]
    Encode(#[source] serde_json::Error),
    /// A response could not be decoded into the expected type, or broke the protocol.
    #[error("could not decode a response: {0}")]
    Decode(String),
    /// An HTTP request failed in transport, or got an answer that is not a protocol error.
    #[error("http request failed: {0}")]
    Http(String),
    /// The WebSocket failed in transport.
    #[error("websocket failed: {0}")]
    WebSocket(String),
}

impl ClientError {
    /// The code of an [`Actor`](ClientError::Actor) error, such as `forbidden`.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Actor { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The group of an [`Actor`](ClientError::Actor) error, such as `user`.
    pub fn group(&self) -> Option<&str> {
        match self {
            Self::Actor { group, .. } => Some(group),
            _ => None,
        }
    }

    /// The metadata of an [`Actor`](ClientError::Actor) error, when it has some.
    pub fn metadata(&self) -> Option<&Value> {
        match self {
            Self::Actor { metadata, .. } => metadata.as_ref(),
            _ => None,
        }
    }

    /// An actor error from a protocol error body.
    pub(super) fn from_body(body: ErrorBody) -> Self {
        Self::Actor {
            group: body.group,
            code: body.code,
            message: body.message,
            metadata: body.metadata,
        }
    }

    /// `actor.not_found`, as the server words it.
    pub(super) fn not_found() -> Self {
        Self::Actor {
            group: "actor".into(),
            code: "not_found".into(),
            message: "The actor does not exist or was destroyed.".into(),
            metadata: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn actor_errors_show_group_code_and_message() {
        let error = ClientError::Actor {
            group: "user".into(),
            code: "forbidden".into(),
            message: "bad token".into(),
            metadata: Some(json!({"why": "token"})),
        };
        assert_eq!(error.to_string(), "user.forbidden: bad token");
        assert_eq!(error.group(), Some("user"));
        assert_eq!(error.code(), Some("forbidden"));
        assert_eq!(error.metadata(), Some(&json!({"why": "token"})));
    }

    #[test]
    fn closes_show_their_code_and_reason() {
        let error = ClientError::Closed(CloseInfo {
            code: 1000,
            reason: "banned".into(),
        });
        assert_eq!(error.to_string(), "connection closed (code 1000): banned");
        assert_eq!(error.code(), None);
        assert_eq!(error.group(), None);
    }
}
