//! The actors that the official client's interop suite (`tests/interop/`) runs against:
//! `cargo run --example conformance [-- --port 6420 --host 127.0.0.1]`.
//!
//! Prints one line, `listening on http://HOST:PORT`, to stdout once the port is bound (`--port 0`
//! picks a free one), logs to stderr, and serves until ctrl-c. Point any RivetKit client at it:
//!
//! - `chatRoom`: params `{user?, token?, failState?, failConnect?}` (all optional, and so are the
//!   params themselves); connection state `{user, joinedAt}`; token `"bad"` is refused with
//!   `user.forbidden`, token `"crash"` with an internal error; actions `post`, `history`,
//!   `whoami`, `kickMe`, `kickNoReason`, `failUser`, `failInternal`, `echo`, `direct`, `shout`,
//!   `big`, `sleepMs`;
//! - `counter`: state `{count}`; actions `increment` (broadcasts `newCount`) and `getCount`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rivet_core::RawValue;
use rivet_core::prelude::*;
use rivet_examples::time::now_ms;
use serde_json::{Value, json};

/// The connection params of `chatRoom`. Every field is optional, and a client may send no
/// params at all (the hooks then get `None`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RoomParams {
    /// The name of the user; `anon` when missing.
    pub user: Option<String>,
    /// `bad` is refused with `user.forbidden`, `crash` fails with an internal error.
    pub token: Option<String>,
    /// `create_conn_state` fails with `user.state_refused`.
    pub fail_state: bool,
    /// `on_connect` fails with `user.connect_failed`.
    pub fail_connect: bool,
}

/// The state of one `chatRoom` connection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The user from the params, or `anon`.
    pub user: String,
    /// When the connection was made, in milliseconds since the epoch.
    pub joined_at: u64,
}

/// One message of the room.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Message {
    /// The user who posted it.
    pub from: String,
    /// What they wrote.
    pub text: String,
}

/// What `whoami` returns: the caller's connection id and state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    /// The connection's id.
    pub conn_id: String,
    /// The connection's state.
    pub state: Member,
}

/// A chat room that exercises every exchange of the protocol.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ChatRoom {
    /// Every message posted, oldest first.
    pub messages: Vec<Message>,
}

#[actor]
impl ChatRoom {
    fn on_before_connect(
        &self,
        _ctx: &Ctx<Self>,
        params: &Option<RoomParams>,
    ) -> Result<(), Error> {
        let token = params.as_ref().and_then(|p| p.token.as_deref());
        match token {
            Some("bad") => {
                Err(Error::user("forbidden", "bad token").with_metadata(&json!({ "why": "token" })))
            }
            Some("crash") => Err(Error::internal(
                "secret detail of on_before_connect that must stay on the server",
            )),
            _ => Ok(()),
        }
    }

    fn create_conn_state(
        &self,
        _ctx: &Ctx<Self>,
        params: &Option<RoomParams>,
    ) -> Result<Member, Error> {
        let params = params.clone().unwrap_or_default();
        if params.fail_state {
            return Err(Error::user("state_refused", "connection state refused"));
        }
        Ok(Member {
            user: params.user.unwrap_or_else(|| "anon".to_owned()),
            joined_at: now_ms(),
        })
    }

    fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
        let conn = ctx.conn();
        if conn.params().as_ref().is_some_and(|p| p.fail_connect) {
            return Err(Error::user("connect_failed", "on_connect failed"));
        }
        ctx.broadcast("joined", &conn.state().user)
    }

    /// Appends `{from, text}`, broadcasts it as `message`; returns the number of messages.
    #[action]
    fn post(&mut self, ctx: &Ctx<Self>, text: String) -> Result<usize, Error> {
        let message = Message {
            from: ctx.conn().state().user.clone(),
            text,
        };
        ctx.broadcast("message", &message)?;
        self.messages.push(message);
        Ok(self.messages.len())
    }

    /// Every message so far.
    #[action]
    fn history(&self, _ctx: &Ctx<Self>) -> Vec<Message> {
        self.messages.clone()
    }

    /// The caller's connection id and state.
    #[action]
    fn whoami(&self, ctx: &Ctx<Self>) -> WhoAmI {
        let conn = ctx.conn();
        WhoAmI {
            conn_id: conn.id().to_string(),
            state: conn.state().clone(),
        }
    }

    /// Disconnects the caller with `reason` (default `kicked by server`); the call itself never
    /// gets a response.
    #[action]
    async fn kick_me(&self, ctx: &Ctx<Self>, reason: Option<String>) -> bool {
        let reason = reason.unwrap_or_else(|| "kicked by server".to_owned());
        ctx.conn().disconnect(reason).await;
        true
    }

    /// Disconnects the caller with an empty reason.
    #[action]
    async fn kick_no_reason(&self, ctx: &Ctx<Self>) -> bool {
        ctx.conn().disconnect("").await;
        true
    }

    /// Fails with user error `my_code`, "user facing failure", metadata `{a: 1}`.
    #[action]
    fn fail_user(&self, _ctx: &Ctx<Self>) -> Result<(), Error> {
        Err(Error::user("my_code", "user facing failure").with_metadata(&json!({ "a": 1 })))
    }

    /// Fails with an internal error, whose detail stays in the server log.
    #[action]
    fn fail_internal(&self, _ctx: &Ctx<Self>) -> Result<(), Error> {
        Err(Error::internal(
            "secret detail of failInternal that must stay on the server",
        ))
    }

    /// Returns its argument unchanged, byte strings, BigInts and `undefined` included.
    #[action]
    fn echo(&self, _ctx: &Ctx<Self>, value: RawValue) -> RawValue {
        value
    }

    /// Sends event `name` with `payload` to the caller alone, subscribed or not.
    #[action]
    fn direct(&self, ctx: &Ctx<Self>, name: String, payload: Value) -> Result<bool, Error> {
        ctx.conn().send(&name, &payload)?;
        Ok(true)
    }

    /// Broadcasts event `name` with `payload` to the subscribers of `name`.
    #[action]
    fn shout(&self, ctx: &Ctx<Self>, name: String, payload: Value) -> Result<bool, Error> {
        ctx.broadcast(&name, &payload)?;
        Ok(true)
    }

    /// A string of `n` times `x`.
    #[action]
    fn big(&self, _ctx: &Ctx<Self>, n: usize) -> String {
        "x".repeat(n)
    }

    /// Waits `ms` milliseconds; returns `ms`.
    #[action]
    async fn sleep_ms(&self, _ctx: &Ctx<Self>, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }
}

/// A counter, as in RivetKit's own examples.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counter {
    /// The count.
    pub count: i64,
}

#[actor]
impl Counter {
    /// Adds `by`, broadcasts `newCount` with the new count and returns it.
    #[action]
    fn increment(&mut self, ctx: &Ctx<Self>, by: i64) -> Result<i64, Error> {
        self.count += by;
        ctx.broadcast("newCount", &self.count)?;
        Ok(self.count)
    }

    /// The count.
    #[action]
    fn get_count(&self, _ctx: &Ctx<Self>) -> i64 {
        self.count
    }
}

/// Serves the conformance actors.
#[derive(Parser)]
struct Args {
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 6420)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // Logs go to stderr: stdout carries the `listening on` line alone.
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let server = match Registry::new()
        .register::<ChatRoom>()
        .register::<Counter>()
        .start((args.host.as_str(), args.port))
        .await
    {
        Ok(server) => server,
        Err(error) => {
            eprintln!("conformance: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", server.endpoint())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling here: serve until the process is killed.
        std::future::pending::<()>().await;
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
