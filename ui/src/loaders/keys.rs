//! API keys of the current organization (Owners): the list, creating one (its secret is
//! answered once), revoking one.

use houston_client::vocabulary::{ErrorCode, Role};
use houston_client::{api_keys, create_api_key, revoke_api_key, ApiKeys, RevokeApiKey};
use serde_json::json;

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;

/// An API key as listed (never its secret).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRow {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub label: String,
    /// Owner or user.
    pub role: Role,
    /// When it was made.
    pub created_at: String,
    /// When it was last used, if ever.
    pub last_used_at: Option<String>,
}

/// The API keys of `org_id`.
pub async fn list(org_id: String) -> Result<Vec<KeyRow>, ApiError> {
    let variables = api_keys::Variables {
        org_id: org_id.clone(),
    };
    let data = api::run::<ApiKeys>(variables, Some(org_id)).await?;
    Ok(data
        .api_keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            label: k.label,
            role: k.role,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
        })
        .collect())
}

/// Creates a key `label` with `role` (`OWNER` or `USER`) for `org_id` through the shell's
/// own command (its `graphql` command refuses operations that answer a credential): the
/// status, and the key itself, shown once.
pub async fn create(
    org_id: String,
    label: String,
    role: Role,
) -> Result<(Status, Option<String>), ApiError> {
    let answer = api::invoke(
        "create_api_key",
        json!({ "orgId": org_id, "label": label, "role": role }),
    )
    .await?;
    let created: create_api_key::CreateApiKeyCreateApiKey = serde_json::from_value(answer)
        .map_err(|e| {
            ApiError::new(
                ErrorCode::BadResponse,
                format!("The answer to `create_api_key` could not be read: {e}"),
            )
        })?;
    Ok((Status::of(&created), created.key))
}

/// Revokes the key `id`.
pub async fn revoke(id: String, org: Option<String>) -> Outcome {
    api::run::<RevokeApiKey>(revoke_api_key::Variables { id }, org)
        .await
        .map(|d| Status::of(&d.revoke_api_key))
}
