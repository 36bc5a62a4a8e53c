//! JSON, CBOR and BARE over real sockets: the same exchanges in each encoding, and clients of
//! different encodings on one actor.

use futures::StreamExt;
use rivet_core::client::{ClientError, Connection};
use rivet_core::{Client, Encoding, RawValue, Registry};
use rivet_examples::chat::{ChatMessage, ChatParams, ChatRoom, ChatRoomClient};
use rivet_examples::probe::{Counter, CounterClient, ProbeClient, ProbeParams};
use serde_json::json;

use crate::common::{TestServer, unique, within};

const ENCODINGS: [Encoding; 3] = [Encoding::Json, Encoding::Cbor, Encoding::Bare];

async fn chat_server() -> (TestServer, String) {
    let server = TestServer::start(Registry::new().register::<ChatRoom>()).await;
    (server, unique("encodings-chat"))
}

async fn join(client: &Client, room: &str, user: &str) -> Connection<ChatRoom> {
    let params = ChatParams {
        user: user.to_owned(),
        token: "t".to_owned(),
    };
    within(
        "a connection",
        client.get_or_create::<ChatRoom>(room).connect_with(&params),
    )
    .await
    .expect("joins")
}

#[tokio::test]
async fn encodings_clients_of_every_encoding_share_one_actor() {
    let (server, room) = chat_server().await;
    let clients: Vec<Client> = ENCODINGS
        .iter()
        .map(|e| server.client.clone().with_encoding(*e))
        .collect();
    let json = join(&clients[0], &room, "json").await;
    let cbor = join(&clients[1], &room, "cbor").await;
    let bare = join(&clients[2], &room, "bare").await;
    let mut streams = Vec::new();
    for conn in [&json, &cbor, &bare] {
        streams.push(conn.events::<ChatMessage>("message"));
        conn.users().await.expect("barrier");
    }

    let sent = bare.send_message("héllo 🌍".into()).await.expect("send");
    assert_eq!(
        sent,
        ChatMessage {
            from: "bare".into(),
            text: "héllo 🌍".into()
        }
    );
    for stream in &mut streams {
        assert_eq!(
            within("the broadcast", stream.next()).await,
            Some(sent.clone())
        );
    }
    assert_eq!(json.users().await.expect("users"), ["bare", "cbor", "json"]);
    assert_eq!(
        cbor.whisper("json".into(), "psst".into())
            .await
            .expect("whisper"),
        1
    );
    let whisper = within("the whisper", json.events::<ChatMessage>("whisper").next()).await;
    assert_eq!(whisper.map(|m| m.text), Some("psst".to_owned()));
}

#[tokio::test]
async fn encodings_carry_refusals_and_action_errors_with_metadata() {
    let server = TestServer::probe().await;
    for encoding in ENCODINGS {
        let client = server.client.clone().with_encoding(encoding);
        let key = unique("encodings-errors");
        let handle = client.get_or_create::<rivet_examples::probe::Probe>(key.as_str());

        let mut greedy = ProbeParams::new("greedy");
        greedy.seats = 25;
        match handle.connect_with(&greedy).await {
            Err(ClientError::Actor {
                group,
                code,
                message,
                metadata,
            }) => {
                assert_eq!(
                    (group.as_str(), code.as_str()),
                    ("user", "quota_exceeded"),
                    "{encoding:?}"
                );
                assert_eq!(message, "quota exceeded");
                assert_eq!(
                    metadata,
                    Some(json!({"limit": 20, "attempted": 25})),
                    "{encoding:?}"
                );
            }
            other => panic!("{encoding:?}: expected a refusal, got {other:?}"),
        }

        let conn = handle
            .connect_with(&ProbeParams::new("a"))
            .await
            .expect("joins");
        for caller in [
            conn.fail().await,
            handle
                .clone()
                .with_params(&ProbeParams::new("h"))
                .expect("params")
                .fail()
                .await,
        ] {
            match caller {
                Err(ClientError::Actor { code, metadata, .. }) => {
                    assert_eq!(code, "bad_input", "{encoding:?}");
                    assert_eq!(metadata, Some(json!({"field": "name"})), "{encoding:?}");
                }
                other => panic!("{encoding:?}: expected bad_input, got {other:?}"),
            }
        }
        match conn.crash().await {
            Err(ClientError::Actor {
                group,
                code,
                message,
                ..
            }) => {
                assert_eq!(
                    (group.as_str(), code.as_str()),
                    ("rivetkit", "internal_error")
                );
                assert_eq!(message, "An internal error occurred", "{encoding:?}");
            }
            other => panic!("{encoding:?}: expected a masked error, got {other:?}"),
        }
        let unknown = conn.action_raw("noSuchAction", vec![]).await;
        assert!(
            matches!(unknown, Err(ClientError::Actor { ref code, .. }) if code == "action_not_found"),
            "{encoding:?}"
        );
    }
}

#[tokio::test]
async fn encodings_round_trip_values_json_cannot_hold() {
    let server = TestServer::probe().await;
    let big = RawValue::Tag(
        2,
        Box::new(RawValue::Bytes(vec![0x40, 0, 0, 0, 0, 0, 0, 0, 0])),
    );
    let value = RawValue::Map(vec![
        (
            RawValue::Text("s".into()),
            RawValue::Text("héllo 🌍".into()),
        ),
        (RawValue::Text("e".into()), RawValue::Text(String::new())),
        (RawValue::Text("n".into()), RawValue::Null),
        (
            RawValue::Text("nested".into()),
            RawValue::Array(vec![
                1.into(),
                RawValue::Array(vec![2.into(), RawValue::Array(vec![3.into()])]),
            ]),
        ),
        (
            RawValue::Text("bytes".into()),
            RawValue::Bytes(vec![0x00, 0xff]),
        ),
        (RawValue::Text("big".into()), big),
        (
            RawValue::Text("tagLike".into()),
            RawValue::Array(vec!["$BigInt".into(), "1".into()]),
        ),
        (RawValue::Text("f".into()), RawValue::Float(1.5)),
    ]);
    for encoding in ENCODINGS {
        let client = server.client.clone().with_encoding(encoding);
        let handle =
            client.get_or_create::<rivet_examples::probe::Probe>(unique("encodings-echo").as_str());
        let conn = handle
            .connect_with(&ProbeParams::new("a"))
            .await
            .expect("joins");
        let echoed = conn.echo_raw(value.clone()).await.expect("socket echo");
        assert_eq!(
            sorted(echoed),
            sorted(value.clone()),
            "{encoding:?} over a socket"
        );
        let http = handle.with_params(&ProbeParams::new("h")).expect("params");
        let echoed = http.echo_raw(value.clone()).await.expect("http echo");
        assert_eq!(
            sorted(echoed),
            sorted(value.clone()),
            "{encoding:?} over HTTP"
        );
    }
}

/// Maps with their entries in key order: JSON objects do not keep the order of a map.
fn sorted(value: RawValue) -> RawValue {
    match value {
        RawValue::Map(entries) => {
            let mut entries: Vec<_> = entries.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|(a, _), (b, _)| format!("{a:?}").cmp(&format!("{b:?}")));
            RawValue::Map(entries)
        }
        RawValue::Array(items) => RawValue::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[tokio::test]
async fn encodings_stateless_actions_and_kicks_work_in_each() {
    let server = TestServer::probe().await;
    for encoding in ENCODINGS {
        let client = server.client.clone().with_encoding(encoding);
        let key = unique("encodings-counter");
        let counter = client.get_or_create::<Counter>(key.as_str());
        assert_eq!(
            counter.increment(5).await.expect("increment"),
            5,
            "{encoding:?}"
        );
        assert_eq!(counter.get_count().await.expect("count"), 5, "{encoding:?}");

        let probe = client.get_or_create::<rivet_examples::probe::Probe>(key.as_str());
        let a = probe
            .connect_with(&ProbeParams::new("a"))
            .await
            .expect("a joins");
        let b = probe
            .connect_with(&ProbeParams::new("b"))
            .await
            .expect("b joins");
        a.kick("b".into(), "too many requests".into())
            .await
            .expect("kick");
        let info = within("b's close", b.closed()).await;
        assert_eq!(
            (info.code, info.reason.as_str()),
            (1000, "too many requests"),
            "{encoding:?}"
        );
    }
}
