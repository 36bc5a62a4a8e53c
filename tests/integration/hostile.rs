//! Broken and hostile clients (rules 12 to 14): abrupt drops at every stage, clients that stop
//! reading or flood the actor, panics, and every kind of bad frame or request, written raw. In
//! each test the same actor goes on serving a well-behaved connection, checked in the same run.

use rivet_core::client::Connection;
use rivet_core::{Limits, Registry};
use rivet_examples::probe::{Probe, ProbeClient, ProbeParams, checkpoint};
use serde_json::{Value, json};

use crate::common::raw::{Frame, Raw};
use crate::common::{
    CLOSE_TIMEOUT, HttpReply, TestServer, count, encode_uri_component, entries_of, gateway,
    http_post, http_post_bytes, http_request, joined, next, snapshot, unique, within,
};

fn joined_then_left(label: &str) -> Vec<String> {
    let mut entries = joined(label);
    entries.push(format!("disconnect:{label}"));
    entries
}

/// Checks that the bad connections `labels` each joined and left once, and nobody else noticed:
/// `a` is still open and sees the connections `visible`.
async fn each_left_alone(a: &Connection<Probe>, labels: &[String], visible: &[&str]) {
    assert_eq!(a.close_info(), None);
    let snap = snapshot(a).await;
    for label in labels {
        assert_eq!(
            entries_of(&snap.log, label),
            joined_then_left(label),
            "{label}"
        );
    }
    assert_eq!(snap.visible, visible);
}

/// The `Sec-WebSocket-Protocol` header of a probe connection labelled `label` in `encoding`.
fn protocols(encoding: &str, label: &str) -> String {
    let params = json!({ "label": label }).to_string();
    format!(
        "rivet, rivet_encoding.{encoding}, rivet_conn_params.{}",
        encode_uri_component(&params)
    )
}

/// CBOR text, for messages written by hand.
fn cbor_text(out: &mut Vec<u8>, text: &str) {
    assert!(text.len() < 24);
    out.push(0x60 | text.len() as u8);
    out.extend(text.as_bytes());
}

/// A CBOR `ActionRequest` for `name` without arguments, as the official client writes it.
fn cbor_action(id: u64, name: &str) -> Vec<u8> {
    let mut out = vec![0xa1];
    cbor_text(&mut out, "body");
    out.push(0xa2);
    cbor_text(&mut out, "tag");
    cbor_text(&mut out, "ActionRequest");
    cbor_text(&mut out, "val");
    out.push(0xa3);
    cbor_text(&mut out, "id");
    out.push(0x1b);
    out.extend(id.to_be_bytes());
    cbor_text(&mut out, "name");
    cbor_text(&mut out, name);
    cbor_text(&mut out, "args");
    out.push(0x80);
    out
}

/// A BARE v4 `ActionRequest` for `name` without arguments.
fn bare_action(id: u8, name: &str) -> Vec<u8> {
    let mut out = vec![4, 0, 0, id, name.len() as u8];
    out.extend(name.as_bytes());
    out.extend([1, 0x80]);
    out
}

/// A bad HTTP request: what it shows, its path, headers and body, and the status and
/// `group.code` it must get.
type HttpCase<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    u16,
    &'a str,
);

/// One raw frame a test sends.
enum Bad {
    Text(String),
    Binary(Vec<u8>),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bad_frames_in_every_encoding_close_only_their_own_connection() {
    let s = TestServer::probe().await;
    let key = unique("bad-frames");
    let a = s.join(&key, "a").await;
    assert_eq!(a.bump().await.unwrap(), 1);
    let path = gateway("probe", &key, "connect");

    // Positive controls: the hand-written frames are right, and JSON also comes in binary
    // frames (as UTF-8).
    let mut c = Raw::open_path(s.addr(), &path, &protocols("cbor", "c")).await;
    assert!(
        c.next_data()
            .await
            .unwrap()
            .windows(4)
            .any(|w| w == b"Init")
    );
    c.send_binary(cbor_action(3, "whoami")).await;
    let reply = c.next_data().await.unwrap();
    assert!(reply.windows(14).any(|w| w == b"ActionResponse"));
    let mut b = Raw::open_path(s.addr(), &path, &protocols("bare", "b")).await;
    assert_eq!(b.next_data().await.unwrap()[..3], [4, 0, 0], "Init");
    b.send_binary(bare_action(3, "whoami")).await;
    assert_eq!(
        b.next_data().await.unwrap()[..4],
        [4, 0, 2, 3],
        "ActionResponse 3"
    );
    let mut j = Raw::open_path(s.addr(), &path, &protocols("json", "j")).await;
    j.next().await;
    let request = json!({ "body": { "tag": "ActionRequest", "val": {
        "id": ["$BigInt", "3"], "name": "mark", "args": ["binary"] } } });
    j.send_binary(request.to_string().into_bytes()).await;
    assert_eq!(
        j.next().await,
        Frame::Response {
            id: 3,
            output: json!("binary")
        }
    );

    let mut truncated = cbor_action(1, "whoami");
    truncated.truncate(truncated.len() / 2);
    let mut trailing = cbor_action(1, "whoami");
    trailing.push(0x00);
    let mut cbor_unknown_tag = vec![0xa1];
    cbor_text(&mut cbor_unknown_tag, "body");
    cbor_unknown_tag.push(0xa2);
    cbor_text(&mut cbor_unknown_tag, "tag");
    cbor_text(&mut cbor_unknown_tag, "Nope");
    cbor_text(&mut cbor_unknown_tag, "val");
    cbor_unknown_tag.push(0xa0);
    let mut bare_trailing = bare_action(1, "whoami");
    bare_trailing.push(0);
    let mut bare_bad_data = bare_action(1, "whoami");
    *bare_bad_data.last_mut().unwrap() = 0xff;
    let cases: Vec<(&str, &str, Bad)> = vec![
        ("json", "random binary", Bad::Binary(vec![0xff, 0xfe, 0x00, 0x81])),
        (
            "json",
            "an id that is a string",
            Bad::Text(
                json!({ "body": { "tag": "ActionRequest", "val": { "id": "x", "name": "whoami", "args": [] } } })
                    .to_string(),
            ),
        ),
        ("json", "truncated JSON", Bad::Text(r#"{"body":{"tag":"Act"#.into())),
        ("cbor", "truncated CBOR", Bad::Binary(truncated)),
        ("cbor", "trailing bytes", Bad::Binary(trailing)),
        ("cbor", "random bytes", Bad::Binary(vec![0xff, 0x00, 0x13, 0x37])),
        ("cbor", "an indefinite-length map", Bad::Binary(vec![0xbf, 0xff])),
        ("cbor", "an unknown message tag", Bad::Binary(cbor_unknown_tag)),
        ("cbor", "a text frame", Bad::Text(r#"{"body":{}}"#.into())),
        ("bare", "an unknown version", Bad::Binary(vec![9, 0, 1, 1, b'a', 1])),
        ("bare", "an unknown union tag", Bad::Binary(vec![4, 0, 7, 1, b'a', 1])),
        ("bare", "a truncated message", Bad::Binary(vec![4, 0, 0, 5])),
        ("bare", "trailing bytes", Bad::Binary(bare_trailing)),
        ("bare", "a bool that is 2", Bad::Binary(vec![4, 0, 1, 1, b'a', 2])),
        ("bare", "args that are not CBOR", Bad::Binary(bare_bad_data)),
        ("bare", "a text frame", Bad::Text("hello".into())),
    ];
    let mut labels = Vec::new();
    for (i, (encoding, what, frame)) in cases.into_iter().enumerate() {
        let label = format!("m{i}");
        let mut r = Raw::open_path(s.addr(), &path, &protocols(encoding, &label)).await;
        assert!(r.next_data().await.is_ok(), "Init of {encoding}: {what}");
        match frame {
            Bad::Text(text) => r.send_text(text).await,
            Bad::Binary(bytes) => r.send_binary(bytes).await,
        }
        assert_eq!(
            r.next_data().await,
            Err(Frame::close(1011, "actor.invalid_request")),
            "{encoding}: {what}"
        );
        assert_eq!(r.next_data().await, Err(Frame::End), "{encoding}: {what}");
        labels.push(label);
    }

    // Nobody else noticed: the controls still work, a's state is intact, and each bad
    // connection joined and left once.
    c.send_binary(cbor_action(4, "whoami")).await;
    assert!(c.next_data().await.is_ok());
    b.send_binary(bare_action(4, "whoami")).await;
    assert_eq!(b.next_data().await.unwrap()[..4], [4, 0, 2, 4]);
    assert_eq!(a.bump().await.unwrap(), 2);
    each_left_alone(&a, &labels, &["a", "b", "c", "j"]).await;
}

/// A client frame masked with the key 0 (masking is then the identity, and the key is still
/// there as the protocol asks): `first` is the FIN bit, reserved bits and opcode.
fn masked_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut frame = vec![first, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    frame.extend(payload);
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_websocket_protocol_violations_get_a_close_frame_and_harm_nobody() {
    let s = TestServer::probe().await;
    let key = unique("violations");
    let a = s.join(&key, "a").await;
    assert_eq!(a.bump().await.unwrap(), 1);
    let path = gateway("probe", &key, "connect");
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("an unmasked frame", vec![0x82, 0x01, 0x00], 1002),
        ("a reserved bit", masked_frame(0xc2, b"x"), 1002),
        ("an unknown opcode", masked_frame(0x83, b""), 1002),
        (
            "a continuation with nothing to continue",
            masked_frame(0x80, b"x"),
            1002,
        ),
        ("a fragmented ping", masked_frame(0x09, b""), 1002),
        (
            "a text frame that is not UTF-8",
            masked_frame(0x81, &[0xff, 0xfe]),
            1007,
        ),
    ];
    let mut labels = Vec::new();
    for (i, (what, frame, code)) in cases.into_iter().enumerate() {
        let label = format!("v{i}");
        let mut r = Raw::open_path(s.addr(), &path, &protocols("json", &label)).await;
        assert!(r.next_data().await.is_ok(), "Init: {what}");
        r.send_raw_frame(&frame).await;
        assert_eq!(
            r.next_data().await,
            Err(Frame::close(code, "actor.invalid_request")),
            "{what}"
        );
        assert_eq!(r.next_data().await, Err(Frame::End), "{what}");
        labels.push(label);
    }

    assert_eq!(a.bump().await.unwrap(), 2);
    each_left_alone(&a, &labels, &["a"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_the_size_limit_is_exact_and_the_same_over_websocket_and_http() {
    // BC-19: the limit counts the encoded message (the frame's payload, or the HTTP body), in
    // bytes; exactly 64 KiB passes, one byte more does not.
    const LIMIT: usize = 64 * 1024;
    let s = TestServer::probe().await;
    let key = unique("exact-limit");
    let a = s.join(&key, "a").await;

    let frame = |size: usize| {
        let empty = json!({ "body": { "tag": "ActionRequest", "val": {
            "id": ["$BigInt", "1"], "name": "echo", "args": [""] } } })
        .to_string();
        let pad = "x".repeat(size - empty.len());
        let text = json!({ "body": { "tag": "ActionRequest", "val": {
            "id": ["$BigInt", "1"], "name": "echo", "args": [pad] } } })
        .to_string();
        assert_eq!(text.len(), size);
        (text, pad)
    };
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    let (text, pad) = frame(LIMIT);
    r.send_text(text).await;
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 1,
            output: json!(pad)
        }
    );
    r.send_text(frame(LIMIT + 1).0).await;
    assert_eq!(
        r.next().await,
        Frame::close(1011, "message.incoming_too_long")
    );
    r.expect_end().await;

    let body = |size: usize| {
        let pad = "x".repeat(size - r#"{"args":[""]}"#.len());
        let body = json!({ "args": [pad] }).to_string();
        assert_eq!(body.len(), size);
        body
    };
    let path = gateway("probe", &key, "action/echo");
    let params = json!({ "label": "h" }).to_string();
    let headers = [("x-rivet-conn-params", params.as_str())];
    let fits = http_post(s.addr(), &path, &headers, &body(LIMIT)).await;
    assert_eq!(fits.status, 200);
    let over = http_post(s.addr(), &path, &headers, &body(LIMIT + 1)).await;
    assert_eq!(over.status, 413, "{over:?}");
    assert_eq!(over.json()["code"], "incoming_too_long");
    assert_eq!(
        over.header("x-rivet-error"),
        Some("message.incoming_too_long")
    );

    assert_eq!(a.whoami().await.unwrap().label, "a");
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "r"), joined_then_left("r"));
    // The oversize HTTP request never reached the actor.
    assert_eq!(count(&snap.log, "disconnect:h"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bad_http_requests_answer_only_themselves() {
    let s = TestServer::probe().await;
    let key = unique("bad-http");
    let a = s.join(&key, "a").await;
    let path = |action: &str| gateway("probe", &key, &format!("action/{action}"));
    let params = json!({ "label": "h" }).to_string();
    let with = |encoding: &'static str| {
        vec![
            ("x-rivet-encoding", encoding),
            ("x-rivet-conn-params", params.as_str()),
        ]
    };
    let check = |reply: &HttpReply, status: u16, code: &str, what: &str| {
        assert_eq!(reply.status, status, "{what}: {reply:?}");
        assert_eq!(reply.header("x-rivet-error"), Some(code), "{what}");
    };

    // Without an encoding, JSON.
    let reply = http_post(
        s.addr(),
        &path("mark"),
        &with("json")[1..],
        r#"{"args":["x"]}"#,
    )
    .await;
    assert_eq!(
        (reply.status, reply.json()),
        (200, json!({ "output": "x" }))
    );

    let cases: Vec<HttpCase<'_>> = vec![
        (
            "params that are not JSON",
            path("whoami"),
            vec![("x-rivet-conn-params", "{not json")],
            br#"{"args":[]}"#.to_vec(),
            400,
            "actor.invalid_params",
        ),
        (
            "an unknown encoding",
            path("whoami"),
            with("yaml"),
            br#"{"args":[]}"#.to_vec(),
            400,
            "actor.unsupported_websocket_encoding",
        ),
        (
            "malformed JSON",
            path("whoami"),
            with("json"),
            br#"{"args":["#.to_vec(),
            400,
            "actor.invalid_request",
        ),
        (
            "malformed CBOR",
            path("whoami"),
            with("cbor"),
            vec![0xa1, 0x64, b'a'],
            400,
            "actor.invalid_request",
        ),
        (
            "an unknown BARE version",
            path("whoami"),
            with("bare"),
            vec![9, 0, 1, 0x80],
            400,
            "actor.invalid_request",
        ),
        (
            "arguments of the wrong type",
            path("shout"),
            with("json"),
            br#"{"args":["loud"]}"#.to_vec(),
            400,
            "actor.invalid_arguments",
        ),
        (
            "too many arguments",
            path("whoami"),
            with("json"),
            br#"{"args":[1]}"#.to_vec(),
            400,
            "actor.invalid_arguments",
        ),
        (
            "an unknown action",
            path("nope"),
            with("json"),
            br#"{"args":[]}"#.to_vec(),
            404,
            "actor.action_not_found",
        ),
        (
            "an unknown actor name",
            gateway("nope", &key, "action/whoami"),
            with("json"),
            br#"{"args":[]}"#.to_vec(),
            404,
            "actor.unknown_actor_type",
        ),
        (
            "an unknown actor id",
            "/gateway/000000000000000000000000000000/action/whoami".to_owned(),
            with("json"),
            br#"{"args":[]}"#.to_vec(),
            404,
            "actor.not_found",
        ),
        (
            "an unknown lookup method",
            path("whoami").replace("getOrCreate", "destroy"),
            with("json"),
            br#"{"args":[]}"#.to_vec(),
            400,
            "actor.invalid_request",
        ),
    ];
    for (what, path, headers, body, status, code) in cases {
        let reply = http_post_bytes(s.addr(), &path, &headers, &body).await;
        check(&reply, status, code, what);
        assert!(!reply.body.contains("secret"), "{what}");
    }

    // The actor went on: a's connection was never touched, and the two requests that reached
    // the actor (wrong arguments, unknown action) ran full connect and disconnect hooks.
    assert_eq!(a.whoami().await.unwrap().label, "a");
    assert_eq!(a.close_info(), None);
    let snap = snapshot(&a).await;
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(count(&snap.log, "disconnect:h"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_that_no_handler_can_read_get_a_protocol_error() {
    let s = TestServer::probe().await;
    let key = unique("unreadable");
    let a = s.join(&key, "a").await;
    let cases = [
        (
            "a body that is not JSON",
            "PUT",
            "/actors".to_owned(),
            &b"{not json"[..],
        ),
        (
            "a body without `name`",
            "PUT",
            "/actors".to_owned(),
            br#"{"key":"x"}"#,
        ),
        ("a body that is a list", "POST", "/actors".to_owned(), b"[]"),
        (
            "a GET without an upgrade",
            "GET",
            gateway("probe", &key, "connect"),
            b"",
        ),
        (
            "a path that is not UTF-8",
            "POST",
            "/gateway/%ff/action/whoami".to_owned(),
            b"{}",
        ),
    ];
    for (what, method, path, body) in cases {
        let reply = http_request(s.addr(), method, &path, &[], body).await;
        assert_eq!(reply.status, 400, "{what}: {reply:?}");
        assert_eq!(
            reply.header("x-rivet-error"),
            Some("actor.invalid_request"),
            "{what}"
        );
        assert_eq!(reply.json()["code"], "invalid_request", "{what}");
    }
    assert_eq!(a.bump().await.unwrap(), 1);
    assert_eq!(a.close_info(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_drops_at_every_stage_leave_nothing_behind() {
    // A reset or a silent drop during each connect hook, in the middle of an action, and with
    // events queued: on_disconnect runs once if and only if the connection had joined.
    let s = TestServer::probe().await;
    let key = unique("drops");
    let a = s.join(&key, "a").await;
    a.whoami().await.unwrap();

    for (label, stage, field, reset) in [
        ("d-before", "before", "before_ms", true),
        ("d-create", "create", "create_ms", false),
        ("d-connect", "connect", "connect_ms", true),
    ] {
        let params = json!({ "label": label, field: 300 });
        let r = Raw::open(s.addr(), "probe", &key, Some(&params)).await;
        within(stage, checkpoint(&key, label, stage).reached()).await;
        if reset {
            r.reset();
        } else {
            r.drop_silently();
        }
    }

    // In the middle of an action: it finishes, its answer goes nowhere.
    let mut r = Raw::probe(s.addr(), &key, "d-action").await;
    r.action(0, "hold", json!(["x"])).await;
    let held = checkpoint(&key, "d-action", "x");
    within("the held action", held.reached()).await;
    r.reset();
    held.release();

    // With events queued for it, unread.
    let mut q = Raw::probe(s.addr(), &key, "d-queued").await;
    q.subscribe("blob", true).await;
    q.call(0, "whoami", json!([])).await;
    assert_eq!(a.blast(50, 1024).await.unwrap(), 50);
    q.reset();

    let snap = within("everyone gone", async {
        loop {
            let snap = snapshot(&a).await;
            if snap.visible == ["a"] && count(&snap.log, "disconnect:d-queued") == 1 {
                return snap;
            }
        }
    })
    .await;
    assert_eq!(entries_of(&snap.log, "d-before"), ["before:d-before"]);
    assert_eq!(
        entries_of(&snap.log, "d-create"),
        ["before:d-create", "create:d-create"]
    );
    assert_eq!(
        entries_of(&snap.log, "d-connect"),
        joined_then_left("d-connect")
    );
    let mut action = joined("d-action");
    action.extend([
        "enter:x".into(),
        "exit:x".into(),
        "disconnect:d-action".into(),
    ]);
    let log: Vec<String> = snap
        .log
        .iter()
        .filter(|e| e.ends_with(":d-action") || *e == "enter:x" || *e == "exit:x")
        .cloned()
        .collect();
    assert_eq!(log, action);
    assert_eq!(
        entries_of(&snap.log, "d-queued"),
        joined_then_left("d-queued")
    );
    assert_eq!(snap.online, 1);
    assert_eq!(a.whoami().await.unwrap().label, "a");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_a_burst_over_the_outgoing_queue_closes_with_a_clear_reason() {
    // q subscribes to `blob` and does not read while one action sends it more than its queue
    // holds: q is closed 1011 `connection.outgoing_queue_full`, and nobody else is.
    let limits = Limits {
        close_timeout: CLOSE_TIMEOUT,
        outgoing_queue_capacity: 8,
        ..Limits::default()
    };
    let s = TestServer::start_with(Registry::new().register::<Probe>(), limits).await;
    let key = unique("burst");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    let b = s.join(&key, "b").await;
    let mut msgs = b.events::<i64>("msg");
    b.whoami().await.unwrap();
    let mut q = Raw::probe(s.addr(), &key, "q").await;
    q.subscribe("blob", true).await;
    q.call(0, "whoami", json!([])).await;

    assert_eq!(a.blast(100, 16).await.unwrap(), 100);
    assert_eq!(next(&mut left).await, "q");
    let mut blobs = 0;
    let close = loop {
        match q.next().await {
            Frame::Event { .. } => blobs += 1,
            other => break other,
        }
    };
    assert_eq!(close, Frame::close(1011, "connection.outgoing_queue_full"));
    assert!(blobs <= 8, "{blobs} events");
    q.expect_end().await;

    assert_eq!(a.shout(7).await.unwrap(), 2);
    assert_eq!(next(&mut msgs).await, 7);
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "q"), joined_then_left("q"));
    assert_eq!(snap.visible, ["a", "b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_a_flood_of_calls_is_answered_at_once_not_queued() {
    // The actor is busy; r pipelines more calls than `max_pending_messages` (4, the busy one
    // included): the excess is answered at once with `connection.too_many_pending_messages`
    // and never runs; a flood of subscriptions closes the connection.
    let limits = Limits {
        close_timeout: CLOSE_TIMEOUT,
        max_pending_messages: 4,
        ..Limits::default()
    };
    let s = TestServer::start_with(Registry::new().register::<Probe>(), limits).await;
    let key = unique("flood");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;

    r.action(0, "hold", json!(["h"])).await;
    let held = checkpoint(&key, "r", "h");
    within("the held action", held.reached()).await;
    for id in 1..=10 {
        r.action(id, "mark", json!([format!("m{id}")])).await;
    }
    for id in 4..=10u64 {
        match r.next().await {
            Frame::Error {
                group,
                code,
                action_id,
                ..
            } => {
                assert_eq!(
                    (group.as_str(), code.as_str()),
                    ("connection", "too_many_pending_messages")
                );
                assert_eq!(action_id, json!(["$BigInt", id.to_string()]));
            }
            other => panic!("expected the refusal of {id}, got {other:?}"),
        }
    }
    held.release();
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 0,
            output: json!("h")
        }
    );
    for id in 1..=3u64 {
        assert_eq!(
            r.next().await,
            Frame::Response {
                id,
                output: json!(format!("m{id}"))
            }
        );
    }
    // Once the actor caught up, calls go through again.
    assert_eq!(r.call(11, "mark", json!(["m11"])).await, json!("m11"));
    let snap = snapshot(&a).await;
    for id in 1..=11 {
        let expected = usize::from(!(4..=10).contains(&id));
        assert_eq!(count(&snap.log, &format!("mark:m{id}")), expected, "m{id}");
    }

    // Subscriptions cannot be refused one by one: the connection is closed.
    r.action(12, "hold", json!(["h2"])).await;
    let held = checkpoint(&key, "r", "h2");
    within("the held action", held.reached()).await;
    for i in 0..4 {
        r.subscribe(&format!("e{i}"), true).await;
    }
    assert_eq!(
        r.next().await,
        Frame::close(1011, "connection.too_many_pending_messages")
    );
    held.release();
    r.expect_end().await;
    assert_eq!(a.whoami().await.unwrap().label, "a");
    let snap = snapshot(&a).await;
    assert_eq!(count(&snap.log, "disconnect:r"), 1);
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_a_panic_keeps_earlier_changes_and_the_messages_behind_it() {
    // The panicking call gets `rivetkit.internal_error`; what it changed before the panic stays
    // changed (nothing is rolled back); the calls queued behind it run; the actor goes on.
    let s = TestServer::probe().await;
    let key = unique("panic");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.action(0, "markThenExplode", json!(["p"])).await;
    r.action(1, "mark", json!(["after"])).await;
    r.action(2, "whoami", json!([])).await;
    match r.next().await {
        Frame::Error {
            group,
            code,
            message,
            action_id,
            ..
        } => {
            assert_eq!(
                (group.as_str(), code.as_str(), message.as_str()),
                ("rivetkit", "internal_error", "An internal error occurred")
            );
            assert_eq!(action_id, json!(["$BigInt", "0"]));
        }
        other => panic!("expected the internal error, got {other:?}"),
    }
    assert!(!r.last_text.contains("secret"), "{}", r.last_text);
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 1,
            output: json!("after")
        }
    );
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 2,
            output: json!({ "label": "r", "n": 1, "ready": true })
        }
    );

    // Over HTTP alike.
    let h = s.http(&key, &ProbeParams::new("h"));
    let error = h
        .action_raw("markThenExplode", vec![json!("q")])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("internal_error"));

    assert_eq!(a.whoami().await.unwrap().label, "a");
    let snap = snapshot(&a).await;
    let marks: Vec<&String> = snap.log.iter().filter(|e| e.starts_with("mark:")).collect();
    assert_eq!(marks, ["mark:p", "mark:after", "mark:q"]);
    assert_eq!(snap.visible, ["a", "r"]);
    let _: Value = r.call(3, "whoami", json!([])).await;
}
