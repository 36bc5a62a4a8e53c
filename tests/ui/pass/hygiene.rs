//! Generated code names nothing through the user's scope: it compiles without the prelude, beside
//! local items named like the types it uses, and through `#[actor(crate = …)]` when the runtime
//! is reached under another path.

#![no_implicit_prelude]

extern crate rivet_core;
extern crate serde;
extern crate std;

/// A facade that re-exports the runtime, as a crate that wraps rivet would.
mod framework {
    pub use ::rivet_core::*;
}

// Local items named like what the generated code uses.
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
struct Box;
#[allow(dead_code)]
struct String;
#[allow(dead_code)]
struct Value;
#[allow(dead_code)]
struct Error;
#[allow(dead_code)]
struct Actor;
#[allow(dead_code)]
mod serde_json {}

#[derive(::serde::Deserialize)]
struct Params {
    name: ::std::string::String,
}

#[::rivet_core::actor(conn_state = { visits: u32 = 0 })]
#[derive(::std::default::Default, ::serde::Serialize, ::serde::Deserialize)]
struct Plain {
    count: i64,
}

#[::rivet_core::actor]
impl Plain {
    fn on_connect(&mut self, ctx: &mut ::rivet_core::Ctx<Self>) {
        ctx.conn_mut().state_mut().visits += 1;
    }

    #[action]
    async fn add(
        &mut self,
        _ctx: &::rivet_core::Ctx<Self>,
        by: i64,
        label: ::std::option::Option<::std::string::String>,
    ) -> ::std::result::Result<i64, ::rivet_core::Error> {
        let _ = label;
        self.count += by;
        ::std::result::Result::Ok(self.count)
    }
}

#[framework::actor(crate = crate::framework)]
#[derive(::std::default::Default, ::serde::Serialize, ::serde::Deserialize)]
struct ThroughFacade;

#[framework::actor(crate = crate::framework)]
impl ThroughFacade {
    fn create_conn_state(
        &self,
        _ctx: &framework::Ctx<Self>,
        params: &Params,
    ) -> ::std::string::String {
        ::std::clone::Clone::clone(&params.name)
    }

    #[action]
    fn name(&self, ctx: &framework::Ctx<Self>) -> ::std::string::String {
        ::std::clone::Clone::clone(ctx.conn().state())
    }
}

fn main() {
    let _ = framework::Registry::new()
        .register::<Plain>()
        .register::<ThroughFacade>();
}
