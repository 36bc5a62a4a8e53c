//! The wire protocol of the official RivetKit client: its messages, their three encodings, the
//! value convention, and actor keys.

pub(crate) mod bare;
pub(crate) mod bigint;
pub(crate) mod cbor;
pub(crate) mod cbor_messages;
pub(crate) mod compat;
mod encoding;
pub(crate) mod json;
pub(crate) mod key;
pub(crate) mod message;
#[cfg(test)]
mod proptests;
pub(crate) mod value;

pub use encoding::Encoding;
pub(crate) use encoding::Frame;
pub(crate) use message::{ErrorBody, ToClient, ToServer};
pub(crate) use value::Value;
