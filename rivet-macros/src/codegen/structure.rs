//! `#[actor]` on the struct: the wire name and the constant connection state.

use heck::ToLowerCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ItemStruct;

use super::private;
use crate::errors::Errors;
use crate::parse::options::{self, ConnStateDecl};

pub(super) fn expand(args: TokenStream, item: ItemStruct, errors: &mut Errors) -> TokenStream {
    let options = options::parse(args, errors);
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            "actors cannot be generic: the server needs one concrete type per actor name",
        );
        return quote!(#item);
    }
    let ident = &item.ident;
    let name = options
        .name
        .map_or_else(|| ident.to_string().to_lower_camel_case(), |n| n.value());
    let private = private();
    let (state_item, state_ty, kind, initial) = match &options.conn_state {
        Some(decl) => {
            let (state_item, state_ty, initial) = conn_state_type(&item, decl);
            (state_item, state_ty, quote!(#private::Declared), initial)
        }
        None => (
            TokenStream::new(),
            quote!(::rivet_core::NoConnState),
            quote!(#private::Undeclared),
            quote!(::rivet_core::NoConnState::default()),
        ),
    };
    quote! {
        #item

        #state_item

        #[automatically_derived]
        impl #private::ActorStruct for #ident {
            const NAME: &'static str = #name;
            type ConstConnState = #state_ty;
            type ConstConnStateKind = #kind;
            fn initial_conn_state() -> Self::ConstConnState {
                #initial
            }
        }
    }
}

/// The named type of a constant connection state, and how to get a clone of its initial value.
fn conn_state_type(
    item: &ItemStruct,
    decl: &ConnStateDecl,
) -> (TokenStream, TokenStream, TokenStream) {
    let vis = &item.vis;
    let ident = &item.ident;
    let state = format_ident!("{}ConnState", ident);
    let private = private();
    let names: Vec<_> = decl.fields.iter().map(|f| &f.name).collect();
    let types: Vec<_> = decl.fields.iter().map(|f| &f.ty).collect();
    let values: Vec<_> = decl.fields.iter().map(|f| &f.value).collect();
    let doc = format!(
        "The state of each connection to [`{ident}`], declared with `#[actor(conn_state = …)]`; \
         every new connection starts with a clone of the declared value."
    );
    let serde_crate = format!("{}::serde", private.to_string().replace(' ', ""));
    let definition = quote! {
        #[doc = #doc]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, #private::serde::Serialize, #private::serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        #vis struct #state {
            #( #[allow(missing_docs)] pub #names: #types, )*
        }
    };
    let initial = quote! {
        static TEMPLATE: #private::OnceLock<#state> = #private::OnceLock::new();
        ::core::clone::Clone::clone(TEMPLATE.get_or_init(|| #state { #( #names: #values, )* }))
    };
    (definition, quote!(#state), initial)
}
