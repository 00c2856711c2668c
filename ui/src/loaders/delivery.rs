//! What destinations would receive for an event, asked of the server: an unsaved form's
//! (for the sections the window does not evaluate itself, `@liquid`) and every
//! integration of a source as saved.

use houston_client::{delivery_preview, preview_delivery, DeliveryPreview, PreviewDelivery};
use houston_events::delivery::SectionDelivery;
use serde::Deserialize;
use serde_json::Value;

use crate::api::{self, ApiError};

/// One integration's answer (the API's `DeliveryPreview`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationDelivery {
    /// The integration's id (none for an unsaved form).
    pub integration_id: Option<String>,
    /// Its destination's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Whether it is switched on.
    pub enabled: bool,
    /// Each section's delivery.
    pub sections: Vec<SectionDelivery>,
}

/// A generated answer (any with the same fields) read as [`IntegrationDelivery`].
fn read<T: serde::Serialize>(answer: &T) -> Result<IntegrationDelivery, ApiError> {
    serde_json::to_value(answer)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            ApiError::new(
                houston_client::vocabulary::ErrorCode::BadRequest,
                e.to_string(),
            )
        })
}

/// What the destination `code` configured with `config` (unsaved) would receive for `event`.
pub async fn preview(
    org: Option<String>,
    code: String,
    config: Value,
    event: Value,
) -> Result<IntegrationDelivery, ApiError> {
    let variables = preview_delivery::Variables {
        integration_code: code,
        config_payload: config,
        event,
    };
    let data = api::run::<PreviewDelivery>(variables, org).await?;
    read(&data.preview_delivery)
}

/// What every integration of the source `app_id` would receive for `event`, as saved.
pub async fn for_source(
    org: Option<String>,
    app_id: String,
    event: Value,
) -> Result<Vec<IntegrationDelivery>, ApiError> {
    let variables = delivery_preview::Variables { app_id, event };
    let data = api::run::<DeliveryPreview>(variables, org).await?;
    data.delivery_preview.iter().map(read).collect()
}
