//! Integration tests over real sockets: one server per test on an ephemeral port, the Rust
//! client or raw WebSockets against it. Each module covers one area of the rules of behaviour
//! (DESIGN.md, section 4) and the cases of CASES.md; each test's name says the rule it checks.

mod common;

mod client;
mod concurrency;
mod cors;
mod disconnect;
mod encodings;
mod errors;
mod events;
mod guide;
mod handles;
mod hostile;
mod http_actions;
mod main_job;
mod order;
mod raw_socket;
mod shutdown;
mod soak;
mod timeouts;
mod visibility;
