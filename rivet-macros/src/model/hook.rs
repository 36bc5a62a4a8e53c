//! Lifecycle hooks: found by name, each with a fixed shape.

use syn::{Ident, ImplItemFn, Type};

use super::signature::{self, CtxParam, Receiver, ReceiverShape, Returns};
use crate::errors::Errors;
use crate::symbols::{CONN, CREATE_CONN_STATE, ON_BEFORE_CONNECT, ON_CONNECT, ON_DISCONNECT};

/// The four hooks, and the shape each must have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HookKind {
    OnBeforeConnect,
    CreateConnState,
    OnConnect,
    OnDisconnect,
}

impl HookKind {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            ON_BEFORE_CONNECT => Self::OnBeforeConnect,
            CREATE_CONN_STATE => Self::CreateConnState,
            ON_CONNECT => Self::OnConnect,
            ON_DISCONNECT => Self::OnDisconnect,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::OnBeforeConnect => ON_BEFORE_CONNECT,
            Self::CreateConnState => CREATE_CONN_STATE,
            Self::OnConnect => ON_CONNECT,
            Self::OnDisconnect => ON_DISCONNECT,
        }
    }

    /// The shape messages show.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Self::OnBeforeConnect => {
                "fn on_before_connect(&self, ctx: &Ctx<Self>, params: &Params) -> Result<(), Error>"
            }
            Self::CreateConnState => {
                "fn create_conn_state(&self, ctx: &Ctx<Self>, params: &Params) -> Result<State, Error>"
            }
            Self::OnConnect => "fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error>",
            Self::OnDisconnect => "fn on_disconnect(&mut self, ctx: &mut Ctx<Self>)",
        }
    }

    /// The two hooks that run before the connection is accepted, and take the params.
    pub(crate) fn is_preflight(self) -> bool {
        matches!(self, Self::OnBeforeConnect | Self::CreateConnState)
    }

    /// How the context is written in messages.
    fn ctx_text(self) -> &'static str {
        if self.is_preflight() {
            "ctx: &Ctx<Self>"
        } else {
            "ctx: &mut Ctx<Self>"
        }
    }
}

/// A hook as the user wrote it.
pub(crate) struct Hook {
    pub(crate) kind: HookKind,
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    pub(crate) returns: Returns,
    /// The context parameter's type, where a wrong type is reported.
    pub(crate) ctx_ty: Option<Type>,
    /// The params parameter of `on_before_connect` and `create_conn_state`.
    pub(crate) params: Option<ParamsArg>,
    /// No error was found: the generated shim calls the hook.
    pub(crate) valid: bool,
}

/// The params parameter: `&P` or `P`.
pub(crate) struct ParamsArg {
    /// `P`, without the reference.
    pub(crate) ty: Type,
    pub(crate) by_ref: bool,
}

impl Hook {
    pub(crate) fn from_method(kind: HookKind, method: &ImplItemFn, errors: &mut Errors) -> Self {
        let sig = &method.sig;
        let name = kind.name();
        let shape = kind.shape();
        let mut valid = true;
        let mut fail = |errors: &mut Errors, tokens: &dyn quote::ToTokens, message: String| {
            errors.at(tokens, message);
            valid = false;
        };

        if !sig.generics.params.is_empty() {
            fail(
                errors,
                &sig.generics,
                format!("`{name}` cannot be generic; it must look like `{shape}`"),
            );
        }
        match signature::receiver(sig) {
            ReceiverShape::Borrowed(Receiver::Mut) if kind.is_preflight() => fail(
                errors,
                &sig.inputs[0],
                format!(
                    "`{name}` runs before the connection is accepted and takes `&self`, not `&mut self`; change the actor's state in `on_connect`"
                ),
            ),
            ReceiverShape::Borrowed(_) => {}
            ReceiverShape::Other(receiver) => fail(
                errors,
                receiver,
                format!(
                    "`{name}` must take `&self`{}; it must look like `{shape}`",
                    if kind.is_preflight() {
                        ""
                    } else {
                        " or `&mut self`"
                    }
                ),
            ),
            ReceiverShape::Missing => fail(
                errors,
                &sig.ident,
                format!("`{name}` must take `&self` first; it must look like `{shape}`"),
            ),
        }

        // The parameters after the receiver: the context, then the params for the preflight
        // hooks.
        let params = signature::params(sig);
        let ctx_text = kind.ctx_text();
        let ctx_ty = match signature::ctx_param(&params) {
            CtxParam::Found(ty) => Some(ty.clone()),
            CtxParam::Missing => {
                fail(
                    errors,
                    &sig.ident,
                    format!(
                        "`{name}` must take the context `{ctx_text}` right after the receiver; it must look like `{shape}`"
                    ),
                );
                None
            }
            CtxParam::Misplaced(param) => {
                fail(
                    errors,
                    param,
                    format!(
                        "the context parameter of `{name}` must come first, right after the receiver; it must look like `{shape}`"
                    ),
                );
                None
            }
            CtxParam::ByValue(ty) => {
                fail(
                    errors,
                    ty,
                    format!("`{name}` borrows the context; write `{ctx_text}`"),
                );
                None
            }
        };
        let max = if kind.is_preflight() { 2 } else { 1 };
        if let Some(extra) = params.get(max) {
            let message = if !kind.is_preflight() && signature::mentions(&extra.ty, CONN) {
                format!(
                    "`{name}` takes no connection parameter: the connection is `ctx.conn()`; it must look like `{shape}`"
                )
            } else {
                format!(
                    "`{name}` takes {}; it must look like `{shape}`",
                    if kind.is_preflight() {
                        "the receiver, the context and the params, and nothing else"
                    } else {
                        "the receiver and the context, and nothing else"
                    }
                )
            };
            fail(errors, *extra, message);
        }
        let params = if kind.is_preflight() {
            params.get(1).map(|param| {
                let (arg, mutability) = params_arg(param);
                if kind == HookKind::OnBeforeConnect && !arg.by_ref {
                    fail(
                        errors,
                        &param.ty,
                        format!(
                            "`{name}` borrows the params; write `params: &{}`",
                            signature::show(&arg.ty)
                        ),
                    );
                }
                if let Some(mutability) = mutability {
                    fail(
                        errors,
                        &mutability,
                        format!(
                            "`{name}` takes the params as `&Params` or `Params`, not `&mut Params`"
                        ),
                    );
                }
                arg
            })
        } else {
            None
        };

        let returns = Returns::of(sig);
        check_returns(kind, sig, &returns, &mut fail, errors);
        Self {
            kind,
            ident: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            returns,
            ctx_ty,
            params,
            valid,
        }
    }
}

/// What each hook may return.
fn check_returns(
    kind: HookKind,
    sig: &syn::Signature,
    returns: &Returns,
    fail: &mut impl FnMut(&mut Errors, &dyn quote::ToTokens, String),
    errors: &mut Errors,
) {
    let name = kind.name();
    let shape = kind.shape();
    match (kind, returns) {
        (HookKind::CreateConnState, Returns::Unit) => fail(
            errors,
            &sig.ident,
            format!(
                "`{CREATE_CONN_STATE}` must return the connection's state (`State` or `Result<State, E>`); it must look like `{shape}`"
            ),
        ),
        (HookKind::CreateConnState, _) => {
            if let Some(ty) = returns.written_value()
                && let Some(unfit) = signature::unfit(ty)
            {
                let ty = match unfit {
                    signature::Unfit::Borrowed(ty) | signature::Unfit::Opaque(ty) => ty,
                };
                fail(
                    errors,
                    ty,
                    format!(
                        "the connection state returned by `{CREATE_CONN_STATE}` must be an owned, concrete type; it is kept for the whole connection"
                    ),
                );
            }
        }
        (HookKind::OnDisconnect, Returns::Result { .. }) => fail(
            errors,
            &sig.output,
            format!(
                "`{ON_DISCONNECT}` cannot fail; handle or log the error inside the hook and return `()`"
            ),
        ),
        (_, Returns::Plain(ty)) => fail(
            errors,
            ty,
            format!(
                "`{name}` returns `()` or `Result<(), E>`, not `{}`; it must look like `{shape}`",
                signature::show(ty)
            ),
        ),
        (_, Returns::Result { ok, .. }) if !signature::is_unit(ok) => fail(
            errors,
            ok,
            format!(
                "`{name}` returns `()` or `Result<(), E>`, with nothing in `Ok`; it must look like `{shape}`"
            ),
        ),
        _ => {}
    }
}

/// `&P` or `P`; `&mut P` is reported.
fn params_arg(param: &syn::PatType) -> (ParamsArg, Option<syn::token::Mut>) {
    match &*param.ty {
        Type::Reference(reference) => (
            ParamsArg {
                ty: (*reference.elem).clone(),
                by_ref: true,
            },
            reference.mutability,
        ),
        ty => (
            ParamsArg {
                ty: ty.clone(),
                by_ref: false,
            },
            None,
        ),
    }
}
