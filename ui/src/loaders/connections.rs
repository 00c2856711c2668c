//! Saved connections (credentials) of the current organization: the list, creating one,
//! renaming one, replacing one's details, deleting one.

use houston_client::{
    create_connection, org_connection_page, org_connections, update_connection, CreateConnection,
    OrgConnectionPage, OrgConnections, UpdateConnection,
};
use serde_json::Value;

use crate::api::{self, ApiError, Status};
use crate::loaders::Outcome;
use crate::paging::{Chunk, PAGE_ROWS};

/// A connection as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its destination's code.
    pub code: String,
    /// Its details without secrets (Owners only).
    pub details: Option<Value>,
    /// The paths of the secrets it holds (never their values).
    pub secrets_set: Vec<String>,
}

/// The connections of `org_id`, only those of the destination `code` when given.
pub async fn list(org_id: String, code: Option<String>) -> Result<Vec<ConnectionRow>, ApiError> {
    let variables = org_connections::Variables {
        org_id: org_id.clone(),
        connection_prototype: code,
    };
    let data = api::run::<OrgConnections>(variables, Some(org_id)).await?;
    Ok(data
        .org_connections
        .into_iter()
        .map(|c| ConnectionRow {
            id: c.id,
            name: c.name,
            code: c.integration_code,
            details: c.details,
            secrets_set: c.secrets_set,
        })
        .collect())
}

/// The page of `org_id`'s connections, by name, whose name holds `search` (all when
/// empty), only those of the destination `code` when given, after the cursor `after`.
pub async fn page(
    org_id: String,
    search: String,
    code: Option<String>,
    after: Option<String>,
) -> Result<Chunk<ConnectionRow>, ApiError> {
    let variables = org_connection_page::Variables {
        org_id: org_id.clone(),
        first: Some(PAGE_ROWS),
        after,
        search: (!search.is_empty()).then_some(search),
        connection_prototype: code,
    };
    let page = api::run::<OrgConnectionPage>(variables, Some(org_id))
        .await?
        .org_connection_page;
    Ok(Chunk {
        rows: page
            .nodes
            .into_iter()
            .map(|c| ConnectionRow {
                id: c.id,
                name: c.name,
                code: c.integration_code,
                details: c.details,
                secrets_set: c.secrets_set,
            })
            .collect(),
        end_cursor: page.page_info.end_cursor,
        has_next: page.page_info.has_next_page,
        total: page.total_count,
    })
}

/// A new connection `name` of the destination `code` for `org_id`; its id is in the status.
pub async fn create(org_id: String, code: String, name: String, details: Value) -> Outcome {
    let variables = create_connection::Variables {
        integration_code: code.clone(),
        details,
        name,
        org_id: org_id.clone(),
        connection_prototype_id: code,
    };
    api::run::<CreateConnection>(variables, Some(org_id))
        .await
        .map(|d| Status::of(&d.create_connection))
}

/// Replaces the details of the connection `connection_id` (a secret left out keeps its
/// stored value, `null` clears it, a string replaces it).
pub async fn replace_details(
    connection_id: String,
    details: Value,
    org: Option<String>,
) -> Outcome {
    let variables = update_connection::Variables {
        connection_id,
        action: update_connection::ConnectionActions::UPDATE,
        name: None,
        details: Some(details),
    };
    api::run::<UpdateConnection>(variables, org)
        .await
        .map(|d| Status::of(&d.update_connection))
}

/// Renames the connection `connection_id`.
pub async fn rename(connection_id: String, name: String, org: Option<String>) -> Outcome {
    let variables = update_connection::Variables {
        connection_id,
        action: update_connection::ConnectionActions::UPDATE,
        name: Some(name),
        details: None,
    };
    api::run::<UpdateConnection>(variables, org)
        .await
        .map(|d| Status::of(&d.update_connection))
}

/// Deletes the connection `connection_id`; the server refuses (`CONFLICT`) while an
/// integration uses it.
pub async fn delete(connection_id: String, org: Option<String>) -> Outcome {
    let variables = update_connection::Variables {
        connection_id,
        action: update_connection::ConnectionActions::DELETE,
        name: None,
        details: None,
    };
    api::run::<UpdateConnection>(variables, org)
        .await
        .map(|d| Status::of(&d.update_connection))
}
