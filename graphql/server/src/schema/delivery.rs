//! The delivery preview: what each destination would receive for an event
//! (`previewDelivery` for an unsaved form, `deliveryPreview` for every integration of a
//! source), computed by `houston_events::delivery`, the same code the window runs.

use super::catalog::destination;
use super::status::FieldErrorOut;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Context, Enum, Json, Object, SimpleObject};
use houston_events::delivery::{self, SectionDelivery as Delivered};
use houston_prototypes::{strip_secrets, Destination};
use serde_json::Value;

/// What happens to an event in one section of a destination.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "houston_events::delivery::DeliveryStatus")]
pub enum DeliveryStatus {
    /// The section would send `payload`.
    Sent,
    /// The section's trigger does not match the event (or it has none).
    NotSubscribed,
    /// The section is switched off (for a classic destination: the event's `integrations`
    /// object turns it off).
    SectionOff,
    /// The integration is switched off.
    IntegrationOff,
    /// The trigger does not parse, the mapping fails, or the payload lacks a required
    /// field or breaks a field's rules (`fieldErrors` say which).
    Invalid,
}

/// One section's delivery of the event.
#[derive(SimpleObject, Clone, Debug)]
pub struct SectionDelivery {
    /// The section's code (`event` for a classic destination).
    pub code: String,
    pub label: String,
    /// The trigger in force: the section's own, else the action's default.
    pub subscribe: Option<String>,
    pub status: DeliveryStatus,
    /// The mapped event, empty values removed, as Segment's mapping engine makes it.
    pub payload: Option<Json<Value>>,
    /// Why the section is `INVALID`, named `<section>.<field>`.
    pub field_errors: Vec<FieldErrorOut>,
}

impl From<Delivered> for SectionDelivery {
    fn from(d: Delivered) -> Self {
        SectionDelivery {
            code: d.code,
            label: d.label,
            subscribe: d.subscribe,
            status: d.status.into(),
            payload: d.payload.map(Json),
            field_errors: d.field_errors.into_iter().map(Into::into).collect(),
        }
    }
}

/// What one destination would receive for the event.
#[derive(SimpleObject, Clone, Debug)]
pub struct DeliveryPreview {
    /// The integration's id; none for an unsaved form.
    pub integration_id: Option<String>,
    /// The destination's code in the catalog.
    pub code: String,
    /// The integration's name (the destination's, for an unsaved form).
    pub name: String,
    pub enabled: bool,
    pub sections: Vec<SectionDelivery>,
}

/// The event of a preview: a JSON object.
fn event(value: &Value) -> ApiResult<&Value> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::invalid_field("event", "Must be a JSON object."))
    }
}

fn sections(
    dest: &Destination,
    config: &Value,
    enabled: bool,
    event: &Value,
) -> Vec<SectionDelivery> {
    delivery::deliver(dest, config, enabled, event)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The sections of a saved integration: a secret field (stored sealed, shown nowhere) is
/// left out of the payload too.
fn saved_sections(
    dest: &Destination,
    config: &Value,
    enabled: bool,
    event: &Value,
) -> Vec<SectionDelivery> {
    delivery::deliver(dest, config, enabled, event)
        .into_iter()
        .map(|mut d| {
            if let Some(section) = dest.sections.iter().find(|s| s.code == d.code) {
                d.payload = d.payload.map(|p| strip_secrets(&section.fields, &p));
            }
            d.into()
        })
        .collect()
}

/// The queries of the delivery preview.
#[derive(Default)]
pub struct DeliveryQuery;

#[Object]
impl DeliveryQuery {
    /// What a destination configured with `configPayload` (a form not saved yet) would
    /// receive for `event`, section by section.
    async fn preview_delivery(
        &self,
        ctx: &Context<'_>,
        integration_code: String,
        config_payload: Json<Value>,
        event: Json<Value>,
    ) -> ApiResult<DeliveryPreview> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let dest = destination(&a, &integration_code)?;
        let event = self::event(&event.0)?;
        Ok(DeliveryPreview {
            integration_id: None,
            code: dest.code.clone(),
            name: dest.name.clone(),
            enabled: true,
            sections: sections(dest, &config_payload.0, true, event),
        })
    }

    /// What every integration of a source would receive for `event`, as saved.
    async fn delivery_preview(
        &self,
        ctx: &Context<'_>,
        app_id: String,
        event: Json<Value>,
    ) -> ApiResult<Vec<DeliveryPreview>> {
        let a = Access::of(ctx);
        let (app, _) = a.app(&app_id).await?;
        let event = self::event(&event.0)?;
        let integrations = a.state.store.integrations_of_app(&app.id).await?;
        Ok(integrations
            .into_iter()
            .map(|row| {
                // A destination gone from the catalog has nothing to preview with.
                let sections = match a.state.catalog.get(&row.code) {
                    Some(dest) => saved_sections(dest, &row.config, row.enabled, event),
                    None => Vec::new(),
                };
                DeliveryPreview {
                    integration_id: Some(row.id),
                    code: row.code,
                    name: row.name,
                    enabled: row.enabled,
                    sections,
                }
            })
            .collect())
    }
}
