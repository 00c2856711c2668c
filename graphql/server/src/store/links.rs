//! One-use links (email confirmation, password reset, invitation) and the mail outbox that
//! carries them.

use super::{storable, StoreResult, UserRow};
use async_trait::async_trait;
use houston_vocabulary::MailKind;

/// A mail in the outbox.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct MailRow {
    pub id: String,
    pub to_address: String,
    #[sqlx(try_from = "String")]
    pub kind: MailKind,
    pub subject: String,
    pub body: String,
    pub token: Option<String>,
    pub created_at: String,
}

/// A one-use link to create with a mail, in the same transaction as the change it goes with.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub token_hash: String,
    pub kind: MailKind,
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

/// The columns of [`MailRow`], in its order.
pub(super) const MAIL_COLUMNS: &str = "id, to_address, kind, subject, body, token, created_at";

/// Mailed links and the outbox.
#[async_trait]
pub trait Links: Send + Sync {
    /// Records a mailed link for an existing user.
    async fn create_link(&self, user_id: &str, link: &NewLink) -> StoreResult<()>;
    /// Consumes an unexpired, unused link of one of `kinds` and applies `effect`, atomically.
    /// Returns the updated user, or `None` when the link is unknown, used or expired.
    async fn consume_link(
        &self,
        token_hash: &str,
        kinds: &[MailKind],
        now: &str,
        effect: LinkEffect,
    ) -> StoreResult<Option<UserRow>>;
    /// Whether an unexpired, unused link of one of `kinds` has this hash (a read: the
    /// cheap check before hashing a password; `consume_link` decides).
    async fn link_is_live(&self, token_hash: &str, kinds: &[&str], now: &str) -> StoreResult<bool>;
    async fn mail_to(&self, address: &str) -> StoreResult<Vec<MailRow>>;
    async fn outbox(&self) -> StoreResult<Vec<MailRow>>;
}

for_each_backend! {
    use sqlx::Transaction;

    /// A link's token and its mail, for `user_id`; first prunes what no one can use any
    /// more, as of the mail's time: used and expired links, and mail older than
    /// [`MAIL_KEPT`](crate::mail::MAIL_KEPT).
    pub(crate) async fn insert_link(
        tx: &mut Transaction<'_, Db>,
        user_id: &str,
        link: &NewLink,
    ) -> StoreResult<()> {
        let now = &link.mail.created_at;
        sqlx::query("DELETE FROM link_tokens WHERE used_at IS NOT NULL OR expires_at < $1")
            .bind(now)
            .execute(&mut **tx)
            .await?;
        let written = time::OffsetDateTime::parse(now, &time::format_description::well_known::Rfc3339);
        if let Ok(written) = written {
            sqlx::query("DELETE FROM mail WHERE created_at < $1")
                .bind(crate::clock::rfc3339(written - crate::mail::MAIL_KEPT))
                .execute(&mut **tx)
                .await?;
        }
        insert_link_token(
            &mut **tx,
            &link.token_hash,
            user_id,
            link.kind,
            &link.expires_at,
            None,
        )
        .await?;
        insert_mail(&mut **tx, &link.mail).await?;
        Ok(())
    }

    /// A mail in the outbox.
    pub(crate) async fn insert_mail<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        m: &MailRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO mail (id, to_address, kind, subject, body, token, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(&m.id)
        .bind(&m.to_address)
        .bind(m.kind.as_str())
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.token)
        .bind(&m.created_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// A mailed link's token (`used_at` is `None` for a new one, set for one copied by
    /// `import`).
    pub(crate) async fn insert_link_token<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        token_hash: &str,
        user_id: &str,
        kind: MailKind,
        expires_at: &str,
        used_at: Option<&str>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO link_tokens (token_hash, user_id, kind, expires_at, used_at) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(expires_at)
        .bind(used_at)
        .execute(db)
        .await?;
        Ok(())
    }

    #[async_trait]
    impl Links for Backend {
        async fn create_link(&self, user_id: &str, link: &NewLink) -> StoreResult<()> {
            let mut tx = self.write().await?;
            insert_link(&mut tx, user_id, link).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn consume_link(
            &self,
            token_hash: &str,
            kinds: &[MailKind],
            now: &str,
            effect: LinkEffect,
        ) -> StoreResult<Option<UserRow>> {
            if !storable(token_hash) {
                return Ok(None);
            }
            let mut tx = self.write().await?;
            // Locked for update (see `Backend::FOR_UPDATE`): a concurrent use of the same
            // link waits here, then re-reads the row and finds it used.
            let sql = format!(
                "SELECT user_id, kind FROM link_tokens \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2{}",
                Backend::FOR_UPDATE
            );
            let found: Option<(String, String)> = sqlx::query_as(&sql)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((user_id, kind)) = found else {
                return Ok(None);
            };
            if !kinds.iter().any(|k| k.as_str() == kind) {
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
                        "UPDATE link_tokens SET used_at = $1 WHERE user_id = $2 \
                         AND used_at IS NULL AND kind IN ('PASSWORD_RESET', 'INVITATION')",
                    )
                    .bind(now)
                    .bind(&user_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let user = domains::user_in(&mut *tx, &user_id).await?;
            tx.commit().await?;
            Ok(user)
        }

        async fn link_is_live(
            &self,
            token_hash: &str,
            kinds: &[&str],
            now: &str,
        ) -> StoreResult<bool> {
            if !storable(token_hash) {
                return Ok(false);
            }
            let kind: Option<String> = sqlx::query_scalar(
                "SELECT kind FROM link_tokens \
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            Ok(kind.is_some_and(|k| kinds.contains(&k.as_str())))
        }

        async fn mail_to(&self, address: &str) -> StoreResult<Vec<MailRow>> {
            if !storable(address) {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {MAIL_COLUMNS} FROM mail WHERE to_address = $1 \
                 ORDER BY created_at DESC, {} DESC",
                Backend::MAIL_ORDER
            );
            Ok(sqlx::query_as(&sql)
                .bind(address)
                .fetch_all(&self.pool)
                .await?)
        }

        async fn outbox(&self) -> StoreResult<Vec<MailRow>> {
            let sql = format!(
                "SELECT {MAIL_COLUMNS} FROM mail ORDER BY created_at DESC, {} DESC",
                Backend::MAIL_ORDER
            );
            Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
        }
    }
}
