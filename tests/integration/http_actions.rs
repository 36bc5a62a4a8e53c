//! Rule 10: a stateless HTTP action runs as a short-lived connection, with the same hooks, and
//! the HTTP status of each kind of error.

use std::time::Duration;

use rivet_core::ActorOptions;
use rivet_examples::probe::{ProbeClient, ProbeConnState, ProbeParams};
use serde_json::json;

use crate::common::{
    TestServer, assert_actor_error, count, entries_of, gateway, http_post, joined, next, snapshot,
    unique,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_10_an_http_action_runs_inside_the_connect_hooks() {
    let s = TestServer::probe().await;
    let key = unique("http-cycle");
    let obs = s.join(&key, "obs").await;
    let mut joined_events = obs.events::<String>("joined");
    let mut left_events = obs.events::<String>("left");
    obs.whoami().await.unwrap();

    // `greet` sends to the short-lived connection, which has nowhere to deliver: no error.
    let h = s.http(
        &key,
        &ProbeParams {
            greet: true,
            ..ProbeParams::new("h")
        },
    );
    let during = h.snapshot().await.unwrap();
    assert_eq!(during.log, [joined("obs"), joined("h")].concat());
    assert_eq!(during.visible, ["h", "obs"]);
    assert_eq!(during.online, 2);
    assert_eq!(next(&mut joined_events).await, "h");
    assert_eq!(next(&mut left_events).await, "h");

    let after = snapshot(&obs).await;
    let mut expected = joined("h");
    expected.push("disconnect:h".into());
    assert_eq!(entries_of(&after.log, "h"), expected);
    assert_eq!(after.visible, ["obs"]);
    assert_eq!(after.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_10_every_http_action_is_a_full_connect_and_disconnect() {
    // Cases 45 and 46: two calls, two cycles, and fresh connection state each time.
    let s = TestServer::probe().await;
    let key = unique("http-twice");
    let h = s.http(&key, &ProbeParams::new("h"));
    assert_eq!(h.bump().await.unwrap(), 1);
    assert_eq!(h.bump().await.unwrap(), 1);
    assert_eq!(
        h.whoami().await.unwrap(),
        ProbeConnState {
            label: "h".into(),
            n: 0,
            ready: true
        }
    );
    let other = s.http(&key, &ProbeParams::new("k"));
    other.whoami().await.unwrap();

    let a = s.join(&key, "a").await;
    let snap = snapshot(&a).await;
    for hook in ["before", "create", "connect", "connected", "disconnect"] {
        assert_eq!(count(&snap.log, &format!("{hook}:h")), 3, "{hook}");
        assert_eq!(count(&snap.log, &format!("{hook}:k")), 1, "{hook}");
    }
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_10_http_connect_hook_failures_follow_rules_2_and_5() {
    let s = TestServer::probe().await;
    let key = unique("http-failures");
    let rejected = s
        .http(
            &key,
            &ProbeParams {
                reject_before: true,
                ..ProbeParams::new("r")
            },
        )
        .whoami()
        .await;
    assert_actor_error(
        &rejected.unwrap_err(),
        "user",
        "rejected",
        "rejected by on_before_connect",
        None,
    );
    let failed = s
        .http(
            &key,
            &ProbeParams {
                fail_connect: true,
                ..ProbeParams::new("f")
            },
        )
        .whoami()
        .await;
    assert_actor_error(
        &failed.unwrap_err(),
        "user",
        "connect_failed",
        "on_connect failed",
        None,
    );

    let a = s.join(&key, "a").await;
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "r"), ["before:r"]);
    let mut expected = joined("f");
    expected.push("disconnect:f".into());
    assert_eq!(entries_of(&snap.log, "f"), expected);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_10_http_statuses_match_the_error_kind() {
    let options = ActorOptions {
        action_timeout: Duration::from_millis(100),
        on_before_connect_timeout: Duration::from_millis(100),
        ..ActorOptions::default()
    };
    let s = TestServer::probe_with(options).await;
    let key = unique("http-status");
    let params = json!({ "label": "s" }).to_string();
    let headers = [
        ("x-rivet-encoding", "json"),
        ("x-rivet-conn-params", params.as_str()),
    ];
    let post = |action: &str, args: serde_json::Value| {
        let path = gateway("probe", &key, &format!("action/{action}"));
        let body = json!({ "args": args }).to_string();
        let addr = s.addr();
        async move { http_post(addr, &path, &headers, &body).await }
    };

    let ok = post("whoami", json!([])).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.json(),
        json!({ "output": { "label": "s", "n": 0, "ready": true } })
    );

    let cases = [
        ("fail", json!([]), 400, "user", "bad_input", "bad input"),
        (
            "nope",
            json!([]),
            404,
            "actor",
            "action_not_found",
            "Action `nope` was not found.",
        ),
        (
            "slow",
            json!([1000]),
            408,
            "actor",
            "action_timed_out",
            "Action timed out.",
        ),
        (
            "crash",
            json!([]),
            500,
            "rivetkit",
            "internal_error",
            "An internal error occurred",
        ),
        (
            "explode",
            json!([]),
            500,
            "rivetkit",
            "internal_error",
            "An internal error occurred",
        ),
    ];
    for (action, args, status, group, code, message) in cases {
        let reply = post(action, args).await;
        assert_eq!(reply.status, status, "{action}: {reply:?}");
        let body = reply.json();
        assert_eq!(
            (body["group"].as_str(), body["code"].as_str()),
            (Some(group), Some(code)),
            "{action}: {body}"
        );
        assert_eq!(body["message"], message, "{action}");
        assert_eq!(
            reply.header("x-rivet-error"),
            Some(format!("{group}.{code}").as_str()),
            "{action}"
        );
        assert!(!reply.body.contains("secret"), "{action}: {}", reply.body);
    }
    let user = post("fail", json!([])).await.json();
    assert_eq!(user["metadata"], json!({ "field": "name" }));

    // Connect hooks over HTTP: a user error is 400, a timeout 408.
    let path = gateway("probe", &key, "action/whoami");
    let seats = json!({ "label": "q", "seats": 25 }).to_string();
    let reply = http_post(
        s.addr(),
        &path,
        &[("x-rivet-conn-params", &seats)],
        r#"{"args":[]}"#,
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["metadata"],
        json!({ "limit": 20, "attempted": 25 })
    );
    let slow = json!({ "label": "t", "before_ms": 1000 }).to_string();
    let reply = http_post(
        s.addr(),
        &path,
        &[("x-rivet-conn-params", &slow)],
        r#"{"args":[]}"#,
    )
    .await;
    assert_eq!(reply.status, 408, "{reply:?}");
    assert_eq!(reply.json()["code"], "callback_timed_out");

    // A missing actor is 404 `actor.not_found`.
    let missing = format!(
        "/gateway/probe/action/whoami?rvt-namespace=default&rvt-method=get&rvt-key={key}-missing"
    );
    let reply = http_post(s.addr(), &missing, &[], r#"{"args":[]}"#).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        (reply.json()["group"].clone(), reply.json()["code"].clone()),
        (json!("actor"), json!("not_found"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_10_an_http_action_whose_on_connect_disconnects_it_does_not_run() {
    // Over WebSocket, calls of a connection that on_connect disconnected never run (BC-12). The
    // short-lived connection of an HTTP action is the same: on_disconnect once, no action, and an
    // error for the caller.
    let s = TestServer::probe().await;
    let key = unique("http-banned");
    let result = s
        .http(
            &key,
            &ProbeParams {
                banned: true,
                ..ProbeParams::new("h")
            },
        )
        .mark("m".into())
        .await;
    assert!(
        result.is_err(),
        "the action of a disconnected connection answered {result:?}"
    );
    let a = s.join(&key, "a").await;
    let snap = snapshot(&a).await;
    let mut expected = joined("h");
    expected.push("disconnect:h".into());
    assert_eq!(entries_of(&snap.log, "h"), expected);
    assert_eq!(count(&snap.log, "mark:m"), 0);
}
