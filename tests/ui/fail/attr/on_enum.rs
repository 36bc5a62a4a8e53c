use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
enum Room {
    #[default]
    Open,
}

fn main() {}
