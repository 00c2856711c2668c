//! What differs per database, and only that: opening and pool options, migrations, how a
//! write transaction takes its lock, the row and table locks PostgreSQL needs where
//! SQLite's single writer suffices, the read snapshot of an export, the rewrite after
//! sealing, `LISTEN`/`NOTIFY`, and the column that orders mail.
//!
//! Both stores are a [`StoreOn`] one database and offer the same-named helpers (`write`,
//! `lock`, `read_snapshot`, `rewrite_after_sealing`, `FOR_UPDATE`, `MAIL_ORDER`), so that
//! the SQL of every concept, written once in [`super`]'s modules, calls them alike.

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sqlite;

use crate::seal::DataKey;
use crate::throttle::Quotas;
use sqlx::{Database, Pool};
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::{Arc, RwLock};

/// A store on one database `DB`: its pool, the key that seals its secrets at rest, and
/// the organizations' quotas its creates enforce. [`SqliteStore`](sqlite::SqliteStore)
/// and [`PgStore`](postgres::PgStore) are its two kinds.
#[derive(Debug)]
pub struct StoreOn<DB: Database> {
    pub(in crate::store) pool: Pool<DB>,
    /// Where the collector's writer takes its transactions from: on a SQLite file, a
    /// connection of its own. A pool hands out its connections in turn, and SQLite drops a
    /// connection's page cache whenever another connection has written, so a writer
    /// moving between them reads its pages again every time; one connection that does
    /// nearly all the writing keeps them. Elsewhere, the pool itself.
    pub(in crate::store) writer: Pool<DB>,
    /// The WAL checkpoints that follow the writer's commits (a SQLite file only).
    pub(in crate::store) checkpoints: Arc<Checkpoints>,
    pub(in crate::store) key: Arc<DataKey>,
    /// Read inside each create's transaction (see `Orgs::set_quotas`); shared by clones.
    pub(in crate::store) quotas: Arc<RwLock<Quotas>>,
}

/// On a SQLite file, SQLite would checkpoint the write-ahead log in the connection that
/// commits, its `fsync` included, stalling the collector's writer every few transactions.
/// Its connection does not (`wal_autocheckpoint=0`); every [`CHECKPOINT_EVERY`] of its
/// commits, another connection of the pool runs a `PASSIVE` checkpoint beside it (which
/// never blocks a writer), one at a time.
#[derive(Debug, Default)]
pub(in crate::store) struct Checkpoints {
    /// Whether the writer leaves checkpoints to these (only with a connection of its own).
    pub(in crate::store) enabled: bool,
    /// The writer's commits since the last checkpoint began.
    pub(in crate::store) commits: AtomicU32,
    /// Whether one is running.
    pub(in crate::store) running: AtomicBool,
}

/// How many of the writer's commits between checkpoints: at a few hundred events each,
/// about the thousand pages after which SQLite would checkpoint by itself.
pub(in crate::store) const CHECKPOINT_EVERY: u32 = 8;

impl<DB: Database> StoreOn<DB> {
    /// The pool, for tests and maintenance commands.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// A store on `pool` sealing with `key`, its collector writing through `writer` (the
    /// pool itself but on a SQLite file), with the default quotas.
    pub(in crate::store) fn on(
        pool: Pool<DB>,
        writer: Pool<DB>,
        checkpoints: Checkpoints,
        key: DataKey,
    ) -> Self {
        StoreOn {
            pool,
            writer,
            checkpoints: Arc::new(checkpoints),
            key: Arc::new(key),
            quotas: Arc::default(),
        }
    }

    /// The quotas in force.
    pub(in crate::store) fn quotas(&self) -> Quotas {
        // A poisoned lock still holds a whole `Quotas` (it is `Copy`, written at once).
        *self.quotas.read().unwrap_or_else(|p| p.into_inner())
    }
}

// By hand: the derive would ask `DB: Clone`, which the database markers are not.
impl<DB: Database> Clone for StoreOn<DB> {
    fn clone(&self) -> Self {
        StoreOn {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            checkpoints: self.checkpoints.clone(),
            key: self.key.clone(),
            quotas: self.quotas.clone(),
        }
    }
}

/// What a write transaction locks, until it ends, so that the invariant it checks holds
/// against concurrent writers. On SQLite the transaction's write lock already excludes
/// every other writer, so taking one of these does nothing there.
#[derive(Clone, Copy, Debug)]
// Only PostgreSQL reads what is locked.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(in crate::store) enum Lock<'a> {
    /// An organization's row: every change to its members takes it first, so they happen
    /// one after the other (two demotions cannot both see the other Owner).
    Org(&'a str),
    /// A connection's row, before it is deleted: a concurrent createIntegration on it
    /// waits for the deletion (its foreign key check then fails), or the deletion waits
    /// for it (and then sees it).
    Connection(&'a str),
    /// A source's row, while its events are stored: one request of a source at a time,
    /// so what it has seen (its message ids) and its retention are settled one after the
    /// other.
    Source(&'a str),
    /// Whole tables against every writer: a server already running on the database must
    /// not slip a row in while an import checks that they are empty and fills them.
    Tables(&'a [&'a str]),
}
