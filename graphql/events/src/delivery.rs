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
use crate::trigger::{IndexedEvent, Trigger};
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
    // The event's top-level fields found once for every section's trigger.
    let indexed = IndexedEvent::new(event);
    destination
        .sections
        .iter()
        .map(|section| {
            deliver_section(
                section,
                config.get(&section.code),
                integration_enabled,
                event,
                &indexed,
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
    indexed: &IndexedEvent<'_>,
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
    if !trigger.matches_indexed(indexed) {
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
    let mut field_errors: Vec<FieldError> = missing_fields(&section.fields, &payload)
        .into_iter()
        .map(|e| FieldError::new(join(&section.code, &e.property_name), e.message))
        .collect();
    field_errors.extend(
        houston_prototypes::validate(&payload_fields(&section.fields), &payload)
            .into_iter()
            .map(|e| FieldError::new(join(&section.code, &e.property_name), e.message)),
    );
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

/// The fields a mapped payload's values are checked against (types, formats, choices):
/// the section's, where an object without declared keys (a form's key/value `map`) takes
/// any JSON, as Segment's schema (`type: object`) does. Which fields must be there is
/// [`missing_fields`]'s to say (Segment's rule is not a form's: a key present is there,
/// whatever its value, and `dependsOn` hides nothing), so nothing is required here.
fn payload_fields(fields: &[PrototypeField]) -> Vec<PrototypeField> {
    fields
        .iter()
        .map(|field| {
            let mut field = field.clone();
            field.required = false;
            field.required_if = None;
            field.depends_on = None;
            if field.field_type == FieldType::Map {
                field.field_type = FieldType::Object;
                field.additional_properties = true;
            }
            field.properties = payload_fields(&field.properties);
            field
        })
        .collect()
}

/// The fields a mapped payload lacks, as Segment finds them: actions-core builds the
/// action's JSON schema with `fieldsToJsonSchema` (a field `required: true` is in
/// `required`; a conditionally required one becomes an `if`/`then` over the payload's
/// other values) and ajv reports each `required` it breaks. A key is there when it is in
/// the payload, whatever its value (`removeEmptyValues` has already dropped the empty
/// ones). Each error is on the missing field's path (`parent.child`, `list.0.child`), once.
pub fn missing_fields(fields: &[PrototypeField], payload: &Value) -> Vec<FieldError> {
    let mut missing = Vec::new();
    if let Value::Object(object) = payload {
        check_required(fields, object, "", false, &mut missing);
    }
    let mut seen = std::collections::HashSet::new();
    missing
        .into_iter()
        .filter(|(path, _)| seen.insert(path.clone()))
        .map(|(path, field)| FieldError::new(path, format!("{field} is required")))
        .collect()
}

/// Whether a nested object's schema leaves out `required` and its conditions
/// (`omitRequiredSchemas`: one of its fields is conditionally required, and that condition
/// is checked on the enclosing object instead).
fn has_conditional(fields: &[PrototypeField]) -> bool {
    fields
        .iter()
        .any(|f| !f.required && f.required_if.is_some())
}

/// ajv's `required` errors for `object` against `fieldsToJsonSchema(fields, {omitRequiredSchemas: omit})`:
/// `(path, label)` of each missing field.
fn check_required(
    fields: &[PrototypeField],
    object: &Map<String, Value>,
    path: &str,
    omit: bool,
    missing: &mut Vec<(String, String)>,
) {
    let absent = |key: &str| !object.contains_key(key);
    if !omit {
        for field in fields.iter().filter(|f| f.required) {
            if absent(&field.property_name) {
                missing.push((
                    under(path, &field.property_name),
                    field.display_name().to_owned(),
                ));
            }
        }
    }
    // `properties`: a nested object (or each item of a list of them) against its own schema.
    for field in fields.iter().filter(|f| !f.properties.is_empty()) {
        let Some(value) = object.get(&field.property_name) else {
            continue;
        };
        let nested_omit = has_conditional(&field.properties);
        let at = under(path, &field.property_name);
        match value {
            Value::Array(items) if field.multiple => {
                for (index, item) in items.iter().enumerate() {
                    if let Value::Object(item) = item {
                        let at = format!("{at}.{index}");
                        check_required(&field.properties, item, &at, nested_omit, missing);
                    }
                }
            }
            Value::Object(nested) if !field.multiple => {
                check_required(&field.properties, nested, &at, nested_omit, missing);
            }
            _ => {}
        }
    }
    if omit {
        return;
    }
    // The conditions, all checked on this object: its own fields' and, as `parent.child`,
    // its object fields' fields'.
    for field in fields {
        if let Some(condition) = field.required_if.as_ref().filter(|_| !field.required) {
            if segment_condition_holds(condition, object) && absent(&field.property_name) {
                missing.push((
                    under(path, &field.property_name),
                    field.display_name().to_owned(),
                ));
            }
        }
        if field.properties.is_empty() {
            continue;
        }
        for child in &field.properties {
            let Some(condition) = child.required_if.as_ref().filter(|_| !child.required) else {
                continue;
            };
            if !segment_condition_holds(condition, object) {
                continue;
            }
            // then: {required: [parent], properties: {parent: {required: [child]}}}
            match object.get(&field.property_name) {
                None => missing.push((
                    under(path, &field.property_name),
                    field.display_name().to_owned(),
                )),
                Some(Value::Object(parent)) if !parent.contains_key(&child.property_name) => {
                    let at = under(&under(path, &field.property_name), &child.property_name);
                    missing.push((at, child.display_name().to_owned()));
                }
                Some(_) => {}
            }
        }
    }
}

/// Whether `{type: "null"}` accepts a value, with actions-core's ajv coercing types
/// (`coerceTypes: "array"`): `null`, and `""`, `0`, `false` and a list of one of them,
/// which it coerces to `null`.
fn ajv_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::Bool(flag) => !flag,
        Value::Array(items) => items.len() == 1 && !items[0].is_array() && ajv_null(&items[0]),
        Value::Object(_) => false,
    }
}

/// `key` under `path` (`path.key`, or `key` at the top).
fn under(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Whether the `if` that `fieldsToJsonSchema` builds from a `required` condition holds
/// on `object` (fields-to-jsonschema.js: one condition alone, or several combined with
/// `allOf`/`anyOf`, each read as JSON schema reads it).
fn segment_condition_holds(
    condition: &houston_prototypes::Condition,
    object: &Map<String, Value>,
) -> bool {
    let alone = condition.rules.len() == 1;
    let holds = |rule: &houston_prototypes::ConditionRule| {
        let Some(key) = rule.field_key.as_deref() else {
            return false;
        };
        let matches = |value: &Value| match &rule.value {
            Some(expected) => (value == expected) != rule.negate,
            None => false,
        };
        if let Some((parent, child)) = key.split_once('.') {
            // {properties: {parent: {properties: {child: const}, required: [child]}}, required: [parent]}:
            // a parent that is no object passes `properties` and `required`.
            return match object.get(parent) {
                None => false,
                Some(Value::Object(parent)) => parent.get(child).is_some_and(matches),
                Some(_) => true,
            };
        }
        let value = object.get(key);
        match (&rule.value, alone, rule.negate) {
            (Some(_), _, _) => value.is_some_and(matches),
            // Alone, `is` with no value: absent or null; `is_not`: present and not null.
            (None, true, false) => value.is_none_or(ajv_null),
            (None, true, true) => value.is_some_and(|v| !ajv_null(v)),
            // Among several: `{not: {required}}` / `{required}`, null counts as present.
            (None, false, false) => value.is_none(),
            (None, false, true) => value.is_some(),
        }
    };
    if condition.match_all || alone {
        condition.rules.iter().all(holds)
    } else {
        condition.rules.iter().any(holds)
    }
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
