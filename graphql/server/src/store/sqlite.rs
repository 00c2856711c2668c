//! The SQLite store: the bundled server's default, one file, no setup.

use super::*;
use crate::clock;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A [`Store`] on a SQLite file (or `sqlite::memory:`).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    key: Arc<DataKey>,
}

impl SqliteStore {
    /// Opens (creating when missing) the database at `url` (`sqlite://path` or a plain path)
    /// with WAL, `synchronous=NORMAL`, foreign keys and a busy timeout, and migrates it;
    /// then checks that `key` is the one the database is sealed with and seals what an
    /// older server left in plaintext (see [`Sealed`]).
    pub async fn open(url: &str, key: DataKey) -> StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_string()
        } else {
            format!("sqlite://{url}")
        };
        let memory = url.contains(":memory:") || url.contains("mode=memory");
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
        let pool = pool.connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let store = SqliteStore {
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
        let check: Option<String> =
            sqlx::query_scalar("SELECT sealed FROM data_key_check WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        match check {
            Some(stored) => verify_key_check(key, &stored)?,
            None => {
                sqlx::query("INSERT INTO data_key_check (id, sealed) VALUES (1, ?)")
                    .bind(key_check_value(key))
                    .execute(&mut *tx)
                    .await?;
            }
        }
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
                    "UPDATE {table} SET {column} = ? WHERE id = ? AND {column} = ?"
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
            // The plaintext would otherwise linger in freed space of the file and in the
            // WAL. Rebuilding the file once (this only runs the first time a database from
            // before sealing is opened) and emptying the WAL leaves only sealed values.
            // Copies made before (backups) still hold them, as the README says. Failing
            // here (another process reading the file) leaves the values sealed all the
            // same, so it is only a warning.
            for step in ["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"] {
                if let Err(e) = sqlx::query(step).execute(&self.pool).await {
                    tracing::warn!(error = %e, step, "could not rewrite the file after sealing");
                }
            }
        }
        Ok(())
    }

    /// The pool, for tests and maintenance commands.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes the write lock at once, so two writers never
    /// deadlock upgrading from a read lock (SQLITE_BUSY in the middle of a mutation).
    async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
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
fn sealed_column(key: &DataKey, row: &SqliteRow, field: Sealed) -> StoreResult<Value> {
    let id: String = row.try_get("id")?;
    let text: String = row.try_get(field.column())?;
    open_json(key, field, &id, &text)
}

fn connection_from(key: &DataKey, row: &SqliteRow) -> StoreResult<ConnectionRow> {
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

fn integration_from(key: &DataKey, row: &SqliteRow) -> StoreResult<IntegrationRow> {
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

async fn insert_user(tx: &mut Transaction<'_, Sqlite>, u: &UserRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, first_name, last_name, company, status, \
         email_verified, token_version, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
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

async fn insert_mail(tx: &mut Transaction<'_, Sqlite>, m: &MailRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mail (id, to_address, kind, subject, body, token, created_at) \
         VALUES (?,?,?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    token_hash: &str,
    user_id: &str,
    kind: &str,
    expires_at: &str,
    used_at: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO link_tokens (token_hash, user_id, kind, expires_at, used_at) \
         VALUES (?,?,?,?,?)",
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

async fn insert_org(tx: &mut Transaction<'_, Sqlite>, o: &OrgRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO organizations (id, name, description, enabled, created_at) \
         VALUES (?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    org_id: &str,
    user_id: &str,
    role: Role,
    created_at: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?,?,?,?)")
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_app(tx: &mut Transaction<'_, Sqlite>, a: &AppRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO applications (id, org_id, name, platform, created_at) VALUES (?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    key: &DataKey,
    c: &ConnectionRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO connections (id, org_id, name, integration_code, connection_prototype_id, \
         details, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    key: &DataKey,
    i: &IntegrationRow,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO integrations (id, app_id, connection_id, name, code, config, enabled, \
         created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
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
    tx: &mut Transaction<'_, Sqlite>,
    k: &ApiKeyRow,
    key_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_keys (id, org_id, label, role, key_hash, created_at, last_used_at) \
         VALUES (?,?,?,?,?,?,?)",
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

/// Fails with `LastOwner` unless `org_id` still has an Owner (checked inside the transaction
/// that removed or demoted one, so two concurrent demotions cannot both pass).
async fn ensure_owner_left(tx: &mut Transaction<'_, Sqlite>, org_id: &str) -> StoreResult<()> {
    let owners: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = 'OWNER'")
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
impl Store for SqliteStore {
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
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?");
        Ok(sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn users_sharing_orgs(&self, user_id: &str) -> StoreResult<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = ?1 OR id IN (
                SELECT other.user_id FROM memberships mine
                JOIN memberships other ON other.org_id = mine.org_id
                WHERE mine.user_id = ?1)
             ORDER BY username"
        );
        Ok(sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn update_profile(&self, user_id: &str, p: &Profile) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE users SET first_name = COALESCE(?, first_name), \
             last_name = COALESCE(?, last_name), company = COALESCE(?, company) WHERE id = ?",
        )
        .bind(&p.first_name)
        .bind(&p.last_name)
        .bind(&p.company)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn change_password(&self, user_id: &str, hash: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?",
        )
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_tokens(&self, user_id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = ?")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
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
        let mut tx = self.write().await?;
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT user_id, kind FROM link_tokens \
             WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
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
        sqlx::query("UPDATE link_tokens SET used_at = ? WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        match effect {
            LinkEffect::ConfirmEmail => {
                sqlx::query(
                    "UPDATE users SET status = 'active', email_verified = 1 \
                     WHERE id = ? AND status = 'pending'",
                )
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
            }
            LinkEffect::SetPassword(hash) => {
                sqlx::query(
                    "UPDATE users SET password_hash = ?, email_verified = 1, \
                     status = CASE WHEN status = 'pending' THEN 'active' ELSE status END, \
                     token_version = token_version + 1 WHERE id = ?",
                )
                .bind(hash)
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
                // A reset link is the way back in: any other outstanding reset link dies.
                sqlx::query(
                    "UPDATE link_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL \
                     AND kind IN ('PASSWORD_RESET', 'INVITATION')",
                )
                .bind(now)
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let user: Option<UserRow> = sqlx::query_as(&sql)
            .bind(&user_id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn mail_to(&self, address: &str) -> StoreResult<Vec<MailRow>> {
        Ok(sqlx::query_as(
            "SELECT id, to_address, kind, subject, body, token, created_at FROM mail \
             WHERE to_address = ? ORDER BY created_at DESC, rowid DESC",
        )
        .bind(address)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn outbox(&self) -> StoreResult<Vec<MailRow>> {
        Ok(sqlx::query_as(
            "SELECT id, to_address, kind, subject, body, token, created_at FROM mail \
             ORDER BY created_at DESC, rowid DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_org(&self, org: &OrgRow, owner_id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_org(&mut tx, org).await.map_err(unique_violation)?;
        insert_membership(&mut tx, &org.id, owner_id, Role::Owner, &org.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn org_by_id(&self, id: &str) -> StoreResult<Option<OrgRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, description, enabled, created_at FROM organizations WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<OrgRow>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.name, o.description, o.enabled, o.created_at FROM organizations o \
             JOIN memberships m ON m.org_id = o.id WHERE m.user_id = ? ORDER BY o.name, o.id",
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
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE organizations SET name = COALESCE(?, name), \
             description = COALESCE(?, description) WHERE id = ?",
        )
        .bind(name)
        .bind(description)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_org(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Integrations reference connections with RESTRICT: remove the pipelines first.
        sqlx::query(
            "DELETE FROM integrations WHERE app_id IN (SELECT id FROM applications WHERE org_id = ?)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query("DELETE FROM organizations WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn role_of(&self, org_id: &str, user_id: &str) -> StoreResult<Option<Role>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = ? AND user_id = ?")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(role.as_deref().map(Role::parse))
    }

    async fn members(&self, org_id: &str) -> StoreResult<Vec<MemberRow>> {
        let sql = format!(
            "SELECT {}, m.role AS member_role FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.org_id = ? ORDER BY u.username",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let user = <UserRow as sqlx::FromRow<SqliteRow>>::from_row(row)?;
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
        // The same text SQLite's strftime('%Y-%m-%dT%H:%M:%SZ', 'now') gave, as PostgreSQL's
        // store writes it.
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
        let rows = sqlx::query("DELETE FROM memberships WHERE org_id = ? AND user_id = ?")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        ensure_owner_left(&mut tx, org_id).await?;
        sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = ?")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_role(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query("UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?")
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
        Ok(sqlx::query_as(
            "SELECT id, org_id, name, platform, created_at FROM applications WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn apps_of_org(&self, org_id: &str) -> StoreResult<Vec<AppRow>> {
        Ok(sqlx::query_as(
            "SELECT id, org_id, name, platform, created_at FROM applications WHERE org_id = ? \
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
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE applications SET name = COALESCE(?, name), platform = COALESCE(?, platform) \
             WHERE id = ?",
        )
        .bind(name)
        .bind(platform)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_app(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query("DELETE FROM applications WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
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
        let row = sqlx::query("SELECT * FROM connections WHERE id = ?")
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
        let rows = sqlx::query(
            "SELECT * FROM connections WHERE org_id = ? \
             AND (?2 IS NULL OR connection_prototype_id = ?2 OR integration_code = ?2) \
             ORDER BY created_at, id",
        )
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
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE connections SET name = COALESCE(?, name), details = COALESCE(?, details), \
             updated_at = ? WHERE id = ?",
        )
        .bind(name)
        .bind(details.map(|d| seal_json(&self.key, Sealed::ConnectionDetails, id, d)))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_connection(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let users: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM integrations WHERE connection_id = ?")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if users > 0 {
            return Err(StoreError::InUse);
        }
        let rows = sqlx::query("DELETE FROM connections WHERE id = ?")
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
        let row = sqlx::query("SELECT * FROM integrations WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(|r| integration_from(&self.key, r))
            .transpose()
    }

    async fn integrations_of_app(&self, app_id: &str) -> StoreResult<Vec<IntegrationRow>> {
        let rows =
            sqlx::query("SELECT * FROM integrations WHERE app_id = ? ORDER BY created_at, id")
                .bind(app_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| integration_from(&self.key, r))
            .collect()
    }

    async fn integrations_of_org(&self, org_id: &str) -> StoreResult<Vec<IntegrationRow>> {
        let rows = sqlx::query(
            "SELECT i.* FROM integrations i JOIN applications a ON a.id = i.app_id \
             WHERE a.org_id = ? ORDER BY i.created_at, i.id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
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
            "UPDATE integrations SET name = COALESCE(?, name), config = COALESCE(?, config), \
             connection_id = CASE WHEN ? THEN ? ELSE connection_id END, \
             enabled = COALESCE(?, enabled), updated_at = ? WHERE id = ?",
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
        let mut tx = self.write().await?;
        let rows = sqlx::query("DELETE FROM integrations WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
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
        Ok(sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys \
             WHERE org_id = ? ORDER BY created_at, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn api_key_by_id(&self, id: &str) -> StoreResult<Option<ApiKeyRow>> {
        Ok(sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn use_api_key(&self, key_hash: &str, now: &str) -> StoreResult<Option<ApiKeyRow>> {
        let key: Option<ApiKeyRow> = sqlx::query_as(
            "SELECT id, org_id, label, role, created_at, last_used_at FROM api_keys \
             WHERE key_hash = ?",
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
                let mut tx = self.write().await?;
                sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(&key.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(key)
    }

    async fn revoke_api_key(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query("DELETE FROM api_keys WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        affected(rows)?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_login_attempt(
        &self,
        username: &str,
        now: i64,
        window_secs: i64,
    ) -> StoreResult<i64> {
        let mut tx = self.write().await?;
        let count: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (username, failures, window_start) VALUES (?1, 1, ?2)
             ON CONFLICT (username) DO UPDATE SET
               failures = CASE WHEN window_start + ?3 <= ?2 THEN 1 ELSE failures + 1 END,
               window_start = CASE WHEN window_start + ?3 <= ?2 THEN ?2 ELSE window_start END
             RETURNING failures",
        )
        .bind(username)
        .bind(now)
        .bind(window_secs)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    async fn clear_login_attempts(&self, username: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE username = ?")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn export(&self) -> StoreResult<Dump> {
        // One read transaction: a snapshot of every table at the same moment. Rows come in
        // key order (byte order, as PostgreSQL's sorts them), mail in the order written.
        let mut tx = self.pool.begin().await?;
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
        let connections = sqlx::query("SELECT * FROM connections ORDER BY id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| connection_from(&self.key, r))
            .collect::<StoreResult<_>>()?;
        let integrations = sqlx::query("SELECT * FROM integrations ORDER BY id")
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
                key: <ApiKeyRow as sqlx::FromRow<SqliteRow>>::from_row(row)?,
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
        let mail = sqlx::query_as(
            "SELECT id, to_address, kind, subject, body, token, created_at FROM mail ORDER BY rowid",
        )
        .fetch_all(&mut *tx)
        .await?;
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
            sqlx::query(
                "INSERT INTO login_failures (username, failures, window_start) VALUES (?,?,?)",
            )
            .bind(&f.username)
            .bind(f.failures)
            .bind(f.window_start)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
