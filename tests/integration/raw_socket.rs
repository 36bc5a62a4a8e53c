//! The wire itself, with a hand-made client: Init, ids, the close handshake, malformed frames and
//! other bad input (rules 13 and 14, BC-16 and BC-20).

use std::time::{Duration, Instant};

use rivet_examples::probe::ProbeClient;
use serde_json::json;

use crate::common::raw::{Frame, Raw, big_int, connection_error};
use crate::common::{TestServer, count, entries_of, gateway, joined, snapshot, unique, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_init_comes_first_and_names_the_actor_and_the_connection() {
    let s = TestServer::probe().await;
    let key = unique("init");
    let (mut r, connection_id) =
        Raw::join(s.addr(), "probe", &key, Some(&json!({ "label": "r" }))).await;
    let Frame::Init { actor_id, .. } = crate::common::raw::parse(&r.last_text) else {
        unreachable!()
    };
    assert_eq!(actor_id, s.handle(&key).resolve().await.unwrap());
    assert_eq!(actor_id.len(), 30);
    assert_eq!(connection_id.len(), 36);
    assert!(r.last_text.contains(r#""tag":"Init""#), "{}", r.last_text);
    // Ids go back as `["$BigInt", "n"]`, whatever form they came in.
    r.send_text(json!({ "body": { "tag": "ActionRequest", "val": { "id": 41, "name": "mark", "args": ["n"] } } }).to_string())
        .await;
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 41,
            output: json!("n")
        }
    );
    r.action(42, "mark", json!(["b"])).await;
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 42,
            output: json!("b")
        }
    );
    assert!(
        r.last_text.contains(r#"["$BigInt","42"]"#),
        "{}",
        r.last_text
    );
    assert_eq!(big_int(&json!(["$BigInt", "42"])), 42);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_a_client_close_is_answered_at_once_and_runs_on_disconnect() {
    // BC-16 (a): the server echoes the close within 100 ms (here: well before the test's close
    // timeout of 300 ms).
    let s = TestServer::probe().await;
    let key = unique("bc16");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    a.whoami().await.unwrap();
    let r = Raw::probe(s.addr(), &key, "r").await;
    let started = Instant::now();
    assert_eq!(
        r.close(Some((1000, "bye"))).await,
        Some((1000, "bye".to_owned()))
    );
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(crate::common::next(&mut left).await, "r");
    let snap = snapshot(&a).await;
    assert_eq!(count(&snap.log, "disconnect:r"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_14_a_malformed_frame_closes_only_its_own_connection() {
    let s = TestServer::probe().await;
    let key = unique("malformed");
    let a = s.join(&key, "a").await;
    assert_eq!(a.bump().await.unwrap(), 1);
    let bad_frames = [
        "not json".to_owned(),
        json!({ "body": { "tag": "Nope", "val": {} } }).to_string(),
        json!({ "body": { "tag": "ActionRequest", "val": { "name": "whoami", "args": [] } } })
            .to_string(),
        json!({ "body": { "tag": "SubscriptionRequest", "val": { "subscribe": true } } })
            .to_string(),
    ];
    for (i, frame) in bad_frames.into_iter().enumerate() {
        let label = format!("m{i}");
        let mut r = Raw::probe(s.addr(), &key, &label).await;
        r.send_text(frame.clone()).await;
        assert_eq!(
            r.next().await,
            Frame::close(1011, "actor.invalid_request"),
            "{frame}"
        );
        r.expect_end().await;
    }
    // Nobody else noticed: a's connection and state are intact.
    assert_eq!(a.bump().await.unwrap(), 2);
    assert_eq!(a.close_info(), None);
    let snap = snapshot(&a).await;
    for i in 0..4 {
        let label = format!("m{i}");
        let mut expected = joined(&label);
        expected.push(format!("disconnect:{label}"));
        assert_eq!(entries_of(&snap.log, &label), expected);
    }
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_13_an_incoming_message_over_64_kib_closes_the_connection() {
    let s = TestServer::probe().await;
    let key = unique("too-long");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    // Just under the limit passes.
    let fits = "x".repeat(60 * 1024);
    assert_eq!(r.call(0, "echo", json!([fits])).await, json!(fits));
    r.action(1, "echo", json!(["x".repeat(65 * 1024)])).await;
    assert_eq!(
        r.next().await,
        Frame::close(1011, "message.incoming_too_long")
    );
    assert_eq!(a.whoami().await.unwrap().label, "a");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_unknown_encodings_and_bad_params_are_refused() {
    let s = TestServer::probe().await;
    let key = unique("refused");
    let path = gateway("probe", &key, "connect");

    let mut r = Raw::open_path(s.addr(), &path, "rivet, rivet_encoding.yaml").await;
    assert_eq!(
        r.next().await,
        Frame::close(1003, "actor.unsupported_websocket_encoding")
    );

    let mut r = Raw::open_path(
        s.addr(),
        &path,
        "rivet, rivet_encoding.json, rivet_conn_params.%7Bnot-json",
    )
    .await;
    assert!(
        matches!(r.next().await, Frame::Error { code, action_id, .. } if code == "invalid_params" && action_id.is_null())
    );
    assert_eq!(r.next().await, Frame::close(1011, "actor.invalid_params"));

    // Params of the wrong shape for the probe.
    let mut r = Raw::open(s.addr(), "probe", &key, Some(&json!({ "label": 5 }))).await;
    assert!(matches!(r.next().await, Frame::Error { code, .. } if code == "invalid_params"));
    assert_eq!(r.next().await, Frame::close(1011, "actor.invalid_params"));

    // A missing actor type, and a missing actor with `get`.
    let mut r = Raw::open_path(
        s.addr(),
        &gateway("nope", &key, "connect"),
        "rivet, rivet_encoding.json",
    )
    .await;
    assert!(matches!(r.next().await, Frame::Error { code, .. } if code == "unknown_actor_type"));
    assert_eq!(
        r.next().await,
        Frame::close(1011, "actor.unknown_actor_type")
    );
    let get = format!(
        "/gateway/probe/connect?rvt-namespace=default&rvt-method=get&rvt-key={key}-missing"
    );
    let mut r = Raw::open_path(s.addr(), &get, "rivet, rivet_encoding.json").await;
    assert_eq!(
        r.next().await,
        connection_error(
            "actor",
            "not_found",
            "The actor does not exist or was destroyed.",
            None
        )
    );
    assert_eq!(r.next().await, Frame::close(1011, "actor.not_found"));

    // The actor served none of them.
    let a = s.join(&key, "a").await;
    assert_eq!(snapshot(&a).await.log, joined("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_calls_behind_a_disconnect_never_run() {
    // BC-16: once the server closes a connection, what that client sent after never runs.
    let s = TestServer::probe().await;
    let key = unique("after-close");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.action(0, "disconnectSelf", json!(["out"])).await;
    r.action(1, "mark", json!(["late"])).await;
    r.action(2, "mark", json!(["later"])).await;
    assert_eq!(r.next().await, Frame::close(1000, "out"));
    r.expect_end().await;
    let snap = within("a snapshot", snapshot(&a)).await;
    assert_eq!(
        count(&snap.log, "mark:late") + count(&snap.log, "mark:later"),
        0
    );
    assert_eq!(count(&snap.log, "disconnect:r"), 1);
}
