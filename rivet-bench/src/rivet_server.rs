//! The `rivet` target: the benchmark actors on rivet's own server.
//!
//! - `counter`: `increment(by)` returns the new count (the round trip, HTTP and memory actors);
//! - `room`: params `{user}` and a connection state made by `create_conn_state`; `send(seq)`
//!   broadcasts `msg` with `seq` to the subscribers; `ping()`; `disconnects()` tells how many
//!   connections with params have run `on_disconnect` (the churn's proof).

use std::sync::atomic::{AtomicU64, Ordering};

use rivet_core::prelude::*;

/// How many connections with params ran `on_disconnect`, over the whole process.
static DISCONNECTS: AtomicU64 = AtomicU64::new(0);

/// A counter.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// Adds `by`; returns the new count.
    #[action]
    fn increment(&mut self, _ctx: &Ctx<Self>, by: u64) -> u64 {
        self.count += by;
        self.count
    }
}

/// The params of a room connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RoomParams {
    user: String,
}

/// A room that broadcasts.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Room {
    sent: u64,
}

#[actor]
impl Room {
    fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &Option<RoomParams>) -> String {
        params
            .as_ref()
            .map_or_else(|| "anon".to_owned(), |p| p.user.clone())
    }

    fn on_disconnect(&mut self, ctx: &mut Ctx<Self>) {
        if ctx.conn().params().is_some() {
            DISCONNECTS.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Broadcasts `msg` with `seq` to the subscribers.
    #[action]
    fn send(&mut self, ctx: &Ctx<Self>, seq: u64) -> Result<u64, Error> {
        self.sent += 1;
        ctx.broadcast("msg", &seq)?;
        Ok(self.sent)
    }

    /// Answers 0.
    #[action]
    fn ping(&self, _ctx: &Ctx<Self>) -> u64 {
        0
    }

    /// How many connections with params have run `on_disconnect` in this process.
    #[action]
    fn disconnects(&self, _ctx: &Ctx<Self>) -> u64 {
        DISCONNECTS.load(Ordering::Relaxed)
    }
}

/// Serves the benchmark actors on `port` until the process is killed.
pub(crate) async fn serve(port: u16) -> std::io::Result<()> {
    let server = Registry::new()
        .register::<Counter>()
        .register::<Room>()
        .start(("127.0.0.1", port))
        .await
        .map_err(std::io::Error::other)?;
    crate::announce(&server.endpoint());
    std::future::pending::<()>().await;
    server.shutdown().await;
    Ok(())
}
