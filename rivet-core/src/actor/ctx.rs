//! The context every hook and action receives.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::protocol::ToClient;
use crate::protocol::message::EventBody;
use crate::runtime::{ClosingList, Command};
use crate::{Actor, ActorRef, Conn, ConnId, Error};

/// What is known of the running actor instance.
#[derive(Debug)]
pub(crate) struct InstanceInfo {
    pub(crate) id: Arc<str>,
    pub(crate) key: Vec<String>,
}

/// The context of an actor: its identity, its connections, events, and spawned work.
///
/// Every hook and action receives it. Hooks and actions run one at a time on the actor's task,
/// so the context needs no locks.
///
/// ```
/// # use rivet_core::prelude::*;
/// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Room { said: u32 }
/// #[actor]
/// impl Room {
///     #[action]
///     fn say(&mut self, ctx: &Ctx<Self>, text: String) -> Result<usize, Error> {
///         self.said += 1;
///         ctx.broadcast("message", &text)?;
///         Ok(ctx.conns().count())
///     }
/// }
/// ```
pub struct Ctx<A: Actor> {
    info: Arc<InstanceInfo>,
    pub(crate) conns: BTreeMap<ConnId, Conn<A>>,
    /// The connection whose hook or action is running.
    pub(crate) current: Option<ConnId>,
    /// The connection whose `on_disconnect` is running; it has left `conns`.
    pub(crate) leaving: Option<Conn<A>>,
    pub(crate) closing: ClosingList,
    mailbox: mpsc::UnboundedSender<Command>,
    tasks: Mutex<Vec<AbortHandle>>,
}

impl<A: Actor> Ctx<A> {
    pub(crate) fn new(info: Arc<InstanceInfo>, mailbox: mpsc::UnboundedSender<Command>) -> Self {
        Self {
            info,
            conns: BTreeMap::new(),
            current: None,
            leaving: None,
            closing: ClosingList::default(),
            mailbox,
            tasks: Mutex::new(Vec::new()),
        }
    }

    /// The actor type's name, as clients use it.
    pub fn name(&self) -> &'static str {
        A::NAME
    }

    /// The instance's id.
    pub fn actor_id(&self) -> &str {
        &self.info.id
    }

    /// The instance's key.
    pub fn key(&self) -> &[String] {
        &self.info.key
    }

    /// The joined connections, in order of their ids. A connection still in
    /// `on_before_connect` or `create_conn_state` is not among them; one in `on_connect` is.
    pub fn conns(&self) -> impl Iterator<Item = &Conn<A>> + '_ {
        self.conns.values().filter(|conn| !conn.link.is_closing())
    }

    /// The joined connection with this id.
    pub fn conn_by_id(&self, id: &str) -> Option<&Conn<A>> {
        self.conns
            .iter()
            .find(|(key, _)| key.as_str() == id)
            .map(|(_, conn)| conn)
            .filter(|c| !c.link.is_closing())
    }

    /// The connection the running hook or action belongs to: the caller of an action, the
    /// connection joining in `on_connect` or leaving in `on_disconnect`.
    ///
    /// # Panics
    ///
    /// In `on_before_connect` and `create_conn_state`, and in closures run with
    /// [`ActorRef::exec`], where no connection exists yet.
    pub fn conn(&self) -> &Conn<A> {
        self.try_conn()
            .expect("`Ctx::conn` is only available in `on_connect`, `on_disconnect` and actions")
    }

    /// The connection of the running hook or action, to change its state.
    ///
    /// # Panics
    ///
    /// Where [`Ctx::conn`] does.
    pub fn conn_mut(&mut self) -> &mut Conn<A> {
        let current = self.current.clone();
        let conn = match current {
            Some(id) => self.conns.get_mut(&id),
            None => self.leaving.as_mut(),
        };
        conn.expect(
            "`Ctx::conn_mut` is only available in `on_connect`, `on_disconnect` and actions",
        )
    }

    /// The connection of the running hook or action, if there is one.
    pub fn try_conn(&self) -> Option<&Conn<A>> {
        match &self.current {
            Some(id) => self.conns.get(id),
            None => self.leaving.as_ref(),
        }
    }

    /// Sends event `name` with `payload` to every joined connection subscribed to `name`.
    ///
    /// The payload is serialized once. A connection that is gone or does not read never fails
    /// the broadcast nor delays the others.
    pub fn broadcast(&self, name: &str, payload: &impl Serialize) -> Result<(), Error> {
        let event = Arc::new(EventBody::with_payload(name, payload)?);
        for conn in self.conns() {
            if conn.subscriptions.contains(name) {
                conn.link.send(ToClient::Event(event.clone()));
            }
        }
        Ok(())
    }

    /// How errors name this actor.
    pub(crate) fn specifier(&self) -> crate::protocol::message::ActorSpecifier {
        crate::protocol::message::ActorSpecifier {
            actor_id: self.info.id.clone(),
            generation: 1,
            key: Some(crate::protocol::key::serialize(&self.info.key)),
        }
    }

    /// A handle for work spawned off the actor's task to report back with.
    pub fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::new(self.mailbox.clone())
    }

    /// Runs `future` beside the actor, for work that waits on the outside world; it reports back
    /// through [`Ctx::actor_ref`]. The task is aborted when the actor stops.
    pub fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(future).abort_handle();
        let mut tasks = self.tasks.lock().expect("task list lock");
        tasks.retain(|task| !task.is_finished());
        tasks.push(handle);
    }
}

impl<A: Actor> Drop for Ctx<A> {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.get_mut() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
    }
}

impl<A: Actor> fmt::Debug for Ctx<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("name", &A::NAME)
            .field("actor_id", &self.info.id)
            .field("conns", &self.conns.len())
            .finish_non_exhaustive()
    }
}
