use std::rc::Rc;

use rivet_core::prelude::*;

async fn tick() {}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Clock;

#[actor]
impl Clock {
    #[action]
    async fn now(&self, _ctx: &Ctx<Self>) -> u64 {
        let shared = Rc::new(7);
        tick().await;
        *shared
    }
}

fn main() {
    let _ = Registry::new().register::<Clock>();
}
