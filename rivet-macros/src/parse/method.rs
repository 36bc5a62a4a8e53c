//! Sorting the items of an `#[actor]` impl block into hooks, actions and plain helpers.

use syn::{Attribute, ImplItemFn, LitStr, Meta};

use crate::errors::Errors;
use crate::model::hook::HookKind;
use crate::symbols::{ACTION, ACTION_NAME};

/// What one method of the impl block is.
pub(crate) enum MethodRole {
    /// A lifecycle hook, found by its name.
    Hook(HookKind),
    /// A method marked `#[action]`, with its wire name if set.
    Action { name: Option<LitStr> },
    /// Anything else: left alone.
    Helper,
}

/// Whether `attr` is `#[action]` or `#[action(...)]`.
pub(crate) fn is_action_attr(attr: &Attribute) -> bool {
    attr.path().is_ident(ACTION)
}

/// Classifies `method` and removes its `#[action]` attributes, which only the macro reads.
pub(crate) fn classify(method: &mut ImplItemFn, errors: &mut Errors) -> MethodRole {
    let action_attrs: Vec<Attribute> = method
        .attrs
        .iter()
        .filter(|attr| is_action_attr(attr))
        .cloned()
        .collect();
    method.attrs.retain(|attr| !is_action_attr(attr));
    let ident = &method.sig.ident;
    let hook = HookKind::from_name(&ident.to_string());

    let Some(first) = action_attrs.first() else {
        return hook.map_or(MethodRole::Helper, MethodRole::Hook);
    };
    if let Some(hook) = hook {
        errors.at(
            first,
            format_args!(
                "`{ident}` is a lifecycle hook and cannot also be an action; remove `#[action]`, or rename the method to make it an action"
            ),
        );
        return MethodRole::Hook(hook);
    }
    for extra in &action_attrs[1..] {
        errors.at(
            extra,
            format_args!("`#[action]` is repeated on `{ident}`; keep one"),
        );
    }
    MethodRole::Action {
        name: action_name(first, errors),
    }
}

/// Reads `#[action]` or `#[action(name = "…")]`.
fn action_name(attr: &Attribute, errors: &mut Errors) -> Option<LitStr> {
    match &attr.meta {
        Meta::Path(_) => return None,
        Meta::NameValue(meta) => {
            errors.at(
                meta.eq_token,
                "`#[action]` takes its options in parentheses; write `#[action(name = \"…\")]`",
            );
            return None;
        }
        Meta::List(_) => {}
    }
    let mut name: Option<LitStr> = None;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident(ACTION_NAME) {
            let value: LitStr = meta.value()?.parse()?;
            if name.is_some() {
                return Err(meta.error("`name` is set more than once; keep one"));
            }
            if value.value().is_empty() {
                return Err(syn::Error::new(
                    value.span(),
                    "an action name cannot be empty; write `#[action(name = \"sendMessage\")]`",
                ));
            }
            name = Some(value);
            Ok(())
        } else {
            let key = meta
                .path
                .get_ident()
                .map_or_else(|| "…".to_owned(), ToString::to_string);
            Err(meta.error(format_args!(
                "unknown `#[action]` option `{key}`; the only option is `name = \"…\"`"
            )))
        }
    });
    if let Err(error) = result {
        errors.push(error);
    }
    name
}
