//! A lobby whose connections start from a declared constant state: role `guest`, and the time
//! they joined, set in `on_connect`.

use rivet_core::prelude::*;

use crate::time::now_ms;

/// A lobby; every connection starts as a guest.
#[actor(conn_state = { role: String = "guest".to_owned(), joined_at: u64 = 0 })]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Lobby {
    /// How many connections ever joined.
    pub visits: u64,
}

#[actor]
impl Lobby {
    fn on_connect(&mut self, ctx: &mut Ctx<Self>) {
        self.visits += 1;
        ctx.conn_mut().state_mut().joined_at = now_ms();
    }

    /// The caller's own state.
    #[action]
    fn me(&self, ctx: &Ctx<Self>) -> LobbyConnState {
        ctx.conn().state().clone()
    }

    /// Makes the caller a member; other connections stay guests.
    #[action]
    fn promote(&mut self, ctx: &mut Ctx<Self>) -> LobbyConnState {
        let state = ctx.conn_mut().state_mut();
        state.role = "member".to_owned();
        state.clone()
    }

    /// How many connections ever joined.
    #[action]
    fn visits(&self, _ctx: &Ctx<Self>) -> u64 {
        self.visits
    }
}
