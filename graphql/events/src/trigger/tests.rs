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
