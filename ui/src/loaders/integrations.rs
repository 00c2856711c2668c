//! Integrations (a source sending to a destination) of the current organization: the list,
//! creating and editing one, and enabling, disabling or deleting it.

use houston_client::{
    clickstream_config_page, clickstream_configs, create_integration, update_integration,
    ClickstreamConfigPage, ClickstreamConfigs, CreateIntegration, UpdateIntegration,
};
use serde_json::Value;

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;
use crate::paging::{Chunk, PAGE_ROWS};
use crate::state::IntegrationDraft;
use houston_client::vocabulary::ErrorCode;

pub use update_integration::IntegrationActions;

/// An integration as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegrationRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its destination's code.
    pub code: String,
    /// Whether it sends.
    pub enabled: bool,
    /// Its configPayload, without secrets; `Null` in a row of a [`page`], whose query
    /// leaves it out: [`config_of`] reads it when the integration is edited.
    pub config: Value,
    /// The paths of the secrets its configPayload holds (never their values).
    pub secrets_set: Vec<String>,
    /// Its source's id.
    pub app_id: String,
    /// Its source's name.
    pub app_name: String,
    /// Its connection's id and name, if any.
    pub connection: Option<(String, String)>,
}

/// The integrations of `org_id`.
pub async fn list(org_id: String) -> Result<Vec<IntegrationRow>, ApiError> {
    let variables = clickstream_configs::Variables {
        app_id: None,
        org_id: Some(org_id.clone()),
    };
    let data = api::run::<ClickstreamConfigs>(variables, Some(org_id)).await?;
    Ok(data
        .clickstream_configs
        .into_iter()
        .map(|c| IntegrationRow {
            id: c.id,
            name: c.name,
            code: c.code,
            enabled: c.enabled,
            config: c.config,
            secrets_set: c.secrets_set,
            app_id: c.application.id,
            app_name: c.application.name,
            connection: c.connection.map(|k| (k.id, k.name)),
        })
        .collect())
}

/// The page of `org_id`'s integrations, by name, whose name holds `search` (all when
/// empty), after the cursor `after`.
pub async fn page(
    org_id: String,
    search: String,
    after: Option<String>,
) -> Result<Chunk<IntegrationRow>, ApiError> {
    let variables = clickstream_config_page::Variables {
        org_id: Some(org_id.clone()),
        app_id: None,
        first: Some(PAGE_ROWS),
        after,
        search: (!search.is_empty()).then_some(search),
        code: None,
        enabled: None,
    };
    let page = api::run::<ClickstreamConfigPage>(variables, Some(org_id))
        .await?
        .clickstream_config_page;
    Ok(Chunk {
        rows: page
            .nodes
            .into_iter()
            .map(|c| IntegrationRow {
                id: c.id,
                name: c.name,
                code: c.code,
                enabled: c.enabled,
                config: Value::Null,
                secrets_set: Vec::new(),
                app_id: c.application.id,
                app_name: c.application.name,
                connection: c.connection.map(|k| (k.id, k.name)),
            })
            .collect(),
        end_cursor: page.page_info.end_cursor,
        has_next: page.page_info.has_next_page,
        total: page.total_count,
    })
}

/// The configPayload (secrets masked) of the integration `id` of the source `app_id`.
pub async fn config_of(
    org_id: String,
    app_id: String,
    id: String,
) -> Result<(Value, Vec<String>), ApiError> {
    let variables = clickstream_configs::Variables {
        app_id: Some(app_id),
        org_id: Some(org_id.clone()),
    };
    let data = api::run::<ClickstreamConfigs>(variables, Some(org_id)).await?;
    data.clickstream_configs
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| (c.config, c.secrets_set))
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "This integration is gone."))
}

/// The integration `id` of the source `app_id` as an edit starts from it, read afresh;
/// `None` when it (or its source) is gone.
pub async fn current(
    org_id: String,
    app_id: String,
    id: String,
) -> Result<Option<IntegrationDraft>, ApiError> {
    let variables = clickstream_configs::Variables {
        app_id: Some(app_id),
        org_id: Some(org_id.clone()),
    };
    let data = match api::run::<ClickstreamConfigs>(variables, Some(org_id)).await {
        Ok(data) => data,
        Err(error) if error.code == ErrorCode::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    Ok(data
        .clickstream_configs
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| IntegrationDraft {
            id: c.id,
            name: c.name,
            app_id: c.application.id,
            connection_id: c.connection.map(|conn| conn.id),
            config: c.config,
            secrets_set: c.secrets_set,
        }))
}

/// What a new integration is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct NewIntegration {
    /// Its source.
    pub app_id: String,
    /// Its destination's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its configPayload.
    pub config: Value,
    /// Its connection, if any.
    pub connection_id: Option<String>,
}

/// Creates an integration for `org_id`.
pub async fn create(org_id: String, new: NewIntegration) -> Outcome {
    let variables = create_integration::Variables {
        app_id: new.app_id,
        integration_code: new.code,
        config_payload: new.config,
        connection_id: new.connection_id,
        name: new.name,
    };
    api::run::<CreateIntegration>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.create_integration))
}

/// Saves the integration `integration_id`'s name, configuration and connection.
pub async fn edit(
    org_id: String,
    integration_id: String,
    name: String,
    config: Value,
    connection_id: Option<String>,
) -> Outcome {
    let variables = update_integration::Variables {
        integration_id,
        action: IntegrationActions::UPDATE,
        name: Some(name),
        config_payload: Some(config),
        connection_id,
    };
    api::run::<UpdateIntegration>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.update_integration))
}

/// Enables, disables or deletes the integration `integration_id`.
pub async fn act(
    integration_id: String,
    action: IntegrationActions,
    org: Option<String>,
) -> Outcome {
    let variables = update_integration::Variables {
        integration_id,
        action,
        name: None,
        config_payload: None,
        connection_id: None,
    };
    api::run::<UpdateIntegration>(variables, org)
        .await
        .map(|d| Status::of(&d.update_integration))
}
