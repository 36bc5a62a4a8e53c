//! The `Actor` impl: types, hook shims and the router, plus the typed client.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{client, private, router};
use crate::model::signature::Returns;
use crate::model::{ActorImpl, Hook};

/// Everything generated beside the user's impl block.
pub(super) fn render(model: &ActorImpl) -> TokenStream {
    let ident = &model.ident;
    let private = private();
    let params_ty = match &model.params_ty {
        Some(ty) => quote!(#ty),
        None => quote!(#private::JsonValue),
    };
    let (state_ty, kind, state_check) = match &model.create_conn_state {
        Some(hook) => {
            let ty = hook.returns.value_type();
            // Pointed at the hook, so the message lands where the second declaration is.
            let check = quote_spanned! {hook.ident.span()=>
                const _: () = {
                    let _ = #private::assert_single_conn_state::<
                        <#ident as #private::ActorStruct>::ConstConnStateKind,
                    >;
                };
            };
            (quote!(#ty), quote!(#private::Declared), check)
        }
        None => (
            quote!(<Self as #private::ActorStruct>::ConstConnState),
            quote!(<Self as #private::ActorStruct>::ConstConnStateKind),
            TokenStream::new(),
        ),
    };
    let before = before_connect(model.on_before_connect.as_ref());
    let create = create_conn_state(model.create_conn_state.as_ref());
    let connect = on_connect(model.on_connect.as_ref());
    let disconnect = on_disconnect(model.on_disconnect.as_ref());
    let dispatch = router::dispatch(model);
    let shims = router::shims(model);
    let client = client::render(model);

    quote! {
        #[automatically_derived]
        impl ::rivet_core::Actor for #ident {
            const NAME: &'static str = <Self as #private::ActorStruct>::NAME;
            type ConnParams = #params_ty;
            type ConnState = #state_ty;
            type ConnStateKind = #kind;

            fn __new() -> Self {
                <Self as ::core::default::Default>::default()
            }

            #before
            #create
            #connect
            #disconnect
            #dispatch
        }

        #state_check

        #shims

        #client
    }
}

/// `.await` for an `async fn`, nothing for a plain one.
fn await_if(is_async: bool) -> TokenStream {
    if is_async {
        quote!(.await)
    } else {
        TokenStream::new()
    }
}

/// Turns what a hook returned into `Result<T, Error>`.
fn into_result(returns: &Returns, value: TokenStream) -> TokenStream {
    match returns {
        Returns::Result(_) => quote! {
            ::core::result::Result::map_err(#value, ::core::convert::Into::<::rivet_core::Error>::into)
        },
        Returns::Unit | Returns::Plain(_) => quote!(::core::result::Result::Ok(#value)),
    }
}

fn before_connect(hook: Option<&Hook>) -> TokenStream {
    let private = private();
    let body = match hook {
        None => quote!(::core::result::Result::Ok(())),
        Some(hook) => {
            let ident = &hook.ident;
            let wait = await_if(hook.is_async);
            let args = match &hook.params {
                Some(param) if param.by_ref => quote!(ctx, params),
                Some(_) => quote!(ctx, #private::reparse_params(params)?),
                None => quote!(ctx),
            };
            into_result(&hook.returns, quote!(Self::#ident(self, #args) #wait))
        }
    };
    quote! {
        fn __on_before_connect<'a>(
            &'a self,
            ctx: &'a ::rivet_core::Ctx<Self>,
            params: &'a <Self as ::rivet_core::Actor>::ConnParams,
        ) -> #private::BoxFuture<'a, ::core::result::Result<(), ::rivet_core::Error>> {
            let _ = (&ctx, &params);
            #private::boxed(async move { #body })
        }
    }
}

fn create_conn_state(hook: Option<&Hook>) -> TokenStream {
    let private = private();
    let body = match hook {
        None => quote! {
            ::core::result::Result::Ok(<Self as #private::ActorStruct>::initial_conn_state())
        },
        Some(hook) => {
            let ident = &hook.ident;
            let wait = await_if(hook.is_async);
            let args = match &hook.params {
                Some(param) if param.by_ref => quote!(ctx, params),
                Some(param) => {
                    let ty = &param.ty;
                    quote!(ctx, #private::reparse_params::<#ty>(raw_params)?)
                }
                None => quote!(ctx),
            };
            into_result(&hook.returns, quote!(Self::#ident(self, #args) #wait))
        }
    };
    quote! {
        fn __create_conn_state<'a>(
            &'a self,
            ctx: &'a ::rivet_core::Ctx<Self>,
            params: &'a <Self as ::rivet_core::Actor>::ConnParams,
            raw_params: &'a #private::JsonValue,
        ) -> #private::BoxFuture<
            'a,
            ::core::result::Result<<Self as ::rivet_core::Actor>::ConnState, ::rivet_core::Error>,
        > {
            let _ = (&ctx, &params, &raw_params);
            #private::boxed(async move { #body })
        }
    }
}

fn on_connect(hook: Option<&Hook>) -> TokenStream {
    let private = private();
    let body = match hook {
        None => quote!(::core::result::Result::Ok(())),
        Some(hook) => {
            let ident = &hook.ident;
            let wait = await_if(hook.is_async);
            into_result(&hook.returns, quote!(Self::#ident(self, ctx) #wait))
        }
    };
    quote! {
        fn __on_connect<'a>(
            &'a mut self,
            ctx: &'a mut ::rivet_core::Ctx<Self>,
        ) -> #private::BoxFuture<'a, ::core::result::Result<(), ::rivet_core::Error>> {
            let _ = &ctx;
            #private::boxed(async move { #body })
        }
    }
}

fn on_disconnect(hook: Option<&Hook>) -> TokenStream {
    let private = private();
    let body = match hook {
        None => TokenStream::new(),
        Some(hook) => {
            let ident = &hook.ident;
            let wait = await_if(hook.is_async);
            let span = hook.ident.span();
            quote_spanned!(span=> Self::#ident(self, ctx) #wait;)
        }
    };
    quote! {
        fn __on_disconnect<'a>(
            &'a mut self,
            ctx: &'a mut ::rivet_core::Ctx<Self>,
        ) -> #private::BoxFuture<'a, ()> {
            let _ = &ctx;
            #private::boxed(async move { #body })
        }
    }
}
