//! A handle on a running actor, for work spawned off its task.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use tokio::sync::mpsc;

use crate::runtime::Command;
use crate::{Actor, Ctx, RuntimeError};

/// A cloneable handle on a running actor, used by tasks spawned with [`Ctx::spawn`] to report
/// back: the closure runs on the actor's task, one at a time with its hooks and actions.
///
/// ```
/// # use rivet_core::prelude::*;
/// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Feed { items: Vec<String> }
/// #[actor]
/// impl Feed {
///     #[action]
///     fn refresh(&self, ctx: &Ctx<Self>) {
///         let me = ctx.actor_ref();
///         ctx.spawn(async move {
///             let fetched = String::from("news"); // slow outside work goes here
///             let _ = me.exec(move |feed, ctx| {
///                 feed.items.push(fetched.clone());
///                 ctx.broadcast("item", &fetched).ok();
///             });
///         });
///     }
/// }
/// ```
pub struct ActorRef<A: Actor> {
    mailbox: mpsc::UnboundedSender<Command>,
    _actor: PhantomData<fn() -> A>,
}

/// The closure an [`ActorRef::exec`] call carries to the actor task.
pub(crate) type ExecFn<A> = Box<dyn FnOnce(&mut A, &mut Ctx<A>) + Send>;

impl<A: Actor> ActorRef<A> {
    pub(crate) fn new(mailbox: mpsc::UnboundedSender<Command>) -> Self {
        Self {
            mailbox,
            _actor: PhantomData,
        }
    }

    /// Runs `f` on the actor's task, after what is already queued there.
    ///
    /// Fails with [`RuntimeError::ActorStopped`] when the actor is gone.
    pub fn exec(
        &self,
        f: impl FnOnce(&mut A, &mut Ctx<A>) + Send + 'static,
    ) -> Result<(), RuntimeError> {
        let f: ExecFn<A> = Box::new(f);
        let boxed: Box<dyn Any + Send> = Box::new(f);
        self.mailbox
            .send(Command::Exec(boxed))
            .map_err(|_| RuntimeError::ActorStopped)
    }
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        Self::new(self.mailbox.clone())
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorRef").field("actor", &A::NAME).finish()
    }
}
