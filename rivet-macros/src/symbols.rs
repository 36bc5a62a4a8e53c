//! Every name the macro recognises, in one place for the parser and the messages alike.

/// The hook run before a connection is accepted.
pub(crate) const ON_BEFORE_CONNECT: &str = "on_before_connect";
/// The hook that makes a connection's state.
pub(crate) const CREATE_CONN_STATE: &str = "create_conn_state";
/// The hook run when a connection has joined.
pub(crate) const ON_CONNECT: &str = "on_connect";
/// The hook run when a joined connection leaves.
pub(crate) const ON_DISCONNECT: &str = "on_disconnect";

/// The attribute that marks an action.
pub(crate) const ACTION: &str = "action";
/// The option of `#[action(...)]`.
pub(crate) const ACTION_NAME: &str = "name";

/// The wire name option of `#[actor(...)]` on the struct.
pub(crate) const OPT_NAME: &str = "name";
/// The constant connection state option of `#[actor(...)]` on the struct.
pub(crate) const OPT_CONN_STATE: &str = "conn_state";
/// The runtime crate's path, on the struct and on the impl block.
pub(crate) const OPT_CRATE: &str = "crate";
/// All options of `#[actor(...)]` on the struct.
pub(crate) const STRUCT_OPTIONS: [&str; 3] = [OPT_NAME, OPT_CONN_STATE, OPT_CRATE];
/// All options of `#[actor(...)]` on the impl block.
pub(crate) const IMPL_OPTIONS: [&str; 1] = [OPT_CRATE];

/// The type of the context parameter, recognised by the last segment of its path.
pub(crate) const CTX: &str = "Ctx";
/// The type of a connection, for the message about a `conn` parameter on a hook.
pub(crate) const CONN: &str = "Conn";

/// Method names that the typed client's handles and connections already have, through inherent
/// methods or traits in the prelude: a client method of that name would be hidden behind them
/// or make calls ambiguous.
pub(crate) const RESERVED_CLIENT_NAMES: [&str; 18] = [
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
    "clone",
    "clone_from",
    "to_owned",
    "into",
    "try_into",
    "drop",
];

/// `` `a`, `b` or `c` `` (with `conjunction` = `or`), for messages that list names.
pub(crate) fn list(names: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}
