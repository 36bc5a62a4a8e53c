//! The wire protocol of the official RivetKit client: its messages, their encodings, and actor
//! keys.

pub(crate) mod compat;
pub(crate) mod encoding;
pub(crate) mod json;
pub(crate) mod key;
pub(crate) mod message;

pub(crate) use encoding::Encoding;
pub(crate) use message::{ErrorBody, ToClient, ToServer};
