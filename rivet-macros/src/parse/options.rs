//! The options of `#[actor(...)]` on a struct.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Token, Type, braced};

use crate::errors::Errors;
use crate::symbols::{OPT_CONN_STATE, OPT_NAME, STRUCT_OPTIONS};

/// What `#[actor(...)]` on a struct says.
#[derive(Default)]
pub(crate) struct StructOptions {
    pub(crate) name: Option<LitStr>,
    pub(crate) conn_state: Option<ConnStateDecl>,
}

/// `conn_state = { field: Type = value, … }`.
pub(crate) struct ConnStateDecl {
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
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Self { name, ty, value })
    }
}

/// Parses the options, pushing one error per bad option and keeping the good ones.
pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> StructOptions {
    let mut options = StructOptions::default();
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let key_text = key.to_string();
            match key_text.as_str() {
                OPT_NAME => {
                    let value: LitStr = input.parse()?;
                    if options.name.is_some() {
                        errors.at(
                            &key,
                            format_args!("`{OPT_NAME}` is set more than once; keep one"),
                        );
                    } else if value.value().is_empty() {
                        errors.at(&value, "the actor name cannot be empty");
                    } else {
                        options.name = Some(value);
                    }
                }
                OPT_CONN_STATE => {
                    let content;
                    braced!(content in input);
                    let fields =
                        Punctuated::<ConnStateField, Token![,]>::parse_terminated(&content)?;
                    if options.conn_state.is_some() {
                        errors.at(
                            &key,
                            format_args!("`{OPT_CONN_STATE}` is set more than once; keep one"),
                        );
                    } else {
                        options.conn_state = Some(ConnStateDecl {
                            fields: fields.into_iter().collect(),
                        });
                    }
                }
                _ => {
                    let expected = STRUCT_OPTIONS.map(|o| format!("`{o}`")).join(", ");
                    errors.at(
                        &key,
                        format_args!(
                            "unknown `#[actor]` option `{key_text}`; expected one of {expected}"
                        ),
                    );
                    // Skip the value, up to the next comma.
                    while !input.is_empty() && !input.peek(Token![,]) {
                        input.parse::<proc_macro2::TokenTree>()?;
                    }
                }
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
    options
}
