//! Integrations (a source sending to a destination) of the current organization: the list,
//! creating and editing one, and enabling, disabling or deleting it.

use houston_client::{
    clickstream_configs, create_integration, update_integration, ClickstreamConfigs,
    CreateIntegration, UpdateIntegration,
};
use serde_json::Value;

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;

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
    /// Its configPayload, without secrets.
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
