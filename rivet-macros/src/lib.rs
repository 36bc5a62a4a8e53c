//! The `#[actor]` attribute of rivet. Use it through `rivet_core`, which re-exports it and holds
//! its documentation: `rivet_core::actor`.
//!
//! The macro works in three steps: `parse` reads the user's tokens, `model` checks them and keeps
//! what the code generation needs, and `codegen` renders it.

mod codegen;
mod errors;
mod model;
mod parse;
mod paths;
#[cfg(test)]
mod snapshots;
mod symbols;

use proc_macro::TokenStream;

/// Turns a struct and its `impl` block into an actor; see `rivet_core::actor` for the reference.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    codegen::expand(args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as an action; only valid there.
#[proc_macro_attribute]
pub fn action(_args: TokenStream, input: TokenStream) -> TokenStream {
    let mut tokens: proc_macro2::TokenStream = input.into();
    let error = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[action]` marks methods of an `#[actor]` impl block; add `#[actor]` to the `impl` block",
    );
    tokens.extend(error.to_compile_error());
    tokens.into()
}
