use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room {
    topic: String,
}

#[actor]
impl Room {
    #[action]
    fn topic(&self, _ctx: &Ctx<Self>) -> &str {
        &self.topic
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
