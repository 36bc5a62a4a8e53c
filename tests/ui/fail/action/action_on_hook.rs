use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn on_connect(&mut self, _ctx: &mut Ctx<Self>) {}
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
