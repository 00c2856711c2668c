//! The PostgreSQL store: one database shared by any number of servers.
//!
//! Same tables and semantics as the SQLite store. Where SQLite's single writer makes an
//! invariant hold by itself, a row lock does it here: changes to an organization's members
//! lock the organization's row, so two demotions cannot both see the other Owner; deleting
//! a connection locks it against a new integration; consuming a link locks the link, so a
//! second use waits and then finds it used. Changes for `clickstreamChanged` travel with
//! `NOTIFY`.

use super::{Checkpoints, Lock, StoreOn};
use crate::seal::DataKey;
use crate::store::{ChangeFeed, ChangeStream, StoreError, StoreResult};
use async_trait::async_trait;
use futures_util::StreamExt;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::Transaction;
use std::str::FromStr;
use std::time::Duration;

/// The database of this backend, for the shared SQL (see `for_each_backend!`).
pub(crate) type Db = sqlx::Postgres;
/// A row of this backend.
pub(crate) type DbRow = sqlx::postgres::PgRow;
/// The store of this backend.
pub(crate) type Backend = PgStore;

/// Every concept's SQL on PostgreSQL, for the SQL of one concept that writes another's rows.
pub(crate) mod domains {
    pub(crate) use crate::store::{
        accounts::postgres::*, api_keys::postgres::*, connections::postgres::*,
        events::postgres::*, integrations::postgres::*, invitations::postgres::*,
        links::postgres::*, orgs::postgres::*, sign_in::postgres::*, sources::postgres::*,
    };
}

/// The `LISTEN`/`NOTIFY` channel of integration changes.
const CHANGES_CHANNEL: &str = "houston_clickstream";
/// The `LISTEN`/`NOTIFY` channel of stored events.
const EVENTS_CHANNEL: &str = "houston_events";

/// A [`Store`](crate::store::Store) on a PostgreSQL database
/// (`postgres://user:password@host/database`).
pub type PgStore = StoreOn<Db>;

impl StoreOn<Db> {
    /// Connects to the (existing) database at `url` and migrates it. Servers starting
    /// together are safe: the migrations run under an advisory lock. Then checks that `key`
    /// is the one the database is sealed with and seals what an older server left in
    /// plaintext (see [`Sealed`](crate::store::Sealed)): servers sharing one database must
    /// share one key.
    pub async fn open(url: &str, key: DataKey) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("houston-server");
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Self::sealed(pool.clone(), pool, Default::default(), key).await
    }

    /// The store on the database at `url` for reading only (`migrate`'s source): every
    /// session it opens is READ ONLY (`default_transaction_read_only`), so nothing (no
    /// migration, no sealing pass, no stray write) can change the source. A database not
    /// at this server's schema or not yet sealed for its rows' meaning is
    /// [`StoreError::NotCurrent`]; one sealed with another key is `WrongDataKey`.
    pub async fn open_read_only(url: &str, key: DataKey) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("houston-server migrate")
            .options([("default_transaction_read_only", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&pool)
                .await
                .map_err(|_| StoreError::NotCurrent)?;
        let migrator = sqlx::migrate!("./migrations/postgres");
        if migrator.iter().any(|m| !applied.contains(&m.version)) {
            return Err(StoreError::NotCurrent);
        }
        let check: String = sqlx::query_scalar("SELECT sealed FROM data_key_check WHERE id = 1")
            .fetch_optional(&pool)
            .await?
            .ok_or(StoreError::NotCurrent)?;
        crate::store::sealing::verify_key_check(&key, &check)?;
        let scheme: Option<i32> =
            sqlx::query_scalar("SELECT version FROM sealing_scheme WHERE id = 1")
                .fetch_optional(&pool)
                .await?;
        if scheme != Some(crate::store::sealing::BOUND_TO_MEANING) {
            return Err(StoreError::NotCurrent);
        }
        Ok(StoreOn::on(pool.clone(), pool, Checkpoints::default(), key))
    }

    /// A write transaction. It locks nothing by itself: each write locks the rows its
    /// invariant needs (`lock`, `FOR_UPDATE`).
    pub(in crate::store) async fn write(&self) -> StoreResult<Transaction<'static, Db>> {
        Ok(self.pool.begin().await?)
    }

    /// A write transaction of the collector's writer: any write transaction.
    pub(in crate::store) async fn write_events(&self) -> StoreResult<Transaction<'static, Db>> {
        self.write().await
    }

    /// After a commit of the collector's writer: nothing (PostgreSQL checkpoints by itself).
    pub(in crate::store) fn events_committed(&self) {}

    /// Takes `lock` (see [`Lock`]) until `tx` ends.
    pub(in crate::store) async fn lock(
        tx: &mut Transaction<'_, Db>,
        lock: Lock<'_>,
    ) -> StoreResult<()> {
        match lock {
            // NO KEY: new rows referring to the organization need not wait.
            Lock::Org(id) => {
                sqlx::query("SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            }
            // NO KEY: the events inserted refer to it, and other rows may too.
            Lock::Source(id) => {
                sqlx::query("SELECT 1 FROM applications WHERE id = $1 FOR NO KEY UPDATE")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            }
            Lock::Connection(id) => {
                sqlx::query("SELECT 1 FROM connections WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            }
            Lock::Tables(tables) => {
                let tables = tables.join(", ");
                sqlx::query(&format!("LOCK TABLE {tables} IN EXCLUSIVE MODE"))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// The row lock clause of a read that the transaction goes on to change.
    pub(in crate::store) const FOR_UPDATE: &'static str = " FOR UPDATE";

    /// The order mails were written in: PostgreSQL tables have no `rowid`, so the mail
    /// table has a `seq` identity column instead.
    /// What shows how a statement is run (see `Pages`' plan tests), and the column of its
    /// answer that describes each step.
    pub(in crate::store) const EXPLAIN: &'static str = "EXPLAIN ";
    pub(in crate::store) const PLAN_COLUMN: &'static str = "QUERY PLAN";
    /// Set, in the transaction that explains, so that a plan shows whether an index can
    /// serve the statement at all: a small test table is otherwise read whole and sorted, which
    /// is cheaper at that size.
    pub(in crate::store) const PLAN_SETTINGS: &'static [&'static str] = &[
        "SET LOCAL enable_seqscan = off",
        "SET LOCAL enable_bitmapscan = off",
        "SET LOCAL enable_sort = off",
    ];

    pub(in crate::store) const MAIL_ORDER: &'static str = "seq";

    /// Runs `insert`, a multi-row `INSERT INTO events` of `rows` rows, and returns their
    /// numbers in the order of the rows: they are drawn in that order, and RETURNING's
    /// own order is not promised, so they are sorted.
    pub(in crate::store) async fn insert_events(
        tx: &mut Transaction<'_, Db>,
        mut insert: sqlx::QueryBuilder<'_, Db>,
        _rows: usize,
    ) -> StoreResult<Vec<i64>> {
        insert.push(" RETURNING seq");
        let mut seqs: Vec<i64> = insert.build_query_scalar().fetch_all(&mut **tx).await?;
        seqs.sort_unstable();
        Ok(seqs)
    }

    /// After `import` wrote events with their numbers: the identity goes on after the
    /// highest, so that the next event stored is numbered after every copied one.
    pub(in crate::store) const EVENTS_SEQ_RESUME: &'static str =
        "SELECT setval(pg_get_serial_sequence('events', 'seq'), \
         COALESCE((SELECT MAX(seq) FROM events), 0) + 1, false)";

    /// A read-only transaction on one snapshot of every table (PostgreSQL's default,
    /// READ COMMITTED, would take a new snapshot for every statement).
    pub(in crate::store) async fn read_snapshot(&self) -> StoreResult<Transaction<'static, Db>> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?)
    }

    /// After sealing plaintext values: old row versions keep the plaintext in the table
    /// files until they are rewritten. This runs once per database from before sealing, so
    /// the brief exclusive lock of a full vacuum is affordable; if it fails, the values are
    /// sealed all the same, so it is only a warning.
    pub(in crate::store) async fn rewrite_after_sealing(&self) {
        if let Err(e) = sqlx::query("VACUUM FULL connections, integrations")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "could not rewrite the tables after sealing");
        }
    }
}

#[async_trait]
impl ChangeFeed for PgStore {
    async fn publish_change(&self, payload: &str) -> StoreResult<()> {
        self.notify(CHANGES_CHANNEL, payload).await
    }

    async fn listen_changes(&self) -> StoreResult<Option<ChangeStream>> {
        self.listen(CHANGES_CHANNEL).await.map(Some)
    }

    async fn publish_events(&self, payload: &str) -> StoreResult<()> {
        self.notify(EVENTS_CHANNEL, payload).await
    }

    async fn listen_events(&self) -> StoreResult<Option<ChangeStream>> {
        self.listen(EVENTS_CHANNEL).await.map(Some)
    }
}

impl PgStore {
    /// `NOTIFY` on `channel`.
    async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The payloads notified on `channel` from now on, on a connection of its own.
    async fn listen(&self, channel: &'static str) -> StoreResult<ChangeStream> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        // Keep listening while the pool shuts down: the server decides when to stop.
        listener.ignore_pool_close_event(true);
        listener.listen(channel).await?;
        let payloads = futures_util::stream::unfold(listener, move |mut listener| async move {
            loop {
                match listener.recv().await {
                    Ok(n) => return Some((n.payload().to_string(), listener)),
                    // The next recv reconnects and listens again; what was published
                    // meanwhile is lost (NOTIFY is not queued for absent listeners).
                    Err(e) => {
                        tracing::warn!(error = %e, channel, "lost the change notifications; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(payloads.boxed())
    }
}
