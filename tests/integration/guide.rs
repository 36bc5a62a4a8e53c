//! Every section of the connections guide, against the actors of the examples.

use std::time::Duration;

use futures::StreamExt;
use rivet_core::client::{ClientError, Connection};
use rivet_core::{Client, Registry, Server};
use rivet_examples::chat::{ChatMessage, ChatParams, ChatRoom, ChatRoomClient};
use rivet_examples::lobby::{Lobby, LobbyClient};

async fn serve() -> (Server, Client) {
    let server = Registry::new()
        .register::<ChatRoom>()
        .register::<Lobby>()
        .start("127.0.0.1:0")
        .await
        .expect("server starts");
    let client = Client::new(server.endpoint());
    (server, client)
}

async fn join(client: &Client, room: &str, user: &str) -> Connection<ChatRoom> {
    let params = ChatParams {
        user: user.to_owned(),
        token: format!("token-{user}"),
    };
    client
        .get_or_create::<ChatRoom>(room)
        .connect_with(&params)
        .await
        .expect("joins")
}

async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("in time")
}

#[tokio::test]
async fn guide_params_are_checked_in_on_before_connect() {
    let (_server, client) = serve().await;
    let room = client.get_or_create::<ChatRoom>("guide-params");
    let refused = room
        .connect_with(&ChatParams {
            user: "mallory".into(),
            token: String::new(),
        })
        .await;
    match refused {
        Err(ClientError::Actor {
            group,
            code,
            message,
            metadata,
        }) => {
            assert_eq!((group.as_str(), code.as_str()), ("user", "forbidden"));
            assert_eq!(message, "Invalid auth token");
            assert_eq!(metadata, None);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The same check guards stateless calls.
    let stateless = room
        .clone()
        .with_params(&ChatParams {
            user: "mallory".into(),
            token: String::new(),
        })
        .expect("params encode")
        .history()
        .await;
    assert!(matches!(stateless, Err(ClientError::Actor { ref code, .. }) if code == "forbidden"));
    let alice = join(&client, "guide-params", "alice").await;
    assert_eq!(alice.users().await.expect("users"), ["alice"]);
}

#[tokio::test]
async fn guide_constant_conn_state_is_cloned_per_connection() {
    let (_server, client) = serve().await;
    let lobby = client.get_or_create::<Lobby>("guide-lobby");
    let first = lobby.connect().await.expect("first joins");
    let second = lobby.connect().await.expect("second joins");

    let promoted = first.promote().await.expect("promote");
    assert_eq!(promoted.role, "member");
    let other = second.me().await.expect("me");
    assert_eq!(other.role, "guest", "the template is cloned, not shared");
    assert!(other.joined_at > 0, "on_connect sets joined_at");

    first.disconnect().await;
    let third = lobby.connect().await.expect("third joins");
    assert_eq!(
        third.me().await.expect("me").role,
        "guest",
        "a new connection starts fresh"
    );
    assert_eq!(third.visits().await.expect("visits"), 3);
}

#[tokio::test]
async fn guide_create_conn_state_builds_state_from_params() {
    let (_server, client) = serve().await;
    let alice = join(&client, "guide-create", "alice").await;
    let bob = join(&client, "guide-create", "bob").await;
    let alice_state = alice.me().await.expect("me");
    assert_eq!(alice_state.user, "alice");
    assert_eq!(bob.me().await.expect("me").user, "bob");
    assert!(alice_state.joined_at > 0);
}

#[tokio::test]
async fn guide_lifecycle_keeps_users_and_broadcasts_joins_and_leaves() {
    let (_server, client) = serve().await;
    let alice = join(&client, "guide-lifecycle", "alice").await;
    let mut joined = alice.events::<String>("joined");
    let mut left = alice.events::<String>("left");
    alice
        .users()
        .await
        .expect("barrier: subscriptions are in place");

    let bob = join(&client, "guide-lifecycle", "bob").await;
    assert_eq!(within(joined.next()).await.as_deref(), Some("bob"));
    assert_eq!(alice.users().await.expect("users"), ["alice", "bob"]);

    bob.disconnect().await;
    assert_eq!(within(left.next()).await.as_deref(), Some("bob"));
    assert_eq!(alice.users().await.expect("users"), ["alice"]);
}

#[tokio::test]
async fn guide_direct_messages_reach_one_connection_without_subscription() {
    let (_server, client) = serve().await;
    let alice = join(&client, "guide-dm", "alice").await;
    let bob = join(&client, "guide-dm", "bob").await;
    let carol = join(&client, "guide-dm", "carol").await;

    assert_eq!(
        alice
            .whisper("bob".into(), "psst".into())
            .await
            .expect("whisper"),
        1
    );
    assert_eq!(
        alice
            .whisper("nobody".into(), "hello?".into())
            .await
            .expect("whisper"),
        0
    );
    let mut to_bob = bob.events::<ChatMessage>("whisper");
    let expected = ChatMessage {
        from: "alice".into(),
        text: "psst".into(),
    };
    assert_eq!(within(to_bob.next()).await, Some(expected));

    // Carol got nothing before: her first whisper is the one sent to her.
    let mut to_carol = carol.events::<ChatMessage>("whisper");
    bob.whisper("carol".into(), "hi carol".into())
        .await
        .expect("whisper");
    assert_eq!(
        within(to_carol.next()).await.map(|m| m.text),
        Some("hi carol".to_owned())
    );
}

#[tokio::test]
async fn guide_kick_disconnects_with_the_reason_and_waits_for_it() {
    let (_server, client) = serve().await;
    let alice = join(&client, "guide-kick", "alice").await;
    let bob = join(&client, "guide-kick", "bob").await;

    let kicked = alice
        .kick("bob".into(), "too many requests".into())
        .await
        .expect("kick");
    assert_eq!(kicked, 1);
    // The kick returned after the close: bob's side already knows.
    let info = within(bob.closed()).await;
    assert_eq!(
        (info.code, info.reason.as_str()),
        (1000, "too many requests")
    );
    assert_eq!(alice.users().await.expect("users"), ["alice"]);
    // Kicking someone absent is a no-op.
    assert_eq!(
        alice
            .kick("bob".into(), "again".into())
            .await
            .expect("kick"),
        0
    );
}

#[tokio::test]
async fn guide_example_runs_every_section() {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let output = tokio::process::Command::new(dir.join("examples").join("connections_guide"))
        .output()
        .await
        .expect("run connections_guide");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "mallory refused: user.forbidden: Invalid auth token",
        "first is now member, second is still guest",
        "alice saw: joined bob",
        "alice saw: left bob",
        "kicked 1; bob's socket closed with 1000 \"too many requests\"",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}
