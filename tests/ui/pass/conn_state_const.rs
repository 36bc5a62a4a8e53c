//! Connection state declared as a constant on the struct: the macro generates the named type.

use rivet_core::prelude::*;

#[actor(conn_state = { role: String = "guest".to_owned(), joined_at: u64 = 0 })]
#[derive(Default, Serialize, Deserialize)]
pub struct Lobby;

#[actor]
impl Lobby {
    fn on_connect(&mut self, ctx: &mut Ctx<Self>) {
        ctx.conn_mut().state_mut().joined_at = 1;
    }

    #[action]
    fn whoami(&self, ctx: &Ctx<Self>) -> LobbyConnState {
        ctx.conn().state().clone()
    }
}

fn main() {
    let state = LobbyConnState {
        role: "admin".to_owned(),
        joined_at: 2,
    };
    let _ = format!("{state:?}");
    let _ = Registry::new().register::<Lobby>();
}
