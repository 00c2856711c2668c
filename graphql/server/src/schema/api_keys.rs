//! API keys (a service acting as a member of one organization): `apiKeys`, creating and
//! revoking one, and the audit of what keys did; the `ApiKey`, `ApiKeyCreated` and
//! `ApiKeyUse` types. Owners only; the audit for people only.

use super::organizations::{MemberRole, Organization};
use super::scalars::Date;
use super::status::{status, StatusMessage};
use crate::access::{Access, Principal};
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::store::{ApiKeyRow, KeyUseRow, Role};
use crate::{auth, clock, ids};
use async_graphql::{Context, Object, SimpleObject, ID};
use houston_vocabulary::ErrorCode;

/// An organization's API key; the key itself was shown once, at creation.
pub struct ApiKey(pub ApiKeyRow);

#[Object]
impl ApiKey {
    async fn id(&self) -> &str {
        &self.0.id
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn role(&self) -> MemberRole {
        self.0.role.into()
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        Organization::load(&Access::of(ctx), &self.0.org_id, Role::Owner).await
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
    async fn last_used_at(&self) -> Option<Date> {
        self.0.last_used_at.clone().map(Date)
    }
    /// When the key stops working; `null`: never.
    async fn expires_at(&self) -> Option<Date> {
        self.0.expires_at.clone().map(Date)
    }
    /// What this key did, newest first (an Owner's, not a key's, to read).
    async fn audit(&self, ctx: &Context<'_>, first: Option<i32>) -> ApiResult<Vec<ApiKeyUse>> {
        audit(&Access::of(ctx), &self.0.org_id, Some(&self.0.id), first).await
    }
}

/// One mutation an API key ran.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiKeyUse {
    pub key_id: String,
    /// The key's label when it was used (the key may be revoked since).
    pub key_label: String,
    /// The mutation, e.g. `createApplication`.
    pub operation: String,
    /// Whether it succeeded; `null` when the request did not ask for its outcome.
    pub success: Option<bool>,
    pub at: Date,
}

/// Most audit entries one answer holds.
const MAX_AUDIT_PAGE: i32 = 500;

/// The audit of `org_id`'s keys (one key's with `key_id`): for the organization's Owners,
/// signed in as themselves; a key does not read what keys did.
async fn audit(
    a: &Access<'_>,
    org_id: &str,
    key_id: Option<&str>,
    first: Option<i32>,
) -> ApiResult<Vec<ApiKeyUse>> {
    a.owner_of(org_id).await?;
    a.person()?;
    let limit = first.unwrap_or(100).clamp(0, MAX_AUDIT_PAGE);
    Ok(a.state
        .store
        .key_uses(org_id, key_id, i64::from(limit))
        .await?
        .into_iter()
        .map(|u: KeyUseRow| ApiKeyUse {
            key_id: u.key_id,
            key_label: u.key_label,
            operation: u.operation,
            success: u.success,
            at: Date(u.at),
        })
        .collect())
}

/// The answer to `createApiKey`: the key, shown this once.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiKeyCreated {
    pub success: bool,
    pub message: String,
    pub id: Option<String>,
    /// Send as `authorization: service:<key>`. It cannot be read again.
    pub key: Option<String>,
    pub code: Option<String>,
}

impl From<ApiError> for ApiKeyCreated {
    fn from(e: ApiError) -> Self {
        ApiKeyCreated {
            success: false,
            message: e.message(),
            id: None,
            key: None,
            code: Some(e.code().into()),
        }
    }
}

/// The queries about API keys.
#[derive(Default)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// An organization's API keys (Owners only).
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn api_keys(&self, ctx: &Context<'_>, org_id: ID) -> ApiResult<Vec<ApiKey>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id.0)?;
        a.owner_of(&org_id).await?;
        Ok(a.state
            .store
            .api_keys_of_org(&org_id)
            .await?
            .into_iter()
            .map(ApiKey)
            .collect())
    }

    /// What the organization's API keys did, revoked keys included, newest first (Owners
    /// only, signed in as themselves).
    async fn api_key_audit(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        first: Option<i32>,
    ) -> ApiResult<Vec<ApiKeyUse>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id.0)?;
        audit(&a, &org_id, None, first).await
    }
}

/// The mutations about API keys.
#[derive(Default)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Owners only: a new API key acting as a member of the organization with `role`
    /// (default `USER`), until `expiresAt` if given. The key is in this answer and nowhere
    /// else.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        label: String,
        role: Option<MemberRole>,
        expires_at: Option<Date>,
    ) -> ApiKeyCreated {
        let a = Access::of(ctx);
        async {
            let org_id = a.named_org(org_id)?;
            a.owner_of(&org_id).await?;
            if matches!(a.auth.principal, Principal::ApiKey(_)) {
                return Err(ApiError::Forbidden(
                    "An API key cannot make other API keys.",
                ));
            }
            let key = auth::random_token();
            let row = ApiKeyRow {
                id: ids::new_id(),
                org_id,
                label: input::name("label", &label)?,
                role: role.map_or(Role::User, Role::from),
                created_at: clock::rfc3339(clock::now()),
                last_used_at: None,
                // Stored in the one form every stored time takes (UTC), so it compares.
                expires_at: expires_at
                    .and_then(|d| clock::parse(&d.0))
                    .map(clock::rfc3339),
            };
            a.state
                .store
                .create_api_key(&row, &auth::sha256_hex(&key))
                .await?;
            Ok(ApiKeyCreated {
                success: true,
                message: "API key created: copy it now, it will not be shown again.".into(),
                id: Some(row.id),
                key: Some(key),
                code: Some(ErrorCode::Ok.into()),
            })
        }
        .await
        .unwrap_or_else(ApiKeyCreated::from)
    }

    /// Owners only: revokes an API key at once.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                a.signed_in()?;
                let key = a
                    .state
                    .store
                    .api_key_by_id(&id)
                    .await?
                    .ok_or(ApiError::NotFound("API key"))?;
                a.owner_of(&key.org_id).await.map_err(|e| match e {
                    ApiError::NotFound(_) => ApiError::NotFound("API key"),
                    e => e,
                })?;
                a.state.store.revoke_api_key(&key.id).await?;
                Ok(StatusMessage::ok("API key revoked.", Some(key.id)))
            }
            .await,
        )
    }
}
