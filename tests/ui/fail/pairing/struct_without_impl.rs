use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

impl Room {
    fn ping(&self) -> u8 {
        1
    }
}

fn main() {
    let _ = Room.ping();
    let _ = Registry::new().register::<Room>();
}
