//! Rules 4 and 8: events that `on_connect` sends arrive after Init, in order; broadcasts reach
//! exactly the joined, subscribed connections; direct sends need no subscription; a dead member
//! never fails a broadcast.

use futures::FutureExt;
use rivet_core::{Limits, Registry};
use rivet_examples::probe::{Counter, CounterClient, Probe, ProbeClient, ProbeParams};
use serde_json::{Value, json};

use crate::common::raw::{Frame, Raw};
use crate::common::{CLOSE_TIMEOUT, TestServer, count, next, snapshot, unique, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_04_events_sent_in_on_connect_arrive_after_init_in_order() {
    // BC-3 on the wire: Init, then welcome and welcome2, then the answers.
    let s = TestServer::probe().await;
    let key = unique("bc3-wire");
    let a = s.join(&key, "a").await;
    let mut joined = a.events::<String>("joined");
    a.whoami().await.unwrap();

    let mut b = Raw::open(
        s.addr(),
        "probe",
        &key,
        Some(&json!({ "label": "b", "greet": true })),
    )
    .await;
    b.action(0, "whoami", json!([])).await;
    let Frame::Init { connection_id, .. } = b.next().await else {
        panic!("Init first")
    };
    let greeting = json!({ "id": connection_id, "label": "b" });
    assert_eq!(b.next().await, Frame::event("welcome", greeting.clone()));
    assert_eq!(b.next().await, Frame::event("welcome2", greeting));
    // b was not subscribed to `joined` while its own on_connect ran: the answer comes next.
    assert_eq!(
        b.next().await,
        Frame::Response {
            id: 0,
            output: json!({ "label": "b", "n": 0, "ready": true })
        }
    );
    assert_eq!(next(&mut joined).await, "b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_04_the_rust_client_keeps_on_connect_events_for_the_first_stream() {
    // BC-3, 50 times: nothing sent from on_connect is lost, and it is there before the first
    // action's answer.
    let s = TestServer::probe().await;
    for round in 0..50 {
        let key = unique("bc3");
        let a = s.join(&key, "a").await;
        let mut joined = a.events::<String>("joined");
        a.whoami().await.unwrap();

        let b = s
            .try_join(
                &key,
                &ProbeParams {
                    greet: true,
                    ..ProbeParams::new("b")
                },
            )
            .await
            .unwrap();
        b.whoami().await.unwrap();
        let greeting = json!({ "id": b.connection_id(), "label": "b" });
        let mut welcome = b.events::<Value>("welcome");
        let mut welcome2 = b.events::<Value>("welcome2");
        assert_eq!(welcome.next_now(), Some(greeting.clone()), "round {round}");
        assert_eq!(welcome2.next_now(), Some(greeting), "round {round}");
        assert_eq!(next(&mut joined).await, "b", "round {round}");
        // Exactly once each.
        b.whoami().await.unwrap();
        assert_eq!(welcome.next_now(), None, "round {round}");
        assert_eq!(welcome2.next_now(), None, "round {round}");
    }
}

/// Polls a stream once, without waiting.
trait NextNow<T> {
    fn next_now(&mut self) -> Option<T>;
}

impl<T, S: futures::Stream<Item = T> + Unpin> NextNow<T> for S {
    fn next_now(&mut self) -> Option<T> {
        futures::StreamExt::next(self).now_or_never().flatten()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_broadcast_reaches_exactly_the_subscribed_connections() {
    // Case 56: subscribed connections get every broadcast, in order; others get none.
    let s = TestServer::probe().await;
    let key = unique("broadcast");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let mut a_msg = a.events::<i64>("msg");
    a.whoami().await.unwrap();

    assert_eq!(b.shout(1).await.unwrap(), 2);
    assert_eq!(next(&mut a_msg).await, 1);

    // Had b received 1 unsubscribed, the client would hand it to b's first stream.
    let mut b_msg = b.events::<i64>("msg");
    b.whoami().await.unwrap();
    assert_eq!(a.shout(2).await.unwrap(), 2);
    assert_eq!(next(&mut b_msg).await, 2);
    assert_eq!(next(&mut a_msg).await, 2);
    assert_eq!(a.shout(3).await.unwrap(), 2);
    assert_eq!(next(&mut a_msg).await, 3);
    assert_eq!(next(&mut b_msg).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_an_unsubscribed_connection_stops_receiving() {
    // Case 59, on the wire.
    let s = TestServer::probe().await;
    let key = unique("unsubscribe");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.subscribe("msg", true).await;
    r.call(0, "whoami", json!([])).await;
    a.shout(1).await.unwrap();
    assert_eq!(r.next().await, Frame::event("msg", json!(1)));

    r.subscribe("msg", false).await;
    r.call(1, "whoami", json!([])).await;
    a.shout(2).await.unwrap();
    // Nothing came before the answer.
    r.call(2, "whoami", json!([])).await;
    // Subscribing twice is one subscription.
    r.subscribe("msg", true).await;
    r.subscribe("msg", true).await;
    r.call(3, "whoami", json!([])).await;
    a.shout(3).await.unwrap();
    assert_eq!(r.next().await, Frame::event("msg", json!(3)));
    r.call(4, "whoami", json!([])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_send_reaches_its_connection_without_a_subscription() {
    // Case 60: a direct send needs no subscription; a broadcast does.
    let s = TestServer::probe().await;
    let key = unique("send");
    let a = s.join(&key, "a").await;
    let mut r = Raw::probe(s.addr(), &key, "r").await;

    assert!(a.dm("r".into(), 7).await.unwrap());
    assert_eq!(r.next().await, Frame::event("msg", json!(7)));
    assert_eq!(a.shout(8).await.unwrap(), 2);
    assert!(!a.dm("nobody".into(), 9).await.unwrap());
    r.call(0, "whoami", json!([])).await;

    // The same through the Rust client: an event that came before any stream goes to the first.
    let b = s.join(&key, "b").await;
    assert!(a.dm("b".into(), 10).await.unwrap());
    b.whoami().await.unwrap();
    let mut b_msg = b.events::<i64>("msg");
    assert_eq!(next(&mut b_msg).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_a_dead_member_never_fails_a_broadcast() {
    // BC-4: c's TCP is reset; a keeps broadcasting and sending.
    let s = TestServer::probe().await;
    let key = unique("bc4");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let mut c = Raw::probe(s.addr(), &key, "c").await;
    c.subscribe("msg", true).await;
    c.call(0, "whoami", json!([])).await;
    let mut a_msg = a.events::<i64>("msg");
    let mut a_left = a.events::<String>("left");
    a.whoami().await.unwrap();
    let mut b_msg = b.events::<i64>("msg");
    b.whoami().await.unwrap();

    c.reset();
    for i in 1..=3 {
        a.shout(i).await.expect("a broadcast never fails");
    }
    a.dm("c".into(), 4)
        .await
        .expect("a send to a dead connection never fails");
    for i in 1..=3 {
        assert_eq!(next(&mut a_msg).await, i);
        assert_eq!(next(&mut b_msg).await, i);
    }

    assert_eq!(next(&mut a_left).await, "c");
    let snap = snapshot(&a).await;
    assert_eq!(count(&snap.log, "disconnect:c"), 1);
    assert_eq!(snap.visible, ["a", "b"]);
    assert_eq!(a.shout(5).await.unwrap(), 2);
    // Exactly once each: 5 is the next one.
    assert_eq!(next(&mut a_msg).await, 5);
    assert_eq!(next(&mut b_msg).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_broadcasts_from_http_actions_reach_subscribed_connections() {
    // Case 57: stateless calls broadcast to connections, in order.
    let s = TestServer::probe().await;
    let key = unique("mixed");
    let handle = s.client.get_or_create::<Counter>(key.as_str());
    let conn = within("a connection", handle.connect()).await.unwrap();
    let mut counts = conn.events::<i64>("newCount");
    conn.get_count().await.unwrap();

    assert_eq!(conn.set_count(1).await.unwrap(), 1);
    assert_eq!(handle.set_count(2).await.unwrap(), 2);
    assert_eq!(handle.set_count(3).await.unwrap(), 3);
    assert_eq!(conn.increment(5).await.unwrap(), 8);
    for expected in [1, 2, 3, 8] {
        assert_eq!(next(&mut counts).await, expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_a_broadcast_reaches_the_caller_before_the_answer() {
    let s = TestServer::probe().await;
    let key = unique("before-answer");
    let mut r = Raw::probe(s.addr(), &key, "r").await;
    r.subscribe("msg", true).await;
    r.action(0, "shout", json!([1])).await;
    assert_eq!(r.next().await, Frame::event("msg", json!(1)));
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 0,
            output: json!(1)
        }
    );
    r.action(1, "dm", json!(["r", 2])).await;
    assert_eq!(r.next().await, Frame::event("msg", json!(2)));
    assert_eq!(
        r.next().await,
        Frame::Response {
            id: 1,
            output: json!(true)
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_a_connection_that_does_not_read_never_delays_the_others() {
    // q subscribes and stops reading; a broadcasts in batches that b reads as they come. q's
    // queue fills up and q is closed; a and b never wait for it.
    let limits = Limits {
        close_timeout: CLOSE_TIMEOUT,
        outgoing_queue_capacity: 16,
        ..Limits::default()
    };
    let s = TestServer::start_with(Registry::new().register::<Probe>(), limits).await;
    let key = unique("deaf");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    let b = s.join(&key, "b").await;
    let mut blobs = b.events::<String>("blob");
    b.whoami().await.unwrap();
    let mut q = Raw::probe(s.addr(), &key, "q").await;
    q.subscribe("blob", true).await;
    q.call(0, "whoami", json!([])).await;

    const SIZE: usize = 64 * 1024;
    let mut batches = 0;
    let gone = loop {
        assert!(batches < 400, "q was never closed");
        assert_eq!(within("a batch", a.blast(8, SIZE)).await.unwrap(), 8);
        batches += 1;
        for _ in 0..8 {
            assert_eq!(next(&mut blobs).await.len(), SIZE);
        }
        if let Some(label) = left.next_now() {
            break label;
        }
    };
    assert_eq!(gone, "q");
    // b got every blob and is still there; q left once.
    assert_eq!(b.whoami().await.unwrap().label, "b");
    let snap = snapshot(&a).await;
    assert_eq!(count(&snap.log, "disconnect:q"), 1);
    assert_eq!(snap.visible, ["a", "b"]);
    drop(q);
}

/// The probe's events, as one ordered stream decodes them.
#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum ProbeEvent {
    Joined(String),
    Left(String),
    Msg(i64),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_08_events_of_several_names_keep_the_order_they_were_sent_in() {
    // Per-name streams cannot say which of two events came first; `events_of` can.
    let s = TestServer::probe().await;
    let key = unique("events-of");
    let a = s.join(&key, "a").await;
    let mut events = a.events_of::<ProbeEvent>(&["joined", "left", "msg"]);
    a.whoami().await.unwrap();
    let b = s.join(&key, "b").await;
    for i in 1..=20 {
        a.shout(i).await.unwrap();
    }
    b.disconnect().await;
    a.shout(21).await.unwrap();

    let mut expected = vec![ProbeEvent::Joined("b".into())];
    expected.extend((1..=20).map(ProbeEvent::Msg));
    expected.push(ProbeEvent::Left("b".into()));
    expected.push(ProbeEvent::Msg(21));
    let mut got = Vec::new();
    for _ in 0..expected.len() {
        got.push(next(&mut events).await);
    }
    assert_eq!(got, expected);
    assert_eq!(events.names(), ["joined", "left", "msg"]);
}
