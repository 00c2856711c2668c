//! The real catalogs (the copies the server ships): every destination loads, its default
//! configuration completed with generated values passes validation, and broken values are
//! refused at the right place.

use std::sync::OnceLock;

use houston_prototypes::{
    defaults, parse_catalog, validate, Condition, Destination, FieldError, FieldType,
    PrototypeField,
};
use serde_json::{json, Map, Value};

const ACTIONS: &str = include_str!("../../server/catalog/segment-actions.json");
const ACTIONS_SMALL: &str = include_str!("../../server/catalog/segment-actions-small.json");
const CLASSIC: &str = include_str!("../../server/catalog/segment-classic-2019.json");

fn actions() -> &'static [Destination] {
    static PARSED: OnceLock<Vec<Destination>> = OnceLock::new();
    PARSED.get_or_init(|| parse_catalog(ACTIONS).expect("the action catalog parses"))
}

fn classic() -> &'static [Destination] {
    static PARSED: OnceLock<Vec<Destination>> = OnceLock::new();
    PARSED.get_or_init(|| parse_catalog(CLASSIC).expect("the classic catalog parses"))
}

fn everything() -> impl Iterator<Item = &'static Destination> {
    actions().iter().chain(classic())
}

#[test]
fn every_destination_loads() {
    assert_eq!(actions().len(), 216);
    assert_eq!(classic().len(), 267);
    // Both formats in one catalog, detected entry by entry; no code is shared.
    let both = format!(
        "[{}, {}]",
        ACTIONS.trim().trim_start_matches('[').trim_end_matches(']'),
        CLASSIC.trim().trim_start_matches('[').trim_end_matches(']')
    );
    let merged = parse_catalog(&both).expect("a mixed catalog parses");
    assert_eq!(merged.len(), 483);
    assert_eq!(
        merged.iter().filter(|d| !d.sections.is_empty()).count(),
        216,
        "action destinations have sections"
    );

    let small = parse_catalog(ACTIONS_SMALL).expect("the small catalog parses");
    assert_eq!(small.len(), 12);
    for destination in &small {
        let full = actions().iter().find(|d| d.code == destination.code);
        assert_eq!(
            full,
            Some(destination),
            "the small catalog is a subset of the full one"
        );
    }
    let wrapped =
        parse_catalog(&format!("{{\"destinations\": {ACTIONS_SMALL}}}")).expect("wrapped");
    assert_eq!(wrapped, small);
}

#[test]
fn the_catalogs_have_the_expected_shape() {
    let sections: usize = actions().iter().map(|d| d.sections.len()).sum();
    assert_eq!(sections, 603, "one section per action");
    fn count(fields: &[PrototypeField]) -> usize {
        fields.iter().map(|f| 1 + count(&f.properties)).sum()
    }
    let action_fields: usize = actions()
        .iter()
        .map(|d| {
            count(&d.connection_fields)
                + count(&d.settings)
                + d.sections.iter().map(|s| count(&s.fields)).sum::<usize>()
        })
        .sum();
    assert_eq!(action_fields, 10_243, "every field definition is kept");
    let schemes = actions()
        .iter()
        .filter(|d| d.connection_scheme.is_some())
        .count();
    assert_eq!(
        schemes, 212,
        "four action destinations have no connection scheme"
    );
    for destination in actions() {
        assert_eq!(
            destination.platforms,
            [
                "analytics.js",
                "server",
                "analytics-android",
                "analytics-ios"
            ]
        );
        assert!(destination
            .sections
            .iter()
            .all(|s| s.fields.iter().all(|f| f.mappable)));
        assert!(destination.connection_fields.iter().all(|f| !f.mappable));
        assert!(
            walk(&destination.connection_fields)
                .all(|f| f.secret == (f.field_type == FieldType::Password)),
            "{}: passwords and secrets go together",
            destination.code
        );
    }
    let enabled: usize = actions()
        .iter()
        .flat_map(|d| &d.sections)
        .filter(|s| s.default_enabled)
        .count();
    assert_eq!(
        enabled, 452,
        "sections with a default subscription start enabled"
    );
    for destination in classic() {
        assert!(destination.sections.is_empty());
        assert!(
            !destination.categories.is_empty(),
            "{} has categories",
            destination.code
        );
        assert!(
            !destination.platforms.is_empty(),
            "{} has platforms",
            destination.code
        );
    }
    let every_type: std::collections::HashSet<FieldType> = everything()
        .flat_map(|d| all_fields(d).collect::<Vec<_>>())
        .map(|f| f.field_type)
        .collect();
    assert_eq!(
        every_type.len(),
        FieldType::ALL.len(),
        "the catalogs use every field type"
    );
}

#[test]
fn acquisio_is_the_seed_destination() {
    let acquisio = classic()
        .iter()
        .find(|d| d.code == "acquisio")
        .expect("acquisio exists");
    assert_eq!(acquisio.platforms, ["analytics.js"]);
    let api_key = &acquisio.connection_fields[0];
    assert_eq!(acquisio.connection_fields.len(), 1);
    assert_eq!(
        (
            api_key.property_name.as_str(),
            api_key.secret,
            api_key.required
        ),
        ("apiKey", true, true)
    );
    let names: Vec<&str> = acquisio
        .settings
        .iter()
        .map(|f| f.property_name.as_str())
        .collect();
    assert_eq!(names, ["advertiserId", "events"]);
    assert_eq!(acquisio.settings[1].field_type, FieldType::Array);
    assert_eq!(
        acquisio.validate_config(&json!({"events": ["fvsbvsdfbsdfb"]})),
        vec![]
    );
    assert_eq!(
        acquisio.validate_connection(&json!({"apiKey": "123"})),
        vec![]
    );
    assert_eq!(
        acquisio.validate_connection(&json!({})),
        vec![FieldError {
            property_name: "apiKey".into(),
            message: "API Key is required".into()
        }]
    );
}

// ---------------------------------------------------------------------------------------
// A generator of valid values for any field.

/// The objects enclosing the one being filled, innermost last: their fields and values.
type Chain<'a> = Vec<(&'a [PrototypeField], Map<String, Value>)>;

/// Resolves a condition's key the documented way: among the fields (or values) of the
/// innermost object first, then outwards; `None` when no object has it.
fn lookup<'v>(
    chain: &'v [(&[PrototypeField], Map<String, Value>)],
    key: &str,
) -> Option<Option<&'v Value>> {
    chain.iter().rev().find_map(|(fields, values)| {
        (values.contains_key(key) || fields.iter().any(|f| f.property_name == key))
            .then(|| values.get(key))
    })
}

fn empty(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null))
        || value == Some(&json!(""))
        || value == Some(&json!([]))
}

fn directive(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| !o.is_empty() && o.keys().all(|k| k.starts_with('@')))
}

/// The same semantics as the crate, written independently.
fn holds(condition: &Condition, chain: &[(&[PrototypeField], Map<String, Value>)]) -> bool {
    let rule_holds = |rule: &houston_prototypes::ConditionRule| {
        let Some(key) = &rule.field_key else {
            return true;
        };
        let Some(actual) = lookup(chain, key) else {
            return true;
        };
        let matched = match &rule.value {
            None | Some(Value::Null) => empty(actual),
            Some(_) if actual.is_some_and(directive) => return true,
            Some(Value::Array(options)) => actual.is_some_and(|a| options.contains(a)),
            Some(expected) => actual.is_some_and(|a| {
                a == expected || a.as_array().is_some_and(|l| l.contains(expected))
            }),
        };
        matched != rule.negate
    };
    if condition.rules.is_empty() {
        true
    } else if condition.match_all {
        condition.rules.iter().all(rule_holds)
    } else {
        condition.rules.iter().any(rule_holds)
    }
}

fn format_sample(format: Option<&str>) -> &'static str {
    match format {
        Some("email") => "person@example.com",
        Some("uri") => "https://example.com/path",
        Some("uri-reference") => "/path",
        Some("date-time") => "2024-01-31T12:00:00Z",
        Some("date") => "2024-01-31",
        Some("ipv4") => "192.168.0.1",
        Some("uuid") => "123e4567-e89b-12d3-a456-426614174000",
        Some("hostname") => "api.example.com",
        Some("color") => "#ff0000",
        _ => "sample",
    }
}

/// A string matching a JavaScript pattern: the first alternative, one occurrence of each
/// optional part, the least count of each repetition, the first character of each class.
fn pattern_sample(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut at = 0;
    let out = alternatives(&chars, &mut at);
    assert_eq!(at, chars.len(), "the generator read all of {pattern}");
    out
}

fn alternatives(chars: &[char], at: &mut usize) -> String {
    let mut options = vec![sequence(chars, at)];
    while chars.get(*at) == Some(&'|') {
        *at += 1;
        options.push(sequence(chars, at));
    }
    options
        .into_iter()
        .find(|o| !o.is_empty())
        .unwrap_or_default()
}

fn sequence(chars: &[char], at: &mut usize) -> String {
    let mut out = String::new();
    while let Some(&c) = chars.get(*at) {
        let piece = match c {
            '|' | ')' => break,
            '^' | '$' => {
                *at += 1;
                continue;
            }
            '(' => {
                *at += 1;
                let rest: String = chars[*at..].iter().take(3).collect();
                let lookaround = rest.starts_with("?=")
                    || rest.starts_with("?!")
                    || rest.starts_with("?<=")
                    || rest.starts_with("?<!");
                if lookaround {
                    *at += if rest.starts_with("?<") { 3 } else { 2 };
                } else if rest.starts_with("?:") {
                    *at += 2;
                }
                let inner = alternatives(chars, at);
                assert_eq!(chars.get(*at), Some(&')'), "a group closes");
                *at += 1;
                if lookaround {
                    continue;
                }
                inner
            }
            '[' => class(chars, at).to_string(),
            '\\' => {
                *at += 2;
                escape_char(chars[*at - 1]).to_string()
            }
            '.' => {
                *at += 1;
                "a".to_owned()
            }
            literal => {
                *at += 1;
                literal.to_string()
            }
        };
        let times = quantifier(chars, at);
        out.push_str(&piece.repeat(times));
    }
    out
}

fn escape_char(c: char) -> char {
    match c {
        'd' => '0',
        'w' | 'S' | 'D' => 'a',
        's' => ' ',
        'W' => '-',
        other => other,
    }
}

fn class(chars: &[char], at: &mut usize) -> char {
    *at += 1;
    let negated = chars.get(*at) == Some(&'^');
    if negated {
        *at += 1;
    }
    let mut ranges: Vec<(char, char)> = Vec::new();
    let mut whitespace = false;
    while chars[*at] != ']' {
        let mut single = chars[*at];
        if single == '\\' {
            *at += 1;
            match chars[*at] {
                's' => whitespace = true,
                'd' => ranges.push(('0', '9')),
                'w' => ranges.extend([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
                other => single = other,
            }
            if matches!(chars[*at], 's' | 'd' | 'w') {
                *at += 1;
                continue;
            }
        }
        *at += 1;
        if chars[*at] == '-' && chars[*at + 1] != ']' {
            ranges.push((single, chars[*at + 1]));
            *at += 2;
        } else {
            ranges.push((single, single));
        }
    }
    *at += 1;
    let inside = |c: char| {
        (whitespace && c.is_whitespace())
            || ranges.iter().any(|(low, high)| (*low..=*high).contains(&c))
    };
    if negated {
        ['a', 'x', '0', 'Z', '_']
            .into_iter()
            .find(|c| !inside(*c))
            .expect("some character is outside")
    } else if whitespace && ranges.is_empty() {
        ' '
    } else {
        ranges[0].0
    }
}

fn quantifier(chars: &[char], at: &mut usize) -> usize {
    let times = match chars.get(*at) {
        Some('?' | '*' | '+') => {
            *at += 1;
            1
        }
        Some('{') => {
            let close = chars[*at..]
                .iter()
                .position(|&c| c == '}')
                .expect("a quantifier closes");
            let inside: String = chars[*at + 1..*at + close].iter().collect();
            *at += close + 1;
            let least: usize = inside
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a count");
            least.max(1)
        }
        _ => return 1,
    };
    if chars.get(*at) == Some(&'?') {
        *at += 1;
    }
    times
}

/// A valid string for a field: its format's example, else one made from its pattern.
fn text_sample(field: &PrototypeField) -> String {
    let format = match field.field_type {
        FieldType::Datetime => Some(
            field
                .format
                .as_deref()
                .filter(|f| *f == "date")
                .unwrap_or("date-time"),
        ),
        _ => field.format.as_deref(),
    };
    let candidate = format_sample(format).to_owned();
    match &field.pattern {
        Some(pattern) if !matches_alone(field, &json!(candidate)) => pattern_sample(pattern),
        _ => candidate,
    }
}

/// Whether `value` passes `field` when checked on its own.
fn matches_alone(field: &PrototypeField, value: &Value) -> bool {
    validate(
        std::slice::from_ref(field),
        &json!({ &field.property_name: value }),
    )
    .is_empty()
}

fn number_sample(field: &PrototypeField) -> Value {
    let number = match (field.minimum, field.maximum) {
        (Some(min), _) => min.ceil(),
        (None, Some(max)) => max.floor().min(1.0),
        (None, None) => 1.0,
    };
    json!(number as i64)
}

fn map_sample(field: &PrototypeField) -> Value {
    let value = if let Some(first) = field.value_choices.first() {
        json!(first.trim())
    } else if let Some(prefix) = &field.key_prefix {
        json!(format!("{prefix}1"))
    } else if let Some(pattern) = &field.pattern {
        json!(pattern_sample(pattern))
    } else {
        json!("value")
    };
    let entries = field.min_items.unwrap_or(1).max(1);
    let mut object: Map<String, Value> = (1..=entries)
        .map(|n| (format!("key{n}"), value.clone()))
        .collect();
    fill(&field.properties, &mut object, &mut Vec::new());
    Value::Object(object)
}

fn one_sample<'f>(field: &'f PrototypeField, chain: &mut Chain<'f>) -> Value {
    if let Some(choice) = field.choices.first() {
        return choice.value.clone();
    }
    match field.field_type {
        FieldType::Input | FieldType::Text | FieldType::Password | FieldType::Datetime => {
            json!(text_sample(field))
        }
        FieldType::Number | FieldType::Integer => number_sample(field),
        FieldType::Boolean => json!(true),
        FieldType::Select => json!("option"),
        FieldType::Array => json!([text_sample(field)]),
        FieldType::Map => map_sample(field),
        FieldType::Object => {
            let mut object = Map::new();
            fill(&field.properties, &mut object, chain);
            Value::Object(object)
        }
    }
}

fn sample<'f>(field: &'f PrototypeField, chain: &mut Chain<'f>) -> Value {
    let value = one_sample(field, chain);
    if field.multiple && field.field_type != FieldType::Array {
        json!([value])
    } else {
        value
    }
}

/// Gives every visible required field of `object` a value (keeping the ones it has), then
/// does the same inside the objects it holds; repeats until nothing changes, as a value may
/// make other fields visible or required.
fn fill<'f>(fields: &'f [PrototypeField], object: &mut Map<String, Value>, chain: &mut Chain<'f>) {
    chain.push((fields, std::mem::take(object)));
    for _round in 0..5 {
        let mut changed = false;
        for field in fields {
            let visible = field.depends_on.as_ref().is_none_or(|c| holds(c, chain));
            let values = &chain.last().expect("pushed").1;
            let value = values.get(&field.property_name);
            let required =
                field.required || field.required_if.as_ref().is_some_and(|c| holds(c, chain));
            if !visible {
                continue;
            }
            if empty(value) {
                if required {
                    let generated = sample(field, chain);
                    chain
                        .last_mut()
                        .expect("pushed")
                        .1
                        .insert(field.property_name.clone(), generated);
                    changed = true;
                }
                continue;
            }
            // Fill the required fields of objects already there (from defaults).
            if field.field_type == FieldType::Object && !field.properties.is_empty() {
                let mut current = chain
                    .last_mut()
                    .expect("pushed")
                    .1
                    .remove(&field.property_name)
                    .expect("present");
                let before = current.clone();
                match &mut current {
                    Value::Object(inner) if !directive(&before) => {
                        fill(&field.properties, inner, chain)
                    }
                    Value::Array(items) if field.multiple => {
                        for item in items.iter_mut() {
                            if let Value::Object(inner) = item {
                                if !directive(&before) {
                                    fill(&field.properties, inner, chain);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                changed |= current != before;
                chain
                    .last_mut()
                    .expect("pushed")
                    .1
                    .insert(field.property_name.clone(), current);
            }
        }
        if !changed {
            break;
        }
    }
    *object = chain.pop().expect("pushed").1;
}

/// The default configuration with every section switched on (or left as it is) and every
/// visible required field given a value.
fn complete_config(destination: &Destination, enable_all: bool) -> Value {
    let Value::Object(mut config) = destination.default_config() else {
        panic!("an object")
    };
    let mut settings: Map<String, Value> = config
        .iter()
        .filter(|(k, _)| destination.settings.iter().any(|f| &f.property_name == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fill(&destination.settings, &mut settings, &mut Vec::new());
    for section in &destination.sections {
        let Some(Value::Object(object)) = config.get_mut(&section.code) else {
            panic!("each section has an object")
        };
        if enable_all {
            object.insert("enabled".into(), json!(true));
        }
        if object.get("enabled") == Some(&json!(true)) {
            let mut chain: Chain<'_> = vec![(&destination.settings, settings.clone())];
            fill(&section.fields, object, &mut chain);
        }
    }
    config.extend(settings);
    Value::Object(config)
}

fn complete_connection(destination: &Destination) -> Value {
    let Value::Object(mut connection) = defaults(&destination.connection_fields) else {
        panic!("an object")
    };
    fill(
        &destination.connection_fields,
        &mut connection,
        &mut Vec::new(),
    );
    Value::Object(connection)
}

fn walk(fields: &[PrototypeField]) -> Box<dyn Iterator<Item = &PrototypeField> + '_> {
    Box::new(
        fields
            .iter()
            .flat_map(|f| std::iter::once(f).chain(walk(&f.properties))),
    )
}

fn all_fields(destination: &Destination) -> impl Iterator<Item = &PrototypeField> {
    walk(&destination.connection_fields)
        .chain(walk(&destination.settings))
        .chain(destination.sections.iter().flat_map(|s| walk(&s.fields)))
}

#[test]
fn every_catalog_pattern_compiles_and_has_a_matching_sample() {
    let mut patterns: Vec<(&str, &PrototypeField)> = everything()
        .flat_map(|d| all_fields(d).collect::<Vec<_>>())
        .filter_map(|f| f.pattern.as_deref().map(|p| (p, f)))
        .collect();
    patterns.sort_by_key(|(p, _)| *p);
    patterns.dedup_by_key(|(p, _)| *p);
    assert_eq!(
        patterns.len(),
        54,
        "distinct patterns, all in the classic catalog"
    );
    for (pattern, field) in patterns {
        // parse_catalog compiled every pattern; this checks each one also matches a sample.
        let mut alone = field.clone();
        alone.format = None;
        alone.choices.clear();
        alone.key_prefix = None;
        alone.value_choices.clear();
        let wrap = |text: &str| {
            if field.field_type == FieldType::Map {
                json!({"k": text})
            } else {
                json!(text)
            }
        };
        let generated = pattern_sample(pattern);
        // Only look-ahead patterns such as ^(?!www\.) generate nothing.
        assert!(
            !generated.is_empty() || pattern.starts_with("^(?!"),
            "{pattern} gives a sample"
        );
        assert!(
            matches_alone(&alone, &wrap(&generated)) || generated.is_empty(),
            "{generated:?} matches {pattern}"
        );
        let sample = text_sample(&alone);
        assert!(!sample.is_empty());
        let value = wrap(&sample);
        assert!(
            matches_alone(&alone, &value),
            "{sample:?} matches {pattern}"
        );
    }
}

fn show(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n  {}: {}", e.property_name, e.message))
        .collect()
}

#[test]
fn completed_defaults_pass_for_every_destination() {
    let (mut checked, mut incomplete_defaults) = (0, 0);
    for destination in everything() {
        let Value::Object(mut raw) = destination.default_config() else {
            panic!("an object")
        };
        for section in &destination.sections {
            raw[&section.code]["enabled"] = json!(true);
        }
        if !destination.validate_config(&Value::Object(raw)).is_empty() {
            incomplete_defaults += 1;
        }
        for enable_all in [false, true] {
            let config = complete_config(destination, enable_all);
            let errors = destination.validate_config(&config);
            assert!(
                errors.is_empty(),
                "{} config (all sections on: {enable_all}): {}",
                destination.code,
                show(&errors)
            );
        }
        let connection = complete_connection(destination);
        let errors = destination.validate_connection(&connection);
        assert!(
            errors.is_empty(),
            "{} connection: {}",
            destination.code,
            show(&errors)
        );
        checked += 1;
    }
    assert_eq!(checked, 483);
    eprintln!("{incomplete_defaults} destinations need generated values besides their defaults");
    assert!(
        incomplete_defaults > 150,
        "the generator is what makes these configurations valid"
    );
}

/// A value of the wrong kind for `field`, refused at the field's own path.
fn wrong_value(field: &PrototypeField) -> Value {
    if field.multiple && field.field_type != FieldType::Array {
        return json!("not a list");
    }
    match field.field_type {
        FieldType::Input | FieldType::Text | FieldType::Password | FieldType::Datetime => {
            json!(12345)
        }
        FieldType::Number | FieldType::Integer => json!("abc"),
        FieldType::Boolean => json!("yes"),
        FieldType::Select if field.choices.is_empty() => json!({"not": ["plain"]}),
        FieldType::Select => json!("zz-not-a-choice"),
        FieldType::Array => json!("not a list"),
        FieldType::Map => json!(["not", "a", "map"]),
        FieldType::Object => json!("not an object"),
    }
}

/// For each visible required field of `fields` in `value` (at `prefix`): removing it, or
/// giving it a value of the wrong kind, is refused at its path. Returns how many were tried.
fn mutate_each_required(
    fields: &[PrototypeField],
    value: &Value,
    pointer: &str,
    prefix: &str,
    check: &dyn Fn(&Value) -> Vec<FieldError>,
) -> usize {
    let object = value
        .pointer(pointer)
        .and_then(Value::as_object)
        .expect("an object");
    let chain: Chain<'_> = vec![(fields, object.clone())];
    let mut tried = 0;
    for field in fields
        .iter()
        .filter(|f| f.required && f.depends_on.as_ref().is_none_or(|c| holds(c, &chain)))
    {
        let path = format!("{prefix}{}", field.property_name);
        let mut removed = value.clone();
        removed
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("an object")
            .remove(&field.property_name);
        let errors = check(&removed);
        assert!(
            errors
                .iter()
                .any(|e| e.property_name == path && e.message.ends_with(" is required")),
            "removing {path} is refused there: {}",
            show(&errors)
        );
        let mut wrong = value.clone();
        wrong
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("an object")
            .insert(field.property_name.clone(), wrong_value(field));
        let errors = check(&wrong);
        assert!(
            errors.iter().any(|e| e.property_name == path),
            "a wrong {:?} at {path} is refused there: {}",
            field.field_type,
            show(&errors)
        );
        tried += 1;
    }
    tried
}

#[test]
fn broken_values_are_refused_at_the_right_path() {
    let (mut destinations_with_required, mut mutations) = (0, 0);
    for destination in everything() {
        let config = complete_config(destination, true);
        let connection = complete_connection(destination);
        let check_config = |v: &Value| destination.validate_config(v);
        let check_connection = |v: &Value| destination.validate_connection(v);
        let mut tried = mutate_each_required(&destination.settings, &config, "", "", &check_config);
        for section in &destination.sections {
            tried += mutate_each_required(
                &section.fields,
                &config,
                &format!("/{}", section.code),
                &format!("{}.", section.code),
                &check_config,
            );
        }
        tried += mutate_each_required(
            &destination.connection_fields,
            &connection,
            "",
            "",
            &check_connection,
        );
        if tried > 0 {
            destinations_with_required += 1;
        }
        mutations += tried;

        // An unknown key, anywhere at the top, is refused.
        let mut unknown = config.clone();
        unknown
            .as_object_mut()
            .expect("an object")
            .insert("no_such_setting".into(), json!(1));
        assert_eq!(
            destination.validate_config(&unknown),
            vec![FieldError {
                property_name: "no_such_setting".into(),
                message: "Unknown field".into()
            }]
        );
    }
    assert!(
        destinations_with_required > 400,
        "most destinations have a required field ({destinations_with_required})"
    );
    eprintln!("{destinations_with_required} destinations with required fields, {mutations} required fields broken twice each");
    assert!(mutations > 1000, "{mutations} required fields were broken");
}

#[test]
fn nested_required_fields_are_refused_at_their_path() {
    // actions-braze-cloud has rows of objects with required properties, for instance.
    let mut tried = 0;
    for destination in actions() {
        let config = complete_config(destination, true);
        for section in &destination.sections {
            for field in &section.fields {
                let Some(Value::Object(value)) = config[&section.code].get(&field.property_name)
                else {
                    continue;
                };
                if field.field_type != FieldType::Object
                    || field.multiple
                    || directive(&Value::Object(value.clone()))
                {
                    continue;
                }
                let Some(inner) = field.properties.iter().find(|p| {
                    p.required && p.depends_on.is_none() && value.contains_key(&p.property_name)
                }) else {
                    continue;
                };
                let mut broken = config.clone();
                broken[&section.code][&field.property_name]
                    .as_object_mut()
                    .expect("object")
                    .remove(&inner.property_name);
                let path = format!(
                    "{}.{}.{}",
                    section.code, field.property_name, inner.property_name
                );
                let errors = destination.validate_config(&broken);
                assert!(
                    errors.iter().any(|e| e.property_name == path),
                    "{}: {path} {}",
                    destination.code,
                    show(&errors)
                );
                tried += 1;
            }
        }
    }
    eprintln!("{tried} nested required fields removed");
    assert!(tried > 10, "{tried} nested required fields were removed");
}

#[test]
fn the_largest_destination_validates_quickly() {
    let largest = actions()
        .iter()
        .max_by_key(|d| all_fields(d).count())
        .expect("some destination");
    assert_eq!(largest.code, "actions-facebook-conversions-api");
    let config = complete_config(largest, true);
    let started = std::time::Instant::now();
    for _ in 0..100 {
        assert!(largest.validate_config(&config).is_empty());
    }
    let each = started.elapsed() / 100;
    eprintln!("one validation of {} took {each:?}", largest.code);
    // Per keystroke in a form; generous, as tests run unoptimized.
    assert!(
        each < std::time::Duration::from_millis(50),
        "one validation took {each:?}"
    );
}

/// The field as checked on its own: no condition, not required (what is left are the rules
/// a value must follow).
fn rules_only(field: &PrototypeField) -> PrototypeField {
    let mut alone = field.clone();
    alone.required = false;
    alone.required_if = None;
    alone.depends_on = None;
    alone
}

#[test]
fn every_destinations_own_defaults_pass_its_own_rules() {
    let (mut forms, mut defaults_checked) = (0, 0);
    for destination in everything() {
        // The whole default form, every section on: nothing but a missing value may be
        // wrong (a default cannot fill in what only the person knows).
        let Value::Object(mut config) = destination.default_config() else {
            panic!("an object")
        };
        for section in &destination.sections {
            config[&section.code]["enabled"] = json!(true);
        }
        let wrong = |errors: Vec<FieldError>| -> Vec<FieldError> {
            errors
                .into_iter()
                .filter(|e| !e.message.ends_with(" is required"))
                .collect()
        };
        let errors = wrong(destination.validate_config(&Value::Object(config)));
        assert!(
            errors.is_empty(),
            "{} config defaults: {}",
            destination.code,
            show(&errors)
        );
        let errors = wrong(destination.validate_connection(&destination.default_connection()));
        assert!(
            errors.is_empty(),
            "{} connection defaults: {}",
            destination.code,
            show(&errors)
        );
        forms += 1;
        // Each default on its own, also those of fields a condition hides in the default
        // form and of nested fields.
        for field in all_fields(destination) {
            for default in [&field.default, &field.default_mapping]
                .into_iter()
                .flatten()
            {
                if field.default_mapping.as_ref() == Some(default) && !field.mappable {
                    continue;
                }
                let errors = validate(
                    &[rules_only(field)],
                    &json!({ &field.property_name: default }),
                );
                let errors = wrong(errors);
                assert!(
                    errors.is_empty(),
                    "{}: the default {default} of {}: {}",
                    destination.code,
                    field.property_name,
                    show(&errors)
                );
                defaults_checked += 1;
            }
        }
    }
    assert_eq!(forms, 483, "every destination of both catalogs");
    eprintln!("{defaults_checked} field defaults checked on their own");
    assert!(defaults_checked > 3000, "{defaults_checked} defaults");
}

/// The first field along `path` (an error's place) that a form does not show, by the
/// same [`houston_prototypes::Scope`] the window uses; `None` when every field on the way
/// shows (the path may end in a map's own key, `enabled` or an unknown key: not fields).
fn hidden_along<'d>(
    scope_at: &dyn Fn(&[&str]) -> houston_prototypes::Scope<'d>,
    path: &str,
    skip: usize,
) -> Option<String> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut at = skip;
    while at < segments.len() {
        let scope = scope_at(&segments[..at]);
        let field = scope
            .fields()
            .iter()
            .find(|f| f.property_name == segments[at])?;
        if !scope.shows(field) {
            return Some(segments[..=at].join("."));
        }
        at += 1;
        if field.multiple && segments.get(at).is_some_and(|s| s.parse::<usize>().is_ok()) {
            at += 1;
        }
    }
    None
}

/// The value with every field a form shows removed from each section (only `enabled` and
/// the defaults of hidden fields left): every required field shown is then empty.
fn emptied(destination: &Destination, config: &Value) -> Value {
    let mut config = config.clone();
    for section in &destination.sections {
        if let Some(Value::Object(object)) = config.get_mut(&section.code) {
            object.retain(|key, _| {
                key == "enabled"
                    || section
                        .fields
                        .iter()
                        .any(|f| f.property_name == *key && f.hidden)
            });
        }
    }
    config
}

#[test]
fn no_required_field_is_hidden_in_any_section() {
    let (mut forms, mut errors_seen) = (0, 0);
    for destination in everything() {
        let Value::Object(mut defaults) = destination.default_config() else {
            panic!("an object")
        };
        for section in &destination.sections {
            defaults[&section.code]["enabled"] = json!(true);
        }
        let defaults = Value::Object(defaults);
        for config in [defaults.clone(), emptied(destination, &defaults)] {
            let scope_at = |parent: &[&str]| destination.config_scope(&config, parent);
            for error in destination.validate_config(&config) {
                let skip = usize::from(
                    destination
                        .sections
                        .iter()
                        .any(|s| error.property_name.split('.').next() == Some(&s.code)),
                );
                assert_eq!(
                    hidden_along(&scope_at, &error.property_name, skip),
                    None,
                    "{}: the form hides a field validation complains about: {error}",
                    destination.code
                );
                errors_seen += 1;
            }
            forms += 1;
        }
        let details = destination.default_connection();
        let scope_at = |parent: &[&str]| destination.connection_scope(&details, parent);
        for error in destination.validate_connection(&details) {
            assert_eq!(
                hidden_along(&scope_at, &error.property_name, 0),
                None,
                "{}: the connection form hides {error}",
                destination.code
            );
            errors_seen += 1;
        }
    }
    assert_eq!(forms, 2 * 483);
    eprintln!("{errors_seen} errors, each on a field the form shows");
    assert!(errors_seen > 1000, "{errors_seen} errors were placed");
}

#[test]
fn braze_upsert_catalog_item_shows_the_item_it_requires() {
    let braze = actions()
        .iter()
        .find(|d| d.code == "actions-braze-cloud")
        .expect("actions-braze-cloud");
    let mut config = braze.default_config();
    config["upsertCatalogItem"]["enabled"] = json!(true);
    let scope = braze.config_scope(&config, &["upsertCatalogItem"]);
    let item = scope
        .fields()
        .iter()
        .find(|f| f.property_name == "item")
        .expect("the item field");
    assert!(
        scope.shows(item) && scope.requires(item),
        "its condition names Segment's internal sync mode, no field: undecidable, so shown"
    );
    assert!(braze
        .validate_config(&config)
        .iter()
        .any(|e| e.property_name == "upsertCatalogItem.item"));
}

#[test]
fn new_configurations_switch_on_only_the_presets_sections() {
    let amplitude = actions()
        .iter()
        .find(|d| d.code == "actions-amplitude")
        .expect("actions-amplitude");
    let config = amplitude.preset_config();
    let on: Vec<&str> = amplitude
        .sections
        .iter()
        .filter(|s| config[&s.code]["enabled"] == json!(true))
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(
        on,
        ["identifyUser", "logPurchase", "logEventV2"],
        "Segment's presets: Track, Page and Screen calls, Order Completed, Identify"
    );
    assert_eq!(
        config["logEventV2"]["subscribe"],
        json!("type = \"track\" and event != \"Order Completed\""),
        "the first preset's trigger where it differs from the action's own"
    );
    let all_on = amplitude
        .sections
        .iter()
        .filter(|s| s.default_enabled)
        .count();
    assert!(on.len() < all_on, "fewer than every section with a trigger");

    let (mut with_presets, mut sections_on) = (0, 0);
    for destination in actions() {
        let config = destination.preset_config();
        let has_presets = destination
            .sections
            .iter()
            .any(|s| s.preset_subscribe.is_some());
        for section in &destination.sections {
            let enabled = config[&section.code]["enabled"] == json!(true);
            let expected = if has_presets {
                section.preset_subscribe.is_some()
            } else {
                section.default_enabled
            };
            assert_eq!(enabled, expected, "{}.{}", destination.code, section.code);
            sections_on += usize::from(enabled && has_presets);
        }
        with_presets += usize::from(has_presets);
        let errors: Vec<FieldError> = destination
            .validate_config(&config)
            .into_iter()
            .filter(|e| !e.message.ends_with(" is required"))
            .collect();
        assert!(errors.is_empty(), "{}: {}", destination.code, show(&errors));
    }
    eprintln!("{with_presets} destinations start with {sections_on} preset sections on");
    assert_eq!(
        (with_presets, sections_on),
        (101, 251),
        "destinations whose automatic presets name a section of theirs, and those sections"
    );
}
