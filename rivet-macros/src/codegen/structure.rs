//! `#[actor]` on the struct: the wire name and the constant connection state.

use heck::ToLowerCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ItemStruct;

use crate::errors::Errors;
use crate::parse::options::{self, ConnStateDecl};
use crate::paths::Paths;

pub(super) fn expand(args: TokenStream, item: ItemStruct, errors: &mut Errors) -> TokenStream {
    let options = options::parse_struct(args, errors);
    let paths = options
        .krate
        .as_ref()
        .map_or_else(Paths::default, Paths::with_crate);
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            format_args!(
                "actor `{}` cannot be generic: the server needs one concrete type per actor name; remove the generic parameters",
                item.ident
            ),
        );
        return quote!(#item);
    }
    let ident = &item.ident;
    let name = options
        .name
        .map_or_else(|| ident.to_string().to_lower_camel_case(), |n| n.value());
    let private = paths.private();
    let krate = paths.krate();
    let (state_item, state_ty, kind, initial) = match &options.conn_state {
        Some(decl) => {
            let (state_item, state_ty, initial) = conn_state_type(&item, decl, &paths);
            (state_item, state_ty, quote!(#private::Declared), initial)
        }
        None => (
            TokenStream::new(),
            quote!(#krate::NoConnState),
            quote!(#private::Undeclared),
            quote!(<#krate::NoConnState as ::core::default::Default>::default()),
        ),
    };
    quote! {
        #item

        #state_item

        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #private::ActorStruct for #ident {
                const NAME: &'static str = #name;
                type ConstConnState = #state_ty;
                type ConstConnStateKind = #kind;

                fn initial_conn_state() -> Self::ConstConnState {
                    #initial
                }
            }
        };
    }
}

/// The named type of a constant connection state, and how to get a clone of its initial value.
fn conn_state_type(
    item: &ItemStruct,
    decl: &ConnStateDecl,
    paths: &Paths,
) -> (TokenStream, TokenStream, TokenStream) {
    let vis = &item.vis;
    let ident = &item.ident;
    let state = format_ident!("{}ConnState", ident, span = decl.key.span());
    let private = paths.private();
    let names: Vec<_> = decl.fields.iter().map(|f| &f.name).collect();
    let types: Vec<_> = decl.fields.iter().map(|f| &f.ty).collect();
    let values: Vec<_> = decl.fields.iter().map(|f| &f.value).collect();
    let field_docs = names
        .iter()
        .map(|name| format!(" Field `{name}` of the declared connection state."));
    let doc = [
        format!(" The state of each connection to [`{ident}`], declared with"),
        " `#[actor(conn_state = …)]`; every new connection starts with a clone of the declared"
            .to_owned(),
        " value.".to_owned(),
    ];
    let serde_crate = paths.serde_string();
    let definition = quote! {
        #( #[doc = #doc] )*
        #[derive(
            ::core::clone::Clone,
            ::core::fmt::Debug,
            #private::serde::Serialize,
            #private::serde::Deserialize,
        )]
        #[serde(crate = #serde_crate)]
        #vis struct #state {
            #(
                #[doc = #field_docs]
                pub #names: #types,
            )*
        }
    };
    let template = quote!(TEMPLATE);
    let initial = quote! {
        static #template: #private::OnceLock<#state> = #private::OnceLock::new();
        ::core::clone::Clone::clone(#template.get_or_init(|| #state { #( #names: #values, )* }))
    };
    (definition, quote!(#state), initial)
}
