//! One WebSocket connection: the upgrade, the refusal of a connection that cannot start, and the
//! join to the actor; [`super::socket`] drives the joined socket.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::StreamExt;
use serde_json::Value;

use super::ServerState;
use super::gateway::resolve;
use super::reply::rejected;
use super::socket::Socket;
use crate::protocol::{Encoding, ErrorBody, Frame, ToClient};
use crate::runtime::{Command, ConnLink, InstanceEntry, Joining};
use crate::{ConnId, Error, RuntimeError};

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
    target: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (Path(target), upgrade) = match (target, upgrade) {
        (Ok(target), Ok(upgrade)) => (target, upgrade),
        (Err(rejection), _) => return rejected(rejection),
        (_, Err(rejection)) => return rejected(rejection),
    };
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
pub(super) fn close_frame(code: u16, reason: &str) -> CloseFrame {
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

pub(super) fn encode(encoding: Encoding, message: &ToClient) -> Message {
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
    let driven = Socket {
        socket,
        transport,
        link: &link,
        mailbox: &entry.mailbox,
        encoding,
        limits,
        shutdown: state.shutdown.subscribe(),
    };
    driven.drive().await;
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
