//! Actions: methods marked `#[action]`, callable by clients.

use std::collections::HashMap;

use heck::ToLowerCamelCase;
use syn::{Attribute, FnArg, Ident, ImplItemFn, LitStr, Pat, Type};

use super::signature::{Returns, receiver};
use crate::errors::Errors;
use crate::symbols::RESERVED_CLIENT_NAMES;

/// An action as the user wrote it.
pub(crate) struct Action {
    pub(crate) ident: Ident,
    /// The name clients call it by.
    pub(crate) wire_name: String,
    /// Where the wire name came from, for messages.
    wire_name_span: proc_macro2::Span,
    pub(crate) is_async: bool,
    pub(crate) args: Vec<(Ident, Type)>,
    pub(crate) returns: Returns,
    /// The method's doc comments, for the client method.
    pub(crate) docs: Vec<Attribute>,
}

impl Action {
    pub(crate) fn from_method(
        method: &ImplItemFn,
        name: Option<LitStr>,
        errors: &mut Errors,
    ) -> Option<Self> {
        let sig = &method.sig;
        let ident = &sig.ident;
        let mut ok = true;
        if !sig.generics.params.is_empty() {
            errors.at(
                &sig.generics,
                format_args!(
                    "action `{ident}` cannot be generic: the router needs concrete argument types"
                ),
            );
            ok = false;
        }
        if receiver(sig).is_none() {
            errors.at(
                ident,
                format_args!("action `{ident}` must take `&self` or `&mut self` first"),
            );
            return None;
        }
        if sig.inputs.len() < 2 {
            errors.at(ident, format_args!("action `{ident}` must take the context `ctx: &Ctx<Self>` (or `&mut Ctx<Self>`) right after the receiver"));
            return None;
        }
        let mut args = Vec::new();
        for input in sig.inputs.iter().skip(2) {
            let FnArg::Typed(typed) = input else { continue };
            let Pat::Ident(pat) = &*typed.pat else {
                errors.at(&typed.pat, format_args!("arguments of action `{ident}` must be plain names, so that the client method can use them; destructure inside the body"));
                ok = false;
                continue;
            };
            match &*typed.ty {
                Type::Reference(_) => {
                    errors.at(&typed.ty, format_args!("arguments of action `{ident}` are decoded from the network and must be owned; use an owned type such as `String` instead of `&str`"));
                    ok = false;
                }
                Type::ImplTrait(_) | Type::Infer(_) => {
                    errors.at(
                        &typed.ty,
                        format_args!(
                            "arguments of action `{ident}` need a concrete type that can be decoded"
                        ),
                    );
                    ok = false;
                }
                _ => args.push((pat.ident.clone(), (*typed.ty).clone())),
            }
        }
        let (wire_name, wire_name_span) = match &name {
            Some(name) => (name.value(), name.span()),
            None => (ident.to_string().to_lower_camel_case(), ident.span()),
        };
        let ident_text = ident.to_string();
        if RESERVED_CLIENT_NAMES.contains(&ident_text.as_str()) {
            errors.at(ident, format_args!("`{ident}` is reserved by the generated client's handles and connections; rename the method (and keep the wire name with `#[action(name = \"{wire_name}\")]`)"));
            ok = false;
        }
        let docs = method
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        ok.then(|| Self {
            ident: ident.clone(),
            wire_name,
            wire_name_span,
            is_async: sig.asyncness.is_some(),
            args,
            returns: Returns::of(sig),
            docs,
        })
    }
}

/// Two actions cannot share a wire name.
pub(crate) fn check_names(actions: &[Action], errors: &mut Errors) {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for action in actions {
        if let Some(first) = seen.get(action.wire_name.as_str()) {
            errors.push(syn::Error::new(
                action.wire_name_span,
                format_args!(
                    "action name `\"{}\"` is already used by `{first}`; pick another with `#[action(name = \"…\")]`",
                    action.wire_name
                ),
            ));
        } else {
            seen.insert(&action.wire_name, &action.ident);
        }
    }
}
