use rivet_core::prelude::*;

#[derive(Deserialize)]
struct Params {
    token: String,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room {
    tokens: Vec<String>,
}

#[actor]
impl Room {
    fn on_before_connect(&mut self, _ctx: &Ctx<Self>, params: &Params) {
        self.tokens.push(params.token.clone());
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
