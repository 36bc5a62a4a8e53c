//! The Rust client: calls actions and receives events from actors served by a [`Registry`]
//! (or by any server that speaks the RivetKit client protocol).
//!
//! A [`Client`] points at a server. It makes [`ActorHandle`]s, lazy addresses of one actor
//! instance, on which actions run as single HTTP requests; [`ActorHandle::connect`] opens a
//! realtime [`Connection`] over a WebSocket, with its own server-side state, on which actions run
//! over the socket and events arrive as [`EventStream`]s.
//!
//! `#[actor]` generates typed methods for every action (through [`ActionCaller`]); the untyped
//! [`ActorHandle::action_raw`] and [`Connection::action_raw`] take and return JSON values.
//!
//! ```no_run
//! use futures::StreamExt;
//! use rivet_core::Actor;
//! use rivet_core::client::{Client, ClientError};
//! use serde_json::json;
//!
//! # #[allow(dead_code)] // only compiled
//! async fn run<ChatRoom: Actor>() -> Result<(), ClientError> {
//!     let client = Client::new("http://127.0.0.1:6420");
//!     let room = client.get_or_create::<ChatRoom>(["lobby"]);
//!
//!     // Stateless: one HTTP request per call.
//!     let history = room.action_raw("history", vec![]).await?;
//!     println!("{history}");
//!
//!     // Realtime: one WebSocket, events included.
//!     let conn = room.connect().await?;
//!     let mut messages = conn.events::<String>("message");
//!     conn.action_raw("post", vec![json!("hello")]).await?;
//!     println!("{:?}", messages.next().await);
//!     conn.disconnect().await;
//!     Ok(())
//! }
//! ```
//!
//! The client speaks JSON unless told otherwise with [`Client::with_encoding`]. Only plain
//! `http://` endpoints are supported so far. Connections do not reconnect on their own.
//!
//! [`Registry`]: crate::Registry

mod caller;
mod codec;
mod connection;
mod error;
mod events;
mod handle;
mod http;
mod key;
mod url;

use std::fmt;
use std::sync::Arc;

use hyper::Method;

pub use caller::ActionCaller;
pub use connection::{CloseInfo, Connection};
pub use error::ClientError;
pub use events::EventStream;
pub use handle::ActorHandle;
pub use key::IntoKey;

use crate::Actor;
use crate::protocol::Encoding;
use url::{Endpoint, Target};

/// A client of one server. Cheap to clone: clones share one HTTP connection pool.
///
/// Making a client or a handle sends nothing; requests start with the first call.
///
/// ```
/// use rivet_core::client::Client;
///
/// let client = Client::new("http://127.0.0.1:6420/");
/// assert_eq!(client.endpoint(), "http://127.0.0.1:6420");
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    http: http::Http,
    encoding: Encoding,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.redacted())
            .field("encoding", &self.inner.encoding)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of the server at `endpoint`, such as `http://127.0.0.1:6420` (what
    /// [`Server::endpoint`](crate::Server::endpoint) returns). A trailing `/` is ignored, a base
    /// path is kept, and a missing scheme means `http://`. `https://` is not supported yet: calls
    /// then fail with [`ClientError::Http`] or [`ClientError::WebSocket`].
    pub fn new(endpoint: impl Into<String>) -> Self {
        let endpoint = Endpoint::new(&endpoint.into());
        Self {
            inner: Arc::new(Inner {
                endpoint,
                http: http::Http::new(),
                encoding: Encoding::Json,
            }),
        }
    }

    /// The same client, speaking `encoding` on its connections and stateless calls.
    ///
    /// ```
    /// use rivet_core::{Client, Encoding};
    ///
    /// let client = Client::new("http://127.0.0.1:6420").with_encoding(Encoding::Bare);
    /// # let _ = client;
    /// ```
    pub fn with_encoding(self, encoding: Encoding) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                endpoint: inner.endpoint.clone(),
                http: inner.http.clone(),
                encoding,
            }),
        }
    }

    /// The endpoint, normalized.
    pub fn endpoint(&self) -> &str {
        self.inner.endpoint.as_str()
    }

    /// A handle to the instance of `A` with this key, created on first use if it does not exist.
    pub fn get_or_create<A: Actor>(&self, key: impl IntoKey) -> ActorHandle<A> {
        ActorHandle::new(self.clone(), Target::GetOrCreate(key.into_key()))
    }

    /// A handle to the instance of `A` with this key; calls fail with `actor.not_found` when it
    /// does not exist.
    pub fn get<A: Actor>(&self, key: impl IntoKey) -> ActorHandle<A> {
        ActorHandle::new(self.clone(), Target::Get(key.into_key()))
    }

    /// A handle to the instance of `A` with this actor id (see [`ActorHandle::resolve`]).
    pub fn get_for_id<A: Actor>(&self, actor_id: impl Into<String>) -> ActorHandle<A> {
        ActorHandle::new(self.clone(), Target::Id(actor_id.into()))
    }

    /// Creates the instance of `A` with this key and returns a handle to it by id.
    ///
    /// Fails with `actor.already_exists` ([`ClientError::Actor`]) when the key is taken.
    pub async fn create<A: Actor>(&self, key: impl IntoKey) -> Result<ActorHandle<A>, ClientError> {
        let id = self.create_id(A::NAME, &key.into_key()).await?;
        Ok(self.get_for_id(id))
    }

    /// `POST /actors`: creates an actor and returns its id.
    async fn create_id(&self, name: &str, key: &[String]) -> Result<String, ClientError> {
        let url = format!("{}{}", self.inner.endpoint.http()?, url::actors_path());
        let body = url::actor_request_body(name, key);
        let response = self
            .inner
            .http
            .send(
                Method::POST,
                &url,
                &[],
                Some((body.into_bytes(), "application/json")),
            )
            .await?;
        let body = response.success(Encoding::Json)?;
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|error| ClientError::Decode(format!("malformed JSON: {error}")))?;
        handle::actor_id(value.get("actor"))
            .ok_or_else(|| ClientError::Decode("the answer names no actor id".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}
    fn unpin<T: Unpin>() {}

    /// Generated client methods return `Send` futures, which needs these.
    #[allow(dead_code)]
    fn handles_and_connections_are_shareable<A: Actor>() {
        send_sync::<Client>();
        send_sync::<ActorHandle<A>>();
        send_sync::<Connection<A>>();
        send_sync::<EventStream<String>>();
        unpin::<EventStream<String>>();
    }

    #[test]
    fn debug_hides_endpoint_credentials() {
        let client = Client::new("http://user:secret@127.0.0.1:6420");
        let text = format!("{client:?}");
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(client.endpoint(), "http://user:secret@127.0.0.1:6420");
    }
}
