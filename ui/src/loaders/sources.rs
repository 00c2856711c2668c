//! Sources (applications) of the current organization: the list, create, rename, delete.

use houston_client::{
    applications, create_application, update_application, Applications, CreateApplication,
    UpdateApplication,
};

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;

/// A source as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRow {
    /// The 21-character id (the write key).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its platform.
    pub platform: String,
}

/// The sources of `org_id`.
pub async fn list(org_id: String) -> Result<Vec<SourceRow>, ApiError> {
    let variables = applications::Variables {
        org_id: Some(org_id.clone()),
        app_id: None,
    };
    let data = api::run::<Applications>(variables, Some(org_id)).await?;
    Ok(data
        .applications
        .into_iter()
        .map(|a| SourceRow {
            id: a.id,
            name: a.name,
            platform: a.platform,
        })
        .collect())
}

/// A change to the sources.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceChange {
    /// A new source of `org_id`.
    Create {
        /// The organization.
        org_id: String,
        /// Its name.
        name: String,
        /// Its platform.
        platform: String,
    },
    /// Renames (`name`) or deletes (`delete`) the source `app_id`.
    Update {
        /// The source's id.
        app_id: String,
        /// Its new name.
        name: Option<String>,
        /// `Some(true)` deletes it.
        delete: Option<bool>,
    },
}

/// Applies `change`, acting for `org`.
pub async fn change(change: SourceChange, org: Option<String>) -> Outcome {
    match change {
        SourceChange::Create {
            org_id,
            name,
            platform,
        } => {
            let variables = create_application::Variables {
                name,
                platform,
                org_id,
            };
            api::run::<CreateApplication>(variables, org)
                .await
                .map(|d| Status::of(&d.create_application))
        }
        SourceChange::Update {
            app_id,
            name,
            delete,
        } => {
            let variables = update_application::Variables {
                app_id,
                name,
                platform: None,
                delete,
            };
            api::run::<UpdateApplication>(variables, org)
                .await
                .map(|d| Status::of(&d.update_application))
        }
    }
}
