//! Integrations (a destination switched on for a source): `clickstreamConfigs`; creating,
//! changing, switching and deleting one; the `ClickstreamConfig` type and the
//! `ClickstreamChange` that `clickstreamChanged` pushes.

use super::catalog::{destination, Form};
use super::connections::ConnectionConfig;
use super::paging::{page_of, Paged};
use super::prefetch::Prefetched;
use super::scalars::Date;
use super::sources::Application;
use super::status::{status, StatusMessage};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::store::{
    AppRow, IntegrationFilter, IntegrationPatch, IntegrationRow, IntegrationScope, Role,
};
use crate::{clock, ids};
use async_graphql::{ComplexObject, Context, Enum, Json, Object, SimpleObject, ID};
use houston_vocabulary::ChangeAction;
use std::sync::Arc;

/// What `updateIntegration` does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntegrationActions {
    Update,
    Enable,
    Disable,
    Delete,
}

/// A change to a source or to one of its integrations, pushed to subscribers.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct ClickstreamChange {
    /// The source changed, or whose integration changed.
    pub app_id: String,
    /// The integration changed; empty when the source itself was created, renamed, given
    /// another platform or deleted (a deleted source's integrations are told first, each
    /// as `DELETE`).
    pub integration_id: String,
    #[graphql(skip)]
    pub action: ChangeAction,
    #[graphql(skip)]
    pub org_id: String,
}

#[ComplexObject]
impl ClickstreamChange {
    /// `CREATE`, `UPDATE`, `ENABLE`, `DISABLE` or `DELETE`.
    async fn action(&self) -> &str {
        self.action.as_str()
    }
}

/// Tells `clickstreamChanged` subscribers, on this server and on every other one sharing
/// the database, that an integration of `app` changed (or `app` itself, when
/// `integration_id` is empty).
pub(crate) async fn emit_change(
    a: &Access<'_>,
    app: &AppRow,
    integration_id: &str,
    action: ChangeAction,
) {
    a.state
        .changes
        .publish(ClickstreamChange {
            app_id: app.id.clone(),
            integration_id: integration_id.to_string(),
            action,
            org_id: app.org_id.clone(),
        })
        .await;
}

/// A destination switched on for a source: an integration.
pub struct ClickstreamConfig {
    pub row: IntegrationRow,
    pub role: Role,
    /// What the list this integration came in already read (see [`Prefetched`]).
    pub prefetched: Option<Arc<Prefetched>>,
}

#[Object]
impl ClickstreamConfig {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    /// The destination's code in the catalog.
    async fn code(&self) -> &str {
        &self.row.code
    }
    async fn enabled(&self) -> bool {
        self.row.enabled
    }
    /// The configPayload, without any secret field (never a value, never a mask:
    /// `secretsSet` says which are stored).
    async fn config(&self, ctx: &Context<'_>) -> Json<serde_json::Value> {
        let a = Access::of(ctx);
        Json(Form::Config.shown(a.state.catalog.get(&self.row.code), &self.row.config))
    }
    /// The paths of the configPayload's secret fields that hold a value (a setting's name,
    /// or `section.field`). In an update of the configPayload a secret left out keeps its
    /// value, `null` clears it, a string replaces it.
    async fn secrets_set(&self, ctx: &Context<'_>) -> Vec<String> {
        let a = Access::of(ctx);
        Form::Config.secrets_set(a.state.catalog.get(&self.row.code), &self.row.config)
    }
    async fn application(&self, ctx: &Context<'_>) -> ApiResult<Application> {
        let known = self
            .prefetched
            .as_ref()
            .and_then(|p| p.apps.get(&self.row.app_id));
        let row = match known {
            Some(row) => row.clone(),
            None => Access::of(ctx)
                .state
                .store
                .app_by_id(&self.row.app_id)
                .await?
                .ok_or(ApiError::NotFound("Source"))?,
        };
        Ok(Application {
            row,
            role: self.role,
            prefetched: self.prefetched.clone(),
        })
    }
    async fn connection(&self, ctx: &Context<'_>) -> ApiResult<Option<ConnectionConfig>> {
        let Some(id) = &self.row.connection_id else {
            return Ok(None);
        };
        if let Some(row) = self.prefetched.as_ref().and_then(|p| p.connections.get(id)) {
            return Ok(Some(ConnectionConfig {
                row: row.clone(),
                role: self.role,
            }));
        }
        let a = Access::of(ctx);
        Ok(a.state
            .store
            .connection_by_id(id)
            .await?
            .map(|row| ConnectionConfig {
                row,
                role: self.role,
            }))
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
    async fn updated_at(&self) -> Date {
        Date(self.row.updated_at.clone())
    }
}

/// The queries about integrations.
#[derive(Default)]
pub struct IntegrationsQuery;

#[Object]
impl IntegrationsQuery {
    /// Integrations of one source, or of every source of an organization.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn clickstream_configs(
        &self,
        ctx: &Context<'_>,
        app_id: Option<String>,
        org_id: Option<ID>,
    ) -> ApiResult<Vec<ClickstreamConfig>> {
        let a = Access::of(ctx);
        let scope = a.optional_org(org_id.as_ref())?;
        if let Some(app_id) = app_id {
            let (app, role) = a.app(&app_id).await?;
            if scope.as_deref().is_some_and(|o| o != app.org_id) {
                return Err(ApiError::NotFound("Source"));
            }
            return Ok(a
                .state
                .store
                .integrations_of_app(&app.id)
                .await?
                .into_iter()
                .map(|row| ClickstreamConfig {
                    row,
                    role,
                    prefetched: None,
                })
                .collect());
        }
        let org_id = scope.ok_or_else(|| {
            ApiError::invalid("Say which source or organization: appId, orgId or the header.")
        })?;
        let role = a.role_in(&org_id).await?;
        // Every integration's source and connection are read once for all of them.
        let wants = ctx.look_ahead();
        let mut known = Prefetched::default();
        if wants.field("application").exists() {
            let apps = a.state.store.apps_of_org(&org_id).await?;
            known.apps = apps.into_iter().map(|r| (r.id.clone(), r)).collect();
        }
        if wants.field("connection").exists() {
            let connections = a.state.store.connections_of_org(&org_id, None).await?;
            known.connections = connections.into_iter().map(|r| (r.id.clone(), r)).collect();
        }
        let known = Arc::new(known);
        Ok(a.state
            .store
            .integrations_of_org(&org_id)
            .await?
            .into_iter()
            .map(|row| ClickstreamConfig {
                row,
                role,
                prefetched: Some(known.clone()),
            })
            .collect())
    }

    /// Integrations of one source, or of every source of an organization, a page at a
    /// time, by name then id; `search` is part of the name (either case), `code` one
    /// destination, `enabled` on or off.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn clickstream_config_page(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        app_id: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        code: Option<String>,
        enabled: Option<bool>,
    ) -> ApiResult<Paged<ClickstreamConfig>> {
        let a = Access::of(ctx);
        let scope = a.optional_org(org_id.as_ref())?;
        let (id, by_app, role) = match app_id {
            Some(app_id) => {
                let (app, role) = a.app(&app_id).await?;
                if scope.as_deref().is_some_and(|o| o != app.org_id) {
                    return Err(ApiError::NotFound("Source"));
                }
                (app.id, true, role)
            }
            None => {
                let org_id = scope.ok_or_else(|| {
                    ApiError::invalid(
                        "Say which source or organization: appId, orgId or the header.",
                    )
                })?;
                let role = a.role_in(&org_id).await?;
                (org_id, false, role)
            }
        };
        let page = page_of(INTEGRATIONS_LIST, first, after, search)?;
        let on = if by_app {
            IntegrationScope::App(&id)
        } else {
            IntegrationScope::Org(&id)
        };
        let filter = IntegrationFilter {
            code: code.filter(|c| !c.is_empty()),
            enabled,
        };
        let rows = a.state.store.integrations_page(on, &page, &filter).await?;
        let known = Arc::new(page_neighbours(&a, ctx, &rows.rows).await?);
        Ok(Paged::of(
            INTEGRATIONS_LIST,
            rows,
            |r| (r.name.as_str(), r.id.clone()),
            |row| ClickstreamConfig {
                row,
                role,
                prefetched: Some(known.clone()),
            },
        ))
    }
}

/// The sources and connections of a page's integrations, each read once for the page (one
/// query for each kind the selection asks for) rather than once per row.
async fn page_neighbours(
    a: &Access<'_>,
    ctx: &Context<'_>,
    rows: &[IntegrationRow],
) -> ApiResult<Prefetched> {
    let wants = ctx.look_ahead().field("nodes");
    let mut known = Prefetched::default();
    if wants.field("application").exists() {
        let ids = distinct(rows.iter().map(|r| &r.app_id));
        let apps = a.state.store.apps_by_ids(&ids).await?;
        known.apps = apps.into_iter().map(|r| (r.id.clone(), r)).collect();
    }
    if wants.field("connection").exists() {
        let ids = distinct(rows.iter().filter_map(|r| r.connection_id.as_ref()));
        let connections = a.state.store.connections_by_ids(&ids).await?;
        known.connections = connections.into_iter().map(|r| (r.id.clone(), r)).collect();
    }
    Ok(known)
}

/// Each id once.
fn distinct<'r>(ids: impl Iterator<Item = &'r String>) -> Vec<String> {
    let set: std::collections::BTreeSet<&String> = ids.collect();
    set.into_iter().cloned().collect()
}

/// The list name inside `clickstreamConfigPage` cursors.
const INTEGRATIONS_LIST: &str = "clickstreamConfigs";

/// A connection given to an integration must belong to the same organization and destination.
async fn check_connection(a: &Access<'_>, id: &str, app: &AppRow, code: &str) -> ApiResult<()> {
    let c = a.state.store.connection_by_id(id).await?;
    match c {
        Some(c) if c.org_id == app.org_id => {
            if c.integration_code != code {
                return Err(ApiError::invalid_field(
                    "connectionId",
                    "This connection is for another destination.",
                ));
            }
            Ok(())
        }
        _ => Err(ApiError::NotFound("Connection")),
    }
}

/// The mutations about integrations.
#[derive(Default)]
pub struct IntegrationsMutation;

#[Object]
impl IntegrationsMutation {
    /// Switches a destination on for a source; `configPayload` is validated against the
    /// config prototype, and what is wrong comes back as `fieldErrors`.
    async fn create_integration(
        &self,
        ctx: &Context<'_>,
        app_id: String,
        integration_code: String,
        config_payload: Json<serde_json::Value>,
        connection_id: Option<String>,
        name: String,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (app, _) = a.app(&app_id).await?;
                let name = input::name("name", &name)?;
                let dest = destination(&a, &integration_code)?;
                let connection_id = connection_id.filter(|c| !c.is_empty());
                if let Some(cid) = &connection_id {
                    check_connection(&a, cid, &app, &dest.code).await?;
                }
                // As an update of nothing: a secret sent as `null` is not stored.
                let config =
                    Form::Config.update(Some(dest), &serde_json::Value::Null, &config_payload.0)?;
                let now = clock::rfc3339(clock::now());
                let row = IntegrationRow {
                    id: ids::new_id(),
                    app_id: app.id.clone(),
                    connection_id,
                    name,
                    code: dest.code.clone(),
                    config,
                    enabled: true,
                    created_at: now.clone(),
                    updated_at: now,
                };
                a.state.store.create_integration(&row).await?;
                emit_change(&a, &app, &row.id, ChangeAction::Create).await;
                Ok(StatusMessage::ok("Integration saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Changes an integration (name, configPayload, connection), switches it on or off,
    /// or deletes it. In a configPayload a secret left out keeps its stored value, `null`
    /// clears it, a string replaces it.
    async fn update_integration(
        &self,
        ctx: &Context<'_>,
        integration_id: String,
        action: IntegrationActions,
        name: Option<String>,
        config_payload: Option<Json<serde_json::Value>>,
        connection_id: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (row, app, _) = a.integration(&integration_id).await?;
                let now = clock::rfc3339(clock::now());
                let store = &a.state.store;
                let (patch, verb) = match action {
                    IntegrationActions::Delete => {
                        store.delete_integration(&row.id).await?;
                        emit_change(&a, &app, &row.id, ChangeAction::Delete).await;
                        return Ok(StatusMessage::ok("Integration deleted.", Some(row.id)));
                    }
                    IntegrationActions::Enable => (
                        IntegrationPatch {
                            enabled: Some(true),
                            ..Default::default()
                        },
                        ChangeAction::Enable,
                    ),
                    IntegrationActions::Disable => (
                        IntegrationPatch {
                            enabled: Some(false),
                            ..Default::default()
                        },
                        ChangeAction::Disable,
                    ),
                    IntegrationActions::Update => {
                        let dest = a.state.catalog.get(&row.code);
                        let config = config_payload
                            .map(|Json(new)| Form::Config.update(dest, &row.config, &new))
                            .transpose()?;
                        let connection = match connection_id {
                            Some(c) if c.is_empty() => Some(None),
                            Some(c) => {
                                check_connection(&a, &c, &app, &row.code).await?;
                                Some(Some(c))
                            }
                            None => None,
                        };
                        let name = name.map(|n| input::name("name", &n)).transpose()?;
                        (
                            IntegrationPatch {
                                name,
                                config,
                                connection_id: connection,
                                enabled: None,
                            },
                            ChangeAction::Update,
                        )
                    }
                };
                store.update_integration(&row.id, &patch, &now).await?;
                emit_change(&a, &app, &row.id, verb).await;
                Ok(StatusMessage::ok("Integration saved.", Some(row.id)))
            }
            .await,
        )
    }
}
