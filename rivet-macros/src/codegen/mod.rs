//! Rendering: one function per generated item.
//!
//! The public items (the typed client, the constant connection state's type) are emitted beside
//! the user's item; everything else (the `Actor` impl, the action shims, the checks) goes into
//! one anonymous `const _: () = { … };` block.

mod actor_impl;
mod client;
mod router;
mod spans;
mod structure;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Item, ItemImpl};

use crate::errors::Errors;
use crate::model::ActorImpl;
use crate::parse::{item_keyword, options};
use crate::paths::Paths;

/// Expands `#[actor]` on whatever item it is on. On errors, the user's item is still emitted
/// beside them, with as much generated code as can be checked, so that the rest of the crate
/// keeps compiling and reports no follow-on errors.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => item,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#input #error);
        }
    };
    let output = match item {
        Item::Struct(item) => structure::expand(args, item, &mut errors),
        Item::Impl(item) => expand_impl(args, item, &mut errors),
        other => {
            let (keyword, kind) = item_keyword(&other);
            errors.at(
                keyword,
                format_args!(
                    "`#[actor]` goes on a struct and on its inherent `impl` block, not on {kind}"
                ),
            );
            quote!(#other)
        }
    };
    let errors = errors.into_compile_errors();
    quote!(#output #errors)
}

fn expand_impl(args: TokenStream, mut item: ItemImpl, errors: &mut Errors) -> TokenStream {
    let options = options::parse_impl(args, errors);
    let paths = options
        .krate
        .as_ref()
        .map_or_else(Paths::default, Paths::with_crate);
    let Some(model) = ActorImpl::from_impl(&mut item, errors) else {
        return quote!(#item);
    };
    let client = client::render(&model, &paths);
    let actor = actor_impl::render(&model, &paths);
    let shims = router::shims(&model, &paths);
    quote! {
        #item

        #client

        #[doc(hidden)]
        const _: () = {
            #actor

            #shims
        };
    }
}
