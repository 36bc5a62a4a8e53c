//! Rule 11: the hooks and actions of one actor run one at a time, in arrival order; actors run in
//! parallel.

use std::time::Duration;

use futures::future::join_all;
use rivet_examples::probe::{ProbeClient, ProbeParams, checkpoint};
use serde_json::json;

use crate::common::raw::{Frame, Raw};
use crate::common::{TestServer, joined, snapshot, unique, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_a_held_action_blocks_its_actor_but_not_another() {
    let s = TestServer::probe().await;
    let (k1, k2) = (unique("held"), unique("free"));
    let a1 = s.join(&k1, "a1").await;
    let a2 = s.join(&k1, "a2").await;
    let b = s.join(&k2, "b").await;

    let held = tokio::spawn(async move {
        let tag = a1.hold("h".into()).await.unwrap();
        (a1, tag)
    });
    within("the held action", checkpoint(&k1, "a1", "h").reached()).await;

    // Another actor serves while k1 is held.
    assert_eq!(b.whoami().await.unwrap().label, "b");
    assert!(!held.is_finished());
    // The same actor does not: a2's call waits for the held one.
    let mut after = tokio::spawn(async move {
        let tag = a2.mark("after".into()).await.unwrap();
        (a2, tag)
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(200), &mut after)
            .await
            .is_err(),
        "a2 ran while a1 held k1"
    );

    checkpoint(&k1, "a1", "h").release();
    let (a1, tag) = within("the held action", held).await.unwrap();
    assert_eq!(tag, "h");
    let (_a2, tag) = within("the next action", after).await.unwrap();
    assert_eq!(tag, "after");
    let snap = snapshot(&a1).await;
    let mut expected = [joined("a1"), joined("a2")].concat();
    expected.extend(["enter:h", "exit:h", "mark:after"].map(String::from));
    assert_eq!(snap.log, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_a_slow_action_delays_the_next_one_of_its_actor() {
    let s = TestServer::probe().await;
    let (k1, k2) = (unique("slow"), unique("other"));
    let a1 = s.join(&k1, "a1").await;
    let a2 = s.join(&k1, "a2").await;
    let b = s.join(&k2, "b").await;

    let slow = tokio::spawn(async move {
        a1.trace("slow".into(), 300).await.unwrap();
        a1
    });
    within("the slow action", checkpoint(&k1, "a1", "slow").reached()).await;
    // Another actor answers while the slow one sleeps.
    b.whoami().await.unwrap();
    assert!(
        !slow.is_finished(),
        "the other actor waited for the slow one"
    );
    // The same actor runs a2's call only after the slow one returned.
    a2.mark("next".into()).await.unwrap();
    let a1 = within("the slow action", slow).await.unwrap();
    let snap = snapshot(&a1).await;
    let mut expected = [joined("a1"), joined("a2")].concat();
    expected.extend(["enter:slow", "exit:slow", "mark:next"].map(String::from));
    assert_eq!(snap.log, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_an_action_never_runs_inside_a_slow_on_connect() {
    let s = TestServer::probe().await;
    let key = unique("no-overlap");
    let a = s.join(&key, "a").await;
    let params = ProbeParams {
        connect_ms: 300,
        ..ProbeParams::new("b")
    };
    let (b, mark) = tokio::join!(s.try_join(&key, &params), async {
        within(
            "on_connect of b",
            checkpoint(&key, "b", "connect").reached(),
        )
        .await;
        a.mark("m".into()).await
    });
    let _b = b.unwrap();
    assert_eq!(mark.unwrap(), "m");
    let snap = snapshot(&a).await;
    let mut expected = [joined("a"), joined("b")].concat();
    expected.push("mark:m".into());
    assert_eq!(snap.log, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_one_connection_s_actions_run_in_arrival_order() {
    let s = TestServer::probe().await;
    let key = unique("arrival");
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    for id in 0..20u64 {
        r.action(id, "mark", json!([format!("m{id}")])).await;
    }
    for id in 0..20u64 {
        assert_eq!(
            r.next().await,
            Frame::Response {
                id,
                output: json!(format!("m{id}"))
            }
        );
    }
    let log = r.call(20, "snapshot", json!([])).await["log"].clone();
    let marks: Vec<String> = (0..20).map(|i| format!("mark:m{i}")).collect();
    assert_eq!(log, json!([joined("r"), marks].concat()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_actions_of_many_connections_never_interleave() {
    let s = TestServer::probe().await;
    let key = unique("interleave");
    let mut conns = Vec::new();
    for i in 0..4 {
        conns.push(s.join(&key, &format!("c{i}")).await);
    }
    let calls = conns.iter().enumerate().flat_map(|(i, conn)| {
        (0..5).map(move |j| async move { conn.trace(format!("t{i}.{j}"), 2).await.unwrap() })
    });
    within("the traced actions", join_all(calls)).await;
    let log = snapshot(&conns[0]).await.log;
    let traced: Vec<&String> = log
        .iter()
        .filter(|l| l.starts_with("enter:") || l.starts_with("exit:"))
        .collect();
    assert_eq!(traced.len(), 40);
    for pair in traced.chunks(2) {
        let tag = pair[0].strip_prefix("enter:").expect("an enter first");
        assert_eq!(pair[1], &format!("exit:{tag}"), "interleaved: {traced:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_11_sockets_are_served_while_the_actor_is_busy() {
    // Accepting a connection and answering a close never wait on the actor's code.
    let s = TestServer::probe().await;
    let key = unique("busy");
    let a = s.join(&key, "a").await;
    let r = Raw::probe(s.addr(), &key, "r").await;
    let held = tokio::spawn(async move {
        a.hold("h".into()).await.unwrap();
        a
    });
    within("the held action", checkpoint(&key, "a", "h").reached()).await;

    // Both happen while the actor is held; the test would time out otherwise.
    assert_eq!(
        r.close(Some((1000, "bye"))).await,
        Some((1000, "bye".to_owned()))
    );
    let mut late = Raw::open(s.addr(), "probe", &key, Some(&json!({ "label": "late" }))).await;

    checkpoint(&key, "a", "h").release();
    assert!(matches!(late.next().await, Frame::Init { .. }));
    let a = within("the held action", held).await.unwrap();
    let snap = snapshot(&a).await;
    let mut expected = [joined("a"), joined("r")].concat();
    expected.extend(["enter:h", "exit:h", "disconnect:r"].map(String::from));
    expected.extend(joined("late"));
    assert_eq!(snap.log, expected);
}
