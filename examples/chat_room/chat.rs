//! A chat room: every section of the connections guide in one actor.
//!
//! - params with an auth check in `on_before_connect`;
//! - connection state made by `create_conn_state`;
//! - `on_connect` and `on_disconnect` keeping the users map and broadcasting joins and leaves;
//! - direct messages by walking `ctx.conns()` and calling `conn.send`;
//! - kicking a user with `conn.disconnect(reason)`, awaited inside an action.

use std::collections::BTreeMap;

use rivet_core::prelude::*;

use rivet_examples::time::now_ms;

/// What a client connects with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChatParams {
    /// The name shown to others.
    pub user: String,
    /// Any non-empty token is accepted; an empty one is refused.
    pub token: String,
}

/// The state of one connection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    /// The user's name, from the params.
    pub user: String,
    /// When the connection was made, in milliseconds since the epoch.
    pub joined_at: u64,
}

/// One chat line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatMessage {
    /// Who wrote it.
    pub from: String,
    /// What they wrote.
    pub text: String,
}

/// A chat room, keyed by its name.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ChatRoom {
    /// Every message posted, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The users online, by connection id.
    pub users: BTreeMap<String, String>,
}

#[actor]
impl ChatRoom {
    /// Refuses an empty token, before any state exists for the connection.
    fn on_before_connect(&self, _ctx: &Ctx<Self>, params: &ChatParams) -> Result<(), Error> {
        if params.token.is_empty() {
            return Err(Error::user("forbidden", "Invalid auth token"));
        }
        Ok(())
    }

    fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &ChatParams) -> Member {
        Member {
            user: params.user.clone(),
            joined_at: now_ms(),
        }
    }

    fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
        let conn = ctx.conn();
        let user = conn.state().user.clone();
        self.users.insert(conn.id().to_string(), user.clone());
        ctx.broadcast("joined", &user)
    }

    fn on_disconnect(&mut self, ctx: &mut Ctx<Self>) {
        let conn = ctx.conn();
        if let Some(user) = self.users.remove(conn.id().as_str()) {
            // A payload that serializes cannot fail to broadcast.
            let _ = ctx.broadcast("left", &user);
        }
    }

    /// Posts a message to everyone subscribed to `message`; returns it.
    #[action]
    fn send_message(&mut self, ctx: &Ctx<Self>, text: String) -> Result<ChatMessage, Error> {
        let message = ChatMessage {
            from: ctx.conn().state().user.clone(),
            text,
        };
        self.messages.push(message.clone());
        ctx.broadcast("message", &message)?;
        Ok(message)
    }

    /// The caller's own connection state.
    #[action]
    fn me(&self, ctx: &Ctx<Self>) -> Member {
        ctx.conn().state().clone()
    }

    /// Every message so far.
    #[action]
    fn history(&self, _ctx: &Ctx<Self>) -> Vec<ChatMessage> {
        self.messages.clone()
    }

    /// The users online, sorted, one entry per connection.
    #[action]
    fn users(&self, _ctx: &Ctx<Self>) -> Vec<String> {
        let mut users: Vec<String> = self.users.values().cloned().collect();
        users.sort();
        users
    }

    /// Sends `text` to `to` alone, as event `whisper`; returns how many connections got it.
    #[action]
    fn whisper(&self, ctx: &Ctx<Self>, to: String, text: String) -> Result<usize, Error> {
        let message = ChatMessage {
            from: ctx.conn().state().user.clone(),
            text,
        };
        let mut delivered = 0;
        for conn in ctx.conns().filter(|conn| conn.state().user == to) {
            conn.send("whisper", &message)?;
            delivered += 1;
        }
        Ok(delivered)
    }

    /// Disconnects every connection of `user` with `reason`, waiting until each is closed;
    /// returns how many were.
    #[action]
    async fn kick(&mut self, ctx: &Ctx<Self>, user: String, reason: String) -> usize {
        let closing: Vec<_> = ctx
            .conns()
            .filter(|conn| conn.state().user == user)
            .map(|conn| conn.disconnect(reason.clone()))
            .collect();
        let kicked = closing.len();
        futures::future::join_all(closing).await;
        kicked
    }
}
