//! Compile-time checks that `#[actor]` generates, spanned on the user's tokens.
//!
//! Each check is a marker trait with `#[diagnostic::on_unimplemented]` and a blanket impl, plus a
//! generic function that the generated code calls instead of the unchecked helper of the parent
//! module. The function's bound implies what the helper needs, so a type that fails the check is
//! reported once, in the words below and on the user's token, and the helper call inside the
//! function cannot fail a second time.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{BoxFuture, Value};
use crate::Error;
use crate::client::{ActionCaller, ClientError};

/// The connection-state kind of an actor that declares connection state.
#[derive(Debug)]
pub enum Declared {}

/// The connection-state kind of an actor that declares none.
#[derive(Debug)]
pub enum Undeclared {}

/// Implemented by [`Declared`] only: reaching connection state needs a declared one.
#[diagnostic::on_unimplemented(
    message = "this actor has no connection state",
    label = "the actor declares no connection state",
    note = "add a `create_conn_state` hook, or `#[actor(conn_state = {{ field: Type = value }})]` on the struct"
)]
pub trait HasConnState {}

impl HasConnState for Declared {}

/// What `#[actor]` on the struct declares, for `#[actor]` on the impl block to read.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is missing `#[actor]` on its struct",
    label = "the struct of this actor has no `#[actor]`",
    note = "add `#[actor]` to both the struct `{Self}` and its `impl` block"
)]
pub trait ActorStruct {
    /// The wire name.
    const NAME: &'static str;
    /// The constant connection state's type, or [`crate::NoConnState`].
    type ConstConnState: Send + Sync + 'static;
    /// [`Declared`] when the struct declares a constant connection state.
    type ConstConnStateKind;
    /// A clone of the constant connection state.
    fn initial_conn_state() -> Self::ConstConnState;
}

/// Implemented by [`Undeclared`] only: an actor declares connection state at most once.
#[diagnostic::on_unimplemented(
    message = "connection state is declared twice",
    label = "`create_conn_state` is here, and the struct's `#[actor(conn_state = …)]` declares it too",
    note = "keep one: the `create_conn_state` hook, or the `conn_state` constant on the struct"
)]
pub trait NoConstConnState {}

impl NoConstConnState for Undeclared {}

/// A compile-time check that the struct declares no constant connection state.
pub fn assert_single_conn_state<K: NoConstConnState>() {}

/// The type of an action argument, as the server decodes it.
#[diagnostic::on_unimplemented(
    message = "action argument `{Self}` cannot be decoded from a request",
    label = "`{Self}` does not implement `serde::Deserialize`",
    note = "add `#[derive(serde::Deserialize)]` to `{Self}`, or take an owned type that implements it"
)]
pub trait ActionArg: DeserializeOwned {}

impl<T: DeserializeOwned> ActionArg for T {}

/// The type of an action argument, as the typed client encodes it.
#[diagnostic::on_unimplemented(
    message = "action argument `{Self}` cannot be encoded by the typed client",
    label = "`{Self}` does not implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`: the generated client takes the same argument types as the action"
)]
pub trait ClientArg: Serialize {}

impl<T: Serialize> ClientArg for T {}

/// The type of an action's result, as the server encodes it.
#[diagnostic::on_unimplemented(
    message = "action result `{Self}` cannot be encoded for the client",
    label = "`{Self}` does not implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or return an owned type that implements it"
)]
pub trait ActionOutput: Serialize {}

impl<T: Serialize> ActionOutput for T {}

/// The type of an action's result, as the typed client decodes it.
#[diagnostic::on_unimplemented(
    message = "action result `{Self}` cannot be decoded by the typed client",
    label = "`{Self}` does not implement `serde::Deserialize`",
    note = "add `#[derive(serde::Deserialize)]` to `{Self}`: the generated client returns the same type as the action"
)]
pub trait ClientOutput: DeserializeOwned {}

impl<T: DeserializeOwned> ClientOutput for T {}

/// The error type of a fallible action or hook.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as the error of an action or hook",
    label = "`{Self}` does not convert into `rivet_core::Error`",
    note = "return `rivet_core::Error` (`Error::user(code, message)` reaches the client), or implement `std::error::Error` for `{Self}` (it reaches the client as an internal error)"
)]
pub trait IntoError: Into<Error> {}

impl<E: Into<Error>> IntoError for E {}

/// The actor's own state, which every new instance starts from.
#[diagnostic::on_unimplemented(
    message = "actor `{Self}` has no initial state",
    label = "`{Self}` does not implement `Default`",
    note = "add `#[derive(Default)]` to the struct `{Self}`: every new instance of the actor starts from `Default::default()`"
)]
pub trait InitialState: Default {}

impl<T: Default> InitialState for T {}

/// Decodes the next argument of an action: [`super::arg`], for a checked argument type.
pub fn decode_arg<T: ActionArg>(
    args: &mut std::vec::IntoIter<Value>,
    action: &str,
    name: &str,
) -> Result<T, Error> {
    super::arg(args, action, name)
}

/// Encodes an argument of a typed client call: [`super::client_arg`], for a checked type.
pub fn encode_arg<T: ClientArg>(value: &T) -> Result<Value, ClientError> {
    super::client_arg(value)
}

/// Encodes an action's result: [`super::output`], for a checked type.
pub fn encode_output<T: ActionOutput>(value: &T) -> Result<Value, Error> {
    super::output(value)
}

/// Calls an action from the typed client and decodes its result into a checked type.
///
/// Boxed, so that the future's type asks nothing more of `T` than this call does.
pub fn call_action<'a, C, T>(
    caller: &'a C,
    name: &'static str,
    args: Vec<Value>,
) -> BoxFuture<'a, Result<T, ClientError>>
where
    C: ActionCaller + ?Sized,
    T: ClientOutput + 'a,
{
    super::boxed(caller.call_action(name, args))
}

/// Turns the error of a fallible action or hook into the framework's error.
pub fn convert_error<T, E: IntoError>(result: Result<T, E>) -> Result<T, Error> {
    result.map_err(Into::into)
}

/// Boxes the future of a user's `async fn` action, which must be `Send`: [`super::boxed`].
///
/// Called on the user's future alone, so that a future that is not `Send` is reported on the
/// action, and the shim around it stays `Send`.
pub fn send_future<'a, F>(future: F) -> BoxFuture<'a, F::Output>
where
    F: Future + Send + 'a,
{
    super::boxed(future)
}

/// A new instance of an actor's state.
pub fn initial_state<A: InitialState>() -> A {
    A::default()
}
