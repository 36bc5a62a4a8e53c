//! The actor's side of one connection's transport: a bounded outgoing queue, and the close.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::protocol::{ErrorBody, ToClient};
use crate::{Error, RuntimeError};

/// How a transport is asked to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CloseRequest {
    pub(crate) code: u16,
    pub(crate) reason: String,
    /// Send what is queued first (a normal close) or drop it (a client that stopped reading).
    pub(crate) flush: bool,
}

/// Connections closed by the actor itself, waiting for their `on_disconnect`.
pub(crate) type ClosingList = Arc<Mutex<Vec<crate::ConnId>>>;

/// A cheap handle on one connection's transport, shared by the actor and the socket tasks.
#[derive(Clone)]
pub(crate) struct ConnLink {
    inner: Arc<LinkInner>,
}

struct LinkInner {
    id: crate::ConnId,
    /// `None` for the short-lived connection of an HTTP action, which receives no events.
    queue: Option<mpsc::Sender<ToClient>>,
    /// Messages sent while `on_connect` runs wait here, so that Init goes first.
    held: Mutex<Option<Vec<ToClient>>>,
    closing: AtomicBool,
    close: watch::Sender<Option<CloseRequest>>,
    gone: watch::Sender<bool>,
    closing_list: Mutex<Option<ClosingList>>,
    close_timeout: Duration,
    /// Messages of this connection in the actor's mailbox or being handled (see [`Pending`]).
    pending: Arc<AtomicUsize>,
}

/// One message of a connection waiting for its actor, counted until it is handled or dropped:
/// this bounds what one connection can queue in the actor's mailbox.
#[derive(Debug)]
pub(crate) struct Pending(Arc<AtomicUsize>);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket's side of a [`ConnLink`].
pub(crate) struct LinkTransport {
    pub(crate) queue: mpsc::Receiver<ToClient>,
    pub(crate) close: watch::Receiver<Option<CloseRequest>>,
    pub(crate) gone: watch::Sender<bool>,
}

impl ConnLink {
    /// A link for a socket, and the receiving ends for its writer.
    pub(crate) fn socket(
        id: crate::ConnId,
        capacity: usize,
        close_timeout: Duration,
    ) -> (Self, LinkTransport) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let link = Self::new(id, Some(tx), close_timeout);
        let transport = LinkTransport {
            queue: rx,
            close: link.inner.close.subscribe(),
            gone: link.inner.gone.clone(),
        };
        (link, transport)
    }

    /// A link for the short-lived connection of an HTTP action: it sends nothing.
    pub(crate) fn http(id: crate::ConnId) -> Self {
        Self::new(id, None, Duration::ZERO)
    }

    fn new(
        id: crate::ConnId,
        queue: Option<mpsc::Sender<ToClient>>,
        close_timeout: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(LinkInner {
                id,
                queue,
                held: Mutex::new(None),
                closing: AtomicBool::new(false),
                close: watch::Sender::new(None),
                gone: watch::Sender::new(false),
                closing_list: Mutex::new(None),
                close_timeout,
                pending: Arc::default(),
            }),
        }
    }

    pub(crate) fn id(&self) -> &crate::ConnId {
        &self.inner.id
    }

    /// Counts one more message waiting for the actor; `None` when `max` are waiting already.
    pub(crate) fn enqueue(&self, max: usize) -> Option<Pending> {
        let pending = &self.inner.pending;
        if pending.fetch_add(1, Ordering::AcqRel) >= max {
            pending.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Pending(pending.clone()))
    }

    /// Whether the actor or the transport ended this connection.
    pub(crate) fn is_closing(&self) -> bool {
        self.inner.closing.load(Ordering::Acquire) || *self.inner.gone.borrow()
    }

    /// Whether the transport is gone (the client left or the close finished).
    pub(crate) fn is_gone(&self) -> bool {
        *self.inner.gone.borrow()
    }

    /// Sends from now on are held until [`ConnLink::release`].
    pub(crate) fn hold(&self, closing_list: ClosingList) {
        *self.inner.held.lock().expect("link lock") = Some(Vec::new());
        *self.inner.closing_list.lock().expect("link lock") = Some(closing_list);
    }

    /// Sends `first`, then everything held, and stops holding.
    pub(crate) fn release(&self, first: ToClient) {
        let held = self
            .inner
            .held
            .lock()
            .expect("link lock")
            .take()
            .unwrap_or_default();
        self.push(first);
        for message in held {
            self.push(message);
        }
    }

    /// Queues a message; a client whose queue is full is closed rather than waited for.
    pub(crate) fn send(&self, message: ToClient) {
        if self.inner.closing.load(Ordering::Acquire) {
            return;
        }
        {
            let mut held = self.inner.held.lock().expect("link lock");
            if let Some(held) = held.as_mut() {
                held.push(message);
                return;
            }
        }
        self.push(message);
    }

    fn push(&self, message: ToClient) {
        let Some(queue) = &self.inner.queue else {
            return;
        };
        match queue.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn.id = %self.inner.id, "outgoing queue full, closing the connection");
                let error = Error::from(RuntimeError::OutgoingQueueFull);
                self.request_close(1011, error.qualified_code(), false);
            }
            // The transport is gone; the actor hears of it through its mailbox.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Sends an error for the connection as a whole, then closes with 1011 and `group.code`.
    pub(crate) fn fail(&self, error: &Error) {
        self.inner.held.lock().expect("link lock").take();
        self.push(ToClient::from(ErrorBody::new(error, None)));
        self.request_close(1011, error.qualified_code(), true);
    }

    /// Asks the transport to close; the first request wins.
    pub(crate) fn request_close(&self, code: u16, reason: String, flush: bool) {
        if self.inner.closing.swap(true, Ordering::AcqRel) {
            return;
        }
        self.inner.close.send_replace(Some(CloseRequest {
            code,
            reason,
            flush,
        }));
        if let Some(list) = self.inner.closing_list.lock().expect("link lock").as_ref() {
            list.lock()
                .expect("closing list lock")
                .push(self.inner.id.clone());
        }
        if self.inner.queue.is_none() {
            self.inner.gone.send_replace(true);
        }
    }

    /// The reason the connection was closed with, empty when it was not.
    pub(crate) fn close_reason(&self) -> String {
        self.inner
            .close
            .borrow()
            .as_ref()
            .map(|request| request.reason.clone())
            .unwrap_or_default()
    }

    /// Resolves once the transport is gone, or after the close timeout.
    pub(crate) fn closed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut gone = self.inner.gone.subscribe();
        let deadline = self.inner.close_timeout;
        async move {
            // A little past the writer's own deadline, which drops the socket at that point.
            let wait = gone.wait_for(|gone| *gone);
            let _ = tokio::time::timeout(deadline + Duration::from_millis(250), wait).await;
        }
    }
}
