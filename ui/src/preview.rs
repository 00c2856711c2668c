//! The pure parts of the delivery preview in the window (no DOM, no signals): the paths a
//! test event offers, the suggestions for what is typed, what a typed text stores, which
//! fields a delivery marks on the form, and a destination's line on the integrations list.
//! The delivery itself is `houston_events::delivery`, the server's code.

use std::collections::{BTreeMap, BTreeSet};

use houston_events::delivery::{DeliveryStatus, SectionDelivery};
use houston_prototypes::{strip_secrets, Destination, FieldType, PrototypeField};
use serde_json::{Map, Value};

/// The most paths an event offers (a 1 MB event must not make a list of a million).
pub const MAX_PATHS: usize = 2_000;
/// The deepest level of an event whose paths are offered.
const MAX_DEPTH: usize = 12;
/// The items of a list whose paths are offered (`[0]` … `[2]`).
const MAX_ITEMS: usize = 3;

/// Every path `@path` can read in `event`, `$.`-prefixed, keys in order, each object and
/// list before what is inside it: `$.properties`, `$.properties.revenue`,
/// `$.properties.products[0].price`. At most [`MAX_PATHS`].
pub fn event_paths(event: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    if let Value::Object(object) = event {
        collect_object(object, "$", 0, &mut paths);
    }
    paths
}

fn collect_object(object: &Map<String, Value>, prefix: &str, depth: usize, out: &mut Vec<String>) {
    for (key, value) in object {
        if out.len() >= MAX_PATHS {
            return;
        }
        let path = if key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$')
            && !key.is_empty()
        {
            format!("{prefix}.{key}")
        } else {
            format!("{prefix}[{}]", Value::String(key.clone()))
        };
        collect(value, path, depth + 1, out);
    }
}

fn collect(value: &Value, path: String, depth: usize, out: &mut Vec<String>) {
    let inner = depth < MAX_DEPTH;
    match value {
        Value::Object(object) => {
            out.push(path.clone());
            if inner {
                collect_object(object, &path, depth, out);
            }
        }
        Value::Array(items) => {
            out.push(path.clone());
            if inner {
                for (index, item) in items.iter().take(MAX_ITEMS).enumerate() {
                    if out.len() >= MAX_PATHS {
                        return;
                    }
                    collect(item, format!("{path}[{index}]"), depth + 1, out);
                }
            }
        }
        _ => out.push(path),
    }
}

/// The paths to suggest for `typed` (at most `limit`): those that start with it first,
/// then those that hold it anywhere, each group in [`event_paths`]'s order; case is ignored.
/// Nothing for a text that is not a path (see [`is_path`]).
pub fn suggest(paths: &[String], typed: &str, limit: usize) -> Vec<String> {
    if !is_path(typed) {
        return Vec::new();
    }
    let needle = typed.to_lowercase();
    let lowered: Vec<String> = paths.iter().map(|p| p.to_lowercase()).collect();
    let starts = paths
        .iter()
        .zip(&lowered)
        .filter(|(_, l)| l.starts_with(&needle) && **l != needle);
    // The rest of the text after `$.`: `rev` finds `$.properties.revenue`.
    let tail = needle.trim_start_matches('$').trim_start_matches('.');
    let holds = paths
        .iter()
        .zip(&lowered)
        .filter(|(_, l)| !l.starts_with(&needle) && !tail.is_empty() && l.contains(tail));
    starts
        .chain(holds)
        .map(|(p, _)| p.clone())
        .take(limit)
        .collect()
}

/// Whether a typed text is a path into the event (`$`, `$.properties.revenue`) rather
/// than a literal.
pub fn is_path(text: &str) -> bool {
    text == "$" || text.starts_with("$.") || text.starts_with("$[")
}

/// The path a value reads, when it is exactly `{"@path": "…"}`.
pub fn path_of(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::Object(map) if map.len() == 1 => map.get("@path")?.as_str(),
        _ => None,
    }
}

/// What a field whose value may be a literal or a path stores for the typed `text`: a
/// path as `{"@path": text}`, "" as nothing (the field's default mapping then applies), a
/// number field's number as a number, else the text.
pub fn typed_value(field: &PrototypeField, text: &str) -> Option<Value> {
    if is_path(text) {
        let mut map = Map::new();
        map.insert("@path".to_owned(), Value::String(text.to_owned()));
        return Some(Value::Object(map));
    }
    if text.is_empty() {
        return None;
    }
    match field.field_type {
        FieldType::Number | FieldType::Integer => {
            crate::components::form::model::number_from_text(text)
        }
        _ => Some(Value::String(text.to_owned())),
    }
}

/// What a literal-or-path field uses when its box is empty, as its placeholder says it:
/// the field's default mapping (`default: $.userId`, a path as typed, any other directive
/// as its JSON), else its default; `None` when an empty box sends nothing. The delivery
/// falls back in the same order (`houston_events::delivery`).
pub fn empty_hint(field: &PrototypeField) -> Option<String> {
    let used = field.default_mapping.as_ref().or(field.default.as_ref())?;
    let text = match path_of(Some(used)) {
        Some(path) => path.to_owned(),
        None => match used {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        },
    };
    Some(format!("default: {text}"))
}

/// Whether a field's control lets a person type either a literal or a path: a mappable
/// field (of an action) holding one text, number or date.
pub fn takes_path(field: &PrototypeField) -> bool {
    field.mappable
        && !field.multiple
        && matches!(
            field.field_type,
            FieldType::Input
                | FieldType::Text
                | FieldType::Number
                | FieldType::Integer
                | FieldType::Datetime
        )
}

/// Whether a mapping uses `@liquid` anywhere: the window's build evaluates everything but
/// that directive, which the server does (`previewDelivery`).
pub fn uses_liquid(mapping: &Value) -> bool {
    match mapping {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key == "@liquid" || uses_liquid(value)),
        Value::Array(items) => items.iter().any(uses_liquid),
        _ => false,
    }
}

/// The marks a delivery puts on the form: for each section that would not send because
/// of its fields, each field's messages (`<section>.<field>` → messages). The trigger's
/// own errors are left out (its field shows them from the form's rules), and so are the
/// sections named in `server_only` (evaluated by the server, not here).
pub fn marks(
    deliveries: &[SectionDelivery],
    server_only: &[String],
) -> BTreeMap<String, Vec<String>> {
    let mut marks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for delivery in deliveries {
        if delivery.status != DeliveryStatus::Invalid || server_only.contains(&delivery.code) {
            continue;
        }
        for error in &delivery.field_errors {
            if error.property_name.ends_with(".subscribe") {
                continue;
            }
            marks
                .entry(error.property_name.clone())
                .or_default()
                .push(error.message.clone());
        }
    }
    marks
}

/// One integration's status on the integrations list: sent when a section sends, else
/// invalid when one would send but cannot, else the integration off, else not subscribed
/// when one listens, else off.
pub fn overall(sections: &[SectionDelivery]) -> DeliveryStatus {
    let any = |status| sections.iter().any(|s| s.status == status);
    [
        DeliveryStatus::Sent,
        DeliveryStatus::Invalid,
        DeliveryStatus::IntegrationOff,
        DeliveryStatus::NotSubscribed,
    ]
    .into_iter()
    .find(|status| any(*status))
    .unwrap_or(DeliveryStatus::SectionOff)
}

/// A status as a person reads it.
pub fn status_text(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::NotSubscribed => "not subscribed",
        DeliveryStatus::SectionOff => "off",
        DeliveryStatus::IntegrationOff => "integration off",
        DeliveryStatus::Invalid => "invalid",
    }
}

/// A status as the `data-status` attributes carry it (the API's name).
pub fn status_code(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Sent => "SENT",
        DeliveryStatus::NotSubscribed => "NOT_SUBSCRIBED",
        DeliveryStatus::SectionOff => "SECTION_OFF",
        DeliveryStatus::IntegrationOff => "INTEGRATION_OFF",
        DeliveryStatus::Invalid => "INVALID",
    }
}

/// What a stored secret that the form leaves out stands as in the window's delivery: the
/// server holds its value and uses it (`deliveryPreview`), so it is present, not missing.
pub const STORED_SECRET: &str = "(stored secret)";

/// `config` as the delivery of a stored integration reads it: each secret the server
/// holds (`kept`, its `secretsSet` paths: `section.field`) that the form leaves out (the
/// key absent; `null` clears it) stands as [`STORED_SECRET`]. Also answers the paths so
/// filled, for [`hide_stored_secrets`].
pub fn with_stored_secrets(config: &Value, kept: &BTreeSet<String>) -> (Value, BTreeSet<String>) {
    let mut filled = BTreeSet::new();
    let mut config = config.clone();
    for path in kept {
        let segments: Vec<&str> = path.split('.').collect();
        let Some((last, parents)) = segments.split_last() else {
            continue;
        };
        // A stored secret of a section or object the form no longer holds is not sent.
        let parent = parents
            .iter()
            .try_fold(&mut config, |value, key| value.get_mut(*key));
        if let Some(Value::Object(object)) = parent {
            if !object.contains_key(*last) {
                object.insert((*last).to_owned(), Value::String(STORED_SECRET.to_owned()));
                filled.insert(path.clone());
            }
        }
    }
    (config, filled)
}

/// `deliveries` as the server shows a stored integration's: a section holding a stand-in
/// of [`with_stored_secrets`] shows no secret field in its payload, and no complaint about
/// a stand-in (the stored value was checked when it was saved).
pub fn hide_stored_secrets(
    destination: &Destination,
    deliveries: &mut [SectionDelivery],
    filled: &BTreeSet<String>,
) {
    for delivery in deliveries {
        let prefix = format!("{}.", delivery.code);
        if !filled.iter().any(|path| path.starts_with(&prefix)) {
            continue;
        }
        delivery
            .field_errors
            .retain(|error| !filled.contains(&error.property_name));
        let section = destination
            .sections
            .iter()
            .find(|s| s.code == delivery.code);
        if let (Some(section), Some(payload)) = (section, delivery.payload.as_mut()) {
            *payload = strip_secrets(&section.fields, payload);
        }
    }
}

/// A pasted event: a JSON object, else a sentence saying where it breaks.
pub fn parse_event(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("An event is a JSON object ({ \"type\": \"track\", … }).".to_owned()),
        Err(error) => Err(format!(
            "Not valid JSON at line {}, column {}: {error}",
            error.line(),
            error.column()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use houston_prototypes::FieldError;
    use serde_json::json;

    fn delivery(code: &str, status: DeliveryStatus, errors: &[(&str, &str)]) -> SectionDelivery {
        SectionDelivery {
            code: code.to_owned(),
            label: code.to_owned(),
            subscribe: None,
            status,
            payload: None,
            field_errors: errors
                .iter()
                .map(|(p, m)| FieldError::new(*p, *m))
                .collect(),
        }
    }

    #[test]
    fn an_event_offers_its_own_paths_in_order() {
        let event = json!({
            "type": "track",
            "properties": {"revenue": 25, "products": [{"price": 19}, {"price": 3}], "odd key": 1},
            "context": {"page": {"url": "https://x"}}
        });
        assert_eq!(
            event_paths(&event),
            [
                "$.context",
                "$.context.page",
                "$.context.page.url",
                "$.properties",
                "$.properties[\"odd key\"]",
                "$.properties.products",
                "$.properties.products[0]",
                "$.properties.products[0].price",
                "$.properties.products[1]",
                "$.properties.products[1].price",
                "$.properties.revenue",
                "$.type",
            ]
        );
        assert!(
            event_paths(&json!([1, 2])).is_empty(),
            "only an object has paths"
        );
    }

    #[test]
    fn a_huge_event_offers_a_bounded_list() {
        let wide: Map<String, Value> = (0..10_000).map(|i| (format!("k{i}"), json!(i))).collect();
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!({ "d": deep });
        }
        let event = json!({"properties": wide, "deep": deep});
        let paths = event_paths(&event);
        assert_eq!(paths.len(), MAX_PATHS);
        let deep_paths = event_paths(&json!({"deep": event["deep"].clone()}));
        assert!(deep_paths.len() <= MAX_DEPTH + 1, "{}", deep_paths.len());
    }

    #[test]
    fn suggestions_start_with_what_is_typed_then_hold_it() {
        let paths = event_paths(&json!({
            "type": "track",
            "properties": {"revenue": 25, "total": 27.5},
            "context": {"traits": {"Revenue_band": "b"}}
        }));
        assert_eq!(
            suggest(&paths, "$.properties.", 8),
            ["$.properties.revenue", "$.properties.total"]
        );
        assert_eq!(
            suggest(&paths, "$.rev", 8),
            ["$.context.traits.Revenue_band", "$.properties.revenue"],
            "anywhere, case ignored, when nothing starts with it"
        );
        assert_eq!(
            suggest(&paths, "$.", 2),
            ["$.context", "$.context.traits"],
            "at most the limit"
        );
        assert!(
            suggest(&paths, "revenue", 8).is_empty(),
            "a literal gets none"
        );
        assert!(
            suggest(&paths, "$.properties.revenue", 8).is_empty(),
            "the path typed in full is not suggested again"
        );
    }

    #[test]
    fn typed_text_is_a_path_or_a_literal() {
        let mut field = PrototypeField {
            property_name: "value".to_owned(),
            field_type: FieldType::Number,
            mappable: true,
            ..PrototypeField::default()
        };
        assert_eq!(
            typed_value(&field, "$.properties.revenue"),
            Some(json!({"@path": "$.properties.revenue"}))
        );
        assert_eq!(typed_value(&field, "12.5"), Some(json!(12.5)));
        assert_eq!(
            typed_value(&field, ""),
            None,
            "the default mapping applies again"
        );
        field.field_type = FieldType::Input;
        assert_eq!(typed_value(&field, "12.5"), Some(json!("12.5")));
        assert_eq!(typed_value(&field, "$"), Some(json!({"@path": "$"})));
        assert_eq!(path_of(Some(&json!({"@path": "$.a"}))), Some("$.a"));
        assert_eq!(path_of(Some(&json!({"@path": "$.a", "@x": 1}))), None);
        assert_eq!(path_of(Some(&json!({"@template": "{{a}}"}))), None);
        assert!(takes_path(&field));
        field.mappable = false;
        assert!(
            !takes_path(&field),
            "a connection's or setting's field takes literals"
        );
    }

    #[test]
    fn an_empty_box_says_what_the_delivery_uses_instead() {
        let mut field = PrototypeField {
            property_name: "user_id".to_owned(),
            field_type: FieldType::Input,
            mappable: true,
            default_mapping: Some(json!({"@path": "$.userId"})),
            default: Some(json!("someone")),
            ..PrototypeField::default()
        };
        assert_eq!(empty_hint(&field).as_deref(), Some("default: $.userId"));
        let section = houston_prototypes::PrototypeSection {
            fields: vec![field.clone()],
            ..Default::default()
        };
        assert_eq!(
            houston_events::delivery::section_mapping(&section, Some(&json!({})))["user_id"],
            json!({"@path": "$.userId"}),
            "the hint names what the delivery maps"
        );
        field.default_mapping = Some(json!({"@template": "{{userId}}"}));
        assert_eq!(
            empty_hint(&field).as_deref(),
            Some(r#"default: {"@template":"{{userId}}"}"#)
        );
        field.default_mapping = None;
        assert_eq!(empty_hint(&field).as_deref(), Some("default: someone"));
        field.default = None;
        assert_eq!(empty_hint(&field), None, "an empty box sends nothing");
    }

    #[test]
    fn the_form_is_marked_where_a_section_lacks_a_field() {
        let deliveries = [
            delivery(
                "purchase",
                DeliveryStatus::Invalid,
                &[
                    ("purchase.currency", "Currency is required"),
                    ("purchase.subscribe", "bad"),
                ],
            ),
            delivery(
                "liquid",
                DeliveryStatus::Invalid,
                &[("liquid.text", "@liquid is not available")],
            ),
            delivery("page", DeliveryStatus::Sent, &[]),
            delivery("off", DeliveryStatus::SectionOff, &[]),
        ];
        let marks = marks(&deliveries, &["liquid".to_owned()]);
        assert_eq!(
            marks.into_iter().collect::<Vec<_>>(),
            [(
                "purchase.currency".to_owned(),
                vec!["Currency is required".to_owned()]
            )],
            "not the trigger (its field shows it), not what the server evaluates"
        );
    }

    #[test]
    fn an_integration_is_as_good_as_its_best_section() {
        use DeliveryStatus::*;
        let of = |statuses: &[DeliveryStatus]| {
            let sections: Vec<SectionDelivery> =
                statuses.iter().map(|s| delivery("s", *s, &[])).collect();
            overall(&sections)
        };
        assert_eq!(of(&[NotSubscribed, Sent, Invalid]), Sent);
        assert_eq!(of(&[NotSubscribed, Invalid]), Invalid);
        assert_eq!(of(&[SectionOff, NotSubscribed]), NotSubscribed);
        assert_eq!(of(&[IntegrationOff, IntegrationOff]), IntegrationOff);
        assert_eq!(of(&[SectionOff]), SectionOff);
        assert_eq!(of(&[]), SectionOff);
    }

    #[test]
    fn liquid_is_found_anywhere_in_a_mapping() {
        assert!(uses_liquid(&json!({"a": {"@liquid": "{{ x }}"}})));
        assert!(uses_liquid(
            &json!({"a": [{"@if": {"then": {"@liquid": "x"}}}]})
        ));
        assert!(!uses_liquid(&json!({"a": {"@path": "$.liquid"}})));
    }

    #[test]
    fn a_stored_secret_left_out_of_the_form_is_present_not_missing() {
        use houston_prototypes::PrototypeSection;
        let section = PrototypeSection {
            code: "sync".to_owned(),
            label: "Sync".to_owned(),
            default_enabled: true,
            default_subscribe: Some("type = \"track\"".to_owned()),
            fields: vec![
                PrototypeField {
                    property_name: "token".to_owned(),
                    field_type: FieldType::Password,
                    required: true,
                    secret: true,
                    ..PrototypeField::default()
                },
                PrototypeField {
                    property_name: "list".to_owned(),
                    field_type: FieldType::Input,
                    ..PrototypeField::default()
                },
            ],
            ..PrototypeSection::default()
        };
        let destination = Destination {
            code: "actions-x".to_owned(),
            name: "X".to_owned(),
            sections: vec![section],
            ..Destination::default()
        };
        let event = json!({"type": "track", "event": "Bought"});
        let kept = BTreeSet::from(["sync.token".to_owned()]);
        let left_out = json!({"sync": {"enabled": true, "list": "vip"}});
        let deliver = |config: &Value| {
            let (config, filled) = with_stored_secrets(config, &kept);
            let mut sections =
                houston_events::delivery::deliver(&destination, &config, true, &event);
            hide_stored_secrets(&destination, &mut sections, &filled);
            sections.remove(0)
        };

        // Without the stored secret, the delivery says it is missing, as before.
        let bare = houston_events::delivery::deliver(&destination, &left_out, true, &event);
        assert_eq!(bare[0].status, DeliveryStatus::Invalid);
        assert_eq!(bare[0].field_errors[0].property_name, "sync.token");

        // Stored and left out: sent, with no secret shown in the payload.
        let sent = deliver(&left_out);
        assert_eq!(sent.status, DeliveryStatus::Sent, "{:?}", sent.field_errors);
        assert_eq!(sent.payload, Some(json!({"list": "vip"})));

        // Cleared (`null`): missing again; replaced: the new value is used.
        let cleared = deliver(&json!({"sync": {"enabled": true, "list": "vip", "token": null}}));
        assert_eq!(cleared.status, DeliveryStatus::Invalid);
        let (replaced, filled) = with_stored_secrets(&json!({"sync": {"token": "new"}}), &kept);
        assert_eq!(replaced, json!({"sync": {"token": "new"}}));
        assert!(filled.is_empty(), "a value typed is the form's own");

        // A section the form does not hold gets no stand-in.
        let (same, filled) = with_stored_secrets(&json!({}), &kept);
        assert_eq!((same, filled.len()), (json!({}), 0));
    }

    #[test]
    fn a_pasted_event_is_an_object_or_says_where_it_breaks() {
        assert_eq!(
            parse_event(r#"{"type":"track"}"#),
            Ok(json!({"type": "track"}))
        );
        let broken = parse_event("{\n  \"type\": \"track\",\n}").unwrap_err();
        assert!(
            broken.starts_with("Not valid JSON at line 3, column 1"),
            "{broken}"
        );
        assert!(parse_event("[1]").unwrap_err().contains("JSON object"));
    }
}
