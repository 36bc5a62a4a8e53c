//! Reading method signatures: receivers, return types, parameters.

use quote::ToTokens;
use syn::{FnArg, GenericArgument, PathArguments, ReturnType, Signature, Type};

/// What a method returns, as far as the generated code cares.
pub(crate) enum Returns {
    /// Nothing, or `()`.
    Unit,
    /// A plain value of this type.
    Plain(Type),
    /// `Result<T, E>` (or an alias `Result<T>`): the `Ok` type.
    Result(Type),
}

impl Returns {
    pub(crate) fn of(sig: &Signature) -> Self {
        let ty = match &sig.output {
            ReturnType::Default => return Self::Unit,
            ReturnType::Type(_, ty) => &**ty,
        };
        if let Type::Tuple(tuple) = ty
            && tuple.elems.is_empty()
        {
            return Self::Unit;
        }
        if let Some(ok) = result_ok_type(ty) {
            return Self::Result(ok);
        }
        Self::Plain(ty.clone())
    }

    /// The type a client receives: `T` of `Result<T, E>`, `T`, or `()`.
    pub(crate) fn value_type(&self) -> Type {
        match self {
            Self::Unit => syn::parse_quote!(()),
            Self::Plain(ty) | Self::Result(ty) => ty.clone(),
        }
    }
}

/// `T` when `ty` is `Result<T, …>` by its last path segment.
fn result_ok_type(ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(ok) => Some(ok.clone()),
        _ => None,
    }
}

/// How a method takes `self`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    Ref,
    Mut,
}

/// The receiver, when it is `&self` or `&mut self`.
pub(crate) fn receiver(sig: &Signature) -> Option<Receiver> {
    match sig.inputs.first()? {
        FnArg::Receiver(r) => match &r.kind {
            syn::ReceiverKind::Reference(_, _, mutability) => Some(if mutability.is_some() {
                Receiver::Mut
            } else {
                Receiver::Ref
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Two types written with the same tokens.
pub(crate) fn same_type(a: &Type, b: &Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

/// A type as the user wrote it, for messages.
pub(crate) fn show(ty: &Type) -> String {
    ty.to_token_stream()
        .to_string()
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace("< ", "<")
        .replace(" ,", ",")
}
