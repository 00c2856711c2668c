//! The GraphQL schema: queries, mutations, the subscription, and the limits that keep a
//! single request from costing too much.

mod limits;
mod mutation;
mod query;
mod subscription;
pub mod types;

pub use mutation::{MAX_FAILED_SIGN_INS, SIGN_IN_WINDOW_SECS};

use crate::access::Access;
use crate::error::ApiError;
use crate::store::AppRow;
use crate::AppState;
use async_graphql::Schema;
use houston_prototypes::{mask_secrets, merge_secrets, Destination, FieldError};
use houston_vocabulary::ChangeAction;
use serde_json::Value;
use std::sync::Arc;

/// The Houston schema type.
pub type HoustonSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// Deepest selection accepted (the catalog's nested properties need about 8).
pub const MAX_DEPTH: usize = 16;
/// Largest complexity accepted (every field counts one).
pub const MAX_COMPLEXITY: usize = 2_000;
/// Most aliases in one document: aliasing is how one request repeats an expensive field.
pub const MAX_ALIASES: usize = 30;
/// Most field selections in one document, fragments included.
pub const MAX_FIELDS: usize = 1_500;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 5;

/// Builds the schema over `state`, with the limits above. Requests carry their caller as a
/// [`crate::access::RequestAuth`] in their data; without one they run anonymously.
pub fn build_schema(state: Arc<AppState>) -> HoustonSchema {
    Schema::build(query::Query, mutation::Mutation, subscription::Subscription)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(MAX_DEPTH * 2)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(MAX_DIRECTIVES)
        .extension(limits::DocumentLimits)
        .disable_suggestions()
        .finish()
}

/// The SDL of the schema, as checked in at `graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, mutation::Mutation, subscription::Subscription)
        .finish()
        .sdl()
}

pub(crate) fn validation_error(errors: Vec<FieldError>) -> ApiError {
    let message = match errors.len() {
        1 => format!("{}: {}", errors[0].property_name, errors[0].message),
        n => format!("{n} fields need attention."),
    };
    ApiError::InvalidInput(message, errors)
}

/// Connection details with every secret masked (unknown destinations: every value masked).
pub(crate) fn mask_connection(dest: Option<&Destination>, details: &Value) -> Value {
    match dest {
        Some(d) => mask_secrets(&d.connection_fields, details),
        None => mask_everything(details),
    }
}

/// A configPayload with every secret masked, in the settings and in each section.
pub(crate) fn mask_config(dest: Option<&Destination>, config: &Value) -> Value {
    match dest {
        Some(d) => d.mask_config(config),
        None => mask_everything(config),
    }
}

/// New connection details, keeping stored secrets that the update left out or sent masked.
pub(crate) fn merge_connection(dest: Option<&Destination>, old: &Value, new: &Value) -> Value {
    match dest {
        Some(d) => merge_secrets(&d.connection_fields, old, new),
        None => new.clone(),
    }
}

/// A new configPayload, keeping stored secrets the update left out or sent masked.
pub(crate) fn merge_config(dest: Option<&Destination>, old: &Value, new: &Value) -> Value {
    match dest {
        Some(d) => d.merge_config_secrets(old, new),
        None => new.clone(),
    }
}

fn mask_everything(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, _)| (k.clone(), Value::String(houston_prototypes::MASK.into())))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Tells `clickstreamChanged` subscribers, on this server and on every other one sharing
/// the database, that an integration of `app` changed.
pub(crate) async fn emit_change(
    a: &Access<'_>,
    app: &AppRow,
    integration_id: &str,
    action: ChangeAction,
) {
    a.state
        .changes
        .publish(types::ClickstreamChange {
            app_id: app.id.clone(),
            integration_id: integration_id.to_string(),
            action: action.as_str().to_string(),
            org_id: app.org_id.clone(),
        })
        .await;
}
