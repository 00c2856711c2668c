//! Connections: the saved credentials of one destination, sealed at rest.

use super::orgs::OrgTable;
use super::{affected, open_json, seal_json, storable, unique_violation, Sealed};
use super::{StoreError, StoreResult};
use async_trait::async_trait;
use serde_json::Value;

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

impl ConnectionRow {
    /// What its sealed details are bound to (see [`seal_json`]): the organization, the
    /// destination and its connection prototype, then the row's id.
    pub fn labels(&self) -> [&str; 4] {
        [
            &self.org_id,
            &self.integration_code,
            &self.connection_prototype_id,
            &self.id,
        ]
    }
}

/// The columns of [`ConnectionRow`], in its order.
pub(super) const CONNECTION_COLUMNS: &str = "id, org_id, name, integration_code, \
     connection_prototype_id, details, created_at, updated_at";

/// Connections.
#[async_trait]
pub trait Connections: Send + Sync {
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
}

for_each_backend! {
    use crate::seal::DataKey;
    use sqlx::Row;

    /// A connection, its details sealed with `key` (see [`seal_json`]).
    pub(crate) async fn insert_connection<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        key: &DataKey,
        c: &ConnectionRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO connections (id, org_id, name, integration_code, \
             connection_prototype_id, details, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(&c.id)
        .bind(&c.org_id)
        .bind(&c.name)
        .bind(&c.integration_code)
        .bind(&c.connection_prototype_id)
        .bind(seal_json(key, Sealed::ConnectionDetails, &c.labels(), &c.details))
        .bind(&c.created_at)
        .bind(&c.updated_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// A connection from a row of [`CONNECTION_COLUMNS`], its details opened with `key`.
    pub(crate) fn connection_from(key: &DataKey, row: &DbRow) -> StoreResult<ConnectionRow> {
        let mut c = ConnectionRow {
            id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            name: row.try_get("name")?,
            integration_code: row.try_get("integration_code")?,
            connection_prototype_id: row.try_get("connection_prototype_id")?,
            details: Value::Null,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        };
        c.details = open_json(key, Sealed::ConnectionDetails, &c.labels(), row.try_get("details")?)?;
        Ok(c)
    }

    #[async_trait]
    impl Connections for Backend {
        async fn create_connection(&self, c: &ConnectionRow) -> StoreResult<()> {
            let mut tx = self.write().await?;
            self.room_for_one(&mut tx, &c.org_id, OrgTable::Connections).await?;
            insert_connection(&mut *tx, &self.key, c)
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
                 AND (CAST($2 AS TEXT) IS NULL OR connection_prototype_id = $2 \
                      OR integration_code = $2) \
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
            let mut tx = self.write().await?;
            // The labels the new details are sealed for, read under the write lock.
            let labels: Option<(String, String, String)> = sqlx::query_as(&format!(
                "SELECT org_id, integration_code, connection_prototype_id FROM connections \
                 WHERE id = $1{}",
                Backend::FOR_UPDATE
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((org, code, prototype)) = labels else {
                return Err(StoreError::NotFound);
            };
            let sealed = details.map(|d| {
                seal_json(&self.key, Sealed::ConnectionDetails, &[&org, &code, &prototype, id], d)
            });
            let rows = sqlx::query(
                "UPDATE connections SET name = COALESCE($1, name), \
                 details = COALESCE($2, details), updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(sealed)
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
            Backend::lock(&mut tx, Lock::Connection(id)).await?;
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
    }
}
