//! Organizations: the viewer's list (for the switcher and the role checks), creating one,
//! and renaming or deleting the current one.

use houston_client::vocabulary::Role;
use houston_client::{
    create_organization, organizations, update_organization, CreateOrganization, Organizations,
    UpdateOrganization,
};
use leptos::prelude::*;

use crate::api::{self, Status};
use crate::loaders::{session, Outcome};
use crate::state::{AppState, OrgSummary};

/// Reloads the viewer's organizations; when none is chosen yet, or the chosen one is gone,
/// acts for the first one.
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
        // Nothing chosen yet, or the chosen one is gone: act for the first one.
        let current = app.org_now();
        let known = current
            .as_ref()
            .is_some_and(|c| orgs.iter().any(|o| &o.id == c));
        let first = orgs.first().map(|o| o.id.clone());
        app.orgs.set(orgs);
        if !known {
            if let Some(first) = first {
                let _ = session::choose_organization(app, first).await;
            }
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

/// Renames (`name`) or deletes (`delete`) the organization `org_id`; on success the list is
/// loaded again.
pub async fn update(
    app: AppState,
    org_id: String,
    name: Option<String>,
    delete: Option<bool>,
) -> Outcome {
    let variables = update_organization::Variables {
        org_id: org_id.clone(),
        name,
        description: None,
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
