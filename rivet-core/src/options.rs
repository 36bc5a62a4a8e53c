//! Per-actor timeouts and server-wide limits, with RivetKit's defaults.

use std::time::Duration;

/// Deadlines of one actor type's hooks and actions.
///
/// ```
/// use std::time::Duration;
/// use rivet_core::ActorOptions;
///
/// let options = ActorOptions { action_timeout: Duration::from_millis(500), ..Default::default() };
/// assert_eq!(options.on_connect_timeout, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorOptions {
    /// Deadline of `on_before_connect` (default 5 s).
    pub on_before_connect_timeout: Duration,
    /// Deadline of `create_conn_state` (default 5 s).
    pub create_conn_state_timeout: Duration,
    /// Deadline of `on_connect` (default 5 s).
    pub on_connect_timeout: Duration,
    /// Deadline of an action (default 60 s); a synchronous action is never cut short.
    pub action_timeout: Duration,
}

impl Default for ActorOptions {
    fn default() -> Self {
        Self {
            on_before_connect_timeout: Duration::from_secs(5),
            create_conn_state_timeout: Duration::from_secs(5),
            on_connect_timeout: Duration::from_secs(5),
            action_timeout: Duration::from_secs(60),
        }
    }
}

/// Limits that protect the server from one client, set server-wide with
/// `Registry::limits`. The message sizes apply alike to WebSocket messages and HTTP bodies.
///
/// ```
/// let limits = rivet_core::Limits::default();
/// assert_eq!(limits.max_incoming_message_size, 64 * 1024);
/// assert_eq!(limits.max_outgoing_message_size, 1024 * 1024);
/// assert_eq!(limits.outgoing_queue_capacity, 4096);
/// assert_eq!(limits.max_pending_messages, 256);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest message or HTTP body a client may send, in bytes (default 64 KiB).
    pub max_incoming_message_size: usize,
    /// Largest message the server sends, in bytes (default 1 MiB).
    pub max_outgoing_message_size: usize,
    /// Messages queued for one connection before it counts as not reading and is closed
    /// (default 4096). An action that sends more events than this in one go to a connection
    /// closes it, even when its client reads.
    pub outgoing_queue_capacity: usize,
    /// How long a close waits for the client's half of the handshake (default 3 s); a client
    /// that never answers is then dropped.
    pub close_timeout: Duration,
    /// Messages of one WebSocket connection (action calls and subscriptions) that may wait for
    /// its actor at once, the one running included (default 256). A call beyond it is answered
    /// at once with `connection.too_many_pending_messages` and does not run; a subscription
    /// beyond it closes the connection with 1011 and that code. This bounds the memory one
    /// client can make the actor's mailbox hold (at most this many incoming messages).
    pub max_pending_messages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_incoming_message_size: 64 * 1024,
            max_outgoing_message_size: 1024 * 1024,
            outgoing_queue_capacity: 4096,
            close_timeout: Duration::from_secs(3),
            max_pending_messages: 256,
        }
    }
}
