//! Organizations and their members, and the rule that an organization keeps an Owner.

use super::{affected, storable, unique_violation, NewLink, StoreError, StoreResult, UserRow};
use crate::clock;
use async_trait::async_trait;

/// A member's role in an organization: the vocabulary's, stored in its wire spelling
/// (`as_str`) and read back with the lenient `Role::parse`.
pub use houston_vocabulary::Role;

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

/// The columns of [`OrgRow`], in its order.
pub(super) const ORG_COLUMNS: &str = "id, name, description, enabled, created_at";

/// What an organization holds, counted against its quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgTable {
    Sources,
    Connections,
    Integrations,
    Members,
    ApiKeys,
}

/// Organizations and members.
#[async_trait]
pub trait Orgs: Send + Sync {
    /// How many of `table`'s rows the organization has, as its quota counts them
    /// (members with the pending invitations).
    async fn count_in_org(&self, org_id: &str, table: OrgTable) -> StoreResult<i64>;
    /// The quotas every create enforces from now on: each counts the organization's rows
    /// and inserts in one transaction under the organization's lock, so that concurrent
    /// creates cannot pass a quota together ([`StoreError::OverQuota`]).
    fn set_quotas(&self, quotas: crate::throttle::Quotas);
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
    /// Removes a member (their tokens stay good for their other organizations);
    /// `LastOwner` if they are the last Owner.
    async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()>;
    /// Changes a member's role; `LastOwner` when it would demote the last Owner.
    async fn set_role(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()>;
}

for_each_backend! {
    use crate::store::accounts::USER_COLUMNS_OF_U;
    use sqlx::{Row, Transaction};

    /// An organization.
    pub(crate) async fn insert_org<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        o: &OrgRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO organizations (id, name, description, enabled, created_at) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(&o.id)
        .bind(&o.name)
        .bind(&o.description)
        .bind(o.enabled)
        .bind(&o.created_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// A membership.
    pub(crate) async fn insert_membership<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        org_id: &str,
        user_id: &str,
        role: Role,
        created_at: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1,$2,$3,$4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(created_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// How many of `table`'s rows `org_id` has, as its quota counts them: the pending
    /// invitations count as members (an invitation is a seat offered).
    async fn count_rows<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        org_id: &str,
        table: OrgTable,
    ) -> sqlx::Result<i64> {
        let sql = match table {
            OrgTable::Sources => "SELECT COUNT(*) FROM applications WHERE org_id = $1",
            OrgTable::Connections => "SELECT COUNT(*) FROM connections WHERE org_id = $1",
            OrgTable::Integrations => {
                "SELECT COUNT(*) FROM integrations i JOIN applications a \
                 ON a.id = i.app_id WHERE a.org_id = $1"
            }
            OrgTable::Members => {
                "SELECT (SELECT COUNT(*) FROM memberships WHERE org_id = $1) \
                 + (SELECT COUNT(*) FROM invitations WHERE org_id = $1)"
            }
            OrgTable::ApiKeys => "SELECT COUNT(*) FROM api_keys WHERE org_id = $1",
        };
        sqlx::query_scalar(sql).bind(org_id).fetch_one(db).await
    }

    impl Backend {
        /// `Ok` while `org_id` has room for one more of `table`'s rows, checked in `tx`
        /// under the organization's lock: the caller inserts in the same transaction, so
        /// that no concurrent create sees the same room. `OverQuota` otherwise.
        pub(crate) async fn room_for_one(
            &self,
            tx: &mut Transaction<'static, Db>,
            org_id: &str,
            table: OrgTable,
        ) -> StoreResult<()> {
            Backend::lock(tx, Lock::Org(org_id)).await?;
            let held = count_rows(&mut **tx, org_id, table).await?;
            if held >= self.quotas().of(table) {
                return Err(StoreError::OverQuota { table, held });
            }
            Ok(())
        }

        /// Runs `change` (on one membership of `org_id`) in a new write transaction, under
        /// the organization's lock ([`Lock::Org`](crate::store::backend::Lock)), and returns
        /// that transaction for the caller to go on with and commit. `NotFound` when no
        /// membership changed; `LastOwner` when the organization has no Owner left, checked
        /// in the same transaction so that two concurrent demotions cannot both pass.
        async fn change_membership<'q>(
            &self,
            org_id: &str,
            change: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>,
        ) -> StoreResult<Transaction<'static, Db>> {
            let mut tx = self.write().await?;
            Backend::lock(&mut tx, Lock::Org(org_id)).await?;
            affected(change.execute(&mut *tx).await?.rows_affected())?;
            let owners: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'OWNER'",
            )
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await?;
            if owners == 0 {
                return Err(StoreError::LastOwner);
            }
            Ok(tx)
        }
    }

    #[async_trait]
    impl Orgs for Backend {
        async fn count_in_org(&self, org_id: &str, table: OrgTable) -> StoreResult<i64> {
            Ok(count_rows(&self.pool, org_id, table).await?)
        }

        fn set_quotas(&self, quotas: crate::throttle::Quotas) {
            // A poisoned lock is overwritten whole: `Quotas` has no partial state.
            *self.quotas.write().unwrap_or_else(|p| p.into_inner()) = quotas;
        }

        async fn create_org(&self, org: &OrgRow, owner_id: &str) -> StoreResult<()> {
            let mut tx = self.write().await?;
            insert_org(&mut *tx, org).await.map_err(unique_violation)?;
            insert_membership(&mut *tx, &org.id, owner_id, Role::Owner, &org.created_at).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn org_by_id(&self, id: &str) -> StoreResult<Option<OrgRow>> {
            if !storable(id) {
                return Ok(None);
            }
            let sql = format!("SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1");
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn orgs_of_user(&self, user_id: &str) -> StoreResult<Vec<OrgRow>> {
            if !storable(user_id) {
                return Ok(Vec::new());
            }
            Ok(sqlx::query_as(
                "SELECT o.id, o.name, o.description, o.enabled, o.created_at \
                 FROM organizations o JOIN memberships m ON m.org_id = o.id \
                 WHERE m.user_id = $1 ORDER BY o.name, o.id",
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
            let role: Option<String> = sqlx::query_scalar(
                "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2",
            )
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
                "SELECT {USER_COLUMNS_OF_U}, m.role AS member_role \
                 FROM users u JOIN memberships m ON m.user_id = u.id \
                 WHERE m.org_id = $1 ORDER BY u.username"
            );
            let rows = sqlx::query(&sql).bind(org_id).fetch_all(&self.pool).await?;
            rows.iter()
                .map(|row| {
                    let user = <UserRow as sqlx::FromRow<DbRow>>::from_row(row)?;
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
            let now = clock::rfc3339(clock::now());
            insert_membership(&self.pool, org_id, user_id, role, &now)
                .await
                .map_err(unique_violation)
        }

        async fn invite_member(
            &self,
            org_id: &str,
            user: &UserRow,
            role: Role,
            link: &NewLink,
        ) -> StoreResult<()> {
            let mut tx = self.write().await?;
            domains::insert_user(&mut *tx, user).await?;
            insert_membership(&mut *tx, org_id, &user.id, role, &user.created_at).await?;
            domains::insert_link(&mut tx, &user.id, link).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()> {
            let remove = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id);
            // No token is revoked: membership is read afresh on every request, and the
            // person's tokens still serve their other organizations.
            let tx = self.change_membership(org_id, remove).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn set_role(&self, org_id: &str, user_id: &str, role: Role) -> StoreResult<()> {
            let update =
                sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
                    .bind(role.as_str())
                    .bind(org_id)
                    .bind(user_id);
            let tx = self.change_membership(org_id, update).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}
