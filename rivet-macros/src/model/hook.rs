//! Lifecycle hooks: found by name, each with a fixed shape.

use syn::{FnArg, Ident, ImplItemFn, Type};

use super::signature::{Receiver, Returns, receiver};
use crate::errors::Errors;
use crate::symbols::{CREATE_CONN_STATE, ON_BEFORE_CONNECT, ON_CONNECT, ON_DISCONNECT};

/// A hook as the user wrote it.
pub(crate) struct Hook {
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    pub(crate) returns: Returns,
    /// The params parameter of `on_before_connect` and `create_conn_state`.
    pub(crate) params: Option<ParamsArg>,
}

/// The params parameter: `&P` or `P`.
pub(crate) struct ParamsArg {
    /// `P`, without the reference.
    pub(crate) ty: Type,
    pub(crate) by_ref: bool,
}

/// The shape each hook must have, as shown in messages.
fn expected_shape(name: &str) -> &'static str {
    match name {
        ON_BEFORE_CONNECT => {
            "fn on_before_connect(&self, ctx: &Ctx<Self>, params: &Params) -> Result<(), Error>"
        }
        CREATE_CONN_STATE => {
            "fn create_conn_state(&self, ctx: &Ctx<Self>, params: &Params) -> Result<State, Error>"
        }
        ON_CONNECT => "fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error>",
        _ => "fn on_disconnect(&mut self, ctx: &mut Ctx<Self>)",
    }
}

impl Hook {
    pub(crate) fn name(&self) -> &str {
        // Only hook names reach this type.
        match self.ident.to_string().as_str() {
            ON_BEFORE_CONNECT => ON_BEFORE_CONNECT,
            CREATE_CONN_STATE => CREATE_CONN_STATE,
            ON_CONNECT => ON_CONNECT,
            _ => ON_DISCONNECT,
        }
    }

    pub(crate) fn from_method(method: &ImplItemFn, errors: &mut Errors) -> Option<Self> {
        let sig = &method.sig;
        let name = sig.ident.to_string();
        let shape = expected_shape(&name);
        let preflight = name == ON_BEFORE_CONNECT || name == CREATE_CONN_STATE;
        let mut ok = true;

        if !sig.generics.params.is_empty() {
            errors.at(
                &sig.generics,
                format_args!("`{name}` cannot be generic; it must look like `{shape}`"),
            );
            ok = false;
        }
        match receiver(sig) {
            Some(Receiver::Mut) if preflight => {
                errors.at(&sig.inputs[0], format_args!("`{name}` runs before the connection is accepted and takes `&self`, not `&mut self`; it must look like `{shape}`"));
                ok = false;
            }
            Some(_) => {}
            None => {
                errors.at(
                    &sig.ident,
                    format_args!(
                        "`{name}` must take `&self` or `&mut self`; it must look like `{shape}`"
                    ),
                );
                ok = false;
            }
        }
        let max_inputs = if preflight { 3 } else { 2 };
        if sig.inputs.len() < 2 || sig.inputs.len() > max_inputs {
            errors.at(
                &sig.inputs,
                format_args!(
                    "`{name}` takes the receiver, the context{}; it must look like `{shape}`",
                    if preflight {
                        " and optionally the params"
                    } else {
                        " and nothing else"
                    }
                ),
            );
            ok = false;
        }

        let params = if preflight {
            sig.inputs.iter().nth(2).and_then(params_arg)
        } else {
            None
        };
        let returns = Returns::of(sig);
        match (&returns, name.as_str()) {
            (Returns::Unit, CREATE_CONN_STATE) => {
                errors.at(&sig.ident, format_args!("`{CREATE_CONN_STATE}` must return the connection state (`State` or `Result<State, E>`); it must look like `{shape}`"));
                ok = false;
            }
            (Returns::Result(_), ON_DISCONNECT) => {
                errors.at(&sig.output, format_args!("`{ON_DISCONNECT}` cannot fail; handle or log the error inside the hook and return `()`"));
                ok = false;
            }
            (Returns::Plain(_), ON_BEFORE_CONNECT | ON_CONNECT | ON_DISCONNECT) => {
                errors.at(
                    &sig.output,
                    format_args!(
                        "`{name}` returns `()` or `Result<(), E>`; it must look like `{shape}`"
                    ),
                );
                ok = false;
            }
            _ => {}
        }
        ok.then(|| Self {
            ident: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            returns,
            params,
        })
    }
}

fn params_arg(arg: &FnArg) -> Option<ParamsArg> {
    let FnArg::Typed(typed) = arg else {
        return None;
    };
    Some(match &*typed.ty {
        Type::Reference(reference) => ParamsArg {
            ty: (*reference.elem).clone(),
            by_ref: true,
        },
        ty => ParamsArg {
            ty: ty.clone(),
            by_ref: false,
        },
    })
}
