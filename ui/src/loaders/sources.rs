//! Sources (applications) of the current organization: the list, create, rename, change
//! the platform, delete (and how many integrations go with it).

use houston_client::{
    application_page, applications, clickstream_configs, create_application, update_application,
    ApplicationPage, Applications, ClickstreamConfigs, CreateApplication, UpdateApplication,
};

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;
use crate::paging::{Chunk, PAGE_ROWS};

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

/// The page of `org_id`'s sources, by name, whose name holds `search` (all when empty),
/// after the cursor `after`.
pub async fn page(
    org_id: String,
    search: String,
    after: Option<String>,
) -> Result<Chunk<SourceRow>, ApiError> {
    let variables = application_page::Variables {
        org_id: Some(org_id.clone()),
        first: Some(PAGE_ROWS),
        after,
        search: (!search.is_empty()).then_some(search),
        platform: None,
    };
    let page = api::run::<ApplicationPage>(variables, Some(org_id))
        .await?
        .application_page;
    Ok(Chunk {
        rows: page
            .nodes
            .into_iter()
            .map(|a| SourceRow {
                id: a.id,
                name: a.name,
                platform: a.platform,
            })
            .collect(),
        end_cursor: page.page_info.end_cursor,
        has_next: page.page_info.has_next_page,
        total: page.total_count,
    })
}

/// Creates a source `name` on `platform` for `org_id`.
pub async fn create(org_id: String, name: String, platform: String) -> Outcome {
    let variables = create_application::Variables {
        name,
        platform,
        org_id: org_id.clone(),
    };
    api::run::<CreateApplication>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.create_application))
}

/// A change to a source: one at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceEdit {
    /// A new name.
    Rename(String),
    /// Another platform.
    Platform(String),
    /// Deleted, with its integrations.
    Delete,
}

/// Applies `edit` to the source `app_id`, acting for `org`.
pub async fn update(app_id: String, edit: SourceEdit, org: Option<String>) -> Outcome {
    let (mut name, mut platform, mut delete) = (None, None, None);
    match edit {
        SourceEdit::Rename(n) => name = Some(n),
        SourceEdit::Platform(p) => platform = Some(p),
        SourceEdit::Delete => delete = Some(true),
    }
    let variables = update_application::Variables {
        app_id,
        name,
        platform,
        delete,
    };
    api::run::<UpdateApplication>(variables, org)
        .await
        .map(|d| Status::of(&d.update_application))
}

/// How many integrations the source `app_id` has (they are deleted with it).
pub async fn integration_count(app_id: String, org: Option<String>) -> Result<usize, ApiError> {
    let variables = clickstream_configs::Variables {
        app_id: Some(app_id),
        org_id: None,
    };
    let data = api::run::<ClickstreamConfigs>(variables, org).await?;
    Ok(data.clickstream_configs.len())
}
