use crate::mapping::{transform, validate, MappingError};
use serde_json::{json, Value};

/// Segment's answers for `segment/liquid.json` × `segment/events.json`, recorded by
/// `segment/gen-liquid.js`: an `ok` payload must be equal, an error must be an error.
/// Every difference is printed and fails the test.
#[test]
fn renders_as_segment_does() {
    let recorded: Value = serde_json::from_str(include_str!("../segment/liquid-recorded.json"))
        .unwrap_or_else(|e| panic!("segment/liquid-recorded.json: {e}"));
    let events: Value = serde_json::from_str(include_str!("../segment/events.json"))
        .unwrap_or_else(|e| panic!("segment/events.json: {e}"));
    let events = events.as_array().cloned().unwrap_or_default();
    let mut compared = 0;
    let mut differences = Vec::new();
    for (case_index, case) in recorded["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mapping = &case["mapping"];
        for (event, expected) in events
            .iter()
            .zip(case["answers"].as_array().into_iter().flatten())
        {
            let ours = transform(mapping, event);
            compared += 1;
            let same = match (&ours, expected.get("ok")) {
                (Ok(payload), Some(theirs)) => payload == theirs,
                (Err(_), None) => true,
                _ => false,
            };
            if !same {
                differences.push(format!(
                    "case #{case_index} {mapping}\n  event {event}\n  Segment: {expected}\n  ours:    {ours:?}"
                ));
            }
        }
    }
    for difference in &differences {
        eprintln!("{difference}\n");
    }
    eprintln!("{compared} answers compared");
    assert!(compared > 4000, "only {compared} answers compared");
    assert!(differences.is_empty(), "{} differences", differences.len());
}

#[test]
fn the_limits_are_segments() {
    let long = "x".repeat(1001);
    let error = transform(&json!({"a": {"@liquid": long}}), &json!({})).err();
    assert_eq!(
        error.map(|e| e.to_string()),
        Some("liquid template values are limited to 1000 characters".to_string())
    );
    // 1000 UTF-16 units: 500 emoji are 1000 units.
    let emoji = "😀".repeat(500);
    assert_eq!(
        transform(&json!({"a": {"@liquid": emoji.clone()}}), &json!({})),
        Ok(json!({ "a": emoji }))
    );
    assert_eq!(
        transform(&json!({"a": {"@liquid": ""}}), &json!({})),
        Ok(json!({"a": ""}))
    );
    for tag in [
        "case x",
        "for i in (1..9)",
        "include 'x'",
        "layout 'x'",
        "render 'x'",
        "tablerow i in a",
    ] {
        let template = format!("{{% {tag} %}}");
        let Err(MappingError::Failed(message)) =
            transform(&json!({"a": {"@liquid": template}}), &json!({}))
        else {
            panic!("{tag} should be refused");
        };
        let name = tag.split(' ').next().unwrap_or_default();
        assert!(
            message.contains(&format!("tag \"{name}\" is disabled")),
            "{message}"
        );
    }
    // A disabled filter fails only where it runs, as in liquidjs.
    let mapping = json!({"a": {"@liquid": "{% if false %}{{ x | sort }}{% endif %}ok"}});
    assert_eq!(transform(&mapping, &json!({})), Ok(json!({"a": "ok"})));
    let mapping = json!({"a": {"@liquid": "{{ x | sort }}"}});
    let error = transform(&mapping, &json!({"x": [2, 1]}))
        .err()
        .map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("filter \"sort\" is disabled")));
}

/// A template that doubles a string on every step is stopped by the memory budget, with
/// a clear error, in bounded time and memory.
#[test]
fn doubling_is_bounded() {
    let step = "{% assign a = a | append: a %}";
    let template = format!(
        "{{% assign a = 'xxxxxxxxxxxxxxxx' %}}{}{{{{ a | size }}}}",
        step.repeat(30)
    );
    let error = transform(&json!({"v": {"@liquid": template}}), &json!({})).err();
    assert!(error.is_some_and(|e| e.to_string().contains("memory alloc limit exceeded")));
    let step = "{% capture a %}{{a}}{{a}}{% endcapture %}";
    let template = format!(
        "{{% capture a %}}{}{{% endcapture %}}{}{{{{ a | size }}}}",
        "x".repeat(32),
        step.repeat(22)
    );
    let error = transform(&json!({"v": {"@liquid": template}}), &json!({})).err();
    assert!(
        error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("memory alloc limit exceeded")),
        "{error:?}"
    );
    // Many outputs of a large value: the output itself is charged.
    let template = format!("{{% assign a = x | append: x %}}{}", "{{a}}".repeat(190));
    let big = "y".repeat(400_000);
    let error = transform(&json!({"v": {"@liquid": template}}), &json!({"x": big})).err();
    assert!(
        error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("memory alloc limit exceeded")),
        "{error:?}"
    );
}

#[test]
fn a_liquid_template_must_be_a_string_to_be_saved() {
    let problems = validate(&json!({"a": {"@liquid": {"@path": "$.x"}}}));
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].path,
        vec!["a".to_string(), "@liquid".to_string()]
    );
    assert!(validate(&json!({"a": {"@liquid": "{{ x }}"}})).is_empty());
}
