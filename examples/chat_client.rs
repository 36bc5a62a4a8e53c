//! The chat client: joins a room, sends messages, prints what happens.
//!
//! ```text
//! cargo run --example chat_client -- --room lobby --user alice --token t1 hello "second line"
//! ```
//!
//! Each trailing argument is sent as a message; the client exits once all are sent and echoed.
//! Without messages it sends each line of stdin instead (`/who`, `/whisper <user> <text>` and
//! `/kick <user> [reason]` are commands), and once stdin ends it keeps printing until it is
//! interrupted, the server closes the connection, or `--listen-for <seconds>` passes.
//!
//! Once in, it prints who is online (`online: alice, bob`); then every event is one line:
//! `joined bob`, `message alice: hello`, `whisper bob: psst`,
//! `left bob`, and `kicked: <reason>` when the server disconnects this client (exit code 1; a
//! lost connection prints its close code on stderr and exits 1 too).
//! A refused connection prints the server's error (`user.forbidden: Invalid auth token`) and
//! exits with code 1.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::{Stream, StreamExt};
use rivet_core::Client;
use rivet_core::client::{ClientError, CloseInfo, Connection, EventStream};
use rivet_examples::chat::{ChatMessage, ChatParams, ChatRoom, ChatRoomClient};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};

/// Joins a chat room.
#[derive(Parser)]
struct Args {
    /// The server's endpoint.
    #[arg(long, default_value = "http://127.0.0.1:6420")]
    endpoint: String,
    /// The room to join.
    #[arg(long, default_value = "lobby")]
    room: String,
    /// Your name in the room.
    #[arg(long)]
    user: String,
    /// Your token; the server refuses an empty one.
    #[arg(long, default_value = "")]
    token: String,
    /// Once stdin is done, keep printing for this many seconds, then leave.
    #[arg(long, value_name = "SECONDS")]
    listen_for: Option<f64>,
    /// Messages to send; without any, lines of stdin are sent.
    messages: Vec<String>,
}

/// One thing that happened in the room: the variant names the event, its field the payload.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    Joined(String),
    Left(String),
    Message(ChatMessage),
    Whisper(ChatMessage),
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Joined(user) => write!(f, "joined {user}"),
            Self::Left(user) => write!(f, "left {user}"),
            Self::Message(m) => write!(f, "message {}: {}", m.from, m.text),
            Self::Whisper(m) => write!(f, "whisper {}: {}", m.from, m.text),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let room = Client::new(&args.endpoint).get_or_create::<ChatRoom>(args.room.as_str());
    let params = ChatParams {
        user: args.user.clone(),
        token: args.token.clone(),
    };
    let conn = match room.connect_with(&params).await {
        Ok(conn) => conn,
        Err(error) => return fail(&error),
    };
    let mut events = subscribe(&conn);
    // Any call on this connection is handled after its subscriptions: from here on, no event
    // of the room is missed.
    match conn.users().await {
        Ok(users) => println!("online: {}", users.join(", ")),
        Err(error) => return fail(&error),
    }

    let outcome = if args.messages.is_empty() {
        interactive(&conn, &mut events, args.listen_for).await
    } else {
        send_all(&conn, &mut events, &args.user, &args.messages).await
    };
    match outcome {
        Err(error) => fail(&error),
        Ok(()) => match conn.close_info() {
            Some(info) => {
                report_close(&info);
                ExitCode::FAILURE
            }
            None => {
                conn.disconnect().await;
                ExitCode::SUCCESS
            }
        },
    }
}

fn fail(error: &ClientError) -> ExitCode {
    match error {
        ClientError::Closed(info) => report_close(info),
        other => eprintln!("{other}"),
    }
    ExitCode::FAILURE
}

/// A close by the server with 1000 is a kick; anything else is a lost connection.
fn report_close(info: &CloseInfo) {
    if info.code == 1000 {
        println!("kicked: {}", info.reason);
    } else {
        eprintln!("connection lost (code {}) {}", info.code, info.reason);
    }
}

/// The room's events, in the order the server sent them.
fn subscribe(conn: &Connection<ChatRoom>) -> EventStream<Event> {
    conn.events_of(&["joined", "left", "message", "whisper"])
}

/// Sends every message, then prints events until each one has come back.
async fn send_all(
    conn: &Connection<ChatRoom>,
    events: &mut (impl Stream<Item = Event> + Unpin),
    user: &str,
    messages: &[String],
) -> Result<(), ClientError> {
    for text in messages {
        conn.send_message(text.clone()).await?;
    }
    let mut echoed = 0;
    while echoed < messages.len() {
        // The echoes arrived before the calls returned: this never waits long.
        let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(5), events.next()).await
        else {
            break;
        };
        println!("{event}");
        if matches!(&event, Event::Message(m) if m.from == user && m.text == messages[echoed]) {
            echoed += 1;
        }
    }
    Ok(())
}

/// Sends stdin's lines and prints events until the connection ends, the user interrupts, or the
/// listening time is over.
async fn interactive(
    conn: &Connection<ChatRoom>,
    events: &mut (impl Stream<Item = Event> + Unpin),
    listen_for: Option<f64>,
) -> Result<(), ClientError> {
    let mut stdin: Option<Lines<BufReader<Stdin>>> =
        Some(BufReader::new(tokio::io::stdin()).lines());
    let mut deadline = None;
    loop {
        if stdin.is_none() && deadline.is_none() {
            deadline = listen_for.map(|s| tokio::time::Instant::now() + Duration::from_secs_f64(s));
        }
        tokio::select! {
            event = events.next() => match event {
                Some(event) => println!("{event}"),
                None => return Ok(()),
            },
            line = next_line(&mut stdin), if stdin.is_some() => match line {
                Some(line) => command(conn, line.trim()).await?,
                None => stdin = None,
            },
            _ = sleep_until(deadline), if deadline.is_some() => return Ok(()),
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

async fn next_line(stdin: &mut Option<Lines<BufReader<Stdin>>>) -> Option<String> {
    match stdin {
        Some(lines) => lines.next_line().await.ok().flatten(),
        None => None,
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Runs one line typed by the user.
async fn command(conn: &Connection<ChatRoom>, line: &str) -> Result<(), ClientError> {
    let mut words = line.splitn(3, ' ');
    match words.next() {
        None | Some("") => {}
        Some("/who") => println!("online: {}", conn.users().await?.join(", ")),
        Some("/whisper") => match (words.next(), words.next()) {
            (Some(to), Some(text)) if !to.is_empty() => {
                if conn.whisper(to.to_owned(), text.to_owned()).await? == 0 {
                    println!("nobody named {to} is here");
                }
            }
            _ => println!("usage: /whisper <user> <text>"),
        },
        Some("/kick") => match words.next() {
            Some(user) if !user.is_empty() => {
                let reason = words.next().unwrap_or("kicked by a user");
                let kicked = conn.kick(user.to_owned(), reason.to_owned()).await?;
                println!("kicked {kicked} connection(s) of {user}");
            }
            _ => println!("usage: /kick <user> [reason]"),
        },
        Some(other) if other.starts_with('/') => {
            println!("unknown command {other}: the commands are /who, /whisper and /kick");
        }
        Some(_) => {
            conn.send_message(line.to_owned()).await?;
        }
    }
    Ok(())
}
