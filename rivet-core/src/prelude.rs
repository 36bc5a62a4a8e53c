//! What an actor module needs: `use rivet_core::prelude::*;`.
//!
//! ```
//! use rivet_core::prelude::*;
//!
//! #[actor]
//! #[derive(Default, Serialize, Deserialize)]
//! struct Counter {
//!     count: u64,
//! }
//!
//! #[actor]
//! impl Counter {
//!     #[action]
//!     fn increment(&mut self, _ctx: &Ctx<Self>, by: u64) -> u64 {
//!         self.count += by;
//!         self.count
//!     }
//! }
//! ```

pub use serde::{Deserialize, Serialize};

pub use crate::{
    Actor, ActorOptions, ActorRef, Client, Conn, ConnId, Ctx, Error, Limits, Registry,
};
pub use rivet_macros::actor;
