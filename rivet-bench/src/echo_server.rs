//! The `echo` target: a WebSocket server on hyper and tokio-tungstenite with no framework and no
//! actors, the limit of this machine's transport.
//!
//! It accepts the same URLs as rivet. A socket gets a fixed Init frame, then:
//! - on `/gateway/counter/…` every request frame is answered by a frame of the same size (the
//!   request with its tag byte set to ActionResponse, so that the generator reads its id);
//! - on `/gateway/room/…` a SubscriptionRequest joins the room of that key, and every action
//!   request is answered the same way and also sent, once encoded, to every subscriber of the
//!   room as an Event (its name and arguments).
//!
//! An HTTP POST is answered with its own body; `…/action/disconnects` with the number of closed
//! sockets that had connection params, as rivet's `room.disconnects` does.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Message, Role, WebSocketConfig};

/// The read buffer of each socket, as in rivet's server (tungstenite's default, 128 KiB, stays
/// resident once read into).
const READ_BUFFER_SIZE: usize = 4 * 1024;

/// The sockets subscribed to one room: an id and the socket's outgoing queue.
type Subscribers = Vec<(u64, mpsc::UnboundedSender<Message>)>;

/// The subscribers of each room, by key.
#[derive(Default)]
struct Rooms {
    next_id: AtomicU64,
    rooms: Mutex<HashMap<String, Subscribers>>,
    closed: AtomicU64,
}

/// Serves on `port` until the process is killed.
pub(crate) async fn serve(port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    crate::announce(&format!("http://{}", listener.local_addr()?));
    let rooms = Arc::new(Rooms::default());
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let rooms = rooms.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, rooms.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

fn respond(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
}

async fn handle(
    mut req: Request<Incoming>,
    rooms: Arc<Rooms>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if let Some(key) = req.headers().get("sec-websocket-key") {
        let accept = derive_accept_key(key.as_bytes());
        let room = path.starts_with("/gateway/room/").then(|| {
            req.uri()
                .query()
                .unwrap_or("")
                .split('&')
                .find_map(|pair| pair.strip_prefix("rvt-key="))
                .unwrap_or("")
                .to_owned()
        });
        let with_params = req
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("rivet_conn_params."));
        let upgrade = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            if let Ok(upgraded) = upgrade.await {
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(WebSocketConfig::default().read_buffer_size(READ_BUFFER_SIZE)),
                )
                .await;
                run(ws, room, &rooms).await;
                if with_params {
                    rooms.closed.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let mut response = respond(StatusCode::SWITCHING_PROTOCOLS, Bytes::new());
        let headers = response.headers_mut();
        headers.insert("upgrade", "websocket".parse().expect("header"));
        headers.insert("connection", "Upgrade".parse().expect("header"));
        headers.insert("sec-websocket-protocol", "rivet".parse().expect("header"));
        if let Ok(accept) = accept.parse() {
            headers.insert("sec-websocket-accept", accept);
        }
        return Ok(response);
    }
    let body = match req.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(respond(StatusCode::BAD_REQUEST, Bytes::new())),
    };
    if path.ends_with("/action/disconnects") {
        let count = rooms.closed.load(Ordering::Relaxed);
        let mut out = vec![4, 0, 9, 0x1b];
        out.extend_from_slice(&count.to_be_bytes());
        return Ok(respond(StatusCode::OK, out.into()));
    }
    Ok(respond(StatusCode::OK, body))
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

async fn run(mut ws: Socket, room: Option<String>, rooms: &Rooms) {
    let id = rooms.next_id.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let mut joined = false;
    if ws
        .send(Message::Binary(crate::wire::init_frame().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        let message = tokio::select! {
            message = ws.next() => message,
            Some(out) = rx.recv() => {
                if ws.send(out).await.is_err() {
                    break;
                }
                continue;
            }
        };
        let frame = match message {
            Some(Ok(Message::Binary(frame))) => frame,
            Some(Ok(Message::Close(_))) => continue,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        };
        match (frame.get(2), &room) {
            (Some(1), Some(key)) if !joined => {
                joined = true;
                let mut map = rooms.rooms.lock().expect("rooms lock");
                map.entry(key.clone()).or_default().push((id, tx.clone()));
            }
            (Some(0), _) => {
                if let (Some(key), Some(start)) = (&room, crate::wire::split_action_request(&frame))
                {
                    let mut event = Vec::with_capacity(frame.len());
                    event.extend_from_slice(&[4, 0, 3]);
                    event.extend_from_slice(&frame[start..]);
                    let event = Message::Binary(event.into());
                    let map = rooms.rooms.lock().expect("rooms lock");
                    for (_, subscriber) in map.get(key).into_iter().flatten() {
                        let _ = subscriber.send(event.clone());
                    }
                }
                let mut reply = frame.to_vec();
                reply[2] = 2;
                if ws.send(Message::Binary(reply.into())).await.is_err() {
                    break;
                }
            }
            _ => {}
        }
    }
    if joined && let Some(key) = &room {
        let mut map = rooms.rooms.lock().expect("rooms lock");
        if let Some(list) = map.get_mut(key) {
            list.retain(|(other, _)| *other != id);
            if list.is_empty() {
                map.remove(key);
            }
        }
    }
}
