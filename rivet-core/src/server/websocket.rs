//! One WebSocket connection: the upgrade, a reader that feeds the actor's mailbox, and a writer
//! that owns the outgoing queue and the close handshake. Neither waits on the actor's code.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use super::ServerState;
use super::gateway::resolve;
use crate::protocol::{Encoding, ErrorBody, Frame, ToClient, ToServer};
use crate::runtime::{
    ActionCall, Command, ConnLink, InstanceEntry, Joining, LinkTransport, SubscriptionChange,
};
use crate::{ConnId, Error, Limits, RuntimeError};

/// What the client asked for in its `Sec-WebSocket-Protocol` header.
struct Offer {
    encoding: Result<Encoding, RuntimeError>,
    params: Result<Value, RuntimeError>,
}

fn read_offer(headers: &HeaderMap) -> Offer {
    let tokens: Vec<&str> = headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let encoding = Encoding::from_name(
        tokens
            .iter()
            .find_map(|t| t.strip_prefix("rivet_encoding.")),
    );
    let params = match tokens
        .iter()
        .find_map(|t| t.strip_prefix("rivet_conn_params."))
    {
        None => Ok(Value::Null),
        Some(encoded) => percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| RuntimeError::InvalidParams("they are not JSON".into())),
    };
    Offer { encoding, params }
}

/// `GET /gateway/{target}/connect`: upgrades, then runs the connection.
pub(super) async fn connect(
    State(state): State<Arc<ServerState>>,
    Path(target): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let offer = read_offer(&headers);
    let entry = resolve(&state, &target, &query);
    let limit = state.limits.max_incoming_message_size;
    upgrade
        .protocols(["rivet"])
        .max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(READ_BUFFER_SIZE)
        .on_upgrade(move |socket| async move {
            match (offer.encoding, entry, offer.params) {
                (Err(error), _, _) => refuse(socket, 1003, None, Error::from(error)).await,
                (Ok(encoding), Err(error), _) | (Ok(encoding), Ok(_), Err(error)) => {
                    refuse(socket, 1011, Some(encoding), Error::from(error)).await;
                }
                (Ok(encoding), Ok(entry), Ok(params)) => {
                    run(socket, &state, entry, encoding, params).await;
                }
            }
        })
}

/// Ends a connection that cannot start: an Error message where the encoding is known, then a
/// close with `group.code`.
async fn refuse(mut socket: WebSocket, code: u16, encoding: Option<Encoding>, error: Error) {
    tracing::debug!(error.code = %error.qualified_code(), "websocket refused");
    if let Some(encoding) = encoding {
        let message = ToClient::from(ErrorBody::new(&error, None));
        let _ = socket.send(encode(encoding, &message)).await;
    }
    let frame = close_frame(code, &error.qualified_code());
    let _ = socket.send(Message::Close(Some(frame))).await;
    // Wait briefly for the client's half of the handshake.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

/// A close frame; the reason is cut to the 123 bytes a close frame can carry, at a character
/// boundary.
fn close_frame(code: u16, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(MAX_CLOSE_REASON);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code,
        reason: reason[..end].into(),
    }
}

/// The read buffer of each socket. tungstenite's default (128 KiB) is zero-filled on the first
/// read and stays resident, so that an idle connection would cost over 128 KiB; larger frames
/// are read in several chunks.
const READ_BUFFER_SIZE: usize = 4 * 1024;

/// The longest close reason, in bytes (RFC 6455, section 5.5).
const MAX_CLOSE_REASON: usize = 123;

fn encode(encoding: Encoding, message: &ToClient) -> Message {
    match encoding.encode_to_client(message) {
        Frame::Text(text) => Message::Text(text.into()),
        Frame::Binary(bytes) => Message::Binary(bytes.into()),
    }
}

/// Runs a connection to its end: joins it to the actor, reads until the client leaves, and tells
/// the actor it left.
async fn run(
    socket: WebSocket,
    state: &ServerState,
    entry: Arc<InstanceEntry>,
    encoding: Encoding,
    params: Value,
) {
    let _session = Session::open(state);
    let limits = &state.limits;
    let id = ConnId::new();
    let (link, transport) = ConnLink::socket(
        id.clone(),
        limits.outgoing_queue_capacity,
        limits.close_timeout,
    );
    let gone = transport.gone.clone();
    if entry
        .mailbox
        .send(Command::Connect(Box::new(Joining {
            link: link.clone(),
            params,
        })))
        .is_err()
    {
        refuse(
            socket,
            1011,
            Some(encoding),
            RuntimeError::ActorStopped.into(),
        )
        .await;
        return;
    }
    let (sink, stream) = socket.split();
    let (reader_done, reader_done_rx) = watch::channel(false);
    let writer = tokio::spawn(write(
        sink,
        transport,
        reader_done_rx,
        encoding,
        limits.clone(),
    ));
    let mut writer = WriterTask {
        handle: writer,
        finished: false,
    };
    let shutdown = state.shutdown.subscribe();
    read(
        stream,
        &entry.mailbox,
        &link,
        encoding,
        &mut writer,
        shutdown,
        limits.max_pending_messages,
    )
    .await;
    reader_done.send_replace(true);
    // The writer ends at once now, or after sending a close that is under way (bounded by its
    // close deadline): a close asked for by the reader itself still goes out.
    if !writer.finished {
        let ended = tokio::time::timeout(limits.close_timeout, &mut writer.handle).await;
        if ended.is_err() {
            writer.handle.abort();
        }
    }
    gone.send_replace(true);
    let _ = entry.mailbox.send(Command::Closed { conn: id });
}

/// Counts a running connection, for [`crate::Server::shutdown`] to wait for; it stops counting
/// when dropped, after the actor was told the connection left.
struct Session<'a>(&'a ServerState);

impl<'a> Session<'a> {
    fn open(state: &'a ServerState) -> Self {
        state.sessions.send_modify(|live| *live += 1);
        Self(state)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.0.sessions.send_modify(|live| *live -= 1);
    }
}

/// The writer's task, and whether it is known to have ended.
struct WriterTask {
    handle: tokio::task::JoinHandle<()>,
    finished: bool,
}

/// Reads client messages into the actor's mailbox until the client leaves or the writer gives up.
async fn read(
    mut stream: SplitStream<WebSocket>,
    mailbox: &mpsc::UnboundedSender<Command>,
    link: &ConnLink,
    encoding: Encoding,
    writer: &mut WriterTask,
    mut shutdown: watch::Receiver<bool>,
    max_pending: usize,
) {
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            // The writer finished its close (or its deadline passed): stop reading.
            _ = &mut writer.handle => {
                writer.finished = true;
                return;
            }
            // The server is stopping: close like any server close, and read on until the client
            // answers.
            _ = shutdown.wait_for(|stopping| *stopping), if !link.is_closing() => {
                link.request_close(1001, "ws.going_away".to_owned(), true);
                continue;
            }
        };
        let (bytes, binary) = match message {
            Some(Ok(Message::Text(text))) => (axum::body::Bytes::from(text), false),
            Some(Ok(Message::Binary(bytes))) => (bytes, true),
            // Keep reading after a close frame: that is what sends our half of the handshake.
            Some(Ok(Message::Close(_) | Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Err(error)) => {
                let code = if is_too_long(error) {
                    RuntimeError::IncomingTooLong
                } else {
                    return;
                };
                // The stream cannot be read past a frame it refused: close and stop reading.
                link.request_close(1011, Error::from(code).qualified_code(), false);
                return;
            }
            None => return,
        };
        if link.is_closing() {
            // After a close, frames from the client are ignored.
            continue;
        }
        let decoded = if encoding.accepts(binary) {
            encoding.decode_to_server(&bytes)
        } else {
            Err(format!("a text frame on a {} connection", encoding.name()))
        };
        let pending = link.enqueue(max_pending);
        match (decoded, pending) {
            (Ok(ToServer::ActionRequest { id, name, args }), Some(pending)) => {
                let _ = mailbox.send(Command::Action(Box::new(ActionCall {
                    conn: link.id().clone(),
                    id,
                    name,
                    args,
                    pending,
                })));
            }
            (Ok(ToServer::ActionRequest { id, .. }), None) => {
                // Answered here, without waiting for the actor: the call does not run.
                let error = Error::from(RuntimeError::TooManyPending);
                link.send(ToClient::from(ErrorBody::new(&error, Some(id))));
            }
            (
                Ok(ToServer::SubscriptionRequest {
                    event_name,
                    subscribe,
                }),
                Some(pending),
            ) => {
                let command = Command::Subscribe(Box::new(SubscriptionChange {
                    conn: link.id().clone(),
                    event: event_name,
                    subscribe,
                    pending,
                }));
                let _ = mailbox.send(command);
            }
            (Ok(ToServer::SubscriptionRequest { .. }), None) => {
                tracing::warn!(conn.id = %link.id(), "too many pending messages, closing the connection");
                let error = Error::from(RuntimeError::TooManyPending);
                link.request_close(1011, error.qualified_code(), true);
            }
            (Err(detail), _) => {
                tracing::debug!(conn.id = %link.id(), %detail, "malformed message");
                let error = Error::from(RuntimeError::InvalidRequest(detail));
                link.request_close(1011, error.qualified_code(), true);
            }
        }
    }
}

fn is_too_long(error: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error as WsError;
    matches!(
        error.into_inner().downcast_ref::<WsError>(),
        Some(WsError::Capacity(_))
    )
}

/// Writes queued messages until a close is asked for, then closes within the deadline.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    transport: LinkTransport,
    mut reader_done: watch::Receiver<bool>,
    encoding: Encoding,
    limits: Limits,
) {
    let LinkTransport {
        mut queue,
        mut close,
        ..
    } = transport;
    let request = loop {
        let message = tokio::select! {
            biased;
            request = close.wait_for(Option::is_some) => break request.ok().and_then(|r| r.clone()),
            _ = reader_done.wait_for(|done| *done) => return,
            message = queue.recv() => message,
        };
        let Some(message) = message else { return };
        let sent = tokio::select! {
            biased;
            // A connection closed for not reading must not keep us waiting on a write.
            request = close.wait_for(|r| r.as_ref().is_some_and(|r| !r.flush)) => {
                break request.ok().and_then(|r| r.clone());
            }
            sent = send(&mut sink, encoding, &limits, message) => sent,
        };
        if sent.is_err() {
            return;
        }
    };
    let Some(request) = request else { return };
    let closing = async {
        if request.flush {
            while let Ok(message) = queue.try_recv() {
                if send(&mut sink, encoding, &limits, message).await.is_err() {
                    return;
                }
            }
        }
        let frame = close_frame(request.code, &request.reason);
        if sink.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        // The client's half of the handshake ends the reader.
        let _ = reader_done.wait_for(|done| *done).await;
    };
    let _ = tokio::time::timeout(limits.close_timeout, closing).await;
}

/// Encodes and sends one message, replacing an action response over the outgoing limit with an
/// error for that action.
async fn send(
    sink: &mut SplitSink<WebSocket, Message>,
    encoding: Encoding,
    limits: &Limits,
    message: ToClient,
) -> Result<(), axum::Error> {
    let mut frame = encode(encoding, &message);
    if frame_len(&frame) > limits.max_outgoing_message_size {
        match message {
            ToClient::ActionResponse { id, .. } => {
                let error = Error::from(RuntimeError::OutgoingTooLong);
                frame = encode(encoding, &ToClient::from(ErrorBody::new(&error, Some(id))));
            }
            _ => {
                tracing::warn!("outgoing message over the limit, dropped");
                return Ok(());
            }
        }
    }
    sink.send(frame).await
}

fn frame_len(frame: &Message) -> usize {
    match frame {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) => bytes.len(),
        _ => 0,
    }
}
