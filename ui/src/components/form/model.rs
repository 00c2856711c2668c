//! The DOM-free side of the form generator: which fields show, which are required, what a
//! control displays and stores, and where each validation error goes.

use std::collections::{BTreeMap, BTreeSet};

use houston_prototypes::{
    is_mapping_directive, Destination, FieldError, FieldType, PrototypeField, PrototypeSection,
    Scope,
};
use serde_json::{Map, Value};

use super::path::FieldPath;

/// Error messages by dotted path (`events.0`), in the order validation found them.
pub type ErrorMap = BTreeMap<String, Vec<String>>;

/// Groups `errors` by path, leaving out errors about a stored secret the form leaves out
/// (`kept`: the server's `secretsSet`): the server keeps its value, which the form never
/// sees, so "required" is not true of it.
pub fn errors_by_path(errors: &[FieldError], value: &Value, kept: &BTreeSet<String>) -> ErrorMap {
    let mut map = ErrorMap::new();
    for error in errors {
        let path = FieldPath::of(error.property_name.split('.').filter(|s| !s.is_empty()));
        if kept.contains(&error.property_name) && path.get(value).is_none() {
            continue;
        }
        map.entry(error.property_name.clone())
            .or_default()
            .push(error.message.clone());
    }
    map
}

/// The value a new configuration form starts with, or the stored one being edited
/// (without its secrets: left out, the server keeps them).
///
/// A new one has on only the sections Segment's presets switch on, none when the
/// destination has no presets (as in Segment, where such a destination starts without
/// mappings): switching on every action with a default trigger would send one event
/// several times (`actions-facebook-conversions-api` has two actions per event).
pub fn initial_config(destination: &Destination, stored: Option<&Value>) -> Value {
    match stored {
        Some(value @ Value::Object(_)) => value.clone(),
        _ => {
            let mut config = destination.preset_config();
            for section in &destination.sections {
                if section.preset_subscribe.is_none() {
                    if let Some(Value::Object(object)) = config.get_mut(&section.code) {
                        object.insert("enabled".to_owned(), Value::Bool(false));
                    }
                }
            }
            config
        }
    }
}

/// The value a new connection form starts with, or the stored details being replaced.
pub fn initial_connection(destination: &Destination, stored: Option<&Value>) -> Value {
    match stored {
        Some(value @ Value::Object(_)) => value.clone(),
        _ => destination.default_connection(),
    }
}

/// Whether the section's switch is on in `config`.
pub fn section_enabled(config: &Value, code: &str) -> bool {
    config
        .get(code)
        .and_then(|section| section.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Switches a section on or off; switching on a section that holds nothing yet fills in
/// its fields' defaults.
pub fn set_section_enabled(config: &mut Value, section: &PrototypeSection, on: bool) {
    let path = FieldPath::root().child(&section.code);
    let mut object = match path.get(config) {
        Some(Value::Object(object)) => object.clone(),
        _ => Map::new(),
    };
    if on && object.keys().all(|key| key == "enabled") {
        if let Value::Object(defaults) = houston_prototypes::defaults(&section.fields) {
            object.extend(defaults);
        }
    }
    object.insert("enabled".to_owned(), Value::Bool(on));
    path.set(config, Value::Object(object));
}

/// The text a control shows for a value: strings as they are, numbers and booleans
/// written out, nothing for null, other values as JSON.
pub fn display_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(other) => other.to_string(),
    }
}

/// Whether the value holds a mapping directive (shown read-only with a "mapped" badge).
pub fn is_mapped(value: Option<&Value>) -> bool {
    value.is_some_and(is_mapping_directive)
}

/// What a number control stores for its text: nothing for "", a JSON number when it
/// reads as one, else the text itself (so that validation says what is wrong with it).
pub fn number_from_text(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(whole) = text.parse::<i64>() {
        return Some(Value::from(whole));
    }
    match text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Some(number) => Some(Value::Number(number)),
        None => Some(Value::String(text.to_owned())),
    }
}

/// A stored RFC 3339 date-time as a `datetime-local` control shows it
/// (`2024-01-31T12:00:00Z` → `2024-01-31T12:00:00`); the time is UTC.
pub fn datetime_to_input(stored: &str) -> String {
    let stored = stored.trim();
    let Some((date, time)) = stored.split_once(['T', 't', ' ']) else {
        return stored.to_owned();
    };
    let time = time
        .trim_end_matches(['Z', 'z'])
        .split(['+', '-'])
        .next()
        .unwrap_or_default();
    let time = time.split('.').next().unwrap_or_default();
    format!("{date}T{time}")
}

/// A `datetime-local` control's text as the stored RFC 3339 string, in UTC
/// (`2024-01-31T12:00` → `2024-01-31T12:00:00Z`); `None` for "".
pub fn datetime_from_input(input: &str) -> Option<String> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    let Some((date, time)) = input.split_once('T') else {
        return Some(input.to_owned());
    };
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_owned()
    };
    Some(format!("{date}T{time}Z"))
}

/// The option value a select uses for a choice (strings as they are, others as JSON).
pub fn choice_key(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The choice value whose key is `key`, if any.
pub fn choice_from_key(field: &PrototypeField, key: &str) -> Option<Value> {
    field
        .choices
        .iter()
        .find(|choice| choice_key(&choice.value) == key)
        .map(|choice| choice.value.clone())
}

/// Whether `field` is edited as a list of items (an `array`, or any type but `select`
/// with `multiple`, which is a multi-select).
pub fn is_list(field: &PrototypeField) -> bool {
    field.field_type == FieldType::Array
        || (field.multiple && field.field_type != FieldType::Select)
}

/// The value a new list item starts with.
pub fn new_item(field: &PrototypeField) -> Value {
    match field.field_type {
        FieldType::Input
        | FieldType::Text
        | FieldType::Password
        | FieldType::Array
        | FieldType::Datetime => Value::String(String::new()),
        FieldType::Number | FieldType::Integer => Value::Null,
        FieldType::Boolean => Value::Bool(false),
        FieldType::Select => field
            .choices
            .first()
            .map(|choice| choice.value.clone())
            .unwrap_or(Value::String(String::new())),
        FieldType::Map | FieldType::Object => Value::Object(
            houston_prototypes::defaults(&field.properties)
                .as_object()
                .cloned()
                .unwrap_or_default(),
        ),
    }
}

/// The field as one item of its list: the same field without `multiple` (an `array`'s
/// items are plain strings).
pub fn item_field(field: &PrototypeField) -> PrototypeField {
    let mut item = field.clone();
    item.multiple = false;
    if item.field_type == FieldType::Array {
        item.field_type = FieldType::Input;
    }
    item.required = false;
    item.required_if = None;
    item.depends_on = None;
    item.label = String::new();
    item.description = None;
    item
}

/// The key/value rows of a map value, skipping the keys that are fields of their own.
pub fn map_rows(value: Option<&Value>, known: &[PrototypeField]) -> Vec<(String, String)> {
    let Some(Value::Object(object)) = value else {
        return Vec::new();
    };
    object
        .iter()
        .filter(|(key, _)| !known.iter().any(|f| &f.property_name == *key))
        .map(|(key, entry)| (key.clone(), display_text(Some(entry))))
        .collect()
}

/// Writes key/value rows into a map value, keeping its known fields; rows without a key
/// are left out, and later rows win over earlier ones with the same key.
pub fn write_map_rows(
    value: Option<&Value>,
    known: &[PrototypeField],
    rows: &[(String, String)],
) -> Value {
    let mut object: Map<String, Value> = match value {
        Some(Value::Object(object)) => object
            .iter()
            .filter(|(key, _)| known.iter().any(|f| &f.property_name == *key))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Map::new(),
    };
    for (key, entry) in rows {
        if !key.is_empty() {
            object.insert(key.clone(), Value::String(entry.clone()));
        }
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use houston_prototypes::{Condition, ConditionRule};
    use serde_json::json;

    fn field(name: &str, field_type: FieldType) -> PrototypeField {
        PrototypeField {
            property_name: name.to_owned(),
            label: name.to_owned(),
            field_type,
            ..PrototypeField::default()
        }
    }

    fn when(key: &str, value: Value) -> Condition {
        Condition {
            match_all: true,
            rules: vec![ConditionRule {
                field_key: Some(key.to_owned()),
                negate: false,
                value: Some(value),
            }],
        }
    }

    #[test]
    fn errors_are_grouped_by_path_and_kept_secrets_are_spared() {
        let value = json!({"events": ["a", 7], "token": null});
        let errors = vec![
            FieldError::new("apiKey", "API Key is required"),
            FieldError::new("token", "Token is required"),
            FieldError::new("events.1", "Must be text"),
            FieldError::new("events.1", "Another"),
            FieldError::new("region", "Region is required"),
        ];
        let kept: BTreeSet<String> = ["apiKey".to_owned(), "token".to_owned()].into();
        let map = errors_by_path(&errors, &value, &kept);
        assert!(
            !map.contains_key("apiKey"),
            "a stored secret left out is kept by the server"
        );
        assert_eq!(
            map["token"],
            ["Token is required"],
            "a stored secret being cleared is checked"
        );
        assert_eq!(map["events.1"], ["Must be text", "Another"]);
        assert_eq!(map["region"], ["Region is required"]);
    }

    #[test]
    fn the_same_errors_as_the_server_land_on_the_same_paths() {
        let mut events = field("events", FieldType::Array);
        events.required = true;
        let mut user = field("user_id", FieldType::Input);
        user.required = true;
        let mut log_event = field("logEvent", FieldType::Object);
        log_event.properties = vec![user];
        let fields = vec![events, log_event];
        let value = json!({"events": ["ok", 3], "logEvent": {}});
        let errors = houston_prototypes::validate(&fields, &value);
        let map = errors_by_path(&errors, &value, &BTreeSet::new());
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            ["events.1", "logEvent.user_id"],
            "paths are what data-field attributes carry"
        );
    }

    #[test]
    fn conditions_are_read_as_validation_reads_them() {
        let mut token = field("token", FieldType::Input);
        token.depends_on = Some(when("mode", json!("token")));
        let mode = field("mode", FieldType::Select);
        let mut internal = field("item", FieldType::Map);
        internal.depends_on = Some(when("__segment_internal_sync_mode", json!("upsert")));
        internal.required_if = internal.depends_on.clone();
        let destination = std::sync::Arc::new(Destination {
            settings: vec![mode],
            sections: vec![PrototypeSection {
                code: "section".to_owned(),
                fields: vec![token.clone(), internal.clone()],
                ..PrototypeSection::default()
            }],
            ..Destination::default()
        });
        let rules = Rules::Config(destination);
        let section = FieldPath::of(["section"]);
        let value = json!({"mode": "token", "section": {"enabled": true}});
        assert!(
            rules.field_state(&value, &section, &token).shown,
            "a setting is seen from a section"
        );
        let value = json!({"mode": "none", "section": {"enabled": true}});
        assert!(!rules.field_state(&value, &section, &token).shown);
        assert_eq!(
            rules.field_state(&value, &section, &internal),
            FieldState {
                shown: true,
                required: true
            },
            "a key that names no field is undecidable: shown, and required as validation says"
        );
        assert!(rules
            .validate(&value)
            .iter()
            .any(|e| e.property_name == "section.item"));
        let mut hidden = field("internal", FieldType::Input);
        hidden.hidden = true;
        let fields = std::sync::Arc::new(vec![hidden.clone()]);
        assert!(
            !Rules::Fields(fields)
                .field_state(&json!({}), &FieldPath::root(), &hidden)
                .shown,
            "hidden fields are never shown"
        );
    }

    #[test]
    fn sections_switch_on_with_their_defaults() {
        let mut user = field("userId", FieldType::Input);
        user.mappable = true;
        user.default_mapping = Some(json!({"@path": "$.userId"}));
        let section = PrototypeSection {
            code: "track".to_owned(),
            fields: vec![user],
            ..PrototypeSection::default()
        };
        let mut config = json!({});
        assert!(!section_enabled(&config, "track"));
        set_section_enabled(&mut config, &section, true);
        assert_eq!(
            config,
            json!({"track": {"enabled": true, "userId": {"@path": "$.userId"}}})
        );
        FieldPath::of(["track", "userId"]).set(&mut config, json!("fixed"));
        set_section_enabled(&mut config, &section, false);
        set_section_enabled(&mut config, &section, true);
        assert_eq!(
            config["track"]["userId"],
            json!("fixed"),
            "what was typed stays"
        );
    }

    #[test]
    fn a_new_configuration_has_on_only_the_presets_sections() {
        let section = |code: &str, preset: Option<&str>| PrototypeSection {
            code: code.to_owned(),
            default_enabled: true,
            default_subscribe: Some("type = \"track\"".to_owned()),
            preset_subscribe: preset.map(str::to_owned),
            ..PrototypeSection::default()
        };
        let mut destination = Destination {
            sections: vec![section("purchase", None), section("purchase2", None)],
            ..Destination::default()
        };
        let fresh = initial_config(&destination, None);
        assert!(
            !section_enabled(&fresh, "purchase") && !section_enabled(&fresh, "purchase2"),
            "no presets, nothing on: {fresh}"
        );
        destination.sections[1].preset_subscribe = Some("type = \"track\"".to_owned());
        let fresh = initial_config(&destination, None);
        assert!(!section_enabled(&fresh, "purchase"));
        assert!(section_enabled(&fresh, "purchase2"));
        let stored = json!({"purchase": {"enabled": true}});
        assert_eq!(
            initial_config(&destination, Some(&stored)),
            stored,
            "a stored configuration is edited as it is"
        );
    }

    #[test]
    fn numbers_and_dates_convert_both_ways() {
        assert_eq!(number_from_text(""), None);
        assert_eq!(number_from_text("42"), Some(json!(42)));
        assert_eq!(number_from_text("2.5"), Some(json!(2.5)));
        assert_eq!(number_from_text("abc"), Some(json!("abc")));
        assert_eq!(
            datetime_to_input("2024-01-31T12:00:00Z"),
            "2024-01-31T12:00:00"
        );
        assert_eq!(
            datetime_to_input("2024-01-31T12:00:00.123+02:00"),
            "2024-01-31T12:00:00"
        );
        assert_eq!(
            datetime_from_input("2024-01-31T12:00").as_deref(),
            Some("2024-01-31T12:00:00Z")
        );
        assert_eq!(
            datetime_from_input("2024-01-31T12:00:30").as_deref(),
            Some("2024-01-31T12:00:30Z")
        );
        assert_eq!(datetime_from_input(""), None);
    }

    #[test]
    fn display_and_choices() {
        assert_eq!(display_text(None), "");
        assert_eq!(display_text(Some(&json!(3))), "3");
        assert_eq!(display_text(Some(&json!({"a": 1}))), r#"{"a":1}"#);
        let mut select = field("size", FieldType::Select);
        select.choices = vec![
            houston_prototypes::Choice {
                value: json!(10),
                label: "Ten".to_owned(),
            },
            houston_prototypes::Choice {
                value: json!("big"),
                label: "Big".to_owned(),
            },
        ];
        assert_eq!(
            choice_from_key(&select, "10"),
            Some(json!(10)),
            "types survive"
        );
        assert_eq!(choice_from_key(&select, "big"), Some(json!("big")));
        assert_eq!(choice_from_key(&select, "nope"), None);
        assert!(is_mapped(Some(&json!({"@path": "$.x"}))));
    }

    #[test]
    fn lists_and_maps() {
        let array = field("events", FieldType::Array);
        assert!(is_list(&array));
        assert_eq!(item_field(&array).field_type, FieldType::Input);
        let mut multi_select = field("kinds", FieldType::Select);
        multi_select.multiple = true;
        assert!(!is_list(&multi_select), "a multi-select is one control");
        let mut numbers = field("n", FieldType::Integer);
        numbers.multiple = true;
        assert!(is_list(&numbers));
        assert_eq!(new_item(&numbers), Value::Null);

        let known = vec![field("fixed", FieldType::Input)];
        let value = json!({"fixed": "f", "a": "1", "b": 2});
        let rows = map_rows(Some(&value), &known);
        assert_eq!(
            rows,
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
        let written = write_map_rows(
            Some(&value),
            &known,
            &[
                ("a".to_owned(), "x".to_owned()),
                (String::new(), "lost".to_owned()),
            ],
        );
        assert_eq!(written, json!({"fixed": "f", "a": "x"}));
    }
}

/// Which rules a form's value is checked against: the same code the server runs.
#[derive(Clone, Debug)]
pub enum Rules {
    /// A destination's configPayload (settings and sections).
    Config(std::sync::Arc<Destination>),
    /// A destination's connection details.
    Connection(std::sync::Arc<Destination>),
    /// A plain list of fields.
    Fields(std::sync::Arc<Vec<PrototypeField>>),
}

impl Rules {
    /// Every error in `value`.
    pub fn validate(&self, value: &Value) -> Vec<FieldError> {
        match self {
            Rules::Config(destination) => {
                // The server refuses a trigger that does not parse on save, with this error.
                let mut errors = destination.validate_config(value);
                errors.extend(houston_events::delivery::subscribe_errors(
                    destination,
                    value,
                ));
                errors
            }
            Rules::Connection(destination) => destination.validate_connection(value),
            Rules::Fields(fields) => houston_prototypes::validate(fields, value),
        }
    }

    /// Whether `field`, of the object at `parent` in `value`, shows and whether it is
    /// required: what its conditions see is decided by `houston_prototypes::Scope`, the
    /// rule validation follows, so a field the form hides is never one validation requires.
    pub fn field_state(
        &self,
        value: &Value,
        parent: &FieldPath,
        field: &PrototypeField,
    ) -> FieldState {
        let parent = parent.segments();
        let scope = match self {
            Rules::Config(destination) => destination.config_scope(value, parent),
            Rules::Connection(destination) => destination.connection_scope(value, parent),
            Rules::Fields(fields) => Scope::new(fields, Some(value)).descend(parent),
        };
        FieldState {
            shown: scope.shows(field),
            required: scope.requires(field),
        }
    }
}

/// What a field's conditions decide about it in the current value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldState {
    /// The form draws it (its `dependsOn` holds and it is not `hidden`).
    pub shown: bool,
    /// It must have a value (`required`, or its `requiredIf` holds).
    pub required: bool,
}
