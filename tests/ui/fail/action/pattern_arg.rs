use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Board;

#[actor]
impl Board {
    #[action]
    fn place(&mut self, _ctx: &Ctx<Self>, (x, y): (u32, u32)) -> u32 {
        x + y
    }
}

fn main() {
    let _ = Registry::new().register::<Board>();
}
