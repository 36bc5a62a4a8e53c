use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn connect(&self, _ctx: &Ctx<Self>) -> bool {
        true
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
