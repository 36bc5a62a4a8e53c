//! Handles: lazy addresses of one actor instance, for stateless actions and for connecting.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use hyper::Method;
use serde::Serialize;
use serde_json::Value;

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

    async fn action_raw(&self, name: &str, args: Vec<Value>) -> Result<Value, ClientError> {
        let client = &self.client.inner;
        let base = client.endpoint.http()?;
        let path = gateway_path(self.name, &self.addressable().await?, Route::Action(name));
        let encoding = client.encoding;
        let mut headers = vec![("x-rivet-encoding", codec::name(encoding))];
        if let Some(params) = &self.params {
            headers.push(("x-rivet-conn-params", &**params));
        }
        let body = codec::encode_action_body(encoding, args);
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
    use std::sync::Mutex;

    use axum::http::{HeaderMap, StatusCode, header};
    use serde_json::json;

    use super::*;

    /// One request as the mock server saw it.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        uri: String,
        headers: HeaderMap,
        body: String,
    }

    type Log = Arc<Mutex<Vec<Seen>>>;

    /// An HTTP server that records every request and answers with `reply`.
    async fn mock<F>(reply: F) -> (Client, Log)
    where
        F: Fn(&Seen) -> (u16, String) + Send + Sync + 'static,
    {
        let log = Log::default();
        let reply = Arc::new(reply);
        let seen = log.clone();
        let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (reply, seen) = (reply.clone(), seen.clone());
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let request = Seen {
                    method: parts.method.to_string(),
                    uri: parts.uri.to_string(),
                    headers: parts.headers,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                };
                let (status, body) = reply(&request);
                seen.lock().unwrap().push(request);
                let status = StatusCode::from_u16(status).unwrap();
                (status, [(header::CONTENT_TYPE, "application/json")], body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (Client::new(format!("http://{addr}/")), log)
    }

    fn handle(client: &Client, target: Target, params: Option<&str>) -> RawHandle {
        RawHandle {
            client: client.clone(),
            name: "chatRoom",
            target,
            params: params.map(Arc::from),
        }
    }

    fn key(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|part| (*part).to_owned()).collect()
    }

    fn body(seen: &Seen) -> Value {
        serde_json::from_str(&seen.body).unwrap()
    }

    #[tokio::test]
    async fn stateless_actions_post_their_args_with_the_params() {
        let (client, log) = mock(|_| (200, r#"{"output":{"n":["$BigInt","5"]}}"#.into())).await;
        let params = encode_params(&json!({"user": "zoë"})).unwrap();
        let room = handle(
            &client,
            Target::GetOrCreate(key(&["room", "1"])),
            Some(&params),
        );
        let output = room
            .action_raw("post", vec![json!("hi"), json!(["$x", 1])])
            .await
            .unwrap();
        assert_eq!(output, json!({"n": 5}));

        let seen = log.lock().unwrap()[0].clone();
        assert_eq!(seen.method, "POST");
        assert_eq!(
            seen.uri,
            "/gateway/chatRoom/action/post?rvt-namespace=default&rvt-method=getOrCreate\
             &rvt-runner=default&rvt-key=room%2C1&rvt-crash-policy=sleep"
        );
        assert_eq!(seen.headers["x-rivet-encoding"], "json");
        assert_eq!(
            seen.headers["x-rivet-conn-params"],
            r#"{"user":"zo\u00eb"}"#
        );
        assert_eq!(seen.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(body(&seen), json!({"args": ["hi", ["$$x", 1]]}));
    }

    #[tokio::test]
    async fn handles_without_params_send_no_params_header() {
        let (client, log) = mock(|_| (200, r#"{"output":null}"#.into())).await;
        let room = handle(&client, Target::Id("a/1".into()), None);
        assert_eq!(room.action_raw("reset", vec![]).await.unwrap(), Value::Null);
        let seen = log.lock().unwrap()[0].clone();
        assert_eq!(seen.uri, "/gateway/a%2F1/action/reset");
        assert!(!seen.headers.contains_key("x-rivet-conn-params"));
        assert_eq!(body(&seen), json!({"args": []}));
    }

    #[tokio::test]
    async fn failed_actions_carry_the_error_body() {
        let (client, _) = mock(|seen| {
            if seen.uri.contains("/action/fail") {
                let error = r#"{"group":"user","code":"nope","message":"no","metadata":{"a":1}}"#;
                (500, error.into())
            } else {
                (502, "bad gateway".into())
            }
        })
        .await;
        let room = handle(&client, Target::Get(key(&["r"])), None);
        let error = room.action_raw("fail", vec![]).await.unwrap_err();
        assert_eq!(error.to_string(), "user.nope: no");
        assert_eq!(error.metadata(), Some(&json!({"a": 1})));
        let error = room.action_raw("other", vec![]).await.unwrap_err();
        assert!(
            matches!(&error, ClientError::Http(text) if text.contains("502") && text.contains("bad gateway")),
            "{error}"
        );
    }

    #[tokio::test]
    async fn resolving_asks_the_manager() {
        let (client, log) = mock(|seen| match seen.method.as_str() {
            "PUT" => (200, r#"{"actor":{"actor_id":"a1"},"created":true}"#.into()),
            _ if seen.uri.contains("name=chatRoom&key=missing") => (200, r#"{"actors":[]}"#.into()),
            _ => (200, r#"{"actors":[{"actor_id":"a9"}]}"#.into()),
        })
        .await;
        let id = handle(&client, Target::GetOrCreate(key(&["x/y"])), None)
            .resolve()
            .await;
        assert_eq!(id.unwrap(), "a1");
        let id = handle(&client, Target::Get(key(&["here"])), None)
            .resolve()
            .await;
        assert_eq!(id.unwrap(), "a9");
        let error = handle(&client, Target::Get(key(&["missing"])), None)
            .resolve()
            .await
            .unwrap_err();
        assert_eq!(
            (error.group(), error.code()),
            (Some("actor"), Some("not_found"))
        );
        let id = handle(&client, Target::Id("a5".into()), None)
            .resolve()
            .await;
        assert_eq!(id.unwrap(), "a5");

        let log = log.lock().unwrap();
        assert_eq!(log.len(), 3, "a handle by id asks nothing");
        assert_eq!(log[0].uri, "/actors?namespace=default");
        assert_eq!(
            body(&log[0]),
            json!({"name": "chatRoom", "key": "x\\/y", "runner_name_selector": "default",
                "crash_policy": "sleep"})
        );
        assert_eq!(
            (log[1].method.as_str(), log[1].uri.as_str()),
            ("GET", "/actors?namespace=default&name=chatRoom&key=here")
        );
    }

    #[tokio::test]
    async fn keys_with_commas_go_by_id() {
        let (client, log) = mock(|seen| match seen.method.as_str() {
            "PUT" => (200, r#"{"actor":{"actor_id":"a1"},"created":false}"#.into()),
            _ => (200, r#"{"output":1}"#.into()),
        })
        .await;
        let room = handle(&client, Target::GetOrCreate(key(&["a,b"])), None);
        assert_eq!(room.action_raw("x", vec![]).await.unwrap(), json!(1));
        let log = log.lock().unwrap();
        assert_eq!(body(&log[0])["key"], "a,b");
        assert_eq!(log[1].uri, "/gateway/a1/action/x");
    }

    #[tokio::test]
    async fn creating_posts_to_the_manager() {
        let (client, log) = mock(|seen| {
            if body(seen)["key"] == "taken" {
                let error = r#"{"group":"actor","code":"already_exists","message":"taken"}"#;
                (400, error.into())
            } else {
                (
                    200,
                    r#"{"actor":{"actor_id":"new-1","name":"chatRoom"}}"#.into(),
                )
            }
        })
        .await;
        assert_eq!(
            client.create_id("chatRoom", &key(&["k"])).await.unwrap(),
            "new-1"
        );
        let error = client
            .create_id("chatRoom", &key(&["taken"]))
            .await
            .unwrap_err();
        assert_eq!(error.code(), Some("already_exists"));
        assert_eq!(log.lock().unwrap()[0].method, "POST");
    }

    #[tokio::test]
    async fn unreachable_servers_are_http_errors() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let client = Client::new(format!("http://{addr}"));
        let error = handle(&client, Target::Id("a".into()), None)
            .action_raw("x", vec![])
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::Http(_)), "{error}");
        let error = handle(&client, Target::Id("a".into()), None)
            .open(None)
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::WebSocket(_)), "{error}");
    }
}
