//! The task of one actor instance: it owns the actor and its context, and runs every hook and
//! action one at a time, in mailbox order.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value as Json;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::guard::{caught, guarded, started};
use super::{ActionCall, Command, ConnLink, HttpCall, Joining, SubscriptionChange};
use crate::actor::ExecFn;
use crate::actor::InstanceInfo;
use crate::protocol::{ErrorBody, ToClient, Value};
use crate::{Actor, ActorOptions, Conn, ConnId, Ctx, Error, RuntimeError};

/// Starts the task of a new instance and returns its mailbox.
pub(crate) fn spawn<A: Actor>(
    info: Arc<InstanceInfo>,
    options: ActorOptions,
) -> mpsc::UnboundedSender<Command> {
    let (mailbox, inbox) = mpsc::unbounded_channel();
    let span = tracing::info_span!(
        "actor",
        actor.name = A::NAME,
        actor.id = %info.id,
        actor.key = ?info.key,
    );
    let instance = Instance::<A> {
        actor: A::__new(),
        ctx: Ctx::new(info, mailbox.clone()),
        options,
    };
    tokio::spawn(instance.run(inbox).instrument(span));
    mailbox
}

struct Instance<A: Actor> {
    actor: A,
    ctx: Ctx<A>,
    options: ActorOptions,
}

impl<A: Actor> Instance<A> {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Command>) {
        tracing::debug!("actor started");
        while let Some(command) = inbox.recv().await {
            self.handle(command).await;
        }
        tracing::debug!("actor stopped");
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Connect(joining) => {
                let Joining { link, params } = *joining;
                let _ = self.connect(link, params).await;
                self.sweep().await;
            }
            Command::Action(call) => {
                let ActionCall {
                    conn,
                    id,
                    name,
                    args,
                    pending,
                } = *call;
                self.action(conn, id, name, args).await;
                drop(pending);
            }
            Command::Subscribe(change) => {
                let SubscriptionChange {
                    conn,
                    event,
                    subscribe,
                    pending,
                } = *change;
                if let Some(conn) = self.ctx.conns.get_mut(&conn) {
                    if subscribe {
                        conn.subscriptions.insert(event);
                    } else {
                        conn.subscriptions.remove(&event);
                    }
                }
                drop(pending);
            }
            Command::Closed { conn } => {
                self.leave(&conn).await;
                self.sweep().await;
            }
            Command::HttpAction(call) => {
                let HttpCall {
                    params,
                    name,
                    args,
                    reply,
                } = *call;
                let result = self.http_action(params, &name, args).await;
                let _ = reply.send(result);
            }
            Command::Barrier(done) => {
                let _ = done.send(());
            }
            Command::Exec(boxed) => match boxed.downcast::<ExecFn<A>>() {
                Ok(f) => {
                    let (actor, ctx) = (&mut self.actor, &mut self.ctx);
                    caught(async move { f(actor, ctx) }).await;
                    self.sweep().await;
                }
                Err(_) => tracing::error!("exec closure of another actor type; dropped"),
            },
        }
    }

    /// Runs the connect hooks in order and joins the connection. `Ok(None)` when the client left
    /// before it could join; on an error the client has been told and its socket closed. The
    /// caller sweeps the connections the hooks closed.
    async fn connect(&mut self, link: ConnLink, raw: Json) -> Result<Option<ConnId>, Error> {
        let id = link.id().clone();
        let (params, state) = match self.preflight(&link, &raw).await {
            Ok(Some(ready)) => ready,
            Ok(None) => {
                tracing::debug!(conn.id = %id, "client left during connect");
                return Ok(None);
            }
            Err(error) => {
                log_refusal(&id, &error);
                link.fail(&error);
                return Err(error);
            }
        };

        link.hold(self.ctx.closing.clone());
        let conn = Conn {
            id: id.clone(),
            params,
            state,
            link: link.clone(),
            subscriptions: HashSet::new(),
        };
        self.ctx.conns.insert(id.clone(), conn);
        self.ctx.current = Some(id.clone());
        let deadline = self.options.on_connect_timeout;
        let timed_out = RuntimeError::CallbackTimedOut("onConnect");
        let result = guarded(deadline, timed_out, self.actor.__on_connect(&mut self.ctx)).await;
        self.ctx.current = None;

        match result {
            Ok(()) => {
                if !link.is_closing() {
                    let init = ToClient::Init {
                        actor_id: self.ctx.actor_id().into(),
                        connection_id: id.shared(),
                    };
                    link.release(init);
                    tracing::info!(conn.id = %id, "connected");
                }
                Ok(Some(id))
            }
            Err(error) => {
                log_refusal(&id, &error);
                link.fail(&error);
                self.leave(&id).await;
                Err(error)
            }
        }
    }

    async fn preflight(
        &mut self,
        link: &ConnLink,
        raw: &Json,
    ) -> Result<Option<(A::ConnParams, A::ConnState)>, Error> {
        let params: A::ConnParams = serde_json::from_value(raw.clone()).map_err(|_| {
            RuntimeError::InvalidParams("they do not match the shape the actor expects".into())
        })?;
        let deadline = self.options.on_before_connect_timeout;
        let timed_out = RuntimeError::CallbackTimedOut("onBeforeConnect");
        guarded(
            deadline,
            timed_out,
            self.actor.__on_before_connect(&self.ctx, &params),
        )
        .await?;
        if link.is_gone() {
            return Ok(None);
        }
        let deadline = self.options.create_conn_state_timeout;
        let timed_out = RuntimeError::CallbackTimedOut("createConnState");
        let state = guarded(
            deadline,
            timed_out,
            self.actor.__create_conn_state(&self.ctx, &params, raw),
        )
        .await?;
        if link.is_gone() {
            return Ok(None);
        }
        Ok(Some((params, state)))
    }

    async fn action(&mut self, conn: ConnId, id: u64, name: String, args: Vec<Value>) {
        let Some(link) = self.ctx.conns.get(&conn).map(|c| c.link.clone()) else {
            // The connection failed to join or has left: its pipelined calls never run.
            return;
        };
        if link.is_closing() {
            return;
        }
        let result = self.run_action(&conn, &name, args).await;
        self.sweep().await;
        if link.is_closing() {
            // Disconnected during its own action: no response (the socket is closing).
            return;
        }
        match result {
            Ok(output) => link.send(ToClient::ActionResponse { id, output }),
            Err(error) => {
                let body = ErrorBody::new(&error, Some(id)).naming(self.ctx.specifier());
                link.send(ToClient::from(body));
            }
        }
    }

    async fn run_action(
        &mut self,
        conn: &ConnId,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let span = tracing::info_span!("action", action.name = name, conn.id = %conn);
        self.ctx.current = Some(conn.clone());
        let deadline = self.options.action_timeout;
        let result = {
            let (actor, ctx) = (&mut self.actor, &mut self.ctx);
            // A synchronous action may run inside `__dispatch` itself: catch a panic there too.
            match span.in_scope(|| started(move || actor.__dispatch(ctx, name, args))) {
                Ok(Some(future)) => {
                    guarded(deadline, RuntimeError::ActionTimedOut, future)
                        .instrument(span.clone())
                        .await
                }
                Ok(None) => Err(RuntimeError::ActionNotFound(name.to_owned()).into()),
                Err(panicked) => Err(panicked),
            }
        };
        self.ctx.current = None;
        if let Err(error) = &result {
            let _entered = span.enter();
            if error.is_internal() {
                tracing::error!(%error, "action failed");
            } else {
                tracing::debug!(%error, "action returned an error");
            }
        }
        result
    }

    async fn http_action(
        &mut self,
        params: Json,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let link = ConnLink::http(ConnId::new());
        let joined = self.connect(link.clone(), params).await;
        self.sweep().await;
        let Some(id) = joined? else {
            return Err(RuntimeError::ActorStopped.into());
        };
        if link.is_closing() {
            // `on_connect` disconnected it: the action does not run.
            return Err(RuntimeError::Disconnected(link.close_reason()).into());
        }
        let result = self.run_action(&id, name, args).await;
        self.leave(&id).await;
        self.sweep().await;
        result
    }

    /// Runs `on_disconnect` for connections the actor closed during the last hook or action.
    async fn sweep(&mut self) {
        loop {
            let closed = std::mem::take(&mut *self.ctx.closing.lock().expect("closing list lock"));
            if closed.is_empty() {
                return;
            }
            for id in closed {
                self.leave(&id).await;
            }
        }
    }

    /// Removes a joined connection and runs its `on_disconnect`, once.
    async fn leave(&mut self, id: &ConnId) {
        let Some(conn) = self.ctx.conns.remove(id) else {
            return;
        };
        self.ctx.leaving = Some(conn);
        caught(self.actor.__on_disconnect(&mut self.ctx)).await;
        self.ctx.leaving = None;
        tracing::info!(conn.id = %id, "disconnected");
    }
}

fn log_refusal(id: &ConnId, error: &Error) {
    if error.is_internal() {
        tracing::error!(conn.id = %id, %error, "connection refused");
    } else {
        tracing::info!(conn.id = %id, error.code = %error.qualified_code(), "connection refused");
    }
}
