//! The actors of the examples and the integration tests. Nothing here is part of rivet's API:
//! each module is a scenario of the connections guide, written as a user would.

pub mod chat;
pub mod lobby;
pub mod probe;
pub mod time;
