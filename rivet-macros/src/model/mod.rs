//! The checked description of an actor's impl block: what code generation needs, nothing more.
//!
//! Checking is lenient: every problem is reported, and what can still be used is kept, so that
//! the generated code type-checks the good parts and stubs out the bad ones without more errors.

pub(crate) mod action;
pub(crate) mod hook;
pub(crate) mod signature;

use syn::{Ident, ImplItem, ItemImpl, Type};

use crate::errors::Errors;
use crate::parse::method::{MethodRole, classify, is_action_attr};
use crate::symbols::{CREATE_CONN_STATE, ON_BEFORE_CONNECT};
pub(crate) use action::{Action, ClientMethod};
pub(crate) use hook::{Hook, HookKind};

/// An `#[actor]` impl block, checked.
pub(crate) struct ActorImpl {
    /// The actor type's name (`ChatRoom`).
    pub(crate) ident: Ident,
    /// The actor type as written in the impl header, where messages about it point.
    pub(crate) self_ty: Type,
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
    /// `None` when the block cannot be an actor at all (a trait impl, a generic or unnamed
    /// type): then nothing is generated beside it.
    pub(crate) fn from_impl(item: &mut ItemImpl, errors: &mut Errors) -> Option<Self> {
        let ident = match &*item.self_ty {
            Type::Path(path) if path.qself.is_none() => {
                path.path.segments.last().map(|s| s.ident.clone())
            }
            _ => None,
        };
        let mut usable = true;
        if let Some((path, _)) = &item.trait_ {
            let example = ident
                .as_ref()
                .map_or_else(|| "Actor".to_owned(), ToString::to_string);
            errors.at(
                path,
                format_args!(
                    "`#[actor]` cannot be used on a trait impl; put it on the actor's inherent `impl {example} {{ … }}` block"
                ),
            );
            usable = false;
        }
        if !item.generics.params.is_empty() {
            let name = ident
                .as_ref()
                .map_or_else(String::new, |ident| format!(" `{ident}`"));
            errors.at(
                &item.generics,
                format_args!(
                    "actor{name} cannot be generic: the server needs one concrete type per actor name; remove the generic parameters"
                ),
            );
            usable = false;
        }
        if ident.is_none() {
            errors.at(
                &item.self_ty,
                "`#[actor]` goes on the `impl` block of a named struct",
            );
            usable = false;
        }

        let mut model = Self {
            ident: ident.unwrap_or_else(|| Ident::new("Actor", proc_macro2::Span::call_site())),
            self_ty: (*item.self_ty).clone(),
            on_before_connect: None,
            create_conn_state: None,
            on_connect: None,
            on_disconnect: None,
            actions: Vec::new(),
            params_ty: None,
        };
        for impl_item in &mut item.items {
            let method = match impl_item {
                ImplItem::Fn(method) => method,
                other => {
                    strip_misplaced_actions(other, errors);
                    continue;
                }
            };
            match classify(method, errors) {
                MethodRole::Helper => {}
                MethodRole::Hook(kind) => {
                    let hook = Hook::from_method(kind, method, errors);
                    let slot = match kind {
                        HookKind::OnBeforeConnect => &mut model.on_before_connect,
                        HookKind::CreateConnState => &mut model.create_conn_state,
                        HookKind::OnConnect => &mut model.on_connect,
                        HookKind::OnDisconnect => &mut model.on_disconnect,
                    };
                    *slot = Some(hook);
                }
                MethodRole::Action { name } => {
                    model
                        .actions
                        .push(Action::from_method(method, name, errors));
                }
            }
        }
        model.params_ty = model.agree_on_params(errors);
        action::check_names(&mut model.actions, errors);
        usable.then_some(model)
    }

    /// The params type: both preflight hooks must name the same one. When they differ, the
    /// first is kept and `create_conn_state` is left uncalled.
    fn agree_on_params(&mut self, errors: &mut Errors) -> Option<Type> {
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
                let kept = a.ty.clone();
                if let Some(hook) = &mut self.create_conn_state {
                    hook.valid = false;
                }
                Some(kept)
            }
            (Some(param), _) | (None, Some(param)) => Some(param.ty.clone()),
            (None, None) => None,
        }
    }
}

/// `#[action]` on a constant, a type or a macro of the impl block: reported and removed.
fn strip_misplaced_actions(item: &mut ImplItem, errors: &mut Errors) {
    let attrs = match item {
        ImplItem::Const(item) => &mut item.attrs,
        ImplItem::Type(item) => &mut item.attrs,
        ImplItem::Macro(item) => &mut item.attrs,
        _ => return,
    };
    for attr in attrs.iter().filter(|attr| is_action_attr(attr)) {
        errors.at(
            attr,
            "`#[action]` goes on methods; an action is a method `fn name(&self, ctx: &Ctx<Self>, …)`",
        );
    }
    attrs.retain(|attr| !is_action_attr(attr));
}
