use super::*;
use houston_prototypes::parse_catalog;
use serde_json::json;

fn catalog() -> Vec<Destination> {
    parse_catalog(include_str!("../../../server/catalog/segment-actions.json"))
        .unwrap_or_else(|e| panic!("the catalog: {e}"))
}

fn destination(code: &str) -> Destination {
    catalog()
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("{code} is in the catalog"))
}

fn section<'a>(deliveries: &'a [SectionDelivery], code: &str) -> &'a SectionDelivery {
    deliveries
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("section {code}"))
}

fn track() -> Value {
    json!({
        "type": "track", "event": "Order Completed", "userId": "u1", "anonymousId": "a1",
        "messageId": "m1", "timestamp": "2026-11-30T10:00:00.000Z",
        "properties": {"revenue": 19.99, "products": [{"product_id": "p1", "price": 5}]},
        "context": {"ip": "8.8.8.8", "library": {"name": "analytics.js", "version": "1"}}
    })
}

/// Amplitude's logEvent with its defaults: triggered by a track, mapped by the catalog's
/// default mappings, empty values removed, valid.
#[test]
fn an_action_destination_with_its_defaults_sends_the_mapped_event() {
    let amplitude = destination("actions-amplitude");
    let config = amplitude.default_config();
    let deliveries = deliver(&amplitude, &config, true, &track());
    let log = section(&deliveries, "logEvent");
    assert_eq!(log.subscribe.as_deref(), Some("type = \"track\""));
    assert_eq!(log.status, DeliveryStatus::Sent, "{log:?}");
    let payload = log.payload.as_ref().unwrap_or_else(|| panic!("a payload"));
    assert_eq!(payload["event_type"], json!("Order Completed"));
    assert_eq!(payload["user_id"], json!("u1"));
    assert_eq!(payload["ip"], json!("8.8.8.8"));
    // The identify action's trigger does not match a track.
    let identify = section(&deliveries, "identifyUser");
    assert_eq!(identify.status, DeliveryStatus::NotSubscribed);
    assert_eq!(identify.payload, None);
}

#[test]
fn the_users_values_win_over_the_defaults_and_may_be_paths_or_literals() {
    let amplitude = destination("actions-amplitude");
    let mut config = amplitude.default_config();
    config["logEvent"]["enabled"] = json!(true);
    config["logEvent"]["event_type"] = json!({"@path": "$.properties.revenue"});
    config["logEvent"]["user_id"] = json!("fixed");
    let deliveries = deliver(&amplitude, &config, true, &track());
    let payload = section(&deliveries, "logEvent").payload.clone();
    let payload = payload.unwrap_or_default();
    assert_eq!(payload["user_id"], json!("fixed"));
    // A number where the field wants text: the payload breaks the field's type.
    let log = section(&deliveries, "logEvent");
    assert_eq!(payload["event_type"], json!(19.99));
    assert_eq!(log.status, DeliveryStatus::Invalid);
    assert_eq!(log.field_errors[0].property_name, "logEvent.event_type");
}

#[test]
fn a_missing_required_field_is_invalid_and_named() {
    let amplitude = destination("actions-amplitude");
    let mut config = amplitude.default_config();
    config["logEvent"]["event_type"] = json!({"@path": "$.properties.nothing"});
    let deliveries = deliver(&amplitude, &config, true, &track());
    let log = section(&deliveries, "logEvent");
    assert_eq!(log.status, DeliveryStatus::Invalid);
    assert!(
        log.field_errors
            .iter()
            .any(|e| e.property_name == "logEvent.event_type"),
        "{:?}",
        log.field_errors
    );
    assert!(log
        .payload
        .as_ref()
        .is_some_and(|p| p.get("event_type").is_none()));
}

#[test]
fn switches_and_triggers_decide_first() {
    let amplitude = destination("actions-amplitude");
    let mut config = amplitude.default_config();
    let off = deliver(&amplitude, &config, false, &track());
    assert!(off
        .iter()
        .all(|d| d.status == DeliveryStatus::IntegrationOff));
    config["logEvent"]["enabled"] = json!(false);
    let deliveries = deliver(&amplitude, &config, true, &track());
    assert_eq!(
        section(&deliveries, "logEvent").status,
        DeliveryStatus::SectionOff
    );
    config["logEvent"]["enabled"] = json!(true);
    config["logEvent"]["subscribe"] = json!("event = \"Signed Up\"");
    let deliveries = deliver(&amplitude, &config, true, &track());
    let log = section(&deliveries, "logEvent");
    assert_eq!(log.status, DeliveryStatus::NotSubscribed);
    assert_eq!(log.subscribe.as_deref(), Some("event = \"Signed Up\""));
    config["logEvent"]["subscribe"] = json!("type = \"track\" and (event = ");
    let deliveries = deliver(&amplitude, &config, true, &track());
    let log = section(&deliveries, "logEvent");
    assert_eq!(log.status, DeliveryStatus::Invalid);
    assert_eq!(log.field_errors[0].property_name, "logEvent.subscribe");
    assert_eq!(
        subscribe_errors(&amplitude, &config),
        log.field_errors,
        "the save check and the preview say the same"
    );
}

#[test]
fn a_classic_destination_sends_the_event_unless_integrations_turn_it_off() {
    let classic = Destination {
        code: "acquisio".into(),
        name: "Acquisio".into(),
        ..Destination::default()
    };
    let event = track();
    let sent = deliver(&classic, &json!({}), true, &event);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].code, CLASSIC_SECTION);
    assert_eq!(sent[0].status, DeliveryStatus::Sent);
    assert_eq!(sent[0].payload.as_ref(), Some(&event));
    let with = |integrations: Value| {
        let mut event = track();
        event["integrations"] = integrations;
        deliver(&classic, &json!({}), true, &event)[0].status
    };
    assert_eq!(with(json!({"All": false})), DeliveryStatus::SectionOff);
    assert_eq!(with(json!({"Acquisio": false})), DeliveryStatus::SectionOff);
    assert_eq!(
        with(json!({"All": false, "Acquisio": true})),
        DeliveryStatus::Sent
    );
    assert_eq!(
        with(json!({"All": false, "Acquisio": {"option": 1}})),
        DeliveryStatus::Sent
    );
    assert_eq!(with(json!({"Other": false})), DeliveryStatus::Sent);
    assert_eq!(
        deliver(&classic, &json!({}), false, &event)[0].status,
        DeliveryStatus::IntegrationOff
    );
}

#[test]
fn the_action_schema_is_segments_for_remove_empty_values() {
    let amplitude = destination("actions-amplitude");
    let log = amplitude
        .sections
        .iter()
        .find(|s| s.code == "logEvent")
        .unwrap_or_else(|| panic!("logEvent"));
    let schema = action_schema(&log.fields);
    assert_eq!(schema["properties"]["user_id"]["type"], json!("string"));
    assert_eq!(
        schema["properties"]["time"]["type"],
        json!(["string", "number"])
    );
    assert_eq!(schema["properties"]["products"]["type"], json!("array"));
    assert_eq!(
        schema["properties"]["products"]["items"]["type"],
        json!("object")
    );
    // An empty string is removed at the root; null where the field does not allow it.
    let payload = json!({"user_id": "", "device_id": null, "event_type": "x"});
    assert_eq!(
        mapping::remove_empty_values(&payload, &schema, true),
        Some(json!({"event_type": "x"}))
    );
}

/// Every action of the catalog, with its defaults, over a rich event: an answer each,
/// no panic; and the catalog's default triggers all parse.
#[test]
fn every_catalog_action_answers() {
    let mut counts = std::collections::BTreeMap::new();
    let mut messages = std::collections::BTreeMap::new();
    for destination in catalog() {
        let config = destination.default_config();
        for delivery in deliver(&destination, &config, true, &track()) {
            *counts.entry(format!("{:?}", delivery.status)).or_insert(0) += 1;
            for error in &delivery.field_errors {
                *messages.entry(error.message.clone()).or_insert(0) += 1;
            }
            assert!(
                !delivery
                    .field_errors
                    .iter()
                    .any(|e| e.property_name.ends_with(".subscribe")),
                "{}/{}: {:?}",
                destination.code,
                delivery.code,
                delivery.field_errors
            );
        }
        assert!(subscribe_errors(&destination, &config).is_empty());
    }
    eprintln!("{counts:?}\n{messages:#?}");
    assert!(counts.get("Sent").copied().unwrap_or(0) > 50, "{counts:?}");
}

#[test]
fn bad_input_is_a_clear_error_or_a_bounded_answer() {
    let amplitude = destination("actions-amplitude");
    let mut config = amplitude.default_config();
    // A trigger of 10,001 characters.
    config["logEvent"]["subscribe"] = json!(format!("event = \"{}\"", "x".repeat(10_000)));
    let log = deliver(&amplitude, &config, true, &track())
        .into_iter()
        .find(|d| d.code == "logEvent")
        .unwrap_or_else(|| panic!("logEvent"));
    assert_eq!(log.status, DeliveryStatus::Invalid);
    assert!(
        log.field_errors[0].message.contains("longer than 10000"),
        "{:?}",
        log.field_errors
    );
    // A mapping 100 levels deep.
    let mut deep = json!({"@path": "$.event"});
    for _ in 0..100 {
        deep = json!({"@literal": deep});
    }
    config["logEvent"]["subscribe"] = json!("type = \"track\"");
    config["logEvent"]["event_type"] = deep;
    let log = deliver(&amplitude, &config, true, &track())
        .into_iter()
        .find(|d| d.code == "logEvent")
        .unwrap_or_else(|| panic!("logEvent"));
    assert_eq!(log.status, DeliveryStatus::Invalid);
    assert!(
        log.field_errors[0].message.contains("nested deeper"),
        "{:?}",
        log.field_errors
    );
    assert_eq!(log.field_errors[0].property_name, "logEvent.event_type");
    // A @liquid loop and include.
    for template in [
        "{% for i in (1..1000000) %}x{% endfor %}",
        "{% include 'x' %}",
    ] {
        config["logEvent"]["event_type"] = json!({ "@liquid": template });
        let log = deliver(&amplitude, &config, true, &track())
            .into_iter()
            .find(|d| d.code == "logEvent")
            .unwrap_or_else(|| panic!("logEvent"));
        assert_eq!(log.status, DeliveryStatus::Invalid);
        assert!(
            log.field_errors[0].message.contains("is disabled"),
            "{:?}",
            log.field_errors
        );
    }
    // A @template cannot loop: `{{` of a path only; a 1 MB event maps in one pass.
    config["logEvent"]["event_type"] = json!({"@template": "{{properties.big}}{{properties.big}}"});
    let mut event = track();
    event["properties"]["big"] = json!("y".repeat(1 << 20));
    let log = deliver(&amplitude, &config, true, &event)
        .into_iter()
        .find(|d| d.code == "logEvent")
        .unwrap_or_else(|| panic!("logEvent"));
    assert_eq!(log.status, DeliveryStatus::Sent);
    let mapped = log.payload.unwrap_or_default();
    assert_eq!(mapped["event_type"].as_str().map(str::len), Some(2 << 20));
}
