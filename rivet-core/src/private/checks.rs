//! Compile-time checks that `#[actor]` generates, spanned on the user's tokens.

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
    label = "`create_conn_state` is here, and the struct's `#[actor]` declares `conn_state` too",
    note = "keep one: the `create_conn_state` hook, or the `conn_state` constant"
)]
pub trait NoConstConnState {}

impl NoConstConnState for Undeclared {}

/// A compile-time check that the struct declares no constant connection state.
pub fn assert_single_conn_state<K: NoConstConnState>() {}
