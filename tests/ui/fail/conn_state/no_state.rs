use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn me(&self, ctx: &Ctx<Self>) -> String {
        format!("{:?}", ctx.conn().state())
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
