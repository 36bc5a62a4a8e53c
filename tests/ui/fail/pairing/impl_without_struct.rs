use rivet_core::prelude::*;

#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn ping(&self, _ctx: &Ctx<Self>) -> u8 {
        1
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
