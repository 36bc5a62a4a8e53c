use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn on_disconnect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
        ctx.broadcast("left", &ctx.conn().id().to_string())
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
