// `impl Trait` and `_` argument types; both reported in one build.
use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    #[action]
    fn say(&self, _ctx: &Ctx<Self>, text: impl Into<String>) -> String {
        text.into()
    }

    #[action]
    fn count(&self, _ctx: &Ctx<Self>, items: Vec<_>) -> usize {
        items.len()
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
