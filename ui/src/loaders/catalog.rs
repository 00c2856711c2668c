//! The destination catalog, read in two sizes: the list the catalog page shows (names,
//! categories, descriptions: about 100 KB for 483 destinations), and one destination's
//! forms when its form opens. Both are kept for the session. The whole catalog with every
//! form is 2.8 MB of JSON: reading it on the catalog page's first visit took seconds.

use std::collections::HashMap;
use std::sync::Arc;

use houston_client::{clickstream_prototypes, ClickstreamPrototypes, DestinationList};
use houston_prototypes::Destination;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::catalog::{Listing, WireAnswer};
use crate::state::AppState;
use crate::timeline;

/// What the session has read of the catalog so far.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    /// The list, once read.
    list: Option<Arc<Vec<Listing>>>,
    /// The destinations whose forms were opened, by code.
    destinations: HashMap<String, Arc<Destination>>,
}

/// The catalog's list: the one kept in [`AppState`] for the session, or read and kept there.
pub async fn list(app: AppState) -> Result<Arc<Vec<Listing>>, ApiError> {
    if let Some(list) = app.catalog.with_untracked(|k| k.as_ref()?.list.clone()) {
        return Ok(list);
    }
    timeline::mark("catalog list: asked");
    let data = api::run::<DestinationList>(
        houston_client::destination_list::Variables {},
        app.org_now(),
    )
    .await?;
    timeline::mark("catalog list: answered");
    let list: Arc<Vec<Listing>> = Arc::new(
        data.clickstream_prototypes
            .into_iter()
            .map(Listing::from)
            .collect(),
    );
    app.catalog
        .update(|k| k.get_or_insert_default().list = Some(list.clone()));
    Ok(list)
}

/// The list as a resource (read once; read it with `.get()`).
pub fn list_resource(app: AppState) -> LocalResource<Result<Arc<Vec<Listing>>, ApiError>> {
    LocalResource::new(move || list(app))
}

/// The destination `code` with its forms (`None` when the catalog has no such code): the
/// one kept for the session, or read and kept.
pub async fn destination(
    app: AppState,
    code: String,
) -> Result<Option<Arc<Destination>>, ApiError> {
    if let Some(kept) = app
        .catalog
        .with_untracked(|k| k.as_ref()?.destinations.get(&code).cloned())
    {
        return Ok(Some(kept));
    }
    let variables = clickstream_prototypes::Variables {
        code: Some(code.clone()),
        platform: None,
        search: None,
    };
    timeline::mark("destination: asked");
    // Read once, straight into the form model.
    let answer: WireAnswer =
        api::run_without_nulls::<ClickstreamPrototypes, WireAnswer>(variables, app.org_now())
            .await?;
    timeline::mark("destination: answered");
    let found = answer
        .destinations()
        .into_iter()
        .find(|d| d.code == code)
        .map(Arc::new);
    timeline::mark("destination: read");
    if let Some(found) = &found {
        app.catalog.update(|k| {
            k.get_or_insert_default()
                .destinations
                .insert(code, found.clone());
        });
    }
    Ok(found)
}

/// [`destination`] as a resource.
pub fn destination_resource(
    app: AppState,
    code: String,
) -> LocalResource<Result<Option<Arc<Destination>>, ApiError>> {
    LocalResource::new(move || destination(app, code.clone()))
}
