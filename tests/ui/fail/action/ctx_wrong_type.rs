use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn say(&self, ctx: &Conn<Self>, text: String) -> String {
        let _ = ctx;
        text
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
