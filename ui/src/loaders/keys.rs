//! API keys of the current organization (Owners): the list, creating one (its secret is
//! answered once), revoking one.

use houston_client::vocabulary::Role;
use houston_client::{
    api_keys, create_api_key, revoke_api_key, ApiKeys, CreateApiKey, RevokeApiKey,
};
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

/// Creates a key `label` with `role` (`OWNER` or `USER`) for `org_id`: the status, and the
/// key itself, shown once.
pub async fn create(
    org_id: String,
    label: String,
    role: Role,
) -> Result<(Status, Option<String>), ApiError> {
    let variables: create_api_key::Variables = match serde_json::from_value(json!({
        "orgId": org_id, "label": label, "role": role.as_str()
    })) {
        Ok(variables) => variables,
        Err(e) => {
            let refused = Status {
                message: e.to_string(),
                ..Status::default()
            };
            return Ok((refused, None));
        }
    };
    let data = api::run::<CreateApiKey>(variables, Some(org_id)).await?;
    let answer = serde_json::to_value(&data.create_api_key).unwrap_or_default();
    let key = answer
        .get("key")
        .and_then(|k| k.as_str())
        .map(str::to_owned);
    Ok((Status::of(&data.create_api_key), key))
}

/// Revokes the key `id`.
pub async fn revoke(id: String, org: Option<String>) -> Outcome {
    api::run::<RevokeApiKey>(revoke_api_key::Variables { id }, org)
        .await
        .map(|d| Status::of(&d.revoke_api_key))
}
