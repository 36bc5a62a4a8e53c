//! The error an actor returns to its clients, and the runtime's own error codes.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// The group of errors raised by user code with [`Error::user`].
pub const USER_GROUP: &str = "user";

/// The message every internal error shows to clients: details stay in the server log.
pub const INTERNAL_MESSAGE: &str = "An internal error occurred";

/// An error returned by a hook or an action, as its client will see it.
///
/// Two kinds exist:
///
/// - **user errors**, made with [`Error::user`]: the client receives group `user`, the code, the
///   message and the metadata exactly as written;
/// - **internal errors**: anything else, converted with `?` from any [`std::error::Error`] or made
///   with [`Error::internal`]. The client only sees `rivetkit.internal_error` "An internal error
///   occurred"; the detail goes to the server log.
///
/// The runtime's own failures ([`RuntimeError`]) keep their public `group.code`.
///
/// ```
/// use rivet_core::Error;
///
/// let err = Error::user("forbidden", "Invalid auth token").with_metadata(&["why", "token"]);
/// assert_eq!((err.group(), err.code()), ("user", "forbidden"));
/// assert_eq!(err.message(), "Invalid auth token");
///
/// let hidden: Error = std::io::Error::other("disk on fire").into();
/// assert_eq!(hidden.code(), "internal_error");
/// assert_eq!(hidden.message(), "An internal error occurred");
/// ```
pub struct Error {
    repr: Box<Repr>,
}

enum Repr {
    User {
        group: Cow<'static, str>,
        code: Cow<'static, str>,
        message: Cow<'static, str>,
        metadata: Option<Value>,
    },
    Runtime(RuntimeError),
    Internal(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl Error {
    /// A user error: reaches the client as group `user` with this code and message.
    pub fn user(code: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self::public(USER_GROUP, code, message)
    }

    /// A public error with a group of its own, such as `connection.custom_error`: like a user
    /// error, it reaches the client as written.
    ///
    /// ```
    /// let err = rivet_core::Error::public("connection", "custom_error", "Test error");
    /// assert_eq!(err.qualified_code(), "connection.custom_error");
    /// ```
    pub fn public(
        group: impl Into<Cow<'static, str>>,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::from_repr(Repr::User {
            group: group.into(),
            code: code.into(),
            message: message.into(),
            metadata: None,
        })
    }

    /// An internal error with a detail for the server log; the client sees only
    /// `rivetkit.internal_error`.
    ///
    /// ```
    /// let err = rivet_core::Error::internal("database unreachable");
    /// assert_eq!(err.message(), "An internal error occurred");
    /// ```
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::from_repr(Repr::Internal(detail.to_string().into()))
    }

    /// Attaches metadata to a user or public error; the client receives it as is. Ignored on
    /// internal and runtime errors, which never show details to clients.
    ///
    /// ```
    /// let err = rivet_core::Error::user("quota_exceeded", "quota exceeded")
    ///     .with_metadata(&serde_json::json!({"limit": 20}));
    /// assert_eq!(err.metadata(), Some(&serde_json::json!({"limit": 20})));
    /// ```
    pub fn with_metadata(mut self, metadata: &impl Serialize) -> Self {
        if let Repr::User { metadata: slot, .. } = &mut *self.repr {
            // A value that cannot become JSON (a map with non-string keys) is dropped rather than
            // failing the error itself.
            *slot = serde_json::to_value(metadata).ok();
        }
        self
    }

    fn from_repr(repr: Repr) -> Self {
        Self {
            repr: Box::new(repr),
        }
    }

    /// The public group: `user`, a runtime group such as `actor`, or `rivetkit` for internal
    /// errors.
    pub fn group(&self) -> &str {
        match &*self.repr {
            Repr::User { group, .. } => group,
            Repr::Runtime(err) => err.group(),
            Repr::Internal(_) => "rivetkit",
        }
    }

    /// The public code, such as `forbidden` or `action_not_found`.
    pub fn code(&self) -> &str {
        match &*self.repr {
            Repr::User { code, .. } => code,
            Repr::Runtime(err) => err.code(),
            Repr::Internal(_) => "internal_error",
        }
    }

    /// The message the client sees.
    pub fn message(&self) -> Cow<'_, str> {
        match &*self.repr {
            Repr::User { message, .. } => Cow::Borrowed(message),
            Repr::Runtime(err) => Cow::Owned(err.to_string()),
            Repr::Internal(_) => Cow::Borrowed(INTERNAL_MESSAGE),
        }
    }

    /// The metadata the client sees, on user errors only.
    pub fn metadata(&self) -> Option<&Value> {
        match &*self.repr {
            Repr::User { metadata, .. } => metadata.as_ref(),
            _ => None,
        }
    }

    /// True for internal errors, whose detail is hidden from clients.
    pub fn is_internal(&self) -> bool {
        matches!(&*self.repr, Repr::Internal(_))
    }

    /// The runtime error behind this one, if it is one.
    pub fn as_runtime(&self) -> Option<&RuntimeError> {
        match &*self.repr {
            Repr::Runtime(err) => Some(err),
            _ => None,
        }
    }

    /// `group.code`, the form used as a WebSocket close reason.
    pub fn qualified_code(&self) -> String {
        format!("{}.{}", self.group(), self.code())
    }
}

impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(err: E) -> Self {
        let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = Box::new(err);
        // The runtime's own errors keep their public code; everything else is internal.
        match boxed.downcast::<RuntimeError>() {
            Ok(runtime) => Self::from_repr(Repr::Runtime(*runtime)),
            Err(other) => Self::from_repr(Repr::Internal(other)),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::User {
                group,
                code,
                message,
                metadata,
            } => f
                .debug_struct("User")
                .field("group", group)
                .field("code", code)
                .field("message", message)
                .field("metadata", metadata)
                .finish(),
            Repr::Runtime(err) => f.debug_tuple("Runtime").field(err).finish(),
            Repr::Internal(err) => f.debug_tuple("Internal").field(err).finish(),
        }
    }
}

/// Shows the full detail, internal errors included: for server logs, never for clients.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::User {
                group,
                code,
                message,
                ..
            } => write!(f, "{group}.{code}: {message}"),
            Repr::Runtime(err) => write!(f, "{}.{}: {err}", err.group(), err.code()),
            Repr::Internal(err) => write!(f, "internal error: {err}"),
        }
    }
}

/// Failures raised by the runtime itself, each with a stable public `group.code`.
///
/// ```
/// use rivet_core::RuntimeError;
///
/// let err = RuntimeError::ActionNotFound("noSuchAction".into());
/// assert_eq!((err.group(), err.code()), ("actor", "action_not_found"));
/// assert_eq!(err.to_string(), "Action `noSuchAction` was not found.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// `actor.action_not_found`: no action of that name.
    #[error("Action `{0}` was not found.")]
    ActionNotFound(String),
    /// `actor.action_timed_out`: the action ran past its deadline.
    #[error("Action timed out.")]
    ActionTimedOut,
    /// `actor.callback_timed_out`: a connection hook ran past its deadline.
    #[error("Callback `{0}` timed out.")]
    CallbackTimedOut(&'static str),
    /// `actor.invalid_request`: a message or request that cannot be understood.
    #[error("Invalid request: {0}")]
    InvalidRequest(String),
    /// `actor.invalid_arguments`: arguments of the wrong shape for an action.
    #[error("Invalid arguments for action `{action}`: {detail}")]
    InvalidArguments {
        /// The action's wire name.
        action: String,
        /// What was wrong, without the values themselves.
        detail: String,
    },
    /// `actor.invalid_params`: connection params that do not decode into the actor's type.
    #[error("Invalid connection params: {0}")]
    InvalidParams(String),
    /// `actor.not_found`: no such actor.
    #[error("The actor does not exist or was destroyed.")]
    ActorNotFound,
    /// `actor.unknown_actor_type`: no actor type of that name is registered.
    #[error("No actor type named `{0}` is registered.")]
    UnknownActorType(String),
    /// `actor.already_exists`: `create` with a key that is taken.
    #[error("An actor with this key already exists.")]
    ActorAlreadyExists,
    /// `actor.unsupported_websocket_encoding`: an encoding the server does not speak.
    #[error("Unsupported encoding `{0}`.")]
    UnsupportedEncoding(String),
    /// `message.incoming_too_long`: a message over the incoming limit.
    #[error("Incoming message too long.")]
    IncomingTooLong,
    /// `message.outgoing_too_long`: a response over the outgoing limit.
    #[error("Outgoing message too long.")]
    OutgoingTooLong,
    /// `connection.outgoing_queue_full`: the client stopped reading and its queue filled up.
    #[error("The connection stopped reading and its outgoing queue is full.")]
    OutgoingQueueFull,
    /// `connection.too_many_pending_messages`: the connection has as many messages waiting for
    /// its actor as `Limits::max_pending_messages` allows.
    #[error("Too many messages of this connection are waiting for the actor.")]
    TooManyPending,
    /// `connection.disconnected`: the actor closed the connection before the call could run.
    #[error("The connection was closed: {0}")]
    Disconnected(String),
    /// `actor.stopped`: the actor is shutting down.
    #[error("The actor stopped.")]
    ActorStopped,
}

impl RuntimeError {
    /// The public group.
    pub fn group(&self) -> &'static str {
        match self {
            Self::IncomingTooLong | Self::OutgoingTooLong => "message",
            Self::OutgoingQueueFull | Self::TooManyPending | Self::Disconnected(_) => "connection",
            _ => "actor",
        }
    }

    /// The public code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ActionNotFound(_) => "action_not_found",
            Self::ActionTimedOut => "action_timed_out",
            Self::CallbackTimedOut(_) => "callback_timed_out",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidArguments { .. } => "invalid_arguments",
            Self::InvalidParams(_) => "invalid_params",
            Self::ActorNotFound => "not_found",
            Self::ActorAlreadyExists => "already_exists",
            Self::UnknownActorType(_) => "unknown_actor_type",
            Self::UnsupportedEncoding(_) => "unsupported_websocket_encoding",
            Self::IncomingTooLong => "incoming_too_long",
            Self::OutgoingTooLong => "outgoing_too_long",
            Self::OutgoingQueueFull => "outgoing_queue_full",
            Self::TooManyPending => "too_many_pending_messages",
            Self::Disconnected(_) => "disconnected",
            Self::ActorStopped => "stopped",
        }
    }
}
