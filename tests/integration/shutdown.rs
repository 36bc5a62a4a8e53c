//! A server that shuts down closes every connection properly, and every `on_disconnect` has run
//! by the time `Server::shutdown` returns.

use std::sync::atomic::{AtomicUsize, Ordering};

use rivet_core::prelude::*;

use crate::common::within;

/// How many connections of [`Door`] have left.
static LEFT: AtomicUsize = AtomicUsize::new(0);

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Door {}

#[actor]
impl Door {
    fn on_disconnect(&mut self, _ctx: &mut Ctx<Self>) {
        LEFT.fetch_add(1, Ordering::SeqCst);
    }

    #[action]
    fn ping(&self, _ctx: &Ctx<Self>) -> u8 {
        1
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_every_socket_with_1001_and_runs_every_on_disconnect() {
    let server = Registry::new()
        .register::<Door>()
        .start("127.0.0.1:0")
        .await
        .expect("starts");
    let client = Client::new(server.endpoint());
    let mut conns = Vec::new();
    for key in ["a", "a", "b"] {
        let conn = client
            .get_or_create::<Door>(key)
            .connect()
            .await
            .expect("connects");
        conn.action_raw("ping", vec![]).await.expect("ping");
        conns.push(conn);
    }

    within("the shutdown", server.shutdown()).await;
    assert_eq!(
        LEFT.load(Ordering::SeqCst),
        3,
        "every on_disconnect ran before shutdown returned"
    );
    for conn in &conns {
        let info = within("the close", conn.closed()).await;
        assert_eq!((info.code, info.reason.as_str()), (1001, "ws.going_away"));
    }
}
