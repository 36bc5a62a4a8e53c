//! A small wrapper around hyper's pooled client: one request in, status and body out.

use std::fmt;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::{ClientError, codec};
use crate::protocol::Encoding;

/// How long opening a TCP connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the client says it is.
pub(super) const USER_AGENT: &str = concat!("rivet-core/", env!("CARGO_PKG_VERSION"));

/// How much of an unexpected response body goes into an error message.
const SNIPPET_CHARS: usize = 300;

/// The HTTP side of a [`Client`](super::Client): a connection pool shared by its clones.
#[derive(Clone)]
pub(super) struct Http {
    client: HyperClient<HttpConnector, Full<Bytes>>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http").finish_non_exhaustive()
    }
}

/// A response, read to its end.
#[derive(Debug)]
pub(super) struct Response {
    pub(super) status: StatusCode,
    pub(super) body: Bytes,
}

impl Http {
    /// A client with its own pool. Needs no runtime until the first request.
    pub(super) fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        Self {
            client: HyperClient::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// Sends one request with a JSON body (or none) and reads the whole answer.
    pub(super) async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&'static str, &str)],
        body: Option<(Vec<u8>, &'static str)>,
    ) -> Result<Response, ClientError> {
        let mut builder = Request::builder()
            .method(method)
            .uri(url)
            .header(hyper::header::USER_AGENT, USER_AGENT)
            .header(hyper::header::ACCEPT, "application/json");
        if let Some((_, content_type)) = &body {
            builder = builder.header(hyper::header::CONTENT_TYPE, *content_type);
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(
                body.map(|(bytes, _)| Bytes::from(bytes))
                    .unwrap_or_default(),
            ))
            // The error names the part that is wrong, never a header's value.
            .map_err(|error| ClientError::Http(format!("invalid request: {error}")))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|error| ClientError::Http(chain(&error)))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| ClientError::Http(format!("reading the response: {}", chain(&error))))?
            .to_bytes();
        Ok(Response { status, body })
    }
}

impl Response {
    /// The body of a 2xx answer; otherwise the protocol error it carries in `encoding`
    /// ([`ClientError::Actor`]), or [`ClientError::Http`] when it carries none.
    pub(super) fn success(self, encoding: Encoding) -> Result<Bytes, ClientError> {
        if self.status.is_success() {
            return Ok(self.body);
        }
        match codec::decode_error(encoding, &self.body) {
            Ok(body) => Err(ClientError::from_body(body)),
            Err(_) => Err(ClientError::Http(describe_status(self.status, &self.body))),
        }
    }
}

/// `status 502 Bad Gateway: <the start of the body>`.
pub(super) fn describe_status(status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return format!("status {status}");
    }
    let mut snippet: String = text.chars().take(SNIPPET_CHARS).collect();
    if snippet.len() < text.len() {
        snippet.push('…');
    }
    format!("status {status}: {snippet}")
}

/// An error and its sources on one line: hyper's own message is often just "client error".
pub(super) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors (tungstenite's among them) already end with their source's message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// JSON text with every non-ASCII character written as a `\u` escape: the same value, but safe in
/// an HTTP header, which the server reads as ASCII.
pub(super) fn ascii_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn non_ascii_json_is_escaped_without_changing_its_value() {
        let value = json!({"user": "zoë", "emoji": "🦀", "plain": "a\"b"});
        let text = ascii_json(&value.to_string());
        assert!(text.is_ascii());
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn a_source_already_in_its_error_is_not_repeated() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let repeated = tokio_tungstenite::tungstenite::Error::Io(refused);
        let text = chain(&repeated);
        assert_eq!(text, repeated.to_string());
        assert_eq!(text.matches("refused").count(), 1, "{text}");

        #[derive(Debug)]
        struct Writing(std::fmt::Error);
        impl std::fmt::Display for Writing {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("writing the request")
            }
        }
        impl std::error::Error for Writing {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        assert_eq!(
            chain(&Writing(std::fmt::Error)),
            "writing the request: an error occurred when formatting an argument"
        );
    }

    #[test]
    fn statuses_are_described_with_a_bounded_snippet() {
        assert_eq!(
            describe_status(StatusCode::BAD_GATEWAY, b""),
            "status 502 Bad Gateway"
        );
        assert_eq!(
            describe_status(StatusCode::NOT_FOUND, b"nope\n"),
            "status 404 Not Found: nope"
        );
        let long = "x".repeat(1000);
        let text = describe_status(StatusCode::INTERNAL_SERVER_ERROR, long.as_bytes());
        assert!(text.chars().count() < 400, "{text}");
        assert!(text.ends_with('…'));
    }

    #[test]
    fn error_bodies_become_actor_errors() {
        let response = Response {
            status: StatusCode::NOT_FOUND,
            body: Bytes::from_static(
                br#"{"group":"actor","code":"not_found","message":"The actor does not exist or was destroyed."}"#,
            ),
        };
        let error = response.success(Encoding::Json).unwrap_err();
        assert_eq!(
            (error.group(), error.code()),
            (Some("actor"), Some("not_found"))
        );
        let response = Response {
            status: StatusCode::BAD_GATEWAY,
            body: Bytes::from_static(b"<html>"),
        };
        assert!(
            matches!(response.success(Encoding::Json), Err(ClientError::Http(text)) if text.contains("502"))
        );
        let response = Response {
            status: StatusCode::OK,
            body: Bytes::from_static(b"{}"),
        };
        assert_eq!(&response.success(Encoding::Json).unwrap()[..], b"{}");
    }
}
