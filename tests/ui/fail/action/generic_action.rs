use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn echo<T: Serialize>(&self, _ctx: &Ctx<Self>, value: T) -> T {
        value
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
