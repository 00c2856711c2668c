//! Persistence: the [`Store`] trait and its two implementations, SQLite (the bundled
//! default, one file) and PostgreSQL (a shared deployment, any number of servers).
//!
//! Every method that changes data is one transaction, and invariants that must hold under
//! concurrency (the last Owner, a connection in use, a one-use link) are checked inside
//! that transaction rather than by the caller.
//!
//! Connection details and integration configurations are sealed at rest (see
//! [`crate::seal`]): both stores write them only through [`seal_json`] and read them only
//! through [`open_json`], and run [`Sealed`]'s one-time pass when they open.

mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::seal::{self, DataKey, SealError};
use async_trait::async_trait;
use futures_util::stream::BoxStream;
use houston_vocabulary::UserStatus;
use serde_json::Value;
use std::sync::Arc;

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
    Ok(if is_postgres_url(url) {
        Arc::new(PgStore::open(url, key).await?)
    } else {
        Arc::new(SqliteStore::open(url, key).await?)
    })
}

/// A column whose values are sealed at rest: the secrets a user types into a destination's
/// form (a connection's `details`) or its `configPayload` (an integration's `config`, which
/// may hold secret fields too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealed {
    ConnectionDetails,
    IntegrationConfig,
}

impl Sealed {
    /// Every sealed column.
    pub const ALL: [Sealed; 2] = [Sealed::ConnectionDetails, Sealed::IntegrationConfig];

    pub fn table(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "connections",
            Sealed::IntegrationConfig => "integrations",
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "details",
            Sealed::IntegrationConfig => "config",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Sealed::ConnectionDetails => "the details of connection",
            Sealed::IntegrationConfig => "the configuration of integration",
        }
    }

    /// The associated data of the value in row `id`: it only opens there.
    fn context(self, id: &str) -> Vec<u8> {
        seal::context(self.table(), self.column(), id)
    }
}

/// The stored text of `value` for row `id` of `field`'s column: always sealed.
pub fn seal_json(key: &DataKey, field: Sealed, id: &str, value: &Value) -> String {
    key.seal(&field.context(id), value.to_string().as_bytes())
}

/// The stored text of a plaintext value found in the database (written by a server from
/// before sealing), sealed byte for byte as it was.
pub(crate) fn seal_legacy(key: &DataKey, field: Sealed, id: &str, plaintext: &str) -> String {
    key.seal(&field.context(id), plaintext.as_bytes())
}

/// The value of row `id` of `field`'s column from its stored text: opened when sealed,
/// parsed as it is when plaintext (a database written before sealing, until the pass at
/// open seals it). A value that does not open is [`StoreError::Unsealable`], naming the row
/// and where the key came from; never a panic, never a guess.
pub fn open_json(key: &DataKey, field: Sealed, id: &str, stored: &str) -> StoreResult<Value> {
    let unsealable = |reason| StoreError::Unsealable {
        what: field.what(),
        id: id.to_string(),
        key_source: key.source().to_string(),
        reason,
    };
    if !seal::is_sealed(stored) {
        return serde_json::from_str(stored).map_err(|_| unsealable(SealError::Malformed));
    }
    let plain = key.open(&field.context(id), stored).map_err(unsealable)?;
    serde_json::from_slice(&plain).map_err(|_| unsealable(SealError::Malformed))
}

/// The check value's plaintext and its place: a database remembers, sealed, which key seals
/// it, so that a server given another key refuses to start (before it writes anything with
/// it) instead of failing row by row, and an empty database is bound to its key too.
const KEY_CHECK: &[u8] = b"houston data key check v1";

/// The stored check value for `key`, written once per database.
pub(crate) fn key_check_value(key: &DataKey) -> String {
    key.seal(&seal::context("data_key_check", "sealed", "1"), KEY_CHECK)
}

/// `Ok` when `stored` (the database's check value) was sealed with `key`.
pub(crate) fn verify_key_check(key: &DataKey, stored: &str) -> StoreResult<()> {
    match key.open(&seal::context("data_key_check", "sealed", "1"), stored) {
        Ok(plain) if plain == KEY_CHECK => Ok(()),
        _ => Err(StoreError::WrongDataKey {
            key_source: key.source().to_string(),
        }),
    }
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

/// A member's role in an organization: the vocabulary's, stored in its wire spelling
/// (`as_str`) and read back with the lenient `Role::parse`.
pub use houston_vocabulary::Role;

/// A person's account.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub status: String,
    pub email_verified: bool,
    pub token_version: i64,
    pub created_at: String,
}

impl UserRow {
    /// True once the email is confirmed (or the invitation accepted).
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

/// A person's profile, as given at sign-up or by `updateUser`.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// An organization.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: String,
}

/// A member of an organization with their role.
#[derive(Clone, Debug)]
pub struct MemberRow {
    pub user: UserRow,
    pub role: Role,
}

/// A clickstream source.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub platform: String,
    pub created_at: String,
}

/// Saved credentials for one destination.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub integration_code: String,
    pub connection_prototype_id: String,
    pub details: Value,
    pub created_at: String,
    pub updated_at: String,
}

/// A destination switched on for a source.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegrationRow {
    pub id: String,
    pub app_id: String,
    pub connection_id: Option<String>,
    pub name: String,
    pub code: String,
    pub config: Value,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// An organization's API key (without the key, which is never stored).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub org_id: String,
    pub label: String,
    pub role: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A mail in the outbox.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MailRow {
    pub id: String,
    pub to_address: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub token: Option<String>,
    pub created_at: String,
}

/// A one-use link to create with a mail, in the same transaction as the change it goes with.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub token_hash: String,
    pub kind: &'static str,
    pub expires_at: String,
    pub mail: MailRow,
}

/// What a one-use link, once consumed, does to its user.
#[derive(Clone, Debug)]
pub enum LinkEffect {
    /// Confirms the email and activates the account.
    ConfirmEmail,
    /// Sets the password (hash), confirms the email, activates, and revokes older tokens.
    SetPassword(String),
}

/// Fields of an integration to change; `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct IntegrationPatch {
    pub name: Option<String>,
    pub config: Option<Value>,
    pub connection_id: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// A membership as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct MembershipRecord {
    pub org_id: String,
    pub user_id: String,
    pub role: Role,
    pub created_at: String,
}

/// An API key as stored, with the hash of its key.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRecord {
    pub key: ApiKeyRow,
    pub key_hash: String,
}

/// A mailed one-use link as stored (its token only as a hash).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRecord {
    pub token_hash: String,
    pub user_id: String,
    pub kind: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

/// A username's failed sign-ins in the current window.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginFailureRecord {
    pub username: String,
    pub failures: i64,
    pub window_start: i64,
}

/// Every row of a store, table by table, in an order that satisfies the foreign keys:
/// what `houston-server migrate` copies from one database into another.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dump {
    pub users: Vec<UserRow>,
    pub organizations: Vec<OrgRow>,
    pub memberships: Vec<MembershipRecord>,
    pub applications: Vec<AppRow>,
    pub connections: Vec<ConnectionRow>,
    pub integrations: Vec<IntegrationRow>,
    pub api_keys: Vec<ApiKeyRecord>,
    pub link_tokens: Vec<LinkRecord>,
    /// In the order the mails were written, oldest first.
    pub mail: Vec<MailRow>,
    pub login_failures: Vec<LoginFailureRecord>,
}

impl Dump {
    /// The tables in the order they are written (referenced tables first).
    pub const TABLES: [&'static str; 10] = [
        "users",
        "organizations",
        "memberships",
        "applications",
        "connections",
        "integrations",
        "api_keys",
        "link_tokens",
        "mail",
        "login_failures",
    ];

    /// The number of rows of each table, in the order of [`Dump::TABLES`].
    pub fn counts(&self) -> [(&'static str, usize); 10] {
        let n = [
            self.users.len(),
            self.organizations.len(),
            self.memberships.len(),
            self.applications.len(),
            self.connections.len(),
            self.integrations.len(),
            self.api_keys.len(),
            self.link_tokens.len(),
            self.mail.len(),
            self.login_failures.len(),
        ];
        std::array::from_fn(|i| (Dump::TABLES[i], n[i]))
    }
}

/// The payloads other servers on the same database publish with [`Store::publish_change`].
pub type ChangeStream = BoxStream<'static, String>;

/// The persistence the server needs. One implementation per database.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Users and their links.
    /// Creates a user; with `link`, also its mailed link. `Conflict` when the username exists.
    async fn create_user(&self, user: &UserRow, link: Option<&NewLink>) -> StoreResult<()>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>>;
    /// Users who share at least one organization with `user_id` (themselves included).
    async fn users_sharing_orgs(&self, user_id: &str) -> StoreResult<Vec<UserRow>>;
    async fn update_profile(&self, user_id: &str, profile: &Profile) -> StoreResult<()>;
    /// Sets a new password hash and bumps the token version (revoking every token).
    async fn change_password(&self, user_id: &str, hash: &str) -> StoreResult<()>;
    /// Bumps the token version: every token issued before is refused from now on.
    async fn revoke_tokens(&self, user_id: &str) -> StoreResult<()>;
    /// Records a mailed link for an existing user.
    async fn create_link(&self, user_id: &str, link: &NewLink) -> StoreResult<()>;
    /// Consumes an unexpired, unused link of one of `kinds` and applies `effect`, atomically.
    /// Returns the updated user, or `None` when the link is unknown, used or expired.
    async fn consume_link(
        &self,
        token_hash: &str,
        kinds: &[&str],
        now: &str,
        effect: LinkEffect,
    ) -> StoreResult<Option<UserRow>>;
    async fn mail_to(&self, address: &str) -> StoreResult<Vec<MailRow>>;
    async fn outbox(&self) -> StoreResult<Vec<MailRow>>;

    // Organizations and members.
    async fn create_org(&self, org: &OrgRow, owner_id: &str) -> StoreResult<()>;
    async fn org_by_id(&self, id: &str) -> StoreResult<Option<OrgRow>>;
    async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<OrgRow>>;
    async fn update_org(
        &self,
        id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> StoreResult<()>;
    async fn delete_org(&self, id: &str) -> StoreResult<()>;
    async fn role_of(&self, org_id: &str, user_id: &str) -> StoreResult<Option<Role>>;
    async fn members(&self, org_id: &str) -> StoreResult<Vec<MemberRow>>;
    /// Adds an existing user. `Conflict` when already a member.
    async fn add_member(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()>;
    /// Creates a pending user, makes them a member and records their invitation, atomically.
    async fn invite_member(
        &self,
        org_id: &str,
        user: &UserRow,
        role: Role,
        link: &NewLink,
    ) -> StoreResult<()>;
    /// Removes a member and revokes their tokens; `LastOwner` if they are the last Owner.
    async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()>;
    /// Changes a member's role; `LastOwner` when it would demote the last Owner.
    async fn set_role(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()>;

    // Sources.
    async fn create_app(&self, app: &AppRow) -> StoreResult<()>;
    async fn app_by_id(&self, id: &str) -> StoreResult<Option<AppRow>>;
    async fn apps_of_org(&self, org_id: &str) -> StoreResult<Vec<AppRow>>;
    async fn update_app(
        &self,
        id: &str,
        name: Option<&str>,
        platform: Option<&str>,
    ) -> StoreResult<()>;
    async fn delete_app(&self, id: &str) -> StoreResult<()>;

    // Connections.
    async fn create_connection(&self, c: &ConnectionRow) -> StoreResult<()>;
    async fn connection_by_id(&self, id: &str) -> StoreResult<Option<ConnectionRow>>;
    async fn connections_of_org(
        &self,
        org_id: &str,
        prototype: Option<&str>,
    ) -> StoreResult<Vec<ConnectionRow>>;
    async fn update_connection(
        &self,
        id: &str,
        name: Option<&str>,
        details: Option<&Value>,
        now: &str,
    ) -> StoreResult<()>;
    /// Deletes a connection; `InUse` while an integration uses it.
    async fn delete_connection(&self, id: &str) -> StoreResult<()>;

    // Integrations.
    async fn create_integration(&self, i: &IntegrationRow) -> StoreResult<()>;
    async fn integration_by_id(&self, id: &str) -> StoreResult<Option<IntegrationRow>>;
    async fn integrations_of_app(&self, app_id: &str) -> StoreResult<Vec<IntegrationRow>>;
    async fn integrations_of_org(&self, org_id: &str) -> StoreResult<Vec<IntegrationRow>>;
    async fn update_integration(
        &self,
        id: &str,
        patch: &IntegrationPatch,
        now: &str,
    ) -> StoreResult<()>;
    async fn delete_integration(&self, id: &str) -> StoreResult<()>;

    // API keys.
    async fn create_api_key(&self, key: &ApiKeyRow, key_hash: &str) -> StoreResult<()>;
    async fn api_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>>;
    async fn api_key_by_id(&self, id: &str) -> StoreResult<Option<ApiKeyRow>>;
    /// Finds a key by its hash and records its use.
    async fn use_api_key(&self, key_hash: &str, now: &str) -> StoreResult<Option<ApiKeyRow>>;
    async fn revoke_api_key(&self, id: &str) -> StoreResult<()>;

    // Sign-in throttling.
    /// Counts one more attempt for `username` in a window of `window_secs` starting at the
    /// first failure, and returns the count including this one.
    async fn count_login_attempt(
        &self,
        username: &str,
        now: i64,
        window_secs: i64,
    ) -> StoreResult<i64>;
    /// Forgets the attempts of `username` (after a successful sign-in).
    async fn clear_login_attempts(&self, username: &str) -> StoreResult<()>;

    // Servers sharing the database.
    /// Tells every server listening on this database (see [`Store::listen_changes`]) about
    /// a change, as an opaque text payload. A store that only one process can open has
    /// nobody else to tell and does nothing.
    async fn publish_change(&self, payload: &str) -> StoreResult<()> {
        let _ = payload;
        Ok(())
    }
    /// Starts listening for the payloads published on this database, this server's own
    /// included (the caller tells them apart). `None` when the database cannot be shared.
    /// Listening has begun when this returns: nothing published after is missed, unless
    /// the connection is lost (the stream then reconnects and goes on).
    async fn listen_changes(&self) -> StoreResult<Option<ChangeStream>> {
        Ok(None)
    }

    // Copying a whole database.
    /// Every row of every table, in one consistent read.
    async fn export(&self) -> StoreResult<Dump>;
    /// Writes every row of `dump` in one transaction, keeping ids, hashes, token versions
    /// and times as they are. Refuses with `NotEmpty` unless every table is empty.
    async fn import(&self, dump: &Dump) -> StoreResult<()>;
}
