//! Accounts: users, their profiles, passwords and token versions.

use super::{storable, unique_violation, NewLink, StoreResult};
use async_trait::async_trait;
use houston_vocabulary::UserStatus;

/// A person's account.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
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

/// The columns of [`UserRow`], in its order.
pub(super) const USER_COLUMNS: &str = "id, username, password_hash, first_name, last_name, \
     company, status, email_verified, token_version, created_at";

/// The same columns of the users table aliased `u`.
pub(super) const USER_COLUMNS_OF_U: &str = "u.id, u.username, u.password_hash, u.first_name, \
     u.last_name, u.company, u.status, u.email_verified, u.token_version, u.created_at";

/// Users and their credentials.
#[async_trait]
pub trait Accounts: Send + Sync {
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
}

for_each_backend! {

    /// A user; `Conflict` when the username is taken.
    pub(crate) async fn insert_user<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        u: &UserRow,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, first_name, last_name, company, \
             status, email_verified, token_version, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        )
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.company)
        .bind(u.status.as_str())
        .bind(u.email_verified)
        .bind(u.token_version)
        .bind(&u.created_at)
        .execute(db)
        .await
        .map_err(unique_violation)?;
        Ok(())
    }

    /// The user `id`, read from the pool or inside a transaction.
    pub(crate) async fn user_in<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        id: &str,
    ) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(db).await?)
    }

    /// Bumps the token version of `user_id`: every token issued before is refused.
    pub(crate) async fn bump_token_version<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        user_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET token_version = token_version + 1 WHERE id = $1")
            .bind(user_id)
            .execute(db)
            .await?;
        Ok(())
    }

    #[async_trait]
    impl Accounts for Backend {
        async fn create_user(&self, user: &UserRow, link: Option<&NewLink>) -> StoreResult<()> {
            let mut tx = self.write().await?;
            insert_user(&mut *tx, user).await?;
            if let Some(link) = link {
                domains::insert_link(&mut tx, &user.id, link).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
            if !storable(id) {
                return Ok(None);
            }
            user_in(&self.pool, id).await
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
            bump_token_version(&self.pool, user_id).await
        }
    }
}
