//! One client connection, as the actor sees it.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::protocol::ToClient;
use crate::protocol::message::EventBody;
use crate::runtime::ConnLink;
use crate::{Actor, Error};

/// The id of a connection: a UUID, unique for every new connection.
///
/// ```
/// # use rivet_core::prelude::*;
/// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Room {}
/// #[actor]
/// impl Room {
///     #[action]
///     fn whoami(&self, ctx: &Ctx<Self>) -> String {
///         ctx.conn().id().to_string()
///     }
/// }
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(Arc<str>);

impl ConnId {
    pub(crate) fn new() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn shared(&self) -> Arc<str> {
        self.0.clone()
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::borrow::Borrow<str> for ConnId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ConnId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One joined connection: its id, params and state, and the way to reach its client.
///
/// Reach connections through the context: [`Ctx::conn`](crate::Ctx::conn) for the caller, [`Ctx::conns`](crate::Ctx::conns) for all.
///
/// ```
/// # use rivet_core::prelude::*;
/// # #[derive(Deserialize)] struct Params { user: String }
/// # #[derive(Clone)] struct Member { user: String }
/// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Room {}
/// #[actor]
/// impl Room {
/// #   fn create_conn_state(&self, _ctx: &Ctx<Self>, p: &Params) -> Member {
/// #       Member { user: p.user.clone() }
/// #   }
///     /// Sends `text` to every connection of `user`, whether it subscribed or not.
///     #[action]
///     fn whisper(&self, ctx: &Ctx<Self>, user: String, text: String) -> Result<usize, Error> {
///         let mut sent = 0;
///         for conn in ctx.conns().filter(|c| c.state().user == user) {
///             conn.send("whisper", &text)?;
///             sent += 1;
///         }
///         Ok(sent)
///     }
/// }
/// ```
pub struct Conn<A: Actor> {
    pub(crate) id: ConnId,
    pub(crate) params: A::ConnParams,
    pub(crate) state: A::ConnState,
    pub(crate) link: ConnLink,
    pub(crate) subscriptions: HashSet<String>,
}

impl<A: Actor> Conn<A> {
    /// The connection's id.
    pub fn id(&self) -> &ConnId {
        &self.id
    }

    /// The params the client connected with.
    pub fn params(&self) -> &A::ConnParams {
        &self.params
    }

    /// Sends event `name` with `payload` to this connection, whether it subscribed or not.
    ///
    /// A connection that went away is skipped silently; only a payload that cannot be
    /// serialized is an error.
    pub fn send(&self, name: &str, payload: &impl Serialize) -> Result<(), Error> {
        let event = EventBody::with_payload(name, payload)?;
        self.link.send(ToClient::Event(Arc::new(event)));
        Ok(())
    }

    /// Closes the connection with code 1000 and `reason` (verbatim), and resolves once the close
    /// handshake is done or the close timeout passed.
    ///
    /// The connection leaves [`Ctx::conns`](crate::Ctx::conns) at once; its `on_disconnect` runs right after the
    /// current hook or action returns. An action in flight on it gets no response. Calling it
    /// twice, or on a connection that is already gone, is harmless.
    pub fn disconnect(
        &self,
        reason: impl Into<String>,
    ) -> impl Future<Output = ()> + Send + 'static {
        self.link.request_close(1000, reason.into(), true);
        self.link.closed()
    }

    /// Whether the connection is on its way out: it does not count in [`Ctx::conns`](crate::Ctx::conns) any more.
    pub fn is_closing(&self) -> bool {
        self.link.is_closing()
    }
}

impl<A: Actor> Conn<A> {
    /// The connection's state.
    ///
    /// Only actors that declare connection state have it: calling this on one that does not is a
    /// compile error.
    pub fn state(&self) -> &A::ConnState
    where
        A::ConnStateKind: crate::__private::HasConnState,
    {
        &self.state
    }

    /// The connection's state, to change it.
    pub fn state_mut(&mut self) -> &mut A::ConnState
    where
        A::ConnStateKind: crate::__private::HasConnState,
    {
        &mut self.state
    }
}

impl<A: Actor> fmt::Debug for Conn<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Params and state stay out: they may carry credentials.
        f.debug_struct("Conn")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
