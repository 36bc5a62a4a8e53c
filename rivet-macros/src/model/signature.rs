//! Reading method signatures: receivers, the context parameter, return types, argument types.

use quote::ToTokens;
use syn::{FnArg, GenericArgument, Ident, PathArguments, ReturnType, Signature, Type};

use crate::symbols::CTX;

/// What a method returns, as far as the generated code cares.
#[derive(Clone)]
pub(crate) enum Returns {
    /// Nothing, or `()`.
    Unit,
    /// A plain value of this type.
    Plain(Type),
    /// `Result<T, E>` (or an alias `Result<T>`), by the last segment of its path.
    Result {
        /// `T`.
        ok: Type,
        /// `E`, when written.
        err: Option<Box<Type>>,
        /// The whole return type, where messages about the error type point when `E` is not
        /// written.
        whole: Box<Type>,
    },
}

impl Returns {
    pub(crate) fn of(sig: &Signature) -> Self {
        let ty = match &sig.output {
            ReturnType::Default => return Self::Unit,
            ReturnType::Type(_, ty) => &**ty,
        };
        if is_unit(ty) {
            return Self::Unit;
        }
        if let Some((ok, err)) = result_types(ty) {
            return Self::Result {
                ok,
                err: err.map(Box::new),
                whole: Box::new(ty.clone()),
            };
        }
        Self::Plain(ty.clone())
    }

    /// The type a client receives: `T` of `Result<T, E>`, `T`, or `()`.
    pub(crate) fn value_type(&self) -> Type {
        match self {
            Self::Unit => syn::parse_quote!(()),
            Self::Plain(ty) | Self::Result { ok: ty, .. } => ty.clone(),
        }
    }

    /// The written value type: `T` of `Result<T, E>` or `T`; `None` for `()`.
    pub(crate) fn written_value(&self) -> Option<&Type> {
        match self {
            Self::Unit => None,
            Self::Plain(ty) | Self::Result { ok: ty, .. } => Some(ty),
        }
    }
}

/// `()`, possibly in parentheses.
pub(crate) fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(tuple) => tuple.elems.is_empty(),
        Type::Paren(paren) => is_unit(&paren.elem),
        _ => false,
    }
}

/// `(T, Some(E))` when `ty` is `Result<T, E>`, `(T, None)` for an alias `Result<T>`.
fn result_types(ty: &Type) -> Option<(Type, Option<Type>)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    });
    let ok = types.next()?;
    Some((ok, types.next()))
}

/// How a method takes `self`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Receiver {
    /// `&self`.
    Ref,
    /// `&mut self`.
    Mut,
}

/// The receiver as written, judged.
pub(crate) enum ReceiverShape<'a> {
    /// `&self` or `&mut self`.
    Borrowed(Receiver),
    /// `self`, `mut self`, `self: Box<Self>` and the like: the receiver to point at.
    Other(&'a syn::Receiver),
    /// No receiver at all.
    Missing,
}

pub(crate) fn receiver(sig: &Signature) -> ReceiverShape<'_> {
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) => match &r.kind {
            syn::ReceiverKind::Reference(_, _, mutability) => {
                ReceiverShape::Borrowed(if mutability.is_some() {
                    Receiver::Mut
                } else {
                    Receiver::Ref
                })
            }
            _ => ReceiverShape::Other(r),
        },
        _ => ReceiverShape::Missing,
    }
}

/// The parameters after the receiver (all of them when there is none).
pub(crate) fn params(sig: &Signature) -> Vec<&syn::PatType> {
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => Some(typed),
            FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Whether `ty` is written `&Ctx<…>` or `&mut Ctx<…>` (by the last segment of the path).
pub(crate) fn is_ctx(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => names_ctx(&reference.elem),
        Type::Paren(paren) => is_ctx(&paren.elem),
        _ => false,
    }
}

/// Whether `ty` is a path whose last segment is `Ctx`.
pub(crate) fn names_ctx(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|ident| ident == CTX)
}

/// The last segment of a path type.
pub(crate) fn last_segment(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        Type::Paren(paren) => last_segment(&paren.elem),
        Type::Group(group) => last_segment(&group.elem),
        _ => None,
    }
}

/// Whether `ty` mentions `name` as the last segment of a path anywhere in it.
pub(crate) fn mentions(ty: &Type, name: &str) -> bool {
    let mut found = false;
    walk(ty, &mut |ty| {
        if last_segment(ty).is_some_and(|ident| ident == name) {
            found = true;
        }
    });
    found
}

/// The first part of `ty` that cannot cross the network as an owned, concrete value: a
/// reference, an `impl Trait` or a `_`.
pub(crate) enum Unfit<'a> {
    Borrowed(&'a Type),
    Opaque(&'a Type),
}

pub(crate) fn unfit(ty: &Type) -> Option<Unfit<'_>> {
    let mut found = None;
    walk(ty, &mut |ty| {
        if found.is_some() {
            return;
        }
        found = match ty {
            Type::Reference(_) => Some(Unfit::Borrowed(ty)),
            Type::ImplTrait(_) | Type::Infer(_) | Type::TraitObject(_) => Some(Unfit::Opaque(ty)),
            _ => None,
        };
    });
    found
}

/// Whether `ty` has a `_` anywhere, which no signature may hold.
pub(crate) fn has_infer(ty: &Type) -> bool {
    let mut found = false;
    walk(ty, &mut |ty| found |= matches!(ty, Type::Infer(_)));
    found
}

/// Calls `visit` on `ty` and on every type inside it, outermost first.
fn walk<'a>(ty: &'a Type, visit: &mut impl FnMut(&'a Type)) {
    visit(ty);
    match ty {
        Type::Array(array) => walk(&array.elem, visit),
        Type::Group(group) => walk(&group.elem, visit),
        Type::Paren(paren) => walk(&paren.elem, visit),
        Type::Ptr(ptr) => walk(&ptr.elem, visit),
        Type::Reference(reference) => walk(&reference.elem, visit),
        Type::Slice(slice) => walk(&slice.elem, visit),
        Type::Tuple(tuple) => tuple.elems.iter().for_each(|elem| walk(elem, visit)),
        Type::Path(path) => {
            if let Some(qself) = &path.qself {
                walk(&qself.ty, visit);
            }
            for segment in &path.path.segments {
                if let PathArguments::AngleBracketed(args) = &segment.arguments {
                    for arg in &args.args {
                        if let GenericArgument::Type(ty) = arg {
                            walk(ty, visit);
                        }
                    }
                }
            }
        }
        _ => {}
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
        .replace("& ", "&")
        .replace(" :: ", "::")
        .replace(":: ", "::")
}

/// The context parameter, found by position: the first parameter after the receiver.
pub(crate) enum CtxParam<'a> {
    /// There: its type, which the generated call checks.
    Found(&'a Type),
    /// Not there at all.
    Missing,
    /// A `&Ctx<…>` parameter, after others.
    Misplaced(&'a syn::PatType),
    /// `Ctx<…>` taken by value.
    ByValue(&'a Type),
}

pub(crate) fn ctx_param<'a>(params: &[&'a syn::PatType]) -> CtxParam<'a> {
    let Some(first) = params.first() else {
        return CtxParam::Missing;
    };
    if is_ctx(&first.ty) {
        return CtxParam::Found(&first.ty);
    }
    if let Some(later) = params.iter().skip(1).find(|param| is_ctx(&param.ty)) {
        return CtxParam::Misplaced(later);
    }
    if names_ctx(&first.ty) {
        return CtxParam::ByValue(&first.ty);
    }
    match &*first.ty {
        // Perhaps an alias of `Ctx`: the generated call checks the type.
        Type::Reference(_) => CtxParam::Found(&first.ty),
        _ => CtxParam::Missing,
    }
}
