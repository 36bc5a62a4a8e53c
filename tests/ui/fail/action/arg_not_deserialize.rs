use rivet_core::prelude::*;

#[derive(Serialize)]
struct Move {
    x: u32,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Board;

#[actor]
impl Board {
    #[action]
    fn play(&mut self, _ctx: &Ctx<Self>, chosen: Move) -> u32 {
        chosen.x
    }
}

fn main() {
    let _ = Registry::new().register::<Board>();
}
