// Independent mistakes of one actor are all reported in one build, macro and type errors alike,
// and code elsewhere that registers the actor and calls its client sees no follow-on error.
use rivet_core::client::{ActorHandle, ClientError};
use rivet_core::prelude::*;

struct NotData;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room {
    log: Vec<String>,
}

#[actor]
impl Room {
    fn on_disconnect(&self, _ctx: &Ctx<Self>) -> Result<(), Error> {
        Ok(())
    }

    #[action]
    fn say(&mut self, _ctx: &Ctx<Self>, text: &str) {
        self.log.push(text.to_owned());
    }

    #[action]
    fn bad(&self, _ctx: &Ctx<Self>, value: NotData) -> usize {
        let _ = value;
        0
    }

    #[action]
    fn history(&self, _ctx: &Ctx<Self>) -> Vec<String> {
        self.log.clone()
    }
}

#[allow(dead_code)]
async fn client(room: &ActorHandle<Room>) -> Result<Vec<String>, ClientError> {
    room.say("hello").await?;
    room.history().await
}

fn main() {
    let _ = Registry::new().register::<Room>();
}
