use rivet_core::prelude::*;

#[derive(Deserialize)]
struct JoinParams {
    token: String,
}

#[derive(Deserialize)]
struct Params {
    user: String,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn on_before_connect(&self, _ctx: &Ctx<Self>, params: &JoinParams) {
        let _ = &params.token;
    }

    fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &Params) -> String {
        params.user.clone()
    }

    #[action]
    fn me(&self, ctx: &Ctx<Self>) -> String {
        ctx.conn().state().clone()
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
