//! The Rust client (being written).

/// A client.
#[derive(Debug)]
pub struct Client;

/// Client errors.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Encode.
    #[error("encode: {0}")]
    Encode(serde_json::Error),
}
