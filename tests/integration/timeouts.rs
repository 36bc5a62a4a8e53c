//! Rule 12: deadlines of the connect hooks and of actions; a sync action is never cut short; the
//! actor keeps serving; a hook that calls its own actor times out instead of deadlocking.

use std::time::{Duration, Instant};

use rivet_core::{ActorOptions, Limits, Registry};
use rivet_examples::probe::{Counter, CounterClient, Probe, ProbeClient, ProbeParams};
use serde_json::json;

use crate::common::raw::Frame;
use crate::common::raw::{Raw, connection_error};
use crate::common::{
    TestServer, assert_actor_error, count, entries_of, lifecycle, snapshot, unique, within,
};

fn short() -> ActorOptions {
    let limit = Duration::from_millis(150);
    ActorOptions {
        on_before_connect_timeout: limit,
        create_conn_state_timeout: limit,
        on_connect_timeout: limit,
        action_timeout: limit,
    }
}

#[test]
fn rule_12_the_defaults_are_rivetkit_s() {
    let options = ActorOptions::default();
    assert_eq!(options.on_before_connect_timeout, Duration::from_secs(5));
    assert_eq!(options.create_conn_state_timeout, Duration::from_secs(5));
    assert_eq!(options.on_connect_timeout, Duration::from_secs(5));
    assert_eq!(options.action_timeout, Duration::from_secs(60));
    assert_eq!(Limits::default().close_timeout, Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_12_slow_connect_hooks_time_out() {
    let s = TestServer::probe_with(short()).await;
    let key = unique("hook-timeouts");
    let a = s.join(&key, "a").await;

    let cases = [
        (
            ProbeParams {
                before_ms: 2000,
                ..ProbeParams::new("x")
            },
            "Callback `onBeforeConnect` timed out.",
        ),
        (
            ProbeParams {
                create_ms: 2000,
                ..ProbeParams::new("y")
            },
            "Callback `createConnState` timed out.",
        ),
        (
            ProbeParams {
                connect_ms: 2000,
                ..ProbeParams::new("z")
            },
            "Callback `onConnect` timed out.",
        ),
    ];
    for (params, message) in cases {
        let started = Instant::now();
        let error = s.try_join(&key, &params).await.unwrap_err();
        assert_actor_error(&error, "actor", "callback_timed_out", message, None);
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "took {:?}",
            started.elapsed()
        );
    }
    // On the wire: an Error for the connection, then 1011 with the code.
    let mut raw = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "w", "create_ms": 2000 })),
    )
    .await;
    assert_eq!(
        raw.next().await,
        connection_error(
            "actor",
            "callback_timed_out",
            "Callback `createConnState` timed out.",
            None
        )
    );
    assert_eq!(
        raw.next().await,
        Frame::close(1011, "actor.callback_timed_out")
    );

    // The actor keeps serving; a timed-out preflight leaves no trace, a timed-out on_connect
    // runs on_disconnect once (rule 5).
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "x"), lifecycle("x", &["before"]));
    assert_eq!(
        entries_of(&snap.log, "y"),
        lifecycle("y", &["before", "create"])
    );
    assert_eq!(
        entries_of(&snap.log, "z"),
        lifecycle("z", &["before", "create", "connect", "disconnect"])
    );
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_12_a_slow_action_times_out_and_the_actor_keeps_serving() {
    // Cases 81 and 82.
    let s = TestServer::probe_with(short()).await;
    let key = unique("action-timeout");
    let a = s.join(&key, "a").await;
    let started = Instant::now();
    let error = a.slow(2000).await.unwrap_err();
    assert_actor_error(
        &error,
        "actor",
        "action_timed_out",
        "Action timed out.",
        None,
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(a.slow(10).await.unwrap(), 10);
    assert_eq!(a.whoami().await.unwrap().label, "a");

    let h = s.http(&key, &ProbeParams::new("h"));
    let error = h.slow(2000).await.unwrap_err();
    assert_actor_error(
        &error,
        "actor",
        "action_timed_out",
        "Action timed out.",
        None,
    );
    assert_eq!(h.slow(10).await.unwrap(), 10);
    // The short-lived connection of the timed-out call was still removed.
    let snap = snapshot(&a).await;
    assert_eq!(count(&snap.log, "disconnect:h"), 2);
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_12_a_sync_action_is_never_cut_short() {
    // Case 84: the deadline is 150 ms, the action blocks for 300 ms.
    let s = TestServer::probe_with(short()).await;
    let key = unique("sync");
    let a = s.join(&key, "a").await;
    assert_eq!(a.spin(300).await.unwrap(), 300);
    assert_eq!(
        s.http(&key, &ProbeParams::new("h"))
            .spin(300)
            .await
            .unwrap(),
        300
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_12_timeouts_are_per_actor_type() {
    // Cases 83 and 85: the probe gives 150 ms, the counter keeps the 60 s default.
    let s = TestServer::start(
        Registry::new()
            .register_with::<Probe>(short())
            .register::<Counter>(),
    )
    .await;
    let key = unique("per-actor");
    let counter = s.client.get_or_create::<Counter>(key.as_str());
    assert_eq!(counter.delayed(300).await.unwrap(), "delayed response");
    let error = s
        .http(&key, &ProbeParams::new("h"))
        .slow(300)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("action_timed_out"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_12_a_hook_calling_its_own_actor_times_out_instead_of_deadlocking() {
    // BC-22, variant: on_connect awaits an action on its own actor through a client; the call
    // waits behind on_connect, so on_connect times out, and the actor goes on.
    let options = ActorOptions {
        on_connect_timeout: Duration::from_millis(300),
        ..ActorOptions::default()
    };
    let s = TestServer::probe_with(options).await;
    let key = unique("bc22");
    let z = s.join(&key, "z").await;

    let started = Instant::now();
    let params = ProbeParams {
        call_self: Some(s.endpoint()),
        ..ProbeParams::new("x")
    };
    let (x, served) = tokio::join!(s.try_join(&key, &params), async {
        let mut served = 0;
        for _ in 0..10 {
            assert_eq!(within("z's call", z.whoami()).await.unwrap().label, "z");
            served += 1;
        }
        served
    });
    assert_actor_error(
        &x.unwrap_err(),
        "actor",
        "callback_timed_out",
        "Callback `onConnect` timed out.",
        None,
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(served, 10);

    let snap = snapshot(&z).await;
    assert_eq!(
        entries_of(&snap.log, "x"),
        lifecycle("x", &["before", "create", "connect", "disconnect"])
    );
    assert_eq!(snap.visible, ["z"]);
    assert_eq!(z.whoami().await.unwrap().label, "z");
}
