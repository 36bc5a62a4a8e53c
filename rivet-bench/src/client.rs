//! The load generator's transport: WebSocket connections through the gateway URL of a
//! getOrCreate handle, and keep-alive HTTP/1.1 connections for stateless actions.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::wire::{self, ToClient};

/// Any error of the harness.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Res<T> = Result<T, BoxError>;

/// A WebSocket to an actor.
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The query of a getOrCreate handle for `key`.
fn query(key: &str) -> String {
    format!(
        "rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default&rvt-key={key}&rvt-crash-policy=sleep"
    )
}

/// Connects to actor `name` with `key` in BARE, with `params` (JSON) when given, and waits for
/// Init. Like the official client, retries (up to 20 times, 100 ms apart) when the server closes
/// with a lifecycle code: an actor that is starting, stopping or was destroyed while being
/// created (the official engine answers concurrent first connects to one key so).
pub(crate) async fn connect(
    endpoint: &str,
    name: &str,
    key: &str,
    params: Option<&str>,
) -> Res<Ws> {
    let mut attempts = 0;
    loop {
        match connect_once(endpoint, name, key, params).await {
            Err(Refused::Lifecycle(_)) if attempts < 20 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(Refused::Lifecycle(reason)) => {
                return Err(format!("closed before Init: {reason}").into());
            }
            Err(Refused::Other(error)) => return Err(error),
            Ok(ws) => return Ok(ws),
        }
    }
}

/// Why a connect failed.
enum Refused {
    /// A close whose reason the official client retries.
    Lifecycle(String),
    Other(BoxError),
}

impl<E: Into<BoxError>> From<E> for Refused {
    fn from(error: E) -> Self {
        Self::Other(error.into())
    }
}

fn is_lifecycle(reason: &str) -> bool {
    let code = reason.split('#').next().unwrap_or("");
    code.starts_with("guard.")
        || code.starts_with("actor.destroyed")
        || matches!(
            code,
            "actor.not_found"
                | "actor.starting"
                | "actor.stopping"
                | "actor.restarting"
                | "actor.stopped"
        )
}

async fn connect_once(
    endpoint: &str,
    name: &str,
    key: &str,
    params: Option<&str>,
) -> Result<Ws, Refused> {
    let ws_endpoint = endpoint.replacen("http://", "ws://", 1);
    let url = format!("{ws_endpoint}/gateway/{name}/connect?{}", query(key));
    let mut request = url.into_client_request()?;
    let mut protocols = "rivet,rivet_encoding.bare".to_owned();
    if let Some(params) = params {
        protocols.push_str(",rivet_conn_params.");
        protocols.push_str(&wire::encode_params(params));
    }
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocols.parse()?);
    // A server that never answers the upgrade or never sends Init fails the connect.
    let limit = std::time::Duration::from_secs(30);
    let (mut ws, _) = tokio::time::timeout(
        limit,
        tokio_tungstenite::connect_async_with_config(request, None, true),
    )
    .await
    .map_err(|_| Refused::Other("no answer to the upgrade in 30 s".into()))??;
    loop {
        let next = tokio::time::timeout(limit, ws.next())
            .await
            .map_err(|_| Refused::Other("no Init in 30 s".into()))?;
        match next {
            Some(Ok(Message::Binary(frame))) => match wire::decode(&frame) {
                Some(ToClient::Init) => return Ok(ws),
                Some(ToClient::Error { .. }) => {
                    return Err(Refused::Other("the connection was refused".into()));
                }
                _ => {}
            },
            Some(Ok(Message::Close(frame))) => {
                let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                if is_lifecycle(&reason) {
                    return Err(Refused::Lifecycle(reason));
                }
                return Err(Refused::Other(
                    format!("closed before Init: {reason}").into(),
                ));
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error.into()),
            None => return Err(Refused::Other("closed before Init".into())),
        }
    }
}

/// Sends a binary frame.
pub(crate) async fn send(ws: &mut Ws, frame: Vec<u8>) -> Res<()> {
    ws.send(Message::Binary(frame.into())).await?;
    Ok(())
}

/// Reads frames until the response to action `id`; events and other responses are skipped.
pub(crate) async fn await_response(ws: &mut Ws, id: u64) -> Res<()> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Binary(frame))) => match wire::decode(&frame) {
                Some(ToClient::ActionResponse { id: got }) if got == id => return Ok(()),
                Some(ToClient::Error { .. }) => return Err("an action failed".into()),
                _ => {}
            },
            Some(Ok(Message::Close(frame))) => return Err(format!("closed: {frame:?}").into()),
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error.into()),
            None => return Err("connection lost".into()),
        }
    }
}

/// Sends a close frame and reads until the server's close and the end of the stream.
pub(crate) async fn close(mut ws: Ws) -> Res<()> {
    ws.close(None).await?;
    while let Some(message) = ws.next().await {
        if message.is_err() {
            break;
        }
    }
    Ok(())
}

/// One keep-alive HTTP/1.1 connection.
pub(crate) struct Http {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
}

impl Http {
    pub(crate) async fn open(endpoint: &str) -> Res<Self> {
        let host = endpoint.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self { sender, host })
    }

    /// Sends a request; the status and the body.
    pub(crate) async fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Res<(u16, Bytes)> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", content_type)
            .header("x-rivet-encoding", "bare")
            .body(Full::new(Bytes::from(body)))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// Calls action `action` of actor `name` with `key` over HTTP, in BARE.
    pub(crate) async fn action(
        &mut self,
        name: &str,
        key: &str,
        action: &str,
        arg: Option<u64>,
    ) -> Res<Bytes> {
        let path = format!("/gateway/{name}/action/{action}?{}", query(key));
        // Like the official client, retry while the actor is starting (503), 100 ms apart.
        let mut attempts = 0;
        let (status, body) = loop {
            let body = wire::http_action_request(arg);
            let (status, body) = self
                .request("POST", &path, "application/octet-stream", body)
                .await?;
            attempts += 1;
            if status != 503 || attempts >= 50 {
                break (status, body);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        if status != 200 {
            // The body names the error; BARE bodies keep their text readable enough.
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect();
            return Err(format!("HTTP action {name}.{action}: status {status}: {text}").into());
        }
        Ok(body)
    }
}

/// Reads the unsigned integer output of an HTTP action response (`04 00 <data cbor uint>`).
pub(crate) fn http_uint(body: &[u8]) -> Option<u64> {
    let cbor = body.strip_prefix(&[4, 0])?.get(1..)?;
    let (&head, rest) = cbor.split_first()?;
    let width = match head {
        0..=23 => return Some(u64::from(head)),
        0x18 => 1,
        0x19 => 2,
        0x1a => 4,
        0x1b => 8,
        _ => return None,
    };
    Some(
        rest.get(..width)?
            .iter()
            .fold(0u64, |n, &b| (n << 8) | u64::from(b)),
    )
}
