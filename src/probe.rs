//! The actors of the integration tests (`tests/integration/`): a probe that records every hook
//! it runs, and a plain counter.
//!
//! The probe follows the shared fixture of the behaviour cases: its connection params say how
//! each hook behaves (delays, rejections, failures), and the hooks write `before:<label>`,
//! `create:<label>`, `connect:<label>`, `connected:<label>` and `disconnect:<label>` to a log
//! that [`ProbeClient::snapshot`] returns.
//!
//! Tests synchronise with the hooks through [`checkpoint`]s: every hook reaches the checkpoint of
//! its stage, and a hook named in [`ProbeParams::hold`] waits there until the test releases it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use rivet_core::prelude::*;
use serde_json::{Value, json};
use tokio::sync::watch;

/// A stage of the connect sequence that params can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// `on_before_connect`.
    Before,
    /// `create_conn_state`.
    Create,
    /// `on_connect`.
    Connect,
}

impl Stage {
    /// The stage's name in the log and in checkpoint names: `before`, `create` or `connect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Create => "create",
            Self::Connect => "connect",
        }
    }
}

/// The connection params of the probe. Every field but the label is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProbeParams {
    /// The name the log uses for this connection.
    pub label: String,
    /// How long `on_before_connect` sleeps.
    pub before_ms: u64,
    /// How long `create_conn_state` sleeps.
    pub create_ms: u64,
    /// How long `on_connect` sleeps, between `connect:` and `connected:`.
    pub connect_ms: u64,
    /// `on_before_connect` fails with user error `rejected`.
    pub reject_before: bool,
    /// `create_conn_state` fails with user error `rejected`.
    pub reject_create: bool,
    /// `on_connect` fails with user error `connect_failed`, after logging `connected:`.
    pub fail_connect: bool,
    /// That stage fails with an internal error whose text is `secret-<stage>`.
    pub crash: Option<Stage>,
    /// That stage panics with `secret-panic-<stage>`.
    pub panic: Option<Stage>,
    /// That stage waits at its checkpoint until the test releases it.
    pub hold: Option<Stage>,
    /// Seats asked for: more than 20 is refused by `on_before_connect` with `quota_exceeded`.
    pub seats: u32,
    /// `on_connect` disconnects the connection with reason `banned` and waits for the close.
    pub banned: bool,
    /// `on_connect` sends `welcome` and `welcome2` to the new connection.
    pub greet: bool,
    /// `on_connect` calls `whoami` on its own actor through a client of this endpoint.
    pub call_self: Option<String>,
}

impl ProbeParams {
    /// Params with this label and nothing else.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }
}

/// The state of one probe connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeConnState {
    /// The label of its params.
    pub label: String,
    /// A counter of its own, raised by `bump`.
    pub n: u32,
    /// Set at the end of `on_connect`.
    pub ready: bool,
}

/// What a hook saw of `ctx.conns()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// `before`, `create`, `connect` or `disconnect`.
    pub hook: String,
    /// The label of the connection the hook ran for.
    pub label: String,
    /// The sorted labels of the joined connections.
    pub visible: Vec<String>,
    /// Whether the connection itself was among them.
    pub own_visible: bool,
}

/// Everything the probe recorded, and who is connected now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Every hook and traced action, in the order they ran.
    pub log: Vec<String>,
    /// Connections that ran `on_connect` minus those that ran `on_disconnect`.
    pub online: i64,
    /// The sorted labels of the joined connections.
    pub visible: Vec<String>,
    /// What each hook saw.
    pub views: Vec<View>,
}

/// The result of `kick`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kicked {
    /// How many joined connections had the label.
    pub found: usize,
    /// The sorted labels of the joined connections once they are closed.
    pub visible: Vec<String>,
}

/// A point in the probe's code that a test can wait for, and hold the probe at.
#[derive(Debug)]
pub struct Checkpoint {
    reached: watch::Sender<bool>,
    released: watch::Sender<bool>,
}

impl Checkpoint {
    /// Resolves once the probe reached this point.
    pub async fn reached(&self) {
        let mut reached = self.reached.subscribe();
        let _ = reached.wait_for(|reached| *reached).await;
    }

    /// Lets a probe that holds here go on.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    fn reach(&self) {
        self.reached.send_replace(true);
    }

    async fn wait_release(&self) {
        let mut released = self.released.subscribe();
        let _ = released.wait_for(|released| *released).await;
    }
}

static CHECKPOINTS: LazyLock<Mutex<HashMap<String, Arc<Checkpoint>>>> =
    LazyLock::new(Mutex::default);

/// The checkpoint `point` (a stage name, or the tag of `trace` and `hold`) of the connection
/// `label` on the probe with key `key` (its parts joined with `/`).
pub fn checkpoint(key: &str, label: &str, point: &str) -> Arc<Checkpoint> {
    let name = format!("{key}|{label}|{point}");
    let mut all = CHECKPOINTS.lock().expect("checkpoint lock");
    all.entry(name)
        .or_insert_with(|| {
            Arc::new(Checkpoint {
                reached: watch::Sender::new(false),
                released: watch::Sender::new(false),
            })
        })
        .clone()
}

fn checkpoint_of(ctx: &Ctx<Probe>, label: &str, point: &str) -> Arc<Checkpoint> {
    checkpoint(&ctx.key().join("/"), label, point)
}

/// The probe: it records its hooks, and acts on its connections as its params and actions say.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Probe {
    /// Every hook and traced action, in order. Behind a lock because the preflight hooks only
    /// get `&self`.
    pub log: Mutex<Vec<String>>,
    /// What each hook saw of `ctx.conns()`.
    pub views: Mutex<Vec<View>>,
    /// Connections that ran `on_connect` minus those that ran `on_disconnect`.
    pub online: i64,
}

impl Probe {
    fn log(&self) -> MutexGuard<'_, Vec<String>> {
        self.log.lock().expect("log lock")
    }

    fn record(&self, entry: String) {
        self.log().push(entry);
    }

    fn view(&self, ctx: &Ctx<Self>, hook: &str, label: &str, own_visible: bool) {
        let view = View {
            hook: hook.to_owned(),
            label: label.to_owned(),
            visible: visible(ctx),
            own_visible,
        };
        self.views.lock().expect("views lock").push(view);
    }

    /// What every stage does after logging: reach its checkpoint, maybe hold there, sleep, and
    /// maybe fail.
    async fn stage(
        &self,
        ctx: &Ctx<Self>,
        params: &ProbeParams,
        stage: Stage,
        sleep_ms: u64,
    ) -> Result<(), Error> {
        let point = checkpoint_of(ctx, &params.label, stage.as_str());
        point.reach();
        if params.hold == Some(stage) {
            point.wait_release().await;
        }
        if sleep_ms > 0 {
            tokio::time::sleep(Duration::from_millis(sleep_ms)).await;
        }
        if params.crash == Some(stage) {
            Err(std::io::Error::other(format!("secret-{}", stage.as_str())))?;
        }
        if params.panic == Some(stage) {
            panic!("secret-panic-{}", stage.as_str());
        }
        Ok(())
    }
}

/// The sorted labels of the joined connections.
fn visible(ctx: &Ctx<Probe>) -> Vec<String> {
    let mut labels: Vec<String> = ctx.conns().map(|conn| conn.state().label.clone()).collect();
    labels.sort();
    labels
}

#[actor]
impl Probe {
    async fn on_before_connect(&self, ctx: &Ctx<Self>, params: &ProbeParams) -> Result<(), Error> {
        self.record(format!("before:{}", params.label));
        self.view(ctx, "before", &params.label, false);
        self.stage(ctx, params, Stage::Before, params.before_ms)
            .await?;
        if params.reject_before {
            return Err(Error::user("rejected", "rejected by on_before_connect"));
        }
        if params.seats > 20 {
            let metadata = json!({ "limit": 20, "attempted": params.seats });
            return Err(Error::user("quota_exceeded", "quota exceeded").with_metadata(&metadata));
        }
        Ok(())
    }

    async fn create_conn_state(
        &self,
        ctx: &Ctx<Self>,
        params: &ProbeParams,
    ) -> Result<ProbeConnState, Error> {
        self.record(format!("create:{}", params.label));
        self.view(ctx, "create", &params.label, false);
        self.stage(ctx, params, Stage::Create, params.create_ms)
            .await?;
        if params.reject_create {
            return Err(Error::user("rejected", "rejected by create_conn_state"));
        }
        Ok(ProbeConnState {
            label: params.label.clone(),
            n: 0,
            ready: false,
        })
    }

    async fn on_connect(&mut self, ctx: &mut Ctx<Self>) -> Result<(), Error> {
        let conn = ctx.conn();
        let (id, label, params) = (
            conn.id().clone(),
            conn.state().label.clone(),
            conn.params().clone(),
        );
        let own_visible = ctx.conns().any(|other| other.id() == &id);
        self.record(format!("connect:{label}"));
        self.online += 1;
        self.view(ctx, "connect", &label, own_visible);
        self.stage(ctx, &params, Stage::Connect, params.connect_ms)
            .await?;
        if params.greet {
            ctx.conn()
                .send("welcome", &json!({ "id": id.as_str(), "label": label }))?;
            let listed = ctx
                .conn_by_id(id.as_str())
                .ok_or_else(|| Error::internal("not in ctx.conns()"))?;
            listed.send("welcome2", &json!({ "id": id.as_str(), "label": label }))?;
        }
        ctx.broadcast("joined", &label)?;
        if params.banned {
            ctx.conn().disconnect("banned").await;
        }
        if let Some(endpoint) = &params.call_self {
            let client = Client::new(endpoint.as_str());
            let handle = client
                .get_or_create::<Probe>(ctx.key().to_vec())
                .with_params(&ProbeParams::new("inner"))
                .map_err(Error::internal)?;
            handle.whoami().await.map_err(Error::internal)?;
        }
        ctx.conn_mut().state_mut().ready = true;
        self.record(format!("connected:{label}"));
        if params.fail_connect {
            return Err(Error::user("connect_failed", "on_connect failed"));
        }
        Ok(())
    }

    async fn on_disconnect(&mut self, ctx: &mut Ctx<Self>) {
        let conn = ctx.conn();
        let label = conn.state().label.clone();
        let own_visible = ctx.conns().any(|other| other.id() == conn.id());
        self.record(format!("disconnect:{label}"));
        self.view(ctx, "disconnect", &label, own_visible);
        self.online -= 1;
        let _ = ctx.broadcast("left", &label);
    }

    /// The log, the online count, the visible labels and the views.
    #[action]
    fn snapshot(&self, ctx: &Ctx<Self>) -> Snapshot {
        Snapshot {
            log: self.log().clone(),
            online: self.online,
            visible: visible(ctx),
            views: self.views.lock().expect("views lock").clone(),
        }
    }

    /// The caller's connection state.
    #[action]
    fn whoami(&self, ctx: &Ctx<Self>) -> ProbeConnState {
        ctx.conn().state().clone()
    }

    /// Raises the caller's own counter; returns it.
    #[action]
    fn bump(&mut self, ctx: &mut Ctx<Self>) -> u32 {
        let state = ctx.conn_mut().state_mut();
        state.n += 1;
        state.n
    }

    /// Broadcasts `msg` with `i`; returns how many connections are joined.
    #[action]
    fn shout(&self, ctx: &Ctx<Self>, i: i64) -> Result<usize, Error> {
        ctx.broadcast("msg", &i)?;
        Ok(ctx.conns().count())
    }

    /// Sends `msg` with `i` to the connections labelled `label`; returns whether one was found.
    #[action]
    fn dm(&self, ctx: &Ctx<Self>, label: String, i: i64) -> Result<bool, Error> {
        let mut found = false;
        for conn in ctx.conns().filter(|conn| conn.state().label == label) {
            conn.send("msg", &i)?;
            found = true;
        }
        Ok(found)
    }

    /// Disconnects the connections labelled `label` with `reason` and waits until they are
    /// closed.
    #[action]
    async fn kick(&self, ctx: &Ctx<Self>, label: String, reason: String) -> Kicked {
        let closing: Vec<_> = ctx
            .conns()
            .filter(|conn| conn.state().label == label)
            .map(|conn| conn.disconnect(reason.clone()))
            .collect();
        let found = closing.len();
        futures::future::join_all(closing).await;
        Kicked {
            found,
            visible: visible(ctx),
        }
    }

    /// Disconnects the connections labelled `label` twice, with `first` then `second`, and waits
    /// for both; returns how many were found.
    #[action]
    async fn kick_twice(
        &self,
        ctx: &Ctx<Self>,
        label: String,
        first: String,
        second: String,
    ) -> usize {
        let mut closing = Vec::new();
        for conn in ctx.conns().filter(|conn| conn.state().label == label) {
            closing.push(conn.disconnect(first.clone()));
            closing.push(conn.disconnect(second.clone()));
        }
        let found = closing.len() / 2;
        futures::future::join_all(closing).await;
        found
    }

    /// Broadcasts `blob` `n` times, each a string of `size` characters; returns `n`.
    #[action]
    fn blast(&self, ctx: &Ctx<Self>, n: u32, size: usize) -> Result<u32, Error> {
        let blob = "x".repeat(size);
        for _ in 0..n {
            ctx.broadcast("blob", &blob)?;
        }
        Ok(n)
    }

    /// Disconnects the caller with `reason`, waiting for the close.
    #[action]
    async fn disconnect_self(&self, ctx: &Ctx<Self>, reason: String) -> bool {
        ctx.conn().disconnect(reason).await;
        true
    }

    /// Logs `action:<label>` and returns whether `on_connect` finished for the caller.
    #[action]
    fn is_ready(&self, ctx: &Ctx<Self>) -> bool {
        let state = ctx.conn().state();
        self.record(format!("action:{}", state.label));
        state.ready
    }

    /// Logs `mark:<tag>`; returns the tag.
    #[action]
    fn mark(&self, _ctx: &Ctx<Self>, tag: String) -> String {
        self.record(format!("mark:{tag}"));
        tag
    }

    /// Logs `enter:<tag>`, reaches checkpoint `tag`, sleeps `ms`, logs `exit:<tag>`.
    #[action]
    async fn trace(&self, ctx: &Ctx<Self>, tag: String, ms: u64) -> String {
        self.record(format!("enter:{tag}"));
        checkpoint_of(ctx, &ctx.conn().state().label, &tag).reach();
        tokio::time::sleep(Duration::from_millis(ms)).await;
        self.record(format!("exit:{tag}"));
        tag
    }

    /// Logs `enter:<tag>`, waits at checkpoint `tag` until the test releases it, logs
    /// `exit:<tag>`.
    #[action]
    async fn hold(&self, ctx: &Ctx<Self>, tag: String) -> String {
        self.record(format!("enter:{tag}"));
        let point = checkpoint_of(ctx, &ctx.conn().state().label, &tag);
        point.reach();
        point.wait_release().await;
        self.record(format!("exit:{tag}"));
        tag
    }

    /// Sleeps `ms` without blocking; returns `ms`.
    #[action]
    async fn slow(&self, _ctx: &Ctx<Self>, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }

    /// Blocks the thread for `ms`: a synchronous action; returns `ms`.
    #[action]
    fn spin(&self, _ctx: &Ctx<Self>, ms: u64) -> u64 {
        std::thread::sleep(Duration::from_millis(ms));
        ms
    }

    /// Fails with an internal error whose text is `secret-xyz`.
    #[action]
    fn crash(&self, _ctx: &Ctx<Self>) -> Result<(), Error> {
        Err(std::io::Error::other("secret-xyz"))?;
        Ok(())
    }

    /// Panics with `secret-panic`.
    #[action]
    fn explode(&self, _ctx: &Ctx<Self>) -> u32 {
        panic!("secret-panic");
    }

    /// Logs `mark:<tag>` and raises the caller's counter, then panics with `secret-panic`:
    /// what it changed before the panic stays changed.
    #[action]
    fn mark_then_explode(&mut self, ctx: &mut Ctx<Self>, tag: String) -> u32 {
        self.record(format!("mark:{tag}"));
        ctx.conn_mut().state_mut().n += 1;
        panic!("secret-panic");
    }

    /// Fails with user error `bad_input` "bad input" and metadata `{"field": "name"}`.
    #[action]
    fn fail(&self, _ctx: &Ctx<Self>) -> Result<(), Error> {
        Err(Error::user("bad_input", "bad input").with_metadata(&json!({ "field": "name" })))
    }

    /// Returns its argument.
    #[action]
    fn echo(&self, _ctx: &Ctx<Self>, value: Value) -> Value {
        value
    }

    /// Returns its argument as it came, byte strings and big integers included.
    #[action]
    fn echo_raw(&self, _ctx: &Ctx<Self>, value: rivet_core::RawValue) -> rivet_core::RawValue {
        value
    }
}

/// A counter without connection hooks, as in RivetKit's own test fixtures.
#[actor]
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counter {
    /// The count.
    pub count: i64,
}

#[actor]
impl Counter {
    /// Adds `x`, broadcasts `newCount` with the new count and returns it.
    #[action]
    fn increment(&mut self, ctx: &Ctx<Self>, x: i64) -> Result<i64, Error> {
        self.count += x;
        ctx.broadcast("newCount", &self.count)?;
        Ok(self.count)
    }

    /// Sets the count to `x`, broadcasts `newCount` with it and returns it.
    #[action]
    fn set_count(&mut self, ctx: &Ctx<Self>, x: i64) -> Result<i64, Error> {
        self.count = x;
        ctx.broadcast("newCount", &self.count)?;
        Ok(self.count)
    }

    /// The count.
    #[action]
    fn get_count(&self, _ctx: &Ctx<Self>) -> i64 {
        self.count
    }

    /// The actor's key.
    #[action]
    fn get_key(&self, ctx: &Ctx<Self>) -> Vec<String> {
        ctx.key().to_vec()
    }

    /// Waits `ms`, then returns "delayed response".
    #[action]
    async fn delayed(&self, _ctx: &Ctx<Self>, ms: u64) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "delayed response".to_owned()
    }
}
