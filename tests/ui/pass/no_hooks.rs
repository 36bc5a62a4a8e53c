//! The smallest actor: no hooks, no actions, a custom wire name.

use rivet_core::prelude::*;

#[actor(name = "emptyRoom")]
#[derive(Default, Serialize, Deserialize)]
struct Empty;

#[actor]
impl Empty {}

fn main() {
    assert_eq!(<Empty as Actor>::NAME, "emptyRoom");
    let _ = Registry::new().register::<Empty>();
}
