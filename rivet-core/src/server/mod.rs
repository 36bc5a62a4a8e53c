//! The HTTP and WebSocket server: one axum application with the manager routes and the gateway
//! routes of the official client's protocol.

mod cors;
mod gateway;
mod http_action;
mod manager;
mod reply;
mod socket;
mod websocket;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::Limits;
use crate::runtime::Directory;

/// What every request handler shares.
pub(crate) struct ServerState {
    pub(crate) directory: Directory,
    pub(crate) limits: Limits,
    /// Turns true when the server stops: every WebSocket is then closed with 1001.
    pub(crate) shutdown: tokio::sync::watch::Sender<bool>,
    /// How many WebSocket connections are running, so that a shutdown can wait for them.
    pub(crate) sessions: tokio::sync::watch::Sender<usize>,
}

/// The whole application.
pub(crate) fn router(state: Arc<ServerState>) -> Router {
    Router::new()
        .route("/metadata", get(manager::metadata))
        .route("/health", get(manager::health))
        .route(
            "/actors",
            get(manager::list)
                .put(manager::get_or_create)
                .post(manager::create),
        )
        .route("/gateway/{target}/connect", get(websocket::connect))
        .route(
            "/gateway/{target}/action/{action}",
            post(http_action::action),
        )
        .layer(cors::layer())
        .with_state(state)
}
