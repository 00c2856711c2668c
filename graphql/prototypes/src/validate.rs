//! Checking a value against its fields: the rules a form shows and the server enforces.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::format;
use crate::model::{
    is_empty, is_mapping_directive, loose_eq, Destination, FieldError, FieldType, PrototypeField,
};
use crate::pattern;
use crate::scope::Scope;

/// Validates `value` (must be a JSON object) against `fields`. Returns every error found
/// (not just the first), paths as dot-joined property names with array indices, e.g.
/// "events.0", "properties.items.2.name".
///
/// Fields whose `depends_on` does not hold are skipped (a form hides them). What a
/// condition sees is decided by [`Scope`], as in forms: a key is looked up among the fields
/// of the object being checked, then of the enclosing objects; a key that names no field
/// at all cannot be decided and its rule counts as satisfied.
pub fn validate(fields: &[PrototypeField], value: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match value.as_object() {
        Some(object) => check_object(
            fields,
            object,
            Extra::Refuse,
            "",
            &mut Scope::default(),
            &|_| false,
            &mut errors,
        ),
        None => errors.push(FieldError::new("", "Must be an object")),
    }
    errors
}

impl Destination {
    /// Validates a configPayload: top-level settings with `validate`, plus each section key:
    /// must be an object `{enabled: bool, ...}`; a section not enabled (or absent) is not
    /// validated beyond being an object; unknown top-level keys that are neither settings nor
    /// section codes are errors. Field errors of a section are prefixed with `"<sectionCode>."`.
    /// A present section without a boolean `enabled` is an error at `"<sectionCode>.enabled"`;
    /// its `subscribe` (the trigger), when present, must be text.
    pub fn validate_config(&self, value: &Value) -> Vec<FieldError> {
        let Some(object) = value.as_object() else {
            return vec![FieldError::new("", "Must be an object")];
        };
        let mut errors = Vec::new();
        let is_section = |key: &str| self.sections.iter().any(|s| s.code == key);
        check_object(
            &self.settings,
            object,
            Extra::Refuse,
            "",
            &mut Scope::default(),
            &is_section,
            &mut errors,
        );
        let mut top = Scope::new(&self.settings, Some(value));
        for section in &self.sections {
            let Some(value) = object.get(&section.code) else {
                continue;
            };
            let Some(section_object) = value.as_object() else {
                errors.push(FieldError::new(
                    &section.code,
                    "Must be an object with `enabled` and the section's fields",
                ));
                continue;
            };
            // `subscribe` is the section's trigger (Segment's FQL), parsed by
            // `houston_events::delivery::subscribe_errors`; here only its type.
            if section_object
                .get("subscribe")
                .is_some_and(|s| !s.is_string())
            {
                errors.push(FieldError::new(
                    join(&section.code, "subscribe"),
                    "Must be text",
                ));
            }
            match section_object.get("enabled") {
                Some(Value::Bool(true)) => check_object(
                    &section.fields,
                    section_object,
                    Extra::Refuse,
                    &section.code,
                    &mut top,
                    &|key| key == "enabled" || key == "subscribe",
                    &mut errors,
                ),
                Some(Value::Bool(false)) => {}
                _ => errors.push(FieldError::new(
                    join(&section.code, "enabled"),
                    "Must be true or false",
                )),
            }
        }
        errors
    }

    /// Validates connection details against the connection fields (see [`validate`]).
    pub fn validate_connection(&self, value: &Value) -> Vec<FieldError> {
        validate(&self.connection_fields, value)
    }
}

/// What to do with keys of an object that are none of its fields.
#[derive(Clone, Copy)]
enum Extra<'f> {
    Refuse,
    Accept,
    /// Check them as entries of this map field.
    MapEntries(&'f PrototypeField),
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Checks `object` against `fields`, inside the objects of `scope` (which it enters for
/// the time of the check).
fn check_object<'a>(
    fields: &'a [PrototypeField],
    object: &'a Map<String, Value>,
    extra: Extra<'_>,
    path: &str,
    scope: &mut Scope<'a>,
    skip_key: &dyn Fn(&str) -> bool,
    errors: &mut Vec<FieldError>,
) {
    scope.enter_object(fields, object);
    for (key, value) in object {
        if skip_key(key) || fields.iter().any(|f| f.property_name == *key) {
            continue;
        }
        match extra {
            Extra::Refuse => errors.push(FieldError::new(join(path, key), "Unknown field")),
            Extra::Accept => {}
            Extra::MapEntries(map) => check_map_value(map, value, &join(path, key), errors),
        }
    }
    for field in fields {
        if !scope.applies(field) {
            continue;
        }
        let value = object.get(&field.property_name);
        let path = join(path, &field.property_name);
        match value {
            Some(Value::String(text))
                if !text.is_empty() && text.trim().is_empty() && scope.requires(field) =>
            {
                errors.push(FieldError::new(
                    path,
                    format!(
                        "{} is required: spaces alone are no value",
                        field.display_name()
                    ),
                ));
            }
            Some(value) if !is_empty(Some(value)) => {
                check_value(field, value, &path, scope, errors)
            }
            _ => {
                if scope.requires(field) {
                    errors.push(FieldError::new(
                        path,
                        format!("{} is required", field.display_name()),
                    ));
                }
            }
        }
    }
    scope.leave();
}

fn check_value<'a>(
    field: &'a PrototypeField,
    value: &'a Value,
    path: &str,
    scope: &mut Scope<'a>,
    errors: &mut Vec<FieldError>,
) {
    if field.mappable && is_mapping_directive(value) {
        return;
    }
    if !field.multiple || field.field_type == FieldType::Array {
        return check_single(field, value, path, scope, errors);
    }
    let Some(items) = value.as_array() else {
        errors.push(FieldError::new(path, "Must be a list"));
        return;
    };
    check_count(field, items.len(), "items", path, errors);
    for (index, item) in items.iter().enumerate() {
        if field.mappable && is_mapping_directive(item) {
            continue;
        }
        check_single(field, item, &format!("{path}.{index}"), scope, errors);
    }
}

fn check_single<'a>(
    field: &'a PrototypeField,
    value: &'a Value,
    path: &str,
    scope: &mut Scope<'a>,
    errors: &mut Vec<FieldError>,
) {
    let mut error = |message: &str| errors.push(FieldError::new(path, message));
    match field.field_type {
        FieldType::Input | FieldType::Text | FieldType::Password | FieldType::Datetime => {
            match value.as_str() {
                Some(text) => check_text(field, text, path, errors),
                None => error("Must be text"),
            }
        }
        FieldType::Number => match value.as_f64() {
            Some(number) => check_number(field, value, number, path, errors),
            None => error("Must be a number"),
        },
        FieldType::Integer => match value.as_f64() {
            Some(number) if number.fract() == 0.0 => {
                check_number(field, value, number, path, errors)
            }
            _ => error("Must be a whole number"),
        },
        FieldType::Boolean => {
            if !value.is_boolean() {
                error("Must be true or false");
            }
        }
        FieldType::Select => {
            if field.choices.is_empty() {
                // Options fetched at run time: any plain value.
                if !(value.is_string() || value.is_number() || value.is_boolean()) {
                    error("Must be text, a number or true/false");
                }
            } else if !in_choices(field, value) {
                error(&one_of(field.choices.iter().map(|c| &c.value)));
            }
        }
        FieldType::Array => {
            let Some(items) = value.as_array() else {
                error("Must be a list of text values");
                return;
            };
            check_count(field, items.len(), "items", path, errors);
            for (index, item) in items.iter().enumerate() {
                if field.mappable && is_mapping_directive(item) {
                    continue;
                }
                let item_path = format!("{path}.{index}");
                match item.as_str() {
                    Some(text) => check_text(field, text, &item_path, errors),
                    None => errors.push(FieldError::new(item_path, "Must be text")),
                }
            }
        }
        FieldType::Map => {
            let Some(object) = value.as_object() else {
                error("Must be an object of key/value pairs");
                return;
            };
            check_count(field, object.len(), "entries", path, errors);
            if field.properties.is_empty() {
                for (key, entry) in object {
                    check_map_value(field, entry, &join(path, key), errors);
                }
            } else {
                check_object(
                    &field.properties,
                    object,
                    Extra::MapEntries(field),
                    path,
                    scope,
                    &|_| false,
                    errors,
                );
            }
        }
        FieldType::Object => {
            let Some(object) = value.as_object() else {
                error("Must be an object");
                return;
            };
            let extra = if field.additional_properties {
                Extra::Accept
            } else {
                Extra::Refuse
            };
            check_object(
                &field.properties,
                object,
                extra,
                path,
                scope,
                &|_| false,
                errors,
            );
        }
    }
}

/// Choices, pattern and format of a string value (or of one item of a list).
fn check_text(field: &PrototypeField, text: &str, path: &str, errors: &mut Vec<FieldError>) {
    if !field.choices.is_empty() && !in_choices(field, &Value::String(text.to_owned())) {
        errors.push(FieldError::new(
            path,
            one_of(field.choices.iter().map(|c| &c.value)),
        ));
        return;
    }
    if let Some(pattern) = field.pattern.as_deref() {
        check_pattern(pattern, text, path, errors);
    }
    let format = match field.format.as_deref() {
        Some(format) if format::is_known(format) => Some(format),
        _ if field.field_type == FieldType::Datetime => Some("date-time"),
        other => other,
    };
    if let Some(message) = format.and_then(|format| format::check(format, text)) {
        errors.push(FieldError::new(path, message));
    }
}

fn check_pattern(pattern: &str, text: &str, path: &str, errors: &mut Vec<FieldError>) {
    match pattern::test(pattern, text) {
        Ok(true) => {}
        Ok(false) => errors.push(FieldError::new(
            path,
            format!("Must match the pattern {pattern}"),
        )),
        Err(why) => errors.push(FieldError::new(
            path,
            format!("Cannot be checked against the pattern {pattern}: {why}"),
        )),
    }
}

fn check_number(
    field: &PrototypeField,
    value: &Value,
    number: f64,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    if !field.choices.is_empty() {
        if !in_choices(field, value) {
            errors.push(FieldError::new(
                path,
                one_of(field.choices.iter().map(|c| &c.value)),
            ));
        }
        return;
    }
    if let Some(minimum) = field.minimum.filter(|minimum| number < *minimum) {
        errors.push(FieldError::new(
            path,
            format!("Must be at least {}", show_number(minimum)),
        ));
    }
    if let Some(maximum) = field.maximum.filter(|maximum| number > *maximum) {
        errors.push(FieldError::new(
            path,
            format!("Must be at most {}", show_number(maximum)),
        ));
    }
}

/// One value of a map: a plain value (or a mapping directive), then the classic
/// `mapValidators`: allowed values, prefixed numbered names, pattern.
fn check_map_value(map: &PrototypeField, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    if map.mappable && is_mapping_directive(value) {
        return;
    }
    let text: Cow<'_, str> = match value {
        Value::String(text) => Cow::Borrowed(text),
        Value::Number(number) => Cow::Owned(number.to_string()),
        Value::Bool(flag) => Cow::Owned(flag.to_string()),
        _ => {
            errors.push(FieldError::new(
                path,
                "Must be text, a number or true/false",
            ));
            return;
        }
    };
    if !map.value_choices.is_empty() {
        // Trimmed: one catalog option is "fb_mobile_content_view " with a stray space.
        if !map.value_choices.iter().any(|c| c.trim() == text.trim()) {
            errors.push(FieldError::new(path, one_of_text(&map.value_choices)));
        }
        return;
    }
    if let Some(prefix) = map.key_prefix.as_deref().filter(|p| !p.is_empty()) {
        let numbered = text
            .strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !numbered {
            errors.push(FieldError::new(
                path,
                format!("Must be {prefix} followed by a number, such as {prefix}1"),
            ));
            return;
        }
    }
    if let Some(pattern) = map.pattern.as_deref() {
        check_pattern(pattern, &text, path, errors);
    }
}

fn check_count(
    field: &PrototypeField,
    count: usize,
    noun: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let count = u64::try_from(count).unwrap_or(u64::MAX);
    if let Some(min) = field.min_items.filter(|min| count < u64::from(*min)) {
        errors.push(FieldError::new(
            path,
            format!("Must have at least {min} {}", plural(noun, min)),
        ));
    }
    if let Some(max) = field.max_items.filter(|max| count > u64::from(*max)) {
        errors.push(FieldError::new(
            path,
            format!("Must have at most {max} {}", plural(noun, max)),
        ));
    }
}

fn plural(noun: &str, count: u32) -> Cow<'_, str> {
    match (count, noun) {
        (1, "entries") => Cow::Borrowed("entry"),
        (1, _) => Cow::Owned(noun.trim_end_matches('s').to_owned()),
        _ => Cow::Borrowed(noun),
    }
}

fn in_choices(field: &PrototypeField, value: &Value) -> bool {
    field
        .choices
        .iter()
        .any(|choice| loose_eq(&choice.value, value))
}

/// At most this many options are listed in a message.
const LISTED_CHOICES: usize = 10;

fn one_of<'v>(values: impl Iterator<Item = &'v Value>) -> String {
    let texts: Vec<String> = values
        .map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();
    one_of_text(&texts)
}

fn one_of_text(texts: &[String]) -> String {
    let shown: Vec<Cow<'_, str>> = texts
        .iter()
        .take(LISTED_CHOICES)
        .map(|text| {
            if text.is_empty() || text.trim() != text {
                Cow::Owned(format!("{text:?}"))
            } else {
                Cow::Borrowed(text.as_str())
            }
        })
        .collect();
    let mut message = format!("Must be one of: {}", shown.join(", "));
    if texts.len() > LISTED_CHOICES {
        message.push_str(&format!(" (and {} more)", texts.len() - LISTED_CHOICES));
    }
    message
}

fn show_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Choice, Condition, ConditionRule, PrototypeSection};
    use serde_json::json;

    fn field(name: &str, field_type: FieldType) -> PrototypeField {
        let mut label = name.to_owned();
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        PrototypeField {
            property_name: name.to_owned(),
            label,
            field_type,
            ..PrototypeField::default()
        }
    }

    fn choices(values: &[Value]) -> Vec<Choice> {
        values
            .iter()
            .map(|value| Choice {
                value: value.clone(),
                label: value.to_string(),
            })
            .collect()
    }

    fn rule(key: Option<&str>, negate: bool, value: Option<Value>) -> ConditionRule {
        ConditionRule {
            field_key: key.map(str::to_owned),
            negate,
            value,
        }
    }

    fn all(rules: Vec<ConditionRule>) -> Option<Condition> {
        Some(Condition {
            match_all: true,
            rules,
        })
    }

    /// The errors of `value` as `(path, message)` pairs.
    fn errors(fields: &[PrototypeField], value: Value) -> Vec<(String, String)> {
        validate(fields, &value)
            .into_iter()
            .map(|e| (e.property_name, e.message))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(path, message)| ((*path).to_owned(), (*message).to_owned()))
            .collect()
    }

    /// A table row: a field, values it accepts, and values it refuses with the message
    /// expected at the field's own path (or at `f.<suffix>` when the message starts with
    /// `.<suffix>: `).
    struct Case {
        field: PrototypeField,
        good: Vec<Value>,
        bad: Vec<(Value, &'static str)>,
    }

    fn run(cases: Vec<Case>) {
        for case in cases {
            let fields = [case.field];
            for good in case.good {
                let found = errors(&fields, json!({ "f": good.clone() }));
                assert!(
                    found.is_empty(),
                    "{:?} should accept {good}, got {found:?}",
                    fields[0].field_type
                );
            }
            for (bad, expected) in case.bad {
                let (path, message) = match expected.strip_prefix('.') {
                    Some(rest) => {
                        let (suffix, message) = rest.split_once(": ").expect("`.suffix: message`");
                        (format!("f.{suffix}"), message)
                    }
                    None => ("f".to_owned(), expected),
                };
                let found = errors(&fields, json!({ "f": bad.clone() }));
                assert_eq!(
                    found,
                    vec![(path, message.to_owned())],
                    "{:?} should refuse {bad}",
                    fields[0].field_type
                );
            }
        }
    }

    #[test]
    fn every_type_against_good_and_bad_values() {
        let mut select = field("f", FieldType::Select);
        select.choices = choices(&[json!("a"), json!("b"), json!(1)]);
        let mut object = field("f", FieldType::Object);
        object.properties = vec![field("x", FieldType::Integer)];
        run(vec![
            Case {
                field: field("f", FieldType::Input),
                good: vec![json!("x"), json!(" ")],
                bad: vec![
                    (json!(5), "Must be text"),
                    (json!(true), "Must be text"),
                    (json!({"a": 1}), "Must be text"),
                ],
            },
            Case {
                field: field("f", FieldType::Text),
                good: vec![json!("line\nline")],
                bad: vec![(json!(["a"]), "Must be text")],
            },
            Case {
                field: field("f", FieldType::Password),
                good: vec![json!("s3cret")],
                bad: vec![(json!(1), "Must be text")],
            },
            Case {
                field: field("f", FieldType::Number),
                good: vec![json!(1), json!(1.5), json!(-3), json!(0)],
                bad: vec![
                    (json!("1"), "Must be a number"),
                    (json!(true), "Must be a number"),
                ],
            },
            Case {
                field: field("f", FieldType::Integer),
                good: vec![json!(2), json!(2.0), json!(-7), json!(0)],
                bad: vec![
                    (json!(2.5), "Must be a whole number"),
                    (json!("2"), "Must be a whole number"),
                ],
            },
            Case {
                field: field("f", FieldType::Boolean),
                good: vec![json!(true), json!(false)],
                bad: vec![
                    (json!("true"), "Must be true or false"),
                    (json!(1), "Must be true or false"),
                ],
            },
            Case {
                field: select,
                good: vec![json!("a"), json!(1), json!("1"), json!(1.0)],
                bad: vec![
                    (json!("c"), "Must be one of: a, b, 1"),
                    (json!(2), "Must be one of: a, b, 1"),
                ],
            },
            Case {
                field: field("f", FieldType::Select),
                good: vec![json!("anything"), json!(3)],
                bad: vec![(json!({"a": 1}), "Must be text, a number or true/false")],
            },
            Case {
                field: field("f", FieldType::Array),
                good: vec![json!(["a", "b"]), json!([])],
                bad: vec![
                    (json!("a"), "Must be a list of text values"),
                    (json!(["a", 1]), ".1: Must be text"),
                    (json!([null]), ".0: Must be text"),
                ],
            },
            Case {
                field: field("f", FieldType::Map),
                good: vec![json!({"k": "v", "n": 1, "b": true}), json!({})],
                bad: vec![
                    (
                        json!({"k": {"x": 1}}),
                        ".k: Must be text, a number or true/false",
                    ),
                    (
                        json!({"k": null}),
                        ".k: Must be text, a number or true/false",
                    ),
                    (json!("k=v"), "Must be an object of key/value pairs"),
                ],
            },
            Case {
                field: object,
                good: vec![json!({"x": 1}), json!({})],
                bad: vec![
                    (json!({"x": "1"}), ".x: Must be a whole number"),
                    (json!({"y": 1}), ".y: Unknown field"),
                    (json!(5), "Must be an object"),
                ],
            },
            Case {
                field: field("f", FieldType::Datetime),
                good: vec![
                    json!("2024-01-31T12:00:00Z"),
                    json!("2024-01-31T12:00:00.250+02:00"),
                ],
                bad: vec![
                    (
                        json!("2024-01-31"),
                        "Must be a date and time, such as 2024-01-31T12:00:00Z",
                    ),
                    (json!(1706702400), "Must be text"),
                ],
            },
        ]);
    }

    #[test]
    fn choices_restrict_other_types() {
        let mut number = field("f", FieldType::Number);
        number.choices = choices(&[json!(1), json!(2)]);
        let mut text = field("f", FieldType::Input);
        text.choices = choices(&[json!("x")]);
        let many: Vec<Value> = (0..12).map(|n| json!(format!("c{n}"))).collect();
        let mut long = field("f", FieldType::Select);
        long.choices = choices(&many);
        let mut blank = field("f", FieldType::Select);
        blank.choices = choices(&[json!(" "), json!("in.")]);
        run(vec![
            Case {
                field: number,
                good: vec![json!(1), json!(2.0)],
                bad: vec![(json!(3), "Must be one of: 1, 2")],
            },
            Case {
                field: text,
                good: vec![json!("x")],
                bad: vec![(json!("y"), "Must be one of: x")],
            },
            Case {
                field: long,
                good: vec![json!("c11")],
                bad: vec![(
                    json!("d"),
                    "Must be one of: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 (and 2 more)",
                )],
            },
            Case {
                field: blank,
                good: vec![json!(" ")],
                bad: vec![(json!("x"), "Must be one of: \" \", in.")],
            },
        ]);
    }

    #[test]
    fn multiple_values_are_lists_checked_item_by_item() {
        let mut integers = field("f", FieldType::Integer);
        integers.multiple = true;
        integers.maximum = Some(9.0);
        let mut multi_select = field("f", FieldType::Select);
        multi_select.multiple = true;
        multi_select.choices = choices(&[json!("a"), json!("b")]);
        let mut rows = field("f", FieldType::Object);
        rows.multiple = true;
        rows.properties = vec![field("x", FieldType::Number)];
        let mut maps = field("f", FieldType::Map);
        maps.multiple = true;
        run(vec![
            Case {
                field: integers,
                good: vec![json!([1, 2]), json!([])],
                bad: vec![
                    (json!(5), "Must be a list"),
                    (json!([1, "x"]), ".1: Must be a whole number"),
                    (json!([1, 10]), ".1: Must be at most 9"),
                ],
            },
            Case {
                field: multi_select,
                good: vec![json!(["a", "b"])],
                bad: vec![
                    (json!(["a", "c"]), ".1: Must be one of: a, b"),
                    (json!("a"), "Must be a list"),
                ],
            },
            Case {
                field: rows,
                good: vec![json!([{"x": 1}, {}])],
                bad: vec![
                    (json!([{"x": 1}, {"x": "a"}]), ".1.x: Must be a number"),
                    (json!([3]), ".0: Must be an object"),
                ],
            },
            Case {
                field: maps,
                good: vec![json!([{"a": "b"}])],
                bad: vec![(
                    json!([{"a": []}]),
                    ".0.a: Must be text, a number or true/false",
                )],
            },
        ]);
    }

    #[test]
    fn minimum_and_maximum_name_the_bound() {
        let mut number = field("f", FieldType::Number);
        number.minimum = Some(1.0);
        number.maximum = Some(10.5);
        let mut integer = field("f", FieldType::Integer);
        integer.minimum = Some(300.0);
        let mut text = field("f", FieldType::Input);
        text.minimum = Some(0.0);
        text.maximum = Some(2.0);
        run(vec![
            Case {
                field: number,
                good: vec![json!(1), json!(10.5), json!(5.25)],
                bad: vec![
                    (json!(0), "Must be at least 1"),
                    (json!(11), "Must be at most 10.5"),
                ],
            },
            Case {
                field: integer,
                good: vec![json!(300), json!(100000)],
                bad: vec![(json!(299), "Must be at least 300")],
            },
            Case {
                field: text,
                good: vec![json!("longer than two")],
                bad: vec![],
            },
        ]);
    }

    #[test]
    fn each_format_is_checked_on_strings() {
        let table = [
            (
                "email",
                "a@b.co",
                "a@b",
                "Must be a valid email address, such as name@example.com",
            ),
            (
                "uri",
                "https://x.io/p",
                "x.io/p",
                "Must be an absolute URI with a scheme, such as https://example.com",
            ),
            (
                "uri-reference",
                "/p?q=1",
                "a b",
                "Must be a URI reference without spaces",
            ),
            (
                "date-time",
                "2024-01-31T00:00:00Z",
                "yesterday",
                "Must be a date and time, such as 2024-01-31T12:00:00Z",
            ),
            (
                "date",
                "2024-02-29",
                "2023-02-29",
                "Must be a date in the form YYYY-MM-DD, such as 2024-01-31",
            ),
            (
                "ipv4",
                "10.0.0.1",
                "10.0.0.256",
                "Must be an IPv4 address, such as 192.168.0.1",
            ),
            (
                "uuid",
                "123e4567-e89b-12d3-a456-426614174000",
                "123e4567",
                "Must be a UUID, such as 123e4567-e89b-12d3-a456-426614174000",
            ),
            (
                "hostname",
                "events.launchdarkly.com",
                "a_b.com",
                "Must be a valid host name, such as api.example.com",
            ),
            (
                "color",
                "#00ff00",
                "greenish",
                "Must be a CSS color, such as #ff0000, rgba(49, 49, 49, 0.9), hsl(120, 50%, 50%) or red",
            ),
            ("text", "anything at all", "", ""),
            ("password", "anything", "", ""),
        ];
        for (format, good, bad, message) in table {
            for field_type in [FieldType::Input, FieldType::Password, FieldType::Array] {
                let mut f = field("f", field_type);
                f.format = Some(format.to_owned());
                let wrap = |text: &str| {
                    if field_type == FieldType::Array {
                        json!({ "f": [text] })
                    } else {
                        json!({ "f": text })
                    }
                };
                let path = if field_type == FieldType::Array {
                    "f.0"
                } else {
                    "f"
                };
                assert_eq!(
                    errors(&[f.clone()], wrap(good)),
                    vec![],
                    "{format} accepts {good}"
                );
                if !message.is_empty() {
                    assert_eq!(
                        errors(&[f], wrap(bad)),
                        pairs(&[(path, message)]),
                        "{format} refuses {bad}"
                    );
                }
            }
        }
        let mut date_only = field("f", FieldType::Datetime);
        date_only.format = Some("date".to_owned());
        assert_eq!(
            errors(&[date_only], json!({"f": "2024-01-31"})),
            vec![],
            "an explicit date format wins"
        );
    }

    #[test]
    fn patterns_apply_to_strings_list_items_and_map_values() {
        let mut digits = field("f", FieldType::Input);
        digits.pattern = Some(r"^\d+$".to_owned());
        let mut list = field("f", FieldType::Array);
        list.pattern = Some("^UA-".to_owned());
        let mut map = field("f", FieldType::Map);
        map.pattern = Some("^[a-z]+$".to_owned());
        run(vec![
            Case {
                field: digits,
                good: vec![json!("12")],
                bad: vec![(json!("1a"), r"Must match the pattern ^\d+$")],
            },
            Case {
                field: list,
                good: vec![json!(["UA-1-1"])],
                bad: vec![(json!(["UA-1", "GA"]), ".1: Must match the pattern ^UA-")],
            },
            Case {
                field: map,
                good: vec![json!({"k": "abc"})],
                bad: vec![(json!({"k": "ABC"}), ".k: Must match the pattern ^[a-z]+$")],
            },
        ]);
        let mut broken = field("f", FieldType::Input);
        broken.pattern = Some("([".to_owned());
        let found = errors(&[broken], json!({"f": "x"}));
        assert!(
            found[0]
                .1
                .starts_with("Cannot be checked against the pattern (["),
            "{found:?}"
        );
    }

    #[test]
    fn map_validators() {
        let mut evars = field("f", FieldType::Map);
        evars.key_prefix = Some("eVar".to_owned());
        evars.max_items = Some(2);
        let mut options = field("f", FieldType::Map);
        options.value_choices = vec![
            "Lead".to_owned(),
            "fb_mobile_content_view ".to_owned(),
            "3".to_owned(),
        ];
        options.min_items = Some(1);
        run(vec![
            Case {
                field: evars,
                good: vec![json!({"plan": "eVar12", "seats": "eVar1"})],
                bad: vec![
                    (
                        json!({"plan": "eVarX"}),
                        ".plan: Must be eVar followed by a number, such as eVar1",
                    ),
                    (
                        json!({"plan": "12"}),
                        ".plan: Must be eVar followed by a number, such as eVar1",
                    ),
                    (
                        json!({"a": "eVar1", "b": "eVar2", "c": "eVar3"}),
                        "Must have at most 2 entries",
                    ),
                ],
            },
            Case {
                field: options,
                good: vec![
                    json!({"Signed Up": "Lead"}),
                    json!({"Viewed": "fb_mobile_content_view"}),
                    json!({"x": 3}),
                ],
                bad: vec![
                    (
                        json!({"Signed Up": "Purchase"}),
                        ".Signed Up: Must be one of: Lead, \"fb_mobile_content_view \", 3",
                    ),
                    (json!({}), "Must have at least 1 entry"),
                ],
            },
        ]);
    }

    #[test]
    fn required_means_present_and_not_empty() {
        let mut name = field("name", FieldType::Input);
        name.required = true;
        let mut flag = field("flag", FieldType::Boolean);
        flag.required = true;
        let mut count = field("count", FieldType::Number);
        count.required = true;
        let fields = [name, flag, count];
        let missing = |path: &str, label: &str| (path.to_owned(), format!("{label} is required"));
        for empty in [json!(null), json!(""), json!([])] {
            assert_eq!(
                errors(&fields, json!({"name": empty, "flag": false, "count": 0})),
                vec![missing("name", "Name")],
                "{empty} is missing"
            );
        }
        assert_eq!(
            errors(&fields, json!({})),
            vec![
                missing("name", "Name"),
                missing("flag", "Flag"),
                missing("count", "Count")
            ],
            "every error is reported"
        );
        let mut unlabelled = field("key", FieldType::Input);
        unlabelled.label = String::new();
        unlabelled.required = true;
        assert_eq!(
            errors(&[unlabelled], json!({})),
            vec![missing("key", "key")]
        );
    }

    #[test]
    fn a_required_value_of_only_spaces_is_refused() {
        let mut key = field("apiKey", FieldType::Password);
        key.required = true;
        let mut region = field("region", FieldType::Input);
        region.required_if = all(vec![rule(Some("apiKey"), true, None)]);
        let note = field("note", FieldType::Input);
        let fields = [key, region, note];
        assert_eq!(
            errors(
                &fields,
                json!({"apiKey": "   ", "region": "\t\n", "note": "  "})
            ),
            pairs(&[
                ("apiKey", "ApiKey is required: spaces alone are no value"),
                ("region", "Region is required: spaces alone are no value"),
            ]),
            "spaces are refused where a value is required, and only there"
        );
        assert_eq!(
            errors(&fields, json!({"apiKey": " k ", "region": " eu"})),
            vec![],
            "a value with spaces around it is a value"
        );
    }

    #[test]
    fn empty_optional_values_are_not_checked() {
        let mut email = field("f", FieldType::Input);
        email.format = Some("email".to_owned());
        email.pattern = Some("^.{8,}$".to_owned());
        for empty in [json!(null), json!(""), json!([])] {
            assert_eq!(errors(&[email.clone()], json!({"f": empty})), vec![]);
        }
    }

    #[test]
    fn required_if_makes_a_field_required() {
        let kind = field("type", FieldType::Input);
        let mut event = field("event", FieldType::Input);
        event.required_if = all(vec![rule(Some("type"), false, Some(json!("track")))]);
        let mut alias = field("alias", FieldType::Input);
        alias.required_if = all(vec![rule(Some("email"), false, None)]);
        let email = field("email", FieldType::Input);
        let fields = [kind, event, alias, email].map(|mut f| {
            f.mappable = true;
            f
        });
        assert_eq!(
            errors(&fields, json!({"type": "track", "email": "a@b.co"})),
            pairs(&[("event", "Event is required")])
        );
        assert_eq!(
            errors(&fields, json!({"type": "page", "email": "a@b.co"})),
            vec![]
        );
        assert_eq!(
            errors(&fields, json!({"type": "page"})),
            pairs(&[("alias", "Alias is required")]),
            "required when the other field is empty"
        );
        assert_eq!(
            errors(
                &fields,
                json!({"type": {"@path": "$.type"}, "email": {"@path": "$.email"}})
            ),
            pairs(&[("event", "Event is required")]),
            "a mapped sibling cannot be compared, so the rule counts as satisfied; it is not empty"
        );
    }

    #[test]
    fn depends_on_hides_fields() {
        let broadcast = field("broadcast", FieldType::Boolean);
        let mut audience = field("audience", FieldType::Number);
        audience.required = true;
        audience.depends_on = all(vec![rule(Some("broadcast"), false, Some(json!(true)))]);
        let mut recipients = field("recipients", FieldType::Input);
        recipients.depends_on = all(vec![rule(Some("broadcast"), true, Some(json!(true)))]);
        let fields = [broadcast, audience, recipients];
        assert_eq!(
            errors(
                &fields,
                json!({"broadcast": false, "audience": "not checked", "recipients": "x"})
            ),
            vec![],
            "a hidden field is neither checked nor required"
        );
        assert_eq!(
            errors(&fields, json!({"broadcast": true, "audience": "x"})),
            pairs(&[("audience", "Must be a number")])
        );
        assert_eq!(
            errors(&fields, json!({"broadcast": true})),
            pairs(&[("audience", "Audience is required")])
        );
        assert_eq!(
            errors(
                &fields,
                json!({"broadcast": true, "audience": 1, "recipients": 5})
            ),
            vec![],
            "recipients is hidden when broadcast is true"
        );
        let mut sync = field("sync", FieldType::Number);
        sync.required = true;
        sync.depends_on = all(vec![rule(None, false, Some(json!("upsert")))]);
        assert_eq!(
            errors(&[sync], json!({})),
            pairs(&[("sync", "Sync is required")]),
            "rules on the event count as satisfied"
        );
    }

    #[test]
    fn conditions_in_nested_objects_see_enclosing_fields() {
        let event = field("event", FieldType::Input);
        let mut kind = field("viewcontent_type", FieldType::Input);
        kind.required = true;
        kind.depends_on = Some(Condition {
            match_all: false,
            rules: vec![rule(Some("event"), false, Some(json!("ViewContent")))],
        });
        let mut internal = field("item", FieldType::Input);
        internal.required_if = all(vec![rule(
            Some("__segment_internal_sync_mode"),
            false,
            Some(json!("upsert")),
        )]);
        let mut vehicle = field("vehicle", FieldType::Object);
        vehicle.properties = vec![kind, internal];
        let fields = [event, vehicle];
        assert_eq!(
            errors(&fields, json!({"event": "ViewContent", "vehicle": {}})),
            pairs(&[
                ("vehicle.viewcontent_type", "Viewcontent_type is required"),
                ("vehicle.item", "Item is required")
            ])
        );
        assert_eq!(
            errors(
                &fields,
                json!({"event": "Purchase", "vehicle": {"viewcontent_type": 5, "item": "x"}})
            ),
            vec![],
            "hidden by a condition on the enclosing object; unknown keys are undecidable"
        );
    }

    #[test]
    fn condition_holds_on_siblings() {
        let siblings = json!({"a": "x", "b": ["p", "q"], "c": "", "d": true});
        let siblings = siblings.as_object().expect("object");
        let check = |match_all: bool, rules: Vec<ConditionRule>| {
            Condition { match_all, rules }.holds(siblings)
        };
        assert!(check(true, vec![rule(Some("a"), false, Some(json!("x")))]));
        assert!(!check(true, vec![rule(Some("a"), true, Some(json!("x")))]));
        assert!(
            check(true, vec![rule(Some("a"), false, Some(json!(["w", "x"])))]),
            "a list is one of"
        );
        assert!(
            check(true, vec![rule(Some("b"), false, Some(json!("q")))]),
            "a list value contains"
        );
        assert!(
            check(
                true,
                vec![
                    rule(Some("c"), false, None),
                    rule(Some("zz"), false, Some(json!(null)))
                ]
            ),
            "empty"
        );
        assert!(
            check(true, vec![rule(Some("a"), true, None)]),
            "is not empty"
        );
        assert!(!check(
            true,
            vec![
                rule(Some("d"), false, Some(json!(false))),
                rule(None, false, Some(json!("track")))
            ]
        ));
        assert!(check(
            false,
            vec![
                rule(Some("d"), false, Some(json!(false))),
                rule(Some("d"), false, Some(json!(true)))
            ]
        ));
        assert!(!check(
            false,
            vec![rule(Some("d"), false, Some(json!(false)))]
        ));
        assert!(check(false, vec![]), "no rules: holds");
        assert!(
            check(true, vec![rule(None, true, Some(json!("delete")))]),
            "event rules are undecidable"
        );
    }

    #[test]
    fn unknown_keys() {
        let mut closed = field("o", FieldType::Object);
        closed.properties = vec![field("x", FieldType::Input)];
        let mut open = closed.clone();
        open.property_name = "p".to_owned();
        open.additional_properties = true;
        let fields = [closed, open, field("m", FieldType::Map)];
        assert_eq!(
            errors(
                &fields,
                json!({"o": {"x": "1", "y": 2}, "p": {"y": [1]}, "m": {"any": "thing"}, "extra": 1})
            ),
            pairs(&[("extra", "Unknown field"), ("o.y", "Unknown field")])
        );
        assert_eq!(errors(&[], json!([])), pairs(&[("", "Must be an object")]));
        assert_eq!(errors(&[], json!("x")), pairs(&[("", "Must be an object")]));
    }

    #[test]
    fn nested_paths_use_dots_and_indices() {
        let mut name = field("name", FieldType::Input);
        name.required = true;
        let mut items = field("items", FieldType::Object);
        items.multiple = true;
        items.properties = vec![name];
        let mut properties = field("properties", FieldType::Object);
        properties.properties = vec![items];
        assert_eq!(
            errors(
                &[properties],
                json!({"properties": {"items": [{"name": "a"}, {"name": "b"}, {}]}})
            ),
            pairs(&[("properties.items.2.name", "Name is required")])
        );
    }

    #[test]
    fn mapping_directives_replace_literals_in_mappable_fields() {
        let mut number = field("n", FieldType::Number);
        number.mappable = true;
        let mut list = field("l", FieldType::Array);
        list.mappable = true;
        let mut map = field("m", FieldType::Map);
        map.mappable = true;
        let mut object = field("o", FieldType::Object);
        object.mappable = true;
        let mut inner = field("email", FieldType::Input);
        inner.mappable = true;
        inner.format = Some("email".to_owned());
        object.properties = vec![inner];
        let fields = [number, list, map, object];
        let directive = json!({"@path": "$.properties.total"});
        assert_eq!(
            errors(
                &fields,
                json!({"n": directive, "l": directive, "m": directive, "o": directive})
            ),
            vec![]
        );
        assert_eq!(
            errors(
                &fields,
                json!({
                    "l": ["a", {"@path": "$.x"}],
                    "m": {"a": {"@if": {"exists": {"@path": "$.a"}}, "@else": "b"}},
                    "o": {"email": {"@template": "{{traits.email}}"}}
                })
            ),
            vec![]
        );
        assert_eq!(
            errors(
                &fields,
                json!({"n": {"@path": "$.x", "other": 1}, "o": {"email": {}}})
            ),
            pairs(&[("n", "Must be a number"), ("o.email", "Must be text")]),
            "only objects whose keys all start with @ are directives"
        );
        let mut literal = field("n", FieldType::Number);
        literal.mappable = false;
        assert_eq!(
            errors(&[literal], json!({"n": directive})),
            pairs(&[("n", "Must be a number")])
        );
    }

    fn sectioned() -> Destination {
        let mut user_id = field("userId", FieldType::Input);
        user_id.required = true;
        user_id.mappable = true;
        let mut region = field("region", FieldType::Input);
        region.required_if = all(vec![rule(Some("mode"), false, Some(json!("eu")))]);
        Destination {
            code: "d".to_owned(),
            name: "D".to_owned(),
            settings: vec![field("mode", FieldType::Input)],
            sections: vec![
                PrototypeSection {
                    code: "track".to_owned(),
                    label: "Track".to_owned(),
                    default_enabled: true,
                    fields: vec![user_id, region],
                    ..PrototypeSection::default()
                },
                PrototypeSection {
                    code: "identify".to_owned(),
                    label: "Identify".to_owned(),
                    fields: vec![field("traits", FieldType::Map)],
                    ..PrototypeSection::default()
                },
            ],
            ..Destination::default()
        }
    }

    fn config_errors(destination: &Destination, value: Value) -> Vec<(String, String)> {
        destination
            .validate_config(&value)
            .into_iter()
            .map(|e| (e.property_name, e.message))
            .collect()
    }

    #[test]
    fn sections_are_checked_when_enabled() {
        let d = sectioned();
        assert_eq!(
            config_errors(
                &d,
                json!({"mode": "us", "track": {"enabled": true, "userId": {"@path": "$.userId"}}})
            ),
            vec![]
        );
        assert_eq!(
            config_errors(
                &d,
                json!({"mode": "eu", "track": {"enabled": true, "extra": 1}, "identify": {"enabled": false, "traits": 5}})
            ),
            pairs(&[
                ("track.extra", "Unknown field"),
                ("track.userId", "UserId is required"),
                ("track.region", "Region is required"),
            ]),
            "a section's conditions see the top level; a disabled section is not checked"
        );
        assert_eq!(
            config_errors(
                &d,
                json!({"track": {"userId": "u"}, "identify": [], "other": true})
            ),
            pairs(&[
                ("other", "Unknown field"),
                ("track.enabled", "Must be true or false"),
                (
                    "identify",
                    "Must be an object with `enabled` and the section's fields"
                ),
            ])
        );
        assert_eq!(
            config_errors(&d, json!(null)),
            pairs(&[("", "Must be an object")])
        );
        assert_eq!(d.validate_connection(&json!({})), vec![]);
    }
}
