//! Copying a whole database: every row of every table out of one store ([`Dumps::export`])
//! and into another, empty one ([`Dumps::import`]), as `houston-server migrate` does.

use super::{ApiKeyRow, AppRow, ConnectionRow, IntegrationRow, MailRow, OrgRow, Role, UserRow};
use super::{EventCountRecord, EventRecord, InvitationRow, KeyUseRow};
use super::{StoreError, StoreResult};
use async_trait::async_trait;
use houston_vocabulary::MailKind;

/// A membership as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct MembershipRecord {
    pub org_id: String,
    pub user_id: String,
    pub role: Role,
    pub created_at: String,
}

/// An API key as stored, with the hash of its key.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRecord {
    pub key: ApiKeyRow,
    pub key_hash: String,
}

/// A mailed one-use link as stored (its token only as a hash).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRecord {
    pub token_hash: String,
    pub user_id: String,
    pub kind: MailKind,
    pub expires_at: String,
    pub used_at: Option<String>,
}

/// A username's failed sign-ins from one client in the current window.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginFailureRecord {
    pub username: String,
    pub client: String,
    pub failures: i64,
    pub window_start: i64,
}

/// Every row of a store, table by table, in an order that satisfies the foreign keys:
/// what `houston-server migrate` copies from one database into another.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dump {
    pub users: Vec<UserRow>,
    pub organizations: Vec<OrgRow>,
    pub memberships: Vec<MembershipRecord>,
    pub applications: Vec<AppRow>,
    pub connections: Vec<ConnectionRow>,
    pub integrations: Vec<IntegrationRow>,
    pub api_keys: Vec<ApiKeyRecord>,
    pub link_tokens: Vec<LinkRecord>,
    /// In the order the mails were written, oldest first.
    pub mail: Vec<MailRow>,
    pub login_failures: Vec<LoginFailureRecord>,
    pub invitations: Vec<InvitationRow>,
    /// Oldest first.
    pub api_key_audit: Vec<KeyUseRow>,
    /// Oldest first, with their numbers.
    pub events: Vec<EventRecord>,
    pub event_counts: Vec<EventCountRecord>,
}

impl Dump {
    /// The tables in the order they are written (referenced tables first).
    pub const TABLES: [&'static str; 14] = [
        "users",
        "organizations",
        "memberships",
        "applications",
        "connections",
        "integrations",
        "api_keys",
        "link_tokens",
        "mail",
        "login_failures",
        "invitations",
        "api_key_audit",
        "events",
        "event_counts",
    ];

    /// The number of rows of each table, in the order of [`Dump::TABLES`].
    pub fn counts(&self) -> [(&'static str, usize); 14] {
        let n = [
            self.users.len(),
            self.organizations.len(),
            self.memberships.len(),
            self.applications.len(),
            self.connections.len(),
            self.integrations.len(),
            self.api_keys.len(),
            self.link_tokens.len(),
            self.mail.len(),
            self.login_failures.len(),
            self.invitations.len(),
            self.api_key_audit.len(),
            self.events.len(),
            self.event_counts.len(),
        ];
        std::array::from_fn(|i| (Dump::TABLES[i], n[i]))
    }
}

/// Copying a whole database.
#[async_trait]
pub trait Dumps: Send + Sync {
    /// Every row of every table, in one consistent read.
    async fn export(&self) -> StoreResult<Dump>;
    /// Writes every row of `dump` in one transaction, keeping ids, hashes, token versions
    /// and times as they are. Refuses with `NotEmpty` unless every table is empty.
    async fn import(&self, dump: &Dump) -> StoreResult<()>;
}

for_each_backend! {
    use crate::store::accounts::USER_COLUMNS;
    use crate::store::api_keys::API_KEY_COLUMNS;
    use crate::store::connections::CONNECTION_COLUMNS;
    use crate::store::integrations::INTEGRATION_SELECT;
    use crate::store::links::MAIL_COLUMNS;
    use crate::store::orgs::ORG_COLUMNS;
    use crate::store::sources::APP_COLUMNS;
    use sqlx::Row;

    #[async_trait]
    impl Dumps for Backend {
        async fn export(&self) -> StoreResult<Dump> {
            // One snapshot of every table. Rows come in key order (byte order on both
            // databases), mail in the order written.
            let mut tx = self.read_snapshot().await?;
            let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
            let users = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            let sql = format!("SELECT {ORG_COLUMNS} FROM organizations ORDER BY id");
            let organizations = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            let memberships = sqlx::query_as::<_, (String, String, String, String)>(
                "SELECT org_id, user_id, role, created_at FROM memberships \
                 ORDER BY org_id, user_id",
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
            let sql = format!("SELECT {APP_COLUMNS} FROM applications ORDER BY id");
            let applications = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections ORDER BY id");
            let connections = sqlx::query(&sql)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| domains::connection_from(&self.key, r))
                .collect::<StoreResult<_>>()?;
            let sql = format!("{INTEGRATION_SELECT} ORDER BY i.id");
            let integrations = sqlx::query(&sql)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| domains::integration_from(&self.key, r))
                .collect::<StoreResult<_>>()?;
            let sql = format!("SELECT {API_KEY_COLUMNS}, key_hash FROM api_keys ORDER BY id");
            let api_keys = sqlx::query(&sql)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| {
                    Ok(ApiKeyRecord {
                        key: <ApiKeyRow as sqlx::FromRow<DbRow>>::from_row(row)?,
                        key_hash: row.try_get("key_hash")?,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?;
            let link_tokens =
                sqlx::query_as::<_, (String, String, String, String, Option<String>)>(
                    "SELECT token_hash, user_id, kind, expires_at, used_at FROM link_tokens \
                     ORDER BY token_hash",
                )
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(token_hash, user_id, kind, expires_at, used_at)| {
                    Ok(LinkRecord {
                        token_hash,
                        user_id,
                        kind: kind
                            .parse()
                            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                        expires_at,
                        used_at,
                    })
                })
                .collect::<Result<_, sqlx::Error>>()?;
            let sql = format!(
                "SELECT {MAIL_COLUMNS} FROM mail ORDER BY {}",
                Backend::MAIL_ORDER
            );
            let mail = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
            let login_failures = sqlx::query_as::<_, (String, String, i64, i64)>(
                "SELECT username, client, failures, window_start FROM login_failures \
                 ORDER BY username, client",
            )
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(username, client, failures, window_start)| LoginFailureRecord {
                username,
                client,
                failures,
                window_start,
            })
            .collect();
            let invitations = domains::all_invitations(&mut *tx).await?;
            let api_key_audit = domains::all_key_uses(&mut *tx).await?;
            let events = domains::all_events(&mut *tx).await?;
            let event_counts = domains::all_event_counts(&mut *tx).await?;
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
                invitations,
                api_key_audit,
                events,
                event_counts,
            })
        }

        async fn import(&self, dump: &Dump) -> StoreResult<()> {
            let mut tx = self.write().await?;
            Backend::lock(&mut tx, Lock::Tables(&Dump::TABLES)).await?;
            for table in Dump::TABLES {
                let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&mut *tx)
                    .await?;
                if rows > 0 {
                    return Err(StoreError::NotEmpty { table, rows });
                }
            }
            for u in &dump.users {
                domains::insert_user(&mut *tx, u).await?;
            }
            for o in &dump.organizations {
                domains::insert_org(&mut *tx, o).await?;
            }
            for m in &dump.memberships {
                domains::insert_membership(&mut *tx, &m.org_id, &m.user_id, m.role, &m.created_at)
                    .await?;
            }
            for a in &dump.applications {
                domains::insert_app(&mut *tx, a).await?;
            }
            for c in &dump.connections {
                domains::insert_connection(&mut *tx, &self.key, c).await?;
            }
            for i in &dump.integrations {
                domains::insert_integration(&mut tx, &self.key, i).await?;
            }
            for k in &dump.api_keys {
                domains::insert_api_key(&mut *tx, &k.key, &k.key_hash).await?;
            }
            for l in &dump.link_tokens {
                domains::insert_link_token(
                    &mut *tx,
                    &l.token_hash,
                    &l.user_id,
                    l.kind,
                    &l.expires_at,
                    l.used_at.as_deref(),
                )
                .await?;
            }
            for m in &dump.mail {
                domains::insert_mail(&mut *tx, m).await?;
            }
            for f in &dump.login_failures {
                domains::insert_login_failure(&mut *tx, f).await?;
            }
            for i in &dump.invitations {
                domains::insert_invitation(&mut *tx, i).await?;
            }
            for u in &dump.api_key_audit {
                domains::insert_key_use(&mut *tx, u).await?;
            }
            for e in &dump.events {
                domains::insert_event_record(&mut *tx, e).await?;
            }
            sqlx::query(Backend::EVENTS_SEQ_RESUME).execute(&mut *tx).await?;
            for c in &dump.event_counts {
                domains::insert_event_count(&mut *tx, c).await?;
            }
            tx.commit().await?;
            Ok(())
        }
    }
}
