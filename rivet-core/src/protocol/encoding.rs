//! The encodings a connection or request can choose.

use crate::RuntimeError;

/// How the messages of one connection or one request are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// JSON text with the `$BigInt` compat convention.
    Json,
    // TODO(#3): CBOR and BARE v4.
}

impl Encoding {
    /// Parses the name a client sends; a missing name means JSON.
    pub(crate) fn from_name(name: Option<&str>) -> Result<Self, RuntimeError> {
        match name {
            None | Some("json") => Ok(Self::Json),
            Some(other) => Err(RuntimeError::UnsupportedEncoding(other.to_owned())),
        }
    }

    /// The content type of HTTP bodies in this encoding.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
        }
    }
}
