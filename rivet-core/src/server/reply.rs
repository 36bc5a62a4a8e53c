//! Error responses over HTTP.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::message::ActorSpecifier;
use crate::protocol::{Encoding, ErrorBody};
use crate::{Error, RuntimeError};

/// The status for an error: 4xx for what the client did, 5xx for what went wrong here.
pub(super) fn status_of(error: &Error) -> StatusCode {
    if error.is_internal() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    match error.as_runtime() {
        None => StatusCode::BAD_REQUEST,
        Some(runtime) => match runtime {
            RuntimeError::ActionNotFound(_)
            | RuntimeError::ActorNotFound
            | RuntimeError::UnknownActorType(_) => StatusCode::NOT_FOUND,
            RuntimeError::ActionTimedOut | RuntimeError::CallbackTimedOut(_) => {
                StatusCode::REQUEST_TIMEOUT
            }
            RuntimeError::ActorAlreadyExists => StatusCode::CONFLICT,
            RuntimeError::IncomingTooLong => StatusCode::PAYLOAD_TOO_LARGE,
            RuntimeError::ActorStopped => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        },
    }
}

/// A failure found before any actor answered, in JSON (no encoding is known yet, or the route
/// speaks only JSON).
pub(super) fn failure(error: RuntimeError) -> Response {
    error_response(&Error::from(error), None, Encoding::Json)
}

/// A request that axum's extractors refused (a body that is not JSON, a plain GET where an upgrade
/// was expected), answered like any other bad request: 400 `actor.invalid_request`.
pub(super) fn rejected(rejection: impl std::fmt::Display) -> Response {
    failure(RuntimeError::InvalidRequest(rejection.to_string()))
}

/// An error as an HTTP response in `encoding`, with the `x-rivet-error` header; `actor` names
/// the actor that answered, when one did.
pub(super) fn error_response(
    error: &Error,
    actor: Option<ActorSpecifier>,
    encoding: Encoding,
) -> Response {
    let mut body = ErrorBody::new(error, None);
    body.actor = actor;
    let body = encoding.encode_http_error(&body);
    let mut response = (status_of(error), body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&error.qualified_code()) {
        headers.insert("x-rivet-error", value);
    }
    response
}
