use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn on_disconnect(&mut self) {}
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
