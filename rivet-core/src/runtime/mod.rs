//! The actors at run time: one task per instance, and the directory that finds them.

mod command;
pub(crate) mod directory;
mod guard;
mod instance;
pub(crate) mod link;

pub(crate) use command::{ActionCall, Command, HttpCall, Joining, SubscriptionChange};
pub(crate) use directory::{Directory, InstanceEntry};
pub(crate) use link::{ClosingList, ConnLink, LinkTransport};
