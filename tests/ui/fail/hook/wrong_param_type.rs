use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn on_connect(&mut self, ctx: &mut Conn<Self>) {
        let _ = ctx;
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
