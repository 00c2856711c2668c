//! The PostgreSQL store: one database shared by any number of servers.
//!
//! Same tables and semantics as the SQLite store. Where SQLite's single writer makes an
//! invariant hold by itself, a row lock does it here: changes to an organization's members
//! lock the organization's row, so two demotions cannot both see the other Owner; deleting
//! a connection locks it against a new integration; consuming a link locks the link, so a
//! second use waits and then finds it used. The attempt counter is one `INSERT … ON
//! CONFLICT` statement. Changes for `clickstreamChanged` travel with `NOTIFY`.

use super::*;
use crate::clock;
use futures_util::StreamExt;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgListener, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The `LISTEN`/`NOTIFY` channel of integration changes.
const CHANGES_CHANNEL: &str = "houston_clickstream";

/// A [`Store`] on a PostgreSQL database (`postgres://user:password@host/database`).
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    key: Arc<DataKey>,
}

impl PgStore {
    /// Connects to the (existing) database at `url` and migrates it. Servers starting
    /// together are safe: the migrations run under an advisory lock. Then checks that `key`
    /// is the one the database is sealed with and seals what an older server left in
    /// plaintext (see [`Sealed`]): servers sharing one database must share one key.
    pub async fn open(url: &str, key: DataKey) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("houston-server");
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let store = PgStore {
            pool,
            key: Arc::new(key),
        };
        store.seal_at_rest().await?;
        Ok(store)
    }

    /// The one-time pass at open, in one write transaction: binds an unbound database to
    /// the key (or refuses another key), then seals every plaintext value. An update only
    /// replaces the exact text it read, so it can never undo a newer write.
    async fn seal_at_rest(&self) -> StoreResult<()> {
        let key = &*self.key;
        let mut tx = self.write().await?;
        // Servers starting together on a new database: the first insert wins, the others
        // wait for it and then check their key against it.
        sqlx::query(
            "INSERT INTO data_key_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(key_check_value(key))
        .execute(&mut *tx)
        .await?;
        let stored: String = sqlx::query_scalar("SELECT sealed FROM data_key_check WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        verify_key_check(key, &stored)?;
        let mut sealed = 0u64;
        for field in Sealed::ALL {
            let (table, column) = (field.table(), field.column());
            let plaintext: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT id, {column} FROM {table} WHERE substr({column}, 1, 7) <> 'sealed:'"
            ))
            .fetch_all(&mut *tx)
            .await?;
            for (id, text) in plaintext {
                sealed += sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"
                ))
                .bind(seal_legacy(key, field, &id, &text))
                .bind(&id)
                .bind(&text)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
        }
        tx.commit().await?;
        if sealed > 0 {
            tracing::info!(
                values = sealed,
                "sealed plaintext values left by an older server"
            );
            // Old row versions keep the plaintext in the table files until they are
            // rewritten. This runs once per database from before sealing, so the brief
            // exclusive lock of a full vacuum is affordable; if it fails, the values are
            // sealed all the same, so it is only a warning.
            if let Err(e) = sqlx::query("VACUUM FULL connections, integrations")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(error = %e, "could not rewrite the tables after sealing");
            }
        }
        Ok(())
    }

    /// The pool, for tests and maintenance commands.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Runs one statement that must change a row; `NotFound` when it changed none. One
    /// statement is atomic by itself, so it runs without a transaction around it.
    async fn change_one(&self, query: Query<'_, Postgres, PgArguments>) -> StoreResult<()> {
        affected(query.execute(&self.pool).await?.rows_affected())
    }
}

/// PostgreSQL text cannot hold U+0000 (SQLite's can). No stored key contains one, so a
/// lookup by such a value finds nothing, as it would on SQLite, instead of failing.
fn storable(s: &str) -> bool {
    !s.contains('\0')
}

/// The key of a username's sign-in attempts: the username, with any U+0000 (which no
/// account has, but anyone may type) replaced so that it can be stored and counted.
fn login_key(username: &str) -> std::borrow::Cow<'_, str> {
    if storable(username) {
        std::borrow::Cow::Borrowed(username)
    } else {
        std::borrow::Cow::Owned(username.replace('\0', "\u{FFFD}"))
    }
}

fn unique_violation(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::InUse,
        _ => StoreError::Database(e),
    }
}

/// The value of a sealed column of `row` (see [`open_json`]).
fn sealed_column(key: &DataKey, row: &PgRow, field: Sealed) -> StoreResult<Value> {
    let id: String = row.try_get("id")?;
    let text: String = row.try_get(field.column())?;
    open_json(key, field, &id, &text)
}

fn connection_from(key: &DataKey, row: &PgRow) -> StoreResult<ConnectionRow> {
    Ok(ConnectionRow {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        integration_code: row.try_get("integration_code")?,
        connection_prototype_id: row.try_get("connection_prototype_id")?,
        details: sealed_column(key, row, Sealed::ConnectionDetails)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn integration_from(key: &DataKey, row: &PgRow) -> StoreResult<IntegrationRow> {
    Ok(IntegrationRow {
        id: row.try_get("id")?,
        app_id: row.try_get("app_id")?,
        connection_id: row.try_get("connection_id")?,
        name: row.try_get("name")?,
        code: row.try_get("code")?,
        config: sealed_column(key, row, Sealed::IntegrationConfig)?,
        enabled: row.try_get("enabled")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, first_name, last_name, company, status, \
     email_verified, token_version, created_at";
const CONNECTION_COLUMNS: &str = "id, org_id, name, integration_code, connection_prototype_id, \
     details, created_at, updated_at";
const INTEGRATION_COLUMNS: &str =
    "id, app_id, connection_id, name, code, config, enabled, created_at, updated_at";
const MAIL_COLUMNS: &str = "id, to_address, kind, subject, body, token, created_at";

async fn insert_user(tx: &mut Transaction<'_, Postgres>, u: &UserRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, first_name, last_name, company, status, \
         email_verified, token_version, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(&u.id)
    .bind(&u.username)
    .bind(&u.password_hash)
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(&u.company)
    .bind(&u.status)
    .bind(u.email_verified)
    .bind(u.token_version)
    .bind(&u.created_at)
    .execute(&mut **tx)
    .await
    .map_err(unique_violation)?;
    Ok(())
}

async fn insert_link(
    tx: &mut Transaction<'_, Postgres>,
    user_id: &str,
    link: &NewLink,
) -> StoreResult<()> {
    insert_link_token(
        tx,
        &link.token_hash,
        user_id,
        link.kind,
        &link.expires_at,
        None,
    )
    .await?;
    insert_mail(tx, &link.mail).await
}

async fn insert_mail(tx: &mut Transaction<'_, Postgres>, m: &MailRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mail (id, to_address, kind, subject, body, token, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(&m.id)
    .bind(&m.to_address)
    .bind(&m.kind)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(&m.token)
    .bind(&m.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// The inserts below, one a table, serve both the create methods and `import`. They return
// sqlx's own error because what a violated constraint means is the caller's to say: a
// create maps it with `unique_violation` (the name is taken, the parent is gone), while
// `import` reports it as the database error it is (a dump that breaks a constraint is
// damaged, not a request that lost a race).

/// A mailed link's token (`used_at` is `None` for a new one, set for one copied by `import`).
async fn insert_link_token(
    tx: &mut Transaction<'_, Postgres>,
    token_hash: &str,
    user_id: &str,
    kind: &str,
    expires_at: &str,
    used_at: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO link_tokens (token_hash, user_id, kind, expires_at, used_at) \
         VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind)
    .bind(expires_at)
    .bind(used_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_org(tx: &mut Transaction<'_, Postgres>, o: &OrgRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO organizations (id, name, description, enabled, created_at) \
         VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(&o.id)
    .bind(&o.name)
    .bind(&o.description)
    .bind(o.enabled)
    .bind(&o.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_membership(
    tx: &mut Transaction<'_, Postgres>,
    org_id: &str,
    user_id: &str,
    role: Role,
    created_at: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1,$2,$3,$4)")
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_app(tx: &mut Transaction<'_, Postgres>, a: &AppRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO applications (id, org_id, name, platform, created_at) \
         VALUES ($1,$2,$3,$4,$5)",
    )
    .bind(&a.id)
    .bind(&a.org_id)
    .bind(&a.name)
    .bind(&a.platform)
    .bind(&a.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A connection, its details sealed with `key` (see [`seal_json`]).
async fn insert_connection(
    tx: &mut Transaction<'_, Postgres>,
    key: &DataKey,
    c: &ConnectionRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO connections (id, org_id, name, integration_code, connection_prototype_id, \
         details, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(&c.id)
    .bind(&c.org_id)
    .bind(&c.name)
    .bind(&c.integration_code)
    .bind(&c.connection_prototype_id)
    .bind(seal_json(key, Sealed::ConnectionDetails, &c.id, &c.details))
    .bind(&c.created_at)
    .bind(&c.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An integration, its config sealed with `key` (see [`seal_json`]).
async fn insert_integration(
    tx: &mut Transaction<'_, Postgres>,
    key: &DataKey,
    i: &IntegrationRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO integrations (id, app_id, connection_id, name, code, config, enabled, \
         created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
    )
    .bind(&i.id)
    .bind(&i.app_id)
    .bind(&i.connection_id)
    .bind(&i.name)
    .bind(&i.code)
    .bind(seal_json(key, Sealed::IntegrationConfig, &i.id, &i.config))
    .bind(i.enabled)
    .bind(&i.created_at)
    .bind(&i.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An API key: only its hash is stored, never the key itself.
async fn insert_api_key(
    tx: &mut Transaction<'_, Postgres>,
    k: &ApiKeyRow,
    key_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_keys (id, org_id, label, role, key_hash, created_at, last_used_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(&k.id)
    .bind(&k.org_id)
    .bind(&k.label)
    .bind(&k.role)
    .bind(key_hash)
    .bind(&k.created_at)
    .bind(&k.last_used_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Locks the organization's row until the transaction ends: every change to its members
/// takes this lock first, so they happen one after the other, as under SQLite's writer lock.
async fn lock_org(tx: &mut Transaction<'_, Postgres>, org_id: &str) -> StoreResult<()> {
    sqlx::query("SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE")
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(())
}

/// Fails with `LastOwner` unless `org_id` still has an Owner (checked under the
/// organization's lock, in the transaction that removed or demoted one).
async fn ensure_owner_left(tx: &mut Transaction<'_, Postgres>, org_id: &str) -> StoreResult<()> {
    let owners: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'OWNER'")
            .bind(org_id)
            .fetch_one(&mut **tx)
            .await?;
    if owners == 0 {
        Err(StoreError::LastOwner)
    } else {
        Ok(())
    }
}

fn affected(rows: u64) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl Store for PgStore {
    async fn create_user(&self, user: &UserRow, link: Option<&NewLink>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_user(&mut tx, user).await?;
        if let Some(link) = link {
            insert_link(&mut tx, &user.id, link).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        if !storable(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        if !storable(username) {
            return Ok(None);
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn users_sharing_orgs(&self, user_id: &str) -> StoreResult<Vec<UserRow>> {
        if !storable(user_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 OR id IN (
                SELECT other.user_id FROM memberships mine
                JOIN memberships other ON other.org_id = mine.org_id
                WHERE mine.user_id = $1)
             ORDER BY username"
        );
        Ok(sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn update_profile(&self, user_id: &str, p: &Profile) -> StoreResult<()> {
        self.change_one(
            sqlx::query(
                "UPDATE users SET first_name = COALESCE($1, first_name), \
                 last_name = COALESCE($2, last_name), company = COALESCE($3, company) \
                 WHERE id = $4",
            )
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.company)
            .bind(user_id),
        )
        .await
    }

    async fn change_password(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        self.change_one(
            sqlx::query(
                "UPDATE users SET password_hash = $1, token_version = token_version + 1 \
                 WHERE id = $2",
            )
            .bind(hash)
            .bind(user_id),
        )
        .await
    }

    async fn revoke_tokens(&self, user_id: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_link(&self, user_id: &str, link: &NewLink) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_link(&mut tx, user_id, link).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn consume_link(
        &self,
        token_hash: &str,
        kinds: &[&str],
        now: &str,
        effect: LinkEffect,
    ) -> StoreResult<Option<UserRow>> {
        if !storable(token_hash) {
            return Ok(None);
        }
        let mut tx = self.write().await?;
        // FOR UPDATE: a concurrent use of the same link waits here, then re-reads the row
        // and finds it used.
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT user_id, kind FROM link_tokens \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, kind)) = found else {
            return Ok(None);
        };
        if !kinds.contains(&kind.as_str()) {
            return Ok(None);
        }
        sqlx::query("UPDATE link_tokens SET used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        match effect {
            LinkEffect::ConfirmEmail => {
                sqlx::query(
                    "UPDATE users SET status = 'active', email_verified = TRUE \
                     WHERE id = $1 AND status = 'pending'",
                )
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
            }
            LinkEffect::SetPassword(hash) => {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, email_verified = TRUE, \
                     status = CASE WHEN status = 'pending' THEN 'active' ELSE status END, \
                     token_version = token_version + 1 WHERE id = $2",
                )
                .bind(hash)
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
                // A reset link is the way back in: any other outstanding reset link dies.
                sqlx::query(
                    "UPDATE link_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL \
                     AND kind IN ('PASSWORD_RESET', 'INVITATION')",
                )
                .bind(now)
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let user: Option<UserRow> = sqlx::query_as(&sql)
            .bind(&user_id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn mail_to(&self, address: &str) -> StoreResult<Vec<MailRow>> {
        if !storable(address) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail WHERE to_address = $1 ORDER BY created_at DESC, seq DESC"
        );
        Ok(sqlx::query_as(&sql)
            .bind(address)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn outbox(&self) -> StoreResult<Vec<MailRow>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail ORDER BY created_at DESC, seq DESC");
        Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
    }

    async fn create_org(&self, org: &OrgRow, owner_id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_org(&mut tx, org).await.map_err(unique_violation)?;
        insert_membership(&mut tx, &org.id, owner_id, Role::Owner, &org.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn org_by_id(&self, id: &str) -> StoreResult<Option<OrgRow>> {
        if !storable(id) {
            return Ok(None);
        }
        Ok(sqlx::query_as(
            "SELECT id, name, description, enabled, created_at FROM organizations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<OrgRow>> {
        if !storable(user_id) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT o.id, o.name, o.description, o.enabled, o.created_at FROM organizations o \
             JOIN memberships m ON m.org_id = o.id WHERE m.user_id = $1 ORDER BY o.name, o.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn update_org(
        &self,
        id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> StoreResult<()> {
        self.change_one(
            sqlx::query(
                "UPDATE organizations SET name = COALESCE($1, name), \
                 description = COALESCE($2, description) WHERE id = $3",
            )
            .bind(name)
            .bind(description)
            .bind(id),
        )
        .await
    }

    async fn delete_org(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Integrations reference connections with RESTRICT: remove the pipelines first.
        sqlx::query(
            "DELETE FROM integrations WHERE app_id IN \
             (SELECT id FROM applications WHERE org_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query("DELETE FROM organizations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn role_of(&self, org_id: &str, user_id: &str) -> StoreResult<Option<Role>> {
        if !storable(org_id) || !storable(user_id) {
            return Ok(None);
        }
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(role.as_deref().map(Role::parse))
    }

    async fn members(&self, org_id: &str) -> StoreResult<Vec<MemberRow>> {
        if !storable(org_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {}, m.role AS member_role FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.org_id = $1 ORDER BY u.username",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let user = <UserRow as sqlx::FromRow<PgRow>>::from_row(row)?;
                let role: String = row.try_get("member_role")?;
                Ok(MemberRow {
                    user,
                    role: Role::parse(&role),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn add_member(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let now = clock::rfc3339(clock::now());
        insert_membership(&mut tx, org_id, user_id, role, &now)
            .await
            .map_err(unique_violation)?;
        tx.commit().await?;
        Ok(())
    }

    async fn invite_member(
        &self,
        org_id: &str,
        user: &UserRow,
        role: Role,
        link: &NewLink,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_user(&mut tx, user).await?;
        insert_membership(&mut tx, org_id, &user.id, role, &user.created_at).await?;
        insert_link(&mut tx, &user.id, link).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        lock_org(&mut tx, org_id).await?;
        let rows = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        ensure_owner_left(&mut tx, org_id).await?;
        sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_role(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()> {
        let mut tx = self.write().await?;
        lock_org(&mut tx, org_id).await?;
        let rows =
            sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
                .bind(role.as_str())
                .bind(org_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        affected(rows)?;
        ensure_owner_left(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_app(&self, app: &AppRow) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_app(&mut tx, app).await.map_err(unique_violation)?;
        tx.commit().await?;
        Ok(())
    }

    async fn app_by_id(&self, id: &str) -> StoreResult<Option<AppRow>> {
        if !storable(id) {
            return Ok(None);
        }
        Ok(sqlx::query_as(
            "SELECT id, org_id, name, platform, created_at FROM applications WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn apps_of_org(&self, org_id: &str) -> StoreResult<Vec<AppRow>> {
        if !storable(org_id) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT id, org_id, name, platform, created_at FROM applications WHERE org_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn update_app(
        &self,
        id: &str,
        name: Option<&str>,
        platform: Option<&str>,
    ) -> StoreResult<()> {
        self.change_one(
            sqlx::query(
                "UPDATE applications SET name = COALESCE($1, name), \
                 platform = COALESCE($2, platform) WHERE id = $3",
            )
            .bind(name)
            .bind(platform)
            .bind(id),
        )
        .await
    }

    async fn delete_app(&self, id: &str) -> StoreResult<()> {
        self.change_one(sqlx::query("DELETE FROM applications WHERE id = $1").bind(id))
            .await
    }

    async fn create_connection(&self, c: &ConnectionRow) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_connection(&mut tx, &self.key, c)
            .await
            .map_err(unique_violation)?;
        tx.commit().await?;
        Ok(())
    }

    async fn connection_by_id(&self, id: &str) -> StoreResult<Option<ConnectionRow>> {
        if !storable(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(|r| connection_from(&self.key, r))
            .transpose()
    }

    async fn connections_of_org(
        &self,
        org_id: &str,
        prototype: Option<&str>,
    ) -> StoreResult<Vec<ConnectionRow>> {
        if !storable(org_id) || !prototype.is_none_or(storable) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE org_id = $1 \
             AND ($2::text IS NULL OR connection_prototype_id = $2 OR integration_code = $2) \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(prototype)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| connection_from(&self.key, r)).collect()
    }

    async fn update_connection(
        &self,
        id: &str,
        name: Option<&str>,
        details: Option<&Value>,
        now: &str,
    ) -> StoreResult<()> {
        self.change_one(
            sqlx::query(
                "UPDATE connections SET name = COALESCE($1, name), \
                 details = COALESCE($2, details), updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(details.map(|d| seal_json(&self.key, Sealed::ConnectionDetails, id, d)))
            .bind(now)
            .bind(id),
        )
        .await
    }

    async fn delete_connection(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // The lock makes a concurrent createIntegration on this connection wait for us (its
        // foreign key check then fails), or us wait for it (and then see it).
        let exists = sqlx::query("SELECT 1 FROM connections WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let users: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM integrations WHERE connection_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if users > 0 {
            return Err(StoreError::InUse);
        }
        let rows = sqlx::query("DELETE FROM connections WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unique_violation)?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_integration(&self, i: &IntegrationRow) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_integration(&mut tx, &self.key, i)
            .await
            .map_err(|e| match unique_violation(e) {
                // The application or connection vanished between the check and the insert.
                StoreError::InUse => StoreError::NotFound,
                other => other,
            })?;
        tx.commit().await?;
        Ok(())
    }

    async fn integration_by_id(&self, id: &str) -> StoreResult<Option<IntegrationRow>> {
        if !storable(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(|r| integration_from(&self.key, r))
            .transpose()
    }

    async fn integrations_of_app(&self, app_id: &str) -> StoreResult<Vec<IntegrationRow>> {
        if !storable(app_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE app_id = $1 \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql).bind(app_id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| integration_from(&self.key, r))
            .collect()
    }

    async fn integrations_of_org(&self, org_id: &str) -> StoreResult<Vec<IntegrationRow>> {
        if !storable(org_id) {
            return Ok(Vec::new());
        }
        let columns = INTEGRATION_COLUMNS
            .split(", ")
            .map(|c| format!("i.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM integrations i JOIN applications a ON a.id = i.app_id \
             WHERE a.org_id = $1 ORDER BY i.created_at, i.id"
        );
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| integration_from(&self.key, r))
            .collect()
    }

    async fn update_integration(
        &self,
        id: &str,
        patch: &IntegrationPatch,
        now: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let (set_connection, connection) = match &patch.connection_id {
            Some(c) => (true, c.clone()),
            None => (false, None),
        };
        let rows = sqlx::query(
            "UPDATE integrations SET name = COALESCE($1, name), config = COALESCE($2, config), \
             connection_id = CASE WHEN $3 THEN $4 ELSE connection_id END, \
             enabled = COALESCE($5, enabled), updated_at = $6 WHERE id = $7",
        )
        .bind(&patch.name)
        .bind(
            patch
                .config
                .as_ref()
                .map(|c| seal_json(&self.key, Sealed::IntegrationConfig, id, c)),
        )
        .bind(set_connection)
        .bind(connection)
        .bind(patch.enabled)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match unique_violation(e) {
            StoreError::InUse => StoreError::NotFound,
            other => other,
        })?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_integration(&self, id: &str) -> StoreResult<()> {
        self.change_one(sqlx::query("DELETE FROM integrations WHERE id = $1").bind(id))
            .await
    }

    async fn create_api_key(&self, key: &ApiKeyRow, key_hash: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_api_key(&mut tx, key, key_hash)
            .await
            .map_err(unique_violation)?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>> {
        if !storable(org_id) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys \
             WHERE org_id = $1 ORDER BY created_at, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn api_key_by_id(&self, id: &str) -> StoreResult<Option<ApiKeyRow>> {
        if !storable(id) {
            return Ok(None);
        }
        Ok(sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn use_api_key(&self, key_hash: &str, now: &str) -> StoreResult<Option<ApiKeyRow>> {
        if !storable(key_hash) {
            return Ok(None);
        }
        let key: Option<ApiKeyRow> = sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys \
             WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(key) = &key {
            // Recorded at most once a minute: a busy key must not turn every read into a write.
            let stale = key
                .last_used_at
                .as_deref()
                .is_none_or(|last| last[..16.min(last.len())] != now[..16.min(now.len())]);
            if stale {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&key.id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(key)
    }

    async fn revoke_api_key(&self, id: &str) -> StoreResult<()> {
        self.change_one(sqlx::query("DELETE FROM api_keys WHERE id = $1").bind(id))
            .await
    }

    async fn count_login_attempt(
        &self,
        username: &str,
        now: i64,
        window_secs: i64,
    ) -> StoreResult<i64> {
        // One statement: the conflicting row is locked while it is updated, so attempts
        // from any number of servers at once are all counted.
        let count: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures AS f (username, failures, window_start) VALUES ($1, 1, $2)
             ON CONFLICT (username) DO UPDATE SET
               failures = CASE WHEN f.window_start + $3 <= $2 THEN 1 ELSE f.failures + 1 END,
               window_start = CASE WHEN f.window_start + $3 <= $2 THEN $2 ELSE f.window_start END
             RETURNING failures",
        )
        .bind(login_key(username))
        .bind(now)
        .bind(window_secs)
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    async fn clear_login_attempts(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(login_key(username))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn publish_change(&self, payload: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen_changes(&self) -> StoreResult<Option<ChangeStream>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        // Keep listening while the pool shuts down: the server decides when to stop.
        listener.ignore_pool_close_event(true);
        listener.listen(CHANGES_CHANNEL).await?;
        let payloads = futures_util::stream::unfold(listener, |mut listener| async move {
            loop {
                match listener.recv().await {
                    Ok(n) => return Some((n.payload().to_string(), listener)),
                    // The next recv reconnects and listens again; what was published
                    // meanwhile is lost (NOTIFY is not queued for absent listeners).
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the change notifications; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Some(payloads.boxed()))
    }

    async fn export(&self) -> StoreResult<Dump> {
        // One snapshot of every table. Rows come in key order (byte order, as in SQLite),
        // mail in the order written.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let users_sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let users = sqlx::query_as(&users_sql).fetch_all(&mut *tx).await?;
        let organizations = sqlx::query_as(
            "SELECT id, name, description, enabled, created_at FROM organizations ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let memberships = sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT org_id, user_id, role, created_at FROM memberships ORDER BY org_id, user_id",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(org_id, user_id, role, created_at)| MembershipRecord {
            org_id,
            user_id,
            role: Role::parse(&role),
            created_at,
        })
        .collect();
        let applications = sqlx::query_as(
            "SELECT id, org_id, name, platform, created_at FROM applications ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections ORDER BY id");
        let connections = sqlx::query(&sql)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| connection_from(&self.key, r))
            .collect::<StoreResult<_>>()?;
        let sql = format!("SELECT {INTEGRATION_COLUMNS} FROM integrations ORDER BY id");
        let integrations = sqlx::query(&sql)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| integration_from(&self.key, r))
            .collect::<StoreResult<_>>()?;
        let api_keys = sqlx::query(
            "SELECT id, org_id, label, role, created_at, last_used_at, key_hash FROM api_keys \
             ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            Ok(ApiKeyRecord {
                key: <ApiKeyRow as sqlx::FromRow<PgRow>>::from_row(row)?,
                key_hash: row.try_get("key_hash")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        let link_tokens = sqlx::query_as::<_, (String, String, String, String, Option<String>)>(
            "SELECT token_hash, user_id, kind, expires_at, used_at FROM link_tokens \
             ORDER BY token_hash",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(
            |(token_hash, user_id, kind, expires_at, used_at)| LinkRecord {
                token_hash,
                user_id,
                kind,
                expires_at,
                used_at,
            },
        )
        .collect();
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mail ORDER BY seq");
        let mail = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
        let login_failures = sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT username, failures, window_start FROM login_failures ORDER BY username",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(username, failures, window_start)| LoginFailureRecord {
            username,
            failures,
            window_start,
        })
        .collect();
        tx.commit().await?;
        Ok(Dump {
            users,
            organizations,
            memberships,
            applications,
            connections,
            integrations,
            api_keys,
            link_tokens,
            mail,
            login_failures,
        })
    }

    async fn import(&self, dump: &Dump) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Nobody may write while we check and fill: a server already running on this
        // database would otherwise slip a row in between.
        let tables = Dump::TABLES.join(", ");
        sqlx::query(&format!("LOCK TABLE {tables} IN EXCLUSIVE MODE"))
            .execute(&mut *tx)
            .await?;
        for table in Dump::TABLES {
            let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await?;
            if rows > 0 {
                return Err(StoreError::NotEmpty { table, rows });
            }
        }
        for u in &dump.users {
            insert_user(&mut tx, u).await?;
        }
        for o in &dump.organizations {
            insert_org(&mut tx, o).await?;
        }
        for m in &dump.memberships {
            insert_membership(&mut tx, &m.org_id, &m.user_id, m.role, &m.created_at).await?;
        }
        for a in &dump.applications {
            insert_app(&mut tx, a).await?;
        }
        for c in &dump.connections {
            insert_connection(&mut tx, &self.key, c).await?;
        }
        for i in &dump.integrations {
            insert_integration(&mut tx, &self.key, i).await?;
        }
        for k in &dump.api_keys {
            insert_api_key(&mut tx, &k.key, &k.key_hash).await?;
        }
        for l in &dump.link_tokens {
            insert_link_token(
                &mut tx,
                &l.token_hash,
                &l.user_id,
                &l.kind,
                &l.expires_at,
                l.used_at.as_deref(),
            )
            .await?;
        }
        for m in &dump.mail {
            insert_mail(&mut tx, m).await?;
        }
        for f in &dump.login_failures {
            // A username SQLite counted with a U+0000 in it is counted under the name
            // count_login_attempt gives it here; two such names may meet as one.
            sqlx::query(
                "INSERT INTO login_failures (username, failures, window_start) \
                 VALUES ($1,$2,$3) ON CONFLICT (username) DO NOTHING",
            )
            .bind(login_key(&f.username))
            .bind(f.failures)
            .bind(f.window_start)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
