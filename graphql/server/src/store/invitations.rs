//! Invitations: an Owner's offer of membership to an email address, kept apart from
//! accounts until the address accepts (in the app, or by the mailed link). Nobody becomes
//! a member, and no account is made, without that consent; unaccepted invitations expire.

use super::orgs::OrgTable;
use super::{storable, unique_violation, MailRow, Role, StoreError, StoreResult, UserRow};
use async_trait::async_trait;

/// An invitation as stored.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub org_id: String,
    /// The invited address, lower-cased as usernames are.
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// SHA-256 of the mailed link's token.
    pub token_hash: String,
    pub created_at: String,
    pub expires_at: String,
}

/// An invitation as its invitee sees it: with the organization's name.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingInvitation {
    pub invitation: InvitationRow,
    pub org_name: String,
}

/// Which invitation to accept, and the proof that the caller may.
#[derive(Clone, Copy, Debug)]
pub enum InvitationProof<'a> {
    /// By id, for the signed-in account whose username is `email` (a confirmed address).
    Account { id: &'a str, email: &'a str },
    /// By the mailed link (its token's hash): whoever holds it reads that mailbox.
    Link { token_hash: &'a str },
}

/// What accepting an invitation came to.
#[derive(Clone, Debug)]
pub enum Accepted {
    /// The account is now a member of `org_id`.
    Joined { org_id: String, user: Box<UserRow> },
    /// The address has no account yet: one must be made with a password (`setPassword`).
    NeedsAccount,
    /// The address has an account already (it was asked to be made), or its account is
    /// not confirmed or is locked: the person signs in and accepts in the app.
    HasAccount,
}

/// The columns of [`InvitationRow`], in its order.
pub(super) const INVITATION_COLUMNS: &str =
    "id, org_id, email, role, token_hash, created_at, expires_at";

/// Invitations.
#[async_trait]
pub trait Invitations: Send + Sync {
    /// Records an invitation and its mail (the outbox copy), and prunes the invitations
    /// that expired before `now`.
    async fn create_invitation(
        &self,
        invitation: &InvitationRow,
        mail: &MailRow,
        now: &str,
    ) -> StoreResult<()>;
    /// The unexpired invitations of `email`, oldest first.
    async fn invitations_for(&self, email: &str, now: &str) -> StoreResult<Vec<PendingInvitation>>;
    /// The unexpired invitations of `org_id`, oldest first (for its Owners).
    async fn invitations_of_org(&self, org_id: &str, now: &str) -> StoreResult<Vec<InvitationRow>>;
    /// Whether a link of an unexpired invitation has this hash (a read: the cheap check
    /// before hashing a password).
    async fn invitation_is_live(&self, token_hash: &str, now: &str) -> StoreResult<bool>;
    /// Accepts an unexpired invitation, atomically: the membership is made (kept as it is
    /// when the account is a member already) and the invitation is gone. With
    /// `new_account`, the account is made too (its id the invitation's, its username the invited address), only
    /// when the address has none. `None` when no such unexpired invitation exists.
    async fn accept_invitation(
        &self,
        proof: InvitationProof<'_>,
        new_account: Option<&UserRow>,
        now: &str,
    ) -> StoreResult<Option<Accepted>>;
    /// Deletes the unexpired invitation `id` of `email`; `NotFound` when there is none.
    async fn decline_invitation(&self, id: &str, email: &str) -> StoreResult<()>;
}

for_each_backend! {
    use sqlx::Row;

    /// An invitation (also as copied by `import`).
    pub(crate) async fn insert_invitation<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        i: &InvitationRow,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO invitations (id, org_id, email, role, token_hash, created_at, expires_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(&i.id)
        .bind(&i.org_id)
        .bind(&i.email)
        .bind(i.role.as_str())
        .bind(&i.token_hash)
        .bind(&i.created_at)
        .bind(&i.expires_at)
        .execute(db)
        .await?;
        Ok(())
    }

    /// Every invitation, for `export`.
    pub(crate) async fn all_invitations<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
    ) -> sqlx::Result<Vec<InvitationRow>> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations ORDER BY id");
        sqlx::query_as(&sql).fetch_all(db).await
    }

    #[async_trait]
    impl Invitations for Backend {
        async fn create_invitation(
            &self,
            invitation: &InvitationRow,
            mail: &MailRow,
            now: &str,
        ) -> StoreResult<()> {
            let mut tx = self.write().await?;
            sqlx::query("DELETE FROM invitations WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            self.room_for_one(&mut tx, &invitation.org_id, OrgTable::Members)
                .await?;
            insert_invitation(&mut *tx, invitation)
                .await
                .map_err(unique_violation)?;
            domains::insert_mail(&mut *tx, mail).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn invitations_for(
            &self,
            email: &str,
            now: &str,
        ) -> StoreResult<Vec<PendingInvitation>> {
            if !storable(email) {
                return Ok(Vec::new());
            }
            let rows = sqlx::query(
                "SELECT i.id, i.org_id, i.email, i.role, i.token_hash, i.created_at, \
                 i.expires_at, o.name AS org_name \
                 FROM invitations i JOIN organizations o ON o.id = i.org_id \
                 WHERE i.email = $1 AND i.expires_at > $2 ORDER BY i.created_at, i.id",
            )
            .bind(email)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(PendingInvitation {
                        invitation: <InvitationRow as sqlx::FromRow<DbRow>>::from_row(row)?,
                        org_name: row.try_get("org_name")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()
                .map_err(StoreError::from)
        }

        async fn invitations_of_org(
            &self,
            org_id: &str,
            now: &str,
        ) -> StoreResult<Vec<InvitationRow>> {
            if !storable(org_id) {
                return Ok(Vec::new());
            }
            let sql = format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations \
                 WHERE org_id = $1 AND expires_at > $2 ORDER BY created_at, id"
            );
            Ok(sqlx::query_as(&sql)
                .bind(org_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await?)
        }

        async fn invitation_is_live(&self, token_hash: &str, now: &str) -> StoreResult<bool> {
            if !storable(token_hash) {
                return Ok(false);
            }
            let found: Option<String> = sqlx::query_scalar(
                "SELECT id FROM invitations WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.is_some())
        }

        async fn accept_invitation(
            &self,
            proof: InvitationProof<'_>,
            new_account: Option<&UserRow>,
            now: &str,
        ) -> StoreResult<Option<Accepted>> {
            let (column, key, email) = match proof {
                InvitationProof::Account { id, email } => ("id", id, Some(email)),
                InvitationProof::Link { token_hash } => ("token_hash", token_hash, None),
            };
            if !storable(key) || email.is_some_and(|e| !storable(e)) {
                return Ok(None);
            }
            let mut tx = self.write().await?;
            // Locked for update: a concurrent acceptance of the same invitation waits, then
            // finds it gone.
            let sql = format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations \
                 WHERE {column} = $1 AND expires_at > $2{}",
                Backend::FOR_UPDATE
            );
            let found: Option<InvitationRow> = sqlx::query_as(&sql)
                .bind(key)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(invitation) = found.filter(|i| email.is_none_or(|e| e == i.email)) else {
                return Ok(None);
            };
            let sql = format!(
                "SELECT {} FROM users WHERE username = $1",
                crate::store::accounts::USER_COLUMNS
            );
            let existing: Option<UserRow> = sqlx::query_as(&sql)
                .bind(&invitation.email)
                .fetch_optional(&mut *tx)
                .await?;
            let user = match (existing, new_account) {
                (Some(user), None) if user.is_active() => user,
                (Some(_), _) => return Ok(Some(Accepted::HasAccount)),
                (None, None) => return Ok(Some(Accepted::NeedsAccount)),
                (None, Some(new)) => {
                    let new = UserRow {
                        id: invitation.id.clone(),
                        username: invitation.email.clone(),
                        ..new.clone()
                    };
                    domains::insert_user(&mut *tx, &new).await?;
                    new
                }
            };
            sqlx::query(
                "INSERT INTO memberships (org_id, user_id, role, created_at) \
                 VALUES ($1,$2,$3,$4) ON CONFLICT (org_id, user_id) DO NOTHING",
            )
            .bind(&invitation.org_id)
            .bind(&user.id)
            .bind(invitation.role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM invitations WHERE id = $1")
                .bind(&invitation.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(Accepted::Joined {
                org_id: invitation.org_id,
                user: Box::new(user),
            }))
        }

        async fn decline_invitation(&self, id: &str, email: &str) -> StoreResult<()> {
            self.change_one(
                sqlx::query("DELETE FROM invitations WHERE id = $1 AND email = $2")
                    .bind(id)
                    .bind(email),
            )
            .await
        }
    }
}
