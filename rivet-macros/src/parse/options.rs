//! The options of `#[actor(...)]`: `name`, `conn_state` and `crate` on the struct, `crate` on
//! the impl block.

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Path, Token, Type, braced};

use crate::errors::Errors;
use crate::symbols::{IMPL_OPTIONS, OPT_CONN_STATE, OPT_CRATE, OPT_NAME, STRUCT_OPTIONS, list};

/// What `#[actor(...)]` on a struct says.
#[derive(Default)]
pub(crate) struct StructOptions {
    pub(crate) name: Option<LitStr>,
    pub(crate) conn_state: Option<ConnStateDecl>,
    pub(crate) krate: Option<Path>,
}

/// What `#[actor(...)]` on an impl block says.
#[derive(Default)]
pub(crate) struct ImplOptions {
    pub(crate) krate: Option<Path>,
}

/// `conn_state = { field: Type = value, … }`.
pub(crate) struct ConnStateDecl {
    /// The `conn_state` key, where messages about the declaration point.
    pub(crate) key: Ident,
    pub(crate) fields: Vec<ConnStateField>,
}

/// `field: Type = value`.
pub(crate) struct ConnStateField {
    pub(crate) name: Ident,
    pub(crate) ty: Type,
    pub(crate) value: Expr,
}

impl Parse for ConnStateField {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        if !input.peek(Token![=]) {
            return Err(input.error(format_args!(
                "field `{name}` of `conn_state` needs an initial value; write `{name}: Type = value`"
            )));
        }
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Self { name, ty, value })
    }
}

/// Parses the options of `#[actor(...)]` on a struct, pushing one error per bad option and
/// keeping the good ones.
pub(crate) fn parse_struct(args: TokenStream, errors: &mut Errors) -> StructOptions {
    let mut options = StructOptions::default();
    parse_each(args, errors, |key, input, errors| {
        match key.to_string().as_str() {
            OPT_NAME => {
                let value: LitStr = input.parse()?;
                if options.name.is_some() {
                    errors.at(key, repeated(OPT_NAME));
                } else if value.value().is_empty() {
                    errors.at(
                        &value,
                        "the actor name cannot be empty; write `name = \"chatRoom\"`",
                    );
                } else {
                    options.name = Some(value);
                }
            }
            OPT_CONN_STATE => {
                let content;
                braced!(content in input);
                let fields = Punctuated::<ConnStateField, Token![,]>::parse_terminated(&content)?;
                if options.conn_state.is_some() {
                    errors.at(key, repeated(OPT_CONN_STATE));
                } else {
                    options.conn_state = Some(ConnStateDecl {
                        key: key.clone(),
                        fields: distinct_fields(fields, errors),
                    });
                }
            }
            OPT_CRATE => {
                let path = crate_path(input)?;
                if options.krate.is_some() {
                    errors.at(key, repeated(OPT_CRATE));
                } else {
                    options.krate = Some(path);
                }
            }
            other => {
                errors.at(
                    key,
                    format_args!(
                        "unknown `#[actor]` option `{other}`; expected one of {}",
                        list(&STRUCT_OPTIONS, "or")
                    ),
                );
                skip_value(input)?;
            }
        }
        Ok(())
    });
    options
}

/// Parses the options of `#[actor(...)]` on an impl block.
pub(crate) fn parse_impl(args: TokenStream, errors: &mut Errors) -> ImplOptions {
    let mut options = ImplOptions::default();
    parse_each(args, errors, |key, input, errors| {
        let text = key.to_string();
        if text == OPT_CRATE {
            let path = crate_path(input)?;
            if options.krate.is_some() {
                errors.at(key, repeated(OPT_CRATE));
            } else {
                options.krate = Some(path);
            }
        } else if STRUCT_OPTIONS.contains(&text.as_str()) {
            errors.at(
                key,
                format_args!(
                    "`{text}` goes on the struct's `#[actor(...)]`; on an `impl` block `#[actor]` takes only {}",
                    list(&IMPL_OPTIONS, "or")
                ),
            );
            skip_value(input)?;
        } else {
            errors.at(
                key,
                format_args!(
                    "unknown `#[actor]` option `{text}`; on an `impl` block the only option is {}",
                    list(&IMPL_OPTIONS, "or")
                ),
            );
            skip_value(input)?;
        }
        Ok(())
    });
    options
}

fn repeated(key: &str) -> String {
    format!("`{key}` is set more than once; keep one")
}

/// Runs `each` on every `key = value` of `args`; `each` parses the value.
fn parse_each(
    args: TokenStream,
    errors: &mut Errors,
    mut each: impl FnMut(&Ident, ParseStream<'_>, &mut Errors) -> syn::Result<()>,
) {
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            let key = Ident::parse_any(input)?;
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                each(&key, input, errors)?;
            } else {
                errors.at(
                    &key,
                    format_args!("`#[actor]` options are `key = value`; write `{key} = …`"),
                );
                skip_value(input)?;
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
}

/// Skips the rest of an option, up to the next comma.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// `crate = path` or `crate = "path"`.
fn crate_path(input: ParseStream<'_>) -> syn::Result<Path> {
    if input.peek(LitStr) {
        let text: LitStr = input.parse()?;
        return text.parse_with(Path::parse_mod_style);
    }
    Path::parse_mod_style(input)
}

/// The fields, each name once: a repeated one is reported and left out.
fn distinct_fields(
    fields: Punctuated<ConnStateField, Token![,]>,
    errors: &mut Errors,
) -> Vec<ConnStateField> {
    let mut kept: Vec<ConnStateField> = Vec::new();
    for field in fields {
        if kept.iter().any(|earlier| earlier.name == field.name) {
            errors.at(
                &field.name,
                format_args!(
                    "field `{}` of `conn_state` is declared more than once; keep one",
                    field.name
                ),
            );
        } else {
            kept.push(field);
        }
    }
    kept
}
