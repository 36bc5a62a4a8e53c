//! The checked description of an actor's impl block: what code generation needs, nothing more.

pub(crate) mod action;
pub(crate) mod hook;
pub(crate) mod signature;

use syn::{Ident, ImplItem, ItemImpl, Type};

use crate::errors::Errors;
use crate::parse::method::{MethodRole, classify};
use crate::symbols::{CREATE_CONN_STATE, ON_BEFORE_CONNECT, ON_CONNECT, ON_DISCONNECT};
pub(crate) use action::Action;
pub(crate) use hook::Hook;

/// An `#[actor]` impl block, checked.
pub(crate) struct ActorImpl {
    /// The actor type's name (`ChatRoom`).
    pub(crate) ident: Ident,
    pub(crate) on_before_connect: Option<Hook>,
    pub(crate) create_conn_state: Option<Hook>,
    pub(crate) on_connect: Option<Hook>,
    pub(crate) on_disconnect: Option<Hook>,
    pub(crate) actions: Vec<Action>,
    /// The connection params type named by the hooks, if any.
    pub(crate) params_ty: Option<Type>,
}

impl ActorImpl {
    /// Reads `item`, removing the `#[action]` attributes from it; problems go to `errors`.
    pub(crate) fn from_impl(item: &mut ItemImpl, errors: &mut Errors) -> Option<Self> {
        if let Some((path, _)) = &item.trait_ {
            errors.at(path, "`#[actor]` cannot be used on a trait impl; put it on the actor's inherent `impl` block");
            return None;
        }
        if !item.generics.params.is_empty() {
            errors.at(
                &item.generics,
                "actors cannot be generic: the server needs one concrete type per actor name",
            );
        }
        let ident = match &*item.self_ty {
            Type::Path(path) if path.qself.is_none() => {
                path.path.segments.last().map(|s| s.ident.clone())
            }
            _ => None,
        };
        let Some(ident) = ident else {
            errors.at(
                &item.self_ty,
                "`#[actor]` goes on the `impl` block of a named struct",
            );
            return None;
        };

        let mut model = Self {
            ident,
            on_before_connect: None,
            create_conn_state: None,
            on_connect: None,
            on_disconnect: None,
            actions: Vec::new(),
            params_ty: None,
        };
        for impl_item in &mut item.items {
            let ImplItem::Fn(method) = impl_item else {
                continue;
            };
            match classify(method, errors) {
                MethodRole::Helper => {}
                MethodRole::Hook => {
                    let Some(hook) = Hook::from_method(method, errors) else {
                        continue;
                    };
                    let slot = match hook.name() {
                        ON_BEFORE_CONNECT => &mut model.on_before_connect,
                        CREATE_CONN_STATE => &mut model.create_conn_state,
                        ON_CONNECT => &mut model.on_connect,
                        ON_DISCONNECT => &mut model.on_disconnect,
                        _ => continue,
                    };
                    *slot = Some(hook);
                }
                MethodRole::Action { name } => {
                    if let Some(action) = Action::from_method(method, name, errors) {
                        model.actions.push(action);
                    }
                }
            }
        }
        model.params_ty = model.agree_on_params(errors);
        action::check_names(&model.actions, errors);
        Some(model)
    }

    /// The params type: both preflight hooks must name the same one.
    fn agree_on_params(&self, errors: &mut Errors) -> Option<Type> {
        let before = self
            .on_before_connect
            .as_ref()
            .and_then(|h| h.params.as_ref());
        let create = self
            .create_conn_state
            .as_ref()
            .and_then(|h| h.params.as_ref());
        match (before, create) {
            (Some(a), Some(b)) if !signature::same_type(&a.ty, &b.ty) => {
                let message = format!(
                    "`{ON_BEFORE_CONNECT}` takes `{}` but `{CREATE_CONN_STATE}` takes `{}`; both hooks must use the same connection params type",
                    signature::show(&a.ty),
                    signature::show(&b.ty)
                );
                errors.at(&a.ty, &message);
                errors.at(&b.ty, &message);
                Some(a.ty.clone())
            }
            (Some(param), _) | (None, Some(param)) => Some(param.ty.clone()),
            (None, None) => None,
        }
    }
}
