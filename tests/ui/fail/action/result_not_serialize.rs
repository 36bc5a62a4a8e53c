use rivet_core::prelude::*;

#[derive(Deserialize)]
struct Score {
    points: u32,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Board;

#[actor]
impl Board {
    #[action]
    fn score(&self, _ctx: &Ctx<Self>) -> Result<Score, Error> {
        Ok(Score { points: 1 })
    }
}

fn main() {
    let _ = Registry::new().register::<Board>();
}
