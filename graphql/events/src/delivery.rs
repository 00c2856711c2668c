//! What a destination would receive for one event, section by section, as Segment would
//! deliver it:
//!
//! - an action destination: for each section (an action), its trigger (the section's
//!   `subscribe`, else the action's default) decides whether the event goes there; its
//!   mapping (each field's value from the configuration, a literal or a directive, else the
//!   field's `defaultMapping`, else its `default`) is evaluated with [`crate::mapping`];
//!   empty values are removed as actions-core does with the action's JSON schema
//!   ([`action_schema`]); the payload is checked against the section's fields with
//!   `houston_prototypes::validate` (required fields, types, formats);
//! - a classic destination: one section, `event`, whose payload is the event itself, and
//!   which the event's `integrations` object can turn off (`{"All": false}`, or the
//!   destination's name set to `false`).
//!
//! Field errors are named as a saved configuration's are: `<section>.<field>`, and
//! `<section>.subscribe` for the trigger. No IO: the window computes the same answers.

use crate::mapping;
use crate::trigger::Trigger;
use houston_prototypes::{Destination, FieldError, FieldType, PrototypeField, PrototypeSection};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The section of a classic destination: the whole event.
pub const CLASSIC_SECTION: &str = "event";

/// What happens to an event in one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// The section would send `payload`.
    Sent,
    /// The section's trigger does not match the event (or it has none).
    NotSubscribed,
    /// The section is switched off (or, for a classic destination, the event's
    /// `integrations` object turns the destination off).
    SectionOff,
    /// The whole integration is switched off.
    IntegrationOff,
    /// The trigger does not parse, the mapping fails, or the payload lacks a required
    /// field or breaks a field's rules: `field_errors` say which.
    Invalid,
}

/// One section's delivery of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionDelivery {
    /// The section's code ([`CLASSIC_SECTION`] for a classic destination).
    pub code: String,
    /// The section's title.
    pub label: String,
    /// The trigger in force: the section's own, else the action's default.
    pub subscribe: Option<String>,
    /// What happens.
    pub status: DeliveryStatus,
    /// The payload it would send (empty values removed), when the trigger matched and the
    /// mapping could be evaluated.
    pub payload: Option<Value>,
    /// Why it is [`DeliveryStatus::Invalid`].
    pub field_errors: Vec<FieldError>,
}

/// Every section's delivery of `event` for `destination` configured with `config` (a
/// configPayload), the integration switched on or not. The event is read in place (the mapping
/// reads paths without converting it), never copied per section.
pub fn deliver(
    destination: &Destination,
    config: &Value,
    integration_enabled: bool,
    event: &Value,
) -> Vec<SectionDelivery> {
    if destination.sections.is_empty() {
        return vec![deliver_classic(destination, integration_enabled, event)];
    }
    destination
        .sections
        .iter()
        .map(|section| {
            deliver_section(
                section,
                config.get(&section.code),
                integration_enabled,
                event,
            )
        })
        .collect()
}

/// A classic destination's one section: the event itself, unless the integration is off
/// or the event's `integrations` object turns it off.
fn deliver_classic(
    destination: &Destination,
    integration_enabled: bool,
    event: &Value,
) -> SectionDelivery {
    let status = if !integration_enabled {
        DeliveryStatus::IntegrationOff
    } else if !integrations_allow(event, &destination.name) {
        DeliveryStatus::SectionOff
    } else {
        DeliveryStatus::Sent
    };
    SectionDelivery {
        code: CLASSIC_SECTION.to_owned(),
        label: destination.name.clone(),
        subscribe: None,
        status,
        payload: (status == DeliveryStatus::Sent).then(|| event.clone()),
        field_errors: Vec::new(),
    }
}

/// Segment's `integrations` object: the destination's own key wins (`false` turns it off,
/// anything else on), else `All` (`false` turns every destination off), else on.
pub fn integrations_allow(event: &Value, destination_name: &str) -> bool {
    let Some(integrations) = event.get("integrations").and_then(Value::as_object) else {
        return true;
    };
    match integrations.get(destination_name) {
        Some(own) => own != &Value::Bool(false),
        None => integrations.get("All") != Some(&Value::Bool(false)),
    }
}

/// The trigger of a section: its configuration's `subscribe`, else the action's default.
pub fn section_subscribe(
    section: &PrototypeSection,
    section_config: Option<&Value>,
) -> Option<String> {
    match section_config.and_then(|c| c.get("subscribe")) {
        Some(Value::String(own)) => Some(own.clone()),
        _ => section.default_subscribe.clone(),
    }
}

/// The errors of a configPayload's triggers, each at `<section>.subscribe` with the
/// parse error's offset in its message: what the server refuses on save besides
/// [`Destination::validate_config`].
pub fn subscribe_errors(destination: &Destination, config: &Value) -> Vec<FieldError> {
    destination
        .sections
        .iter()
        .filter_map(|section| {
            let own = config.get(&section.code)?.get("subscribe")?.as_str()?;
            Trigger::parse(own)
                .err()
                .map(|error| FieldError::new(subscribe_path(section), error.to_string()))
        })
        .collect()
}

fn subscribe_path(section: &PrototypeSection) -> String {
    format!("{}.subscribe", section.code)
}

fn deliver_section(
    section: &PrototypeSection,
    section_config: Option<&Value>,
    integration_enabled: bool,
    event: &Value,
) -> SectionDelivery {
    let subscribe = section_subscribe(section, section_config);
    let answer = |status, payload, field_errors| SectionDelivery {
        code: section.code.clone(),
        label: section.label.clone(),
        subscribe: subscribe.clone(),
        status,
        payload,
        field_errors,
    };
    if !integration_enabled {
        return answer(DeliveryStatus::IntegrationOff, None, Vec::new());
    }
    let enabled = match section_config.and_then(|c| c.get("enabled")) {
        Some(Value::Bool(enabled)) => *enabled,
        _ => section.default_enabled,
    };
    if !enabled {
        return answer(DeliveryStatus::SectionOff, None, Vec::new());
    }
    let Some(fql) = subscribe.as_deref() else {
        return answer(DeliveryStatus::NotSubscribed, None, Vec::new());
    };
    let trigger = match Trigger::parse(fql) {
        Ok(trigger) => trigger,
        Err(error) => {
            let error = FieldError::new(subscribe_path(section), error.to_string());
            return answer(DeliveryStatus::Invalid, None, vec![error]);
        }
    };
    if !trigger.matches(event) {
        return answer(DeliveryStatus::NotSubscribed, None, Vec::new());
    }
    let mapping = section_mapping(section, section_config);
    let mapped = match mapping::transform(&mapping, event) {
        Ok(mapped) => mapped,
        Err(error) => {
            return answer(
                DeliveryStatus::Invalid,
                None,
                mapping_errors(section, &error),
            )
        }
    };
    let payload = mapping::remove_empty_values(&mapped, &action_schema(&section.fields), true)
        .unwrap_or(Value::Object(Map::new()));
    let field_errors: Vec<FieldError> =
        houston_prototypes::validate(&payload_fields(&section.fields), &payload)
            .into_iter()
            .map(|e| FieldError::new(join(&section.code, &e.property_name), e.message))
            .collect();
    let status = if field_errors.is_empty() {
        DeliveryStatus::Sent
    } else {
        DeliveryStatus::Invalid
    };
    answer(status, Some(payload), field_errors)
}

/// The mapping a section evaluates: each field's value from the configuration (a literal
/// or a directive), else its `defaultMapping`, else its `default`; a field with none of
/// them is left out.
pub fn section_mapping(section: &PrototypeSection, section_config: Option<&Value>) -> Value {
    let own = section_config.and_then(Value::as_object);
    let mut mapping = Map::new();
    for field in &section.fields {
        let value = own
            .and_then(|o| o.get(&field.property_name))
            .or(field.default_mapping.as_ref())
            .or(field.default.as_ref());
        if let Some(value) = value {
            mapping.insert(field.property_name.clone(), value.clone());
        }
    }
    Value::Object(mapping)
}

/// The fields a mapped payload is checked against: the section's, where an object
/// without declared keys (a form's key/value `map`) takes any JSON, as Segment's schema
/// (`type: object`) does.
fn payload_fields(fields: &[PrototypeField]) -> Vec<PrototypeField> {
    fields
        .iter()
        .map(|field| {
            let mut field = field.clone();
            if field.field_type == FieldType::Map {
                field.field_type = FieldType::Object;
                field.additional_properties = true;
            }
            field.properties = payload_fields(&field.properties);
            field
        })
        .collect()
}

/// A mapping's failure, on the field it comes from (the first key of a problem's path),
/// or on the section when it cannot tell.
fn mapping_errors(section: &PrototypeSection, error: &mapping::MappingError) -> Vec<FieldError> {
    match error {
        mapping::MappingError::Invalid(problems) => problems
            .iter()
            .map(|p| {
                let field = p.path.first().map_or("", String::as_str);
                FieldError::new(join(&section.code, field), p.to_string())
            })
            .collect(),
        other => vec![FieldError::new(section.code.clone(), other.to_string())],
    }
}

fn join(path: &str, key: &str) -> String {
    if key.is_empty() {
        path.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The JSON schema actions-core builds from an action's fields (`fieldsToJsonSchema`), as
/// far as `removeEmptyValues` reads it: each field's `type` (`datetime` is a string or a
/// number), `enum` from its choices, `items` for a list, `properties` for an object.
pub fn action_schema(fields: &[PrototypeField]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.property_name.clone(), field_schema(f)))
        .collect();
    json!({"type": "object", "properties": properties})
}

fn field_schema(field: &PrototypeField) -> Value {
    let schema_type = match field.field_type {
        FieldType::Input | FieldType::Text | FieldType::Password => json!("string"),
        FieldType::Number => json!("number"),
        FieldType::Integer => json!("integer"),
        FieldType::Boolean => json!("boolean"),
        FieldType::Datetime => json!(["string", "number"]),
        FieldType::Map | FieldType::Object => json!("object"),
        FieldType::Array => json!("array"),
        // A select's values are its choices': the type of the first.
        FieldType::Select => match field.choices.first().map(|c| &c.value) {
            Some(Value::Number(_)) => json!("number"),
            Some(Value::Bool(_)) => json!("boolean"),
            _ => json!("string"),
        },
    };
    let mut schema = Map::new();
    schema.insert("type".into(), schema_type.clone());
    if !field.choices.is_empty() {
        let values: Vec<Value> = field.choices.iter().map(|c| c.value.clone()).collect();
        schema.insert("enum".into(), Value::Array(values));
    }
    if !field.properties.is_empty() {
        if let Value::Object(nested) = action_schema(&field.properties) {
            schema.extend(nested.into_iter().filter(|(k, _)| k == "properties"));
        }
    }
    if field.field_type == FieldType::Array {
        schema.insert("items".into(), json!({"type": "string"}));
    } else if field.multiple {
        let mut items = schema.clone();
        items.insert("type".into(), schema_type);
        schema = Map::new();
        schema.insert("type".into(), json!("array"));
        schema.insert("items".into(), Value::Object(items));
    }
    Value::Object(schema)
}

#[cfg(test)]
mod tests;
