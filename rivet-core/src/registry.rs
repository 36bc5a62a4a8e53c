//! The registry of actor types, and serving it.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::runtime::Directory;
use crate::runtime::directory::{Definition, TypedDefinition};
use crate::server::{ServerState, router};
use crate::{Actor, ActorOptions, Limits};

/// The default address: the official client's default endpoint.
pub const DEFAULT_ADDR: &str = "127.0.0.1:6420";

/// The actor types a server serves.
///
/// ```no_run
/// # use rivet_core::prelude::*;
/// # #[actor] #[derive(Default, Serialize, Deserialize)] struct ChatRoom {}
/// # #[actor] impl ChatRoom {}
/// # #[tokio::main] async fn main() -> Result<(), rivet_core::ServeError> {
/// Registry::new().register::<ChatRoom>().serve("127.0.0.1:6420").await
/// # }
/// ```
pub struct Registry {
    definitions: HashMap<&'static str, Box<dyn Definition>>,
    limits: Limits,
}

/// Why a server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// `server.bind`: the address could not be bound.
    #[error("cannot listen on the address: {0}")]
    Bind(#[source] std::io::Error),
    /// `server.io`: serving failed.
    #[error("the server failed: {0}")]
    Io(#[source] std::io::Error),
}

impl Registry {
    /// An empty registry with the default [`Limits`].
    pub fn new() -> Self {
        Self {
            definitions: HashMap::new(),
            limits: Limits::default(),
        }
    }

    /// Adds actor type `A` with the default [`ActorOptions`].
    ///
    /// # Panics
    ///
    /// When another type with the same name is registered already.
    pub fn register<A: Actor>(self) -> Self {
        self.register_with::<A>(ActorOptions::default())
    }

    /// Adds actor type `A` with its own timeouts.
    ///
    /// ```
    /// # use rivet_core::prelude::*;
    /// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Slow {}
    /// # #[actor] impl Slow {}
    /// use std::time::Duration;
    ///
    /// let options = ActorOptions { action_timeout: Duration::from_secs(1), ..Default::default() };
    /// let _registry = Registry::new().register_with::<Slow>(options);
    /// ```
    ///
    /// # Panics
    ///
    /// When another type with the same name is registered already.
    pub fn register_with<A: Actor>(mut self, options: ActorOptions) -> Self {
        let definition = TypedDefinition::<A> {
            options,
            _actor: PhantomData,
        };
        let previous = self.definitions.insert(A::NAME, Box::new(definition));
        assert!(
            previous.is_none(),
            "two actor types are registered as `{}`",
            A::NAME
        );
        self
    }

    /// Replaces the server-wide [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Serves on `addr` until the process ends.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> Result<(), ServeError> {
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        self.serve_on(listener, std::future::pending()).await
    }

    /// Starts serving on `addr` in the background; `127.0.0.1:0` picks a free port, which
    /// [`Server::endpoint`] tells.
    ///
    /// ```
    /// # use rivet_core::prelude::*;
    /// # #[actor] #[derive(Default, Serialize, Deserialize)] struct Counter {}
    /// # #[actor] impl Counter {}
    /// # #[tokio::main] async fn main() -> Result<(), rivet_core::ServeError> {
    /// let server = Registry::new().register::<Counter>().start("127.0.0.1:0").await?;
    /// assert!(server.endpoint().starts_with("http://127.0.0.1:"));
    /// server.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start(self, addr: impl ToSocketAddrs) -> Result<Server, ServeError> {
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        let addr = listener.local_addr().map_err(ServeError::Bind)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let state = self.into_state();
        let task = tokio::spawn(serve_on(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Ok(Server {
            addr,
            stop: Some(stop),
            task,
            state,
        })
    }

    async fn serve_on(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        serve_on(self.into_state(), listener, shutdown).await
    }

    fn into_state(self) -> Arc<ServerState> {
        Arc::new(ServerState {
            directory: Directory::new(self.definitions),
            limits: self.limits,
            shutdown: tokio::sync::watch::Sender::new(false),
            sessions: tokio::sync::watch::Sender::new(0),
        })
    }
}

/// Serves `state` on `listener` until `shutdown` resolves, then closes every WebSocket.
async fn serve_on(
    state: Arc<ServerState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let stopping = state.shutdown.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Io)
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.definitions.keys().collect();
        names.sort();
        f.debug_struct("Registry")
            .field("actors", &names)
            .field("limits", &self.limits)
            .finish()
    }
}

/// A server running in the background, started with [`Registry::start`].
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServeError>>,
    state: Arc<ServerState>,
}

impl Server {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint for clients, such as `http://127.0.0.1:40123`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes every WebSocket with 1001 `ws.going_away`, and waits for open
    /// HTTP requests to finish, for the sockets' close handshakes (at most the close timeout),
    /// and for each connection's `on_disconnect` to have run.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = &mut self.task;
        let _ = task.await;
        // Upgraded sockets outlive the HTTP server: wait for them, a little past their own
        // close deadline.
        let mut sessions = self.state.sessions.subscribe();
        let deadline = self.state.limits.close_timeout + std::time::Duration::from_secs(1);
        let _ = tokio::time::timeout(deadline, sessions.wait_for(|live| *live == 0)).await;
        // Each socket told its actor it left before it ended; once every actor has handled what
        // is in its mailbox, every `on_disconnect` has run.
        let _ = tokio::time::timeout(deadline, self.state.directory.drain()).await;
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
