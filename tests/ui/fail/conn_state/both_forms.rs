use rivet_core::prelude::*;

#[actor(conn_state = { role: String = "guest".to_owned() })]
#[derive(Default, Serialize, Deserialize)]
struct Room;

#[actor]
impl Room {
    fn create_conn_state(&self, _ctx: &Ctx<Self>) -> String {
        "member".to_owned()
    }
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
