//! Every name the macro recognises, in one place for the parser and the messages alike.

/// The hook run before a connection is accepted.
pub(crate) const ON_BEFORE_CONNECT: &str = "on_before_connect";
/// The hook that makes a connection's state.
pub(crate) const CREATE_CONN_STATE: &str = "create_conn_state";
/// The hook run when a connection has joined.
pub(crate) const ON_CONNECT: &str = "on_connect";
/// The hook run when a joined connection leaves.
pub(crate) const ON_DISCONNECT: &str = "on_disconnect";

/// The hooks, found by name.
pub(crate) const HOOKS: [&str; 4] = [
    ON_BEFORE_CONNECT,
    CREATE_CONN_STATE,
    ON_CONNECT,
    ON_DISCONNECT,
];

/// The attribute that marks an action.
pub(crate) const ACTION: &str = "action";

/// Options of `#[actor(...)]` on the struct.
pub(crate) const OPT_NAME: &str = "name";
/// The constant connection state option.
pub(crate) const OPT_CONN_STATE: &str = "conn_state";
/// All options of `#[actor(...)]` on the struct.
pub(crate) const STRUCT_OPTIONS: [&str; 2] = [OPT_NAME, OPT_CONN_STATE];

/// Method names the typed client's handles and connections have already: an action of that
/// name would be hidden behind them.
pub(crate) const RESERVED_CLIENT_NAMES: [&str; 12] = [
    "call_action",
    "resolve",
    "connect",
    "connect_with",
    "with_params",
    "action_raw",
    "events",
    "closed",
    "close_info",
    "disconnect",
    "actor_id",
    "connection_id",
];
