//! The destination catalog, loaded once per session (it is large: 483 destinations).

use houston_client::vocabulary::ErrorCode;
use std::sync::Arc;

use houston_client::{clickstream_prototypes, ClickstreamPrototypes};
use houston_prototypes::Destination;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::catalog;
use crate::state::AppState;

/// The catalog: the one kept in [`AppState`] for the session, or loaded and kept there.
pub async fn load(app: AppState) -> Result<Arc<Vec<Destination>>, ApiError> {
    if let Some(catalog) = app.catalog.get_untracked() {
        return Ok(catalog);
    }
    let variables = clickstream_prototypes::Variables {
        code: None,
        platform: None,
        search: None,
    };
    let data = api::run::<ClickstreamPrototypes>(variables, app.org_now()).await?;
    let wire = serde_json::to_value(&data.clickstream_prototypes).map_err(|e| ApiError {
        code: ErrorCode::BadResponse,
        message: e.to_string(),
    })?;
    let list = catalog::destinations_from_wire(&wire).map_err(|e| ApiError {
        code: ErrorCode::BadResponse,
        message: e.to_string(),
    })?;
    let list = Arc::new(list);
    app.catalog.set(Some(list.clone()));
    Ok(list)
}

/// The catalog as a resource (loaded once; read it with `.get()`).
pub fn resource(app: AppState) -> LocalResource<Result<Arc<Vec<Destination>>, ApiError>> {
    LocalResource::new(move || load(app))
}

/// The destination `code` of a loaded catalog.
pub fn find(catalog: &[Destination], code: &str) -> Option<Arc<Destination>> {
    catalog
        .iter()
        .find(|d| d.code == code)
        .cloned()
        .map(Arc::new)
}
