//! Putting generated tokens on the user's tokens, so that rustc reports problems there.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;

/// The spans of the first and the last token of `site`.
pub(super) fn ends(site: &dyn ToTokens) -> (Span, Span) {
    let mut tokens = site.to_token_stream().into_iter();
    let first = tokens
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    let last = tokens.last().map_or(first, |token| token.span());
    (first, last)
}

/// `tokens`, moved onto `site`: the first token where `site` starts and the others where it
/// ends, so that an expression made of `tokens` covers all of `site` in rustc's messages. Each
/// token keeps its hygiene.
pub(super) fn cover(tokens: TokenStream, site: &dyn ToTokens) -> TokenStream {
    let (first, last) = ends(site);
    tokens
        .into_iter()
        .enumerate()
        .map(|(index, mut token)| {
            let at = if index == 0 { first } else { last };
            token.set_span(token.span().located_at(at));
            token
        })
        .collect()
}

/// `tokens` with every `Self` replaced by `ident`, for types copied out of the impl block.
pub(super) fn replace_self(tokens: TokenStream, ident: &syn::Ident) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(found) if found == "Self" => {
                let mut replacement = ident.clone();
                replacement.set_span(found.span());
                TokenTree::Ident(replacement)
            }
            TokenTree::Group(group) => {
                let mut replaced =
                    proc_macro2::Group::new(group.delimiter(), replace_self(group.stream(), ident));
                replaced.set_span(group.span());
                TokenTree::Group(replaced)
            }
            other => other,
        })
        .collect()
}

/// An identifier the user's code cannot see or clash with.
pub(super) fn hidden(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}
