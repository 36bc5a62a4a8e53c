//! Actions: methods marked `#[action]`, callable by clients.

use std::collections::HashMap;

use heck::ToLowerCamelCase;
use proc_macro2::Span;
use quote::format_ident;
use syn::{Attribute, Generics, Ident, ImplItemFn, LitStr, Pat, Type};

use super::signature::{self, CtxParam, ReceiverShape, Returns, Unfit};
use crate::errors::Errors;
use crate::symbols::RESERVED_CLIENT_NAMES;

/// An action as the user wrote it.
pub(crate) struct Action {
    pub(crate) ident: Ident,
    /// The name clients call it by.
    pub(crate) wire_name: String,
    /// Where the wire name came from, for messages.
    wire_name_span: Span,
    pub(crate) is_async: bool,
    /// The context parameter's type, where a wrong type is reported.
    pub(crate) ctx_ty: Option<Type>,
    pub(crate) args: Vec<Arg>,
    pub(crate) returns: Returns,
    /// The method's generics: none for a valid action, copied onto a client stub otherwise.
    pub(crate) generics: Generics,
    /// The method's doc comments, for the client method.
    pub(crate) docs: Vec<Attribute>,
    /// No error was found: the router calls the action.
    pub(crate) server: bool,
    /// What the typed client gets for it.
    pub(crate) client: ClientMethod,
}

/// One argument after the context.
pub(crate) struct Arg {
    /// The user's name for it; `argN` when the user wrote a pattern.
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
}

/// The typed client's method for an action.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientMethod {
    /// A method that calls the action.
    Call,
    /// The action has errors, but its signature can be written: a method that cannot run, so
    /// that calls elsewhere still type-check.
    Stub,
    /// No method: its name is reserved, or its signature cannot be written.
    Omitted,
}

impl Action {
    pub(crate) fn from_method(
        method: &ImplItemFn,
        name: Option<LitStr>,
        errors: &mut Errors,
    ) -> Self {
        let sig = &method.sig;
        let ident = &sig.ident;
        let mut server = true;
        let mut client = ClientMethod::Call;
        let mut fail = |errors: &mut Errors, tokens: &dyn quote::ToTokens, message: String| {
            errors.at(tokens, message);
            server = false;
        };

        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            fail(
                errors,
                &sig.generics,
                format!(
                    "action `{ident}` cannot be generic: the router needs concrete argument types; remove the generic parameters"
                ),
            );
        }
        match signature::receiver(sig) {
            ReceiverShape::Borrowed(_) => {}
            ReceiverShape::Other(receiver) => fail(
                errors,
                receiver,
                format!(
                    "action `{ident}` must take `&self` or `&mut self`, not `self` by value; the actor keeps its state"
                ),
            ),
            ReceiverShape::Missing => fail(
                errors,
                ident,
                format!("action `{ident}` must take `&self` or `&mut self` first"),
            ),
        }

        let params = signature::params(sig);
        let (ctx_ty, arg_params) = match signature::ctx_param(&params) {
            CtxParam::Found(ty) => (Some(ty.clone()), &params[1..]),
            CtxParam::Missing => {
                fail(
                    errors,
                    ident,
                    format!(
                        "action `{ident}` must take the context right after the receiver; add `ctx: &Ctx<Self>` (or `&mut Ctx<Self>`)"
                    ),
                );
                (None, &params[..])
            }
            CtxParam::Misplaced(param) => {
                fail(
                    errors,
                    param,
                    format!(
                        "the context parameter of action `{ident}` must come first, right after the receiver; move it before the other arguments"
                    ),
                );
                (None, &params[..])
            }
            CtxParam::ByValue(ty) => {
                fail(
                    errors,
                    ty,
                    format!(
                        "action `{ident}` borrows the context; write `ctx: &Ctx<Self>` or `ctx: &mut Ctx<Self>`"
                    ),
                );
                (None, &params[1..])
            }
        };

        let mut args = Vec::new();
        for (index, param) in arg_params.iter().enumerate() {
            if signature::is_ctx(&param.ty) {
                // The misplaced context, reported above: not an argument.
                continue;
            }
            let arg_ident = match &*param.pat {
                Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                    pat.ident.clone()
                }
                pat => {
                    fail(
                        errors,
                        pat,
                        format!(
                            "arguments of action `{ident}` must be plain names, so that the client method can use them; bind it to a name and destructure inside the body"
                        ),
                    );
                    format_ident!("arg{}", index + 1)
                }
            };
            if let Some(Travel {
                culprit,
                method,
                borrowed,
            }) = travel_problem(&param.ty)
            {
                let message = if borrowed {
                    format!(
                        "argument `{arg_ident}` of action `{ident}` is decoded from the network and must be owned; use an owned type (`String` rather than `&str`, `Vec<T>` rather than `&[T]`)"
                    )
                } else {
                    format!(
                        "argument `{arg_ident}` of action `{ident}` needs a concrete type that can be decoded; write the type out"
                    )
                };
                fail(errors, culprit, message);
                client = client.min(method);
            }
            args.push(Arg {
                ident: arg_ident,
                ty: (*param.ty).clone(),
            });
        }

        let returns = Returns::of(sig);
        if let Some(ty) = returns.written_value()
            && let Some(Travel {
                culprit,
                method,
                borrowed,
            }) = travel_problem(ty)
        {
            let message = if borrowed {
                format!(
                    "the result of action `{ident}` is sent over the network and must be owned; return an owned type (`String` rather than `&str`)"
                )
            } else {
                format!(
                    "the result of action `{ident}` needs a concrete type that the client can decode; write the type out"
                )
            };
            fail(errors, culprit, message);
            client = client.min(method);
        }

        let (wire_name, wire_name_span) = match &name {
            Some(name) => (name.value(), name.span()),
            None => (ident.to_string().to_lower_camel_case(), ident.span()),
        };
        let ident_text = ident.to_string();
        if RESERVED_CLIENT_NAMES.contains(&ident_text.as_str()) {
            fail(
                errors,
                ident,
                format!(
                    "`{ident}` is reserved by the generated client (its handles and connections have a method of that name); rename the method and keep the wire name with `#[action(name = \"{wire_name}\")]`"
                ),
            );
            client = ClientMethod::Omitted;
        }
        if client == ClientMethod::Call && !sig.generics.params.is_empty() {
            client = ClientMethod::Stub;
        }
        let docs = method
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        Self {
            ident: ident.clone(),
            wire_name,
            wire_name_span,
            is_async: sig.asyncness.is_some(),
            ctx_ty,
            args,
            returns,
            generics: sig.generics.clone(),
            docs,
            server,
            client,
        }
    }
}

impl ClientMethod {
    /// The lesser of two: `Omitted` < `Stub` < `Call`.
    fn min(self, other: Self) -> Self {
        match (self, other) {
            (Self::Omitted, _) | (_, Self::Omitted) => Self::Omitted,
            (Self::Stub, _) | (_, Self::Stub) => Self::Stub,
            _ => Self::Call,
        }
    }
}

/// Two actions cannot share a wire name: the later one is reported, and left out of the router.
pub(crate) fn check_names(actions: &mut [Action], errors: &mut Errors) {
    let mut seen: HashMap<String, Ident> = HashMap::new();
    for action in actions {
        if let Some(first) = seen.get(&action.wire_name) {
            errors.push(syn::Error::new(
                action.wire_name_span,
                format_args!(
                    "action name `\"{}\"` is already used by `{first}`; pick another with `#[action(name = \"…\")]`",
                    action.wire_name
                ),
            ));
            action.server = false;
        } else {
            seen.insert(action.wire_name.clone(), action.ident.clone());
        }
    }
}

/// Why a type cannot travel over the network.
struct Travel<'a> {
    /// The token to point at.
    culprit: &'a Type,
    /// What becomes of the client method.
    method: ClientMethod,
    /// Borrowed, rather than `impl Trait` or `_`.
    borrowed: bool,
}

fn travel_problem(ty: &Type) -> Option<Travel<'_>> {
    Some(match signature::unfit(ty)? {
        Unfit::Borrowed(culprit) => Travel {
            culprit,
            method: ClientMethod::Stub,
            borrowed: true,
        },
        Unfit::Opaque(culprit) => Travel {
            culprit,
            method: if signature::has_infer(culprit) {
                ClientMethod::Omitted
            } else {
                ClientMethod::Stub
            },
            borrowed: false,
        },
    })
}
