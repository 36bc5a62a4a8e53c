use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Clone for Room {
    fn clone(&self) -> Self {
        Room
    }
}

fn main() {}
