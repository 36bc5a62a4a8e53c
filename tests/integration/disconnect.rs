//! Rules 5, 6 and 7: `on_connect` failures, one `on_disconnect` per joined connection whatever
//! ends it, and `conn.disconnect(reason)`.

use std::time::{Duration, Instant};

use rivet_core::client::{ClientError, CloseInfo};
use rivet_examples::probe::{Kicked, ProbeClient, ProbeParams, View};
use serde_json::json;

use crate::common::raw::{Frame, Raw, connection_error};
use crate::common::{
    TestServer, assert_actor_error, count, entries_of, joined, next, snapshot, unique, within,
};

fn joined_then_left(label: &str) -> Vec<String> {
    let mut entries = joined(label);
    entries.push(format!("disconnect:{label}"));
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_05_on_connect_failure_closes_1011_and_runs_on_disconnect_once() {
    // BC-6 (b).
    let s = TestServer::probe().await;
    let key = unique("bc6b");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    a.whoami().await.unwrap();

    let y = s
        .try_join(
            &key,
            &ProbeParams {
                fail_connect: true,
                ..ProbeParams::new("y")
            },
        )
        .await;
    assert_actor_error(
        &y.unwrap_err(),
        "user",
        "connect_failed",
        "on_connect failed",
        None,
    );

    assert_eq!(next(&mut left).await, "y");
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "y"), joined_then_left("y"));
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_05_actions_pipelined_before_a_failed_on_connect_never_run() {
    // BC-6 (c), on the wire: an Error for the connection, a close 1011, and no answers.
    let s = TestServer::probe().await;
    let key = unique("bc6c");
    let a = s.join(&key, "a").await;
    let mut y = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "y", "fail_connect": true })),
    )
    .await;
    y.action(0, "isReady", json!([])).await;
    y.action(1, "whoami", json!([])).await;
    assert_eq!(
        y.next().await,
        connection_error("user", "connect_failed", "on_connect failed", None)
    );
    assert_eq!(y.next().await, Frame::close(1011, "user.connect_failed"));
    y.expect_end().await;

    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "y"), joined_then_left("y"));
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_06_every_way_of_leaving_runs_on_disconnect_exactly_once() {
    // BC-15: a close frame 1000, a close frame without a status code, a TCP reset, a TCP close
    // without a close frame, and a server disconnect.
    let s = TestServer::probe().await;
    let key = unique("bc15");
    let obs = s.join(&key, "obs").await;
    let mut left = obs.events::<String>("left");
    obs.whoami().await.unwrap();

    let g1 = s.join(&key, "g1").await;
    let g2 = Raw::probe(s.addr(), &key, "g2").await;
    let g3 = Raw::probe(s.addr(), &key, "g3").await;
    let g4 = Raw::probe(s.addr(), &key, "g4").await;
    let g5 = s.join(&key, "g5").await;
    assert_eq!(
        snapshot(&obs).await.visible,
        ["g1", "g2", "g3", "g4", "g5", "obs"]
    );

    g1.disconnect().await;
    assert_eq!(next(&mut left).await, "g1");
    // The server answers a close without a status code with one without a status code.
    assert_eq!(g2.close(None).await, None);
    assert_eq!(next(&mut left).await, "g2");
    g3.reset();
    assert_eq!(next(&mut left).await, "g3");
    g4.drop_silently();
    assert_eq!(next(&mut left).await, "g4");
    let kicked = obs.kick("g5".into(), "bye".into()).await.unwrap();
    assert_eq!(
        kicked,
        Kicked {
            found: 1,
            visible: vec!["obs".into()]
        }
    );
    assert_eq!(next(&mut left).await, "g5");
    assert_eq!(
        within("the close", g5.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "bye".into()
        }
    );

    let snap = snapshot(&obs).await;
    for label in ["g1", "g2", "g3", "g4", "g5"] {
        assert_eq!(
            entries_of(&snap.log, label),
            joined_then_left(label),
            "{label}"
        );
    }
    assert_eq!(snap.visible, ["obs"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_kick_closes_1000_with_the_reason_after_on_disconnect() {
    // BC-11, steps 1 to 3. `a` is raw, to see the exact order of what it receives.
    let s = TestServer::probe().await;
    let key = unique("bc11");
    let mut a = Raw::probe(s.addr(), &key, "a").await;
    a.subscribe("left", true).await;
    a.call(0, "whoami", json!([])).await;
    let b = s.join(&key, "b").await;

    a.action(1, "kick", json!(["b", "too many requests"])).await;
    // on_disconnect of b ran before the kick's answer went out.
    assert_eq!(a.next().await, Frame::event("left", json!("b")));
    assert_eq!(
        a.next().await,
        Frame::Response {
            id: 1,
            output: json!({ "found": 1, "visible": ["a"] })
        }
    );
    assert_eq!(
        within("the close", b.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "too many requests".into()
        }
    );
    assert_eq!(
        b.whoami().await.unwrap_err().to_string(),
        "connection closed (code 1000): too many requests"
    );

    // Again: a no-op that neither fails nor waits.
    let started = Instant::now();
    let again = a.call(2, "kick", json!(["b", "again"])).await;
    assert_eq!(again, json!({ "found": 0, "visible": ["a"] }));
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "took {:?}",
        started.elapsed()
    );

    let log = a.call(3, "snapshot", json!([])).await["log"].clone();
    let log: Vec<String> = serde_json::from_value(log).unwrap();
    assert_eq!(entries_of(&log, "b"), joined_then_left("b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_concurrent_kicks_close_once() {
    // BC-11, step 4: two kicks in flight at once; one closes, the other finds nothing.
    let s = TestServer::probe().await;
    let key = unique("bc11-concurrent");
    let mut a = Raw::probe(s.addr(), &key, "a").await;
    let c = s.join(&key, "c").await;
    a.action(1, "kick", json!(["c", "x"])).await;
    a.action(2, "kick", json!(["c", "y"])).await;
    assert_eq!(
        a.next().await,
        Frame::Response {
            id: 1,
            output: json!({ "found": 1, "visible": ["a"] })
        }
    );
    assert_eq!(
        a.next().await,
        Frame::Response {
            id: 2,
            output: json!({ "found": 0, "visible": ["a"] })
        }
    );
    assert_eq!(
        within("the close", c.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "x".into()
        }
    );
    let log: Vec<String> =
        serde_json::from_value(a.call(3, "snapshot", json!([])).await["log"].clone()).unwrap();
    assert_eq!(count(&log, "disconnect:c"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_kicking_a_client_that_never_reads_resolves_within_the_close_timeout() {
    // BC-11, step 5, and BC-16 (c): q never reads, so never answers the close.
    let s = TestServer::probe().await;
    let key = unique("bc11-deaf");
    let a = s.join(&key, "a").await;
    let q = Raw::probe(s.addr(), &key, "q").await;

    let started = Instant::now();
    let kicked = within("the kick", a.kick("q".into(), "z".into()))
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        kicked,
        Kicked {
            found: 1,
            visible: vec!["a".into()]
        }
    );
    // The test server's close timeout is 300 ms; the default is 3 s.
    assert!(
        took >= Duration::from_millis(250),
        "took {took:?}: it did not wait for the handshake"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "q"), joined_then_left("q"));
    drop(q);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_kicking_a_client_whose_socket_is_full_drops_it_at_the_close_timeout() {
    // BC-16 (c) with a full socket: q subscribed, then stopped reading while 600 blobs of 64 KiB
    // (more than the kernel buffers hold) were sent to it. The close cannot even be written;
    // the server gives up at the close timeout and drops the TCP connection.
    let s = TestServer::probe().await;
    let key = unique("full-socket");
    let a = s.join(&key, "a").await;
    let mut q = Raw::probe(s.addr(), &key, "q").await;
    q.subscribe("blob", true).await;
    q.call(0, "whoami", json!([])).await;
    assert_eq!(a.blast(600, 64 * 1024).await.unwrap(), 600);

    let started = Instant::now();
    let kicked = within("the kick", a.kick("q".into(), "z".into()))
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        kicked,
        Kicked {
            found: 1,
            visible: vec!["a".into()]
        }
    );
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(2),
        "took {took:?}"
    );
    // What the kernel had taken arrives, then the end: not all 600, the rest was dropped.
    let mut blobs = 0;
    loop {
        match q.next().await {
            Frame::Event { .. } => blobs += 1,
            Frame::End => break,
            Frame::Close(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        blobs < 600,
        "the server kept the connection until the client read everything"
    );
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "q"), joined_then_left("q"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_an_action_that_disconnects_its_own_connection_gets_no_response() {
    let s = TestServer::probe().await;
    let key = unique("self-kick");
    let a = s.join(&key, "a").await;

    let b = s.join(&key, "b").await;
    let error = b.disconnect_self("bye".into()).await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Closed(info) if *info == CloseInfo { code: 1000, reason: "bye".into() }),
        "{error:?}"
    );

    // On the wire: the close, and no answer before it.
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.action(0, "disconnectSelf", json!(["see you"])).await;
    r.action(1, "whoami", json!([])).await;
    assert_eq!(r.next().await, Frame::close(1000, "see you"));
    r.expect_end().await;

    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "b"), joined_then_left("b"));
    assert_eq!(entries_of(&snap.log, "r"), joined_then_left("r"));
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_disconnect_inside_on_connect_does_not_hang_the_client() {
    // BC-12.
    let s = TestServer::probe().await;
    let key = unique("bc12");
    let a = s.join(&key, "a").await;

    let started = Instant::now();
    let x = s
        .try_join(
            &key,
            &ProbeParams {
                banned: true,
                ..ProbeParams::new("x")
            },
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let error = x.unwrap_err();
    assert!(
        matches!(&error, ClientError::Closed(info) if *info == CloseInfo { code: 1000, reason: "banned".into() }),
        "{error:?}"
    );

    // On the wire, with a call pipelined: no Init, no answer, the close.
    let mut y = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "y", "banned": true })),
    )
    .await;
    y.action(0, "isReady", json!([])).await;
    assert_eq!(y.next().await, Frame::close(1000, "banned"));
    y.expect_end().await;

    let snap = snapshot(&a).await;
    for label in ["x", "y"] {
        assert_eq!(
            entries_of(&snap.log, label),
            joined_then_left(label),
            "{label}"
        );
    }
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_a_kicked_connection_leaves_ctx_conns_at_once() {
    // The kick action's own view, after awaiting the close, no longer lists the kicked one; and
    // a connection that is already gone is harmless to kick.
    let s = TestServer::probe().await;
    let key = unique("kick-visible");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    let b = s.join(&key, "b").await;
    let c = s.join(&key, "c").await;
    let kicked = a.kick("b".into(), "out".into()).await.unwrap();
    assert_eq!(
        kicked,
        Kicked {
            found: 1,
            visible: vec!["a".into(), "c".into()]
        }
    );
    assert_eq!(next(&mut left).await, "b");
    c.disconnect().await;
    assert_eq!(next(&mut left).await, "c");
    let kicked = a.kick("c".into(), "late".into()).await.unwrap();
    assert_eq!(
        kicked,
        Kicked {
            found: 0,
            visible: vec!["a".into()]
        }
    );
    assert_eq!(
        within("the close", b.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "out".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_06_on_disconnect_runs_after_the_connection_left_ctx_conns() {
    let s = TestServer::probe().await;
    let key = unique("leaving");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    let b = s.join(&key, "b").await;
    b.disconnect().await;
    assert_eq!(next(&mut left).await, "b");
    let snap = snapshot(&a).await;
    let leaving = View {
        hook: "disconnect".into(),
        label: "b".into(),
        visible: vec!["a".into()],
        own_visible: false,
    };
    assert_eq!(snap.views.last(), Some(&leaving));
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_disconnecting_twice_closes_once_with_the_first_reason() {
    let s = TestServer::probe().await;
    let key = unique("twice");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let found = within(
        "the kicks",
        a.kick_twice("b".into(), "first".into(), "second".into()),
    )
    .await
    .unwrap();
    assert_eq!(found, 1);
    assert_eq!(
        within("the close", b.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "first".into()
        }
    );
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "b"), joined_then_left("b"));
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_the_reason_is_sent_verbatim() {
    let s = TestServer::probe().await;
    let key = unique("verbatim");
    let a = s.join(&key, "a").await;
    for reason in ["trop de requêtes ✓ (#42)", "", "user.forbidden"] {
        let b = s.join(&key, "b").await;
        a.kick("b".into(), reason.into()).await.unwrap();
        assert_eq!(
            within("the close", b.closed()).await,
            CloseInfo {
                code: 1000,
                reason: reason.into()
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_07_a_reason_over_123_bytes_still_closes_1000() {
    // A close frame carries at most 123 bytes of reason (RFC 6455, 5.5). A longer reason must
    // still close 1000, cut at a character boundary, rather than break the close.
    let s = TestServer::probe().await;
    let key = unique("long-reason");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let kicked = within("the kick", a.kick("b".into(), "é".repeat(100)))
        .await
        .unwrap();
    assert_eq!(kicked.found, 1);
    assert_eq!(
        within("the close", b.closed()).await,
        CloseInfo {
            code: 1000,
            reason: "é".repeat(61)
        }
    );
}
