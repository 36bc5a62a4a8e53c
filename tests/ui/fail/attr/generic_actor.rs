use rivet_core::prelude::*;

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Room<T> {
    items: Vec<T>,
}

#[actor]
impl<T> Room<T> {}

fn main() {}
