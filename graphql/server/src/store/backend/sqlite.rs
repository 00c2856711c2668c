//! The SQLite store: the bundled server's default, one file, no setup.
//!
//! SQLite has one writer at a time: a write transaction takes the database's write lock
//! when it begins (`BEGIN IMMEDIATE`), so every invariant checked inside it holds without
//! row locks, and the helpers that take them on PostgreSQL do nothing here.

use super::{Checkpoints, Lock, StoreOn, CHECKPOINT_EVERY};
use crate::seal::DataKey;
use crate::store::{ChangeFeed, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Transaction;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The database of this backend, for the shared SQL (see `for_each_backend!`).
pub(crate) type Db = sqlx::Sqlite;
/// A row of this backend.
pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
/// The store of this backend.
pub(crate) type Backend = SqliteStore;

/// Every concept's SQL on SQLite, for the SQL of one concept that writes another's rows.
pub(crate) mod domains {
    pub(crate) use crate::store::{
        accounts::sqlite::*, api_keys::sqlite::*, connections::sqlite::*, events::sqlite::*,
        integrations::sqlite::*, invitations::sqlite::*, links::sqlite::*, orgs::sqlite::*,
        sign_in::sqlite::*, sources::sqlite::*,
    };
}

/// The page cache of the collector's writer connection (`cache_size`, negative: KiB):
/// 16 MiB holds a source's 10,000 retained events and their indexes, the pages every
/// write touches at both ends, where SQLite's default (2 MiB) would read them again.
const WRITER_CACHE: &str = "-16384";

/// A [`Store`](crate::store::Store) on a SQLite file (or `sqlite::memory:`).
pub type SqliteStore = StoreOn<Db>;

/// Creates the database file of `url` (mode 0600) when it is missing, before SQLite would
/// create it with the umask's mode: SQLite gives the `-wal` and `-shm` files the database
/// file's mode, so all three stay private to the user running the server.
fn create_private(url: &str) -> std::io::Result<()> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || std::path::Path::new(path).exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

impl StoreOn<Db> {
    /// Opens (creating when missing) the database at `url` (`sqlite://path` or a plain path)
    /// with WAL, `synchronous=NORMAL`, foreign keys and a busy timeout, and migrates it;
    /// then checks that `key` is the one the database is sealed with and seals what an
    /// older server left in plaintext (see [`Sealed`](crate::store::Sealed)).
    pub async fn open(url: &str, key: DataKey) -> StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_string()
        } else {
            format!("sqlite://{url}")
        };
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if !memory {
            create_private(&url).map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let mut pool = SqlitePoolOptions::new()
            // An in-memory database lives in one connection; a file serves several readers.
            .max_connections(if memory { 1 } else { 8 });
        if memory {
            // Closing that one connection would drop the database.
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool.connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = if memory {
            pool.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(
                    options
                        .pragma("cache_size", WRITER_CACHE)
                        .pragma("wal_autocheckpoint", "0"),
                )
                .await?
        };
        let checkpoints = Checkpoints {
            enabled: !memory,
            ..Checkpoints::default()
        };
        Self::sealed(pool, writer, checkpoints, key).await
    }

    /// A write transaction that takes the write lock at once, so two writers never
    /// deadlock upgrading from a read lock (SQLITE_BUSY in the middle of a mutation).
    pub(in crate::store) async fn write(&self) -> StoreResult<Transaction<'static, Db>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A write transaction of the collector's writer, on its own connection (see
    /// [`StoreOn::writer`](super::StoreOn)).
    pub(in crate::store) async fn write_events(&self) -> StoreResult<Transaction<'static, Db>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// After a commit of the collector's writer: every [`CHECKPOINT_EVERY`] commits, a
    /// `PASSIVE` checkpoint on another connection, unless one is running (see
    /// [`Checkpoints`]).
    pub(in crate::store) fn events_committed(&self) {
        let c = &self.checkpoints;
        if !c.enabled || c.commits.fetch_add(1, Ordering::Relaxed) + 1 < CHECKPOINT_EVERY {
            return;
        }
        if c.running.swap(true, Ordering::AcqRel) {
            return;
        }
        c.commits.store(0, Ordering::Relaxed);
        let (pool, checkpoints) = (self.pool.clone(), self.checkpoints.clone());
        tokio::spawn(async move {
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(%error, "could not checkpoint the write-ahead log");
            }
            checkpoints.running.store(false, Ordering::Release);
        });
    }

    /// Nothing to do: the write transaction already holds the only write lock.
    pub(in crate::store) async fn lock(
        _tx: &mut Transaction<'_, Db>,
        _lock: Lock<'_>,
    ) -> StoreResult<()> {
        Ok(())
    }

    /// No row lock clause: SQLite has none, and needs none under its write lock.
    pub(in crate::store) const FOR_UPDATE: &'static str = "";

    /// The order mails were written in: every SQLite table has its `rowid`.
    /// What shows how a statement is run (see `Pages`' plan tests), and the column of its
    /// answer that describes each step.
    pub(in crate::store) const EXPLAIN: &'static str = "EXPLAIN QUERY PLAN ";
    pub(in crate::store) const PLAN_COLUMN: &'static str = "detail";
    /// Set, in the transaction that explains, so that a plan shows whether an index can
    /// serve the statement at all: SQLite plans by the schema alone, so none.
    pub(in crate::store) const PLAN_SETTINGS: &'static [&'static str] = &[];

    pub(in crate::store) const MAIL_ORDER: &'static str = "rowid";

    /// Runs `insert`, a multi-row `INSERT INTO events` of `rows` rows, and returns their
    /// numbers in the order of the rows. Under the write lock one statement's rows are
    /// numbered one after the other (AUTOINCREMENT gives each the next number), so they
    /// end at `last_insert_rowid`: no RETURNING, whose rows sqlx would hand over one by
    /// one between threads.
    pub(in crate::store) async fn insert_events(
        tx: &mut Transaction<'_, Db>,
        mut insert: sqlx::QueryBuilder<'_, Db>,
        rows: usize,
    ) -> StoreResult<Vec<i64>> {
        let last = insert.build().execute(&mut **tx).await?.last_insert_rowid();
        let first = last - rows as i64 + 1;
        Ok((first..=last).collect())
    }

    /// After `import` wrote events with their numbers: nothing to do, AUTOINCREMENT goes
    /// on after the highest number ever inserted by itself.
    pub(in crate::store) const EVENTS_SEQ_RESUME: &'static str = "SELECT 1";

    /// A read transaction: SQLite reads one snapshot from its first read to its end.
    pub(in crate::store) async fn read_snapshot(&self) -> StoreResult<Transaction<'static, Db>> {
        Ok(self.pool.begin().await?)
    }

    /// After sealing plaintext values: the plaintext would otherwise linger in freed space
    /// of the file and in the WAL. Rebuilding the file once (this only runs the first time
    /// a database from before sealing is opened) and emptying the WAL leaves only sealed
    /// values. Copies made before (backups) still hold them, as the README says. Failing
    /// here (another process reading the file) leaves the values sealed all the same, so
    /// it is only a warning.
    pub(in crate::store) async fn rewrite_after_sealing(&self) {
        for step in ["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"] {
            if let Err(e) = sqlx::query(step).execute(&self.pool).await {
                tracing::warn!(error = %e, step, "could not rewrite the file after sealing");
            }
        }
    }
}

/// One process opens the file: nobody else to tell, nothing to listen to.
impl ChangeFeed for SqliteStore {}
