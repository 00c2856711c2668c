//! Organizations: the viewer's list (for the switcher and the role checks), creating one,
//! and renaming or deleting the current one.

use houston_client::vocabulary::Role;
use houston_client::{
    create_organization, leave_organization, org_contents, organizations, update_organization,
    CreateOrganization, LeaveOrganization, OrgContents, Organizations, UpdateOrganization,
};
use leptos::prelude::*;

use crate::api::{self, ApiError, Status};
use crate::components::confirm::OrgHoldings;
use crate::loaders::{session, Outcome};
use crate::state::{AppState, OrgSummary, Page};

/// Reloads the viewer's organizations; when none is chosen yet, acts for the first one.
/// When the one acted for is gone (deleted, or the viewer was removed from it), acts for
/// the first one left, or none, opens the Organizations page and says so: nothing goes on
/// acting on the old id.
pub async fn reload(app: AppState) {
    let variables = organizations::Variables {
        user_id: None,
        org_id: None,
    };
    if let Ok(data) = api::run::<Organizations>(variables, None).await {
        let orgs: Vec<OrgSummary> = data
            .organizations
            .into_iter()
            .map(|o| OrgSummary {
                owner: o.my_role == Role::Owner,
                id: o.id,
                name: o.name,
            })
            .collect();
        let current = app.org_now();
        let known = current
            .as_ref()
            .is_some_and(|c| orgs.iter().any(|o| &o.id == c));
        let first = orgs.first().map(|o| (o.id.clone(), o.name.clone()));
        app.orgs.set(orgs);
        if known {
            return;
        }
        let gone = current.is_some();
        match first {
            Some((first, name)) => {
                let _ = session::choose_organization(app, first).await;
                if gone {
                    app.notice.set(Some(format!(
                        "The organization you were in is no longer yours (deleted, or you were removed): now in “{name}”."
                    )));
                }
            }
            None if gone => {
                let _ = session::forget_organization(app).await;
                app.notice.set(Some(
                    "The organization you were in is no longer yours (deleted, or you were removed), and you belong to none: create one or accept an invitation."
                        .to_owned(),
                ));
            }
            None => {}
        }
        if gone {
            app.page.set(Page::Orgs);
        }
    }
}

/// Creates an organization; on success the list is loaded again.
pub async fn create(app: AppState, name: String) -> Outcome {
    let variables = create_organization::Variables {
        name,
        user_id: None,
    };
    let status = api::run::<CreateOrganization>(variables, None)
        .await
        .map(|d| Status::of(&d.create_organization))?;
    if status.success {
        leptos::task::spawn_local(reload(app));
    }
    Ok(status)
}

/// A change to an organization's own details, or its deletion.
#[derive(Clone, Debug, PartialEq)]
pub enum OrgEdit {
    /// A new name.
    Rename(String),
    /// A new description.
    Describe(String),
    /// Deleted, with everything in it.
    Delete,
}

/// Applies `edit` to the organization `org_id`; on success the list is loaded again.
pub async fn update(app: AppState, org_id: String, edit: OrgEdit) -> Outcome {
    let (mut name, mut description, mut delete) = (None, None, None);
    match edit {
        OrgEdit::Rename(n) => name = Some(n),
        OrgEdit::Describe(d) => description = Some(d),
        OrgEdit::Delete => delete = Some(true),
    }
    let variables = update_organization::Variables {
        org_id: org_id.clone(),
        name,
        description,
        add_user: None,
        remove_user_id: None,
        set_role: None,
        delete,
    };
    let status = api::run::<UpdateOrganization>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.update_organization))?;
    if status.success {
        leptos::task::spawn_local(reload(app));
    }
    Ok(status)
}

/// The description of the organization `org_id`.
pub async fn description(org_id: String) -> Result<String, ApiError> {
    let variables = organizations::Variables {
        user_id: None,
        org_id: Some(org_id.clone()),
    };
    let data = api::run::<Organizations>(variables, Some(org_id)).await?;
    Ok(data
        .organizations
        .into_iter()
        .next()
        .and_then(|o| o.description)
        .unwrap_or_default())
}

/// Leaves the organization `org_id` (`leaveOrganization`: any member may, for themselves,
/// except its last Owner, whom the server tells to make another member an Owner first);
/// on success the window acts for the first organization left, or none.
pub async fn leave(app: AppState, org_id: String) -> Outcome {
    let variables = leave_organization::Variables {
        org_id: org_id.clone(),
    };
    let status = api::run::<LeaveOrganization>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.leave_organization))?;
    if status.success {
        // Left on purpose: act for none first, so that the reload picks the next one
        // without saying the organization was taken away.
        let _ = session::forget_organization(app).await;
        leptos::task::spawn_local(reload(app));
    }
    Ok(status)
}

/// How many sources, integrations and connections the organization `org_id` holds.
pub async fn holdings(org_id: String) -> Result<OrgHoldings, ApiError> {
    let variables = org_contents::Variables {
        org_id: org_id.clone(),
    };
    let data = api::run::<OrgContents>(variables, Some(org_id)).await?;
    Ok(OrgHoldings {
        sources: data.sources.total_count,
        integrations: data.integrations.total_count,
        connections: data.connections.total_count,
    })
}
