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

fn error(fql: &str) -> TriggerError {
    match Trigger::parse(fql) {
        Ok(trigger) => panic!(
            "`{fql}` should not parse, got {}",
            trigger.to_segment_json()
        ),
        Err(error) => error,
    }
}

/// A trigger of one condition on `properties.value`, built as the tests of `validate.test.ts`
/// build their trees (some of which `parseFql` never builds, like `=` with a number).
fn on_value(operator: Operator, value: Option<Operand>) -> Trigger {
    Trigger {
        root: Group {
            operator: GroupOperator::And,
            children: vec![Condition::Field(FieldCondition {
                field: Field::Property("value".into()),
                operator,
                value,
            })],
        },
    }
}

fn with_value(value: Value) -> Value {
    json!({ "properties": { "value": value } })
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

fn has_null_child(ast: &Value) -> bool {
    ast["children"].as_array().is_some_and(|children| {
        children
            .iter()
            .any(|child| child.is_null() || has_null_child(child))
    })
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
                let empty_child = has_null_child(ast);
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

// ---------------------------------------------------------------------------------------
// Ported from action-destinations packages/destination-subscriptions/src/__tests__/fql.test.ts
// (the `parseFql` half of its `testFql`; same inputs, same trees).

#[test]
fn fql_test_ts_invalid_payloads_are_errors() {
    // 'typo', 'type * "32456"' and '' are a TypeError in parseFql, 'type' "Value token is missing".
    assert_eq!(error("typo").kind, TriggerErrorKind::NoCondition);
    assert_eq!(
        error("type * \"32456\"").kind,
        TriggerErrorKind::InvalidCharacter('*')
    );
    assert_eq!(error("").kind, TriggerErrorKind::NoCondition);
    assert_eq!(
        error("type").kind,
        TriggerErrorKind::MissingValue("type".into())
    );
}

#[test]
fn fql_test_ts_missing_value_takes_the_end_of_input() {
    assert_eq!(
        ast("type = "),
        json!({"type": "group", "operator": "and", "children": [
            {"type": "event-type", "operator": "=", "value": "eos"}]})
    );
}

#[test]
fn fql_test_ts_trees() {
    let cases = [
        (
            r#"type = "track""#,
            json!([{"type": "event-type", "operator": "=", "value": "track"}]),
            "and",
        ),
        (
            r#"event = "Product Added""#,
            json!([{"type": "event", "operator": "=", "value": "Product Added"}]),
            "and",
        ),
        (
            "userId != null",
            json!([{"type": "userId", "operator": "exists"}]),
            "and",
        ),
        (
            r#"name = "Home""#,
            json!([{"type": "name", "operator": "=", "value": "Home"}]),
            "and",
        ),
        (
            r#"type = "track" or type = "identify""#,
            json!([{"type": "event-type", "operator": "=", "value": "track"},
                   {"type": "event-type", "operator": "=", "value": "identify"}]),
            "or",
        ),
        (
            r#"event = "Product Added" and properties.price >= 100"#,
            json!([{"type": "event", "operator": "=", "value": "Product Added"},
                   {"type": "event-property", "name": "price", "operator": ">=", "value": 100}]),
            "and",
        ),
        (
            r#"event = "identify" and traits.logins >= 10 and traits.plan = "premium""#,
            json!([{"type": "event", "operator": "=", "value": "identify"},
                   {"type": "event-trait", "name": "logins", "operator": ">=", "value": 10},
                   {"type": "event-trait", "name": "plan", "operator": "=", "value": "premium"}]),
            "and",
        ),
        (
            r#"event = "Product Added" and properties.price >= 100 and properties.premium = "true""#,
            json!([{"type": "event", "operator": "=", "value": "Product Added"},
                   {"type": "event-property", "name": "price", "operator": ">=", "value": 100},
                   {"type": "event-property", "name": "premium", "operator": "=", "value": "true"}]),
            "and",
        ),
        (
            r#"type = "track" and (event = "Product Added" or event = "Order Completed")"#,
            json!([{"type": "event-type", "operator": "=", "value": "track"},
                   {"type": "group", "operator": "or", "children": [
                       {"type": "event", "operator": "=", "value": "Product Added"},
                       {"type": "event", "operator": "=", "value": "Order Completed"}]}]),
            "and",
        ),
        (
            r#"(event = "identify" and traits.logins >= 100) or (event = "Signed Up" and traits.age >= 50)"#,
            json!([{"type": "group", "operator": "and", "children": [
                       {"type": "event", "operator": "=", "value": "identify"},
                       {"type": "event-trait", "name": "logins", "operator": ">=", "value": 100}]},
                   {"type": "group", "operator": "and", "children": [
                       {"type": "event", "operator": "=", "value": "Signed Up"},
                       {"type": "event-trait", "name": "age", "operator": ">=", "value": 50}]}]),
            "or",
        ),
    ];
    for (fql, children, operator) in cases {
        assert_eq!(
            ast(fql),
            json!({"type": "group", "operator": operator, "children": children}),
            "{fql}"
        );
    }
}

#[test]
fn fql_test_ts_functions() {
    let one = |fql: &str| {
        ast(fql)["children"]
            .as_array()
            .and_then(|c| c.last().cloned())
    };
    let cases = [
        (
            r#"contains(event, "Nike")"#,
            json!({"type": "event", "operator": "contains", "value": "Nike"}),
        ),
        (
            r#"!contains(event, "Nike")"#,
            json!({"type": "event", "operator": "not_contains", "value": "Nike"}),
        ),
        (
            r#"event = "Product Added" and contains(properties.name, "Nike")"#,
            json!({"type": "event-property", "name": "name", "operator": "contains", "value": "Nike"}),
        ),
        (
            r#"event = "Product Added" and !contains(traits.name, "Nike")"#,
            json!({"type": "event-trait", "name": "name", "operator": "not_contains", "value": "Nike"}),
        ),
        (
            r#"match(event, "X*")"#,
            json!({"type": "event", "operator": "starts_with", "value": "X"}),
        ),
        (
            r#"!match(event, "X*")"#,
            json!({"type": "event", "operator": "not_starts_with", "value": "X"}),
        ),
        (
            r#"event = "Product Added" and match(properties.name, "X*")"#,
            json!({"type": "event-property", "name": "name", "operator": "starts_with", "value": "X"}),
        ),
        (
            r#"match(event, "*X")"#,
            json!({"type": "event", "operator": "ends_with", "value": "X"}),
        ),
        (
            r#"event = "Product Added" and !match(traits.name, "*X")"#,
            json!({"type": "event-trait", "name": "name", "operator": "not_ends_with", "value": "X"}),
        ),
        (
            r#"event = "Product Added" and properties.name != null"#,
            json!({"type": "event-property", "name": "name", "operator": "exists"}),
        ),
        (
            r#"event = "Product Added" and traits.name = null"#,
            json!({"type": "event-trait", "name": "name", "operator": "not_exists"}),
        ),
    ];
    for (fql, last) in cases {
        assert_eq!(one(fql), Some(last), "{fql}");
    }
}

// ---------------------------------------------------------------------------------------
// Ported from __tests__/validate.test.ts, with the answers of the 3.37.0 code we port: the
// repository's test file at 0050d862 expects `"123"` to equal `123` and `"5" < 10`, which
// 3.37.0's validate.js:52-66 refuses (strict types; checked by running it).

#[test]
fn validate_test_ts_undefined_and_empty_events_match_nothing() {
    let trigger = on_value(Operator::Equals, Some(Operand::String("x".into())));
    assert!(!trigger.matches(&json!("")));
    assert!(!trigger.matches(&json!({})));
    assert!(!trigger.matches(&Value::Null));
}

#[test]
fn validate_test_ts_booleans() {
    assert!(on_value(Operator::IsTrue, None).matches(&with_value(json!(true))));
    assert!(!on_value(Operator::IsTrue, None).matches(&with_value(json!(false))));
    assert!(on_value(Operator::IsFalse, None).matches(&with_value(json!(false))));
    assert!(!on_value(Operator::IsFalse, None).matches(&with_value(json!(true))));
    // Strict: the string "true" is no boolean.
    assert!(!on_value(Operator::IsTrue, None).matches(&with_value(json!("true"))));
}

#[test]
fn validate_test_ts_equality_is_strict_on_type() {
    for expected in [Operand::String("123".into()), Operand::Number(123.0)] {
        let equals = on_value(Operator::Equals, Some(expected.clone()));
        // validate.js:52 `actual === String(expected)`: only the string matches.
        assert!(!equals.matches(&with_value(json!(123))));
        assert!(equals.matches(&with_value(json!("123"))));
        assert!(!equals.matches(&with_value(json!(0))));
        let differs = on_value(Operator::NotEquals, Some(expected));
        assert!(differs.matches(&with_value(json!(123))));
        assert!(!differs.matches(&with_value(json!("123"))));
        assert!(differs.matches(&with_value(json!(456))));
        assert!(differs.matches(&with_value(json!("456"))));
    }
}

#[test]
fn validate_test_ts_comparisons_need_a_number() {
    for expected in [Operand::String("10".into()), Operand::Number(10.0)] {
        let at = |operator: Operator, value: Value| {
            on_value(operator, Some(expected.clone())).matches(&with_value(value))
        };
        assert!(at(Operator::Less, json!(5)));
        assert!(!at(Operator::Less, json!("5")));
        assert!(!at(Operator::Less, json!(10)));
        assert!(at(Operator::LessOrEqual, json!(10)));
        assert!(!at(Operator::LessOrEqual, json!(11)));
        assert!(at(Operator::Greater, json!(11)));
        assert!(!at(Operator::Greater, json!("11")));
        assert!(!at(Operator::Greater, json!(10)));
        assert!(at(Operator::GreaterOrEqual, json!(10)));
        assert!(!at(Operator::GreaterOrEqual, json!(5)));
    }
}

#[test]
fn validate_test_ts_strings() {
    let text = |operator: Operator, expected: &str, actual: &str| {
        on_value(operator, Some(Operand::String(expected.into())))
            .matches(&with_value(json!(actual)))
    };
    assert!(text(Operator::Contains, "b", "abc"));
    assert!(!text(Operator::Contains, "b", "xyz"));
    assert!(!text(Operator::NotContains, "b", "abc"));
    assert!(text(Operator::NotContains, "b", "xyz"));
    assert!(text(Operator::StartsWith, "x", "xabc"));
    assert!(!text(Operator::StartsWith, "x", "abc"));
    assert!(!text(Operator::NotStartsWith, "x", "xabc"));
    assert!(text(Operator::NotStartsWith, "x", "abc"));
    assert!(text(Operator::EndsWith, "x", "abcx"));
    assert!(!text(Operator::EndsWith, "x", "abc"));
    assert!(!text(Operator::NotEndsWith, "x", "abcx"));
    assert!(text(Operator::NotEndsWith, "x", "abc"));
    // validate.js:70: the negations answer false on what is not a string at all.
    assert!(
        !on_value(Operator::NotContains, Some(Operand::String("b".into())))
            .matches(&with_value(json!(5)))
    );
}

#[test]
fn validate_test_ts_existence() {
    let exists = on_value(Operator::Exists, None);
    assert!(exists.matches(&with_value(json!("abcx"))));
    assert!(!exists.matches(&json!({"properties": {}})));
    assert!(!exists.matches(&with_value(Value::Null)));
    let absent = on_value(Operator::NotExists, None);
    assert!(!absent.matches(&with_value(json!("abcx"))));
    assert!(absent.matches(&json!({"properties": {}})));
    assert!(absent.matches(&with_value(Value::Null)));
}

#[test]
fn validate_test_ts_groups() {
    let fql =
        r#"event = "Page Viewed" and (properties.name = "Catalog" or properties.name = "Home")"#;
    assert!(matches(
        fql,
        json!({"event": "Page Viewed", "properties": {"name": "Catalog"}})
    ));
    assert!(matches(
        fql,
        json!({"event": "Page Viewed", "properties": {"name": "Home"}})
    ));
    assert!(!matches(
        fql,
        json!({"event": "Page Viewed", "properties": {"name": "Other"}})
    ));
    let fql = r#"event = "Page Viewed" and (context.ip = "1.1.1.1" or properties.ip = "2.2.2.2")"#;
    assert!(matches(
        fql,
        json!({"event": "Page Viewed", "context": {"ip": "1.1.1.1"}})
    ));
    assert!(!matches(
        fql,
        json!({"event": "Page Viewed", "context": {"ip": "2.2.2.2"}})
    ));
    assert!(!matches(fql, json!({"event": "Page Viewed"})));
    let fql = r#"type != "group""#;
    assert!(matches(fql, json!({"type": "track"})));
    assert!(!matches(fql, json!({"type": "group"})));
}

// ---------------------------------------------------------------------------------------
// Quirks, each with the line of Segment's JS it comes from.

#[test]
fn string_equality_is_strict() {
    // validate.js:52 `actual === String(expected)`; parse-fql.js:148 makes `= 5` on a path a
    // number_equals, validate.js:54 `typeof actual === 'number'`.
    assert!(!matches(
        r#"properties.total = "5""#,
        json!({"properties": {"total": 5}})
    ));
    assert!(matches(
        r#"properties.total = "5""#,
        json!({"properties": {"total": "5"}})
    ));
    assert!(matches(
        "properties.total = 5",
        json!({"properties": {"total": 5}})
    ));
    assert!(!matches(
        "properties.total = 5",
        json!({"properties": {"total": "5"}})
    ));
    // parse-fql.js:150: on `event` a number is a string: `event = 1.50` is `event = "1.5"`.
    assert!(matches("event = 1.50", json!({"event": "1.5"})));
    assert!(!matches("event = 1.50", json!({"event": 1.5})));
}

#[test]
fn the_last_conditional_decides_for_the_whole_group() {
    // parse-fql.js:402-404: `operator = token.value` overwrites, no precedence.
    let fql = r#"type = "a" and type = "b" or type = "c""#;
    assert_eq!(ast(fql)["operator"], "or");
    assert!(matches(fql, json!({"type": "a"})));
    let fql = r#"type = "a" or type = "b" and type = "c""#;
    assert!(!matches(fql, json!({"type": "a"})));
}

#[test]
fn capital_conditionals_are_skipped_words() {
    // lexer.js:150 knows `and`/`or` in lower case only; parse-fql.js:135 skips other names.
    assert!(!matches(
        r#"type = "a" OR type = "b""#,
        json!({"type": "a"})
    ));
    assert_eq!(ast(r#"type = "a" OR type = "b""#)["operator"], "and");
}

#[test]
fn parentheses_nest_one_level() {
    // parse-fql.js:395 collects a group's tokens up to the first `)`.
    assert_eq!(
        error(r#"((type = "track"))"#).kind,
        TriggerErrorKind::NestedParenthesis
    );
    assert_eq!(
        error(r#"(type = "track" and (event = "x"))"#).kind,
        TriggerErrorKind::NestedParenthesis
    );
    assert_eq!(
        error(r#"(type = "track""#).kind,
        TriggerErrorKind::UnclosedParenthesis
    );
    // A stray `)` is one more token nobody reads.
    assert!(matches(r#"type = "track")"#, json!({"type": "track"})));
}

#[test]
fn a_bang_before_a_group_is_dropped() {
    // parse-fql.js:385 negates `contains` and `match` only.
    assert!(matches(r#"!(type = "track")"#, json!({"type": "track"})));
}

#[test]
fn match_drops_the_first_character_of_a_suffix_pattern() {
    // parse-fql.js:85-91: `*"` at the end is a prefix, anything else `.slice(1)`.
    assert!(matches(r#"match(event, "abc")"#, json!({"event": "xbc"})));
    assert!(matches(
        r#"match(event, "*abc*")"#,
        json!({"event": "*abcd"})
    ));
    assert!(!matches(
        r#"match(event, "*abc*")"#,
        json!({"event": "abcd"})
    ));
}

#[test]
fn single_quotes_stay_in_the_value() {
    // parse-fql.js:13 strips `"` only.
    assert_eq!(ast("type = 'track'")["children"][0]["value"], "'track'");
    assert!(matches("type = 'track'", json!({"type": "'track'"})));
    assert!(!matches("type = 'track'", json!({"type": "track"})));
}

#[test]
fn one_indexed_event_answers_every_trigger_as_each_alone_does() {
    let triggers = [
        r#"type = "track" and event = "Order Completed""#,
        r#"type = "page" or type = "track""#,
        r#"event != "Order Completed""#,
        r#"properties.total > 10 and context.app.name = "Shop""#,
        r#"traits.email = null"#,
        r#"userId = "u-1" and name = "Home""#,
    ]
    .map(parse);
    let events = [
        json!({"type": "track", "event": "Order Completed", "userId": "u-1",
               "properties": {"total": 12}, "context": {"app": {"name": "Shop"}}}),
        json!({"type": "page", "name": "Home", "userId": "u-1"}),
        json!({"type": "identify", "traits": {"email": "a@b.c"}}),
        json!("track"),
        Value::Null,
    ];
    for event in &events {
        let indexed = IndexedEvent::new(event);
        // Twice over: the second pass reads every field from what the first one found.
        for trigger in triggers.iter().chain(&triggers) {
            assert_eq!(
                trigger.matches_indexed(&indexed),
                trigger.matches(event),
                "{} on {event}",
                trigger.to_segment_json()
            );
        }
    }
    let order = IndexedEvent::new(&events[0]);
    assert!(triggers[0].matches_indexed(&order));
    assert!(triggers[3].matches_indexed(&order));
    assert!(!triggers[2].matches_indexed(&order));
    assert!(!triggers[0].matches_indexed(&IndexedEvent::new(&Value::Null)));
}

#[test]
fn null_and_booleans_depend_on_the_field() {
    // parse-fql.js:150-163: `event = null` is the string "null"; :171 `userId = null` is
    // not_exists; :198 `userId = true` is is_true; :185 `userId = 5` is the string "5".
    assert!(matches("event = null", json!({"event": "null"})));
    assert!(!matches("event = null", json!({})));
    assert!(matches("userId = null", json!({"userId": null})));
    assert!(matches("userId = true", json!({"userId": true})));
    assert!(!matches("userId = 5", json!({"userId": 5})));
    assert!(matches("userId = 5", json!({"userId": "5"})));
    // :268 keeps the boolean on a path, validate.js:56 compares with String(true).
    assert!(matches(
        "properties.x != true",
        json!({"properties": {"x": true}})
    ));
    assert!(!matches(
        "properties.x != true",
        json!({"properties": {"x": "true"}})
    ));
}

#[test]
fn a_falsy_value_ends_the_walk_of_a_path() {
    // get.js:97 `previousObject && previousObject[key]`.
    assert!(matches(
        "properties.a.b = 0",
        json!({"properties": {"a": 0}})
    ));
    assert!(matches(
        r#"properties.a.b = """#,
        json!({"properties": {"a": ""}})
    ));
    assert!(matches(
        "properties.a.b = false",
        json!({"properties": {"a": false}})
    ));
}

#[test]
fn arrays_and_strings_have_a_length() {
    // get.js:97 reads JavaScript properties: `length` of an array, of a string (UTF-16).
    let event = json!({"properties": {"products": [{}, {}], "name": "ab😀"}});
    assert!(matches("properties.products.length > 1", event.clone()));
    assert!(matches("properties.name.length = 4", event.clone()));
    assert!(matches("properties.constructor != null", event));
}

#[test]
fn an_operator_is_any_token_and_only_known_ones_match() {
    // parse-fql.js:136 takes the next token as the operator whatever it is, validate.js:50
    // switches on its text.
    assert!(matches(
        r#"properties.x contains "ab""#,
        json!({"properties": {"x": "xaby"}})
    ));
    assert!(!matches(r#"type "track""#, json!({"type": "track"})));
    // lexer.js:231: `<=` needs a terminator after it, so `<=5` is `<` then `=`.
    assert!(!matches(
        "properties.x <=5",
        json!({"properties": {"x": 1}})
    ));
    assert!(matches(
        "properties.x <= 5",
        json!({"properties": {"x": 1}})
    ));
}

#[test]
fn unknown_words_are_skipped() {
    // parse-fql.js:135: a name that is no field is passed over, its operator and value too.
    assert!(matches(
        r#"foo = "x" and type = "track""#,
        json!({"type": "track"})
    ));
    assert_eq!(error(r#"foo = "x""#).kind, TriggerErrorKind::NoCondition);
    // Names found on Object.prototype take their two tokens and build nothing.
    assert_eq!(
        error(r#"toString type = "track""#).kind,
        TriggerErrorKind::NoCondition
    );
}

#[test]
fn a_closing_quote_needs_a_terminator() {
    // lexer.js:109 `accept(openQuote)`: `"a\"b"` is the strings `"a\"` and `"b"`.
    assert!(matches(r#"type = "a\"b""#, json!({"type": "a\\"})));
}

#[test]
fn a_partial_keyword_at_the_end_loses_characters() {
    // lexer.js:224 returns without backing up at the end: `an` lexes as `a`.
    assert!(matches(
        r#"type = "a" and event = an"#,
        json!({"type": "a", "event": "a"})
    ));
}

// ---------------------------------------------------------------------------------------
// Errors, bounds, the catalog.

#[test]
fn errors_say_what_and_where() {
    let bad = error(r#"type = "track" and properties.total > 5 & event = "x""#);
    assert_eq!(bad.kind, TriggerErrorKind::InvalidCharacter('&'));
    assert_eq!(bad.offset, 40);
    assert!(bad.to_string().contains("at character 40"), "{bad}");
    let bad = error(r#"type = "track"#);
    assert_eq!(
        (bad.kind, bad.offset),
        (TriggerErrorKind::UnterminatedString, 7)
    );
    let bad = error("properties.x>5");
    assert_eq!(bad.kind, TriggerErrorKind::UnterminatedName);
    assert_eq!((bad.offset, bad.token.as_deref()), (12, Some("x")));
    let bad = error(r#"contains(event"#);
    assert_eq!(
        bad.kind,
        TriggerErrorKind::MissingArgument {
            function: "contains".into(),
            ordinal: "2nd"
        }
    );
    assert_eq!(
        error(r#"type = "track" and ()"#).kind,
        TriggerErrorKind::EmptyGroup
    );
    assert_eq!(
        error(r#"type !="track""#).kind,
        TriggerErrorKind::BangWithoutEquals
    );
}

#[test]
fn a_trigger_of_ten_thousand_characters_is_answered() {
    let condition = r#"event = "Order Completed" or "#;
    let mut fql = condition.repeat(MAX_TRIGGER_CHARS / condition.len());
    fql.push_str(r#"type = "track""#);
    let fql: String = fql
        .chars()
        .skip(fql.chars().count().saturating_sub(MAX_TRIGGER_CHARS))
        .collect();
    // Cut at the front, it may start mid-condition; what matters is a bounded answer.
    let answer = Trigger::parse(&fql);
    if let Ok(trigger) = &answer {
        assert!(trigger.matches(&json!({"type": "track"})));
    }
    let too_long = "x".repeat(MAX_TRIGGER_CHARS + 1);
    assert_eq!(error(&too_long).kind, TriggerErrorKind::TooLong);
    assert_eq!(
        error(&"(".repeat(1_000_000)).kind,
        TriggerErrorKind::TooLong
    );
}

#[test]
fn deep_parentheses_are_an_error_not_a_stack_overflow() {
    let fql = format!(
        r#"{}type = "track"{}"#,
        "(".repeat(4_000),
        ")".repeat(4_000)
    );
    assert_eq!(error(&fql).kind, TriggerErrorKind::NestedParenthesis);
    let fql = "(".repeat(MAX_TRIGGER_CHARS);
    assert_eq!(error(&fql).kind, TriggerErrorKind::UnclosedParenthesis);
}

#[test]
fn a_long_path_into_a_deep_event_is_walked_without_recursion() {
    // Events come parsed by serde_json, whose recursion limit is 128 levels.
    let mut event = json!("leaf");
    for _ in 0..120 {
        event = json!({ "a": event });
    }
    let event = json!({ "properties": event });
    let fql = format!(r#"properties{} = "leaf""#, ".a".repeat(120));
    assert!(matches(&fql, event.clone()));
    // A path far longer than the event is deep: the walk stops at `undefined`.
    let fql = format!("properties{} = null", ".a".repeat(4_000));
    assert!(matches(&fql, event));
}

#[test]
fn every_default_trigger_of_the_catalog_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../server/catalog/segment-actions.json"
    );
    let catalog: Value = match std::fs::read_to_string(path).map(|text| serde_json::from_str(&text))
    {
        Ok(Ok(catalog)) => catalog,
        other => panic!("the catalog at {path} should read: {other:?}"),
    };
    let mut defaults = 0;
    let mut failures = Vec::new();
    for destination in catalog.as_array().into_iter().flatten() {
        for action in destination["actions"].as_array().into_iter().flatten() {
            let Some(fql) = action["defaultSubscription"].as_str() else {
                continue;
            };
            defaults += 1;
            if let Err(error) = Trigger::parse(fql) {
                failures.push(format!(
                    "{} / {}: `{fql}`: {error}",
                    destination["name"], action["name"]
                ));
            }
        }
    }
    assert_eq!(
        defaults, 452,
        "452 of the 603 actions have a default trigger"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn numbers_print_as_javascript_prints_them() {
    for (number, text) in [
        (1.5, "1.5"),
        (100.0, "100"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1.2345678901234567e22, "1.2345678901234568e+22"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (f64::NAN, "NaN"),
    ] {
        assert_eq!(js_number_to_string(number), text);
    }
    for (text, number) in [
        ("0x10", 16.0),
        (" 12 ", 12.0),
        ("", 0.0),
        ("5.", 5.0),
        (".5", 0.5),
        ("1e3", 1000.0),
    ] {
        assert_eq!(js_to_number(text), number, "{text}");
    }
    assert!(js_to_number("inf").is_nan());
    assert!(js_to_number("-").is_nan());
}

#[test]
fn strings_compare_by_utf16_unit_as_javascript_does() {
    // parse-fql.js:91 `.slice(1)` drops half of 😀 (D83D DE00); 𐘀 (D801 DE00) ends in the
    // same half, so it matches too.
    assert!(matches(
        r#"match(event, "😀abc")"#,
        json!({"event": "𐘀abc"})
    ));
    assert!(matches(
        r#"match(event, "😀abc")"#,
        json!({"event": "😀abc"})
    ));
    assert!(!matches(
        r#"match(event, "😀abc")"#,
        json!({"event": "xabc"})
    ));
    // get.js reads `"😀x"[0]`: half a character, a string of length 1.
    let event = json!({"properties": {"name": "😀x"}});
    assert!(matches(r#"properties.name.\0.length = 1"#, event.clone()));
    assert!(matches(r#"properties.name.\0 != "😀""#, event));
}

#[test]
fn no_input_panics() {
    // Random sequences of FQL's own words and characters (a fixed-seed generator, so any
    // failure repeats): every one is a trigger or an error, and a trigger answers on any
    // event.
    let words: Vec<&str> = r#"type event properties.a properties.a.\0 traits.b context.c userId name and or null true false contains match ( ) ! = != < <= > >= "x" "*y" "😀z" 'q' , . [ ] - + 0 1.5 9 * \ 😀"#
        .split(' ')
        .collect();
    let events = [
        json!({"type": "track", "event": "x", "userId": true, "properties": {"a": [1, "ab", {"b": 0}]}, "traits": {"b": "😀z"}}),
        json!([1, 2]),
        json!("text"),
        Value::Null,
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut parsed = 0;
    for _ in 0..20_000 {
        let mut fql = String::new();
        for _ in 0..(next() % 16) {
            fql.push_str(words[(next() % words.len() as u64) as usize]);
            fql.push_str(["", " ", "\t", "\n"][(next() % 4) as usize]);
        }
        if let Ok(trigger) = Trigger::parse(&fql) {
            parsed += 1;
            for event in &events {
                trigger.matches(event);
            }
            let _ = trigger.to_segment_json();
        }
    }
    assert!(
        parsed > 1_000,
        "the generator makes triggers, not only errors ({parsed})"
    );
}
