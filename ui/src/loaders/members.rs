//! Members of the current organization: the list, and the Owners' changes (add, set a
//! role, remove).

use houston_client::vocabulary::Role;
use houston_client::{organizations, update_organization, Organizations, UpdateOrganization};
use leptos::task::spawn_local;
use serde_json::{json, Value};

use crate::api::{self, ApiError, Status};
use crate::loaders::{orgs, Outcome};
use crate::state::AppState;

/// A member as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    /// The user's id.
    pub user_id: String,
    /// The email they sign in with.
    pub email: String,
    /// First and last name.
    pub name: String,
    /// The account's status.
    pub status: String,
    /// Owner or user.
    pub role: Role,
}

/// The members of `org_id`.
pub async fn list(org_id: String) -> Result<Vec<MemberRow>, ApiError> {
    let variables = organizations::Variables {
        user_id: None,
        org_id: Some(org_id.clone()),
    };
    let data = api::run::<Organizations>(variables, Some(org_id)).await?;
    Ok(data
        .organizations
        .into_iter()
        .flat_map(|o| o.members)
        .map(|m| MemberRow {
            user_id: m.user.id,
            email: m.user.username,
            name: [m.user.profile.first_name, m.user.profile.last_name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            status: m.user.status,
            role: m.role,
        })
        .collect())
}

/// Applies `changes` (`addUser`, `setRole` or `removeUserId`, as `updateOrganization`
/// takes them) to `org_id`; the viewer's organizations are loaded again, since their own
/// role may have changed.
pub async fn change(app: AppState, org_id: String, changes: Value) -> Outcome {
    let mut variables = json!({ "orgId": org_id });
    if let (Some(target), Some(extra)) = (variables.as_object_mut(), changes.as_object()) {
        target.extend(extra.clone());
    }
    let variables: update_organization::Variables = match serde_json::from_value(variables) {
        Ok(v) => v,
        Err(e) => {
            return Ok(Status {
                message: e.to_string(),
                ..Status::default()
            })
        }
    };
    let outcome = api::run::<UpdateOrganization>(variables, Some(org_id))
        .await
        .map(|data| Status::of(&data.update_organization));
    spawn_local(orgs::reload(app));
    outcome
}
