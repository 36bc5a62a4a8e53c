//! What an actor is, as the runtime sees it, and the handles its code works with.

mod conn;
mod ctx;
mod definition;
mod reference;

pub use conn::{Conn, ConnId};
pub use ctx::Ctx;
pub(crate) use ctx::InstanceInfo;
pub use definition::{Actor, NoConnState};
pub use reference::ActorRef;
pub(crate) use reference::ExecFn;
