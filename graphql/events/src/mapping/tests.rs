use super::*;
use serde_json::json;

fn map(mapping: Value, event: Value) -> Value {
    match transform(&mapping, &event) {
        Ok(payload) => payload,
        Err(error) => panic!("{mapping} should map {event}: {error}"),
    }
}

fn fails(mapping: Value, event: Value) -> MappingError {
    match transform(&mapping, &event) {
        Ok(payload) => panic!("{mapping} should fail on {event}, got {payload}"),
        Err(error) => error,
    }
}

/// The messages of a failure, as gen.js records them.
fn messages(error: &MappingError) -> Vec<String> {
    match error {
        MappingError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Segment's answers, recorded by `segment/gen.js`, compared one by one; every difference
/// is printed before the test fails.
#[test]
fn maps_as_segment_does() {
    let recorded: Value = serde_json::from_str(include_str!("segment/recorded.json"))
        .unwrap_or_else(|e| panic!("segment/recorded.json: {e}"));
    let catalog: Value =
        serde_json::from_str(include_str!("../../../server/catalog/segment-actions.json"))
            .unwrap_or_else(|e| panic!("the catalog: {e}"));
    let mut defaults = std::collections::HashMap::new();
    for destination in catalog.as_array().into_iter().flatten() {
        for action in destination["actions"].as_array().into_iter().flatten() {
            let mut mapping = Map::new();
            for field in action["fields"].as_array().into_iter().flatten() {
                if let (Some(name), Some(default)) = (
                    field["propertyName"].as_str(),
                    field["defaultMapping"].as_str(),
                ) {
                    let default: Value = serde_json::from_str(default)
                        .unwrap_or_else(|e| panic!("{name}'s defaultMapping: {e}"));
                    mapping.insert(name.to_string(), default);
                }
            }
            let key = format!(
                "{}/{}",
                destination["code"].as_str().unwrap_or(""),
                action["code"].as_str().unwrap_or("")
            );
            defaults.insert(key, Value::Object(mapping));
        }
    }
    let events = recorded["events"].as_array().cloned().unwrap_or_default();
    let mut compared = 0;
    let mut differences = Vec::new();
    for case in recorded["cases"].as_array().into_iter().flatten() {
        let mapping = match case["action"].as_str() {
            Some(action) => match defaults.get(action) {
                Some(mapping) => mapping.clone(),
                None => panic!("{action} is no longer in the catalog: record again"),
            },
            None => case["mapping"].clone(),
        };
        let indexes = case["events"].as_array().cloned().unwrap_or_default();
        let answers = case["answers"].as_array().cloned().unwrap_or_default();
        for (index, expected) in indexes.iter().zip(answers) {
            let event = &events[index.as_u64().unwrap_or(0) as usize];
            let ours = match transform(&mapping, event) {
                Ok(payload) => json!({ "ok": payload }),
                Err(error) => json!({ "error": messages(&error) }),
            };
            compared += 1;
            if ours != expected {
                differences.push(format!(
                    "mapping {mapping}\n  event #{index}\n  Segment: {expected}\n  ours:    {ours}"
                ));
            }
            // A `Mapping` checked once answers the same.
            let checked = match Mapping::new(&mapping).transform(event) {
                Ok(payload) => json!({ "ok": payload }),
                Err(error) => json!({ "error": messages(&error) }),
            };
            if checked != expected {
                differences.push(format!(
                    "Mapping::new({mapping})\n  event #{index}\n  Segment: {expected}\n  ours:    {checked}"
                ));
            }
        }
    }
    for difference in &differences {
        eprintln!("{difference}\n");
    }
    eprintln!("{compared} answers compared");
    assert!(compared > 1000, "only {compared} answers compared");
    assert!(
        differences.is_empty(),
        "{} of {compared} answers differ from Segment's",
        differences.len()
    );
}

#[test]
fn a_path_reads_the_event() {
    let event = json!({"properties": {"revenue": 19.99, "products": [{"sku": "a"}, {"sku": "b"}]}});
    assert_eq!(
        map(
            json!({"revenue": {"@path": "$.properties.revenue"}, "sku": {"@path": "$.properties.products[1].sku"}, "first": {"@path": "properties.products.0.sku"}}),
            event
        ),
        json!({"revenue": 19.99, "sku": "b", "first": "a"})
    );
}

#[test]
fn a_missing_value_leaves_its_key_out() {
    // remove-undefined.js:12: an undefined value is deleted from the payload.
    assert_eq!(
        map(json!({"a": {"@path": "$.nope"}, "b": 1}), json!({})),
        json!({"b": 1})
    );
}

#[test]
fn a_path_through_a_falsy_value_answers_that_value() {
    // get.js:19: `prevObj && prevObj[key]` stops at 0, "", false and null.
    let event = json!({"p": {"zero": 0, "empty": "", "no": false, "null": null}});
    assert_eq!(
        map(
            json!({"a": {"@path": "$.p.zero.x"}, "b": {"@path": "$.p.empty.x.y"}, "c": {"@path": "$.p.no.x"}, "d": {"@path": "$.p.null.x"}}),
            event
        ),
        json!({"a": 0, "b": "", "c": false, "d": null})
    );
}

#[test]
fn a_path_loses_its_first_dollar_dot_wherever_it_is() {
    // index.js:170: `path.replace('$.', '')` replaces the first occurrence, not a prefix.
    let event = json!({"properties": {"x": 1}, "a": {"properties": {"x": 2}}});
    assert_eq!(
        map(json!({"v": {"@path": "a.$.properties.x"}}), event),
        json!({"v": 2})
    );
}

#[test]
fn a_path_reads_lengths_and_characters() {
    // get.js:19 indexes JS values: an array's and a string's `length`, a string's unit.
    let event = json!({"items": [1, 2, 3], "name": "héllo"});
    assert_eq!(
        map(
            json!({"n": {"@path": "$.items.length"}, "l": {"@path": "$.name.length"}, "c": {"@path": "$.name[1]"}, "all": {"@path": ""}}),
            event.clone()
        ),
        json!({"n": 3, "l": 5, "c": "é", "all": event})
    );
}

#[test]
fn a_template_renders_paths_and_writes_values_as_js_strings() {
    // placeholders.js:12-14: trimmed path, `?? ''`, then String() of the value.
    let event = json!({"userId": "u1", "p": {"n": 1e21, "s": 1e-7, "a": [1, null, "x"], "o": {}, "z": null}});
    assert_eq!(
        map(
            json!({"t": {"@template": "{{ userId }}|{{p.n}}|{{p.s}}|{{p.a}}|{{p.o}}|{{p.z}}|{{nope}}"}}),
            event
        ),
        json!({"t": "u1|1e+21|1e-7|1,,x|[object Object]||"})
    );
}

#[test]
fn a_template_renders_triple_braces_first_then_again() {
    // placeholders.js:18-19: the `{{…}}` pass runs over the `{{{…}}}` pass's output, so a
    // value that holds a placeholder is rendered too.
    let event = json!({"tpl": "{{event}}", "event": "Signed Up"});
    assert_eq!(
        map(json!({"t": {"@template": "{{{tpl}}}"}}), event),
        json!({"t": "Signed Up"})
    );
}

#[test]
fn an_empty_placeholder_is_the_whole_event() {
    // placeholders.js:12-13: `{{ }}` trims to "", and get.js:5 answers the object itself.
    assert_eq!(
        map(json!({"t": {"@template": "{{ }}"}}), json!({"a": 1})),
        json!({"t": "[object Object]"})
    );
}

#[test]
fn if_exists_counts_zero_as_present_and_blank_does_not() {
    // index.js:59 (`!== undefined && !== null`) and index.js:63 (`value != ''`, loose).
    let mapping = json!({
        "e": {"@if": {"exists": {"@path": "$.zero"}, "then": "yes", "else": "no"}},
        "b": {"@if": {"blank": {"@path": "$.zero"}, "then": "yes", "else": "no"}},
        "a": {"@if": {"blank": {"@path": "$.empty_array"}, "then": "yes", "else": "no"}}
    });
    assert_eq!(
        map(mapping, json!({"zero": 0, "empty_array": []})),
        json!({"e": "yes", "b": "no", "a": "no"})
    );
}

#[test]
fn if_ignores_a_falsy_else() {
    // index.js:68: `!condition && opts.else` — an else of "", 0 or false gives nothing.
    assert_eq!(
        map(
            json!({"a": {"@if": {"exists": {"@path": "$.nope"}, "then": 1, "else": 0}}}),
            json!({})
        ),
        json!({})
    );
}

#[test]
fn if_with_a_null_exists_ignores_blank() {
    // index.js:57: a present `exists` wins even when it is null (falsy for the check at 54).
    let mapping = json!({"a": {"@if": {"exists": null, "blank": "x", "then": "t", "else": "e"}}});
    assert_eq!(map(mapping, json!({})), json!({"a": "e"}));
}

#[test]
fn if_without_exists_or_blank_fails() {
    // index.js:54-55.
    let error = fails(json!({"a": {"@if": {"then": 1}}}), json!({}));
    assert_eq!(
        error.to_string(),
        r#"@if requires an "exists" key or a "blank" key"#
    );
}

#[test]
fn case_changes_strings_only() {
    // index.js:82-92: a string is cased with full Unicode rules; anything else is returned.
    let mapping = json!({
        "u": {"@case": {"operator": "upper", "value": {"@path": "$.s"}}},
        "n": {"@case": {"operator": "upper", "value": {"@path": "$.n"}}}
    });
    assert_eq!(
        map(mapping, json!({"s": "straße", "n": 5})),
        json!({"u": "STRASSE", "n": 5})
    );
    let error = fails(
        json!({"a": {"@case": {"operator": "title", "value": "x"}}}),
        json!({}),
    );
    assert_eq!(
        error.to_string(),
        r#"operator key should have a value of "lower" or "upper""#
    );
}

#[test]
fn replace_is_literal_global_and_keeps_dollar_patterns() {
    // index.js:104: the pattern is escaped, so "." is a dot; index.js:124 global by
    // default; String.prototype.replace's `$&` is the match.
    let mapping = json!({
        "a": {"@replace": {"pattern": ".", "replacement": "[$&]", "value": "1.2.3"}},
        "b": {"@replace": {"pattern": "A", "replacement": "b", "ignorecase": true, "global": false, "value": "aAa"}},
        "c": {"@replace": {"pattern": "1", "replacement": "one", "value": {"@path": "$.n"}}},
        "d": {"@replace": {"pattern": "x", "value": {"@path": "$.nope"}}}
    });
    // index.js:133-134 turns a number into a string; index.js:132 answers "" for nothing.
    assert_eq!(
        map(mapping, json!({"n": 121})),
        json!({"a": "1[.]2[.]3", "b": "bAa", "c": "one2one", "d": ""})
    );
}

#[test]
fn replace_refuses_a_long_pattern() {
    // validate.js:227: 1 to 10 characters.
    let problems = validate(&json!({"a": {"@replace": {"pattern": "elevenchars", "value": "x"}}}));
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec!["/a/@replace/pattern should be a string of length 10 or less."]
    );
}

#[test]
fn array_path_maps_each_item_and_wraps_an_object() {
    // index.js:162-165: an object root is arrified; index.js:167 otherwise the root.
    let mapping = json!({
        "items": {"@arrayPath": ["$.products", {"id": {"@path": "$.sku"}}]},
        "one": {"@arrayPath": ["$.product", {"id": {"@path": "$.sku"}}]},
        "raw": {"@arrayPath": ["$.products"]}
    });
    let event = json!({"products": [{"sku": "a"}, {"sku": "b"}], "product": {"sku": "c"}});
    assert_eq!(
        map(mapping, event),
        json!({"items": [{"id": "a"}, {"id": "b"}], "one": [{"id": "c"}], "raw": [{"sku": "a"}, {"sku": "b"}]})
    );
}

#[test]
fn json_encodes_as_js_and_decodes_or_keeps_the_text() {
    // index.js:204 JSON.stringify (JS number text, undefined keys left out); index.js:209-212.
    let mapping = json!({
        "e": {"@json": {"mode": "encode", "value": {"a": {"@path": "$.nope"}, "n": 1e21, "s": "\u{1}"}}},
        "d": {"@json": {"mode": "decode", "value": "{\"x\":[1]}"}},
        "k": {"@json": {"mode": "decode", "value": "{x:1}"}}
    });
    assert_eq!(
        map(mapping, json!({})),
        json!({"e": "{\"n\":1e+21,\"s\":\"\\u0001\"}", "d": {"x": [1]}, "k": "{x:1}"})
    );
}

#[test]
fn flatten_joins_keys_and_a_later_key_wins() {
    // flatten.js:6-13: arrays are flattened unless omitArrays; a collision keeps the last.
    let mapping = json!({"f": {"@flatten": {"separator": ".", "value": {"a": {"b": 1}, "a.b": 2, "x": [1, {"y": 2}]}}}});
    assert_eq!(
        map(mapping, json!({})),
        json!({"f": {"a.b": 2, "x.0": 1, "x.1.y": 2}})
    );
}

#[test]
fn merge_copies_undefined_over_a_value() {
    // index.js:235: Object.assign copies an undefined value, which is then removed.
    let mapping = json!({"m": {"@merge": {"direction": "right", "objects": [{"a": 1, "b": 2}, {"a": {"@path": "$.nope"}}]}}});
    assert_eq!(map(mapping, json!({})), json!({"m": {"b": 2}}));
    let left = json!({"m": {"@merge": {"direction": "left", "objects": [{"a": 1}, {"a": 2}]}}});
    assert_eq!(map(left, json!({})), json!({"m": {"a": 1}}));
}

#[test]
fn transform_maps_then_maps_again() {
    // index.js:250-251.
    let mapping = json!({"t": {"@transform": {"apply": {"e": {"@path": "$.context.traits.email"}}, "mapping": {"email": {"@path": "$.e"}}}}});
    assert_eq!(
        map(mapping, json!({"context": {"traits": {"email": "a@b.c"}}})),
        json!({"t": {"email": "a@b.c"}})
    );
}

#[test]
fn the_root_directive_takes_the_other_fields_as_its_mapping() {
    // index.js:279-298.
    let mapping = json!({
        "__segment_internal_directive": {"@transform": {"apply": {"ev": {"@path": "$.event"}}}},
        "name": {"@path": "$.ev"}
    });
    assert_eq!(
        map(mapping, json!({"event": "Signed Up"})),
        json!({"name": "Signed Up"})
    );
}

#[test]
fn exclude_when_null_drops_nulls_in_nested_objects_only() {
    // index.js:253-278: null itself is undefined; nulls in objects go, in arrays stay.
    let mapping = json!({
        "a": {"@excludeWhenNull": {"@path": "$.n"}},
        "b": {"@excludeWhenNull": {"x": null, "y": {"z": null, "w": 1}, "arr": [null]}}
    });
    assert_eq!(
        map(mapping, json!({"n": null})),
        json!({"b": {"y": {"w": 1}, "arr": [null]}})
    );
}

#[test]
fn a_literal_still_resolves_directives_inside() {
    // index.js:175-176.
    assert_eq!(
        map(
            json!({"l": {"@literal": {"a": {"@path": "$.x"}}}}),
            json!({"x": 1})
        ),
        json!({"l": {"a": 1}})
    );
}

#[test]
fn an_undefined_item_of_an_array_is_null() {
    // remove-undefined.js:6: arrays keep their items, and JSON writes undefined as null.
    assert_eq!(
        map(json!({"a": [{"@path": "$.nope"}, 1]}), json!({})),
        json!({"a": [null, 1]})
    );
}

#[test]
fn the_event_must_be_an_object() {
    // index.js:329-331.
    assert_eq!(
        fails(json!({}), json!([])).to_string(),
        "data must be an object, got array"
    );
}

#[test]
fn validate_puts_each_problem_on_its_field() {
    let problems = validate(&json!({
        "ok": {"@path": "$.userId"},
        "bad": {"@pth": "$.userId"},
        "deep": {"x": {"@path": 5}},
        "two": {"@path": "a", "@template": "b"},
        "json": {"@json": {"value": "x"}}
    }));
    let listed: Vec<(Vec<String>, String)> =
        problems.into_iter().map(|p| (p.path, p.message)).collect();
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        listed,
        vec![
            (path(&["bad"]), "has an invalid directive: @pth".to_string()),
            (
                path(&["deep", "x", "@path"]),
                "should be a string or a mapping directive but it is a number".to_string()
            ),
            (
                path(&["json", "@json"]),
                r#"should have field "mode" but it doesn't"#.to_string()
            ),
            (
                path(&["two"]),
                "should only have one @-prefixed key but it has 2 keys".to_string()
            ),
        ]
    );
}

#[test]
fn a_liquid_loop_is_refused_not_run() {
    let mapping = json!({"a": {"@liquid": "{% for i in (1..100000) %}x{% endfor %}"}});
    // The template is a string, which is all Segment's validation asks.
    assert_eq!(validate(&mapping), vec![]);
    assert_eq!(
        fails(mapping, json!({})).to_string(),
        "@liquid: liquid: tag \"for\" is disabled\n"
    );
    let not_a_string = json!({"a": {"@liquid": 5}});
    assert_eq!(
        validate(&not_a_string)[0].path,
        vec!["a".to_string(), "@liquid".to_string()]
    );
    // Where validation does not look (inside an array), evaluation refuses it too.
    let inside = fails(json!({"a": [{"@liquid": 5}]}), json!({}));
    assert_eq!(inside.to_string(), "liquid template value must be a string");
}

#[test]
fn a_mapping_nested_a_hundred_deep_is_an_error() {
    let mut mapping = json!({"@path": "$.x"});
    for _ in 0..100 {
        mapping = json!({"@literal": mapping});
    }
    let mapping = json!({ "a": mapping });
    let MappingError::Invalid(problems) = fails(mapping.clone(), json!({"x": 1})) else {
        panic!("a 100-deep mapping should be invalid");
    };
    assert!(problems[0].message.contains("nested deeper than 64"));
    assert_eq!(validate(&mapping), problems);
    // validate.js does not look inside arrays: evaluation has its own bound.
    let mut arrays = json!([{"@path": "$.x"}]);
    for _ in 0..100 {
        arrays = json!([arrays]);
    }
    assert_eq!(
        fails(json!({ "a": arrays }), json!({"x": 1})),
        MappingError::TooDeep
    );
    let mut shallow = json!({"@path": "$.x"});
    for _ in 0..20 {
        shallow = json!({"@literal": shallow});
    }
    assert_eq!(
        map(json!({ "a": shallow }), json!({"x": 1})),
        json!({"a": 1})
    );
}

#[test]
fn a_huge_template_over_a_large_event_is_bounded() {
    let big = "x".repeat(1024 * 1024);
    let event = json!({ "big": big });
    let template = "{{big}}".repeat(100);
    let error = fails(json!({"t": {"@template": template}}), event.clone());
    assert!(error.to_string().contains("longer than"), "{error}");
    let small = map(json!({"t": {"@template": "{{big}}{{big}}"}}), event);
    assert_eq!(small["t"].as_str().map(str::len), Some(2 * 1024 * 1024));
}

#[test]
fn remove_empty_values_follows_the_schema() {
    // remove-empty-values.js:26-35, and :23 for "" at the root.
    let schema = json!({"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "number"}, "c": {"type": ["string", "null"]},
        "d": {"type": "array", "items": {"type": "number"}}
    }});
    let payload = json!({"a": "", "b": null, "c": null, "d": [1, null, ""], "e": ""});
    assert_eq!(
        remove_empty_values(&payload, &schema, true),
        Some(json!({"c": null, "d": [1]}))
    );
    assert_eq!(
        remove_empty_values(&payload, &schema, false),
        Some(json!({"a": "", "c": null, "d": [1], "e": ""}))
    );
}

#[test]
fn halves_of_a_character_are_kept_as_js_keeps_them() {
    // get.js:19 indexes UTF-16 units: "😀"[0] is half a character; JSON.stringify writes
    // it as its escape (index.js:204), and the two halves side by side are "😀" again.
    let event = json!({"e": "😀x"});
    let mapping = json!({
        "half": {"@path": "$.e[0]"},
        "length": {"@path": "$.e.length"},
        "again": {"@template": "{{e[0]}}{{e[1]}}"},
        "json": {"@json": {"mode": "encode", "value": {"@path": "$.e[1]"}}}
    });
    assert_eq!(
        map(mapping, event),
        json!({"half": "\\ud83d", "length": 3, "again": "😀", "json": "\"\\ude00\""})
    );
}

#[test]
fn a_mapping_changed_in_place_is_checked_again() {
    let event = json!({"a": 1, "b": 2});
    let mut mapping = json!({"x": {"@path": "$.a"}});
    assert_eq!(transform(&mapping, &event), Ok(json!({"x": 1})));
    // The same address, another mapping: the kept check must not answer for it.
    mapping["x"] = json!({"@path": "$.b"});
    assert_eq!(transform(&mapping, &event), Ok(json!({"x": 2})));
    mapping["x"] = json!({"@nope": "$.b"});
    assert!(
        matches!(transform(&mapping, &event), Err(MappingError::Invalid(_))),
        "an invalid mapping at a kept address is refused"
    );
    mapping = json!({"x": {"@path": "$.a"}});
    assert_eq!(transform(&mapping, &event), Ok(json!({"x": 1})));
}

#[test]
fn transform_keeps_a_bounded_number_of_checks() {
    let event = json!({"a": 1});
    let mappings: Vec<Value> = (0..CHECKED_KEPT + 10)
        .map(|i| json!({ format!("k{i}"): {"@path": "$.a"} }))
        .collect();
    for (i, mapping) in mappings.iter().enumerate() {
        assert_eq!(
            transform(mapping, &event),
            Ok(json!({ format!("k{i}"): 1 }))
        );
    }
    CHECKED.with(|kept| assert!(kept.borrow().len() <= CHECKED_KEPT));
}

/// The kept copy of a mapping (`copy`) is the same as a value exactly when `serde_json`
/// finds the two equal: kinds of numbers, strings and keys byte for byte, lengths, nesting.
#[test]
fn a_kept_copy_is_the_same_only_as_an_equal_value() {
    let values = [
        json!(null),
        json!(true),
        json!(false),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(1.0),
        json!(u64::MAX),
        json!(""),
        json!("a"),
        json!("ab"),
        json!([]),
        json!([1]),
        json!([[1]]),
        json!({}),
        json!({"a": 1}),
        json!({"a": "1"}),
        json!({"b": 1}),
        json!({"a": 1, "b": 1}),
        json!({"user_id": {"@path": "$.userId"}}),
        json!({"user_id": {"@path": "$.userid"}}),
    ];
    for a in &values {
        let mut flat = Vec::new();
        copy(&mut flat, a);
        for b in &values {
            let mut rest = flat.as_slice();
            let found = same(&mut rest, b);
            assert_eq!(found, a == b, "{a} against {b}");
            assert!(!found || rest.is_empty(), "{a}: the whole copy is read");
        }
    }
}

/// Parts of the event mapped whole (`is_js_json` then a clone) come out as JS gives them
/// back: whole doubles as integers, integers beyond 2^53 rounded, halves of characters
/// written out, and everything else as it was.
#[test]
fn parts_of_the_event_come_out_as_js_gives_them_back() {
    let mapping = json!({"all": {"@path": "$.p"}});
    let event = json!({"p": {"a": 2.0, "b": 9007199254740993_u64, "c": [1.5, "x", {"d": -0.0}], "e": "\u{10F83D}"}});
    let out = transform(&mapping, &event).expect("maps");
    assert_eq!(
        out,
        json!({"all": {"a": 2, "b": 9007199254740992_u64, "c": [1.5, "x", {"d": 0}], "e": "\\ud83d"}})
    );
    let plain = json!({"p": {"a": 2, "b": [1.5, "x", null, true], "c": {"d": "é"}}});
    assert_eq!(
        transform(&mapping, &plain).expect("maps"),
        json!({"all": plain["p"]})
    );
}
