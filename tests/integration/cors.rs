//! CORS, so that the official client works from a browser: the preflight and the headers of a
//! real answer.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{TestServer, gateway, unique, within};

const ORIGIN: &str = "http://app.example.test";

/// Sends `request` raw and returns the response head, lower-cased header names.
async fn exchange(server: &TestServer, request: String) -> (u16, Vec<(String, String)>) {
    within("an HTTP answer", async {
        let mut stream = TcpStream::connect(server.addr())
            .await
            .expect("tcp connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok());
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        (status.expect("a status code"), headers)
    })
    .await
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn cors_preflight_allows_the_clients_headers_and_methods() {
    let server = TestServer::probe().await;
    let path = gateway("probe", &unique("cors"), "action/whoami");
    let request = format!(
        "OPTIONS {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\norigin: {ORIGIN}\r\n\
         access-control-request-method: POST\r\n\
         access-control-request-headers: content-type, x-rivet-encoding, x-rivet-conn-params\r\n\r\n"
    );
    let (status, headers) = exchange(&server, request).await;
    assert!((200..300).contains(&status), "preflight status {status}");
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    let allowed = header(&headers, "access-control-allow-headers").unwrap_or_default();
    for name in ["content-type", "x-rivet-encoding", "x-rivet-conn-params"] {
        assert!(allowed.contains(name), "{name} is not allowed: {allowed}");
    }
    let methods = header(&headers, "access-control-allow-methods").unwrap_or_default();
    for method in ["GET", "POST", "PUT", "DELETE", "OPTIONS"] {
        assert!(
            methods.contains(method),
            "{method} is not allowed: {methods}"
        );
    }
    assert_eq!(header(&headers, "access-control-max-age"), Some("86400"));
}

#[tokio::test]
async fn cors_answers_name_the_origin_and_expose_the_error_header() {
    let server = TestServer::probe().await;
    let path = gateway("probe", &unique("cors"), "action/noSuchAction");
    let body = r#"{"args":[]}"#;
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\norigin: {ORIGIN}\r\n\
         content-type: application/json\r\nx-rivet-conn-params: {{\"label\":\"c\"}}\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, headers) = exchange(&server, request).await;
    assert_eq!(status, 404);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    let exposed = header(&headers, "access-control-expose-headers").unwrap_or_default();
    assert!(exposed.contains("x-rivet-error"), "exposed: {exposed}");
    assert_eq!(
        header(&headers, "x-rivet-error"),
        Some("actor.action_not_found")
    );
}
