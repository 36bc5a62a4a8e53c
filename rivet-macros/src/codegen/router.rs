//! The action router: one shim per action that decodes its arguments, calls it and encodes the
//! result, and a `match` from wire names to shims.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::private;
use crate::model::signature::Returns;
use crate::model::{Action, ActorImpl};

fn shim_ident(action: &Action) -> syn::Ident {
    format_ident!("__rivet_action_{}", action.ident)
}

/// `Actor::__dispatch`: wire name to shim.
pub(super) fn dispatch(model: &ActorImpl) -> TokenStream {
    let private = private();
    let arms = model.actions.iter().map(|action| {
        let wire_name = &action.wire_name;
        let shim = shim_ident(action);
        quote!(#wire_name => ::core::option::Option::Some(Self::#shim(self, ctx, args)),)
    });
    quote! {
        fn __dispatch<'a>(
            &'a mut self,
            ctx: &'a mut ::rivet_core::Ctx<Self>,
            action: &str,
            args: #private::Vec<#private::Value>,
        ) -> ::core::option::Option<
            #private::BoxFuture<'a, ::core::result::Result<#private::Value, ::rivet_core::Error>>,
        > {
            let _ = (&ctx, &args);
            match action {
                #( #arms )*
                _ => ::core::option::Option::None,
            }
        }
    }
}

/// The shims, in a hidden inherent impl block.
pub(super) fn shims(model: &ActorImpl) -> TokenStream {
    if model.actions.is_empty() {
        return TokenStream::new();
    }
    let ident = &model.ident;
    let shims = model.actions.iter().map(shim);
    quote! {
        #[automatically_derived]
        #[doc(hidden)]
        impl #ident {
            #( #shims )*
        }
    }
}

fn shim(action: &Action) -> TokenStream {
    let private = private();
    let shim = shim_ident(action);
    let method = &action.ident;
    let wire_name = &action.wire_name;
    let count = action.args.len();
    let names: Vec<_> = action.args.iter().map(|(name, _)| name).collect();
    let decode = action.args.iter().map(|(name, ty)| {
        let label = name.to_string();
        quote!(let #name: #ty = #private::arg(&mut args, #wire_name, #label)?;)
    });
    let wait = if action.is_async {
        quote!(.await)
    } else {
        TokenStream::new()
    };
    let output = match action.returns {
        Returns::Result(_) => quote! {
            let output = ::core::result::Result::map_err(
                output,
                ::core::convert::Into::<::rivet_core::Error>::into,
            )?;
        },
        Returns::Unit | Returns::Plain(_) => TokenStream::new(),
    };
    let doc =
        format!("Decodes the arguments of action `{wire_name}`, runs it, encodes its result.");
    quote! {
        #[doc = #doc]
        fn #shim<'a>(
            &'a mut self,
            ctx: &'a mut ::rivet_core::Ctx<Self>,
            args: #private::Vec<#private::Value>,
        ) -> #private::BoxFuture<'a, ::core::result::Result<#private::Value, ::rivet_core::Error>> {
            #private::boxed(async move {
                let mut args = ::core::iter::IntoIterator::into_iter(args);
                #( #decode )*
                #private::no_more_args(args, #wire_name, #count)?;
                let output = Self::#method(self, ctx, #( #names ),*) #wait;
                #output
                #private::output(&output)
            })
        }
    }
}
