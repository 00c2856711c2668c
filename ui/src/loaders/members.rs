//! Members of the current organization: the list, and the Owners' changes (add, set a
//! role, remove).

use houston_client::vocabulary::Role;
use houston_client::{
    accept_invitation, decline_invitation, member_page, my_invitations, org_invitations,
    update_organization, AcceptInvitation, DeclineInvitation, MemberPage, MyInvitations,
    OrgInvitations, UpdateOrganization,
};
use leptos::task::spawn_local;
use serde_json::{json, Value};

use crate::api::{self, ApiError, Status};
use crate::loaders::{orgs, Outcome};
use crate::paging::{Chunk, PAGE_ROWS};
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

/// First and last name, as one line.
fn full_name(first: Option<String>, last: Option<String>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page of `org_id`'s members, by email, whose name or email holds `search` (all
/// when empty), only those of `role` when given, after the cursor `after`.
pub async fn page(
    org_id: String,
    search: String,
    role: Option<Role>,
    after: Option<String>,
) -> Result<Chunk<MemberRow>, ApiError> {
    let variables = member_page::Variables {
        org_id: org_id.clone(),
        first: Some(PAGE_ROWS),
        after,
        search: (!search.is_empty()).then_some(search),
        role,
    };
    let page = api::run::<MemberPage>(variables, Some(org_id))
        .await?
        .member_page;
    Ok(Chunk {
        rows: page
            .nodes
            .into_iter()
            .map(|m| MemberRow {
                user_id: m.user.id,
                email: m.user.username,
                name: full_name(m.user.profile.first_name, m.user.profile.last_name),
                status: m.user.status,
                role: m.role,
            })
            .collect(),
        end_cursor: page.page_info.end_cursor,
        has_next: page.page_info.has_next_page,
        total: page.total_count,
    })
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

/// An invitation not yet accepted, as its organization's Owners see it.
#[derive(Clone, Debug, PartialEq)]
pub struct InvitationRow {
    /// The invitation's id.
    pub id: String,
    /// The invited address.
    pub email: String,
    /// The role accepting gives.
    pub role: Role,
    /// Unaccepted by then, it is gone.
    pub expires_at: String,
}

/// The pending invitations of `org_id` (Owners only: the page asks nothing for others).
pub async fn invitations(org_id: String) -> Result<Vec<InvitationRow>, ApiError> {
    let variables = org_invitations::Variables {
        org_id: Some(org_id.clone()),
    };
    let data = api::run::<OrgInvitations>(variables, Some(org_id)).await?;
    Ok(data
        .organizations
        .into_iter()
        .flat_map(|o| o.invitations)
        .map(|i| InvitationRow {
            id: i.id,
            email: i.email,
            role: i.role,
            expires_at: i.expires_at,
        })
        .collect())
}

/// An invitation to the signed-in person, as they see it.
#[derive(Clone, Debug, PartialEq)]
pub struct MyInvitationRow {
    /// The invitation's id.
    pub id: String,
    /// The organization it is for.
    pub organization: String,
    /// The role accepting gives.
    pub role: Role,
    /// Unaccepted by then, it is gone.
    pub expires_at: String,
}

/// The invitations to the signed-in person's address.
pub async fn mine() -> Result<Vec<MyInvitationRow>, ApiError> {
    let data = api::run::<MyInvitations>(my_invitations::Variables, None).await?;
    Ok(data
        .my_invitations
        .into_iter()
        .map(|i| MyInvitationRow {
            id: i.id,
            organization: i.organization_name,
            role: i.role,
            expires_at: i.expires_at,
        })
        .collect())
}

/// Accepts (`accept`) or declines the invitation `id`; after accepting, the viewer's
/// organizations are loaded again, since there is one more.
pub async fn answer(app: AppState, id: String, accept: bool) -> Outcome {
    let outcome = if accept {
        let variables = accept_invitation::Variables { invitation_id: id };
        api::run::<AcceptInvitation>(variables, None)
            .await
            .map(|data| Status::of(&data.accept_invitation))
    } else {
        let variables = decline_invitation::Variables { invitation_id: id };
        api::run::<DeclineInvitation>(variables, None)
            .await
            .map(|data| Status::of(&data.decline_invitation))
    };
    if accept {
        spawn_local(orgs::reload(app));
    }
    outcome
}

/// Sends the invitation of `email` to `org_id` again, with the same `role`: a new mail
/// with a new link (the older link stays good until it expires).
pub async fn resend(app: AppState, org_id: String, email: String, role: Role) -> Outcome {
    change(
        app,
        org_id,
        json!({"addUser": {"email": email, "role": role.as_str()}}),
    )
    .await
}
