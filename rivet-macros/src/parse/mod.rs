//! Reading the user's tokens, without judging them beyond their syntax.

pub(crate) mod method;
pub(crate) mod options;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::Item;

/// The keyword that names an item's kind, where the error about a misplaced `#[actor]` points,
/// and that kind in words.
pub(crate) fn item_keyword(item: &Item) -> (TokenStream, &'static str) {
    match item {
        Item::Enum(item) => (item.enum_token.to_token_stream(), "an enum"),
        Item::Union(item) => (item.union_token.to_token_stream(), "a union"),
        Item::Fn(item) => (item.sig.fn_token.to_token_stream(), "a function"),
        Item::Trait(item) => (item.trait_token.to_token_stream(), "a trait"),
        Item::Mod(item) => (item.mod_token.to_token_stream(), "a module"),
        Item::Type(item) => (item.type_token.to_token_stream(), "a type alias"),
        Item::Const(item) => (item.const_token.to_token_stream(), "a constant"),
        Item::Static(item) => (item.static_token.to_token_stream(), "a static"),
        Item::Use(item) => (item.use_token.to_token_stream(), "an import"),
        other => (other.to_token_stream(), "this item"),
    }
}
