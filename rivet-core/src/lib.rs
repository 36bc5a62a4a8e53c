//! Stateful actors with realtime connections, in the model of RivetKit.
//!
//! Write a plain struct and `impl` block, mark both `#[actor]`, and serve them with a
//! [`Registry`]. Clients connect with params, get their own connection state, call actions and
//! receive events, over the wire protocol of the official RivetKit client, so that the official
//! TypeScript client and this crate's typed Rust [`client`] both work against it.
//!
//! This is an independent implementation; it is not the official Rivet SDK.
//!
//! ```
//! use rivet_core::prelude::*;
//!
//! #[derive(Serialize, Deserialize)]
//! struct Params {
//!     user: String,
//! }
//!
//! #[actor]
//! #[derive(Default, Serialize, Deserialize)]
//! struct ChatRoom {
//!     messages: Vec<String>,
//! }
//!
//! #[actor]
//! impl ChatRoom {
//!     fn on_before_connect(&self, _ctx: &Ctx<Self>, params: &Params) -> Result<(), Error> {
//!         if params.user.is_empty() {
//!             return Err(Error::user("forbidden", "a user name is required"));
//!         }
//!         Ok(())
//!     }
//!
//!     fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &Params) -> String {
//!         params.user.clone()
//!     }
//!
//!     /// Posts a message to the room and returns how many there are.
//!     #[action]
//!     fn post(&mut self, ctx: &Ctx<Self>, text: String) -> Result<usize, Error> {
//!         let line = format!("{}: {text}", ctx.conn().state());
//!         ctx.broadcast("message", &line)?;
//!         self.messages.push(line);
//!         Ok(self.messages.len())
//!     }
//! }
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Registry::new().register::<ChatRoom>().start("127.0.0.1:0").await?;
//!
//! let client = Client::new(server.endpoint());
//! let room = client.get_or_create::<ChatRoom>(["lobby"]);
//! let conn = room.connect_with(&Params { user: "alice".into() }).await?;
//! assert_eq!(conn.post("hello".into()).await?, 1);
//! # Ok(()) }
//! ```

#![deny(unused_must_use)]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Lets `::rivet_core` paths from `#[actor]` resolve inside this crate's own tests.
#[allow(unused_extern_crates)]
extern crate self as rivet_core;

mod actor;
pub mod client;
mod error;
mod options;
pub mod prelude;
mod protocol;
mod registry;
mod runtime;
mod server;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

pub use actor::{Actor, ActorRef, Conn, ConnId, Ctx, NoConnState};
pub use client::Client;
pub use error::{Error, INTERNAL_MESSAGE, RuntimeError, USER_GROUP};
pub use options::{ActorOptions, Limits};
pub use protocol::Encoding;

/// Any value a client can send or receive, as a CBOR data item: what an action takes or returns
/// when it wants values as they are, byte strings and big integers included.
///
/// ```
/// use rivet_core::RawValue;
///
/// let value = RawValue::serialized(&(1, "two")).unwrap();
/// assert_eq!(value, RawValue::Array(vec![1.into(), "two".into()]));
/// ```
pub use ciborium::Value as RawValue;
pub use registry::{DEFAULT_ADDR, Registry, ServeError, Server};
#[doc = include_str!("../docs/actor.md")]
pub use rivet_macros::actor;
