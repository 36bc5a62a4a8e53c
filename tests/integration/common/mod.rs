//! Helpers shared by the integration tests: a server per test, probe connections, raw sockets,
//! raw HTTP, and waiting with a safety net.

#![allow(dead_code)]

pub(crate) mod raw;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::{Stream, StreamExt};
use rivet_core::client::{ActorHandle, Client, ClientError, Connection};
use rivet_core::{ActorOptions, Limits, Registry, Server};
use rivet_examples::probe::{Counter, Probe, ProbeClient, ProbeParams, Snapshot};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The safety net around every wait: long enough never to fire on a healthy run.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// The close deadline the test servers use, instead of the default 3 s.
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_millis(300);

/// Awaits `future`, failing the test if it takes longer than [`WAIT`].
pub(crate) async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(WAIT, future).await {
        Ok(output) => output,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// The next item of an event stream, which must come.
pub(crate) async fn next<T, S: Stream<Item = T> + Unpin>(stream: &mut S) -> T {
    within("an event", stream.next())
        .await
        .expect("the event stream ended")
}

/// A key no other test uses (checkpoints are shared by the whole test binary).
pub(crate) fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A server on an ephemeral port, with the client of its endpoint.
pub(crate) struct TestServer {
    pub(crate) server: Server,
    pub(crate) client: Client,
}

impl TestServer {
    /// Serves `registry` with the short close deadline.
    pub(crate) async fn start(registry: Registry) -> Self {
        Self::start_with(
            registry,
            Limits {
                close_timeout: CLOSE_TIMEOUT,
                ..Limits::default()
            },
        )
        .await
    }

    /// Serves `registry` with `limits`.
    pub(crate) async fn start_with(registry: Registry, limits: Limits) -> Self {
        let server = registry
            .limits(limits)
            .start("127.0.0.1:0")
            .await
            .expect("the server starts");
        let client = Client::new(server.endpoint());
        Self { server, client }
    }

    /// The probe and the counter with their default options.
    pub(crate) async fn probe() -> Self {
        Self::probe_with(ActorOptions::default()).await
    }

    /// The probe with `options`, and the counter with its defaults.
    pub(crate) async fn probe_with(options: ActorOptions) -> Self {
        Self::start(
            Registry::new()
                .register_with::<Probe>(options)
                .register::<Counter>(),
        )
        .await
    }

    pub(crate) fn endpoint(&self) -> String {
        self.server.endpoint()
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// A stateless handle on the probe `key`, without params.
    pub(crate) fn handle(&self, key: &str) -> ActorHandle<Probe> {
        self.client.get_or_create::<Probe>(key)
    }

    /// A stateless handle on the probe `key` with `params`.
    pub(crate) fn http(&self, key: &str, params: &ProbeParams) -> ActorHandle<Probe> {
        self.handle(key).with_params(params).expect("params encode")
    }

    /// Connects to the probe `key` with `params`.
    pub(crate) async fn try_join(
        &self,
        key: &str,
        params: &ProbeParams,
    ) -> Result<Connection<Probe>, ClientError> {
        within("a connection", self.handle(key).connect_with(params)).await
    }

    /// Connects to the probe `key` with the label alone; the connection must open.
    pub(crate) async fn join(&self, key: &str, label: &str) -> Connection<Probe> {
        self.try_join(key, &ProbeParams::new(label))
            .await
            .expect("the connection opens")
    }
}

/// What the probe recorded, through `conn`.
pub(crate) async fn snapshot(conn: &Connection<Probe>) -> Snapshot {
    within("a snapshot", conn.snapshot())
        .await
        .expect("snapshot")
}

/// How often `entry` appears in `log`.
pub(crate) fn count(log: &[String], entry: &str) -> usize {
    log.iter().filter(|line| *line == entry).count()
}

/// The entries of `log` about connection `label` (`<what>:<label>`), in order.
pub(crate) fn entries_of(log: &[String], label: &str) -> Vec<String> {
    let suffix = format!(":{label}");
    log.iter()
        .filter(|line| line.ends_with(&suffix))
        .cloned()
        .collect()
}

/// The lifecycle entries of one connection, `hooks` naming the stages in order.
pub(crate) fn lifecycle(label: &str, hooks: &[&str]) -> Vec<String> {
    hooks.iter().map(|hook| format!("{hook}:{label}")).collect()
}

/// The four entries of a connection that joined.
pub(crate) fn joined(label: &str) -> Vec<String> {
    lifecycle(label, &["before", "create", "connect", "connected"])
}

/// Asserts that `error` is an actor error with exactly these fields.
#[track_caller]
pub(crate) fn assert_actor_error(
    error: &ClientError,
    group: &str,
    code: &str,
    message: &str,
    metadata: Option<Value>,
) {
    match error {
        ClientError::Actor {
            group: g,
            code: c,
            message: m,
            metadata: md,
        } => {
            assert_eq!(
                (g.as_str(), c.as_str(), m.as_str()),
                (group, code, message),
                "{error:?}"
            );
            assert_eq!(md, &metadata, "metadata of {error:?}");
        }
        other => panic!("expected {group}.{code}, got {other:?}"),
    }
}

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub(crate) fn encode_uri_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The gateway path of probe `key`, found by name and key.
pub(crate) fn gateway(actor: &str, key: &str, route: &str) -> String {
    format!(
        "/gateway/{actor}/{route}?rvt-namespace=default&rvt-method=getOrCreate&rvt-key={}",
        encode_uri_component(key)
    )
}

/// A response read by [`http_post`].
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl HttpReply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A plain HTTP/1.1 POST over a fresh TCP connection, read to its end.
pub(crate) async fn http_post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpReply {
    http_post_bytes(addr, path, headers, body.as_bytes()).await
}

/// [`http_post`] with a body of any bytes.
pub(crate) async fn http_post_bytes(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpReply {
    http_request(addr, "POST", path, headers, body).await
}

/// A plain HTTP/1.1 request with a JSON content type over a fresh TCP connection, read to its
/// end.
pub(crate) async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpReply {
    within("an HTTP answer", async {
        let mut stream = TcpStream::connect(addr).await.expect("tcp connect");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let mut request = request.into_bytes();
        request.extend_from_slice(body);
        stream.write_all(&request).await.expect("write request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read response");
        parse_response(&raw)
    })
    .await
}

fn parse_response(raw: &[u8]) -> HttpReply {
    let text = String::from_utf8_lossy(raw);
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .expect("a complete response head");
    let mut lines = head.lines();
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    HttpReply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    body
}
