//! The scenarios, each against one running target: the load and what it measured.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, Http, Res};
use crate::targets::Running;
use crate::wire::{self, ToClient};

/// How long a case runs: warm-up first, then the measured window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) warmup: Duration,
    pub(crate) duration: Duration,
}

/// What one run of a case measured.
#[derive(Debug, Default, Clone)]
pub(crate) struct Measurement {
    /// Operations completed in the measured window (deliveries for fan-out).
    pub(crate) ops: u64,
    /// The measured window, in seconds.
    pub(crate) seconds: f64,
    /// Latencies in the window, in nanoseconds.
    pub(crate) latencies: Vec<u64>,
    /// A value that is not a rate (memory: bytes per item).
    pub(crate) value: Option<f64>,
    /// What the run checked or noticed.
    pub(crate) note: Option<String>,
}

/// Open `n` things at most `parallel` at a time.
async fn open_all<T, F, Fut>(n: usize, parallel: usize, open: F) -> Res<Vec<T>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Res<T>>,
{
    // The first failure ends the case: a target that stalls is not waited on n times.
    let mut opened: Vec<T> = futures::stream::iter((0..n).map(open))
        .buffer_unordered(parallel)
        .try_collect()
        .await?;
    opened.shrink_to_fit();
    Ok(opened)
}

/// The limit for one wait on the server: a stalled target fails the case instead of hanging.
const STALL: Duration = Duration::from_secs(20);

async fn next_frame(ws: &mut client::Ws) -> Res<Option<ToClient>> {
    match tokio::time::timeout(STALL, ws.next()).await {
        Err(_) => Err("no answer from the server for 20 s".into()),
        Ok(Some(Ok(Message::Binary(frame)))) => Ok(wire::decode(&frame)),
        Ok(Some(Ok(Message::Close(frame)))) => {
            Err(format!("closed by the server: {frame:?}").into())
        }
        Ok(Some(Ok(_))) => Ok(None),
        Ok(Some(Err(error))) => Err(error.into()),
        Ok(None) => Err("connection lost".into()),
    }
}

/// Scenario 1: `conns` connections, each with `inflight` calls of `counter.increment` in flight,
/// on one actor or on one actor per connection.
pub(crate) async fn roundtrip(
    endpoint: &str,
    run: &str,
    conns: usize,
    inflight: usize,
    per_conn_actor: bool,
    window: Window,
) -> Res<Measurement> {
    // A first connect creates its actor. Actors are created one at a time: the official engine
    // fails or stalls on many creations at once (bench/NOTES.md), and setup is not measured.
    let parallel = if per_conn_actor { 1 } else { 64 };
    let sockets = open_all(conns, parallel, |i| {
        let key = if per_conn_actor {
            format!("rt-{run}-{i}")
        } else {
            format!("rt-{run}")
        };
        async move { client::connect(endpoint, "counter", &key, None).await }
    })
    .await?;
    let start = Instant::now() + Duration::from_millis(20);
    let from = start + window.warmup;
    let end = from + window.duration;
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| {
            tokio::spawn(async move {
                tokio::time::sleep_until(start.into()).await;
                let mut pending: HashMap<u64, Instant> = HashMap::with_capacity(inflight);
                let mut latencies = Vec::new();
                let mut ops = 0u64;
                for id in 0..inflight as u64 {
                    ws.feed(Message::Binary(
                        wire::action_request(id, "increment", Some(1)).into(),
                    ))
                    .await?;
                    pending.insert(id, Instant::now());
                }
                ws.flush().await?;
                let mut next_id = inflight as u64;
                loop {
                    let Some(ToClient::ActionResponse { id }) = next_frame(&mut ws).await? else {
                        continue;
                    };
                    let Some(sent) = pending.remove(&id) else {
                        continue;
                    };
                    let now = Instant::now();
                    if now >= end {
                        break;
                    }
                    if now >= from {
                        ops += 1;
                        latencies.push((now - sent).as_nanos() as u64);
                    }
                    client::send(&mut ws, wire::action_request(next_id, "increment", Some(1)))
                        .await?;
                    pending.insert(next_id, Instant::now());
                    next_id += 1;
                }
                let _ = tokio::time::timeout(Duration::from_secs(2), client::close(ws)).await;
                Res::Ok((ops, latencies))
            })
        })
        .collect();
    let mut measurement = Measurement {
        seconds: window.duration.as_secs_f64(),
        ..Measurement::default()
    };
    for task in tasks {
        let (ops, latencies) = task.await??;
        measurement.ops += ops;
        measurement.latencies.extend(latencies);
    }
    Ok(measurement)
}

/// Scenario 2: one sender broadcasts `room.send(seq)` to `subscribers` connections, with
/// `inflight` broadcasts under way at once; a broadcast completes when its last subscriber has
/// it. The latency is from the send to the last delivery.
pub(crate) async fn fanout(
    endpoint: &str,
    run: &str,
    subscribers: usize,
    inflight: usize,
    window: Window,
) -> Res<Measurement> {
    let key = format!("fan-{run}");
    let key = key.as_str();
    let sockets = open_all(subscribers, 64, |_| async move {
        let mut ws = client::connect(endpoint, "room", key, None).await?;
        client::send(&mut ws, wire::subscribe("msg")).await?;
        // Messages of one connection are handled in order: once `ping` answers, the
        // subscription is in place.
        client::send(&mut ws, wire::action_request(0, "ping", None)).await?;
        client::await_response(&mut ws, 0).await?;
        Res::Ok(ws)
    })
    .await?;
    let remaining: Arc<Vec<AtomicUsize>> =
        Arc::new((0..inflight).map(|_| AtomicUsize::new(0)).collect());
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<u64>();
    let mut readers = Vec::with_capacity(subscribers);
    for ws in sockets {
        let remaining = remaining.clone();
        let done_tx = done_tx.clone();
        readers.push(tokio::spawn(async move {
            let (_sink, mut stream) = ws.split();
            while let Some(Ok(message)) = stream.next().await {
                let Message::Binary(frame) = message else {
                    continue;
                };
                if let Some(ToClient::Event { first: Some(seq) }) = wire::decode(&frame) {
                    let slot = &remaining[(seq % remaining.len() as u64) as usize];
                    if slot.fetch_sub(1, Ordering::AcqRel) == 1 {
                        let _ = done_tx.send(seq);
                    }
                }
            }
        }));
    }
    drop(done_tx);
    let sender = client::connect(endpoint, "room", key, None).await?;
    let (mut sink, mut stream) = sender.split();
    // The sender's own responses are read and dropped.
    let drain = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let mut started = vec![Instant::now(); inflight];
    let start = Instant::now();
    let from = start + window.warmup;
    let end = from + window.duration;
    let mut send = async |seq: u64, started: &mut Vec<Instant>| -> Res<()> {
        let slot = (seq % inflight as u64) as usize;
        remaining[slot].store(subscribers, Ordering::Release);
        started[slot] = Instant::now();
        let frame = wire::action_request(seq, "send", Some(seq));
        sink.send(Message::Binary(frame.into())).await?;
        Ok(())
    };
    for seq in 0..inflight as u64 {
        send(seq, &mut started).await?;
    }
    let mut next = inflight as u64;
    let mut measurement = Measurement {
        seconds: window.duration.as_secs_f64(),
        ..Measurement::default()
    };
    loop {
        let seq = match tokio::time::timeout(STALL, done_rx.recv()).await {
            Ok(Some(seq)) => seq,
            Ok(None) => return Err("every subscriber was disconnected".into()),
            Err(_) => return Err("a broadcast did not reach every subscriber in 20 s".into()),
        };
        let now = Instant::now();
        if now >= end {
            break;
        }
        if now >= from {
            measurement.ops += subscribers as u64;
            let slot = (seq % inflight as u64) as usize;
            measurement
                .latencies
                .push((now - started[slot]).as_nanos() as u64);
        }
        send(next, &mut started).await?;
        next += 1;
    }
    let _ = sink.close().await;
    drain.abort();
    for reader in readers {
        reader.abort();
    }
    Ok(measurement)
}

/// Scenario 3: `workers` loops of connect (with params, so `create_conn_state` runs), one
/// action, disconnect; then checks that the server counted one `on_disconnect` per cycle.
pub(crate) async fn churn(
    endpoint: &str,
    run: &str,
    workers: usize,
    window: Window,
) -> Res<Measurement> {
    let mut stats = Http::open(endpoint).await?;
    let before = disconnects(&mut stats).await?;
    let start = Instant::now();
    let from = start + window.warmup;
    let end = from + window.duration;
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let endpoint = endpoint.to_owned();
            let key = format!("churn-{run}-{w}");
            let params = format!(r#"{{"user":"w{w}"}}"#);
            tokio::spawn(async move {
                let mut cycles = 0u64;
                let mut ops = 0u64;
                let mut latencies = Vec::new();
                while Instant::now() < end {
                    let began = Instant::now();
                    let mut ws = client::connect(&endpoint, "room", &key, Some(&params)).await?;
                    client::send(&mut ws, wire::action_request(0, "ping", None)).await?;
                    client::await_response(&mut ws, 0).await?;
                    client::close(ws).await?;
                    cycles += 1;
                    let now = Instant::now();
                    if now >= from && now < end {
                        ops += 1;
                        latencies.push((now - began).as_nanos() as u64);
                    }
                }
                Res::Ok((cycles, ops, latencies))
            })
        })
        .collect();
    let mut measurement = Measurement {
        seconds: window.duration.as_secs_f64(),
        ..Measurement::default()
    };
    let mut cycles = 0;
    for task in tasks {
        let (n, ops, latencies) = task.await??;
        cycles += n;
        measurement.ops += ops;
        measurement.latencies.extend(latencies);
    }
    // `on_disconnect` may still be running for the last closes.
    let deadline = Instant::now() + Duration::from_secs(10);
    let counted = loop {
        let counted = disconnects(&mut stats).await? - before;
        if counted >= cycles || Instant::now() > deadline {
            break counted;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    if counted != cycles {
        return Err(format!("{cycles} connections closed but {counted} on_disconnect ran").into());
    }
    measurement.note = Some(format!("on_disconnect counted {counted} of {cycles}"));
    Ok(measurement)
}

async fn disconnects(http: &mut Http) -> Res<u64> {
    let body = http.action("room", "stats", "disconnects", None).await?;
    client::http_uint(&body).ok_or_else(|| "unreadable disconnects count".into())
}

/// Scenario 4: `workers` keep-alive connections calling `counter.increment` over HTTP, one
/// actor per worker.
pub(crate) async fn http(
    endpoint: &str,
    run: &str,
    workers: usize,
    window: Window,
) -> Res<Measurement> {
    let mut conns = open_all(workers, 64, |_| Http::open(endpoint)).await?;
    let key = |w: usize| format!("http-{run}-{w}");
    // Each worker's actor is created before the clock starts, one at a time (as in `roundtrip`).
    for (w, http) in conns.iter_mut().enumerate() {
        http.action("counter", &key(w), "increment", Some(1))
            .await?;
    }
    let start = Instant::now();
    let from = start + window.warmup;
    let end = from + window.duration;
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(w, mut http)| {
            let key = key(w);
            tokio::spawn(async move {
                let mut ops = 0u64;
                let mut latencies = Vec::new();
                loop {
                    let began = Instant::now();
                    http.action("counter", &key, "increment", Some(1)).await?;
                    let now = Instant::now();
                    if now >= end {
                        break;
                    }
                    if now >= from {
                        ops += 1;
                        latencies.push((now - began).as_nanos() as u64);
                    }
                }
                Res::Ok((ops, latencies))
            })
        })
        .collect();
    let mut measurement = Measurement {
        seconds: window.duration.as_secs_f64(),
        ..Measurement::default()
    };
    for task in tasks {
        let (ops, latencies) = task.await??;
        measurement.ops += ops;
        measurement.latencies.extend(latencies);
    }
    Ok(measurement)
}

/// Scenario 5a: the server's resident memory growth for `n` idle connections to one actor, in
/// bytes per connection. The sockets are returned so that the caller closes them after the
/// measurement.
pub(crate) async fn memory_conns(running: &Running, n: usize) -> Res<Measurement> {
    let endpoint = running.endpoint.as_str();
    let warm = client::connect(endpoint, "room", "mem", None).await?;
    settle().await;
    let before = crate::targets::tree_rss(running)?;
    let sockets = open_all(n, 64, |_| client::connect(endpoint, "room", "mem", None)).await?;
    settle().await;
    let after = crate::targets::tree_rss(running)?;
    drop(sockets);
    drop(warm);
    Ok(Measurement {
        value: Some(after.saturating_sub(before) as f64 / n as f64),
        note: Some(growth_note(before, after, n, "connections")),
        ..Measurement::default()
    })
}

/// Scenario 5b: the server's resident memory growth for `n` idle actors created with
/// `PUT /actors`, in bytes per actor.
pub(crate) async fn memory_actors(running: &Running, n: usize) -> Res<Measurement> {
    let endpoint = running.endpoint.as_str();
    let mut warm = Http::open(endpoint).await?;
    put_actor(&mut warm, "warm").await?;
    settle().await;
    let before = crate::targets::tree_rss(running)?;
    // One at a time, as the official engine fails on concurrent creations (bench/NOTES.md).
    let workers = 1;
    let conns = open_all(workers, 1, |_| Http::open(endpoint)).await?;
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(w, mut http)| {
            tokio::spawn(async move {
                for i in (w..n).step_by(workers) {
                    put_actor(&mut http, &format!("a{i}")).await?;
                }
                Res::Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    settle().await;
    let after = crate::targets::tree_rss(running)?;
    Ok(Measurement {
        value: Some(after.saturating_sub(before) as f64 / n as f64),
        note: Some(growth_note(before, after, n, "actors")),
        ..Measurement::default()
    })
}

async fn put_actor(http: &mut Http, key: &str) -> Res<()> {
    let body = format!(
        r#"{{"name":"counter","key":"{key}","runner_name_selector":"default","crash_policy":"sleep"}}"#
    );
    let (status, _) = http
        .request(
            "PUT",
            "/actors?namespace=default",
            "application/json",
            body.into_bytes(),
        )
        .await?;
    if status != 200 {
        return Err(format!("PUT /actors: status {status}").into());
    }
    Ok(())
}

/// How the resident memory grew, for the report's notes.
fn growth_note(before: u64, after: u64, n: usize, what: &str) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    format!(
        "RSS {:.1} MiB → {:.1} MiB with {n} {what}",
        before as f64 / MIB,
        after as f64 / MIB
    )
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// The resident memory of process `pid`, in bytes.
/// (The memory scenario sums it over the target's processes.)
pub(crate) fn rss(pid: u32) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .ok_or("no VmRSS in /proc/PID/status")?;
    Ok(kib * 1024)
}
