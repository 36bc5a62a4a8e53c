//! The typed client: an extension trait with one method per action, for handles and
//! connections alike.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::private;
use crate::model::ActorImpl;

pub(super) fn render(model: &ActorImpl) -> TokenStream {
    let ident = &model.ident;
    let trait_ident = format_ident!("{}Client", ident);
    let private = private();
    let doc = format!(
        "The typed client of [`{ident}`]: one method per action, on handles \
         (`rivet_core::client::ActorHandle<{ident}>`, over HTTP) and connections \
         (`rivet_core::client::Connection<{ident}>`, over WebSocket)."
    );
    let methods = model.actions.iter().map(|action| {
        let method = &action.ident;
        let wire_name = &action.wire_name;
        let docs = &action.docs;
        let names: Vec<_> = action.args.iter().map(|(name, _)| name).collect();
        let types: Vec<_> = action.args.iter().map(|(_, ty)| ty).collect();
        let output = action.returns.value_type();
        quote! {
            #( #docs )*
            fn #method(
                &self,
                #( #names: #types ),*
            ) -> impl ::core::future::Future<
                Output = ::core::result::Result<#output, ::rivet_core::client::ClientError>,
            > + ::core::marker::Send {
                async move {
                    let args = #private::vec![#( #private::client_arg(&#names)? ),*];
                    ::rivet_core::client::ActionCaller::call_action::<#output>(self, #wire_name, args).await
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[allow(private_bounds, private_interfaces)]
        pub trait #trait_ident: ::rivet_core::client::ActionCaller<Actor = #ident> {
            #( #methods )*
        }

        #[automatically_derived]
        impl<C> #trait_ident for C where C: ::rivet_core::client::ActionCaller<Actor = #ident> {}
    }
}
