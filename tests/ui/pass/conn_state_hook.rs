//! Connection state from `create_conn_state`: params by reference or by value, sync or `async`,
//! plain or fallible; every hook, in both receivers it accepts.

use rivet_core::prelude::*;

#[derive(Deserialize)]
struct Params {
    user: String,
}

#[derive(Clone)]
struct Member {
    user: String,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct ByRef {
    online: Vec<String>,
}

#[actor]
impl ByRef {
    fn on_before_connect(&self, _ctx: &Ctx<Self>, params: &Params) -> Result<(), Error> {
        if params.user.is_empty() {
            return Err(Error::user("forbidden", "a user name is required"));
        }
        Ok(())
    }

    fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &Params) -> Member {
        Member {
            user: params.user.clone(),
        }
    }

    async fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
        let user = ctx.conn().state().user.clone();
        ctx.conn_mut().state_mut().user = user.to_uppercase();
        self.online.push(user);
        Ok(())
    }

    fn on_disconnect(&mut self, ctx: &mut Ctx<Self>) {
        let user = ctx.conn().state().user.to_lowercase();
        self.online.retain(|online| *online != user);
    }

    #[action]
    fn me(&self, ctx: &Ctx<Self>) -> String {
        ctx.conn().state().user.clone()
    }
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct ByValue;

#[actor]
impl ByValue {
    async fn on_before_connect(&self, _ctx: &Ctx<Self>) {}

    async fn create_conn_state(&self, _ctx: &Ctx<Self>, params: Params) -> Result<Member, Error> {
        Ok(Member { user: params.user })
    }

    fn on_connect(&self, _ctx: &Ctx<Self>) {}

    async fn on_disconnect(&self, _ctx: &Ctx<Self>) {}
}

fn main() {
    let _ = Registry::new().register::<ByRef>().register::<ByValue>();
}
