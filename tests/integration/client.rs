//! The Rust client against the real server: what it sends (params, escaped values, keys that go
//! by id), how it routes events to streams, and how it reports every way a connection ends. A
//! TCP relay between the client and the server shows what the server sent and cuts the TCP
//! connection without a close frame; everything else is the plain client and server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rivet_core::client::{Client, ClientError, CloseInfo, Connection};
use rivet_examples::probe::{
    Counter, CounterClient, Probe, ProbeClient, ProbeConnState, ProbeParams, checkpoint,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::common::{TestServer, entries_of, joined, next, snapshot, unique, within};

/// A TCP relay in front of the server: it forwards bytes both ways, keeps a copy of what the
/// server sent, and can cut every connection it carries at once, without a close frame.
struct Relay {
    addr: SocketAddr,
    cut: watch::Sender<bool>,
    from_server: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    /// Starts a relay to `upstream` on an ephemeral port.
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("relay address");
        let cut = watch::Sender::new(false);
        let from_server = Arc::new(Mutex::new(Vec::new()));
        let (cut_rx, log) = (cut.subscribe(), from_server.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(upstream).await.expect("relay connect");
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(client_read, server_write, cut_rx.clone(), None));
                tokio::spawn(pipe(
                    server_read,
                    client_write,
                    cut_rx.clone(),
                    Some(log.clone()),
                ));
            }
        });
        Self {
            addr,
            cut,
            from_server,
        }
    }

    /// A client whose requests go through the relay.
    fn client(&self) -> Client {
        Client::new(format!("http://{}", self.addr))
    }

    /// Drops every relayed TCP connection, both sides, without a close frame.
    fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Whether the server has sent `text`, in any frame, on any relayed connection.
    fn server_sent(&self, text: &str) -> bool {
        let log = self.from_server.lock().expect("relay log");
        log.windows(text.len())
            .any(|window| window == text.as_bytes())
    }
}

/// Copies `from` to `to` until the end of `from` or the cut; `log` keeps a copy.
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    mut cut: watch::Receiver<bool>,
    log: Option<Arc<Mutex<Vec<u8>>>>,
) {
    let copy = async {
        let mut buffer = vec![0; 64 * 1024];
        loop {
            match from.read(&mut buffer).await {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown().await;
                    return;
                }
                Ok(n) => {
                    if let Some(log) = &log {
                        log.lock()
                            .expect("relay log")
                            .extend_from_slice(&buffer[..n]);
                    }
                    if to.write_all(&buffer[..n]).await.is_err() {
                        return;
                    }
                }
            }
        }
    };
    let cut = async {
        let _ = cut.wait_for(|cut| *cut).await;
    };
    // On the cut, dropping both halves closes the socket: no close frame, no answer to anything.
    tokio::select! {
        () = copy => {}
        () = cut => {}
    }
}

/// Connects `client` to the probe `key` with the label alone.
async fn join_via(client: &Client, key: &str, label: &str) -> Connection<Probe> {
    within(
        "a connection",
        client
            .get_or_create::<Probe>(key)
            .connect_with(&ProbeParams::new(label)),
    )
    .await
    .expect("the connection opens")
}

fn joined_then_left(label: &str) -> Vec<String> {
    let mut entries = joined(label);
    entries.push(format!("disconnect:{label}"));
    entries
}

fn closed_with(code: u16, reason: &str) -> CloseInfo {
    CloseInfo {
        code,
        reason: reason.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_params_with_any_characters_reach_the_hooks_verbatim() {
    // The params travel percent-encoded in `Sec-WebSocket-Protocol` for a connection, and as
    // ASCII-only JSON in `x-rivet-conn-params` for a stateless call.
    let s = TestServer::probe().await;
    let key = unique("params");
    for label in [
        "zoë ✓ 😀",
        r#"a,b;c=d&e "quoted" \back\ 100% {x:[1]}"#,
        "tab\there, new\nline",
        "",
    ] {
        let params = ProbeParams::new(label);
        let conn = s
            .try_join(&key, &params)
            .await
            .expect("the connection opens");
        let expected = ProbeConnState {
            label: label.to_owned(),
            n: 0,
            ready: true,
        };
        assert_eq!(conn.whoami().await.unwrap(), expected, "{label:?}");
        conn.disconnect().await;
        assert_eq!(
            s.http(&key, &params).whoami().await.unwrap(),
            expected,
            "{label:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_values_shaped_like_wire_tags_round_trip_through_actions() {
    // Arrays that look like the wire's `["$tag", value]` are escaped on the way in and out, over
    // the socket and over HTTP; integers keep their 64 bits.
    let s = TestServer::probe().await;
    let key = unique("tags");
    let conn = s.join(&key, "a").await;
    let handle = s.http(&key, &ProbeParams::new("h"));
    for value in [
        json!(["$x", 1]),
        json!(["$BigInt", "5"]),
        json!(["$Uint8Array", "AAE="]),
        json!(["$$already", ["$Undefined", null]]),
        json!({ "nested": [["$Set", []], { "deep": ["$ArrayBuffer", "AA=="] }] }),
        json!([u64::MAX, i64::MIN, 0.5, "$alone", ["$", 1]]),
        json!(null),
    ] {
        assert_eq!(conn.echo(value.clone()).await.unwrap(), value, "{value}");
        assert_eq!(handle.echo(value.clone()).await.unwrap(), value, "{value}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_every_stream_of_a_name_gets_every_event_and_only_the_first_gets_the_backlog() {
    let s = TestServer::probe().await;
    let key = unique("streams");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;

    // A direct send before b has any stream of `msg`: it waits for the first one.
    assert!(a.dm("b".into(), 1).await.unwrap());
    b.whoami().await.unwrap();
    let mut first = b.events::<i64>("msg");
    let mut second = b.events::<i64>("msg");
    // The subscription of the first stream is in place once this answers.
    b.whoami().await.unwrap();

    assert_eq!(a.shout(2).await.unwrap(), 2);
    assert!(a.dm("b".into(), 3).await.unwrap());
    assert_eq!(next(&mut first).await, 1);
    assert_eq!(next(&mut first).await, 2);
    assert_eq!(next(&mut first).await, 3);
    assert_eq!(
        next(&mut second).await,
        2,
        "the backlog went to the first stream"
    );
    assert_eq!(next(&mut second).await, 3);

    // A third stream, made later, gets what comes next only.
    let mut third = b.events::<i64>("msg");
    assert_eq!(a.shout(4).await.unwrap(), 2);
    for stream in [&mut first, &mut second, &mut third] {
        assert_eq!(next(stream).await, 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_events_whose_payload_does_not_decode_are_skipped() {
    let s = TestServer::probe().await;
    let key = unique("undecodable");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let mut unsigned = b.events::<u32>("msg");
    let mut any = b.events::<Value>("msg");
    b.whoami().await.unwrap();

    for i in [-1, 7, -2, 8] {
        assert_eq!(a.shout(i).await.unwrap(), 2);
    }
    assert_eq!(next(&mut unsigned).await, 7);
    assert_eq!(next(&mut unsigned).await, 8);
    for expected in [-1, 7, -2, 8] {
        assert_eq!(next(&mut any).await, json!(expected));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_dropping_the_last_stream_of_a_name_unsubscribes_on_the_server() {
    // The relay sees every byte the server sends to b: after the last `msg` stream is dropped,
    // a broadcast no longer reaches b's socket at all.
    let s = TestServer::probe().await;
    let relay = Relay::start(s.addr()).await;
    let key = unique("unsubscribe");
    let a = s.join(&key, "a").await;
    let b = join_via(&relay.client(), &key, "b").await;
    let mut first = b.events::<i64>("msg");
    let mut second = b.events::<i64>("msg");
    b.whoami().await.unwrap();

    assert_eq!(a.shout(424_201).await.unwrap(), 2);
    assert_eq!(next(&mut first).await, 424_201);
    assert_eq!(next(&mut second).await, 424_201);
    assert!(relay.server_sent("424201"));

    // One stream left: still subscribed.
    drop(first);
    b.whoami().await.unwrap();
    assert_eq!(a.shout(424_202).await.unwrap(), 2);
    assert_eq!(next(&mut second).await, 424_202);

    // None left: the unsubscribe goes out before this call, which answers once it applied.
    drop(second);
    b.whoami().await.unwrap();
    assert_eq!(a.shout(424_203).await.unwrap(), 2);
    // Whatever the server sent b before this answer has passed the relay by now.
    b.whoami().await.unwrap();
    assert!(
        !relay.server_sent("424203"),
        "the server still sent `msg` to b"
    );

    // A new stream subscribes again.
    let mut again = b.events::<i64>("msg");
    b.whoami().await.unwrap();
    assert_eq!(a.shout(424_204).await.unwrap(), 2);
    assert_eq!(next(&mut again).await, 424_204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_a_server_close_fails_the_pending_call_ends_the_streams_and_is_reported_everywhere()
{
    let s = TestServer::probe().await;
    let key = unique("server-close");
    let a = s.join(&key, "a").await;
    let b = s.join(&key, "b").await;
    let mut msg = b.events::<i64>("msg");
    b.whoami().await.unwrap();
    assert_eq!(a.shout(1).await.unwrap(), 2);
    assert_eq!(b.close_info(), None);

    let bye = closed_with(1000, "bye");
    let (call, first, second) = within("the close", async {
        tokio::join!(b.disconnect_self("bye".into()), b.closed(), b.closed())
    })
    .await;
    assert!(
        matches!(&call, Err(ClientError::Closed(info)) if *info == bye),
        "{call:?}"
    );
    assert_eq!((first, second), (bye.clone(), bye.clone()));
    assert_eq!(within("closed again", b.closed()).await, bye);
    assert_eq!(b.close_info(), Some(bye.clone()));

    // The stream hands over what came before the close, then ends.
    assert_eq!(next(&mut msg).await, 1);
    assert_eq!(within("the end of the stream", msg.next()).await, None);
    let mut later = b.events::<i64>("msg");
    assert_eq!(
        within("the end of a later stream", later.next()).await,
        None
    );

    // Later calls fail at once with the same close.
    let error = b.whoami().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Closed(info) if *info == bye),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "connection closed (code 1000): bye");
    assert_eq!(
        entries_of(&snapshot(&a).await.log, "b"),
        joined_then_left("b")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_events_received_before_a_close_reach_a_stream_made_after_it() {
    // b's on_connect sends `welcome` and `welcome2`; b is kicked before it makes any stream.
    let s = TestServer::probe().await;
    let key = unique("backlog-after-close");
    let a = s.join(&key, "a").await;
    let b = s
        .try_join(
            &key,
            &ProbeParams {
                greet: true,
                ..ProbeParams::new("b")
            },
        )
        .await
        .expect("the connection opens");
    let kicked = a.kick("b".into(), "out".into()).await.unwrap();
    assert_eq!(kicked.found, 1);
    assert_eq!(
        within("the close", b.closed()).await,
        closed_with(1000, "out")
    );

    let greeting = json!({ "id": b.connection_id(), "label": "b" });
    let welcome: Vec<Value> = within("the backlog", b.events::<Value>("welcome").collect()).await;
    assert_eq!(welcome, std::slice::from_ref(&greeting));
    let welcome2: Vec<Value> = within("the backlog", b.events::<Value>("welcome2").collect()).await;
    assert_eq!(welcome2, [greeting]);
    let joined: Vec<String> = within("the backlog", b.events::<String>("joined").collect()).await;
    assert_eq!(
        joined,
        Vec::<String>::new(),
        "b never subscribed to `joined`"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_disconnect_completes_the_close_handshake_and_runs_on_disconnect() {
    // Without the server's answer to its close, `disconnect` would wait about 3.5 s.
    let s = TestServer::probe().await;
    let key = unique("client-disconnect");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    a.whoami().await.unwrap();
    let b = s.join(&key, "b").await;

    let started = Instant::now();
    within("the disconnect", b.disconnect()).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(next(&mut left).await, "b");
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "b"), joined_then_left("b"));
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_dropping_a_connection_closes_it_and_runs_on_disconnect() {
    // A stream outliving its connection does not keep the socket open; it ends.
    let s = TestServer::probe().await;
    let key = unique("drop");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    a.whoami().await.unwrap();
    let b = s.join(&key, "b").await;
    let mut msg = b.events::<i64>("msg");
    b.whoami().await.unwrap();

    drop(b);
    assert_eq!(next(&mut left).await, "b");
    assert_eq!(within("the end of the stream", msg.next()).await, None);
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "b"), joined_then_left("b"));
    assert_eq!(snap.visible, ["a"]);
    assert_eq!(snap.online, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_a_tcp_drop_is_close_1006_and_fails_the_pending_call() {
    let s = TestServer::probe().await;
    let relay = Relay::start(s.addr()).await;
    let key = unique("tcp-drop");
    let a = s.join(&key, "a").await;
    let mut left = a.events::<String>("left");
    a.whoami().await.unwrap();
    let b = join_via(&relay.client(), &key, "b").await;

    // b's call is running on the actor, held at its checkpoint, when the TCP connection goes.
    let held = checkpoint(&key, "b", "held");
    let abnormal = closed_with(1006, "");
    let (call, info) = within("the cut", async {
        tokio::join!(b.hold("held".into()), async {
            held.reached().await;
            relay.cut();
            b.closed().await
        })
    })
    .await;
    assert_eq!(info, abnormal);
    assert!(
        matches!(&call, Err(ClientError::Closed(info)) if *info == abnormal),
        "{call:?}"
    );
    assert_eq!(b.close_info(), Some(abnormal.clone()));
    let error = b.whoami().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Closed(info) if *info == abnormal),
        "{error:?}"
    );

    // The server noticed too: once the held call ends, b leaves.
    held.release();
    assert_eq!(next(&mut left).await, "b");
    let snap = snapshot(&a).await;
    assert_eq!(entries_of(&snap.log, "b"), joined_then_left("b"));
    assert_eq!(snap.visible, ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_resolve_names_the_actor_that_every_kind_of_handle_reaches() {
    // Keys with a comma cannot travel in the gateway's query: such handles resolve through the
    // manager first and go by id, reaching the same actor as the manager's own lookups.
    let s = TestServer::probe().await;
    let c = &s.client;
    let mut ids = Vec::new();
    for key in [
        vec![unique("plain")],
        vec![format!("{},b", unique("comma"))],
        vec![unique("slash/and\\back"), ",".to_owned(), String::new()],
    ] {
        let get_or_create = c.get_or_create::<Counter>(key.clone());
        let id = get_or_create.resolve().await.unwrap();
        assert_eq!(get_or_create.resolve().await.unwrap(), id, "{key:?}");
        let get = c.get::<Counter>(key.clone());
        assert_eq!(get.resolve().await.unwrap(), id, "{key:?}");
        let by_id = c.get_for_id::<Counter>(id.clone());
        assert_eq!(by_id.resolve().await.unwrap(), id, "{key:?}");
        for handle in [&get_or_create, &get, &by_id] {
            let conn = within("a connection", handle.connect()).await.unwrap();
            assert_eq!(conn.actor_id(), id, "{key:?}");
        }
        ids.push(id);
    }
    // `x,b` as one part and `x`, `b` as two parts are different actors.
    let one_part = format!("{},b", unique("split"));
    let two_parts: Vec<String> = one_part.split(',').map(str::to_owned).collect();
    let one = c.get_or_create::<Counter>([one_part.as_str()]);
    let two = c.get_or_create::<Counter>(two_parts);
    assert_ne!(one.resolve().await.unwrap(), two.resolve().await.unwrap());
    assert_eq!(one.increment(5).await.unwrap(), 5);
    assert_eq!(two.get_count().await.unwrap(), 0);

    // `create` returns a handle by id, which resolves without asking.
    let created_key = unique("created");
    let created = c.create::<Counter>(created_key.as_str()).await.unwrap();
    let id = created.resolve().await.unwrap();
    assert_eq!(c.get::<Counter>(created_key).resolve().await.unwrap(), id);
    assert!(!ids.contains(&id));
    assert_eq!(
        c.get_for_id::<Counter>("no-such-actor")
            .resolve()
            .await
            .unwrap(),
        "no-such-actor"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_an_endpoint_with_a_wrong_path_fails_with_the_http_status() {
    // The server answers 404 without an error body: a transport error, not an actor's.
    let s = TestServer::probe().await;
    let client = Client::new(format!("{}/not-rivet", s.endpoint()));
    let handle = client.get_or_create::<Counter>(unique("nowhere").as_str());

    let error = handle.resolve().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Http(text) if text == "status 404 Not Found"),
        "{error:?}"
    );
    let error = handle.get_count().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Http(text) if text == "status 404 Not Found"),
        "{error:?}"
    );
    let error = within("a refused upgrade", handle.connect())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ClientError::WebSocket(text) if text == "upgrade refused: status 404 Not Found"),
        "{error:?}"
    );
}
