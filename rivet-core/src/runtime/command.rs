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
pub(crate) enum Command {
    /// A new connection: run the connect hooks, then join it.
    Connect { link: ConnLink, params: Json },
    /// An action called over a connection.
    Action {
        conn: ConnId,
        id: u64,
        name: String,
        args: Vec<Value>,
        /// Counted against the connection's limit until the action is done.
        pending: Pending,
    },
    /// A connection subscribes to or unsubscribes from an event name.
    Subscribe {
        conn: ConnId,
        event: String,
        subscribe: bool,
        /// Counted against the connection's limit until it is applied.
        pending: Pending,
    },
    /// A connection's transport is gone.
    Closed { conn: ConnId },
    /// A stateless HTTP action: a short-lived connection around one action.
    HttpAction {
        params: Json,
        name: String,
        args: Vec<Value>,
        reply: oneshot::Sender<Result<Value, Error>>,
    },
    /// Answers once everything queued before it is handled.
    Barrier(oneshot::Sender<()>),
    /// A closure from an [`crate::ActorRef`], typed for the actor's own type.
    Exec(Box<dyn Any + Send>),
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Params and arguments stay out: they may carry credentials.
        match self {
            Self::Connect { link, .. } => write!(f, "Connect({})", link.id()),
            Self::Action { conn, name, .. } => write!(f, "Action({conn}, {name})"),
            Self::Subscribe {
                conn,
                event,
                subscribe,
                ..
            } => {
                write!(f, "Subscribe({conn}, {event}, {subscribe})")
            }
            Self::Closed { conn } => write!(f, "Closed({conn})"),
            Self::HttpAction { name, .. } => write!(f, "HttpAction({name})"),
            Self::Barrier(_) => f.write_str("Barrier"),
            Self::Exec(_) => f.write_str("Exec"),
        }
    }
}
