//! The targets, each a child process that prints `listening on <endpoint>`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use clap::ValueEnum;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::client::Res;

/// A server the load generator measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Target {
    /// rivet's server with the benchmark actors.
    Rivet,
    /// A raw WebSocket server: the transport's limit.
    Echo,
    /// The official RivetKit 2.3.19 server (Node), from `bench/peer/`.
    Peer,
}

impl Target {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Rivet => "rivet",
            Self::Echo => "echo",
            Self::Peer => "peer",
        }
    }
}

/// A target running as a child process.
#[derive(Debug)]
pub(crate) struct Running {
    child: Child,
    /// Processes the target started that do not descend from it (the peer's engine detaches).
    detached: Vec<u32>,
    pub(crate) endpoint: String,
    pub(crate) pid: u32,
}

impl Running {
    /// Stops the target and every process it started (the peer's Node process starts the
    /// engine, which does not end with it): SIGTERM, then SIGKILL after 5 s.
    pub(crate) async fn stop(mut self) {
        let mut pids = tree_pids(self.pid);
        pids.extend(self.detached.iter().copied().filter(|pid| alive(*pid)));
        signal("-TERM", &pids).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|pid| alive(*pid)) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let left: Vec<u32> = pids.into_iter().filter(|pid| alive(*pid)).collect();
        signal("-KILL", &left).await;
        let _ = self.child.kill().await;
    }
}

async fn signal(signal: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill")
        .arg(signal)
        .args(pids.iter().map(u32::to_string))
        .status()
        .await;
}

fn alive(pid: u32) -> bool {
    // A zombie has finished; only its parent's wait is missing.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let state = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .next()?
                .to_owned();
            Some(state != "Z")
        })
        .unwrap_or(false)
}

/// Process `root` and all its descendants.
fn tree_pids(root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![root];
    };
    let parents: Vec<(u32, u32)> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            // Field 4 of /proc/PID/stat, after the parenthesised command name.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    tree
}

fn port_of(endpoint: &str) -> Option<u16> {
    endpoint
        .rsplit_once(':')?
        .1
        .trim_end_matches('/')
        .parse()
        .ok()
}

/// The process that listens on TCP `port` (IPv4), from /proc/net/tcp and the processes' fds.
fn listener_pid(port: u16) -> Option<u32> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let inode = table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local_port = u16::from_str_radix(fields.get(1)?.rsplit_once(':')?.1, 16).ok()?;
        // State 0A is LISTEN.
        (local_port == port && *fields.get(3)? == "0A")
            .then(|| fields.get(9).map(|s| s.to_string()))?
    })?;
    let wanted = format!("socket:[{inode}]");
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
        fds.filter_map(Result::ok)
            .any(|fd| {
                std::fs::read_link(fd.path()).is_ok_and(|link| link.to_str() == Some(&wanted))
            })
            .then_some(pid)
    })
}

/// The resident memory of the target and every process it started, in bytes.
pub(crate) fn tree_rss(running: &Running) -> Res<u64> {
    let mut total = 0;
    let mut pids = tree_pids(running.pid);
    pids.extend(running.detached.iter().copied());
    for pid in pids {
        total += crate::scenarios::rss(pid).unwrap_or(0);
    }
    if total == 0 {
        return Err("the target has no process left".into());
    }
    Ok(total)
}

/// Where `bench/peer/` is.
fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/peer")
}

/// The port of the peer's engine, fixed by RivetKit.
const PEER_PORT: u16 = 6420;

/// Whether `bench/peer/` is set up.
fn peer_installed() -> Res<()> {
    let dir = peer_dir();
    if !dir.join("server.mjs").exists() {
        return Err(format!("{} has no server.mjs", dir.display()).into());
    }
    if !dir.join("node_modules").exists() {
        return Err("bench/peer has no node_modules: run `npm ci` there".into());
    }
    Ok(())
}

/// Whether the peer can start: it is set up, Node runs, and its engine's port is free (the
/// harness finds the engine by that port, so another server there would be measured instead).
pub(crate) fn check_peer() -> Res<()> {
    peer_installed()?;
    std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map_err(|error| format!("cannot run node: {error}"))?;
    std::net::TcpListener::bind(("127.0.0.1", PEER_PORT))
        .map_err(|error| format!("port {PEER_PORT}, which its engine needs, is taken ({error})"))?;
    Ok(())
}

/// Starts `target` and waits for its endpoint.
pub(crate) async fn start(target: Target) -> Res<Running> {
    let mut command = match target {
        Target::Rivet | Target::Echo => {
            let mut command = Command::new(std::env::current_exe()?);
            command.args(["serve", target.name(), "--port", "0"]);
            command
        }
        Target::Peer => {
            peer_installed()?;
            let mut command = Command::new("node");
            command.arg("server.mjs").current_dir(peer_dir());
            command
        }
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command.spawn()?;
    let pid = child.id().ok_or("the target exited at once")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let endpoint = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(endpoint) = line.strip_prefix("listening on ") {
                return Res::Ok(endpoint.trim().to_owned());
            }
        }
        Err("the target exited before listening".into())
    })
    .await
    .map_err(|_| "the target did not start in 60 s")??;
    // Keep reading stdout so that the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    // The peer's engine detaches from Node: find it by the port it listens on.
    let detached = match target {
        Target::Peer => port_of(&endpoint)
            .and_then(listener_pid)
            .filter(|owner| !tree_pids(pid).contains(owner))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    Ok(Running {
        child,
        detached,
        endpoint,
        pid,
    })
}

/// The `serve` command: runs a target in this process.
pub(crate) async fn serve(target: Target, port: u16) -> Res<()> {
    match target {
        Target::Rivet => crate::rivet_server::serve(port).await?,
        Target::Echo => crate::echo_server::serve(port).await?,
        Target::Peer => return Err("the peer target is served by Node (bench/peer)".into()),
    }
    Ok(())
}
