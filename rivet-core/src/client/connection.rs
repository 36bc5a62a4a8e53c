//! A realtime connection to one actor: a WebSocket owned by a background task, actions matched to
//! their answers by id, and events routed to streams.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::protocol::Value as WireValue;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};

use super::events::{EventRouter, EventStream};
use super::http::{USER_AGENT, chain, describe_status};
use super::url::encode_uri_component;
use super::{ClientError, codec};
use crate::Actor;
use crate::protocol::{Encoding, ErrorBody, ToClient, ToServer};

/// How long the TCP connection and the upgrade may take.
const UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the server may take to accept the connection (its connect hooks run meanwhile).
const INIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a close handshake may take, ours or the server's.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(3);
/// The largest message accepted from the server: generous, so that the server's limits are the
/// ones that apply.
const MAX_MESSAGE_SIZE: usize = 64 << 20;

/// The close code for a socket that ended without a close frame.
const ABNORMAL: u16 = 1006;
/// The close code for a close frame without a code.
const NO_STATUS: u16 = 1005;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a connection ended: the close code and reason the server sent.
///
/// A socket that ended without a close frame has code 1006 and an empty reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The close code, such as 1000 (normal) or 1011 (the server refused or failed).
    pub code: u16,
    /// The close reason: free text from the server (`conn.disconnect(reason)`), or `group.code`
    /// of the error that closed the connection.
    pub reason: String,
}

impl CloseInfo {
    fn abnormal() -> Self {
        Self {
            code: ABNORMAL,
            reason: String::new(),
        }
    }

    fn from_frame(frame: Option<CloseFrame>) -> Self {
        match frame {
            Some(frame) => Self {
                code: frame.code.into(),
                reason: frame.reason.to_string(),
            },
            None => Self {
                code: NO_STATUS,
                reason: String::new(),
            },
        }
    }
}

/// A realtime connection to one actor, made by [`ActorHandle::connect`](super::ActorHandle::connect).
///
/// Actions called on it run over the WebSocket, in the connection's own server-side state;
/// [`events`](Self::events) subscribes to what the actor broadcasts or sends to it. The socket
/// belongs to a background task, so the connection is cheap to share by reference across tasks
/// (it is `Sync`); it is not `Clone`.
///
/// There is no automatic reconnection: once closed, a connection stays closed, and a new one is
/// made with [`connect`](super::ActorHandle::connect). Dropping a connection closes it like
/// [`disconnect`](Self::disconnect), without waiting.
///
/// ```no_run
/// use futures::StreamExt;
/// use rivet_core::Actor;
/// use rivet_core::client::{Client, ClientError};
/// use serde_json::json;
///
/// # #[allow(dead_code)] // only compiled
/// async fn chat<A: Actor>(client: &Client) -> Result<(), ClientError> {
///     let conn = client.get_or_create::<A>(["lobby"]).connect().await?;
///     let mut messages = conn.events::<String>("message");
///     conn.action_raw("post", vec![json!("hello")]).await?;
///     if let Some(line) = messages.next().await {
///         println!("{line}");
///     }
///     conn.disconnect().await;
///     Ok(())
/// }
/// ```
pub struct Connection<A> {
    raw: RawConnection,
    _actor: PhantomData<fn() -> A>,
}

impl<A> fmt::Debug for Connection<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl<A: Actor> Connection<A> {
    pub(super) fn new(raw: RawConnection) -> Self {
        Self {
            raw,
            _actor: PhantomData,
        }
    }

    /// The id of the actor instance this connection reached.
    pub fn actor_id(&self) -> &str {
        &self.raw.actor_id
    }

    /// This connection's id on the server.
    pub fn connection_id(&self) -> &str {
        &self.raw.connection_id
    }

    /// Calls an action by its wire name with JSON arguments, over the socket.
    ///
    /// Fails with [`ClientError::Actor`] when the action returns an error, and with
    /// [`ClientError::Closed`] when the connection closes before the answer (or was closed
    /// already). The generated typed methods (`conn.post(…)`) call this.
    pub async fn action_raw(&self, name: &str, args: Vec<Value>) -> Result<Value, ClientError> {
        let output = self
            .raw
            .shared
            .call(name, codec::from_json_args(args))
            .await?;
        Ok(codec::to_json(output))
    }

    /// Calls an action with wire values: what the typed methods use.
    pub(super) async fn call_wire(
        &self,
        name: &str,
        args: Vec<WireValue>,
    ) -> Result<WireValue, ClientError> {
        self.raw.shared.call(name, args).await
    }

    /// A stream of the events named `name`, each payload decoded into `T`.
    ///
    /// The first stream of a name subscribes to it on the server; dropping the last one
    /// unsubscribes. Events of that name that arrived before its first stream (for instance those
    /// the actor's `on_connect` sent, right after the connection opened) are handed to that first
    /// stream, in order (at most 1024 such events are kept across all names). Several streams of
    /// one name each receive every event.
    pub fn events<T: DeserializeOwned>(&self, name: &str) -> EventStream<T> {
        self.raw.events(&[name], false)
    }

    /// One stream of the events of several names, in the order the server sent them (streams
    /// of one name each, merged, would lose the order between names). Each event decodes into
    /// `T` from `{name: payload}`, which is what serde reads as a variant of an enum: one variant
    /// per name, holding that event's payload. Subscribing, unsubscribing and early events work
    /// as for [`events`](Self::events).
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use rivet_core::Actor;
    /// use rivet_core::client::Connection;
    ///
    /// #[derive(serde::Deserialize)]
    /// #[serde(rename_all = "snake_case")]
    /// enum RoomEvent {
    ///     Joined(String),
    ///     Message { from: String, text: String },
    /// }
    ///
    /// # #[allow(dead_code)] // only compiled
    /// async fn print_room<A: Actor>(conn: &Connection<A>) {
    ///     let mut events = conn.events_of::<RoomEvent>(&["joined", "message"]);
    ///     while let Some(event) = events.next().await {
    ///         match event {
    ///             RoomEvent::Joined(user) => println!("{user} joined"),
    ///             RoomEvent::Message { from, text } => println!("{from}: {text}"),
    ///         }
    ///     }
    /// }
    /// ```
    pub fn events_of<T: DeserializeOwned>(&self, names: &[&str]) -> EventStream<T> {
        assert!(!names.is_empty(), "events_of needs at least one event name");
        self.raw.events(names, true)
    }

    /// Resolves when the socket has closed, by either side, with the server's close code and
    /// reason. May be awaited many times, also concurrently.
    pub async fn closed(&self) -> CloseInfo {
        self.raw.shared.closed().await
    }

    /// How the connection closed, or `None` while it is open.
    pub fn close_info(&self) -> Option<CloseInfo> {
        self.raw.close_info()
    }

    /// Closes the connection (code 1000, reason `Disposed`) and waits, at most about three
    /// seconds, for the server to finish the close handshake. Calls still waiting for an answer
    /// fail with [`ClientError::Closed`].
    pub async fn disconnect(self) {
        self.raw.disconnect().await;
    }
}

/// The connection without its actor type: what [`Connection`] wraps.
pub(super) struct RawConnection {
    actor_id: Arc<str>,
    connection_id: Arc<str>,
    shared: Arc<Shared>,
}

impl fmt::Debug for RawConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        let last_error = state
            .last_error
            .as_ref()
            .map(|e| format!("{}.{}", e.group, e.code));
        f.debug_struct("Connection")
            .field("actor_id", &self.actor_id)
            .field("connection_id", &self.connection_id)
            .field("pending_actions", &state.pending.len())
            .field("close", &state.close)
            .field("last_error", &last_error)
            .finish_non_exhaustive()
    }
}

impl Drop for RawConnection {
    fn drop(&mut self) {
        // Harmless when the socket is already closing or gone.
        let _ = self.shared.outgoing.send(Outgoing::Dispose);
    }
}

impl RawConnection {
    fn events<T: DeserializeOwned>(&self, names: &[&str], tagged: bool) -> EventStream<T> {
        let registration = {
            let mut state = self.shared.lock();
            let registration = state.events.add(names);
            for name in &registration.subscribe {
                self.shared.send(&ToServer::SubscriptionRequest {
                    event_name: name.clone(),
                    subscribe: true,
                });
            }
            registration
        };
        let names = names.iter().map(|name| (*name).to_owned()).collect();
        EventStream::new(names, tagged, registration, self.shared.clone())
    }

    fn close_info(&self) -> Option<CloseInfo> {
        self.shared.closed.borrow().clone()
    }

    async fn disconnect(self) {
        let _ = self.shared.outgoing.send(Outgoing::Dispose);
        let wait = CLOSE_TIMEOUT + Duration::from_millis(500);
        let _ = timeout(wait, self.shared.closed()).await;
    }

    /// Opens a connection at `url` (a `ws://…/connect` gateway URL) and waits for the server to
    /// accept it.
    pub(super) async fn open(
        url: String,
        encoding: Encoding,
        params: Option<&str>,
    ) -> Result<Self, ClientError> {
        let mut socket = upgrade(url, encoding, params).await?;
        let mut early_events = Vec::new();
        let init = wait_for_init(&mut socket, encoding, &mut early_events);
        let (actor_id, connection_id) = match timeout(INIT_TIMEOUT, init).await {
            Ok(Ok(ids)) => ids,
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                let _ = timeout(CLOSE_TIMEOUT, socket.close(None)).await;
                return Err(ClientError::WebSocket(
                    "timed out waiting for the server to accept the connection".into(),
                ));
            }
        };
        tracing::debug!(actor.id = %actor_id, conn.id = %connection_id, "connected");
        let (outgoing, outgoing_rx) = mpsc::unbounded_channel();
        let mut state = State::default();
        for event in early_events {
            state.events.dispatch(event);
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            closed: watch::Sender::new(None),
            outgoing,
            encoding,
        });
        tokio::spawn(run(socket, shared.clone(), outgoing_rx));
        Ok(Self {
            actor_id,
            connection_id,
            shared,
        })
    }
}

/// The upgrade: the gateway URL, with the encoding and the params in `Sec-WebSocket-Protocol`.
async fn upgrade(
    url: String,
    encoding: Encoding,
    params: Option<&str>,
) -> Result<Socket, ClientError> {
    let mut request = url
        .into_client_request()
        .map_err(|error| ClientError::WebSocket(format!("invalid url: {error}")))?;
    let mut protocols = format!("rivet,rivet_encoding.{}", codec::name(encoding));
    if let Some(params) = params {
        protocols.push_str(",rivet_conn_params.");
        protocols.push_str(&encode_uri_component(params));
    }
    let headers = request.headers_mut();
    // Percent-encoded, so always a valid header value; the error never shows the params.
    let protocols = HeaderValue::from_str(&protocols).map_err(|_| {
        ClientError::WebSocket("the connection params do not fit in a header".into())
    })?;
    headers.insert(header::SEC_WEBSOCKET_PROTOCOL, protocols);
    headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_SIZE))
        .max_frame_size(Some(MAX_MESSAGE_SIZE));
    match timeout(
        UPGRADE_TIMEOUT,
        connect_async_with_config(request, Some(config), true),
    )
    .await
    {
        Ok(Ok((socket, _response))) => Ok(socket),
        Ok(Err(error)) => Err(upgrade_error(error, encoding)),
        Err(_) => Err(ClientError::WebSocket(
            "timed out opening the websocket".into(),
        )),
    }
}

/// A refused upgrade: the protocol error its body carries, if any.
fn upgrade_error(error: tungstenite::Error, encoding: Encoding) -> ClientError {
    match error {
        tungstenite::Error::Http(response) => {
            let body = response.body().as_deref().unwrap_or_default();
            match codec::decode_error(encoding, body) {
                Ok(body) => ClientError::from_body(body),
                Err(_) => ClientError::WebSocket(format!(
                    "upgrade refused: {}",
                    describe_status(response.status(), body)
                )),
            }
        }
        other => ClientError::WebSocket(chain(&other)),
    }
}

/// Reads until the server's `Init`. A refusal is an `Error` message followed by a close; a close
/// without it is [`ClientError::Closed`].
async fn wait_for_init(
    socket: &mut Socket,
    encoding: Encoding,
    early_events: &mut Vec<Arc<crate::protocol::message::EventBody>>,
) -> Result<(Arc<str>, Arc<str>), ClientError> {
    let mut refusal: Option<ErrorBody> = None;
    loop {
        let next = if refusal.is_some() {
            // The close should follow the refusal right away; do not wait long for it.
            timeout(CLOSE_TIMEOUT, socket.next()).await.unwrap_or(None)
        } else {
            socket.next().await
        };
        let ended = |info: CloseInfo, refusal: Option<ErrorBody>| match refusal {
            Some(body) => ClientError::from_body(body),
            None => ClientError::Closed(info),
        };
        let bytes = match next {
            Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
            Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
            Some(Ok(Message::Close(frame))) => {
                finish_close(socket).await;
                return Err(ended(CloseInfo::from_frame(frame), refusal));
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                tracing::debug!(error = %chain(&error), "websocket failed before the connection opened");
                return Err(ended(CloseInfo::abnormal(), refusal));
            }
            None => return Err(ended(CloseInfo::abnormal(), refusal)),
        };
        match codec::decode_message(encoding, &bytes) {
            Ok(ToClient::Init {
                actor_id,
                connection_id,
            }) if refusal.is_none() => {
                return Ok((actor_id, connection_id));
            }
            Ok(ToClient::Error(body)) if body.action_id.is_none() => refusal = Some(*body),
            Ok(ToClient::Event(event)) => early_events.push(event),
            Ok(_) => tracing::debug!("unexpected message before the connection opened; ignored"),
            Err(error) => {
                let _ = timeout(CLOSE_TIMEOUT, socket.close(None)).await;
                return Err(ClientError::Decode(format!(
                    "the server sent an invalid message: {error}"
                )));
            }
        }
    }
}

/// Reads to the end of a closing socket, so that our half of the close handshake goes out.
async fn finish_close(socket: &mut Socket) {
    let _ = timeout(CLOSE_TIMEOUT, async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

/// What the connection handle asks of the socket task.
#[derive(Debug)]
enum Outgoing {
    /// A message to send.
    Frame(Message),
    /// Close the connection (code 1000, `Disposed`).
    Dispose,
}

/// What the connection handle, its event streams and the socket task share.
pub(super) struct Shared {
    state: Mutex<State>,
    /// `Some` once the socket has closed.
    closed: watch::Sender<Option<CloseInfo>>,
    outgoing: mpsc::UnboundedSender<Outgoing>,
    encoding: Encoding,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("closed", &*self.closed.borrow())
            .finish_non_exhaustive()
    }
}

/// Mutable connection state. The lock is never held across an await.
#[derive(Debug, Default)]
struct State {
    next_action: u64,
    pending: HashMap<u64, oneshot::Sender<Result<WireValue, ClientError>>>,
    events: EventRouter,
    close: Option<CloseInfo>,
    /// The last connection-level error (an `Error` without an action id) after the connection
    /// opened.
    last_error: Option<ErrorBody>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a message for the socket task.
    fn send(&self, message: &ToServer) {
        let _ = self.outgoing.send(Outgoing::Frame(codec::encode_message(
            self.encoding,
            message,
        )));
    }

    async fn closed(&self) -> CloseInfo {
        let mut closed = self.closed.subscribe();
        match closed.wait_for(Option::is_some).await {
            Ok(info) => info.clone().unwrap_or_else(CloseInfo::abnormal),
            Err(_) => CloseInfo::abnormal(),
        }
    }

    async fn call(&self, name: &str, args: Vec<WireValue>) -> Result<WireValue, ClientError> {
        let (answer, answered) = oneshot::channel();
        let id = {
            let mut state = self.lock();
            if let Some(info) = &state.close {
                return Err(ClientError::Closed(info.clone()));
            }
            let id = state.next_action;
            state.next_action += 1;
            state.pending.insert(id, answer);
            self.send(&ToServer::ActionRequest {
                id,
                name: name.to_owned(),
                args,
            });
            id
        };
        let mut pending = PendingCall {
            shared: self,
            id: Some(id),
        };
        let result = answered.await;
        pending.id = None;
        match result {
            Ok(result) => result,
            Err(_) => Err(ClientError::Closed(
                self.closed
                    .borrow()
                    .clone()
                    .unwrap_or_else(CloseInfo::abnormal),
            )),
        }
    }

    /// An event stream was dropped: unsubscribe when it was the last of its name.
    pub(super) fn drop_stream(&self, name: &str, id: u64) {
        let mut state = self.lock();
        if state.events.remove(name, id) && state.close.is_none() {
            self.send(&ToServer::SubscriptionRequest {
                event_name: name.to_owned(),
                subscribe: false,
            });
        }
    }

    /// Handles one message from the server.
    fn receive(&self, bytes: &[u8]) {
        let message = match codec::decode_message(self.encoding, bytes) {
            Ok(message) => message,
            Err(error) => {
                tracing::debug!(%error, "undecodable message from the server");
                if let Some(id) = codec::undecodable_response_id(self.encoding, bytes) {
                    self.answer(
                        id,
                        Err(ClientError::Decode(format!("the action's output: {error}"))),
                    );
                }
                return;
            }
        };
        match message {
            ToClient::ActionResponse { id, output } => self.answer(id, Ok(output)),
            ToClient::Error(body) => match body.action_id {
                Some(id) => self.answer(id, Err(ClientError::from_body(*body))),
                None => {
                    tracing::debug!(error.group = %body.group, error.code = %body.code, "connection error from the server");
                    self.lock().last_error = Some(*body);
                }
            },
            ToClient::Event(event) => self.lock().events.dispatch(event),
            ToClient::Init { .. } => tracing::debug!("repeated init message; ignored"),
        }
    }

    fn answer(&self, id: u64, result: Result<WireValue, ClientError>) {
        let waiting = self.lock().pending.remove(&id);
        match waiting {
            // The caller may have given up waiting: nothing to do then.
            Some(waiting) => drop(waiting.send(result)),
            None => tracing::debug!(action.id = id, "answer to no call in flight; dropped"),
        }
    }

    /// The socket has closed: fail the calls in flight, end the event streams, wake `closed()`.
    fn finish(&self, info: CloseInfo) {
        let pending = {
            let mut state = self.lock();
            if state.close.is_some() {
                return;
            }
            state.close = Some(info.clone());
            // Published before the streams end, so that whoever sees a stream end also sees why.
            self.closed.send_replace(Some(info.clone()));
            state.events.close();
            std::mem::take(&mut state.pending)
        };
        tracing::debug!(close.code = info.code, close.reason = %info.reason, "connection closed");
        for (_, waiting) in pending {
            let _ = waiting.send(Err(ClientError::Closed(info.clone())));
        }
    }
}

/// Forgets a call whose caller stopped waiting before its answer.
struct PendingCall<'a> {
    shared: &'a Shared,
    id: Option<u64>,
}

impl Drop for PendingCall<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.shared.lock().pending.remove(&id);
        }
    }
}

/// Finishes the connection however the socket task ends, panics included.
struct FinishGuard {
    shared: Arc<Shared>,
    info: Option<CloseInfo>,
}

impl Drop for FinishGuard {
    fn drop(&mut self) {
        self.shared
            .finish(self.info.take().unwrap_or_else(CloseInfo::abnormal));
    }
}

/// The socket task: runs the connection to its end.
async fn run(
    mut socket: Socket,
    shared: Arc<Shared>,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
) {
    let mut guard = FinishGuard {
        shared: shared.clone(),
        info: None,
    };
    guard.info = Some(drive(&mut socket, &shared, &mut outgoing).await);
}

/// Reads server messages and writes queued ones until the socket closes; returns how it closed.
async fn drive(
    socket: &mut Socket,
    shared: &Shared,
    outgoing: &mut mpsc::UnboundedReceiver<Outgoing>,
) -> CloseInfo {
    // Set once our close frame went out: the server has until then to answer it.
    let mut deadline: Option<Instant> = None;
    loop {
        tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => shared.receive(text.as_bytes()),
                Some(Ok(Message::Binary(bytes))) => shared.receive(&bytes),
                Some(Ok(Message::Close(frame))) => {
                    let info = CloseInfo::from_frame(frame);
                    finish_close(socket).await;
                    return info;
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::debug!(error = %chain(&error), "websocket failed");
                    return CloseInfo::abnormal();
                }
                None => return CloseInfo::abnormal(),
            },
            command = outgoing.recv(), if deadline.is_none() => {
                let message = match command {
                    Some(Outgoing::Frame(message)) => message,
                    // The handle is gone (`None`) or asked to close.
                    Some(Outgoing::Dispose) | None => {
                        deadline = Some(Instant::now() + CLOSE_TIMEOUT);
                        Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "Disposed".into() }))
                    }
                };
                if let Err(error) = socket.send(message).await {
                    tracing::debug!(error = %chain(&error), "websocket write failed");
                    return CloseInfo::abnormal();
                }
            },
            () = sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                tracing::debug!("the server did not answer our close in time");
                return CloseInfo::abnormal();
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_frames_become_close_info() {
        let frame = CloseFrame {
            code: CloseCode::Away,
            reason: "ws.going_away".into(),
        };
        assert_eq!(
            CloseInfo::from_frame(Some(frame)),
            CloseInfo {
                code: 1001,
                reason: "ws.going_away".into()
            }
        );
        assert_eq!(
            CloseInfo::from_frame(None),
            CloseInfo {
                code: 1005,
                reason: String::new()
            },
            "a close frame without a code"
        );
        assert_eq!(
            CloseInfo::abnormal(),
            CloseInfo {
                code: 1006,
                reason: String::new()
            },
            "no close frame at all"
        );
    }
}
