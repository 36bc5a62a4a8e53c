//! Rendering: one function per generated item.

mod actor_impl;
mod client;
mod router;
mod structure;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;

use crate::errors::Errors;
use crate::model::ActorImpl;

/// The path generated code reaches the runtime through.
pub(crate) fn private() -> TokenStream {
    quote!(::rivet_core::__private)
}

/// Expands `#[actor]` on whatever item it is on. On errors, the user's item is still emitted
/// beside them, so that the rest of the crate keeps compiling.
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
        Item::Impl(mut item) => {
            if !args.is_empty() {
                errors.at(&args, "`#[actor]` on an `impl` block takes no options; put them on the struct's `#[actor(...)]`");
            }
            match ActorImpl::from_impl(&mut item, &mut errors) {
                Some(model) if errors.is_empty() => {
                    let generated = actor_impl::render(&model);
                    quote!(#item #generated)
                }
                _ => quote!(#item),
            }
        }
        other => {
            errors.at(
                item_keyword(&other),
                "`#[actor]` goes on a struct or on its inherent `impl` block",
            );
            quote!(#other)
        }
    };
    let errors = errors.to_compile_errors();
    quote!(#output #errors)
}

/// The keyword that names an item's kind, to point errors at.
fn item_keyword(item: &Item) -> TokenStream {
    match item {
        Item::Enum(item) => {
            let token = &item.enum_token;
            quote!(#token)
        }
        Item::Fn(item) => {
            let token = &item.sig.fn_token;
            quote!(#token)
        }
        Item::Trait(item) => {
            let token = &item.trait_token;
            quote!(#token)
        }
        other => quote!(#other),
    }
}
