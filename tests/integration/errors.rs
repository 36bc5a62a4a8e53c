//! Rule 9: user errors pass through with their code, message and metadata; every other error is
//! masked, connect hooks included. Also unknown actions and wrong arguments (rule 14).

use rivet_core::INTERNAL_MESSAGE;
use rivet_core::client::ClientError;
use rivet_examples::probe::{ProbeClient, ProbeParams, Stage};
use serde_json::json;

use crate::common::raw::{Frame, Raw, connection_error};
use crate::common::{TestServer, assert_actor_error, count, entries_of, joined, snapshot, unique};

#[track_caller]
fn assert_masked(error: &ClientError) {
    assert_actor_error(error, "rivetkit", "internal_error", INTERNAL_MESSAGE, None);
    assert!(!format!("{error:?}").contains("secret"), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_09_a_user_error_from_on_before_connect_keeps_its_metadata() {
    // BC-8, step 1.
    let s = TestServer::probe().await;
    let key = unique("bc8");
    let a = s.join(&key, "a").await;
    let x = s
        .try_join(
            &key,
            &ProbeParams {
                seats: 25,
                ..ProbeParams::new("x")
            },
        )
        .await;
    let metadata = json!({ "limit": 20, "attempted": 25 });
    assert_actor_error(
        &x.unwrap_err(),
        "user",
        "quota_exceeded",
        "quota exceeded",
        Some(metadata.clone()),
    );

    // On the wire.
    let mut raw = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "w", "seats": 25 })),
    )
    .await;
    assert_eq!(
        raw.next().await,
        connection_error("user", "quota_exceeded", "quota exceeded", Some(metadata))
    );
    assert_eq!(raw.next().await, Frame::close(1011, "user.quota_exceeded"));

    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "x"), ["before:x"]);
    assert_eq!(entries_of(&snap.log, "w"), ["before:w"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_09_action_errors_over_websocket_are_passed_or_masked_and_the_connection_stays() {
    // BC-8, step 2; cases 76 to 80.
    let s = TestServer::probe().await;
    let key = unique("bc8-ws");
    let a = s
        .try_join(
            &key,
            &ProbeParams {
                seats: 1,
                ..ProbeParams::new("a")
            },
        )
        .await
        .unwrap();

    assert_masked(&a.crash().await.unwrap_err());
    assert_masked(&a.explode().await.unwrap_err());
    let error = a.fail().await.unwrap_err();
    assert_actor_error(
        &error,
        "user",
        "bad_input",
        "bad input",
        Some(json!({ "field": "name" })),
    );
    assert_eq!(a.whoami().await.unwrap().label, "a");
    assert_eq!(a.close_info(), None);

    // On the wire: the error carries its action id, and the text never travels.
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.action(7, "crash", json!([])).await;
    assert_eq!(
        r.next().await,
        Frame::Error {
            group: "rivetkit".into(),
            code: "internal_error".into(),
            message: INTERNAL_MESSAGE.into(),
            metadata: None,
            action_id: json!(["$BigInt", "7"]),
        }
    );
    assert!(!r.last_text.contains("secret"), "{}", r.last_text);
    r.action(8, "explode", json!([])).await;
    assert!(matches!(r.next().await, Frame::Error { code, .. } if code == "internal_error"));
    assert!(!r.last_text.contains("secret"), "{}", r.last_text);
    r.call(9, "whoami", json!([])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_09_internal_errors_and_panics_in_connect_hooks_are_masked() {
    let s = TestServer::probe().await;
    let key = unique("masked-hooks");
    let a = s.join(&key, "a").await;
    let stages = [Stage::Before, Stage::Create, Stage::Connect];
    for stage in stages {
        for kind in ["crash", "panic"] {
            let label = format!("{kind}-{}", stage.as_str());
            let mut params = ProbeParams::new(label.as_str());
            if kind == "crash" {
                params.crash = Some(stage);
            } else {
                params.panic = Some(stage);
            }
            let error = s.try_join(&key, &params).await.unwrap_err();
            assert_masked(&error);
        }
    }
    // On the wire: the close reason is the public code, and the text never travels.
    let mut raw = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "w", "crash": "create" })),
    )
    .await;
    assert_eq!(
        raw.next().await,
        connection_error("rivetkit", "internal_error", INTERNAL_MESSAGE, None)
    );
    assert!(!raw.last_text.contains("secret"), "{}", raw.last_text);
    assert_eq!(
        raw.next().await,
        Frame::close(1011, "rivetkit.internal_error")
    );

    let snap = snapshot(&a).await;
    for kind in ["crash", "panic"] {
        let before = format!("{kind}-before");
        assert_eq!(entries_of(&snap.log, &before), [format!("before:{before}")]);
        let create = format!("{kind}-create");
        assert_eq!(
            entries_of(&snap.log, &create),
            [format!("before:{create}"), format!("create:{create}")]
        );
        // on_connect had joined the connection: its on_disconnect runs once (rule 5).
        let connect = format!("{kind}-connect");
        let expected: Vec<String> = ["before", "create", "connect", "disconnect"]
            .iter()
            .map(|h| format!("{h}:{connect}"))
            .collect();
        assert_eq!(entries_of(&snap.log, &connect), expected);
    }
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_09_errors_over_http_are_the_same() {
    // BC-8, step 3.
    let s = TestServer::probe().await;
    let key = unique("bc8-http");
    let refused = s
        .http(
            &key,
            &ProbeParams {
                seats: 25,
                ..ProbeParams::new("x")
            },
        )
        .whoami()
        .await
        .unwrap_err();
    let metadata = json!({ "limit": 20, "attempted": 25 });
    assert_actor_error(
        &refused,
        "user",
        "quota_exceeded",
        "quota exceeded",
        Some(metadata),
    );

    let h = s.http(
        &key,
        &ProbeParams {
            seats: 1,
            ..ProbeParams::new("h")
        },
    );
    assert_masked(&h.crash().await.unwrap_err());
    assert_masked(&h.explode().await.unwrap_err());
    let error = h.fail().await.unwrap_err();
    assert_actor_error(
        &error,
        "user",
        "bad_input",
        "bad input",
        Some(json!({ "field": "name" })),
    );
    assert_eq!(h.whoami().await.unwrap().label, "h");

    for stage in [Stage::Before, Stage::Create, Stage::Connect] {
        let params = ProbeParams {
            crash: Some(stage),
            ..ProbeParams::new("c")
        };
        assert_masked(&s.http(&key, &params).whoami().await.unwrap_err());
        let params = ProbeParams {
            panic: Some(stage),
            ..ProbeParams::new("p")
        };
        assert_masked(&s.http(&key, &params).whoami().await.unwrap_err());
    }
    let snap = h.snapshot().await.unwrap();
    assert_eq!(entries_of(&snap.log, "x"), ["before:x"]);
    // crash, explode, fail and whoami; the snapshot's own on_disconnect comes after it.
    assert_eq!(count(&snap.log, "disconnect:h"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_09_unknown_actions_and_wrong_arguments_are_clear_errors() {
    // BC-20 and rule 14: the connection stays open and the next call works.
    let s = TestServer::probe().await;
    let key = unique("bad-calls");
    let a = s.join(&key, "a").await;
    let h = s.http(&key, &ProbeParams::new("h"));

    for error in [
        a.action_raw("nope", vec![]).await.unwrap_err(),
        h.action_raw("nope", vec![]).await.unwrap_err(),
    ] {
        assert_actor_error(
            &error,
            "actor",
            "action_not_found",
            "Action `nope` was not found.",
            None,
        );
    }
    let wrong_type = a.action_raw("shout", vec![json!("x")]).await.unwrap_err();
    assert_actor_error(
        &wrong_type,
        "actor",
        "invalid_arguments",
        "Invalid arguments for action `shout`: argument `i`: expected i64, found string",
        None,
    );
    let too_many = h
        .action_raw("shout", vec![json!(1), json!(2)])
        .await
        .unwrap_err();
    assert_actor_error(
        &too_many,
        "actor",
        "invalid_arguments",
        "Invalid arguments for action `shout`: expected 1 argument(s), got 2",
        None,
    );
    let missing = a.action_raw("dm", vec![json!("a")]).await.unwrap_err();
    assert_eq!(missing.code(), Some("invalid_arguments"));
    assert_eq!(
        a.whoami().await.unwrap(),
        rivet_examples::probe::ProbeConnState {
            label: "a".into(),
            n: 0,
            ready: true
        }
    );
    assert_eq!(a.close_info(), None);
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "a"), joined("a"));
}
