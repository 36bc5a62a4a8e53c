use rivet_core::prelude::*;

#[actor(name = "chatRoom", name = "lobby")]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {}

fn main() {
    let _ = Registry::new().register::<Room>();
}
