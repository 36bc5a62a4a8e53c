//! The action router: one shim per action that decodes its arguments, calls it and encodes the
//! result, and a `match` from wire names to shims.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::actor_impl::{call, convert_error, ctx_arg};
use super::spans::hidden;
use crate::model::signature::Returns;
use crate::model::{Action, ActorImpl};
use crate::paths::Paths;

fn shim_ident(action: &Action) -> syn::Ident {
    format_ident!("__rivet_action_{}", action.ident)
}

/// The actions the router calls: those without errors.
fn routed(model: &ActorImpl) -> impl Iterator<Item = &Action> {
    model.actions.iter().filter(|action| action.server)
}

/// `Actor::__dispatch`: wire name to shim.
pub(super) fn dispatch(model: &ActorImpl, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let private = paths.private();
    let (ctx, action, args) = (hidden("ctx"), hidden("action"), hidden("args"));
    let arms: Vec<TokenStream> = routed(model)
        .map(|routed| {
            let wire_name = &routed.wire_name;
            let shim = shim_ident(routed);
            quote! {
                #wire_name => ::core::option::Option::Some(Self::#shim(self, #ctx, #args)),
            }
        })
        .collect();
    let signature = |ctx: TokenStream, action: TokenStream, args: TokenStream| {
        quote! {
            fn __dispatch<'a>(
                &'a mut self,
                #ctx: &'a mut #krate::Ctx<Self>,
                #action: &str,
                #args: #private::Vec<#private::Value>,
            ) -> ::core::option::Option<
                #private::BoxFuture<'a, ::core::result::Result<#private::Value, #krate::Error>>,
            >
        }
    };
    if arms.is_empty() {
        let signature = signature(quote!(_), quote!(_), quote!(_));
        return quote! {
            #signature {
                ::core::option::Option::None
            }
        };
    }
    let signature = signature(quote!(#ctx), quote!(#action), quote!(#args));
    quote! {
        #signature {
            match #action {
                #( #arms )*
                _ => ::core::option::Option::None,
            }
        }
    }
}

/// The shims, in a hidden inherent impl block.
pub(super) fn shims(model: &ActorImpl, paths: &Paths) -> TokenStream {
    let shims: Vec<TokenStream> = routed(model).map(|action| shim(action, paths)).collect();
    if shims.is_empty() {
        return TokenStream::new();
    }
    let self_ty = &model.self_ty;
    quote! {
        #[automatically_derived]
        impl #self_ty {
            #( #shims )*
        }
    }
}

fn shim(action: &Action, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let private = paths.private();
    let shim = shim_ident(action);
    let method = &action.ident;
    let wire_name = &action.wire_name;
    let (ctx, args, output) = (hidden("ctx"), hidden("args"), hidden("output"));
    let count = action.args.len();
    let mutability = (count > 0).then(|| quote!(mut));
    let decode = action.args.iter().map(|arg| {
        let name = &arg.ident;
        let ty = &arg.ty;
        let label = name.to_string();
        quote!(let #name = #private::decode_arg::<#ty>(&mut #args, #wire_name, #label)?;)
    });
    let ctx_ty = action
        .ctx_ty
        .as_ref()
        .expect("a routed action has a context parameter");
    let ctx_arg = ctx_arg(&ctx, ctx_ty, false);
    let names = action.args.iter().map(|arg| &arg.ident);
    let call_args = quote!(self, #ctx_arg #(, #names)*);
    let call = call(action.is_async, method, call_args, paths);
    let convert = match &action.returns {
        Returns::Result { .. } => {
            let convert = convert_error(&action.returns, &output, paths);
            quote!(let #output = #convert?;)
        }
        Returns::Unit | Returns::Plain(_) => TokenStream::new(),
    };
    let encode = match action.returns.written_value() {
        Some(ty) => quote!(#private::encode_output::<#ty>),
        None => quote!(#private::encode_output::<()>),
    };
    let doc = format!(
        " Runs action `{wire_name}`: decodes its arguments, calls [`Self::{method}`] and \
         encodes its result."
    );
    let body = quote! {
        let #mutability #args = ::core::iter::IntoIterator::into_iter(#args);
        #( #decode )*
        #private::no_more_args(#args, #wire_name, #count)?;
        let #output = #call;
        #convert
        #encode(&#output)
    };
    // A synchronous action runs right here; the future only hands over its result, so it holds
    // neither `self` nor the context.
    let future = if action.is_async {
        quote!(#private::boxed(async move { #body }))
    } else {
        let result = hidden("result");
        quote! {
            let #result = (|| -> ::core::result::Result<#private::Value, #krate::Error> {
                #body
            })();
            #private::boxed(async move { #result })
        }
    };
    quote! {
        #[doc = #doc]
        fn #shim<'a>(
            &'a mut self,
            #ctx: &'a mut #krate::Ctx<Self>,
            #args: #private::Vec<#private::Value>,
        ) -> #private::BoxFuture<'a, ::core::result::Result<#private::Value, #krate::Error>> {
            #future
        }
    }
}
