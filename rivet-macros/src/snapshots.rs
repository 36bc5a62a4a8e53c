//! Expansion snapshots: representative actors expanded and pretty-printed, compared with the
//! files in `tests/snapshots/`, so that a change in the generated code shows in review.
//!
//! After an intended change, rewrite them with `RIVET_BLESS=1 cargo test -p rivet-macros`.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::expand;

/// The expansion of `#[actor(struct_args)]` on `structure` and `#[actor(impl_args)]` on
/// `block`, as a pretty-printed file.
fn expand_actor(
    struct_args: TokenStream,
    structure: TokenStream,
    impl_args: TokenStream,
    block: TokenStream,
) -> String {
    let mut tokens = expand(struct_args, structure);
    tokens.extend(expand(impl_args, block));
    let file: syn::File = match syn::parse2(tokens.clone()) {
        Ok(file) => file,
        Err(error) => panic!("the expansion is not a valid file: {error}\n{tokens}"),
    };
    prettyplease::unparse(&file)
}

/// Compares `actual` with `tests/snapshots/<name>.rs`, or rewrites it under `RIVET_BLESS`.
fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.rs"));
    let actual = format!(
        "// The expansion of `#[actor]` on the actor of `snapshots::{name}` in `src/snapshots.rs`.\n\
         // Rewritten by `RIVET_BLESS=1 cargo test -p rivet-macros`; review every change.\n\n{actual}"
    );
    if std::env::var_os("RIVET_BLESS").is_some() {
        std::fs::write(&path, &actual).expect("the snapshot can be written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "the expansion of `{name}` changed (first difference at line {}); review it and \
             rewrite {} with `RIVET_BLESS=1 cargo test -p rivet-macros`\n\n{actual}",
            first + 1,
            path.display()
        );
    }
}

/// Every hook, typed params and state from `create_conn_state`, plain and fallible sync
/// actions with doc comments.
#[test]
fn chat_room() {
    let actual = expand_actor(
        quote!(),
        quote! {
            #[derive(Default, Serialize, Deserialize)]
            pub struct ChatRoom {
                messages: Vec<ChatMessage>,
            }
        },
        quote!(),
        quote! {
            impl ChatRoom {
                fn on_before_connect(&self, _ctx: &Ctx<Self>, params: &ChatParams) -> Result<(), Error> {
                    check(params)
                }

                fn create_conn_state(&self, _ctx: &Ctx<Self>, params: &ChatParams) -> Member {
                    Member::from(params)
                }

                async fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
                    ctx.broadcast("joined", &ctx.conn().state().user)
                }

                fn on_disconnect(&mut self, _ctx: &mut Ctx<Self>) {}

                /// Posts a message to everyone; returns it.
                #[action]
                fn send_message(&mut self, ctx: &Ctx<Self>, text: String) -> Result<ChatMessage, Error> {
                    post(self, ctx, text)
                }

                /// Every message so far.
                #[action]
                fn history(&self, _ctx: &Ctx<Self>) -> Vec<ChatMessage> {
                    self.messages.clone()
                }

                fn helper(&self) {}
            }
        },
    );
    check("chat_room", &actual);
}

/// No hooks, a constant connection state, an explicit wire name, an `async fn` action, an
/// action returning `()`, and a `Result` alias.
#[test]
fn counter() {
    let actual = expand_actor(
        quote!(name = "tally", conn_state = { seen: u32 = 0 }),
        quote! {
            #[derive(Default, Serialize, Deserialize)]
            struct Counter {
                count: i64,
            }
        },
        quote!(),
        quote! {
            impl Counter {
                #[action(name = "add")]
                async fn increment(&mut self, ctx: &mut Ctx<Self>, by: i64) -> i64 {
                    ctx.conn_mut().state_mut().seen += 1;
                    self.count += by;
                    self.count
                }

                #[action]
                fn reset(&mut self, _ctx: &Ctx<Self>) {
                    self.count = 0;
                }

                #[action]
                fn checked_get(&self, _ctx: &Ctx<Self>, at_least: i64) -> anyhow::Result<i64> {
                    ensure(self.count, at_least)
                }
            }
        },
    );
    check("counter", &actual);
}

/// `#[actor(crate = …)]` on both: no path of the expansion names `rivet_core`.
#[test]
fn renamed_crate() {
    let actual = expand_actor(
        quote!(crate = ::rivet),
        quote! {
            #[derive(Default, Serialize, Deserialize)]
            struct Echo;
        },
        quote!(crate = ::rivet),
        quote! {
            impl Echo {
                fn create_conn_state(&self, _ctx: &Ctx<Self>, params: Params) -> Params {
                    params
                }

                #[action]
                fn echo(&self, _ctx: &Ctx<Self>, value: Value) -> Value {
                    value
                }
            }
        },
    );
    // Doc comments may mention the crate; code may not.
    let code: String = actual
        .lines()
        .filter(|line| !line.trim_start().starts_with("///") && !line.contains("doc ="))
        .collect();
    assert!(
        !code.contains("rivet_core"),
        "the expansion names `rivet_core` despite `crate = ::rivet`:\n{actual}"
    );
    check("renamed_crate", &actual);
}

/// An actor with errors: the errors, the good action routed, the bad one left out of the router
/// and stubbed in the client, the bad hook's shim unreachable.
#[test]
fn with_errors() {
    let actual = expand_actor(
        quote!(),
        quote! {
            #[derive(Default, Serialize, Deserialize)]
            struct Broken;
        },
        quote!(),
        quote! {
            impl Broken {
                fn on_connect(&self, ctx: &Ctx<Self>, conn: &Conn<Self>) {}

                #[action]
                fn good(&self, _ctx: &Ctx<Self>, n: u32) -> u32 {
                    n
                }

                #[action]
                fn bad(&self, _ctx: &Ctx<Self>, (a, b): (u32, u32), name: &str) -> u32 {
                    a + b
                }
            }
        },
    );
    check("with_errors", &actual);
}
