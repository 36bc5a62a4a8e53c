//! What the outside world asks of an actor task.

use std::any::Any;
use std::fmt;

use serde_json::Value as Json;
use tokio::sync::oneshot;

use super::ConnLink;
use super::link::Pending;
use crate::protocol::Value;
use crate::{ConnId, Error};

/// One message in an actor's mailbox. Messages are handled one at a time, in arrival order.
///
/// The large variants are boxed: a mailbox allocates its slots in blocks at the size of this
/// enum, and every idle actor holds one block (see `bench/NOTES.md`).
pub(crate) enum Command {
    /// A new connection: run the connect hooks, then join it.
    Connect(Box<Joining>),
    /// An action called over a connection.
    Action(Box<ActionCall>),
    /// A connection subscribes to or unsubscribes from an event name.
    Subscribe(Box<SubscriptionChange>),
    /// A connection's transport is gone.
    Closed { conn: ConnId },
    /// A stateless HTTP action: a short-lived connection around one action.
    HttpAction(Box<HttpCall>),
    /// Answers once everything queued before it is handled.
    Barrier(oneshot::Sender<()>),
    /// A closure from an [`crate::ActorRef`], typed for the actor's own type.
    Exec(Box<dyn Any + Send>),
}

/// A connection asking to join, with its raw params.
pub(crate) struct Joining {
    pub(crate) link: ConnLink,
    pub(crate) params: Json,
}

/// An action called over a connection.
pub(crate) struct ActionCall {
    pub(crate) conn: ConnId,
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) args: Vec<Value>,
    /// Counted against the connection's limit until the action is done.
    pub(crate) pending: Pending,
}

/// A connection subscribing to or unsubscribing from an event name.
pub(crate) struct SubscriptionChange {
    pub(crate) conn: ConnId,
    pub(crate) event: String,
    pub(crate) subscribe: bool,
    /// Counted against the connection's limit until it is applied.
    pub(crate) pending: Pending,
}

/// A stateless HTTP action and where its result goes.
pub(crate) struct HttpCall {
    pub(crate) params: Json,
    pub(crate) name: String,
    pub(crate) args: Vec<Value>,
    pub(crate) reply: oneshot::Sender<Result<Value, Error>>,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Params and arguments stay out: they may carry credentials.
        match self {
            Self::Connect(joining) => write!(f, "Connect({})", joining.link.id()),
            Self::Action(call) => write!(f, "Action({}, {})", call.conn, call.name),
            Self::Subscribe(change) => {
                let SubscriptionChange {
                    conn,
                    event,
                    subscribe,
                    ..
                } = &**change;
                write!(f, "Subscribe({conn}, {event}, {subscribe})")
            }
            Self::Closed { conn } => write!(f, "Closed({conn})"),
            Self::HttpAction(call) => write!(f, "HttpAction({})", call.name),
            Self::Barrier(_) => f.write_str("Barrier"),
            Self::Exec(_) => f.write_str("Exec"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_three_words() {
        // Each idle actor's mailbox holds a block of 32 slots of this size.
        assert!(std::mem::size_of::<Command>() <= 24);
    }
}
