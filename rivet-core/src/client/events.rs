//! Events of a connection: typed streams, and the router that hands each event to the streams of
//! its name.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::Stream;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use super::connection::Shared;
use crate::protocol::Value as WireValue;
use crate::protocol::message::EventBody;

/// How many events that arrived before any stream of their name may wait for one, all names
/// together; beyond that the oldest are dropped.
pub(super) const BACKLOG_CAPACITY: usize = 1024;

type Sender = mpsc::UnboundedSender<Arc<EventBody>>;
type Receiver = mpsc::UnboundedReceiver<Arc<EventBody>>;

/// The events of one name, decoded into `T`, in the order the server sent them.
///
/// Made by [`Connection::events`](super::Connection::events). Each item is the event's payload:
/// the first of its arguments (`null` when it has none), which is what the server's
/// `broadcast(name, &payload)` and `send(name, &payload)` write. An event whose payload does not
/// decode into `T` is skipped, with a debug log.
///
/// The stream ends when the connection closes, after the events already received. Dropping the
/// last stream of a name unsubscribes from it.
///
/// ```no_run
/// use futures::StreamExt;
/// use rivet_core::Actor;
/// use rivet_core::client::Connection;
///
/// # #[allow(dead_code)] // only compiled
/// async fn print_messages<A: Actor>(conn: &Connection<A>) {
///     let mut messages = conn.events::<String>("message");
///     while let Some(line) = messages.next().await {
///         println!("{line}");
///     }
/// }
/// ```
pub struct EventStream<T> {
    names: Vec<String>,
    /// Items are decoded from `{name: payload}` (a stream of several names, see
    /// [`Connection::events_of`](super::Connection::events_of)) rather than from the payload.
    tagged: bool,
    id: u64,
    receiver: Receiver,
    shared: Arc<Shared>,
    _item: PhantomData<fn() -> T>,
}

impl<T> EventStream<T> {
    pub(super) fn new(
        names: Vec<String>,
        tagged: bool,
        registration: Registration,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            names,
            tagged,
            id: registration.id,
            receiver: registration.receiver,
            shared,
            _item: PhantomData,
        }
    }

    /// The event name this stream receives (the first of them, for a stream of several).
    pub fn name(&self) -> &str {
        &self.names[0]
    }

    /// Every event name this stream receives.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("names", &self.names)
            .field("item", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        loop {
            let Some(event) = ready!(this.receiver.poll_recv(cx)) else {
                return Poll::Ready(None);
            };
            let mut payload = event.args.first().cloned().unwrap_or(WireValue::Null);
            if this.tagged {
                // The shape serde gives an externally tagged enum: the variant names the event.
                payload = WireValue::Map(vec![(WireValue::Text(event.name.clone()), payload)]);
            }
            match crate::protocol::value::decode(payload) {
                Ok(item) => return Poll::Ready(Some(item)),
                // The error's text may quote the payload: log its kind only.
                Err(_) => tracing::debug!(
                    event.name = %event.name,
                    expected = std::any::type_name::<T>(),
                    "event skipped: its payload does not decode",
                ),
            }
        }
    }
}

impl<T> Drop for EventStream<T> {
    fn drop(&mut self) {
        for name in &self.names {
            self.shared.drop_stream(name, self.id);
        }
    }
}

/// A new stream's side of the router.
#[derive(Debug)]
pub(super) struct Registration {
    id: u64,
    receiver: Receiver,
    /// The names of which this is the first stream: the server must be asked for their events.
    pub(super) subscribe: Vec<String>,
}

/// Who receives which event: the streams of each name, and the events that came before any.
#[derive(Debug, Default)]
pub(super) struct EventRouter {
    streams: HashMap<String, Vec<(u64, Sender)>>,
    next_id: u64,
    /// Events of names that never had a stream, oldest first.
    backlog: VecDeque<Arc<EventBody>>,
    /// Names that have had a stream: their later events are not kept for a future one.
    claimed: HashSet<String>,
    closed: bool,
}

impl EventRouter {
    /// Adds a stream for the events of `names`, which first receives their waiting events, in
    /// the order they came.
    pub(super) fn add(&mut self, names: &[&str]) -> Registration {
        let id = self.next_id;
        self.next_id += 1;
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut kept = VecDeque::with_capacity(self.backlog.len());
        for event in self.backlog.drain(..) {
            if names.contains(&event.name.as_str()) {
                // The receiver is alive: it is still in this function.
                let _ = sender.send(event);
            } else {
                kept.push_back(event);
            }
        }
        self.backlog = kept;
        self.claimed
            .extend(names.iter().map(|name| (*name).to_owned()));
        let mut subscribe = Vec::new();
        if self.closed {
            // Dropping the sender ends the stream after what it already holds.
            return Registration {
                id,
                receiver,
                subscribe,
            };
        }
        for &name in names {
            let streams = self.streams.entry(name.to_owned()).or_default();
            if streams.iter().any(|(stream, _)| *stream == id) {
                // A name given twice.
                continue;
            }
            if streams.is_empty() {
                subscribe.push(name.to_owned());
            }
            streams.push((id, sender.clone()));
        }
        Registration {
            id,
            receiver,
            subscribe,
        }
    }

    /// Removes a stream; true when it was the last of its name, which should then be
    /// unsubscribed.
    pub(super) fn remove(&mut self, name: &str, id: u64) -> bool {
        let Some(streams) = self.streams.get_mut(name) else {
            return false;
        };
        let before = streams.len();
        streams.retain(|(stream, _)| *stream != id);
        if streams.len() == before {
            return false;
        }
        if streams.is_empty() {
            self.streams.remove(name);
            return !self.closed;
        }
        false
    }

    /// Hands an event to every stream of its name, or keeps it for the first one.
    pub(super) fn dispatch(&mut self, event: Arc<EventBody>) {
        if let Some(streams) = self.streams.get(&event.name) {
            for (_, sender) in streams {
                // A stream being dropped removes itself under the same lock; a failed send can
                // only race with that.
                let _ = sender.send(event.clone());
            }
        } else if self.claimed.contains(&event.name) {
            tracing::debug!(event.name = %event.name, "event dropped: no stream listens to it");
        } else {
            if self.backlog.len() >= BACKLOG_CAPACITY {
                self.backlog.pop_front();
                tracing::debug!("event backlog full: dropped the oldest event");
            }
            self.backlog.push_back(event);
        }
    }

    /// The connection closed: every stream ends after what it holds, and later streams get only
    /// the backlog.
    pub(super) fn close(&mut self) {
        self.closed = true;
        self.streams.clear();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::protocol::value;

    fn event(name: &str, payload: Value) -> Arc<EventBody> {
        Arc::new(EventBody::new(name, vec![value::from_json(payload)]))
    }

    fn drain(registration: &mut Registration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(event) = registration.receiver.try_recv() {
            out.push(value::to_json(event.args[0].clone()));
        }
        out
    }

    #[test]
    fn the_first_stream_of_a_name_subscribes_and_the_last_unsubscribes() {
        let mut router = EventRouter::default();
        let first = router.add(&["message"]);
        let second = router.add(&["message"]);
        assert_eq!(first.subscribe, ["message"]);
        assert!(second.subscribe.is_empty());
        assert!(!router.remove("message", first.id));
        assert!(router.remove("message", second.id));
        assert!(
            !router.remove("message", second.id),
            "removing twice is harmless"
        );
        assert!(
            !router.add(&["message"]).subscribe.is_empty(),
            "a new stream subscribes again"
        );
    }

    #[test]
    fn a_stream_of_several_names_gets_their_events_in_order_backlog_first() {
        let mut router = EventRouter::default();
        router.dispatch(event("b", json!(1)));
        router.dispatch(event("other", json!(2)));
        router.dispatch(event("a", json!(3)));
        let mut both = router.add(&["a", "b", "a"]);
        assert_eq!(both.subscribe, ["a", "b"], "each name once");
        router.dispatch(event("a", json!(4)));
        router.dispatch(event("b", json!(5)));
        router.dispatch(event("a", json!(6)));
        assert_eq!(
            drain(&mut both),
            vec![json!(1), json!(3), json!(4), json!(5), json!(6)]
        );
        let mut other = router.add(&["other"]);
        assert_eq!(drain(&mut other), vec![json!(2)]);
        assert!(router.remove("a", both.id), "the last stream of `a`");
        assert!(!router.remove("a", both.id), "removed once");
        assert!(router.remove("b", both.id), "the last stream of `b`");
    }

    #[test]
    fn every_stream_of_a_name_gets_every_event() {
        let mut router = EventRouter::default();
        let mut a = router.add(&["message"]);
        let mut b = router.add(&["message"]);
        let mut other = router.add(&["other"]);
        router.dispatch(event("message", json!(1)));
        router.dispatch(event("message", json!(2)));
        assert_eq!(drain(&mut a), vec![json!(1), json!(2)]);
        assert_eq!(drain(&mut b), vec![json!(1), json!(2)]);
        assert!(drain(&mut other).is_empty());
    }

    #[test]
    fn early_events_wait_for_the_first_stream_in_order() {
        let mut router = EventRouter::default();
        router.dispatch(event("welcome", json!("a")));
        router.dispatch(event("other", json!("x")));
        router.dispatch(event("welcome", json!("b")));
        let mut first = router.add(&["welcome"]);
        assert_eq!(drain(&mut first), vec![json!("a"), json!("b")]);
        let mut second = router.add(&["welcome"]);
        assert!(
            drain(&mut second).is_empty(),
            "the backlog goes to the first stream only"
        );
        let mut other = router.add(&["other"]);
        assert_eq!(drain(&mut other), vec![json!("x")]);
    }

    #[test]
    fn names_that_had_a_stream_keep_no_backlog() {
        let mut router = EventRouter::default();
        let stream = router.add(&["message"]);
        assert!(router.remove("message", stream.id));
        router.dispatch(event("message", json!(1)));
        let mut later = router.add(&["message"]);
        assert!(drain(&mut later).is_empty());
    }

    #[test]
    fn the_backlog_drops_its_oldest_events_when_full() {
        let mut router = EventRouter::default();
        for n in 0..BACKLOG_CAPACITY + 5 {
            router.dispatch(event("tick", json!(n)));
        }
        let mut stream = router.add(&["tick"]);
        let got = drain(&mut stream);
        assert_eq!(got.len(), BACKLOG_CAPACITY);
        assert_eq!(got[0], json!(5));
        assert_eq!(got[BACKLOG_CAPACITY - 1], json!(BACKLOG_CAPACITY + 4));
    }

    #[test]
    fn closing_ends_streams_after_their_events() {
        let mut router = EventRouter::default();
        let mut live = router.add(&["message"]);
        router.dispatch(event("message", json!(1)));
        router.dispatch(event("late", json!(2)));
        router.close();
        assert_eq!(
            value::to_json(live.receiver.try_recv().unwrap().args[0].clone()),
            json!(1)
        );
        assert!(matches!(
            live.receiver.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
        let mut after = router.add(&["late"]);
        assert!(after.subscribe.is_empty());
        assert_eq!(
            value::to_json(after.receiver.try_recv().unwrap().args[0].clone()),
            json!(2)
        );
        assert!(matches!(
            after.receiver.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
        assert!(
            !router.remove("message", live.id),
            "no unsubscribe after the close"
        );
    }
}
