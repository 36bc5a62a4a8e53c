//! Every section of the connections guide, run against a server started in this process.
//!
//! ```text
//! cargo run --example connections_guide             # every section
//! cargo run --example connections_guide -- kick     # one section
//! ```
//!
//! Sections: `params`, `constant-state`, `create-state`, `lifecycle`, `direct-messages`,
//! `kick`. The actors are in `examples/chat_room/chat.rs` and `src/lobby.rs`.

use std::process::ExitCode;

use futures::StreamExt;
use rivet_core::client::{ClientError, Connection};
use rivet_core::{Client, Registry};
use rivet_examples::chat::{ChatMessage, ChatParams, ChatRoom, ChatRoomClient};
use rivet_examples::lobby::{Lobby, LobbyClient};

type Outcome = Result<(), ClientError>;

/// The sections, in order.
const SECTIONS: [&str; 6] = [
    "params",
    "constant-state",
    "create-state",
    "lifecycle",
    "direct-messages",
    "kick",
];

/// One section: it runs against a client of the shared server.
type Section = fn(Client) -> futures::future::BoxFuture<'static, Outcome>;

#[tokio::main]
async fn main() -> ExitCode {
    let only = std::env::args().nth(1);
    if only.as_deref().is_some_and(|arg| arg.starts_with('-')) {
        println!("usage: connections_guide [{}]", SECTIONS.join("|"));
        return ExitCode::SUCCESS;
    }
    let server = match Registry::new()
        .register::<ChatRoom>()
        .register::<Lobby>()
        .start("127.0.0.1:0")
        .await
    {
        Ok(server) => server,
        Err(error) => {
            eprintln!("connections_guide: {error}");
            return ExitCode::FAILURE;
        }
    };
    let client = Client::new(server.endpoint());
    let sections: [(&str, Section); 6] = [
        ("params", |c| Box::pin(params(c))),
        ("constant-state", |c| Box::pin(constant_state(c))),
        ("create-state", |c| Box::pin(create_state(c))),
        ("lifecycle", |c| Box::pin(lifecycle(c))),
        ("direct-messages", |c| Box::pin(direct_messages(c))),
        ("kick", |c| Box::pin(kick(c))),
    ];
    let mut ran = 0;
    for (name, section) in sections {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        println!("== {name}");
        if let Err(error) = section(client.clone()).await {
            eprintln!("section {name} failed: {error}");
            return ExitCode::FAILURE;
        }
        ran += 1;
    }
    server.shutdown().await;
    if ran == 0 {
        eprintln!(
            "no section named {}; one of {}",
            only.unwrap_or_default(),
            SECTIONS.join(", ")
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn join(
    client: &Client,
    room: &str,
    user: &str,
) -> Result<Connection<ChatRoom>, ClientError> {
    let params = ChatParams {
        user: user.to_owned(),
        token: format!("token-of-{user}"),
    };
    client
        .get_or_create::<ChatRoom>(room)
        .connect_with(&params)
        .await
}

/// Params reach `on_before_connect`, which refuses an empty token.
async fn params(client: Client) -> Outcome {
    let room = client.get_or_create::<ChatRoom>("guide-params");
    let alice = room
        .connect_with(&ChatParams {
            user: "alice".into(),
            token: "t1".into(),
        })
        .await?;
    println!("alice connected as {}", alice.connection_id());
    match room
        .connect_with(&ChatParams {
            user: "mallory".into(),
            token: String::new(),
        })
        .await
    {
        Err(ClientError::Actor {
            group,
            code,
            message,
            ..
        }) => {
            println!("mallory refused: {group}.{code}: {message}");
        }
        Ok(_) => println!("mallory was let in: the check is broken"),
        Err(other) => return Err(other),
    }
    alice.disconnect().await;
    Ok(())
}

/// A constant declared on the struct: each connection starts from a clone of it.
async fn constant_state(client: Client) -> Outcome {
    let lobby = client.get_or_create::<Lobby>("guide-lobby");
    let first = lobby.connect().await?;
    let second = lobby.connect().await?;
    let promoted = first.promote().await?;
    let other = second.me().await?;
    println!(
        "first is now {}, second is still {}",
        promoted.role, other.role
    );
    println!(
        "second joined at {} ms (set in on_connect)",
        other.joined_at
    );
    first.disconnect().await;
    second.disconnect().await;
    Ok(())
}

/// `create_conn_state` builds each connection's state from its params.
async fn create_state(client: Client) -> Outcome {
    let alice = join(&client, "guide-create", "alice").await?;
    let me = alice.me().await?;
    println!(
        "alice's state: user {}, joined at {} ms",
        me.user, me.joined_at
    );
    alice.disconnect().await;
    Ok(())
}

/// `on_connect` and `on_disconnect` keep the users map and broadcast joins and leaves.
async fn lifecycle(client: Client) -> Outcome {
    let alice = join(&client, "guide-lifecycle", "alice").await?;
    let mut joined = alice.events::<String>("joined");
    let mut left = alice.events::<String>("left");
    alice.users().await?; // the subscriptions are in place once this returns
    let bob = join(&client, "guide-lifecycle", "bob").await?;
    println!(
        "alice saw: joined {}",
        joined.next().await.unwrap_or_default()
    );
    println!("online: {}", alice.users().await?.join(", "));
    bob.disconnect().await;
    println!("alice saw: left {}", left.next().await.unwrap_or_default());
    println!("online: {}", alice.users().await?.join(", "));
    alice.disconnect().await;
    Ok(())
}

/// An action walks `ctx.conns()` and calls `conn.send` on one of them.
async fn direct_messages(client: Client) -> Outcome {
    let alice = join(&client, "guide-dm", "alice").await?;
    let bob = join(&client, "guide-dm", "bob").await?;
    let mut whispers = bob.events::<ChatMessage>("whisper");
    let delivered = alice.whisper("bob".into(), "psst".into()).await?;
    let got = whispers.next().await;
    println!("delivered to {delivered} connection(s); bob got {got:?}");
    alice.disconnect().await;
    bob.disconnect().await;
    Ok(())
}

/// `conn.disconnect(reason)`, awaited inside an action.
async fn kick(client: Client) -> Outcome {
    let alice = join(&client, "guide-kick", "alice").await?;
    let bob = join(&client, "guide-kick", "bob").await?;
    let kicked = alice.kick("bob".into(), "too many requests".into()).await?;
    let info = bob.closed().await;
    println!(
        "kicked {kicked}; bob's socket closed with {} {:?}",
        info.code, info.reason
    );
    println!("online: {}", alice.users().await?.join(", "));
    alice.disconnect().await;
    Ok(())
}
