//! The messages of both directions, independent of their encoding.

use std::sync::Arc;

use std::sync::OnceLock;

use super::encoding::{Encoding, Frame};
use super::value::Value;
use crate::Error;

/// A message from the server to a client.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ToClient {
    /// The first message of every connection.
    Init {
        actor_id: Arc<str>,
        connection_id: Arc<str>,
    },
    /// A failed action (`action_id` set) or a failed connection (`action_id` none). Boxed: errors
    /// are rare, and every connection's outgoing queue holds its slots at this enum's size.
    Error(Box<ErrorBody>),
    /// The result of an action.
    ActionResponse { id: u64, output: Value },
    /// An event; `args` is the listener's argument list.
    Event(Arc<EventBody>),
}

impl From<ErrorBody> for ToClient {
    fn from(body: ErrorBody) -> Self {
        Self::Error(Box::new(body))
    }
}

/// An event, shared by every connection it is sent to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EventBody {
    pub(crate) name: String,
    pub(crate) args: Vec<Value>,
    /// The event encoded once per encoding, for all the connections that speak it.
    pub(crate) encoded: FrameCache,
}

impl EventBody {
    pub(crate) fn new(name: impl Into<String>, args: Vec<Value>) -> Self {
        Self {
            name: name.into(),
            args,
            encoded: FrameCache::default(),
        }
    }

    /// Event `name` carrying one payload: the listener's only argument.
    pub(crate) fn with_payload(name: &str, payload: &impl serde::Serialize) -> Result<Self, Error> {
        let payload = super::value::to_value(payload).map_err(Error::internal)?;
        Ok(Self::new(name, vec![payload]))
    }
}

/// Encoded frames of one message, one slot per encoding, each filled on first use.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameCache([OnceLock<Frame>; 3]);

impl FrameCache {
    /// The frame for `encoding`, encoded by `encode` the first time only.
    pub(crate) fn get_or_encode(
        &self,
        encoding: Encoding,
        encode: impl FnOnce() -> Frame,
    ) -> Frame {
        let slot = match encoding {
            Encoding::Json => 0,
            Encoding::Cbor => 1,
            Encoding::Bare => 2,
        };
        self.0[slot].get_or_init(encode).clone()
    }
}

/// A cache is not part of the value it caches.
impl PartialEq for FrameCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The public face of an [`Error`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ErrorBody {
    pub(crate) group: String,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) metadata: Option<serde_json::Value>,
    pub(crate) action_id: Option<u64>,
    /// The actor that answered, on action errors (not on connection errors).
    pub(crate) actor: Option<ActorSpecifier>,
}

/// Which actor an error comes from, as the official server names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActorSpecifier {
    pub(crate) actor_id: Arc<str>,
    /// Always 1: instances are never restarted yet.
    pub(crate) generation: u64,
    /// The key, serialized.
    pub(crate) key: Option<String>,
}

impl ErrorBody {
    pub(crate) fn new(error: &Error, action_id: Option<u64>) -> Self {
        Self {
            group: error.group().to_owned(),
            code: error.code().to_owned(),
            message: error.message().into_owned(),
            metadata: error.metadata().cloned(),
            action_id,
            actor: None,
        }
    }

    /// The same error, naming the actor that answered.
    pub(crate) fn naming(mut self, actor: ActorSpecifier) -> Self {
        self.actor = Some(actor);
        self
    }
}

/// A message from a client to the server.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ToServer {
    /// Call an action; the answer carries the same id.
    ActionRequest {
        id: u64,
        name: String,
        args: Vec<Value>,
    },
    /// Start or stop receiving broadcasts of one event name.
    SubscriptionRequest { event_name: String, subscribe: bool },
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_message_to_a_client_is_six_words() {
        // Each connection's outgoing queue holds a block of 32 slots of this size.
        assert!(std::mem::size_of::<super::ToClient>() <= 48);
    }
}
