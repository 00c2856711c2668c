//! Saved connections (a destination's credentials, shared by integrations): `connection`
//! and `orgConnections`; creating, changing and deleting one; the `ConnectionConfig` type.

use super::catalog::{destination, Form};
use super::organizations::Organization;
use super::paging::{page_of, Paged};
use super::scalars::Date;
use super::status::{status, StatusMessage};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::store::{ConnectionRow, Role};
use crate::{clock, ids};
use async_graphql::{Context, Enum, Json, Object, ID};

/// What `updateConnection` does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConnectionActions {
    Update,
    Delete,
}

/// Saved credentials for a destination, reusable by several integrations.
pub struct ConnectionConfig {
    pub row: ConnectionRow,
    pub role: Role,
}

#[Object]
impl ConnectionConfig {
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn integration_code(&self) -> &str {
        &self.row.integration_code
    }
    async fn connection_prototype_id(&self) -> &str {
        &self.row.connection_prototype_id
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        Organization::load(&Access::of(ctx), &self.row.org_id, self.role).await
    }
    /// The credentials: `null` for Users; for Owners, without any secret field (never a
    /// value, never a mask: `secretsSet` says which are stored).
    async fn details(&self, ctx: &Context<'_>) -> Option<Json<serde_json::Value>> {
        if self.role != Role::Owner {
            return None;
        }
        let a = Access::of(ctx);
        Some(Json(Form::Connection.shown(
            a.state.catalog.get(&self.row.integration_code),
            &self.row.details,
        )))
    }
    /// The paths of the secret fields that hold a value (`apiKey`, `oauth.refresh`): names
    /// only, for everyone who may replace the details. In an update of `details` a secret
    /// left out keeps its value, `null` clears it, a string replaces it.
    async fn secrets_set(&self, ctx: &Context<'_>) -> Vec<String> {
        let a = Access::of(ctx);
        Form::Connection.secrets_set(
            a.state.catalog.get(&self.row.integration_code),
            &self.row.details,
        )
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
    async fn updated_at(&self) -> Date {
        Date(self.row.updated_at.clone())
    }
}

/// The list name inside `orgConnectionPage` cursors.
const CONNECTIONS_LIST: &str = "orgConnections";

/// The queries about connections.
#[derive(Default)]
pub struct ConnectionsQuery;

#[Object]
impl ConnectionsQuery {
    /// One saved connection.
    async fn connection(
        &self,
        ctx: &Context<'_>,
        connection_id: String,
    ) -> ApiResult<Option<ConnectionConfig>> {
        let (row, role) = Access::of(ctx).connection(&connection_id).await?;
        Ok(Some(ConnectionConfig { row, role }))
    }

    /// An organization's connections a page at a time, by name then id; `search` is part
    /// of the name (either case), `connectionPrototype` as `orgConnections` takes it.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    async fn org_connection_page(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        connection_prototype: Option<ID>,
    ) -> ApiResult<Paged<ConnectionConfig>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id.0)?;
        let role = a.role_in(&org_id).await?;
        let page = page_of(CONNECTIONS_LIST, first, after, search)?;
        let prototype = connection_prototype.map(|c| c.0).filter(|c| !c.is_empty());
        let rows = a
            .state
            .store
            .connections_page(&org_id, &page, prototype.as_deref())
            .await?;
        Ok(Paged::of(
            CONNECTIONS_LIST,
            rows,
            |r| (r.name.as_str(), r.id.clone()),
            |row| ConnectionConfig { row, role },
        ))
    }

    /// An organization's connections, optionally for one connection prototype.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn org_connections(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        connection_prototype: Option<ID>,
    ) -> ApiResult<Vec<ConnectionConfig>> {
        let a = Access::of(ctx);
        let org_id = a.named_org(org_id)?;
        let role = a.role_in(&org_id).await?;
        Ok(a.state
            .store
            .connections_of_org(&org_id, connection_prototype.as_ref().map(|c| c.as_str()))
            .await?
            .into_iter()
            .map(|row| ConnectionConfig { row, role })
            .collect())
    }
}

/// The mutations about connections.
#[derive(Default)]
pub struct ConnectionsMutation;

#[Object]
impl ConnectionsMutation {
    /// Saves credentials for a destination; `details` is validated against the connection
    /// prototype, and what is wrong comes back as `fieldErrors`.
    async fn create_connection(
        &self,
        ctx: &Context<'_>,
        integration_code: String,
        details: Json<serde_json::Value>,
        name: String,
        org_id: String,
        connection_prototype_id: String,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let org_id = a.named_org(org_id)?;
                a.role_in(&org_id).await?;
                let name = input::name("name", &name)?;
                let dest = destination(&a, &integration_code)?;
                if connection_prototype_id != dest.code {
                    return Err(ApiError::invalid_field(
                        "connectionPrototypeId",
                        "This connection prototype does not belong to the destination.",
                    ));
                }
                // As an update of nothing: a secret sent as `null` is not stored.
                let details =
                    Form::Connection.update(Some(dest), &serde_json::Value::Null, &details.0)?;
                let now = clock::rfc3339(clock::now());
                let row = ConnectionRow {
                    id: ids::new_id(),
                    org_id,
                    name,
                    integration_code: dest.code.clone(),
                    connection_prototype_id,
                    details,
                    created_at: now.clone(),
                    updated_at: now,
                };
                a.state.store.create_connection(&row).await?;
                Ok(StatusMessage::ok("Connection saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Renames a connection or replaces its details (a secret left out keeps its stored
    /// value, `null` clears it, a string replaces it), or deletes it when no integration
    /// uses it.
    async fn update_connection(
        &self,
        ctx: &Context<'_>,
        connection_id: String,
        action: ConnectionActions,
        name: Option<String>,
        details: Option<Json<serde_json::Value>>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (row, _) = a.connection(&connection_id).await?;
                if action == ConnectionActions::Delete {
                    a.state.store.delete_connection(&row.id).await.map_err(|e| match e {
                        crate::store::StoreError::InUse => ApiError::Conflict("This connection is used by an integration; remove or re-point those first.".into()),
                        e => e.into(),
                    })?;
                    return Ok(StatusMessage::ok("Connection deleted.", Some(row.id)));
                }
                let name = name.map(|n| input::name("name", &n)).transpose()?;
                let dest = a.state.catalog.get(&row.integration_code);
                let details = details
                    .map(|Json(new)| Form::Connection.update(dest, &row.details, &new))
                    .transpose()?;
                let now = clock::rfc3339(clock::now());
                a.state.store.update_connection(&row.id, name.as_deref(), details.as_ref(), &now).await?;
                Ok(StatusMessage::ok("Connection saved.", Some(row.id)))
            }
            .await,
        )
    }
}
