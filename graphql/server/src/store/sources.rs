//! Sources: the applications whose clickstream an organization collects.

use super::orgs::OrgTable;
use super::{storable, unique_violation, StoreResult};
use async_trait::async_trait;

/// A clickstream source.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub platform: String,
    pub created_at: String,
}

/// The columns of [`AppRow`], in its order.
pub(super) const APP_COLUMNS: &str = "id, org_id, name, platform, created_at";

/// Sources.
#[async_trait]
pub trait Sources: Send + Sync {
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
}

for_each_backend! {

    /// An application.
    pub(crate) async fn insert_app<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        a: &AppRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO applications (id, org_id, name, platform, created_at) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(&a.id)
        .bind(&a.org_id)
        .bind(&a.name)
        .bind(&a.platform)
        .bind(&a.created_at)
        .execute(db)
        .await?;
        Ok(())
    }

    #[async_trait]
    impl Sources for Backend {
        async fn create_app(&self, app: &AppRow) -> StoreResult<()> {
            let mut tx = self.write().await?;
            self.room_for_one(&mut tx, &app.org_id, OrgTable::Sources).await?;
            insert_app(&mut *tx, app).await.map_err(unique_violation)?;
            tx.commit().await?;
            Ok(())
        }

        async fn app_by_id(&self, id: &str) -> StoreResult<Option<AppRow>> {
            if !storable(id) {
                return Ok(None);
            }
            let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE id = $1");
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn apps_of_org(&self, org_id: &str) -> StoreResult<Vec<AppRow>> {
            if !storable(org_id) {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {APP_COLUMNS} FROM applications WHERE org_id = $1 ORDER BY created_at, id"
            );
            Ok(sqlx::query_as(&sql)
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
    }
}
