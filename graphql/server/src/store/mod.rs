//! Persistence: the [`Store`] the server needs, cut by concept, on two databases: SQLite
//! (the bundled default, one file) and PostgreSQL (a shared deployment, any number of
//! servers).
//!
//! Each concept is one module holding its row types, its trait (its part of [`Store`]) and
//! its SQL, written once for both databases (`for_each_backend!` expands it for each):
//! [`accounts`] (users, profiles, passwords, token versions), [`links`] (one-use links and
//! the mail outbox), [`orgs`] (organizations, members, the last-Owner rule), [`invitations`] (offers of
//! membership, apart from accounts until accepted), [`sources`]
//! (applications), [`connections`], [`integrations`], [`api_keys`], [`sign_in`] (attempt
//! counters), [`events`] (events, their retention and hourly counts), [`pages`] (the paged lists), [`dump`] (copying a whole database) and [`changes`] (telling other servers).
//! What truly differs per database (opening, how a write takes its lock, row locks, the
//! export snapshot, the vacuum after sealing, `LISTEN`/`NOTIFY`, the order of mail) sits in
//! [`backend`]'s [`SqliteStore`] and [`PgStore`], which offer the same-named helpers so
//! that the shared SQL calls them alike.
//!
//! Every method that changes data is one statement or one transaction, and invariants
//! that must hold under concurrency (the last Owner, a connection in use, a one-use link)
//! are checked inside that transaction rather than by the caller.
//!
//! Connection details and integration configurations are sealed at rest (see
//! [`crate::seal`] and [`sealing`]): both stores write them only through [`seal_json`] and
//! read them only through [`open_json`], and run [`Sealed`]'s one-time pass when they open.

/// Writes a block of items once for each database: the block is expanded twice, into
/// `mod sqlite` and `mod postgres`, where `Db` is that database's sqlx type, `DbRow` its
/// row, `Backend` its store ([`SqliteStore`] or [`PgStore`]) and `domains` the same
/// database's expansion of every concept (so `import` reaches every table's insert).
///
/// Why a macro and not generics: a function generic over `DB: sqlx::Database` must spell
/// out, for every query it runs, bounds that are not implied (`for<'c> &'c mut
/// DB::Connection: Executor<'c, Database = DB>`, `String: Type<DB> + Encode<'q, DB> +
/// Decode<'r, DB>`, `&str: ColumnIndex<DB::Row>`, …), and they spread to every caller;
/// `sqlx::Any` erases the types but decodes differently (a boolean out of SQLite's
/// INTEGER) and converts every value. Expanded twice, each copy is plain concrete sqlx.
/// The SQL itself is portable: `$N` placeholders (SQLite takes them, repeats included),
/// explicit column lists, `CAST($N AS TEXT) IS NULL` for an optional filter.
///
/// `cargo fmt` leaves a macro's braces alone: to format a block, rename
/// `for_each_backend! {` to `mod for_each_backend_fmt {`, run `rustfmt` on the file, and
/// rename it back.
macro_rules! for_each_backend {
    ($($item:item)*) => {
        /// This module's SQL on SQLite.
        pub(crate) mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::store::backend::{sqlite::{domains, Backend, Db, DbRow}, Lock};
            $($item)*
        }
        /// This module's SQL on PostgreSQL.
        #[cfg(feature = "postgres")]
        pub(crate) mod postgres {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::store::backend::{postgres::{domains, Backend, Db, DbRow}, Lock};
            $($item)*
        }
    };
}

pub mod accounts;
pub mod api_keys;
pub mod backend;
pub mod changes;
pub mod connections;
pub mod dump;
pub mod events;
pub mod integrations;
pub mod invitations;
pub mod links;
pub mod orgs;
pub mod pages;
pub mod sealing;
pub mod sign_in;
pub mod sources;

pub use accounts::{Accounts, Profile, UserRow};
pub use api_keys::{ApiKeyRow, ApiKeys, KeyUseRow};
#[cfg(feature = "postgres")]
pub use backend::postgres::PgStore;
pub use backend::sqlite::SqliteStore;
pub use backend::StoreOn;
pub use changes::{ChangeFeed, ChangeStream};
pub use connections::{ConnectionRow, Connections};
pub use dump::{ApiKeyRecord, Dump, Dumps, LinkRecord, LoginFailureRecord, MembershipRecord};
pub use events::{
    EventBucket, EventCountRecord, EventCounts, EventFilter, EventPage, EventRecord, EventRequest,
    EventRow, Events, NewEvent, Period, Retention, TypeCount,
};
pub use integrations::{IntegrationPatch, IntegrationRow, Integrations};
pub use invitations::{Accepted, InvitationProof, InvitationRow, Invitations, PendingInvitation};
pub use links::{LinkEffect, Links, MailRow, NewLink};
pub use orgs::{MemberRow, OrgRow, OrgTable, Orgs, Role};
pub use pages::{After, IntegrationFilter, IntegrationScope, MailEntry, Page, PageOf, Pages};
pub use sealing::{open_json, seal_json, Sealed};
pub use sign_in::SignIn;
pub use sources::{AppRow, Sources};

/// Every concept's trait, to call the store's methods on an `Arc<dyn Store>`:
/// `use crate::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        Accounts, ApiKeys, ChangeFeed, Connections, Dumps, Events, Integrations, Invitations,
        Links, Orgs, Pages, SignIn, Sources, Store,
    };
}

use crate::seal::{DataKey, SealError};
use std::sync::Arc;

/// The persistence the server needs: every concept's part. One implementation per
/// database ([`SqliteStore`], [`PgStore`]).
pub trait Store:
    Accounts
    + Links
    + Orgs
    + Sources
    + Connections
    + Integrations
    + Invitations
    + ApiKeys
    + SignIn
    + Dumps
    + Events
    + Pages
    + ChangeFeed
    + Send
    + Sync
    + 'static
{
}

impl Store for SqliteStore {}
#[cfg(feature = "postgres")]
impl Store for PgStore {}

/// True for a PostgreSQL URL (`postgres://…` or `postgresql://…`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens (and migrates) the store a database URL names: PostgreSQL for `postgres://…` or
/// `postgresql://…`, SQLite for anything else (`sqlite://path`, a plain path, `sqlite::memory:`).
/// `key` seals connection details and integration configurations; opening refuses with
/// [`StoreError::WrongDataKey`] when the database was sealed with another key, and seals
/// any value an older server left in plaintext.
pub async fn open(url: &str, key: DataKey) -> StoreResult<Arc<dyn Store>> {
    if is_postgres_url(url) {
        return open_postgres(url, key).await;
    }
    Ok(Arc::new(SqliteStore::open(url, key).await?))
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, key: DataKey) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(PgStore::open(url, key).await?))
}

/// Without PostgreSQL support (the desktop's build), a refusal that says so.
#[cfg(not(feature = "postgres"))]
async fn open_postgres(_url: &str, _key: DataKey) -> StoreResult<Arc<dyn Store>> {
    Err(StoreError::Database(sqlx::Error::Configuration(
        "this build has no PostgreSQL support (houston-server's `postgres` feature)".into(),
    )))
}

/// What can go wrong in the store, in terms the resolvers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (an email, a membership) already exists.
    #[error("already exists")]
    Conflict,
    /// The change would leave an organization without an Owner.
    #[error("an organization must keep at least one owner")]
    LastOwner,
    /// The row is referenced by another (a connection used by an integration).
    #[error("still in use")]
    InUse,
    /// The row to change does not exist (any more).
    #[error("not found")]
    NotFound,
    /// The organization already holds its quota of `table`'s rows (`held` of them).
    #[error("the organization holds its quota of {table:?} ({held})")]
    OverQuota { table: OrgTable, held: i64 },
    /// The database failed; the detail is logged, never shown to a client.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A copy was refused because the target database already holds data.
    #[error(
        "the target database is not empty ({table}: {rows} rows); \
         copy only into a new, empty database"
    )]
    NotEmpty { table: &'static str, rows: i64 },
    /// The database was sealed with another data key: nothing secret can be read or written.
    #[error(
        "this database's connection details were sealed with another data key than {key_source}; \
         start the server with the key it was sealed with (losing that key loses them)"
    )]
    WrongDataKey { key_source: String },
    /// A database opened for reading only (`migrate`'s PostgreSQL source) is not at this
    /// server's schema, or its values are not yet sealed for their rows' meaning: opening
    /// it read-only cannot bring it there.
    #[error(
        "the database is not at this server's schema; serve it once with this version of \
         houston-server (which brings it there), then copy it"
    )]
    NotCurrent,
    /// One sealed value did not open (altered, or copied from another row).
    #[error("{what} {id} cannot be opened with {key_source}: {reason}")]
    Unsealable {
        what: &'static str,
        id: String,
        key_source: String,
        reason: SealError,
    },
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// What a violated constraint means to a create: the name is taken (`Conflict`), or the
/// row it refers to is gone or still referenced (`InUse`).
///
/// The inserts, one a table, serve both the create methods and `import`, and return sqlx's
/// own error because what a violated constraint means is the caller's to say: a create
/// maps it here, while `import` reports it as the database error it is (a dump that
/// breaks a constraint is damaged, not a request that lost a race).
fn unique_violation(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::InUse,
        _ => StoreError::Database(e),
    }
}

for_each_backend! {
    impl Backend {
        /// Runs one statement that must change a row; `NotFound` when it changed none. One
        /// statement is atomic by itself, so it runs without a transaction around it (on
        /// SQLite it takes the write lock by itself).
        pub(in crate::store) async fn change_one<'q>(
            &self,
            query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        ) -> StoreResult<()> {
            affected(query.execute(&self.pool).await?.rows_affected())
        }
    }
}

/// `NotFound` when a change that must touch a row touched none.
fn affected(rows: u64) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Whether `s` can be stored at all. PostgreSQL text cannot hold U+0000 (SQLite's can);
/// no stored key contains one, so a lookup by such a value finds nothing without asking,
/// on both databases alike, instead of failing on one.
fn storable(s: &str) -> bool {
    !s.contains('\0')
}
