//! Handles: lazy addresses of one actor instance, for stateless actions and for connecting.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use hyper::Method;
use serde::Serialize;
use serde_json::Value;

use crate::protocol::Value as WireValue;

use super::connection::{Connection, RawConnection};
use super::http::ascii_json;
use super::url::{Route, Target, actor_request_body, actors_path, gateway_path, lookup_path};
use super::{Client, ClientError, codec};
use crate::Actor;
use crate::protocol::Encoding;

/// The address of one instance of actor `A`, plus optional connection params.
///
/// Made by [`Client::get_or_create`], [`Client::get`], [`Client::get_for_id`] and
/// [`Client::create`]. Making a handle sends nothing: each action called on it is one HTTP request
/// that the server runs as a short-lived connection, and [`connect`](Self::connect) opens a
/// realtime one. Handles are cheap to clone.
///
/// ```no_run
/// use rivet_core::Actor;
/// use rivet_core::client::{Client, ClientError};
/// use serde_json::json;
///
/// # #[allow(dead_code)] // only compiled
/// async fn bump<A: Actor>(client: &Client) -> Result<(), ClientError> {
///     let counter = client.get_or_create::<A>(["global"]);
///     let count = counter.action_raw("increment", vec![json!(1)]).await?;
///     println!("count is now {count} on actor {}", counter.resolve().await?);
///     Ok(())
/// }
/// ```
pub struct ActorHandle<A> {
    raw: RawHandle,
    _actor: PhantomData<fn() -> A>,
}

impl<A> Clone for ActorHandle<A> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
            _actor: PhantomData,
        }
    }
}

impl<A> fmt::Debug for ActorHandle<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorHandle")
            .field("actor", &self.raw.name)
            .field("target", &self.raw.target)
            // Params carry credentials: only say whether there are any.
            .field("has_params", &self.raw.params.is_some())
            .finish_non_exhaustive()
    }
}

impl<A: Actor> ActorHandle<A> {
    pub(super) fn new(client: Client, target: Target) -> Self {
        Self {
            raw: RawHandle {
                client,
                name: A::NAME,
                target,
                params: None,
            },
            _actor: PhantomData,
        }
    }

    /// Sets the connection params: they go with every stateless action (the server runs its
    /// connect hooks with them) and with [`connect`](Self::connect).
    ///
    /// Fails with [`ClientError::Encode`] when the params cannot be encoded as JSON.
    pub fn with_params(mut self, params: &A::ConnParams) -> Result<Self, ClientError>
    where
        A::ConnParams: Serialize,
    {
        self.raw.params = Some(encode_params(params)?.into());
        Ok(self)
    }

    /// The id of the actor this handle names.
    ///
    /// A [`get_or_create`](Client::get_or_create) handle asks the server, which creates the actor
    /// if needed; a [`get`](Client::get) handle asks the server and fails with `actor.not_found`
    /// ([`ClientError::Actor`]) when there is no such actor; a handle by id already knows it.
    pub async fn resolve(&self) -> Result<String, ClientError> {
        self.raw.resolve().await
    }

    /// Opens a realtime connection, with this handle's params if it has some.
    ///
    /// Fails with [`ClientError::Actor`] when the actor refuses the connection (its
    /// `on_before_connect` hook returned an error, for instance), and with
    /// [`ClientError::Closed`] when the server closes the socket before accepting it without
    /// saying why in a message (a kick from `on_connect`, for instance).
    pub async fn connect(&self) -> Result<Connection<A>, ClientError> {
        let raw = self.raw.open(self.raw.params.as_deref()).await?;
        Ok(Connection::new(raw))
    }

    /// Opens a realtime connection with these params, whatever the handle's own.
    ///
    /// Fails like [`connect`](Self::connect), and with [`ClientError::Encode`] when the params
    /// cannot be encoded as JSON.
    pub async fn connect_with(&self, params: &A::ConnParams) -> Result<Connection<A>, ClientError>
    where
        A::ConnParams: Serialize,
    {
        let params = encode_params(params)?;
        let raw = self.raw.open(Some(&params)).await?;
        Ok(Connection::new(raw))
    }

    /// Calls an action by its wire name with JSON arguments, as one HTTP request.
    ///
    /// The server runs it as a short-lived connection with this handle's params: the connect
    /// hooks run first, and their error, if any, is the call's. The generated typed methods
    /// (`room.post(…)`) call this.
    pub async fn action_raw(&self, name: &str, args: Vec<Value>) -> Result<Value, ClientError> {
        let output = self
            .raw
            .action_raw(name, codec::from_json_args(args))
            .await?;
        Ok(codec::to_json(output))
    }

    /// Calls an action with wire values: what the typed methods use.
    pub(super) async fn call_wire(
        &self,
        name: &str,
        args: Vec<WireValue>,
    ) -> Result<WireValue, ClientError> {
        self.raw.action_raw(name, args).await
    }
}

/// The handle without its actor type: what [`ActorHandle`] wraps.
#[derive(Clone)]
pub(super) struct RawHandle {
    client: Client,
    /// The actor type's wire name.
    name: &'static str,
    target: Target,
    /// The params as JSON text, ASCII only. Never logged nor shown.
    params: Option<Arc<str>>,
}

impl RawHandle {
    async fn resolve(&self) -> Result<String, ClientError> {
        let client = &self.client.inner;
        let base = client.endpoint.http()?;
        match &self.target {
            Target::Id(id) => Ok(id.clone()),
            Target::GetOrCreate(key) => {
                let url = format!("{base}{}", actors_path());
                let body = actor_request_body(self.name, key);
                let body = (body.into_bytes(), "application/json");
                let response = client.http.send(Method::PUT, &url, &[], Some(body)).await?;
                let value = parse_json(&response.success(Encoding::Json)?)?;
                actor_id(value.get("actor"))
                    .ok_or_else(|| ClientError::Decode("the answer names no actor id".into()))
            }
            Target::Get(key) => {
                let url = format!("{base}{}", lookup_path(self.name, key));
                let response = client.http.send(Method::GET, &url, &[], None).await?;
                let value = parse_json(&response.success(Encoding::Json)?)?;
                let Some(actors) = value.get("actors").and_then(Value::as_array) else {
                    return Err(ClientError::Decode("the answer has no actor list".into()));
                };
                match actors.first() {
                    None => Err(ClientError::not_found()),
                    Some(actor) => actor_id(Some(actor))
                        .ok_or_else(|| ClientError::Decode("the answer names no actor id".into())),
                }
            }
        }
    }

    async fn open(&self, params: Option<&str>) -> Result<RawConnection, ClientError> {
        let base = self.client.inner.endpoint.ws()?;
        let path = gateway_path(self.name, &self.addressable().await?, Route::Connect);
        RawConnection::open(format!("{base}{path}"), self.client.inner.encoding, params).await
    }

    pub(super) async fn action_raw(
        &self,
        name: &str,
        args: Vec<WireValue>,
    ) -> Result<WireValue, ClientError> {
        let client = &self.client.inner;
        let base = client.endpoint.http()?;
        let path = gateway_path(self.name, &self.addressable().await?, Route::Action(name));
        let encoding = client.encoding;
        let mut headers = vec![("x-rivet-encoding", codec::name(encoding))];
        if let Some(params) = &self.params {
            headers.push(("x-rivet-conn-params", &**params));
        }
        let body = (
            codec::encode_action_body(encoding, args),
            encoding.content_type(),
        );
        let url = format!("{base}{path}");
        let response = client
            .http
            .send(Method::POST, &url, &headers, Some(body))
            .await?;
        codec::decode_action_output(encoding, &response.success(encoding)?)
            .map_err(ClientError::Decode)
    }

    /// The target as gateway URLs can carry it. A key part with a comma would be split by the
    /// gateway's query form and reach another actor, so such handles go by id, resolved first
    /// through the manager API (which escapes keys properly).
    async fn addressable(&self) -> Result<Target, ClientError> {
        if self.target.fits_query() {
            Ok(self.target.clone())
        } else {
            Ok(Target::Id(self.resolve().await?))
        }
    }
}

/// Connection params as JSON text that is safe in a header.
fn encode_params<P: Serialize>(params: &P) -> Result<String, ClientError> {
    serde_json::to_string(params)
        .map(|text| ascii_json(&text))
        .map_err(ClientError::Encode)
}

fn parse_json(bytes: &[u8]) -> Result<Value, ClientError> {
    serde_json::from_slice(bytes)
        .map_err(|error| ClientError::Decode(format!("malformed JSON: {error}")))
}

/// `actor_id` of an actor resource.
pub(super) fn actor_id(actor: Option<&Value>) -> Option<String> {
    actor?.get("actor_id")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_servers_are_http_and_websocket_errors() {
        // A port that was just freed: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = Client::new(format!("http://{addr}"));
        let handle = RawHandle {
            client,
            name: "chatRoom",
            target: Target::Id("a".into()),
            params: None,
        };
        let error = handle.action_raw("x", vec![]).await.unwrap_err();
        assert!(matches!(error, ClientError::Http(_)), "{error}");
        let error = handle.open(None).await.unwrap_err();
        assert!(matches!(error, ClientError::WebSocket(_)), "{error}");
    }
}
