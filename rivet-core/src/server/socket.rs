//! One joined WebSocket, driven by a single task: client messages go to the actor's mailbox,
//! queued messages go to the client, and a close runs its handshake within a deadline. Nothing
//! here waits on the actor's code.
//!
//! One task rather than a reader and a writer: the socket is never shared between threads (no
//! lock on it, no cross-thread wakeups per message), and an idle connection costs one task.

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, timeout_at};

use super::websocket::{close_frame, encode};
use crate::protocol::{Encoding, ErrorBody, ToClient, ToServer};
use crate::runtime::{
    ActionCall, Command, ConnLink, LinkTransport, SubscriptionChange, link::CloseRequest,
};
use crate::{Error, Limits, RuntimeError};

/// The most messages written before one flush: a burst goes out with few system calls, and a
/// long one still reaches the client in steady steps.
const MAX_BATCH: usize = 64;

/// What woke the connection's task.
enum Wake {
    Incoming(Option<Result<Message, axum::Error>>),
    Outgoing(ToClient),
    Close(Option<CloseRequest>),
    ServerStopping,
    Deadline,
}

/// A joined connection's socket and the ends of its link.
pub(super) struct Socket<'a> {
    pub(super) socket: WebSocket,
    pub(super) transport: LinkTransport,
    pub(super) link: &'a ConnLink,
    pub(super) mailbox: &'a mpsc::UnboundedSender<Command>,
    pub(super) encoding: Encoding,
    pub(super) limits: &'a Limits,
    pub(super) shutdown: watch::Receiver<bool>,
}

impl Socket<'_> {
    /// Runs until the client left, the socket broke, or a close finished or ran out of time.
    pub(super) async fn drive(mut self) {
        // Whether the socket can still be read: not after a frame it refused.
        let mut reading = true;
        // Set once a close is under way: the handshake must end by then.
        let mut deadline: Option<Instant> = None;
        loop {
            let closing = deadline.is_some();
            let wake = tokio::select! {
                biased;
                request = self.transport.close.wait_for(Option::is_some), if !closing => {
                    Wake::Close(request.ok().and_then(|request| request.clone()))
                }
                () = sleep_until(deadline), if closing => Wake::Deadline,
                _ = self.shutdown.wait_for(|stopping| *stopping), if !self.link.is_closing() => {
                    Wake::ServerStopping
                }
                Some(message) = self.transport.queue.recv(), if !closing => Wake::Outgoing(message),
                message = self.socket.next(), if reading => Wake::Incoming(message),
            };
            match wake {
                Wake::Incoming(message) => match self.incoming(message) {
                    Read::Continue => {}
                    Read::Ended => return,
                    Read::Refused => reading = false,
                },
                Wake::Outgoing(message) => {
                    if !self.send_interruptible(message).await {
                        return;
                    }
                }
                Wake::Close(request) => {
                    let Some(request) = request else { return };
                    let until = Instant::now() + self.limits.close_timeout;
                    deadline = Some(until);
                    let sent = timeout_at(until, self.close(&request)).await;
                    if !matches!(sent, Ok(true)) || !reading {
                        // The socket broke, the deadline passed, or the client's half of the
                        // handshake cannot be read: end now.
                        return;
                    }
                }
                Wake::ServerStopping => {
                    // Close like any server close, and read on until the client answers.
                    self.link
                        .request_close(1001, "ws.going_away".to_owned(), true);
                }
                Wake::Deadline => return,
            }
        }
    }

    /// Handles one read from the socket.
    fn incoming(&mut self, message: Option<Result<Message, axum::Error>>) -> Read {
        let (bytes, binary) = match message {
            Some(Ok(Message::Text(text))) => (axum::body::Bytes::from(text), false),
            Some(Ok(Message::Binary(bytes))) => (bytes, true),
            // Keep reading after a close frame: that is what sends our half of the handshake.
            Some(Ok(Message::Close(_) | Message::Ping(_) | Message::Pong(_))) => {
                return Read::Continue;
            }
            Some(Err(error)) => {
                let Some((code, error)) = refusal(&error) else {
                    return Read::Ended;
                };
                // The stream cannot be read past a frame it refused: close without reading on.
                tracing::debug!(conn.id = %self.link.id(), code, %error, "refused a frame");
                self.link.request_close(code, error.qualified_code(), false);
                return Read::Refused;
            }
            None => return Read::Ended,
        };
        if self.link.is_closing() {
            // After a close, frames from the client are ignored.
            return Read::Continue;
        }
        let encoding = self.encoding;
        let decoded = if encoding.accepts(binary) {
            encoding.decode_to_server(&bytes)
        } else {
            Err(format!("a text frame on a {} connection", encoding.name()))
        };
        self.dispatch(decoded);
        Read::Continue
    }

    /// Passes a decoded client message to the actor, or answers it here when it cannot go.
    fn dispatch(&self, decoded: Result<ToServer, String>) {
        let link = self.link;
        let pending = link.enqueue(self.limits.max_pending_messages);
        match (decoded, pending) {
            (Ok(ToServer::ActionRequest { id, name, args }), Some(pending)) => {
                let call = ActionCall {
                    conn: link.id().clone(),
                    id,
                    name,
                    args,
                    pending,
                };
                let _ = self.mailbox.send(Command::Action(Box::new(call)));
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
                let change = SubscriptionChange {
                    conn: link.id().clone(),
                    event: event_name,
                    subscribe,
                    pending,
                };
                let _ = self.mailbox.send(Command::Subscribe(Box::new(change)));
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

    /// Sends `first` and what is queued behind it; a close that drops the queue (a client that
    /// stopped reading) interrupts the write. False when the connection must end.
    async fn send_interruptible(&mut self, first: ToClient) -> bool {
        let Self {
            socket,
            transport,
            encoding,
            limits,
            ..
        } = self;
        let LinkTransport { queue, close, .. } = transport;
        tokio::select! {
            biased;
            // Not consumed: the loop sees the request next and starts the close.
            _ = close.wait_for(|r| r.as_ref().is_some_and(|r| !r.flush)) => true,
            sent = send_batch(socket, queue, *encoding, limits, first) => sent.is_ok(),
        }
    }

    /// Sends what is queued (for a flushing close), then the close frame. False when the socket
    /// broke.
    async fn close(&mut self, request: &CloseRequest) -> bool {
        if request.flush {
            while let Ok(message) = self.transport.queue.try_recv() {
                let queue = &mut self.transport.queue;
                if send_batch(&mut self.socket, queue, self.encoding, self.limits, message)
                    .await
                    .is_err()
                {
                    return false;
                }
            }
        }
        let frame = close_frame(request.code, &request.reason);
        self.socket.send(Message::Close(Some(frame))).await.is_ok()
    }
}

/// What a read from the socket leads to.
enum Read {
    Continue,
    /// The client left or the socket broke.
    Ended,
    /// The socket refused a frame and cannot be read any further.
    Refused,
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The close code and error for a frame the WebSocket layer refused; `None` when the socket
/// broke instead.
fn refusal(error: &axum::Error) -> Option<(u16, Error)> {
    use std::error::Error as _;
    use tokio_tungstenite::tungstenite::Error as WsError;
    let (code, refused) = match error.source()?.downcast_ref::<WsError>()? {
        WsError::Capacity(_) => (1011, RuntimeError::IncomingTooLong),
        // Its text names the rule (an unmasked frame, reserved bits, an unknown opcode, a stray
        // continuation), never the payload.
        WsError::Protocol(violation) => (
            1002,
            RuntimeError::InvalidRequest(format!("websocket protocol: {violation}")),
        ),
        // Not the offending bytes: they may be part of a credential.
        WsError::Utf8(_) => (
            1007,
            RuntimeError::InvalidRequest("a text frame that is not UTF-8".to_owned()),
        ),
        _ => return None,
    };
    Some((code, Error::from(refused)))
}

/// Sends `first` and whatever else is queued already (up to [`MAX_BATCH`]), then flushes once.
async fn send_batch(
    socket: &mut WebSocket,
    queue: &mut mpsc::Receiver<ToClient>,
    encoding: Encoding,
    limits: &Limits,
    first: ToClient,
) -> Result<(), axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(message) = next.take() {
        if let Some(frame) = encode_within_limit(encoding, limits, message) {
            socket.feed(frame).await?;
        }
        written += 1;
        if written < MAX_BATCH {
            next = queue.try_recv().ok();
        }
    }
    socket.flush().await
}

/// Encodes one message; an action response over the outgoing limit becomes an error for that
/// action, and any other message over it is dropped.
fn encode_within_limit(encoding: Encoding, limits: &Limits, message: ToClient) -> Option<Message> {
    let frame = encode(encoding, &message);
    if frame_len(&frame) <= limits.max_outgoing_message_size {
        return Some(frame);
    }
    match message {
        ToClient::ActionResponse { id, .. } => {
            let error = Error::from(RuntimeError::OutgoingTooLong);
            let body = ErrorBody::new(&error, Some(id));
            Some(encode(encoding, &ToClient::from(body)))
        }
        _ => {
            tracing::warn!("outgoing message over the limit, dropped");
            None
        }
    }
}

fn frame_len(frame: &Message) -> usize {
    match frame {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) => bytes.len(),
        _ => 0,
    }
}
