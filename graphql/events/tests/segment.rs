//! The differential test of the engine against Segment's own code, live: the npm packages
//! `@segment/actions-core` (mapping-kit `transform`) and `@segment/destination-subscriptions`
//! (`parseFql` + `validate`), pinned and locked in `tests/segment/`, run in one Node process
//! (`tests/segment/run.js`) on the same inputs as `houston_events`:
//!
//! - every action's default mapping (all 603 actions of the catalog; identical ones once)
//!   and the hand-written mappings of every directive, on every event of the corpus;
//! - every action's default trigger and the trigger tests' quirks, on every event;
//! - the hand-written `@liquid` templates (liquidjs with actions-core's options), on every
//!   event;
//! - the fields a payload lacks (required, and required on conditions) for every action,
//!   on its default payload from every event and on payloads made to test its conditions.
//!
//! Every answer must be JSON-equal: the payload, or the error messages (for `@liquid`, the
//! fact of an error). Each difference is printed before the test fails; nothing is allowed
//! to differ. (A build without the `liquid` feature refuses `@liquid`, and its mappings are
//! left out of the default-mapping comparison.)

#[path = "segment/corpus.rs"]
mod corpus;

use corpus::{Input, Shared};
use houston_events::delivery::{action_schema, missing_fields, section_mapping};
use houston_events::mapping::{remove_empty_values, transform, validate, Mapping, MappingError};
use houston_events::trigger::{IndexedEvent, Trigger, TriggerErrorKind};
use serde_json::{json, Value};

/// The error messages of a failed mapping, as run.js writes Segment's.
fn messages(error: &MappingError) -> Vec<String> {
    match error {
        MappingError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Whether the engine refuses the mapping's `@liquid` as not supported yet.
fn liquid_unsupported(mapping: &Value) -> bool {
    validate(mapping)
        .iter()
        .any(|p| p.message.contains("@liquid") && p.message.contains("not supported"))
}

/// Prints each difference and fails when there is any.
fn report(what: &str, compared: usize, differences: &[String]) {
    for difference in differences {
        eprintln!("{difference}\n");
    }
    eprintln!("{what}: {compared} answers compared with Segment's");
    assert!(
        differences.is_empty(),
        "{what}: {} of {compared} answers differ from Segment's (each printed above)",
        differences.len()
    );
}

/// How a case is named in a difference: the catalog's actions that share it, or the
/// hand-written one's index.
fn label(actions: &[String], fallback: String) -> String {
    match actions {
        [] => fallback,
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (and {} more actions)", rest.len()),
    }
}

#[test]
fn every_default_mapping_and_every_directive_maps_as_segment_does() {
    let events = corpus::events();
    assert!(
        events.len() >= 60,
        "the corpus holds {} events",
        events.len()
    );
    let defaults = corpus::defaults();
    assert!(defaults.actions >= 600, "{} actions", defaults.actions);
    let mut cases: Vec<Shared<Value>> = corpus::hand_written_mappings()
        .into_iter()
        .map(|value| Shared {
            actions: Vec::new(),
            value,
        })
        .collect();
    let hand_written = cases.len();
    cases.extend(defaults.mappings);
    let (liquid, cases): (Vec<_>, Vec<_>) = cases
        .into_iter()
        .partition(|case| liquid_unsupported(&case.value));
    let inputs: Vec<Input> = cases.iter().map(|c| Input::Mapping(&c.value)).collect();
    let answers = corpus::run_segment(&events, &inputs, &[]);
    assert_eq!(answers.len(), cases.len(), "one answer line per mapping");

    let mut compared = 0;
    let mut differences = Vec::new();
    for (number, (case, segment)) in cases.iter().zip(&answers).enumerate() {
        let name = label(&case.actions, format!("hand-written mapping #{number}"));
        let segment = segment["answers"].as_array().cloned().unwrap_or_default();
        assert_eq!(segment.len(), events.len(), "{name}: one answer per event");
        // Both ways in: `transform`, and a `Mapping` checked once for every event.
        let checked = Mapping::new(&case.value);
        for (index, (event, expected)) in events.iter().zip(&segment).enumerate() {
            let answer = |result: Result<Value, MappingError>| match result {
                Ok(payload) => json!({ "ok": payload }),
                Err(error) => json!({ "error": messages(&error) }),
            };
            for (way, ours) in [
                ("transform", answer(transform(&case.value, event))),
                ("Mapping", answer(checked.transform(event))),
            ] {
                compared += 1;
                if &ours != expected {
                    differences.push(format!(
                        "{name} ({way}): {}\n  event #{index}: {event}\n  Segment: {expected}\n  ours:    {ours}",
                        case.value
                    ));
                }
            }
        }
    }
    eprintln!(
        "{} events; {} distinct default mappings of {} actions, {hand_written} hand-written; \
         {} with @liquid left out (not supported yet)",
        events.len(),
        cases.len() + liquid.len() - hand_written,
        defaults.actions,
        liquid.len()
    );
    report("mappings", compared, &differences);
}

/// Whether Segment's tree holds an empty group (an `undefined` child, `null` in JSON).
fn has_null_child(ast: &Value) -> bool {
    ast["children"].as_array().is_some_and(|children| {
        children
            .iter()
            .any(|child| child.is_null() || has_null_child(child))
    })
}

#[test]
fn every_default_trigger_parses_and_matches_as_segment_does() {
    let events = corpus::events();
    let defaults = corpus::defaults();
    assert!(
        defaults.triggers.len() >= 90,
        "{} triggers",
        defaults.triggers.len()
    );
    let mut cases = defaults.triggers;
    let default_count = cases.len();
    cases.extend(corpus::quirk_triggers().into_iter().map(|value| Shared {
        actions: Vec::new(),
        value,
    }));
    let inputs: Vec<Input> = cases.iter().map(|c| Input::Trigger(&c.value)).collect();
    let answers = corpus::run_segment(&events, &inputs, &[]);
    assert_eq!(answers.len(), cases.len(), "one answer line per trigger");

    // Each event indexed once and shared by every trigger, as a delivery shares one between
    // its sections: a field one trigger found must answer the next one the same.
    let indexed: Vec<IndexedEvent> = events.iter().map(IndexedEvent::new).collect();
    let mut compared = 0;
    let mut differences = Vec::new();
    for (case, segment) in cases.iter().zip(&answers) {
        let fql = case.value.as_str();
        let name = label(&case.actions, "quirk".into());
        compared += 1;
        match (Trigger::parse(fql), segment.get("ast")) {
            (Err(error), None) => {
                // Segment errs too (its message is its own); ours must say where.
                if error.offset > fql.chars().count() {
                    differences.push(format!(
                        "{name} `{fql}`: error offset {} past the end",
                        error.offset
                    ));
                }
            }
            // The one deliberate difference: an empty group, which Segment keeps as an
            // `undefined` child that its `validate` throws on.
            (Err(error), Some(ast))
                if error.kind == TriggerErrorKind::EmptyGroup && has_null_child(ast) => {}
            (Err(error), Some(ast)) => differences.push(format!(
                "{name} `{fql}`: Segment parses it as {ast}, we say: {error}"
            )),
            (Ok(trigger), None) => differences.push(format!(
                "{name} `{fql}`: Segment errs ({}), we parse {}",
                segment["error"],
                trigger.to_segment_json()
            )),
            (Ok(trigger), Some(ast)) => {
                if &trigger.to_segment_json() != ast {
                    differences.push(format!(
                        "{name} `{fql}`: Segment parses {ast}, we parse {}",
                        trigger.to_segment_json()
                    ));
                }
                let matches = segment["matches"].as_array().cloned().unwrap_or_default();
                assert_eq!(matches.len(), events.len(), "{name}: one answer per event");
                for (index, (event, expected)) in events.iter().zip(matches).enumerate() {
                    compared += 1;
                    // Where Segment's `validate` throws, `matches` answers false.
                    let expected = expected.as_bool().unwrap_or(false);
                    let ours = trigger.matches(event);
                    if ours != expected {
                        differences.push(format!(
                            "{name} `{fql}` on event #{index} {event}: Segment answers {expected}, we answer {ours}"
                        ));
                    }
                    let shared = trigger.matches_indexed(&indexed[index]);
                    if shared != expected {
                        differences.push(format!(
                            "{name} `{fql}` on event #{index} {event}, indexed: Segment answers {expected}, we answer {shared}"
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "{} events; {default_count} distinct default triggers, {} quirks",
        events.len(),
        cases.len() - default_count
    );
    report("triggers", compared, &differences);
}

/// Payloads that test an action's conditional `required`s: `base` with each field a
/// condition reads absent, null, the value it is compared with and another one (a
/// `parent.child` key: the parent absent, not an object, without and with the child).
fn condition_payloads(fields: &[houston_prototypes::PrototypeField], base: &Value) -> Vec<Value> {
    let mut rules = Vec::new();
    let mut conditional = Vec::new();
    for field in fields {
        for f in std::iter::once(field).chain(&field.properties) {
            if let Some(condition) = &f.required_if {
                rules.extend(condition.rules.iter().cloned());
                conditional.push(field.property_name.clone());
            }
        }
    }
    if rules.is_empty() {
        return Vec::new();
    }
    let mut payloads = vec![json!({})];
    let with = |key: &str, value: Option<Value>| {
        let mut payload = base.clone();
        if let Some(object) = payload.as_object_mut() {
            match value {
                Some(value) => object.insert(key.to_string(), value),
                None => object.remove(key),
            };
        }
        payload
    };
    for rule in &rules {
        let Some(key) = rule.field_key.as_deref() else {
            continue;
        };
        let compared = rule.value.clone().unwrap_or(json!("x"));
        if let Some((parent, child)) = key.split_once('.') {
            for value in [
                None,
                Some(json!("text")),
                Some(json!({})),
                Some(json!({ child: compared.clone() })),
                Some(json!({ child: "other" })),
            ] {
                payloads.push(with(parent, value));
            }
            continue;
        }
        for value in [
            None,
            Some(Value::Null),
            Some(compared.clone()),
            Some(json!("other")),
            Some(json!(true)),
            // What ajv's coercion reads as null.
            Some(json!("")),
            Some(json!(0)),
            Some(json!([false])),
        ] {
            let payload = with(key, value);
            // And each conditional field taken out, or put in empty.
            for name in &conditional {
                let mut without = payload.clone();
                if let Some(object) = without.as_object_mut() {
                    object.remove(name);
                }
                payloads.push(without);
                let mut empty = payload.clone();
                if let Some(object) = empty.as_object_mut() {
                    object.insert(name.clone(), json!({}));
                }
                payloads.push(empty);
            }
            payloads.push(payload);
        }
    }
    payloads
}

#[test]
fn every_actions_missing_fields_are_segments() {
    let events = corpus::events();
    let raw = corpus::catalog_json();
    let catalog = houston_prototypes::parse_catalog(&raw.to_string())
        .unwrap_or_else(|e| panic!("the catalog: {e}"));
    let mut cases = Vec::new();
    for destination in raw.as_array().into_iter().flatten() {
        let code = destination["code"].as_str().unwrap_or_default();
        let Some(parsed) = catalog.iter().find(|d| d.code == code) else {
            panic!("{code} parses");
        };
        for action in destination["actions"].as_array().into_iter().flatten() {
            let action_code = action["code"].as_str().unwrap_or_default();
            let Some(section) = parsed.sections.iter().find(|s| s.code == action_code) else {
                panic!("{code}/{action_code} is a section");
            };
            let mapping = section_mapping(section, None);
            let schema = action_schema(&section.fields);
            let mut payloads: Vec<Value> = Vec::new();
            for event in &events {
                if let Ok(mapped) = transform(&mapping, event) {
                    let payload = remove_empty_values(&mapped, &schema, true).unwrap_or(json!({}));
                    if !payloads.contains(&payload) {
                        payloads.push(payload);
                    }
                }
            }
            let base = payloads.first().cloned().unwrap_or(json!({}));
            payloads.extend(condition_payloads(&section.fields, &base));
            cases.push((
                format!("{code}/{action_code}"),
                &section.fields,
                json!({"fields": action["fields"], "payloads": payloads}),
            ));
        }
    }
    let inputs: Vec<Input> = cases
        .iter()
        .map(|(_, _, case)| Input::Required(case))
        .collect();
    let answers = corpus::run_segment(&[], &inputs, &[]);
    assert_eq!(answers.len(), cases.len(), "one answer line per action");
    let mut compared = 0;
    let mut missing_somewhere = 0;
    let mut differences = Vec::new();
    for ((name, fields, case), answer) in cases.iter().zip(&answers) {
        let theirs = answer["missing"].as_array().cloned().unwrap_or_default();
        let payloads = case["payloads"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            theirs.len(),
            payloads.len(),
            "{name}: one answer per payload"
        );
        for (payload, expected) in payloads.iter().zip(theirs) {
            compared += 1;
            let mut ours: Vec<String> = missing_fields(fields, payload)
                .into_iter()
                .map(|e| e.property_name)
                .collect();
            ours.sort();
            if !ours.is_empty() {
                missing_somewhere += 1;
            }
            if json!(ours) != expected {
                differences.push(format!(
                    "{name}: payload {payload}\n  Segment finds missing: {expected}\n  we find missing:       {ours:?}"
                ));
            }
        }
    }
    eprintln!(
        "{} actions; {missing_somewhere} payloads lack a field",
        cases.len()
    );
    assert!(
        cases.len() >= 600 && missing_somewhere > 100,
        "the cases test too little"
    );
    report("missing fields", compared, &differences);
}

/// The hand-written `@liquid` templates (`src/mapping/segment/liquid.json`: every allowed
/// tag and filter, the disabled ones, liquidjs's comparisons and number writing, the
/// limits) run live by Segment's own liquidjs setup on every event: each payload equal, and
/// an error where Segment errs (liquidjs's messages carry its own line and column format,
/// so only the fact of an error is compared).
#[cfg(feature = "liquid")]
#[test]
fn every_liquid_template_renders_as_segment_does() {
    let events = corpus::events();
    let templates: Vec<Value> =
        serde_json::from_str(include_str!("../src/mapping/segment/liquid.json"))
            .unwrap_or_else(|e| panic!("liquid.json: {e}"));
    let inputs: Vec<Input> = templates.iter().map(Input::Mapping).collect();
    let answers = corpus::run_segment(&events, &inputs, &[]);
    assert_eq!(
        answers.len(),
        templates.len(),
        "one answer line per template"
    );
    let mut compared = 0;
    let mut differences = Vec::new();
    for (mapping, segment) in templates.iter().zip(&answers) {
        let segment = segment["answers"].as_array().cloned().unwrap_or_default();
        for (index, (event, expected)) in events.iter().zip(&segment).enumerate() {
            compared += 1;
            let ours = transform(mapping, event);
            let same = match (&ours, expected.get("ok")) {
                (Ok(payload), Some(theirs)) => payload == theirs,
                (Err(_), None) => expected.get("error").is_some(),
                _ => false,
            };
            if !same {
                differences.push(format!(
                    "{mapping}\n  event #{index}: {event}\n  Segment: {expected}\n  ours:    {ours:?}"
                ));
            }
        }
    }
    report("@liquid", compared, &differences);
}
