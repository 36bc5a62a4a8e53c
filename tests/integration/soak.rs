//! A soak test against one actor: 200 cycles of connect, act and drop, mixing clean closes,
//! resets during preflight, resets after an action, clients that stop reading and stateless
//! calls; afterwards nothing is left behind.

use std::time::Duration;

use rivet_core::{Limits, Registry};
use rivet_examples::probe::{Probe, ProbeClient, ProbeParams, checkpoint};
use serde_json::json;

use crate::common::raw::Raw;
use crate::common::{CLOSE_TIMEOUT, TestServer, count, snapshot, unique, within};

const CYCLES: usize = 200;

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_two_hundred_cycles_of_connect_act_and_drop_leave_nothing_behind() {
    let limits = Limits {
        close_timeout: CLOSE_TIMEOUT,
        outgoing_queue_capacity: 4,
        ..Limits::default()
    };
    let s = TestServer::start_with(Registry::new().register::<Probe>(), limits).await;
    let key = unique("soak");
    let obs = s.join(&key, "obs").await;
    let h = s.http(&key, &ProbeParams::new("http"));
    // Warm up every path once (the Rust client keeps an HTTP connection alive), then count.
    h.whoami().await.unwrap();
    s.join(&key, "warm").await.disconnect().await;
    let baseline = alive_tasks();

    for i in 0..CYCLES {
        let label = format!("c{i}");
        match i % 5 {
            // A clean close from the client.
            0 => {
                let c = s.join(&key, &label).await;
                assert_eq!(c.bump().await.unwrap(), 1);
                c.disconnect().await;
            }
            // A reset during on_before_connect.
            1 => {
                let params = json!({ "label": label, "before_ms": 20 });
                let r = Raw::open(s.addr(), "probe", &key, Some(&params)).await;
                within("preflight", checkpoint(&key, &label, "before").reached()).await;
                r.reset();
            }
            // A reset right after an action was sent.
            2 => {
                let mut r = Raw::probe(s.addr(), &key, &label).await;
                r.call(0, "bump", json!([])).await;
                r.action(1, "mark", json!([label])).await;
                r.reset();
            }
            // A client that stops reading: its own burst overflows its queue and closes it; it
            // never reads the close and leaves without answering it.
            3 => {
                let mut r = Raw::probe(s.addr(), &key, &label).await;
                r.subscribe("blob", true).await;
                r.call(0, "whoami", json!([])).await;
                r.action(1, "blast", json!([20, 64])).await;
                r.drop_silently();
            }
            // A stateless call and a kick.
            _ => {
                assert_eq!(h.bump().await.unwrap(), 1);
                let mut c = Raw::probe(s.addr(), &key, &label).await;
                let (kicked, ()) =
                    tokio::join!(obs.kick(label.clone(), "bye".into()), c.expect_end());
                assert_eq!(kicked.unwrap().found, 1);
            }
        }
    }

    // Everything settles: no connection left but the observer, one on_disconnect per joined
    // connection, and the task count back where it was.
    let snap = within("every connection gone", async {
        loop {
            let snap = snapshot(&obs).await;
            if snap.visible == ["obs"] {
                return snap;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let connects = snap
        .log
        .iter()
        .filter(|e| e.starts_with("connect:"))
        .count();
    let disconnects = snap
        .log
        .iter()
        .filter(|e| e.starts_with("disconnect:"))
        .count();
    // The observer is the only one joined and not gone.
    assert_eq!(disconnects, connects - 1);
    assert_eq!(snap.online, 1);
    for i in 0..CYCLES {
        let label = format!("c{i}");
        let joined = count(&snap.log, &format!("connect:{label}"));
        let left = count(&snap.log, &format!("disconnect:{label}"));
        assert_eq!(joined, left, "{label}");
        assert!(joined <= 1, "{label}");
        if i % 5 != 1 {
            assert_eq!(joined, 1, "{label}");
        }
    }
    within("the tasks to end", async {
        while alive_tasks() > baseline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(obs.whoami().await.unwrap().label, "obs");
}
