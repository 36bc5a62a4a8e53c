use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn say(&self, _ctx: &Ctx<Self>, text: &str) -> usize {
        text.len()
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
