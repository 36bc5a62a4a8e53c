use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor(name = "chatRoom")]
impl Room {}

fn main() {
    let _ = Registry::new().register::<Room>();
}
