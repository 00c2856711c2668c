//! The form model: destinations, their fields, and the conditions between fields.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The form field kinds (wire names in GraphQL, lower-case): "input", "text", "password",
/// "number", "integer", "boolean", "select", "array", "map", "object", "datetime".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// A one-line string.
    #[default]
    Input,
    /// A multi-line string.
    Text,
    /// A string that is a secret (the field is also marked `secret`).
    Password,
    /// Any JSON number.
    Number,
    /// A whole JSON number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// One of the field's `choices` (several, as a list, when `multiple`).
    Select,
    /// A list of strings. The value is always a list, so `multiple` is not used.
    Array,
    /// An object of string keys to strings, numbers or booleans (key/value pairs).
    Map,
    /// An object with the fixed keys given by `properties`.
    Object,
    /// A date and time as an RFC 3339 string, e.g. `2024-01-31T12:00:00Z`.
    Datetime,
}

impl FieldType {
    /// Every field type, in declaration order.
    pub const ALL: [FieldType; 11] = [
        FieldType::Input,
        FieldType::Text,
        FieldType::Password,
        FieldType::Number,
        FieldType::Integer,
        FieldType::Boolean,
        FieldType::Select,
        FieldType::Array,
        FieldType::Map,
        FieldType::Object,
        FieldType::Datetime,
    ];

    /// The wire name, lower-case (as serialized).
    pub fn as_str(&self) -> &'static str {
        match self {
            FieldType::Input => "input",
            FieldType::Text => "text",
            FieldType::Password => "password",
            FieldType::Number => "number",
            FieldType::Integer => "integer",
            FieldType::Boolean => "boolean",
            FieldType::Select => "select",
            FieldType::Array => "array",
            FieldType::Map => "map",
            FieldType::Object => "object",
            FieldType::Datetime => "datetime",
        }
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serde for the model's free-form JSON values: as they are in a self-describing format
/// (JSON, the wire), as JSON text in a binary one (the compact catalog, [`crate::compact`]),
/// which cannot describe a value of any shape.
mod any_json {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(value: &Value, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            value.serialize(serializer)
        } else {
            serializer.serialize_str(&value.to_string())
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        if deserializer.is_human_readable() {
            Value::deserialize(deserializer)
        } else {
            let text = <&str>::deserialize(deserializer)?;
            serde_json::from_str(text).map_err(D::Error::custom)
        }
    }

    /// The same for an optional value.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            value: &Option<Value>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            if serializer.is_human_readable() {
                value.serialize(serializer)
            } else {
                value.as_ref().map(Value::to_string).serialize(serializer)
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Value>, D::Error> {
            if deserializer.is_human_readable() {
                Option::<Value>::deserialize(deserializer)
            } else {
                Option::<&str>::deserialize(deserializer)?
                    .map(|text| serde_json::from_str(text).map_err(D::Error::custom))
                    .transpose()
            }
        }
    }
}

/// One allowed value of a field, with the text a form shows for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The value stored in the payload (usually a string, sometimes a number).
    #[serde(with = "any_json")]
    pub value: Value,
    /// The text shown to a person.
    pub label: String,
}

/// A condition on sibling field values (from `dependsOn` / `requiredIf`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    /// `true`: every rule must hold; `false`: any one rule is enough.
    pub match_all: bool,
    /// The rules; a condition without rules always holds.
    pub rules: Vec<ConditionRule>,
}

impl Default for Condition {
    /// No rules, all of which must hold (the catalog's default `match`).
    fn default() -> Self {
        Condition {
            match_all: true,
            rules: Vec::new(),
        }
    }
}

/// One test of a condition: "field `field_key` is (or is not) `value`".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionRule {
    /// The sibling field tested; `None` for rules on the event (e.g. its type or the sync
    /// mode), which a form cannot decide and which therefore count as satisfied.
    pub field_key: Option<String>,
    /// `true` for the catalog's operator `is_not`.
    pub negate: bool,
    /// The expected value; a list means "is one of"; `None` (or null) means "is empty".
    #[serde(with = "any_json::option")]
    pub value: Option<Value>,
}

/// How a rule's field key resolves in a form: `None` when no such field exists anywhere,
/// `Some(None)` when the field exists but has no value, `Some(Some(v))` otherwise.
pub(crate) type Lookup<'v> = Option<Option<&'v Value>>;

impl Condition {
    /// `true` when satisfied by the sibling object `siblings`.
    ///
    /// Rules without a `field_key` (they test the event type, e.g.
    /// `{"operator":"is","type":"event","value":"track"}`) cannot be decided from a form and
    /// count as satisfied, as do rules comparing a field that holds a mapping directive (its
    /// value is only known when an event arrives; for "is empty" it counts as filled in). A
    /// rule value that is a list means "is one of"; a rule value `None`/null means the field
    /// is empty (absent, null, `""` or `[]`).
    /// `match_all == false` means any rule is enough. A key missing from `siblings` reads
    /// as empty here; [`crate::validate`] additionally looks keys that are not fields of the
    /// current object up in the enclosing objects.
    pub fn holds(&self, siblings: &Map<String, Value>) -> bool {
        self.holds_with(&|key| Some(siblings.get(key)))
    }

    /// Evaluates the condition with `lookup` resolving field keys.
    pub(crate) fn holds_with<'v>(&self, lookup: &dyn Fn(&str) -> Lookup<'v>) -> bool {
        if self.rules.is_empty() {
            return true;
        }
        let mut results = self.rules.iter().map(|rule| rule.holds_with(lookup));
        if self.match_all {
            results.all(|ok| ok)
        } else {
            results.any(|ok| ok)
        }
    }
}

impl ConditionRule {
    fn holds_with<'v>(&self, lookup: &dyn Fn(&str) -> Lookup<'v>) -> bool {
        let Some(key) = self.field_key.as_deref() else {
            return true;
        };
        let Some(actual) = lookup(key) else {
            // A field that no form shows (e.g. Segment's internal sync mode): undecidable.
            return true;
        };
        let matched = match &self.value {
            // A mapping directive fills the field in, so it is not empty.
            None | Some(Value::Null) => is_empty(actual),
            // Which value a directive gives is only known when an event arrives.
            Some(_) if actual.is_some_and(is_mapping_directive) => return true,
            Some(Value::Array(options)) => {
                actual.is_some_and(|a| options.iter().any(|o| value_is(a, o)))
            }
            Some(expected) => actual.is_some_and(|a| value_is(a, expected)),
        };
        matched != self.negate
    }
}

/// `actual` is `expected`, or, when `actual` is a list, contains it.
fn value_is(actual: &Value, expected: &Value) -> bool {
    match actual {
        Value::Array(items) if !expected.is_array() => {
            items.iter().any(|item| loose_eq(item, expected))
        }
        _ => loose_eq(actual, expected),
    }
}

/// JSON equality that also equates numbers written differently (`1` and `1.0`) and a number
/// with its decimal string (`1` and `"1"`), as forms often send numbers as text.
pub(crate) fn loose_eq(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.trim() == n.to_string()
                || s.trim().parse::<f64>().is_ok_and(|f| Some(f) == n.as_f64())
        }
        _ => false,
    }
}

/// Whether `value` counts as not filled in: absent, null, `""` or `[]`.
pub(crate) fn is_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

/// Whether `value` is a mapping directive: a non-empty object whose keys all start with
/// `@`, e.g. `{"@path": "$.userId"}`. Action fields may hold one instead of a literal.
pub fn is_mapping_directive(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty() && map.keys().all(|k| k.starts_with('@')),
        _ => false,
    }
}

/// One field of a form: a credential of a connection or a setting of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrototypeField {
    /// The key of the value in the saved JSON object.
    pub property_name: String,
    /// The human-friendly name of the field.
    pub label: String,
    /// The kind of form control and of value.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Help text (Markdown).
    pub description: Option<String>,
    /// Whether a value must be given (absent, null, `""` and `[]` are missing).
    pub required: bool,
    /// The value a new form starts with.
    #[serde(with = "any_json::option")]
    pub default: Option<Value>,
    /// The mapping directive a new form starts with (parsed from the catalog's
    /// `defaultMapping` JSON string); used when there is no `default`.
    #[serde(with = "any_json::option")]
    pub default_mapping: Option<Value>,
    /// The allowed values; for a `select`, the options; for other types, a restriction.
    pub choices: Vec<Choice>,
    /// The value is a JSON list of items of this type (not used by `array`).
    pub multiple: bool,
    /// The value is write-only: never shown, kept when an update leaves it out, cleared by
    /// `null` (see [`crate::secrets_set`]).
    pub secret: bool,
    /// A string format checked on string values: `email`, `uri`, `uri-reference`,
    /// `date-time`, `date`, `ipv4`, `uuid`, `hostname`, `color`; other formats are hints.
    pub format: Option<String>,
    /// A JavaScript regular expression string values must match (searched, not anchored,
    /// like `RegExp.test`); for an `array`, every item; for a `map`, every value.
    pub pattern: Option<String>,
    /// The least allowed number (for `number` and `integer`).
    pub minimum: Option<f64>,
    /// The greatest allowed number (for `number` and `integer`).
    pub maximum: Option<f64>,
    /// The text shown in an empty control.
    pub placeholder: Option<String>,
    /// The nested fields of an `object` (or known keys of a `map`).
    pub properties: Vec<PrototypeField>,
    /// Whether an `object` also accepts keys that are not among its `properties`.
    pub additional_properties: bool,
    /// The field is shown (and validated) only when this condition holds.
    pub depends_on: Option<Condition>,
    /// The field is required when this condition holds.
    pub required_if: Option<Condition>,
    /// The field is not shown in forms (it keeps its default).
    pub hidden: bool,
    /// The field is shown but cannot be changed in forms.
    pub read_only: bool,
    /// Action fields may hold a mapping directive instead of a literal (an object whose keys
    /// all start with '@', e.g. {"@path":"$.userId"}).
    pub mappable: bool,
    /// The fewest entries of a `map` (or items of a list).
    pub min_items: Option<u32>,
    /// The most entries of a `map` (or items of a list).
    pub max_items: Option<u32>,
    /// From the classic `mapValidators.map_prefix`: every value of the `map` (its right-hand
    /// side, despite the name) must be this prefix followed by a number, e.g. `eVar12` for
    /// the prefix `eVar`. The catalog's descriptions put the prefixed names on the right:
    /// "Enter a Segment property name on the left and an Adobe Analytics eVar number on the
    /// right".
    pub key_prefix: Option<String>,
    /// From the classic `mapValidators.select_options`: the allowed values of the `map`.
    pub value_choices: Vec<String>,
}

impl PrototypeField {
    /// The label, or the property name when the label is empty.
    pub fn display_name(&self) -> &str {
        if self.label.trim().is_empty() {
            &self.property_name
        } else {
            &self.label
        }
    }
}

/// A titled group of configuration fields that can be switched on and off (one action of
/// an action-based destination).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrototypeSection {
    /// The key of the section's object in a configPayload.
    pub code: String,
    /// The section's title.
    pub label: String,
    /// What the section does.
    pub description: Option<String>,
    /// Whether a new configuration has it switched on.
    pub default_enabled: bool,
    /// The action's default trigger (the catalog's `defaultSubscription`, Segment's FQL),
    /// used when a configuration's section has no `subscribe` of its own.
    pub default_subscribe: Option<String>,
    /// The section's fields, stored beside `enabled` in its object.
    pub fields: Vec<PrototypeField>,
    /// The trigger of the first of Segment's own automatic presets that uses this action
    /// (`None` when none does): a new configuration switches on only the sections that
    /// have one ([`Destination::preset_config`]).
    pub preset_subscribe: Option<String>,
}

/// One of Segment's presets of a destination (the `presets` of its definition in
/// `@segment/action-destinations`): an action switched on with a trigger and a mapping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Preset {
    /// The preset's name, e.g. "Track Calls".
    pub name: String,
    /// `automatic` (switched on with a new destination) or `specificEvent` (offered for
    /// one kind of event of Segment's Engage, named by `event_slug`).
    #[serde(rename = "type")]
    pub preset_type: String,
    /// The code of the action (section) it switches on; a few name actions of the
    /// destination's browser plugin, which the catalog does not hold.
    pub partner_action: String,
    /// Its trigger (Segment's FQL), for automatic presets.
    pub subscribe: Option<String>,
    /// The Engage event a `specificEvent` preset is for.
    pub event_slug: Option<String>,
    /// The action's field values (mapping directives or literals).
    #[serde(with = "any_json::option")]
    pub mapping: Option<Value>,
}

impl Preset {
    /// Whether a new destination switches it on (`type` is `automatic`).
    pub fn is_automatic(&self) -> bool {
        self.preset_type == "automatic"
    }
}

/// A destination of the catalog: the prototypes of its connection and configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Destination {
    /// The catalog code (kebab-case), unique in a catalog, e.g. `acquisio`.
    pub code: String,
    /// The display name.
    pub name: String,
    /// What the destination is.
    pub description: Option<String>,
    /// Catalog categories, e.g. "Advertising".
    pub categories: Vec<String>,
    /// Source platforms it accepts, among "analytics.js", "server", "analytics-android", "analytics-ios".
    pub platforms: Vec<String>,
    /// How the connection authenticates (action catalogs: `custom`, `oauth2`, …).
    pub connection_scheme: Option<String>,
    /// The connection prototype: the credential fields.
    pub connection_fields: Vec<PrototypeField>,
    /// The top-level fields of the config prototype.
    pub settings: Vec<PrototypeField>,
    /// The sections of the config prototype (actions); empty for classic destinations.
    pub sections: Vec<PrototypeSection>,
    /// Segment's own presets (action destinations that have any).
    pub presets: Vec<Preset>,
}

/// A problem with one value of a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Where: property names and list indices joined by dots, e.g. `events.0`;
    /// empty for the value as a whole.
    pub property_name: String,
    /// What is wrong, as a sentence a person can act on.
    pub message: String,
}

impl FieldError {
    /// An error at `property_name`.
    pub fn new(property_name: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            property_name: property_name.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.property_name.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.property_name, self.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_types_have_lower_case_wire_names() {
        for field_type in FieldType::ALL {
            assert_eq!(
                serde_json::to_value(field_type).expect("serializes"),
                json!(field_type.as_str()),
                "serde and as_str agree"
            );
        }
        let names: Vec<&str> = FieldType::ALL.iter().map(FieldType::as_str).collect();
        assert_eq!(
            names,
            [
                "input", "text", "password", "number", "integer", "boolean", "select", "array",
                "map", "object", "datetime"
            ]
        );
    }

    #[test]
    fn a_field_deserializes_from_its_camel_case_form() {
        let field: PrototypeField = serde_json::from_value(json!({
            "propertyName": "userId", "label": "User", "type": "input", "required": true,
            "dependsOn": {"rules": [{"fieldKey": "a", "value": 1}]}, "keyPrefix": "eVar"
        }))
        .expect("a partial form deserializes");
        assert_eq!(field.property_name, "userId");
        assert!(field.required);
        let condition = field.depends_on.as_ref().expect("dependsOn");
        assert!(
            condition.match_all,
            "matchAll defaults to all, as in catalogs"
        );
        assert!(!condition.rules[0].negate);
        assert_eq!(field.key_prefix.as_deref(), Some("eVar"));

        let text = serde_json::to_value(&field).expect("serializes");
        for key in [
            "propertyName",
            "type",
            "defaultMapping",
            "additionalProperties",
            "dependsOn",
            "requiredIf",
            "readOnly",
            "minItems",
            "maxItems",
            "keyPrefix",
            "valueChoices",
        ] {
            assert!(text.get(key).is_some(), "{key} is serialized in camelCase");
        }
        let back: PrototypeField = serde_json::from_value(text).expect("round trip");
        assert_eq!(back, field);
    }

    #[test]
    fn mapping_directives() {
        assert!(is_mapping_directive(&json!({"@path": "$.userId"})));
        assert!(is_mapping_directive(&json!({"@if": {}, "@else": "x"})));
        assert!(!is_mapping_directive(&json!({})));
        assert!(!is_mapping_directive(&json!({"@path": "$.a", "b": 1})));
        assert!(!is_mapping_directive(&json!("@path")));
    }

    #[test]
    fn loose_equality() {
        assert!(loose_eq(&json!(1), &json!(1.0)));
        assert!(loose_eq(&json!("1"), &json!(1)));
        assert!(loose_eq(&json!(2.5), &json!("2.5")));
        assert!(!loose_eq(&json!("a"), &json!(1)));
        assert!(!loose_eq(&json!(true), &json!("true")));
    }
}
