//! Sorting the items of an `#[actor]` impl block into hooks, actions and plain helpers.

use syn::{Attribute, ImplItemFn, LitStr};

use crate::errors::Errors;
use crate::symbols::{ACTION, HOOKS};

/// What one method of the impl block is.
pub(crate) enum MethodRole {
    /// A lifecycle hook, found by its name.
    Hook,
    /// A method marked `#[action]`, with its wire name if set.
    Action { name: Option<LitStr> },
    /// Anything else: left alone.
    Helper,
}

fn is_action_attr(attr: &Attribute) -> bool {
    attr.path().is_ident(ACTION)
}

/// Classifies `method` and removes its `#[action]` attribute, which only the macro reads.
pub(crate) fn classify(method: &mut ImplItemFn, errors: &mut Errors) -> MethodRole {
    let action_attrs: Vec<Attribute> = method
        .attrs
        .iter()
        .filter(|attr| is_action_attr(attr))
        .cloned()
        .collect();
    method.attrs.retain(|attr| !is_action_attr(attr));
    let ident = method.sig.ident.to_string();
    let is_hook = HOOKS.contains(&ident.as_str());

    let Some(first) = action_attrs.first() else {
        return if is_hook {
            MethodRole::Hook
        } else {
            MethodRole::Helper
        };
    };
    if is_hook {
        errors.at(first, format_args!("`{ident}` is a lifecycle hook and cannot also be an action; remove `#[action]` or rename the method"));
        return MethodRole::Hook;
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
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return None;
    }
    let mut name = None;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            let value: LitStr = meta.value()?.parse()?;
            if name.is_some() {
                return Err(meta.error("`name` is set more than once; keep one"));
            }
            if value.value().is_empty() {
                return Err(syn::Error::new(
                    value.span(),
                    "an action name cannot be empty",
                ));
            }
            name = Some(value);
            Ok(())
        } else {
            Err(meta.error("unknown `#[action]` option; expected `name = \"…\"`"))
        }
    });
    if let Err(error) = result {
        errors.push(error);
    }
    name
}
