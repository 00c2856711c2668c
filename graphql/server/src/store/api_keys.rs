//! API keys: an organization's keys for machines, stored only as hashes, with an optional
//! expiry, and the audit of what each key did.

use super::orgs::OrgTable;
use super::{storable, unique_violation, Role, StoreResult};
use async_trait::async_trait;

/// An organization's API key (without the key, which is never stored).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub org_id: String,
    pub label: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// When the key stops working; `None`: never.
    pub expires_at: Option<String>,
}

/// One thing an API key did: a mutation it ran, and whether it succeeded (`None` when the
/// request did not select the outcome).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct KeyUseRow {
    pub org_id: String,
    pub key_id: String,
    pub key_label: String,
    pub operation: String,
    pub success: Option<bool>,
    pub at: String,
}

/// The columns of [`ApiKeyRow`], in its order.
pub(super) const API_KEY_COLUMNS: &str =
    "id, org_id, label, role, created_at, last_used_at, expires_at";

/// How many audit entries an organization keeps (the oldest go first).
pub const KEPT_KEY_USES: i64 = 10_000;

/// The columns of [`KeyUseRow`], in its order.
pub(super) const KEY_USE_COLUMNS: &str = "org_id, key_id, key_label, operation, success, at";

/// API keys.
#[async_trait]
pub trait ApiKeys: Send + Sync {
    async fn create_api_key(&self, key: &ApiKeyRow, key_hash: &str) -> StoreResult<()>;
    async fn api_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>>;
    async fn api_key_by_id(&self, id: &str) -> StoreResult<Option<ApiKeyRow>>;
    /// Finds an unexpired key by its hash and records its use.
    async fn use_api_key(&self, key_hash: &str, now: &str) -> StoreResult<Option<ApiKeyRow>>;
    async fn revoke_api_key(&self, id: &str) -> StoreResult<()>;
    /// Records one thing a key did.
    async fn record_key_use(&self, entry: &KeyUseRow) -> StoreResult<()>;
    /// What the keys of `org_id` did (one key's with `key_id`), newest first, at most
    /// `limit`.
    async fn key_uses(
        &self,
        org_id: &str,
        key_id: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<KeyUseRow>>;
}

/// Whether a key last used at `last` must be recorded as used `now`: at most once a
/// minute, so that a busy key does not turn every read into a write.
fn use_is_news(last: Option<&str>, now: &str) -> bool {
    last.is_none_or(|last| last[..16.min(last.len())] != now[..16.min(now.len())])
}

for_each_backend! {

    /// An API key: only its hash is stored, never the key itself.
    pub(crate) async fn insert_api_key<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        k: &ApiKeyRow,
        key_hash: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO api_keys (id, org_id, label, role, key_hash, created_at, \
             last_used_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(&k.id)
        .bind(&k.org_id)
        .bind(&k.label)
        .bind(k.role.as_str())
        .bind(key_hash)
        .bind(&k.created_at)
        .bind(&k.last_used_at)
        .bind(&k.expires_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// One thing a key did (also as copied by `import`, oldest first).
    pub(crate) async fn insert_key_use<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        u: &KeyUseRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO api_key_audit (org_id, key_id, key_label, operation, success, at) \
             VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(&u.org_id)
        .bind(&u.key_id)
        .bind(&u.key_label)
        .bind(&u.operation)
        .bind(u.success)
        .bind(&u.at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// The whole audit, oldest first, for `export`.
    pub(crate) async fn all_key_uses<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
    ) -> sqlx::Result<Vec<KeyUseRow>> {
        let sql = format!("SELECT {KEY_USE_COLUMNS} FROM api_key_audit ORDER BY seq");
        sqlx::query_as(&sql).fetch_all(db).await
    }

    #[async_trait]
    impl ApiKeys for Backend {
        async fn create_api_key(&self, key: &ApiKeyRow, key_hash: &str) -> StoreResult<()> {
            let mut tx = self.write().await?;
            self.room_for_one(&mut tx, &key.org_id, OrgTable::ApiKeys).await?;
            insert_api_key(&mut *tx, key, key_hash)
                .await
                .map_err(unique_violation)?;
            tx.commit().await?;
            Ok(())
        }

        async fn api_keys_of_org(&self, org_id: &str) -> StoreResult<Vec<ApiKeyRow>> {
            if !storable(org_id) {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE org_id = $1 ORDER BY created_at, id"
            );
            Ok(sqlx::query_as(&sql)
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?)
        }

        async fn api_key_by_id(&self, id: &str) -> StoreResult<Option<ApiKeyRow>> {
            if !storable(id) {
                return Ok(None);
            }
            let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE id = $1");
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn use_api_key(&self, key_hash: &str, now: &str) -> StoreResult<Option<ApiKeyRow>> {
            if !storable(key_hash) {
                return Ok(None);
            }
            let sql = format!(
                "SELECT {API_KEY_COLUMNS} FROM api_keys \
                 WHERE key_hash = $1 AND (expires_at IS NULL OR expires_at > $2)"
            );
            let key: Option<ApiKeyRow> = sqlx::query_as(&sql)
                .bind(key_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(key) = &key {
                if use_is_news(key.last_used_at.as_deref(), now) {
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

        async fn record_key_use(&self, entry: &KeyUseRow) -> StoreResult<()> {
            let mut tx = self.write().await?;
            insert_key_use(&mut *tx, entry).await?;
            // Bounded: an organization keeps its newest KEPT_KEY_USES entries.
            sqlx::query(
                "DELETE FROM api_key_audit WHERE org_id = $1 AND seq <= \
                 (SELECT seq FROM api_key_audit WHERE org_id = $1 \
                  ORDER BY seq DESC LIMIT 1 OFFSET $2)",
            )
            .bind(&entry.org_id)
            .bind(KEPT_KEY_USES)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }

        async fn key_uses(
            &self,
            org_id: &str,
            key_id: Option<&str>,
            limit: i64,
        ) -> StoreResult<Vec<KeyUseRow>> {
            if !storable(org_id) || key_id.is_some_and(|k| !storable(k)) {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {KEY_USE_COLUMNS} FROM api_key_audit \
                 WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR key_id = $2) \
                 ORDER BY seq DESC LIMIT $3"
            );
            Ok(sqlx::query_as(&sql)
                .bind(org_id)
                .bind(key_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
        }
    }
}
