use super::*;
use serde_json::json;

fn parse(fql: &str) -> Trigger {
    match Trigger::parse(fql) {
        Ok(trigger) => trigger,
        Err(error) => panic!("`{fql}` should parse: {error}"),
    }
}

fn ast(fql: &str) -> Value {
    parse(fql).to_segment_json()
}

fn matches(fql: &str, event: Value) -> bool {
    parse(fql).matches(&event)
}

#[test]
fn the_issue_example_matches_only_that_track() {
    let fql = r#"type = "track" and event = "Order Completed""#;
    assert!(matches(
        fql,
        json!({"type": "track", "event": "Order Completed"})
    ));
    assert!(!matches(
        fql,
        json!({"type": "track", "event": "Order Updated"})
    ));
    assert!(!matches(
        fql,
        json!({"type": "page", "event": "Order Completed"})
    ));
}

/// Compares with the answers Segment's own code gave (`segment/gen.js`, run on
/// `@segment/destination-subscriptions` 3.37.0): the parsed tree or an error, and `validate`
/// on every event of the file. Returns one line per difference.
fn differences_from_segment(recorded: &str) -> Vec<String> {
    let recorded: Value = match serde_json::from_str(recorded) {
        Ok(recorded) => recorded,
        Err(error) => return vec![format!("the recorded file does not parse: {error}")],
    };
    let events = recorded["events"].as_array().cloned().unwrap_or_default();
    let cases = recorded["cases"].as_array().cloned().unwrap_or_default();
    assert!(!cases.is_empty(), "the recorded file holds cases");
    let mut differences = Vec::new();
    for case in cases {
        let fql = case["fql"].as_str().unwrap_or_default();
        let parsed = Trigger::parse(fql);
        match (&parsed, case.get("ast")) {
            (Err(error), None) => {
                // Segment errs too; ours must say where, within the trigger.
                if error.offset > fql.chars().count() {
                    differences.push(format!(
                        "`{fql}`: error offset {} past the end",
                        error.offset
                    ));
                }
            }
            (Err(error), Some(ast)) => {
                // The one deliberate difference: an empty group, which Segment keeps as an
                // `undefined` child (`null` in JSON) that `validate` throws on.
                let empty_child =
                    ast.to_string().contains("null]") || ast.to_string().contains("[null");
                if !(error.kind == TriggerErrorKind::EmptyGroup && empty_child) {
                    differences.push(format!(
                        "`{fql}`: Segment parses it as {ast}, we say: {error}"
                    ));
                }
            }
            (Ok(trigger), None) => differences.push(format!(
                "`{fql}`: Segment errs ({}), we parse {}",
                case["error"],
                trigger.to_segment_json()
            )),
            (Ok(trigger), Some(ast)) => {
                if &trigger.to_segment_json() != ast {
                    differences.push(format!(
                        "`{fql}`: Segment parses {ast}, we parse {}",
                        trigger.to_segment_json()
                    ));
                }
                let expected = case["matches"].as_array().cloned().unwrap_or_default();
                for (event, expected) in events.iter().zip(expected) {
                    // Where `validate` throws, `matches` answers false.
                    let expected = expected.as_bool().unwrap_or(false);
                    if trigger.matches(event) != expected {
                        differences.push(format!(
                            "`{fql}` on {event}: Segment answers {expected}, we answer {}",
                            !expected
                        ));
                    }
                }
            }
        }
    }
    differences
}

#[test]
fn parses_and_matches_as_segment_does_on_the_quirks() {
    let differences = differences_from_segment(include_str!("segment/quirks.json"));
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn parses_and_matches_as_segment_does_on_the_catalog_defaults() {
    let differences = differences_from_segment(include_str!("segment/catalog.json"));
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
