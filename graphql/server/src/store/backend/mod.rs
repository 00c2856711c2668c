//! What differs per database, and only that: opening and pool options, migrations, how a
//! write transaction takes its lock, the row and table locks PostgreSQL needs where
//! SQLite's single writer suffices, the read snapshot of an export, the rewrite after
//! sealing, `LISTEN`/`NOTIFY`, and the column that orders mail.
//!
//! Both stores are a [`StoreOn`] one database and offer the same-named helpers (`write`,
//! `lock`, `read_snapshot`, `rewrite_after_sealing`, `FOR_UPDATE`, `MAIL_ORDER`), so that
//! the SQL of every concept, written once in [`super`]'s modules, calls them alike.

pub mod postgres;
pub mod sqlite;

use crate::seal::DataKey;
use crate::throttle::Quotas;
use sqlx::{Database, Pool};
use std::sync::{Arc, RwLock};

/// A store on one database `DB`: its pool, the key that seals its secrets at rest, and
/// the organizations' quotas its creates enforce. [`SqliteStore`](sqlite::SqliteStore)
/// and [`PgStore`](postgres::PgStore) are its two kinds.
#[derive(Debug)]
pub struct StoreOn<DB: Database> {
    pub(in crate::store) pool: Pool<DB>,
    pub(in crate::store) key: Arc<DataKey>,
    /// Read inside each create's transaction (see `Orgs::set_quotas`); shared by clones.
    pub(in crate::store) quotas: Arc<RwLock<Quotas>>,
}

impl<DB: Database> StoreOn<DB> {
    /// The pool, for tests and maintenance commands.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    /// A store on `pool` sealing with `key`, with the default quotas.
    pub(in crate::store) fn on(pool: Pool<DB>, key: DataKey) -> Self {
        StoreOn {
            pool,
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
            key: self.key.clone(),
            quotas: self.quotas.clone(),
        }
    }
}

/// What a write transaction locks, until it ends, so that the invariant it checks holds
/// against concurrent writers. On SQLite the transaction's write lock already excludes
/// every other writer, so taking one of these does nothing there.
#[derive(Clone, Copy, Debug)]
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
