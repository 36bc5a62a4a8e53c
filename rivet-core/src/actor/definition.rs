//! The `Actor` trait, implemented by `#[actor]`.

use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Ctx, Error};

/// A type served as an actor. Implemented by `#[actor]` on the struct and its `impl` block;
/// never by hand.
///
/// ```
/// use rivet_core::prelude::*;
///
/// #[actor]
/// #[derive(Default, Serialize, Deserialize)]
/// struct Counter {
///     count: i64,
/// }
///
/// #[actor]
/// impl Counter {
///     #[action]
///     fn increment(&mut self, _ctx: &Ctx<Self>, by: i64) -> i64 {
///         self.count += by;
///         self.count
///     }
/// }
///
/// assert_eq!(<Counter as Actor>::NAME, "counter");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an actor",
    label = "not an actor",
    note = "add `#[actor]` to both the struct `{Self}` and its `impl` block"
)]
pub trait Actor: Serialize + DeserializeOwned + Send + Sized + 'static {
    /// The name clients use for this actor type (`chatRoom`).
    const NAME: &'static str;

    /// The connection parameters, decoded from the client's JSON. `serde_json::Value` when no
    /// hook names a type.
    type ConnParams: DeserializeOwned + Send + Sync + 'static;

    /// The state of each connection; [`NoConnState`] when the actor declares none.
    type ConnState: Send + Sync + 'static;

    /// Whether the actor declared connection state: `__private::Declared` or
    /// `__private::Undeclared`.
    #[doc(hidden)]
    type ConnStateKind;

    #[doc(hidden)]
    fn __new() -> Self;

    #[doc(hidden)]
    fn __on_before_connect<'a>(
        &'a self,
        ctx: &'a Ctx<Self>,
        params: &'a Self::ConnParams,
    ) -> BoxFuture<'a, Result<(), Error>>;

    #[doc(hidden)]
    fn __create_conn_state<'a>(
        &'a self,
        ctx: &'a Ctx<Self>,
        params: &'a Self::ConnParams,
        raw_params: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<Self::ConnState, Error>>;

    #[doc(hidden)]
    fn __on_connect<'a>(&'a mut self, ctx: &'a mut Ctx<Self>) -> BoxFuture<'a, Result<(), Error>>;

    #[doc(hidden)]
    fn __on_disconnect<'a>(&'a mut self, ctx: &'a mut Ctx<Self>) -> BoxFuture<'a, ()>;

    /// The action of that wire name, or `None` when there is none.
    #[doc(hidden)]
    fn __dispatch<'a>(
        &'a mut self,
        ctx: &'a mut Ctx<Self>,
        action: &str,
        args: Vec<crate::__private::Value>,
    ) -> Option<BoxFuture<'a, Result<crate::__private::Value, Error>>>;
}

/// The connection state of an actor that declares none. It has no fields: an actor without a
/// `create_conn_state` hook or a `conn_state` constant cannot reach a connection's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoConnState;
