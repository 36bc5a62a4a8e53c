//! Every accepted form of an action: sync and `async`, `T`, `()`, `Result<T, E>` and a `Result`
//! alias, `&Ctx` and `&mut Ctx`, `&self` and `&mut self`, explicit wire names; and the typed
//! client that calls them.

use rivet_core::client::{ActorHandle, ClientError, Connection};
use rivet_core::prelude::*;

#[derive(Debug)]
struct Overdrawn;

impl std::fmt::Display for Overdrawn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("overdrawn")
    }
}

impl std::error::Error for Overdrawn {}

/// A `Result` alias of the kind many crates have: recognised by its name.
mod app {
    pub type Result<T> = std::result::Result<T, rivet_core::Error>;
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    amount: i64,
    memo: Option<String>,
}

#[actor]
#[derive(Default, Serialize, Deserialize)]
struct Ledger {
    entries: Vec<Entry>,
}

#[actor]
impl Ledger {
    /// Sync, `&self`, plain result.
    #[action]
    fn balance(&self, _ctx: &Ctx<Self>) -> i64 {
        self.entries.iter().map(|entry| entry.amount).sum()
    }

    /// Sync, `&mut self`, `()` result, several arguments.
    #[action]
    fn record(&mut self, _ctx: &Ctx<Self>, amount: i64, memo: Option<String>) {
        self.entries.push(Entry { amount, memo });
    }

    /// Async, `&mut Ctx`, `Result<T, Error>`.
    #[action]
    async fn withdraw(&mut self, ctx: &mut Ctx<Self>, amount: i64) -> Result<i64, Error> {
        if amount > self.balance(ctx) {
            return Err(Error::user("overdrawn", "not enough money"));
        }
        self.entries.push(Entry { amount: -amount, memo: None });
        Ok(self.balance(ctx))
    }

    /// Async, a user error type that implements `std::error::Error`.
    #[action]
    async fn check(&self, _ctx: &Ctx<Self>, limit: i64) -> Result<(), Overdrawn> {
        if self.entries.iter().map(|entry| entry.amount).sum::<i64>() < limit {
            return Err(Overdrawn);
        }
        Ok(())
    }

    /// A `Result` alias, an explicit wire name, a nested owned type.
    #[action(name = "history")]
    fn entries(&self, _ctx: &Ctx<Self>, last: usize) -> app::Result<Vec<Entry>> {
        Ok(self.entries.iter().rev().take(last).cloned().collect())
    }

    /// Not an action: a helper, left alone.
    fn total(&self) -> usize {
        self.entries.len()
    }
}

/// The client methods take the same arguments and return the same types, on handles and on
/// connections alike.
#[allow(dead_code)]
async fn use_client(
    handle: &ActorHandle<Ledger>,
    conn: &Connection<Ledger>,
) -> Result<(), ClientError> {
    let _: i64 = handle.balance().await?;
    let _: () = handle.record(5, Some("gift".to_owned())).await?;
    let _: i64 = conn.withdraw(2).await?;
    let _: () = conn.check(0).await?;
    let _: Vec<Entry> = conn.entries(10).await?;
    Ok(())
}

fn main() {
    assert_eq!(<Ledger as Actor>::NAME, "ledger");
    let _ = Ledger::default().total();
    let _ = Registry::new().register::<Ledger>();
}
