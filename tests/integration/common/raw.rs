//! A raw WebSocket client that speaks the JSON protocol by hand, for what the Rust client hides:
//! pipelined messages, resets, closes without a status code, clients that never read.

use std::net::SocketAddr;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{encode_uri_component, gateway, within};

/// One message from the server, decoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    Init {
        actor_id: String,
        connection_id: String,
    },
    Error {
        group: String,
        code: String,
        message: String,
        metadata: Option<Value>,
        action_id: Value,
    },
    Response {
        id: u64,
        output: Value,
    },
    Event {
        name: String,
        args: Vec<Value>,
    },
    /// A close frame: `None` when it had no status code.
    Close(Option<(u16, String)>),
    /// The socket ended.
    End,
}

impl Frame {
    /// The close frame `code` with `reason`.
    pub(crate) fn close(code: u16, reason: &str) -> Self {
        Self::Close(Some((code, reason.to_owned())))
    }

    /// An event with one payload.
    pub(crate) fn event(name: &str, payload: Value) -> Self {
        Self::Event {
            name: name.to_owned(),
            args: vec![payload],
        }
    }
}

/// A raw connection.
pub(crate) struct Raw {
    ws: WebSocketStream<TcpStream>,
    /// The text of the last data frame received.
    pub(crate) last_text: String,
}

impl Raw {
    /// Opens the socket to `/gateway/<actor>/connect` with the key and `params` (JSON), without
    /// waiting for anything from the server.
    pub(crate) async fn open(
        addr: SocketAddr,
        actor: &str,
        key: &str,
        params: Option<&Value>,
    ) -> Self {
        let mut protocols = "rivet, rivet_encoding.json".to_owned();
        if let Some(params) = params {
            protocols.push_str(", rivet_conn_params.");
            protocols.push_str(&encode_uri_component(&params.to_string()));
        }
        Self::open_path(addr, &gateway(actor, key, "connect"), &protocols).await
    }

    /// Opens the socket at `path` with this `Sec-WebSocket-Protocol` header.
    pub(crate) async fn open_path(addr: SocketAddr, path: &str, protocols: &str) -> Self {
        within("a raw websocket", async {
            let mut request = format!("ws://{addr}{path}")
                .into_client_request()
                .expect("a request");
            request.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_str(protocols).expect("a header"),
            );
            let stream = TcpStream::connect(addr).await.expect("tcp connect");
            stream.set_nodelay(true).expect("nodelay");
            let (ws, response) = tokio_tungstenite::client_async(request, stream)
                .await
                .expect("the upgrade");
            assert_eq!(
                response
                    .headers()
                    .get("sec-websocket-protocol")
                    .map(|v| v.as_bytes()),
                Some(&b"rivet"[..])
            );
            Self {
                ws,
                last_text: String::new(),
            }
        })
        .await
    }

    /// Opens the socket and waits for Init; returns the connection id.
    pub(crate) async fn join(
        addr: SocketAddr,
        actor: &str,
        key: &str,
        params: Option<&Value>,
    ) -> (Self, String) {
        let mut raw = Self::open(addr, actor, key, params).await;
        match raw.next().await {
            Frame::Init { connection_id, .. } => (raw, connection_id),
            other => panic!("expected Init, got {other:?}"),
        }
    }

    /// A probe connection labelled `label`, joined.
    pub(crate) async fn probe(addr: SocketAddr, key: &str, label: &str) -> Self {
        Self::join(addr, "probe", key, Some(&json!({ "label": label })))
            .await
            .0
    }

    pub(crate) async fn send_text(&mut self, text: String) {
        within("a write", self.ws.send(Message::Text(text.into())))
            .await
            .expect("the frame is sent");
    }

    /// Sends a binary frame as it is.
    pub(crate) async fn send_binary(&mut self, bytes: Vec<u8>) {
        within("a write", self.ws.send(Message::Binary(bytes.into())))
            .await
            .expect("the frame is sent");
    }

    /// Writes `bytes` to the TCP stream as they are: a frame that breaks the WebSocket protocol.
    pub(crate) async fn send_raw_frame(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let stream = self.ws.get_mut();
        within("a raw frame", stream.write_all(bytes))
            .await
            .expect("the frame is written");
    }

    /// The next data frame as it came (for the binary encodings), or the close or end that
    /// came instead.
    pub(crate) async fn next_data(&mut self) -> Result<Vec<u8>, Frame> {
        within("a frame from the server", async {
            loop {
                return match self.ws.next().await {
                    Some(Ok(Message::Text(text))) => Ok(text.as_bytes().to_vec()),
                    Some(Ok(Message::Binary(bytes))) => Ok(bytes.to_vec()),
                    Some(Ok(Message::Close(frame))) => Err(Frame::Close(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    )),
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => Err(Frame::End),
                };
            }
        })
        .await
    }

    /// Sends an action request.
    pub(crate) async fn action(&mut self, id: u64, name: &str, args: Value) {
        let request = json!({ "body": { "tag": "ActionRequest", "val": {
            "id": ["$BigInt", id.to_string()], "name": name, "args": args,
        }}});
        self.send_text(request.to_string()).await;
    }

    /// Subscribes to (or unsubscribes from) an event name.
    pub(crate) async fn subscribe(&mut self, name: &str, subscribe: bool) {
        let request = json!({ "body": { "tag": "SubscriptionRequest", "val": {
            "eventName": name, "subscribe": subscribe,
        }}});
        self.send_text(request.to_string()).await;
    }

    /// Calls an action and returns its output; nothing else may arrive first.
    pub(crate) async fn call(&mut self, id: u64, name: &str, args: Value) -> Value {
        self.action(id, name, args).await;
        match self.next().await {
            Frame::Response { id: got, output } if got == id => output,
            other => panic!("expected the response to {id}, got {other:?}"),
        }
    }

    /// The next message, close or end.
    pub(crate) async fn next(&mut self) -> Frame {
        within("a frame from the server", self.read()).await
    }

    async fn read(&mut self) -> Frame {
        loop {
            let text = match self.ws.next().await {
                Some(Ok(Message::Text(text))) => text.to_string(),
                Some(Ok(Message::Binary(bytes))) => {
                    String::from_utf8(bytes.to_vec()).expect("UTF-8 JSON")
                }
                Some(Ok(Message::Close(frame))) => {
                    return Frame::Close(frame.map(|f| (u16::from(f.code), f.reason.to_string())));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Frame::End,
            };
            self.last_text = text.clone();
            return parse(&text);
        }
    }

    /// Reads up to the end of the socket, answering a close on the way; fails on a data frame.
    pub(crate) async fn expect_end(&mut self) {
        loop {
            match self.next().await {
                Frame::End => return,
                Frame::Close(_) => continue,
                other => panic!("expected the end of the socket, got {other:?}"),
            }
        }
    }

    /// Sends a close frame (`None`: without a status code) and reads to the end.
    pub(crate) async fn close(mut self, frame: Option<(u16, &str)>) -> Option<(u16, String)> {
        let frame = frame.map(|(code, reason)| CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        });
        within("a close", self.ws.send(Message::Close(frame)))
            .await
            .expect("the close is sent");
        let mut answer = None;
        loop {
            match self.next().await {
                Frame::End => return answer,
                Frame::Close(frame) => answer = frame,
                _ => {}
            }
        }
    }

    /// Resets the TCP connection: no close frame, an RST.
    pub(crate) fn reset(self) {
        self.ws.get_ref().set_zero_linger().expect("SO_LINGER 0");
        drop(self);
    }

    /// Drops the TCP connection without a close frame (a FIN).
    pub(crate) fn drop_silently(self) {
        drop(self);
    }
}

/// Decodes a server message of the JSON encoding.
pub(crate) fn parse(text: &str) -> Frame {
    let value: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let body = &value["body"];
    let val = &body["val"];
    let string = |field: &str| {
        val[field]
            .as_str()
            .unwrap_or_else(|| panic!("no `{field}` in {text}"))
            .to_owned()
    };
    match body["tag"].as_str() {
        Some("Init") => Frame::Init {
            actor_id: string("actorId"),
            connection_id: string("connectionId"),
        },
        Some("Error") => Frame::Error {
            group: string("group"),
            code: string("code"),
            message: string("message"),
            metadata: val.get("metadata").cloned().filter(|m| !m.is_null()),
            action_id: val
                .get("actionId")
                .cloned()
                .unwrap_or_else(|| panic!("no `actionId` in {text}")),
        },
        Some("ActionResponse") => Frame::Response {
            id: big_int(&val["id"]),
            output: val["output"].clone(),
        },
        Some("Event") => Frame::Event {
            name: string("name"),
            args: val["args"]
                .as_array()
                .unwrap_or_else(|| panic!("no args in {text}"))
                .clone(),
        },
        _ => panic!("unknown message {text}"),
    }
}

/// An id written `["$BigInt", "<n>"]`, as the official client requires.
pub(crate) fn big_int(value: &Value) -> u64 {
    match value.as_array().map(Vec::as_slice) {
        Some([tag, n]) if tag == "$BigInt" => {
            n.as_str().and_then(|n| n.parse().ok()).expect("a decimal")
        }
        _ => panic!("an id that is not [\"$BigInt\", n]: {value}"),
    }
}

/// An Error message for a whole connection (`actionId: null`).
pub(crate) fn connection_error(
    group: &str,
    code: &str,
    message: &str,
    metadata: Option<Value>,
) -> Frame {
    Frame::Error {
        group: group.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
        metadata,
        action_id: Value::Null,
    }
}
