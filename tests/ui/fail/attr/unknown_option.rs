use rivet_core::prelude::*;

#[actor(nmae = "chatRoom")]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {}

fn main() {
    let _ = Registry::new().register::<Room>();
}
