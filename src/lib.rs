//! The actors of the examples and the integration tests. Nothing here is part of rivet's API:
//! each module is a scenario of the connections guide, written as a user would.

// Lets the chat room name `rivet_examples::…` both here and inside the `chat_room` example.
extern crate self as rivet_examples;

// The chat room lives beside the `chat_room` example, which compiles it as its own module so that
// `cargo expand --example chat_room` shows the actor's expansion.
#[path = "../examples/chat_room/chat.rs"]
pub mod chat;
pub mod lobby;
pub mod probe;
pub mod time;
