//! Pipelines as files (issue 13 #9a): a source's integrations, their configurations and the
//! names and destinations of the connections they use, written to JSON ([`export`]) and
//! recreated for another source, in any organization on any server ([`import`]).
//!
//! A file never holds a secret: configurations are what the server reads back, which
//! leaves every secret out, and connections travel by name and destination only. On
//! import, each connection is matched by name and destination in the target organization
//! ([`missing_connections`] lists those that are not there, for the person to pick or
//! create), and a secret the destination requires must be given again there.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    applications, clickstream_configs, create_integration, org_connections, run,
    update_integration, Applications, ClickstreamConfigs, ClientError, CreateIntegration,
    OrgConnections, Transport, UpdateIntegration,
};

/// The `format` of a pipeline file this version writes and reads.
pub const FORMAT: &str = "houston-pipeline/1";

/// A source's pipeline as a file holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Always [`FORMAT`].
    pub format: String,
    /// The source it was exported from.
    pub source: PipelineSource,
    /// The connections its integrations use (each once).
    pub connections: Vec<PipelineConnection>,
    /// Its integrations.
    pub integrations: Vec<PipelineIntegration>,
}

/// The source a pipeline came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSource {
    /// Its name.
    pub name: String,
    /// Its platform (`analytics.js`, `server`, …).
    pub platform: String,
}

/// A connection an integration uses: a name and a destination, never details.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineConnection {
    /// Its name.
    pub name: String,
    /// Its destination's code.
    pub integration_code: String,
}

/// An integration of the pipeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineIntegration {
    /// Its name.
    pub name: String,
    /// Its destination's code.
    pub code: String,
    /// Whether it sends.
    pub enabled: bool,
    /// Its configPayload, without secrets.
    pub config: Value,
    /// The name of the connection it uses (one of [`Pipeline::connections`]), if any.
    pub connection: Option<String>,
}

/// Why a pipeline was not read or not imported.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The file is not a pipeline of this format.
    #[error("This file is not a Houston pipeline: {0}")]
    NotAPipeline(String),
    /// A call to the server failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Connections the integrations need have no match in the organization.
    #[error("Missing connections: {}", names(.0))]
    MissingConnections(Vec<PipelineConnection>),
    /// The server refused to create an integration (its message).
    #[error("\"{name}\" was not created: {message}")]
    Refused {
        /// The integration's name.
        name: String,
        /// What the server said.
        message: String,
    },
}

fn names(connections: &[PipelineConnection]) -> String {
    connections
        .iter()
        .map(|c| format!("{} ({})", c.name, c.integration_code))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Pipeline {
    /// Reads a pipeline file.
    pub fn parse(text: &str) -> Result<Pipeline, PipelineError> {
        let pipeline: Pipeline =
            serde_json::from_str(text).map_err(|e| PipelineError::NotAPipeline(e.to_string()))?;
        if pipeline.format != FORMAT {
            return Err(PipelineError::NotAPipeline(format!(
                "format {:?}, expected {FORMAT:?}",
                pipeline.format
            )));
        }
        Ok(pipeline)
    }

    /// The file's text (pretty JSON).
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The pipeline of the source `app_id`, read as the holder of `auth` acting for `org`.
pub async fn export(
    transport: &dyn Transport,
    auth: Option<&str>,
    org: Option<&str>,
    app_id: &str,
) -> Result<Pipeline, PipelineError> {
    let apps = run::<Applications>(
        transport,
        applications::Variables {
            org_id: None,
            app_id: Some(app_id.to_owned()),
        },
        auth,
        org,
    )
    .await?
    .applications;
    let app = apps
        .into_iter()
        .next()
        .ok_or_else(|| ClientError::Malformed("the source is not there".into()))?;
    let rows = run::<ClickstreamConfigs>(
        transport,
        clickstream_configs::Variables {
            app_id: Some(app_id.to_owned()),
            org_id: None,
        },
        auth,
        org,
    )
    .await?
    .clickstream_configs;
    let mut connections = Vec::new();
    let integrations = rows
        .into_iter()
        .map(|row| {
            let connection = row.connection.map(|c| {
                let used = PipelineConnection {
                    name: c.name,
                    integration_code: c.integration_code,
                };
                let name = used.name.clone();
                if !connections.contains(&used) {
                    connections.push(used);
                }
                name
            });
            PipelineIntegration {
                name: row.name,
                code: row.code,
                enabled: row.enabled,
                config: row.config,
                connection,
            }
        })
        .collect();
    Ok(Pipeline {
        format: FORMAT.to_owned(),
        source: PipelineSource {
            name: app.name,
            platform: app.platform,
        },
        connections,
        integrations,
    })
}

/// The connections of `org` by name and destination: `(name, code)` → id.
pub async fn connections_of(
    transport: &dyn Transport,
    auth: Option<&str>,
    org: &str,
) -> Result<BTreeMap<PipelineConnection, String>, PipelineError> {
    let listed = run::<OrgConnections>(
        transport,
        org_connections::Variables {
            org_id: org.to_owned(),
            connection_prototype: None,
        },
        auth,
        Some(org),
    )
    .await?
    .org_connections;
    Ok(listed
        .into_iter()
        .map(|c| {
            (
                PipelineConnection {
                    name: c.name,
                    integration_code: c.integration_code,
                },
                c.id,
            )
        })
        .collect())
}

/// The pipeline's connections that `existing` (an organization's, by name and
/// destination) does not have: the person picks or creates one for each.
pub fn missing_connections(
    pipeline: &Pipeline,
    existing: &BTreeMap<PipelineConnection, String>,
) -> Vec<PipelineConnection> {
    pipeline
        .connections
        .iter()
        .filter(|c| !existing.contains_key(*c))
        .cloned()
        .collect()
}

/// Creates the pipeline's integrations for the source `app_id` of `org`, each with the
/// connection of the same name and destination in `connections` (see [`connections_of`];
/// add the ones the person picked or created under the pipeline's names), switched off
/// when it was exported off. Answers the new integrations' ids. Nothing is created when a
/// connection is missing; a refusal stops at that integration (those before it stay).
pub async fn import(
    transport: &dyn Transport,
    auth: Option<&str>,
    org: &str,
    app_id: &str,
    pipeline: &Pipeline,
    connections: &BTreeMap<PipelineConnection, String>,
) -> Result<Vec<String>, PipelineError> {
    let missing = missing_connections(pipeline, connections);
    if !missing.is_empty() {
        return Err(PipelineError::MissingConnections(missing));
    }
    let mut created = Vec::new();
    for integration in &pipeline.integrations {
        let connection_id = integration.connection.as_ref().and_then(|name| {
            connections
                .get(&PipelineConnection {
                    name: name.clone(),
                    integration_code: integration.code.clone(),
                })
                .cloned()
        });
        let status = run::<CreateIntegration>(
            transport,
            create_integration::Variables {
                app_id: app_id.to_owned(),
                integration_code: integration.code.clone(),
                config_payload: integration.config.clone(),
                connection_id,
                name: integration.name.clone(),
            },
            auth,
            Some(org),
        )
        .await?
        .create_integration;
        let id = match (status.success, status.id) {
            (true, Some(id)) => id,
            _ => {
                let mut message = status.message;
                for e in status.field_errors.into_iter().flatten() {
                    message.push_str(&format!(" {}: {}.", e.property_name, e.message));
                }
                return Err(PipelineError::Refused {
                    name: integration.name.clone(),
                    message,
                });
            }
        };
        if !integration.enabled {
            run::<UpdateIntegration>(
                transport,
                update_integration::Variables {
                    integration_id: id.clone(),
                    action: update_integration::IntegrationActions::DISABLE,
                    name: None,
                    config_payload: None,
                    connection_id: None,
                },
                auth,
                Some(org),
            )
            .await?;
        }
        created.push(id);
    }
    Ok(created)
}
