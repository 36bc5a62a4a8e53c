//! Handles and the manager: get, getOrCreate, getForId and create; keys matched exactly (CASES
//! 2.A and 2.B). Every test has its own server, so the keys of RivetKit's suite are used as is.

use rivet_core::client::{ActorHandle, Client};
use rivet_examples::lobby::{Lobby, LobbyClient};
use rivet_examples::probe::{Counter, CounterClient};

use crate::common::{TestServer, assert_actor_error, within};

fn counter(client: &Client, key: impl rivet_core::client::IntoKey) -> ActorHandle<Counter> {
    client.get_or_create::<Counter>(key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_connect_through_every_kind_of_handle() {
    // Cases 1 to 5.
    let s = TestServer::probe().await;
    let c = &s.client;

    c.create::<Counter>(["test-get"]).await.unwrap();
    let conn = within("connect", c.get::<Counter>(["test-get"]).connect())
        .await
        .unwrap();
    assert_eq!(conn.increment(5).await.unwrap(), 5);

    let handle = counter(c, ["test-get-for-id"]);
    assert_eq!(handle.increment(3).await.unwrap(), 3);
    let id = handle.resolve().await.unwrap();
    let conn = within("connect", c.get_for_id::<Counter>(&id).connect())
        .await
        .unwrap();
    assert_eq!(conn.get_count().await.unwrap(), 3);
    assert_eq!(conn.actor_id(), id);

    let conn = within("connect", counter(c, ["test-get-or-create"]).connect())
        .await
        .unwrap();
    assert_eq!(conn.increment(7).await.unwrap(), 7);
    assert_eq!(
        conn.actor_id(),
        counter(c, ["test-get-or-create"]).resolve().await.unwrap()
    );

    let created = c.create::<Counter>(["test-create"]).await.unwrap();
    let conn = within("connect", created.connect()).await.unwrap();
    assert_eq!(conn.increment(9).await.unwrap(), 9);
    assert_eq!(conn.actor_id(), created.resolve().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_get_get_for_id_get_or_create_and_create() {
    // Cases 6 to 9, 12 to 14.
    let s = TestServer::probe().await;
    let c = &s.client;

    c.create::<Counter>(["test-get-handle"]).await.unwrap();
    let get = c.get::<Counter>(["test-get-handle"]);
    assert_eq!(get.increment(5).await.unwrap(), 5);
    assert_eq!(get.get_count().await.unwrap(), 5);

    let handle = counter(c, ["test-get-for-id-handle"]);
    assert_eq!(handle.increment(3).await.unwrap(), 3);
    let by_id = c.get_for_id::<Counter>(handle.resolve().await.unwrap());
    assert_eq!(by_id.get_count().await.unwrap(), 3);
    assert_eq!(by_id.increment(4).await.unwrap(), 7);

    assert_eq!(
        counter(c, ["test-get-or-create-handle"])
            .increment(7)
            .await
            .unwrap(),
        7
    );
    assert_eq!(
        counter(c, ["test-get-or-create-handle"])
            .get_count()
            .await
            .unwrap(),
        7
    );

    let created = c.create::<Counter>(["test-create-handle"]).await.unwrap();
    assert_eq!(created.increment(9).await.unwrap(), 9);
    assert_eq!(created.get_count().await.unwrap(), 9);

    let sequential = counter(c, ["test-sequential"]);
    assert_eq!(sequential.increment(3).await.unwrap(), 3);
    assert_eq!(sequential.increment(5).await.unwrap(), 8);
    assert_eq!(sequential.get_count().await.unwrap(), 8);

    let h1 = counter(c, ["test-multiple-handles"]);
    let h2 = c.get::<Counter>(["test-multiple-handles"]);
    assert_eq!(h1.increment(3).await.unwrap(), 3);
    assert_eq!(h2.get_count().await.unwrap(), 3);
    assert_eq!(h2.increment(4).await.unwrap(), 7);
    assert_eq!(h1.get_count().await.unwrap(), 7);

    let resolved = counter(c, ["test-resolve"]);
    assert_eq!(resolved.increment(1).await.unwrap(), 1);
    let id = resolved.resolve().await.unwrap();
    assert!(!id.is_empty());
    assert_eq!(id, resolved.resolve().await.unwrap());
    assert_eq!(c.get_for_id::<Counter>(id).get_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_create_twice_is_already_exists() {
    // Cases 10 and 16.
    let s = TestServer::probe().await;
    let c = &s.client;
    c.create::<Counter>(["dup"]).await.unwrap();
    let error = c.create::<Counter>(["dup"]).await.unwrap_err();
    assert_actor_error(
        &error,
        "actor",
        "already_exists",
        "An actor with this key already exists.",
        None,
    );

    let existing = counter(c, ["dup-after-get-or-create"]);
    assert_eq!(existing.increment(5).await.unwrap(), 5);
    let error = c
        .create::<Counter>(["dup-after-get-or-create"])
        .await
        .unwrap_err();
    assert_eq!(
        (error.group(), error.code()),
        (Some("actor"), Some("already_exists"))
    );
    assert_eq!(existing.get_count().await.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_get_of_a_missing_key_is_not_found_and_creates_nothing() {
    // Cases 11 and 17.
    let s = TestServer::probe().await;
    let c = &s.client;
    let missing = c.get::<Counter>(["missing"]);
    let not_found = "The actor does not exist or was destroyed.";
    assert_actor_error(
        &missing.resolve().await.unwrap_err(),
        "actor",
        "not_found",
        not_found,
        None,
    );
    assert_actor_error(
        &missing.get_count().await.unwrap_err(),
        "actor",
        "not_found",
        not_found,
        None,
    );
    assert_actor_error(
        &within("connect", missing.connect()).await.unwrap_err(),
        "actor",
        "not_found",
        not_found,
        None,
    );
    // Still nothing there.
    assert_eq!(
        missing.resolve().await.unwrap_err().code(),
        Some("not_found")
    );

    let id = "non-existent-actor-id";
    assert_eq!(counter(c, id).increment(3).await.unwrap(), 3);
    assert_eq!(c.get::<Counter>(id).increment(0).await.unwrap(), 3);
    let unknown = c
        .get_for_id::<Counter>("no-such-id")
        .get_count()
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some("not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_keys_match_exactly() {
    // Cases 15, 19, 23 to 29.
    let s = TestServer::probe().await;
    let c = &s.client;

    assert_eq!(counter(c, ()).increment(5).await.unwrap(), 5);
    assert_eq!(counter(c, ()).get_count().await.unwrap(), 5);
    assert_eq!(
        counter(c, Vec::<String>::new()).get_count().await.unwrap(),
        5
    );
    assert_eq!(counter(c, &[][..] as &[&str]).get_count().await.unwrap(), 5);
    // One empty part is not the empty key.
    assert_eq!(counter(c, [""]).get_count().await.unwrap(), 0);
    assert_eq!(counter(c, [""]).get_key().await.unwrap(), [""]);
    assert_eq!(
        counter(c, ["counter-b", "testing"])
            .increment(10)
            .await
            .unwrap(),
        10
    );
    assert_eq!(counter(c, ()).get_count().await.unwrap(), 5);

    let uuid_key = "6a1f0c7e-3b4d-4e8a-9f2b-1c5d7e9a0b3f";
    assert_eq!(counter(c, [uuid_key]).increment(10).await.unwrap(), 10);
    assert_eq!(counter(c, [uuid_key]).get_count().await.unwrap(), 10);

    assert_eq!(
        counter(c, ["counter-match", "test", "us-east"])
            .increment(10)
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        counter(c, ["counter-match", "test", "us-east"])
            .get_count()
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        counter(c, ["counter-match", "test"])
            .get_count()
            .await
            .unwrap(),
        0
    );
    assert_eq!(counter(c, ["counter-match"]).get_count().await.unwrap(), 0);

    assert_eq!(counter(c, "string-key-test").increment(7).await.unwrap(), 7);
    assert_eq!(
        counter(c, ["string-key-test"]).get_count().await.unwrap(),
        7
    );
    assert_eq!(
        counter(c, vec!["string-key-test".to_owned()])
            .get_count()
            .await
            .unwrap(),
        7
    );

    assert_eq!(
        counter(c, ["counter-with-key"])
            .increment(15)
            .await
            .unwrap(),
        15
    );
    assert_eq!(
        counter(c, ["new-counter", "prod"])
            .get_count()
            .await
            .unwrap(),
        0
    );

    for (key, by) in [("multi-1", 1), ("multi-2", 2), ("multi-3", 3)] {
        assert_eq!(counter(c, key).increment(by).await.unwrap(), by);
    }
    for (key, by) in [("multi-1", 1), ("multi-2", 2), ("multi-3", 3)] {
        assert_eq!(counter(c, key).get_count().await.unwrap(), by);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_key_parts_reach_the_actor_unchanged() {
    // Case 30, plus the parts the gateway's query form cannot carry.
    let s = TestServer::probe().await;
    let c = &s.client;
    for key in [
        vec!["tenant/with/slash", "room"],
        vec!["a,b"],
        vec!["back\\slash", ""],
        vec!["héllo wörld", "?&="],
    ] {
        let expected: Vec<String> = key.iter().map(|p| (*p).to_owned()).collect();
        let handle = counter(c, key.clone());
        assert_eq!(handle.get_key().await.unwrap(), expected, "{key:?}");
        assert_eq!(handle.increment(1).await.unwrap(), 1, "{key:?}");
        let conn = within("connect", handle.connect()).await.unwrap();
        assert_eq!(conn.get_key().await.unwrap(), expected, "{key:?}");
        assert_eq!(conn.get_count().await.unwrap(), 1, "{key:?}");
        assert_eq!(
            c.get::<Counter>(key.clone()).get_count().await.unwrap(),
            1,
            "{key:?}"
        );
    }
    // Commas do not split a key: `a,b` is not `[a, b]`.
    assert_eq!(counter(c, ["a", "b"]).get_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_constant_conn_state_is_cloned_for_every_connection() {
    // Case 41 and BC-7: the template is cloned, never shared nor changed.
    let s = TestServer::start(rivet_core::Registry::new().register::<Lobby>()).await;
    let lobby = s.client.get_or_create::<Lobby>(["lobby"]);
    let first = within("connect", lobby.connect()).await.unwrap();
    let second = within("connect", lobby.connect()).await.unwrap();
    assert_eq!(first.promote().await.unwrap().role, "member");
    assert_eq!(first.me().await.unwrap().role, "member");
    assert_eq!(second.me().await.unwrap().role, "guest");
    first.disconnect().await;
    let third = within("connect", lobby.connect()).await.unwrap();
    assert_eq!(third.me().await.unwrap().role, "guest");
    assert!(third.me().await.unwrap().joined_at > 0);
    assert_eq!(lobby.visits().await.unwrap(), 4);
}
