use rivet_core::prelude::*;

struct Refused;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Door;

#[actor]
impl Door {
    #[action]
    fn open(&mut self, _ctx: &Ctx<Self>) -> Result<bool, Refused> {
        Err(Refused)
    }
}

fn main() {
    let _ = Registry::new().register::<Door>();
}
