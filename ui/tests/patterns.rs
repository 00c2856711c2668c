//! Catalog patterns in the browser: the page's own `RegExp` runs them (houston-prototypes,
//! src/pattern.rs), so the UI's wasm carries no regex engine. The cases of the native
//! engine's tests (fancy-regex on a translation of the JavaScript syntax) give the same
//! answers here, a broken pattern is reported rather than thrown, and every pattern of the
//! bundled catalogs compiles.
#![cfg(target_arch = "wasm32")]

use houston_prototypes::{parse_catalog, validate, FieldType, PrototypeField};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The field's errors when `text` is checked against `pattern`.
fn errors(pattern: &str, text: &str) -> Vec<String> {
    let field = PrototypeField {
        property_name: "value".to_owned(),
        label: "value".to_owned(),
        field_type: FieldType::Input,
        pattern: Some(pattern.to_owned()),
        ..PrototypeField::default()
    };
    validate(&[field], &json!({ "value": text }))
        .into_iter()
        .map(|error| error.message)
        .collect()
}

fn matches(pattern: &str, text: &str) -> bool {
    match errors(pattern, text).as_slice() {
        [] => true,
        [message] if message.starts_with("Must match the pattern") => false,
        other => panic!("{pattern} on {text:?}: {other:?}"),
    }
}

#[wasm_bindgen_test]
fn the_native_engines_cases_give_the_same_answers() {
    let cases: &[(&str, &str, bool)] = &[
        (r"^[\da-zA-Z-_]+$", "ab-c_9", true),
        (r"^[\da-zA-Z-_]+$", "ab c", false),
        (r"^[-_\w]{3,50}$", "a-b", true),
        (r"^\d+$", "123", true),
        (r"^\d+$", "١٢٣", false),
        (r"^\w+$", "é", false),
        (r"^[\dabcdefABCDEF]{2}$", "aF", true),
        (r"^https:\/\/.*\/$", "https://x.io/", true),
        (r"^(?!www\.)", "www.example.com", false),
        (r"^(?!www\.)", "example.com", true),
        (r"^p-[^\s]{13}$", "p-abcdefghijklm", true),
        (r"^.{3}$", "abc", true),
        (r"^.{3}$", "a\nc", false),
        (r"^.{3}$", "a\u{2028}c", false),
        (r"^{{x}}$", "{{x}}", true),
        (r"^a{2}$", "aa", true),
        (r"^a{,2}$", "a{,2}", true),
        (r"^[a&&b]+$", "a&b", true),
        (r"^[~~]$", "~", true),
        (r"^[[]$", "[", true),
        (r"^[^]$", "x", true),
        (r"[]", "x", false),
        (r"^\u00e9\x41\t$", "éA\t", true),
        (r"^[\u0041-\u0043]+$", "ABC", true),
        (r"^\cJ$", "\n", true),
        (r"^\<a\>$", "<a>", true),
        (r"^(a)\1$", "aa", true),
        (r"^(?<x>a)\k<x>$", "aa", true),
    ];
    for &(pattern, text, expected) in cases {
        assert_eq!(matches(pattern, text), expected, "{pattern} on {text:?}");
    }
}

#[wasm_bindgen_test]
fn a_broken_pattern_is_an_error_on_the_field() {
    for pattern in ["(unclosed", "[unclosed"] {
        // Twice: the second answer comes from the cache of compiled patterns.
        for _ in 0..2 {
            let found = errors(pattern, "x");
            assert_eq!(found.len(), 1, "{pattern}: {found:?}");
            assert!(
                found[0].starts_with(&format!(
                    "Cannot be checked against the pattern {pattern}: "
                )),
                "{}",
                found[0]
            );
        }
    }
}

#[wasm_bindgen_test]
fn every_pattern_of_the_bundled_catalogs_compiles() {
    // Parsing a catalog compiles each field's pattern and refuses one that does not.
    for text in [
        include_str!("../../graphql/server/catalog/segment-actions.json"),
        include_str!("../../graphql/server/catalog/segment-classic-2019.json"),
    ] {
        let destinations = parse_catalog(text).expect("the bundled catalog parses in the browser");
        assert!(!destinations.is_empty());
    }
}
