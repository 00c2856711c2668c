//! Reading catalogs: the action-based format (`actions`) and the classic, settings-based
//! format (`settings`), mapped onto one model.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::model::{
    is_empty, is_mapping_directive, loose_eq, Choice, Condition, ConditionRule, Destination,
    FieldType, Preset, PrototypeField, PrototypeSection,
};
use crate::pattern;
use houston_vocabulary::{Platform, PLATFORMS};

/// Every source platform, in the order destinations list them, in their wire spelling.
fn all_platforms() -> Vec<String> {
    PLATFORMS.iter().map(|p| p.as_str().to_owned()).collect()
}

/// The type words a catalog may use (case-insensitive).
const TYPE_WORDS: &str = "input, string, text, multi_line_string, password, number, integer, \
     boolean, select, datetime, array, list, map, text-map, object, mixed, color";

/// Errors when parsing a catalog; say which entry (code) and field is wrong.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The text is not JSON.
    #[error("the catalog is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is neither a list of destinations nor `{"destinations": [...]}`.
    #[error("the catalog must be a JSON array of destinations, or an object with a `destinations` array")]
    NotAList,
    /// An entry has no usable `code`.
    #[error("destination #{index} (counting from 0): `code` is missing or empty")]
    EmptyCode {
        /// The entry's position in the list.
        index: usize,
    },
    /// Two entries share a code.
    #[error("destination `{code}` appears more than once")]
    DuplicateCode {
        /// The repeated code.
        code: String,
    },
    /// A field's `type` is not one we know.
    #[error("destination `{code}`, field `{field}`: unknown field type `{type_name}` (expected one of: {TYPE_WORDS})")]
    UnknownType {
        /// The destination.
        code: String,
        /// The field's path, e.g. `actions.trackEvent.userId`.
        field: String,
        /// The type as written.
        type_name: String,
    },
    /// A `defaultMapping` string is not JSON.
    #[error(
        "destination `{code}`, field `{field}`: `defaultMapping` is not valid JSON: {message}"
    )]
    BadDefaultMapping {
        /// The destination.
        code: String,
        /// The field's path.
        field: String,
        /// The JSON parser's complaint.
        message: String,
    },
    /// A pattern cannot be compiled.
    #[error(
        "destination `{code}`, field `{field}`: pattern `{pattern}` cannot be compiled: {message}"
    )]
    BadPattern {
        /// The destination.
        code: String,
        /// The field's path.
        field: String,
        /// The pattern as written (JavaScript syntax).
        pattern: String,
        /// The regular expression compiler's complaint.
        message: String,
    },
    /// Something else is wrong with a destination as a whole.
    #[error("destination `{code}`: {message}")]
    InvalidEntry {
        /// The destination.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// Something else is wrong with a field.
    #[error("destination `{code}`, field `{field}`: {message}")]
    InvalidField {
        /// The destination.
        code: String,
        /// The field's path.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Parses a catalog JSON text: an array whose entries are in either format, detected per
/// entry (`actions` present → action-based; `settings` present → classic). Also accepts
/// `{"destinations": [...]}`. Rejects duplicate codes, empty codes, unknown field types (with
/// a clear message), and patterns that cannot be compiled.
pub fn parse_catalog(json: &str) -> Result<Vec<Destination>, CatalogError> {
    let root: Value = serde_json::from_str(json)?;
    let entries = match &root {
        Value::Array(entries) => entries,
        Value::Object(object) => match object.get("destinations") {
            Some(Value::Array(entries)) => entries,
            _ => return Err(CatalogError::NotAList),
        },
        _ => return Err(CatalogError::NotAList),
    };
    let mut codes = HashSet::new();
    let mut destinations = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let destination = parse_entry(index, entry)?;
        if !codes.insert(destination.code.clone()) {
            return Err(CatalogError::DuplicateCode {
                code: destination.code,
            });
        }
        destinations.push(destination);
    }
    Ok(destinations)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Action,
    Classic,
}

/// Where a field list sits, for parsing and for messages.
#[derive(Clone, Copy)]
struct Context<'a> {
    code: &'a str,
    dialect: Dialect,
    mappable: bool,
}

impl Context<'_> {
    fn entry_error(&self, message: impl Into<String>) -> CatalogError {
        CatalogError::InvalidEntry {
            code: self.code.to_owned(),
            message: message.into(),
        }
    }

    fn field_error(&self, field: &str, message: impl Into<String>) -> CatalogError {
        CatalogError::InvalidField {
            code: self.code.to_owned(),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key) {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    }
}

fn parse_entry(index: usize, entry: &Value) -> Result<Destination, CatalogError> {
    let Some(object) = entry.as_object() else {
        return Err(CatalogError::EmptyCode { index });
    };
    let Some(code) = text(object, "code").map(|c| c.trim().to_owned()) else {
        return Err(CatalogError::EmptyCode { index });
    };
    let dialect = if object.contains_key("actions") {
        Dialect::Action
    } else if object.contains_key("settings") {
        Dialect::Classic
    } else {
        return Err(CatalogError::InvalidEntry {
            code,
            message: "has neither `actions` (action-based format) nor `settings` (classic format)"
                .to_owned(),
        });
    };
    let context = Context {
        code: &code,
        dialect,
        mappable: false,
    };
    let connection = match object.get("connection") {
        None | Some(Value::Null) => None,
        Some(Value::Object(connection)) => Some(connection),
        Some(_) => return Err(context.entry_error("`connection` must be an object")),
    };
    let connection_fields = parse_fields(
        context,
        connection.and_then(|c| c.get("fields")),
        "connection",
    )?;
    let connection_scheme = connection.and_then(|c| text(c, "scheme"));
    let categories = match object.get("categories") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let presets: Vec<Preset> = match object.get("presets") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => serde_json::from_value(list.clone())
            .map_err(|e| context.entry_error(format!("`presets`: {e}")))?,
    };
    let (platforms, settings, sections) = match dialect {
        Dialect::Action => {
            let settings = parse_fields(context, object.get("audienceFields"), "audienceFields")?;
            let mut sections = parse_sections(context, object.get("actions"))?;
            for section in &mut sections {
                section.preset_subscribe = presets
                    .iter()
                    .find(|p| p.is_automatic() && p.partner_action == section.code)
                    .and_then(|p| p.subscribe.clone());
            }
            let platforms = all_platforms();
            (platforms, settings, sections)
        }
        Dialect::Classic => {
            let settings = parse_fields(context, object.get("settings"), "settings")?;
            (
                parse_platforms(context, object.get("platforms"))?,
                settings,
                Vec::new(),
            )
        }
    };
    for section in &sections {
        if settings.iter().any(|f| f.property_name == section.code) {
            return Err(context.entry_error(format!(
                "action `{}` has the same name as a setting, so a configuration could not tell them apart",
                section.code
            )));
        }
    }
    Ok(Destination {
        name: text(object, "name").unwrap_or_else(|| code.clone()),
        description: text(object, "description"),
        categories,
        platforms,
        connection_scheme,
        connection_fields,
        settings,
        sections,
        presets,
        code,
    })
}

fn parse_platforms(
    context: Context<'_>,
    value: Option<&Value>,
) -> Result<Vec<String>, CatalogError> {
    match value {
        // Nothing says otherwise: every platform.
        None | Some(Value::Null) => Ok(all_platforms()),
        Some(Value::Object(flags)) => {
            let on = |key: &str| flags.get(key).and_then(Value::as_bool).unwrap_or(false);
            let mut platforms = Vec::new();
            if on("browser") {
                platforms.push(Platform::AnalyticsJs);
            }
            if on("server") {
                platforms.push(Platform::Server);
            }
            if on("mobile") {
                platforms.extend([Platform::AnalyticsAndroid, Platform::AnalyticsIos]);
            }
            Ok(platforms.iter().map(|p| p.as_str().to_owned()).collect())
        }
        Some(Value::Array(items)) => Ok(items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect()),
        Some(_) => Err(context
            .entry_error("`platforms` must be an object `{browser, server, mobile}` or a list")),
    }
}

fn parse_sections(
    context: Context<'_>,
    value: Option<&Value>,
) -> Result<Vec<PrototypeSection>, CatalogError> {
    let actions = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(actions)) => actions,
        Some(_) => return Err(context.entry_error("`actions` must be a list")),
    };
    let context = Context {
        mappable: true,
        ..context
    };
    let mut sections: Vec<PrototypeSection> = Vec::with_capacity(actions.len());
    for (index, action) in actions.iter().enumerate() {
        let Some(object) = action.as_object() else {
            return Err(context.entry_error(format!("action #{index} is not an object")));
        };
        let Some(code) = text(object, "code") else {
            return Err(context.entry_error(format!("action #{index} has no `code`")));
        };
        if sections.iter().any(|s| s.code == code) {
            return Err(context.entry_error(format!("action `{code}` appears more than once")));
        }
        let fields = parse_fields(context, object.get("fields"), &format!("actions.{code}"))?;
        if fields.iter().any(|f| f.property_name == "enabled") {
            return Err(context.field_error(
                &format!("actions.{code}.enabled"),
                "`enabled` is reserved for switching the action on",
            ));
        }
        sections.push(PrototypeSection {
            label: text(object, "name").unwrap_or_else(|| code.clone()),
            description: text(object, "description"),
            default_enabled: text(object, "defaultSubscription").is_some(),
            default_subscribe: text(object, "defaultSubscription"),
            fields,
            code,
            preset_subscribe: None,
        });
    }
    Ok(sections)
}

fn parse_fields(
    context: Context<'_>,
    value: Option<&Value>,
    path: &str,
) -> Result<Vec<PrototypeField>, CatalogError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(context.field_error(path, "must be a list of fields")),
    };
    let mut fields: Vec<PrototypeField> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = parse_field(context, item, path, index)?;
        if fields
            .iter()
            .any(|f| f.property_name == field.property_name)
        {
            return Err(context.field_error(
                &format!("{path}.{}", field.property_name),
                "appears more than once",
            ));
        }
        fields.push(field);
    }
    Ok(fields)
}

fn flag(
    context: Context<'_>,
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<bool, CatalogError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(flag)) => Ok(*flag),
        Some(_) => Err(context.field_error(path, format!("`{key}` must be true or false"))),
    }
}

fn number(
    context: Context<'_>,
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<f64>, CatalogError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => Ok(number.as_f64()),
        Some(_) => Err(context.field_error(path, format!("`{key}` must be a number"))),
    }
}

fn parse_field(
    context: Context<'_>,
    item: &Value,
    parent: &str,
    index: usize,
) -> Result<PrototypeField, CatalogError> {
    let Some(object) = item.as_object() else {
        return Err(context.field_error(&format!("{parent}[{index}]"), "is not an object"));
    };
    let Some(name) = text(object, "propertyName") else {
        return Err(context.field_error(&format!("{parent}[{index}]"), "has no `propertyName`"));
    };
    let path = format!("{parent}.{name}");
    let Some(type_word) = object.get("type").and_then(Value::as_str) else {
        return Err(context.field_error(&path, "has no `type`"));
    };
    let properties = parse_fields(context, object.get("properties"), &path)?;
    let choices = parse_choices(context, object.get("choices"), &path)?;
    let multiple = flag(context, object, "multiple", &path)?;
    let additional = match object.get("additionalProperties") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(_) => {
            return Err(context.field_error(&path, "`additionalProperties` must be true or false"))
        }
    };
    let Some(kind) = resolve_type(
        type_word,
        !properties.is_empty(),
        !choices.is_empty(),
        multiple,
        additional,
        flag(context, object, "dynamic", &path)?,
    ) else {
        return Err(CatalogError::UnknownType {
            code: context.code.to_owned(),
            field: path,
            type_name: type_word.to_owned(),
        });
    };

    let default_mapping = match object.get("defaultMapping") {
        None | Some(Value::Null) => None,
        Some(Value::String(json)) => {
            Some(
                serde_json::from_str(json).map_err(|e| CatalogError::BadDefaultMapping {
                    code: context.code.to_owned(),
                    field: path.clone(),
                    message: e.to_string(),
                })?,
            )
        }
        Some(other) => Some(other.clone()),
    };

    let mut minimum = number(context, object, "minimum", &path)?;
    let mut maximum = number(context, object, "maximum", &path)?;
    if context.dialect == Dialect::Classic && maximum == Some(0.0) {
        // Classic catalogs write 0 for "no bound": 0/0 is no bound at all, and a maximum of
        // 0 above a positive minimum is only a minimum.
        if minimum == Some(0.0) {
            minimum = None;
        }
        if minimum.is_none_or(|low| low > 0.0) {
            maximum = None;
        }
    }

    let mut pattern = text(object, "pattern");
    let (mut min_items, mut max_items, mut key_prefix, mut value_choices) =
        (None, None, None, Vec::new());
    match object.get("mapValidators") {
        None | Some(Value::Null) => {}
        Some(Value::Object(validators)) => {
            if let Some(regexp) = text(validators, "regexp") {
                pattern.get_or_insert(regexp);
            }
            let count = |key: &str| {
                validators
                    .get(key)
                    .and_then(Value::as_u64)
                    .filter(|n| *n > 0)
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            };
            min_items = count("min");
            max_items = count("max");
            key_prefix = text(validators, "map_prefix");
            value_choices = match validators.get("select_options") {
                Some(Value::Array(options)) => options
                    .iter()
                    .filter_map(|o| match o {
                        Value::String(text) => Some(text.clone()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect(),
                _ => Vec::new(),
            };
        }
        Some(_) => return Err(context.field_error(&path, "`mapValidators` must be an object")),
    }
    if let Some(pattern) = &pattern {
        if let Err(message) = pattern::compiled(pattern) {
            return Err(CatalogError::BadPattern {
                code: context.code.to_owned(),
                field: path,
                pattern: pattern.clone(),
                message,
            });
        }
    }

    let condition = |key: &str| -> Result<Option<Condition>, CatalogError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => parse_condition(value)
                .map(Some)
                .map_err(|message| context.field_error(&path, format!("`{key}`: {message}"))),
        }
    };
    let depends_on = condition("dependsOn")?;
    let required_if = condition("requiredIf")?;

    let mut description = text(object, "description");
    if flag(context, object, "deprecated", &path)? {
        description = Some(match description {
            Some(text) => format!("Deprecated. {text}"),
            None => "Deprecated.".to_owned(),
        });
    }
    let placeholder = match object.get("placeholder") {
        Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    let mut format = text(object, "format");
    if let Some(implied) = kind.format {
        format.get_or_insert_with(|| implied.to_owned());
    }

    let mut field = PrototypeField {
        label: text(object, "label").unwrap_or_else(|| name.clone()),
        property_name: name,
        field_type: kind.field_type,
        description,
        required: flag(context, object, "required", &path)?,
        default: object.get("default").filter(|v| !v.is_null()).cloned(),
        default_mapping,
        choices,
        multiple: kind.multiple,
        secret: kind.secret || flag(context, object, "secret", &path)?,
        format,
        pattern,
        minimum,
        maximum,
        placeholder,
        properties,
        additional_properties: kind.additional_properties,
        depends_on,
        required_if,
        hidden: flag(context, object, "hidden", &path)?,
        read_only: flag(context, object, "readOnly", &path)?,
        mappable: context.mappable,
        min_items,
        max_items,
        key_prefix,
        value_choices,
    };
    admit_default_choice(&mut field);
    let (mut default, mut mapping) = (field.default.take(), field.default_mapping.take());
    for value in [&mut default, &mut mapping].into_iter().flatten() {
        drop_unknown_keys(&field, value);
    }
    (field.default, field.default_mapping) = (default, mapping);
    Ok(field)
}

/// A few catalog defaults hold keys their object does not declare (`actions-angler-ai`
/// maps `client_details.accept_language` and `productVariant.quantity`). Segment drops such
/// keys before validating (ajv's `removeAdditional`), so they never reach the destination;
/// dropping them here keeps a new form valid while unknown keys typed by a person are still
/// refused.
fn drop_unknown_keys(shape: &PrototypeField, value: &mut Value) {
    if shape.field_type != FieldType::Object || is_mapping_directive(value) {
        return;
    }
    match value {
        Value::Array(items) if shape.multiple => {
            for item in items {
                drop_unknown_keys_of_object(shape, item);
            }
        }
        _ => drop_unknown_keys_of_object(shape, value),
    }
}

fn drop_unknown_keys_of_object(shape: &PrototypeField, value: &mut Value) {
    if is_mapping_directive(value) {
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    if !shape.additional_properties {
        object.retain(|key, _| shape.properties.iter().any(|p| p.property_name == *key));
    }
    for property in &shape.properties {
        if let Some(inner) = object.get_mut(&property.property_name) {
            drop_unknown_keys(property, inner);
        }
    }
}

/// A few catalog defaults are not among their field's choices (`"DEFAULT"` for a region
/// listed as US/EU/…, `"unset"` where the option is misspelt `"unser"`). The destination's
/// own code treats the default as valid, so it becomes a choice too; otherwise a new form
/// would fail its own validation.
fn admit_default_choice(field: &mut PrototypeField) {
    if field.choices.is_empty() {
        return;
    }
    let Some(default) = field.default.clone() else {
        return;
    };
    let candidates = match default {
        Value::Array(items) => items,
        single => vec![single],
    };
    for candidate in candidates {
        if is_empty(Some(&candidate))
            || field.choices.iter().any(|c| loose_eq(&c.value, &candidate))
        {
            continue;
        }
        let label = match &candidate {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        field.choices.push(Choice {
            value: candidate,
            label,
        });
    }
}

fn parse_choices(
    context: Context<'_>,
    value: Option<&Value>,
    path: &str,
) -> Result<Vec<Choice>, CatalogError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(context.field_error(path, "`choices` must be a list")),
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(Choice {
                value: item.clone(),
                label: text.clone(),
            }),
            Value::Number(_) | Value::Bool(_) => Ok(Choice {
                value: item.clone(),
                label: item.to_string(),
            }),
            Value::Object(choice) => {
                let Some(value) = choice.get("value").filter(|v| !v.is_null()) else {
                    return Err(context.field_error(path, "a choice has no `value`"));
                };
                let label = match choice.get("label") {
                    Some(Value::String(label)) if !label.is_empty() => label.clone(),
                    _ => match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    },
                };
                Ok(Choice {
                    value: value.clone(),
                    label,
                })
            }
            _ => Err(context.field_error(
                path,
                "each choice must be a string, a number or `{label, value}`",
            )),
        })
        .collect()
}

/// The catalog's `dependsOn` / `requiredIf`:
/// `{match?: "any"|"all", conditions: [{fieldKey?, operator: "is"|"is_not", value?, type?}]}`.
fn parse_condition(value: &Value) -> Result<Condition, String> {
    let Some(object) = value.as_object() else {
        return Err("must be an object with `conditions`".to_owned());
    };
    let match_all = match object.get("match") {
        None | Some(Value::Null) => true,
        Some(Value::String(word)) if word.eq_ignore_ascii_case("all") => true,
        Some(Value::String(word)) if word.eq_ignore_ascii_case("any") => false,
        Some(other) => return Err(format!("`match` must be \"all\" or \"any\", not {other}")),
    };
    let conditions = match object.get("conditions") {
        Some(Value::Array(conditions)) => conditions,
        _ => return Err("`conditions` must be a list".to_owned()),
    };
    let rules = conditions
        .iter()
        .map(|rule| {
            let Some(rule) = rule.as_object() else {
                return Err("each condition must be an object".to_owned());
            };
            let negate = match rule.get("operator").and_then(Value::as_str) {
                None | Some("is") => false,
                Some("is_not") => true,
                Some(other) => {
                    return Err(format!("operator `{other}` is not \"is\" or \"is_not\""))
                }
            };
            Ok(ConditionRule {
                field_key: text(rule, "fieldKey"),
                negate,
                value: rule.get("value").filter(|v| !v.is_null()).cloned(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Condition { match_all, rules })
}

/// A catalog type word resolved against the field's shape.
struct Kind {
    field_type: FieldType,
    multiple: bool,
    secret: bool,
    format: Option<&'static str>,
    additional_properties: bool,
}

fn resolve_type(
    word: &str,
    has_properties: bool,
    has_choices: bool,
    multiple: bool,
    additional: Option<bool>,
    dynamic: bool,
) -> Option<Kind> {
    let kind = |field_type: FieldType, multiple: bool| Kind {
        field_type,
        multiple,
        secret: false,
        format: None,
        // A map takes any key by definition; fixed properties refuse others unless the
        // catalog says otherwise, as in Segment's own schemas.
        additional_properties: field_type == FieldType::Map || additional.unwrap_or(false),
    };
    let word = word.trim().to_ascii_lowercase();
    Some(match word.as_str() {
        "input" | "string" => match (has_choices, multiple) {
            (true, _) => kind(FieldType::Select, multiple),
            (false, true) => kind(FieldType::Array, false),
            (false, false) => kind(FieldType::Input, false),
        },
        "text" | "multi_line_string" => kind(FieldType::Text, multiple),
        "password" => Kind {
            secret: true,
            ..kind(FieldType::Password, multiple)
        },
        "number" => kind(FieldType::Number, multiple),
        "integer" => kind(FieldType::Integer, multiple),
        "boolean" => kind(FieldType::Boolean, multiple),
        "select" => kind(FieldType::Select, multiple),
        "datetime" => kind(FieldType::Datetime, multiple),
        "array" | "list" if has_choices => kind(FieldType::Select, true),
        "array" | "list" => kind(FieldType::Array, false),
        "map" | "text-map" => kind(FieldType::Map, multiple),
        // Keys fetched at run time (`dynamic`) cannot be fixed properties: key/value pairs.
        "object" if has_properties || (additional == Some(false) && !dynamic) => {
            kind(FieldType::Object, multiple)
        }
        "object" => kind(FieldType::Map, multiple),
        // Classic tables: each row an object of the listed properties.
        "mixed" if has_properties => kind(FieldType::Object, true),
        "mixed" => kind(FieldType::Map, multiple),
        "color" => Kind {
            format: Some("color"),
            ..kind(FieldType::Input, false)
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(entry: Value) -> Result<Destination, CatalogError> {
        parse_catalog(&json!([entry]).to_string()).map(|mut list| list.remove(0))
    }

    fn classic(fields: Value) -> Value {
        json!({"code": "c", "name": "C", "settings": fields, "connection": {"fields": []}})
    }

    fn action(fields: Value) -> Value {
        json!({"code": "a", "name": "A", "mode": "cloud",
               "connection": {"scheme": "custom", "fields": []},
               "actions": [{"code": "send", "name": "Send", "defaultSubscription": "type = \"track\"", "fields": fields}]})
    }

    fn classic_field(field: Value) -> PrototypeField {
        one(classic(json!([field])))
            .expect("parses")
            .settings
            .remove(0)
    }

    fn action_field(field: Value) -> PrototypeField {
        let mut d = one(action(json!([field]))).expect("parses");
        d.sections.remove(0).fields.remove(0)
    }

    #[test]
    fn type_words_in_any_case() {
        let table = [
            ("input", FieldType::Input),
            ("STRING", FieldType::Input),
            ("string", FieldType::Input),
            ("MULTI_LINE_STRING", FieldType::Text),
            ("text", FieldType::Text),
            ("PASSWORD", FieldType::Password),
            ("NUMBER", FieldType::Number),
            ("integer", FieldType::Integer),
            ("BOOLEAN", FieldType::Boolean),
            ("select", FieldType::Select),
            ("LIST", FieldType::Array),
            ("array", FieldType::Array),
            ("MAP", FieldType::Map),
            ("text-map", FieldType::Map),
            ("MIXED", FieldType::Map),
            ("datetime", FieldType::Datetime),
            ("COLOR", FieldType::Input),
            ("object", FieldType::Map),
        ];
        for (word, expected) in table {
            let field = classic_field(json!({"propertyName": "f", "label": "F", "type": word}));
            assert_eq!(field.field_type, expected, "type word {word}");
        }
        let color = classic_field(json!({"propertyName": "f", "type": "COLOR"}));
        assert_eq!(color.format.as_deref(), Some("color"));
        let password = classic_field(json!({"propertyName": "f", "type": "PASSWORD"}));
        assert!(password.secret, "a password is a secret");
    }

    #[test]
    fn action_shapes() {
        let select = action_field(
            json!({"propertyName": "s", "type": "string", "choices": ["a", {"label": "Bee", "value": "b"}]}),
        );
        assert_eq!(select.field_type, FieldType::Select);
        assert_eq!(
            select.choices[1],
            Choice {
                value: json!("b"),
                label: "Bee".into()
            }
        );
        assert!(select.mappable, "action fields take mapping directives");

        let list = action_field(json!({"propertyName": "l", "type": "string", "multiple": true}));
        assert_eq!((list.field_type, list.multiple), (FieldType::Array, false));

        let multi = action_field(
            json!({"propertyName": "m", "type": "string", "multiple": true, "choices": ["a"]}),
        );
        assert_eq!(
            (multi.field_type, multi.multiple),
            (FieldType::Select, true)
        );

        let object = action_field(
            json!({"propertyName": "o", "type": "object", "properties": [{"propertyName": "x", "type": "string"}]}),
        );
        assert_eq!(object.field_type, FieldType::Object);
        assert!(
            !object.additional_properties,
            "fixed properties refuse others by default"
        );
        assert!(
            object.properties[0].mappable,
            "nested action fields are mappable too"
        );

        let open = action_field(
            json!({"propertyName": "o", "type": "object", "additionalProperties": true, "properties": [{"propertyName": "x", "type": "string"}]}),
        );
        assert!(open.additional_properties);

        let map = action_field(json!({"propertyName": "m", "type": "object"}));
        assert_eq!(map.field_type, FieldType::Map);
        assert!(map.additional_properties);

        let closed = action_field(
            json!({"propertyName": "c", "type": "object", "additionalProperties": false}),
        );
        assert_eq!(closed.field_type, FieldType::Object);

        let dynamic = action_field(
            json!({"propertyName": "d", "type": "object", "additionalProperties": false, "dynamic": true}),
        );
        assert_eq!(
            dynamic.field_type,
            FieldType::Map,
            "run-time keys are key/value pairs"
        );

        let rows = action_field(
            json!({"propertyName": "r", "type": "object", "multiple": true, "properties": [{"propertyName": "x", "type": "string"}]}),
        );
        assert_eq!((rows.field_type, rows.multiple), (FieldType::Object, true));

        let mapping = action_field(
            json!({"propertyName": "u", "type": "string", "defaultMapping": "{\"@path\":\"$.userId\"}"}),
        );
        assert_eq!(mapping.default_mapping, Some(json!({"@path": "$.userId"})));
    }

    #[test]
    fn conditions_are_read() {
        let field = action_field(json!({"propertyName": "f", "type": "string",
            "dependsOn": {"match": "any", "conditions": [{"fieldKey": "a", "operator": "is_not", "value": ["x", "y"]}, {"type": "syncMode", "operator": "is", "value": "upsert"}]},
            "requiredIf": {"conditions": [{"fieldKey": "b", "operator": "is"}]}}));
        assert_eq!(
            field.depends_on,
            Some(Condition {
                match_all: false,
                rules: vec![
                    ConditionRule {
                        field_key: Some("a".into()),
                        negate: true,
                        value: Some(json!(["x", "y"]))
                    },
                    ConditionRule {
                        field_key: None,
                        negate: false,
                        value: Some(json!("upsert"))
                    },
                ],
            })
        );
        let required_if = field.required_if.expect("requiredIf is read");
        assert!(required_if.match_all, "`match` defaults to all");
        assert_eq!(required_if.rules[0].value, None);
    }

    #[test]
    fn classic_shapes() {
        let rows = classic_field(
            json!({"propertyName": "events", "type": "MIXED", "properties": [{"propertyName": "event", "type": "STRING", "required": true}]}),
        );
        assert_eq!((rows.field_type, rows.multiple), (FieldType::Object, true));

        let unbounded = classic_field(
            json!({"propertyName": "n", "type": "NUMBER", "minimum": 0, "maximum": 0}),
        );
        assert_eq!((unbounded.minimum, unbounded.maximum), (None, None));
        let at_least = classic_field(
            json!({"propertyName": "n", "type": "NUMBER", "minimum": 300, "maximum": 0}),
        );
        assert_eq!((at_least.minimum, at_least.maximum), (Some(300.0), None));
        let between = classic_field(
            json!({"propertyName": "n", "type": "NUMBER", "minimum": 0, "maximum": 10}),
        );
        assert_eq!((between.minimum, between.maximum), (Some(0.0), Some(10.0)));

        let map = classic_field(
            json!({"propertyName": "eVars", "type": "MAP", "mapValidators": {"regexp": "^x", "min": 0, "max": 250, "map_prefix": "eVar", "select_options": []}}),
        );
        assert_eq!(map.max_items, Some(250));
        assert_eq!(map.min_items, None);
        assert_eq!(map.key_prefix.as_deref(), Some("eVar"));
        assert_eq!(map.pattern.as_deref(), Some("^x"));
        let options = classic_field(
            json!({"propertyName": "m", "type": "MAP", "mapValidators": {"regexp": "", "min": 0, "max": 0, "map_prefix": "", "select_options": ["a", "b"]}}),
        );
        assert_eq!(options.value_choices, vec!["a", "b"]);
        assert_eq!(options.key_prefix, None);
        assert!(!options.mappable, "classic fields are literal");
    }

    #[test]
    fn classic_platforms_and_categories() {
        let d = one(
            json!({"code": "x", "name": "X", "categories": ["Analytics"],
            "platforms": {"browser": true, "server": false, "mobile": true}, "settings": []}),
        )
        .expect("parses");
        assert_eq!(
            d.platforms,
            ["analytics.js", "analytics-android", "analytics-ios"]
        );
        assert_eq!(d.categories, ["Analytics"]);
        assert!(d.sections.is_empty());
    }

    #[test]
    fn wrapped_catalog() {
        let list =
            parse_catalog(r#"{"destinations": [{"code": "x", "settings": []}]}"#).expect("parses");
        assert_eq!(list[0].code, "x");
        assert_eq!(list[0].name, "x", "the name falls back to the code");
    }

    #[test]
    fn a_default_outside_its_choices_becomes_a_choice() {
        let field = action_field(
            json!({"propertyName": "region", "type": "string", "default": "DEFAULT", "choices": ["US", "EU"]}),
        );
        assert!(field.choices.iter().any(|c| c.value == json!("DEFAULT")));
        let empty = action_field(
            json!({"propertyName": "c", "type": "string", "default": "", "choices": ["USD"]}),
        );
        assert_eq!(empty.choices.len(), 1, "an empty default is no value");
    }

    #[test]
    fn undeclared_keys_of_default_objects_are_dropped() {
        let field = action_field(json!({"propertyName": "o", "type": "object",
            "properties": [{"propertyName": "url", "type": "string"}, {"propertyName": "inner", "type": "object", "properties": [{"propertyName": "a", "type": "string"}]}],
            "defaultMapping": "{\"url\":{\"@path\":\"$.url\"},\"extra\":{\"@path\":\"$.x\"},\"inner\":{\"a\":\"1\",\"b\":\"2\"}}"}));
        assert_eq!(
            field.default_mapping,
            Some(json!({"url": {"@path": "$.url"}, "inner": {"a": "1"}})),
            "Segment removes undeclared keys before validating"
        );
        let open = action_field(
            json!({"propertyName": "o", "type": "object", "additionalProperties": true,
            "properties": [{"propertyName": "url", "type": "string"}], "default": {"url": "u", "extra": 1}}),
        );
        assert_eq!(open.default, Some(json!({"url": "u", "extra": 1})));
    }

    fn error_of(entries: Value) -> String {
        match parse_catalog(&entries.to_string()) {
            Ok(_) => panic!("{entries} should be refused"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parse_errors_say_what_and_where() {
        let unknown = error_of(json!([action(
            json!([{"propertyName": "userId", "type": "strnig"}])
        )]));
        assert_eq!(
            unknown,
            format!("destination `a`, field `actions.send.userId`: unknown field type `strnig` (expected one of: {TYPE_WORDS})")
        );
        let mapping = error_of(json!([action(
            json!([{"propertyName": "u", "type": "string", "defaultMapping": "{\"@path\":"}])
        )]));
        assert!(
            mapping.starts_with(
                "destination `a`, field `actions.send.u`: `defaultMapping` is not valid JSON"
            ),
            "{mapping}"
        );
        let pattern = error_of(json!([classic(
            json!([{"propertyName": "k", "type": "STRING", "pattern": "^([a-z]$"}])
        )]));
        assert!(
            pattern.starts_with(
                "destination `c`, field `settings.k`: pattern `^([a-z]$` cannot be compiled"
            ),
            "{pattern}"
        );
        let map_pattern = error_of(json!([classic(
            json!([{"propertyName": "m", "type": "MAP", "mapValidators": {"regexp": "(", "min": 0, "max": 0}}])
        )]));
        assert!(
            map_pattern.contains("pattern `(` cannot be compiled"),
            "{map_pattern}"
        );
        let duplicate = error_of(json!([classic(json!([])), classic(json!([]))]));
        assert_eq!(duplicate, "destination `c` appears more than once");
        let empty = error_of(json!([{"code": " ", "settings": []}]));
        assert_eq!(
            empty,
            "destination #0 (counting from 0): `code` is missing or empty"
        );
        let neither = error_of(json!([{"code": "z"}]));
        assert!(neither.contains("neither `actions`"), "{neither}");
        let nested = error_of(json!([classic(
            json!([{"propertyName": "rows", "type": "MIXED", "properties": [{"propertyName": "x", "type": "blob"}]}])
        )]));
        assert!(
            nested.contains("field `settings.rows.x`: unknown field type `blob`"),
            "{nested}"
        );
        let nameless = error_of(json!([classic(json!([{"type": "STRING"}]))]));
        assert!(
            nameless.contains("field `settings[0]`: has no `propertyName`"),
            "{nameless}"
        );
        let twice = error_of(json!([classic(
            json!([{"propertyName": "k", "type": "STRING"}, {"propertyName": "k", "type": "STRING"}])
        )]));
        assert!(
            twice.contains("field `settings.k`: appears more than once"),
            "{twice}"
        );
        let operator = error_of(json!([action(
            json!([{"propertyName": "u", "type": "string", "dependsOn": {"conditions": [{"fieldKey": "a", "operator": "contains", "value": "x"}]}}])
        )]));
        assert!(
            operator.contains("`dependsOn`: operator `contains`"),
            "{operator}"
        );
        assert!(error_of(json!({"nope": 1})).contains("must be a JSON array"));
        assert!(matches!(
            parse_catalog("[").unwrap_err(),
            CatalogError::Json(_)
        ));
    }
}
