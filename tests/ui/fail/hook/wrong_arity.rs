use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn on_connect(&mut self, _ctx: &mut Ctx<Self>, conn: &Conn<Self>) {
        let _ = conn;
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
