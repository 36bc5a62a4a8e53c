use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn say(&self, text: String) -> String {
        text
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
