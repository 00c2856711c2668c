//! Integrations: a destination switched on for a source, its configuration sealed at rest.

use super::orgs::OrgTable;
use super::{affected, open_json, seal_json, storable, unique_violation, Sealed};
use super::{StoreError, StoreResult};
use async_trait::async_trait;
use serde_json::Value;

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

/// Fields of an integration to change; `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct IntegrationPatch {
    pub name: Option<String>,
    pub config: Option<Value>,
    pub connection_id: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// What an integration's sealed config is bound to (see [`seal_json`]): the organization of
/// its source, the destination, the source, then the row's id.
pub struct IntegrationLabels<'a> {
    pub org_id: &'a str,
    pub code: &'a str,
    pub app_id: &'a str,
    pub id: &'a str,
}

impl IntegrationLabels<'_> {
    fn list(&self) -> [&str; 4] {
        [self.org_id, self.code, self.app_id, self.id]
    }
}

/// The columns of [`IntegrationRow`], in its order, and its source's organization (`org_id`,
/// which its sealed config is bound to), from `integrations i`.
pub(super) const INTEGRATION_SELECT: &str =
    "SELECT i.id, i.app_id, i.connection_id, i.name, i.code, i.config, i.enabled, \
     i.created_at, i.updated_at, a.org_id FROM integrations i \
     JOIN applications a ON a.id = i.app_id";

/// Integrations.
#[async_trait]
pub trait Integrations: Send + Sync {
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
}

/// A create or update that broke a foreign key: the application or connection it names
/// vanished between the caller's check and the write.
fn gone(e: sqlx::Error) -> StoreError {
    match unique_violation(e) {
        StoreError::InUse => StoreError::NotFound,
        other => other,
    }
}

for_each_backend! {
    use crate::seal::DataKey;
    use sqlx::Row;

    /// An integration, its config sealed with `key` for its source's organization (see
    /// [`seal_json`]); `NotFound` when the source is gone.
    pub(crate) async fn insert_integration(
        db: &mut <Db as sqlx::Database>::Connection,
        key: &DataKey,
        i: &IntegrationRow,
    ) -> StoreResult<()> {
        let org: Option<String> =
            sqlx::query_scalar("SELECT org_id FROM applications WHERE id = $1")
                .bind(&i.app_id)
                .fetch_optional(&mut *db)
                .await?;
        let Some(org_id) = org else {
            return Err(StoreError::NotFound);
        };
        let labels = IntegrationLabels {
            org_id: &org_id,
            code: &i.code,
            app_id: &i.app_id,
            id: &i.id,
        };
        sqlx::query(
            "INSERT INTO integrations (id, app_id, connection_id, name, code, config, enabled, \
             created_at, updated_at, org_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        )
        .bind(&i.id)
        .bind(&i.app_id)
        .bind(&i.connection_id)
        .bind(&i.name)
        .bind(&i.code)
        .bind(seal_json(key, Sealed::IntegrationConfig, &labels.list(), &i.config))
        .bind(i.enabled)
        .bind(&i.created_at)
        .bind(&i.updated_at)
        // The source's organization, copied so that an organization's integrations are
        // one index range (paged lists); a source never changes organization.
        .bind(&org_id)
        .execute(db)
        .await?;
        Ok(())
    }

    /// An integration from a row of [`INTEGRATION_SELECT`], its config opened with `key`.
    pub(crate) fn integration_from(key: &DataKey, row: &DbRow) -> StoreResult<IntegrationRow> {
        let mut i = IntegrationRow {
            id: row.try_get("id")?,
            app_id: row.try_get("app_id")?,
            connection_id: row.try_get("connection_id")?,
            name: row.try_get("name")?,
            code: row.try_get("code")?,
            config: Value::Null,
            enabled: row.try_get("enabled")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        };
        let org_id: String = row.try_get("org_id")?;
        let labels = IntegrationLabels {
            org_id: &org_id,
            code: &i.code,
            app_id: &i.app_id,
            id: &i.id,
        };
        i.config = open_json(key, Sealed::IntegrationConfig, &labels.list(), row.try_get("config")?)?;
        Ok(i)
    }

    #[async_trait]
    impl Integrations for Backend {
        async fn create_integration(&self, i: &IntegrationRow) -> StoreResult<()> {
            let mut tx = self.write().await?;
            let org: Option<String> =
                sqlx::query_scalar("SELECT org_id FROM applications WHERE id = $1")
                    .bind(&i.app_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let org_id = org.ok_or(StoreError::NotFound)?;
            self.room_for_one(&mut tx, &org_id, OrgTable::Integrations)
                .await?;
            insert_integration(&mut tx, &self.key, i)
                .await
                .map_err(|e| match e {
                    StoreError::Database(e) => gone(e),
                    other => other,
                })?;
            tx.commit().await?;
            Ok(())
        }

        async fn integration_by_id(&self, id: &str) -> StoreResult<Option<IntegrationRow>> {
            if !storable(id) {
                return Ok(None);
            }
            let sql = format!("{INTEGRATION_SELECT} WHERE i.id = $1");
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
            let sql = format!("{INTEGRATION_SELECT} WHERE i.app_id = $1 ORDER BY i.created_at, i.id");
            let rows = sqlx::query(&sql).bind(app_id).fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| integration_from(&self.key, r))
                .collect()
        }

        async fn integrations_of_org(&self, org_id: &str) -> StoreResult<Vec<IntegrationRow>> {
            if !storable(org_id) {
                return Ok(Vec::new());
            }
            let sql =
                format!("{INTEGRATION_SELECT} WHERE a.org_id = $1 ORDER BY i.created_at, i.id");
            let rows = sqlx::query(&sql)
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
            let (set_connection, connection) = match &patch.connection_id {
                Some(c) => (true, c.clone()),
                None => (false, None),
            };
            let mut tx = self.write().await?;
            // The labels the new config is sealed for, read under the write lock.
            let labels: Option<(String, String, String)> = sqlx::query_as(&format!(
                "SELECT a.org_id, i.code, i.app_id FROM integrations i \
                 JOIN applications a ON a.id = i.app_id WHERE i.id = $1{}",
                Backend::FOR_UPDATE
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((org_id, code, app_id)) = labels else {
                return Err(StoreError::NotFound);
            };
            let labels = IntegrationLabels {
                org_id: &org_id,
                code: &code,
                app_id: &app_id,
                id,
            };
            let config = patch
                .config
                .as_ref()
                .map(|c| seal_json(&self.key, Sealed::IntegrationConfig, &labels.list(), c));
            let rows = sqlx::query(
                "UPDATE integrations SET name = COALESCE($1, name), \
                 config = COALESCE($2, config), \
                 connection_id = CASE WHEN $3 THEN $4 ELSE connection_id END, \
                 enabled = COALESCE($5, enabled), updated_at = $6 WHERE id = $7",
            )
            .bind(&patch.name)
            .bind(config)
            .bind(set_connection)
            .bind(connection)
            .bind(patch.enabled)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(gone)?
            .rows_affected();
            affected(rows)?;
            tx.commit().await?;
            Ok(())
        }

        async fn delete_integration(&self, id: &str) -> StoreResult<()> {
            self.change_one(sqlx::query("DELETE FROM integrations WHERE id = $1").bind(id))
                .await
        }
    }
}
