//! The live actor instances, by name and key and by id; each is created on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;

use super::{Command, instance};
use crate::actor::InstanceInfo;
use crate::{Actor, ActorOptions, RuntimeError};

/// A registered actor type, with its type erased.
pub(crate) trait Definition: Send + Sync {
    fn spawn(&self, info: Arc<InstanceInfo>) -> mpsc::UnboundedSender<Command>;
}

pub(crate) struct TypedDefinition<A> {
    pub(crate) options: ActorOptions,
    pub(crate) _actor: std::marker::PhantomData<fn() -> A>,
}

impl<A: Actor> Definition for TypedDefinition<A> {
    fn spawn(&self, info: Arc<InstanceInfo>) -> mpsc::UnboundedSender<Command> {
        instance::spawn::<A>(info, self.options.clone())
    }
}

/// One live instance.
#[derive(Debug)]
pub(crate) struct InstanceEntry {
    pub(crate) id: Arc<str>,
    pub(crate) name: &'static str,
    pub(crate) key: Vec<String>,
    /// Milliseconds since the epoch.
    pub(crate) create_ts: u64,
    pub(crate) mailbox: mpsc::UnboundedSender<Command>,
}

/// How a lookup by name and key behaves when nothing is found, or something is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Find it, or fail with `actor.not_found`.
    Get,
    /// Find it or create it.
    GetOrCreate,
    /// Create it, or fail with `actor.already_exists`.
    Create,
}

#[derive(Default)]
struct Instances {
    by_key: HashMap<(&'static str, Vec<String>), Arc<InstanceEntry>>,
    by_id: HashMap<Arc<str>, Arc<InstanceEntry>>,
}

/// The actor types a server knows and their live instances.
pub(crate) struct Directory {
    definitions: HashMap<&'static str, Box<dyn Definition>>,
    instances: Mutex<Instances>,
}

impl Directory {
    pub(crate) fn new(definitions: HashMap<&'static str, Box<dyn Definition>>) -> Self {
        Self {
            definitions,
            instances: Mutex::default(),
        }
    }

    /// Finds, or creates, the instance of `name` with `key`; the flag says whether it was
    /// created by this call.
    pub(crate) fn lookup(
        &self,
        name: &str,
        key: Vec<String>,
        mode: Lookup,
    ) -> Result<(Arc<InstanceEntry>, bool), RuntimeError> {
        let (&name, definition) = self
            .definitions
            .get_key_value(name)
            .ok_or_else(|| RuntimeError::UnknownActorType(name.to_owned()))?;
        let mut instances = self.instances.lock().expect("directory lock");
        if let Some(entry) = instances.by_key.get(&(name, key.clone())) {
            return match mode {
                Lookup::Create => Err(RuntimeError::ActorAlreadyExists),
                Lookup::Get | Lookup::GetOrCreate => Ok((entry.clone(), false)),
            };
        }
        if mode == Lookup::Get {
            return Err(RuntimeError::ActorNotFound);
        }
        let id: Arc<str> = new_actor_id().into();
        let info = Arc::new(InstanceInfo {
            id: id.clone(),
            key: key.clone(),
        });
        let entry = Arc::new(InstanceEntry {
            id: id.clone(),
            name,
            key: key.clone(),
            create_ts: now_ms(),
            mailbox: definition.spawn(info),
        });
        instances.by_key.insert((name, key), entry.clone());
        instances.by_id.insert(id, entry.clone());
        Ok((entry, true))
    }

    /// Resolves once every live instance has handled what was in its mailbox.
    pub(crate) async fn drain(&self) {
        let mailboxes: Vec<_> = {
            let instances = self.instances.lock().expect("directory lock");
            instances
                .by_id
                .values()
                .map(|entry| entry.mailbox.clone())
                .collect()
        };
        let mut barriers = Vec::new();
        for mailbox in mailboxes {
            let (done, handled) = tokio::sync::oneshot::channel();
            if mailbox.send(Command::Barrier(done)).is_ok() {
                barriers.push(handled);
            }
        }
        for handled in barriers {
            let _ = handled.await;
        }
    }

    /// The instance with this id.
    pub(crate) fn by_id(&self, id: &str) -> Result<Arc<InstanceEntry>, RuntimeError> {
        let instances = self.instances.lock().expect("directory lock");
        instances
            .by_id
            .get(id)
            .cloned()
            .ok_or(RuntimeError::ActorNotFound)
    }
}

/// A 30-character lowercase base-36 id, like the official engine's.
fn new_actor_id() -> String {
    // A UUID's 122 random bits give 23 full base-36 digits; two of them give the 30.
    let mut id = String::with_capacity(30);
    for (mut n, digits) in [
        (uuid::Uuid::new_v4().as_u128(), 15),
        (uuid::Uuid::new_v4().as_u128(), 15),
    ] {
        for _ in 0..digits {
            id.push(char::from_digit((n % 36) as u32, 36).expect("digit below 36"));
            n /= 36;
        }
    }
    id
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_ids_look_like_the_engines() {
        let id = new_actor_id();
        assert_eq!(id.len(), 30);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(id, new_actor_id());
    }
}
