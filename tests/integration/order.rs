//! Rule 1: the order of the hooks of a new connection, Init, then the connection's own messages.

use rivet_examples::probe::{Probe, ProbeClient, ProbeConnState, ProbeParams, checkpoint};
use serde_json::json;

use crate::common::raw::{Frame, Raw};
use crate::common::{TestServer, count, entries_of, joined, next, snapshot, unique, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_hooks_run_in_order_and_the_connection_joins() {
    let s = TestServer::probe().await;
    let key = unique("order");
    let a = s.join(&key, "a").await;

    let snap = snapshot(&a).await;
    assert_eq!(snap.log, joined("a"));
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
    let state = a.whoami().await.unwrap();
    assert_eq!(
        state,
        ProbeConnState {
            label: "a".into(),
            n: 0,
            ready: true
        }
    );
    // Init carries the actor id and a fresh connection id.
    assert_eq!(a.actor_id(), s.handle(&key).resolve().await.unwrap());
    assert_eq!(a.connection_id().len(), 36, "a UUID: {}", a.connection_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_actions_pipelined_before_init_run_after_on_connect() {
    // BC-22: on_connect takes 300 ms, then sets `ready`; calls sent before Init wait for it.
    let s = TestServer::probe().await;
    let key = unique("pipelined");
    let params = json!({ "label": "x", "connect_ms": 300 });
    let mut x = Raw::open(s.addr(), "probe", &key, Some(&params)).await;
    x.action(0, "isReady", json!([])).await;
    x.action(1, "whoami", json!([])).await;

    assert!(
        matches!(x.next().await, Frame::Init { .. }),
        "Init comes first"
    );
    assert_eq!(
        x.next().await,
        Frame::Response {
            id: 0,
            output: json!(true)
        }
    );
    assert_eq!(
        x.next().await,
        Frame::Response {
            id: 1,
            output: json!({ "label": "x", "n": 0, "ready": true })
        }
    );
    let log = x.call(2, "snapshot", json!([])).await["log"].clone();
    assert_eq!(
        log,
        json!([
            "before:x",
            "create:x",
            "connect:x",
            "connected:x",
            "action:x"
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_each_connection_runs_its_own_hooks_with_its_own_params() {
    let s = TestServer::probe().await;
    let key = unique("params");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    assert_eq!(a.whoami().await.unwrap().label, "a");
    assert_eq!(b.whoami().await.unwrap().label, "b");
    // Connection state is per connection.
    assert_eq!(a.bump().await.unwrap(), 1);
    assert_eq!(a.bump().await.unwrap(), 2);
    assert_eq!(b.bump().await.unwrap(), 1);
    assert_eq!(a.whoami().await.unwrap().n, 2);
    let snap = snapshot(&b).await;
    assert_eq!(snap.log, [joined("a"), joined("b")].concat());
    assert_eq!(snap.visible, ["a", "b"]);
    assert_ne!(a.connection_id(), b.connection_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_a_reset_during_on_connect_waits_for_on_connect_to_finish() {
    // BC-6 (a): the client resets TCP while on_connect sleeps; on_disconnect follows on_connect.
    let s = TestServer::probe().await;
    let key = unique("reset-in-connect");
    let obs = s.join(&key, "obs").await;
    let mut left = obs.events::<String>("left");
    obs.whoami().await.unwrap();

    let x = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "x", "connect_ms": 300 })),
    )
    .await;
    within(
        "on_connect of x",
        checkpoint(&key, "x", "connect").reached(),
    )
    .await;
    x.reset();

    assert_eq!(next(&mut left).await, "x");
    let snap = snapshot(&obs).await;
    let mut expected = joined("x");
    expected.push("disconnect:x".into());
    assert_eq!(entries_of(&snap.log, "x"), expected);
    assert_eq!(snap.visible, ["obs"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_an_action_arriving_during_preflight_runs_after_the_new_connection_joined() {
    let s = TestServer::probe().await;
    let key = unique("during-preflight");
    let a = s.join(&key, "a").await;
    let params = ProbeParams {
        create_ms: 300,
        ..ProbeParams::new("b")
    };
    let (b, shout) = tokio::join!(s.try_join(&key, &params), async {
        within(
            "create_conn_state of b",
            checkpoint(&key, "b", "create").reached(),
        )
        .await;
        a.shout(1).await
    });
    let _b = b.unwrap();
    // b had joined by the time the shout ran: it counts two connections.
    assert_eq!(shout.unwrap(), 2);
    let snap = snapshot(&a).await;
    assert_eq!(snap.log, [joined("a"), joined("b")].concat());
    assert_eq!(count(&snap.log, "connected:b"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_01_http_handles_and_connections_share_the_actor() {
    let s = TestServer::probe().await;
    let key = unique("shared");
    let a = s.join(&key, "a").await;
    let id = s.handle(&key).resolve().await.unwrap();
    let by_id = s
        .client
        .get_for_id::<Probe>(&id)
        .with_params(&ProbeParams::new("h"))
        .unwrap();
    let snap = by_id.snapshot().await.unwrap();
    assert_eq!(snap.visible, ["a", "h"]);
    assert_eq!(a.actor_id(), id);
}
