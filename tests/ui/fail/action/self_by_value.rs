use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn close(self, _ctx: &Ctx<Self>) {}
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
