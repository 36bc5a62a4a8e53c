//! Rules 2 and 3: a connection in preflight is invisible, a failed preflight leaves no trace, and
//! a connection sees itself in `on_connect`.

use rivet_examples::probe::{ProbeClient, ProbeParams, View, checkpoint};
use serde_json::json;

use crate::common::raw::{Frame, Raw, connection_error};
use crate::common::{
    TestServer, assert_actor_error, count, entries_of, joined, next, snapshot, unique, within,
};

fn view(hook: &str, label: &str, visible: &[&str], own_visible: bool) -> View {
    View {
        hook: hook.into(),
        label: label.into(),
        visible: visible.iter().map(|v| (*v).to_owned()).collect(),
        own_visible,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_02_failed_preflight_is_invisible() {
    // BC-1 and case 49.
    let s = TestServer::probe().await;
    let key = unique("bc1");
    let a = s.join(&key, "a").await;
    let mut joined_events = a.events::<String>("joined");
    let mut left_events = a.events::<String>("left");
    snapshot(&a).await;

    let b = s
        .try_join(
            &key,
            &ProbeParams {
                reject_before: true,
                ..ProbeParams::new("b")
            },
        )
        .await;
    assert_actor_error(
        &b.unwrap_err(),
        "user",
        "rejected",
        "rejected by on_before_connect",
        None,
    );
    let c = s
        .try_join(
            &key,
            &ProbeParams {
                reject_create: true,
                ..ProbeParams::new("c")
            },
        )
        .await;
    assert_actor_error(
        &c.unwrap_err(),
        "user",
        "rejected",
        "rejected by create_conn_state",
        None,
    );

    let snap = snapshot(&a).await;
    let mut expected = joined("a");
    expected.extend(["before:b", "before:c", "create:c"].map(String::from));
    assert_eq!(snap.log, expected);
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);

    // Neither joined nor left: the first of each event a sees is about e.
    let e = s.join(&key, "e").await;
    assert_eq!(next(&mut joined_events).await, "e");
    e.disconnect().await;
    assert_eq!(next(&mut left_events).await, "e");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_02_failed_preflight_sends_an_error_then_closes_1011_with_group_code() {
    let s = TestServer::probe().await;
    let key = unique("preflight-wire");
    for (label, flag, message) in [
        ("b", "reject_before", "rejected by on_before_connect"),
        ("c", "reject_create", "rejected by create_conn_state"),
    ] {
        let mut raw = Raw::open(
            s.addr(),
            "probe",
            &key,
            Some(&json!({ "label": label, flag: true })),
        )
        .await;
        raw.action(0, "whoami", json!([])).await;
        assert_eq!(
            raw.next().await,
            connection_error("user", "rejected", message, None)
        );
        assert_eq!(raw.next().await, Frame::close(1011, "user.rejected"));
        raw.expect_end().await;
    }
    let a = s.join(&key, "a").await;
    let snap = snapshot(&a).await;
    assert_eq!(
        count(&snap.log, "disconnect:b") + count(&snap.log, "disconnect:c"),
        0
    );
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_02_a_client_leaving_during_preflight_stops_the_remaining_hooks() {
    // BC-1, variant: the client goes away while a preflight hook sleeps: a close frame for d1,
    // a reset for d2, a close frame without a status code for d3.
    let s = TestServer::probe().await;
    let key = unique("bc1-variant");
    let a = s.join(&key, "a").await;

    let d1 = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "d1", "before_ms": 300 })),
    )
    .await;
    within(
        "on_before_connect of d1",
        checkpoint(&key, "d1", "before").reached(),
    )
    .await;
    d1.close(Some((1000, "bye"))).await;

    let d2 = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "d2", "before_ms": 300 })),
    )
    .await;
    within(
        "on_before_connect of d2",
        checkpoint(&key, "d2", "before").reached(),
    )
    .await;
    d2.reset();

    // Leaving during create_conn_state: on_connect never runs.
    let d3 = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "d3", "create_ms": 300 })),
    )
    .await;
    within(
        "create_conn_state of d3",
        checkpoint(&key, "d3", "create").reached(),
    )
    .await;
    d3.close(None).await;

    // The snapshot runs after the three connect attempts are done.
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "d1"), ["before:d1"]);
    assert_eq!(entries_of(&snap.log, "d2"), ["before:d2"]);
    assert_eq!(entries_of(&snap.log, "d3"), ["before:d3", "create:d3"]);
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_03_a_pending_connection_is_invisible_until_preflight_succeeds() {
    // BC-2, cases 47 and 48.
    let s = TestServer::probe().await;
    let key = unique("bc2");
    let primary = s.join(&key, "primary").await;
    snapshot(&primary).await;

    let params = ProbeParams {
        before_ms: 100,
        create_ms: 100,
        ..ProbeParams::new("pending")
    };
    let pending = s.try_join(&key, &params).await.unwrap();
    let snap = pending.snapshot().await.unwrap();
    assert_eq!(snap.visible, ["pending", "primary"]);
    assert_eq!(
        snap.views,
        [
            view("before", "primary", &[], false),
            view("create", "primary", &[], false),
            view("connect", "primary", &["primary"], true),
            view("before", "pending", &["primary"], false),
            view("create", "pending", &["primary"], false),
            view("connect", "pending", &["pending", "primary"], true),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_03_a_subscription_sent_during_preflight_applies_once_joined() {
    // A client may subscribe before Init; the request waits behind the connect hooks (rule 1),
    // so the pending connection is never a broadcast target, and the joined one is.
    let s = TestServer::probe().await;
    let key = unique("early-subscription");
    let a = s.join(&key, "a").await;
    let params = json!({ "label": "b", "hold": "create" });
    let mut b = Raw::open(s.addr(), "probe", &key, Some(&params)).await;
    b.subscribe("msg", true).await;
    b.action(0, "whoami", json!([])).await;
    within(
        "create_conn_state of b",
        checkpoint(&key, "b", "create").reached(),
    )
    .await;
    checkpoint(&key, "b", "create").release();
    assert!(matches!(b.next().await, Frame::Init { .. }));
    assert_eq!(
        b.next().await,
        Frame::Response {
            id: 0,
            output: json!({ "label": "b", "n": 0, "ready": true })
        }
    );
    assert_eq!(a.shout(1).await.unwrap(), 2);
    assert_eq!(b.next().await, Frame::event("msg", json!(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_03_on_connect_sees_its_own_connection() {
    let s = TestServer::probe().await;
    let key = unique("own");
    let a = s.join(&key, "a").await;
    let snap = snapshot(&a).await;
    assert_eq!(snap.views.last(), Some(&view("connect", "a", &["a"], true)));
}
