//! The main job as a user runs it: the `chat_room` server and `chat_client` processes.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A built example: `cargo test` builds the examples next to the test binaries.
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path: PathBuf = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo build --examples`",
        path.display()
    );
    Command::new(path)
}

/// The chat server on a free port, with its log lines arriving on a channel.
struct ChatServer {
    child: Child,
    endpoint: String,
    log: mpsc::Receiver<String>,
}

impl ChatServer {
    fn start() -> Self {
        let mut child = example("chat_room")
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start chat_room");
        let stdout = child.stdout.take().expect("stdout");
        let log = forward_lines(stdout);
        let serving = wait_for(&log, |line| line.contains("serving"));
        let addr = serving
            .split("addr=")
            .nth(1)
            .expect("addr field")
            .trim()
            .to_owned();
        Self {
            child,
            endpoint: format!("http://{addr}"),
            log,
        }
    }

    fn client(&self, user: &str, token: &str) -> Command {
        let mut command = example("chat_client");
        command.args([
            "--endpoint",
            &self.endpoint,
            "--room",
            "main-job",
            "--user",
            user,
            "--token",
            token,
        ]);
        command
    }
}

impl Drop for ChatServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn forward_lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The first line that matches, within 20 s.
fn wait_for(lines: &mpsc::Receiver<String>, matches: impl Fn(&str) -> bool) -> String {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("expected line never came");
        if matches(&line) {
            return line;
        }
    }
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn two_clients_chat_and_one_is_kicked() {
    let server = ChatServer::start();

    // Bob listens, with stdin closed.
    let mut bob = server
        .client("bob", "t2")
        .args(["--listen-for", "20"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start bob");
    let bob_lines = forward_lines(bob.stdout.take().expect("stdout"));
    assert_eq!(wait_for(&bob_lines, |_| true), "online: bob");

    // Alice sends two messages and leaves once they are echoed.
    let alice = server
        .client("alice", "t1")
        .args(["hello", "second line"])
        .output()
        .expect("run alice");
    let (out, err) = text(&alice);
    assert!(alice.status.success(), "alice failed: {err}");
    assert_eq!(
        out,
        "online: alice, bob\nmessage alice: hello\nmessage alice: second line\n"
    );

    // Carol mistypes two commands, then kicks bob, from her stdin.
    let mut carol = server
        .client("carol", "t3")
        .args(["--listen-for", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start carol");
    {
        use std::io::Write;
        let mut stdin = carol.stdin.take().expect("stdin");
        stdin
            .write_all(b"/kick\n/bogus\n/kick bob go away\n")
            .expect("write to carol");
    }
    let mut carol_out = String::new();
    carol
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut carol_out)
        .expect("read carol");
    assert!(carol.wait().expect("carol exit").success());
    assert_eq!(
        carol_out,
        "online: bob, carol\n\
         usage: /kick <user> [reason]\n\
         unknown command /bogus: the commands are /who, /whisper and /kick\n\
         kicked 1 connection(s) of bob\nleft bob\n"
    );

    let status = bob.wait().expect("bob exit");
    // The forwarding thread ends at bob's end of output: every line is in.
    let bob_out: Vec<String> = bob_lines.iter().collect();
    assert_eq!(
        bob_out,
        [
            "joined alice",
            "message alice: hello",
            "message alice: second line",
            "left alice",
            "joined carol",
            "kicked: go away",
        ]
    );
    assert_eq!(status.code(), Some(1), "a kicked client exits 1");

    // An empty token is refused by on_before_connect.
    let mallory = server.client("mallory", "").output().expect("run mallory");
    let (out, err) = text(&mallory);
    assert_eq!(mallory.status.code(), Some(1));
    assert_eq!(out, "");
    assert_eq!(err.trim(), "user.forbidden: Invalid auth token");

    // One log line per connect, disconnect and rejection.
    let refused = wait_for(&server.log, |line| line.contains("connection refused"));
    assert!(refused.contains("error.code=user.forbidden"), "{refused}");
}
