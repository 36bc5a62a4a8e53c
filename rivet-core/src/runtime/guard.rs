//! Runs user code under a deadline, turning panics into internal errors.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt;

use crate::{Error, RuntimeError};

/// Awaits `future` for at most `deadline`; a timeout becomes `on_timeout`, a panic an internal
/// error (logged with its message).
pub(crate) async fn guarded<T>(
    deadline: Duration,
    on_timeout: RuntimeError,
    future: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(deadline, AssertUnwindSafe(future).catch_unwind()).await {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => {
            let message = panic_message(&*panic);
            tracing::error!(panic = %message, "user code panicked");
            Err(Error::internal(format_args!("panic: {message}")))
        }
        Err(_elapsed) => Err(on_timeout.into()),
    }
}

/// Calls `start`, which may run user code before handing back a future, turning a panic into
/// an internal error (logged with its message), as [`guarded`] does for the future.
pub(crate) fn started<T>(start: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(AssertUnwindSafe(start)).map_err(|panic| {
        let message = panic_message(&*panic);
        tracing::error!(panic = %message, "user code panicked");
        Error::internal(format_args!("panic: {message}"))
    })
}

/// Awaits `future`, which cannot fail, logging a panic.
pub(crate) async fn caught(future: impl Future<Output = ()>) {
    if let Err(panic) = AssertUnwindSafe(future).catch_unwind().await {
        tracing::error!(panic = %panic_message(&*panic), "user code panicked");
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "non-text panic payload"
    }
}
