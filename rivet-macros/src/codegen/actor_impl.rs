//! The `Actor` impl: the associated types, one shim per hook and the router's `match`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::router;
use super::spans::{cover, hidden};
use crate::model::signature::Returns;
use crate::model::{ActorImpl, Hook};
use crate::paths::Paths;

/// `impl Actor for ChatRoom`.
pub(super) fn render(model: &ActorImpl, paths: &Paths) -> TokenStream {
    let self_ty = &model.self_ty;
    let krate = paths.krate();
    let private = paths.private();
    let params_ty = match &model.params_ty {
        Some(ty) => quote!(#ty),
        None => quote!(#private::JsonValue),
    };
    let name = from_struct(model, paths, "NAME");
    let state = model
        .create_conn_state
        .as_ref()
        .and_then(|hook| hook.returns.written_value().map(|ty| (hook, ty)));
    let (state_ty, kind) = match state {
        Some((_, ty)) => (quote!(#ty), quote!(#private::Declared)),
        None => (
            from_struct(model, paths, "ConstConnState"),
            from_struct(model, paths, "ConstConnStateKind"),
        ),
    };
    let new = quote_spanned! {super::spans::ends(self_ty).0=>
        #private::initial_state()
    };
    let hooks = [
        before_connect(model.on_before_connect.as_ref(), paths),
        create_conn_state(model, paths),
        on_connect(model.on_connect.as_ref(), paths),
        on_disconnect(model.on_disconnect.as_ref(), paths),
    ];
    let dispatch = router::dispatch(model, paths);

    quote! {
        #[automatically_derived]
        impl #krate::Actor for #self_ty {
            const NAME: &'static str = #name;
            type ConnParams = #params_ty;
            type ConnState = #state_ty;
            type ConnStateKind = #kind;

            fn __new() -> Self {
                #new
            }

            #( #hooks )*

            #dispatch
        }
    }
}

/// `<Self as ActorStruct>`, what `#[actor]` on the struct declares. Every use is put on the impl
/// block's type, so that a struct without `#[actor]` is reported there, once.
fn from_struct(model: &ActorImpl, paths: &Paths, item: &str) -> TokenStream {
    let private = paths.private();
    let span = super::spans::ends(&model.self_ty).0;
    let item = syn::Ident::new(item, span);
    quote_spanned!(span=> <Self as #private::ActorStruct>::#item)
}

/// `ctx` as the hook or action takes it, written over the user's context type so that rustc
/// reports a wrong type there: `&*ctx` for `&Ctx<Self>`, `&mut *ctx` for `&mut Ctx<Self>`.
pub(super) fn ctx_arg(ctx: &syn::Ident, ctx_ty: &syn::Type, shared: bool) -> TokenStream {
    let reborrow = if shared {
        quote!(&*#ctx)
    } else {
        quote!(&mut *#ctx)
    };
    cover(reborrow, ctx_ty)
}

/// How a hook or action is called: directly, or for an `async fn` through the check that its
/// future is `Send` (reported on the method's name) and `.await`.
pub(super) fn call(
    is_async: bool,
    method: &syn::Ident,
    args: TokenStream,
    paths: &Paths,
) -> TokenStream {
    let private = paths.private();
    let call = quote_spanned!(method.span()=> Self::#method(#args));
    if is_async {
        let check = quote_spanned!(method.span()=> #private::send_future);
        quote!(#check(#call).await)
    } else {
        call
    }
}

/// What a hook's shim returns, from what the hook returned in `result`: `Result<T, Error>`.
fn finish(returns: &Returns, result: &syn::Ident, paths: &Paths) -> TokenStream {
    match returns {
        Returns::Result { .. } => convert_error(returns, result, paths),
        Returns::Unit | Returns::Plain(_) => quote!(::core::result::Result::Ok(#result)),
    }
}

/// `Result<T, E>` in `result` turned into `Result<T, Error>`, with a problem with `E` reported
/// on `E`, or on the whole return type when it is an alias that does not show `E`.
pub(super) fn convert_error(returns: &Returns, result: &syn::Ident, paths: &Paths) -> TokenStream {
    let private = paths.private();
    match returns {
        Returns::Result { err: Some(err), .. } => {
            quote!(#private::convert_error::<_, #err>(#result))
        }
        Returns::Result { whole, .. } => cover(quote!(#private::convert_error(#result)), whole),
        Returns::Unit | Returns::Plain(_) => quote!(::core::result::Result::Ok(#result)),
    }
}

/// The body of a hook that has errors, which cannot run.
fn unreachable(hook: &Hook) -> TokenStream {
    let message = format!("`{}` has compile errors", hook.kind.name());
    quote!(::core::unreachable!(#message))
}

fn before_connect(hook: Option<&Hook>, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let private = paths.private();
    let signature = |ctx: TokenStream, params: TokenStream| {
        quote! {
            fn __on_before_connect<'a>(
                &'a self,
                #ctx: &'a #krate::Ctx<Self>,
                #params: &'a <Self as #krate::Actor>::ConnParams,
            ) -> #private::BoxFuture<'a, ::core::result::Result<(), #krate::Error>>
        }
    };
    match hook {
        None => {
            let signature = signature(quote!(_), quote!(_));
            quote! {
                #signature {
                    #private::boxed(::core::future::ready(::core::result::Result::Ok(())))
                }
            }
        }
        Some(hook) if !hook.valid => {
            let signature = signature(quote!(_), quote!(_));
            let body = unreachable(hook);
            quote!(#signature { #body })
        }
        Some(hook) => {
            let (ctx, params, result) = (hidden("ctx"), hidden("params"), hidden("result"));
            let mut args = vec![quote!(self), ctx_arg(&ctx, hook_ctx(hook), true)];
            // A valid `on_before_connect` takes its params by reference, if at all.
            if hook.params.is_some() {
                args.push(quote!(#params));
            }
            let call = call(hook.is_async, &hook.ident, quote!(#(#args),*), paths);
            let finish = finish(&hook.returns, &result, paths);
            let signature = signature(quote!(#ctx), quote!(#params));
            quote! {
                #signature {
                    #private::boxed(async move {
                        let #result = #call;
                        #finish
                    })
                }
            }
        }
    }
}

fn create_conn_state(model: &ActorImpl, paths: &Paths) -> TokenStream {
    let hook = model.create_conn_state.as_ref();
    let initial = from_struct(model, paths, "initial_conn_state");
    let kind = from_struct(model, paths, "ConstConnStateKind");
    let krate = paths.krate();
    let private = paths.private();
    let signature = |ctx: TokenStream, params: TokenStream, raw: TokenStream| {
        quote! {
            fn __create_conn_state<'a>(
                &'a self,
                #ctx: &'a #krate::Ctx<Self>,
                #params: &'a <Self as #krate::Actor>::ConnParams,
                #raw: &'a #private::JsonValue,
            ) -> #private::BoxFuture<
                'a,
                ::core::result::Result<<Self as #krate::Actor>::ConnState, #krate::Error>,
            >
        }
    };
    match hook {
        None => {
            let signature = signature(quote!(_), quote!(_), quote!(_));
            quote! {
                #signature {
                    #private::boxed(::core::future::ready(::core::result::Result::Ok(
                        #initial(),
                    )))
                }
            }
        }
        Some(hook) if !hook.valid => {
            let signature = signature(quote!(_), quote!(_), quote!(_));
            let body = unreachable(hook);
            quote!(#signature { #body })
        }
        Some(hook) => {
            let (ctx, params, raw, result) = (
                hidden("ctx"),
                hidden("params"),
                hidden("raw_params"),
                hidden("result"),
            );
            let mut args = vec![quote!(self), ctx_arg(&ctx, hook_ctx(hook), true)];
            let (params_name, raw_name) = match &hook.params {
                Some(param) if param.by_ref => {
                    args.push(quote!(#params));
                    (quote!(#params), quote!(_))
                }
                Some(param) => {
                    let ty = &param.ty;
                    args.push(quote!(#private::reparse_params::<#ty>(#raw)?));
                    (quote!(_), quote!(#raw))
                }
                None => (quote!(_), quote!(_)),
            };
            let call = call(hook.is_async, &hook.ident, quote!(#(#args),*), paths);
            let finish = finish(&hook.returns, &result, paths);
            // Both forms of connection state at once are reported on this hook.
            let check = quote_spanned!(hook.ident.span()=> #private::assert_single_conn_state);
            let single = quote!(#check::<#kind>);
            let signature = signature(quote!(#ctx), params_name, raw_name);
            quote! {
                #signature {
                    let _ = #single;
                    #private::boxed(async move {
                        let #result = #call;
                        #finish
                    })
                }
            }
        }
    }
}

fn on_connect(hook: Option<&Hook>, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let private = paths.private();
    let signature = |ctx: TokenStream| {
        quote! {
            fn __on_connect<'a>(
                &'a mut self,
                #ctx: &'a mut #krate::Ctx<Self>,
            ) -> #private::BoxFuture<'a, ::core::result::Result<(), #krate::Error>>
        }
    };
    match hook {
        None => {
            let signature = signature(quote!(_));
            quote! {
                #signature {
                    #private::boxed(::core::future::ready(::core::result::Result::Ok(())))
                }
            }
        }
        Some(hook) if !hook.valid => {
            let signature = signature(quote!(_));
            let body = unreachable(hook);
            quote!(#signature { #body })
        }
        Some(hook) => {
            let (ctx, result) = (hidden("ctx"), hidden("result"));
            let args = [quote!(self), ctx_arg(&ctx, hook_ctx(hook), false)];
            let call = call(hook.is_async, &hook.ident, quote!(#(#args),*), paths);
            let finish = finish(&hook.returns, &result, paths);
            let signature = signature(quote!(#ctx));
            quote! {
                #signature {
                    #private::boxed(async move {
                        let #result = #call;
                        #finish
                    })
                }
            }
        }
    }
}

fn on_disconnect(hook: Option<&Hook>, paths: &Paths) -> TokenStream {
    let krate = paths.krate();
    let private = paths.private();
    let signature = |ctx: TokenStream| {
        quote! {
            fn __on_disconnect<'a>(
                &'a mut self,
                #ctx: &'a mut #krate::Ctx<Self>,
            ) -> #private::BoxFuture<'a, ()>
        }
    };
    match hook {
        None => {
            let signature = signature(quote!(_));
            quote! {
                #signature {
                    #private::boxed(::core::future::ready(()))
                }
            }
        }
        Some(hook) if !hook.valid => {
            let signature = signature(quote!(_));
            let body = unreachable(hook);
            quote!(#signature { #body })
        }
        Some(hook) => {
            let ctx = hidden("ctx");
            let args = [quote!(self), ctx_arg(&ctx, hook_ctx(hook), false)];
            let call = call(hook.is_async, &hook.ident, quote!(#(#args),*), paths);
            let signature = signature(quote!(#ctx));
            quote! {
                #signature {
                    #private::boxed(async move {
                        #call;
                    })
                }
            }
        }
    }
}

/// The context type of a valid hook.
fn hook_ctx(hook: &Hook) -> &syn::Type {
    hook.ctx_ty
        .as_ref()
        .expect("a valid hook has a context parameter")
}
