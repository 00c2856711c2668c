//! The form generator in a real browser (headless Chromium).
//!
//! Run with (from the workspace root; needs chromium, chromium-driver and
//! wasm-bindgen-cli 0.2.130, whose `wasm-bindgen-test-runner` reads `ui/webdriver.json`):
//!
//! CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p houston-ui --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use houston_prototypes::{
    Choice, Condition, ConditionRule, Destination, FieldType, PrototypeField, PrototypeSection,
};
use houston_ui::components::form::model::Rules;
use houston_ui::components::form::{ConfigForm, FieldList, FieldPath, FormState};
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

mod common;
use common::{bundled_destinations, container, mount_destination};

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the reactive system run its effects (three turns: an effect may schedule another).
async fn tick() {
    for _ in 0..3 {
        common::idle().await;
    }
}

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("a valid selector")
}

fn must(root: &Element, selector: &str) -> Element {
    find(root, selector).unwrap_or_else(|| panic!("`{selector}` should be rendered"))
}

/// Types `text` into the input or textarea matched by `selector`, as a person would.
fn type_into(root: &Element, selector: &str, text: &str) {
    let element = must(root, selector);
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(text);
    }
    fire(&element, "input");
}

fn fire(element: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).expect("an event");
    element.dispatch_event(&event).expect("dispatched");
}

fn click(root: &Element, selector: &str) {
    must(root, selector).unchecked_into::<HtmlElement>().click();
}

fn field(name: &str, field_type: FieldType) -> PrototypeField {
    PrototypeField {
        property_name: name.to_owned(),
        label: name.to_owned(),
        field_type,
        ..PrototypeField::default()
    }
}

/// One field of every type, and lists of several.
fn every_type() -> Vec<PrototypeField> {
    let mut api_key = field("apiKey", FieldType::Input);
    api_key.required = true;
    api_key.pattern = Some("^k-".to_owned());
    api_key.description = Some("<b>not bold</b>".to_owned());
    let notes = field("notes", FieldType::Text);
    let mut secret = field("secret", FieldType::Password);
    secret.secret = true;
    let mut ratio = field("ratio", FieldType::Number);
    ratio.minimum = Some(0.0);
    let mut count = field("count", FieldType::Integer);
    count.minimum = Some(1.0);
    count.maximum = Some(5.0);
    let mut on = field("on", FieldType::Boolean);
    on.default = Some(json!(true));
    let mut region = field("region", FieldType::Select);
    region.choices = vec![
        Choice {
            value: json!("us"),
            label: "US".to_owned(),
        },
        Choice {
            value: json!("eu"),
            label: "EU".to_owned(),
        },
    ];
    region.default = Some(json!("eu"));
    let mut kinds = field("kinds", FieldType::Select);
    kinds.multiple = true;
    kinds.choices = region.choices.clone();
    let mut events = field("events", FieldType::Array);
    events.pattern = Some("^[A-Z]".to_owned());
    let headers = field("headers", FieldType::Map);
    let mut user_id = field("user_id", FieldType::Input);
    user_id.required = true;
    let mut log_event = field("logEvent", FieldType::Object);
    log_event.properties = vec![user_id];
    let since = field("since", FieldType::Datetime);
    let mut sizes = field("sizes", FieldType::Integer);
    sizes.multiple = true;
    vec![
        api_key, notes, secret, ratio, count, on, region, kinds, events, headers, log_event, since,
        sizes,
    ]
}

fn mount_fields(fields: Vec<PrototypeField>, initial: Value) -> (HtmlElement, FormState) {
    let root = container();
    let fields = Arc::new(fields);
    let form = FormState::new(initial, Rules::Fields(fields.clone()));
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <FieldList form=form fields=fields parent=FieldPath::root() /> }
    });
    handle.forget();
    (root, form)
}

#[wasm_bindgen_test]
async fn every_field_type_has_its_control() {
    let fields = every_type();
    let initial = houston_prototypes::defaults(&fields);
    let (root, _form) = mount_fields(fields, initial);
    tick().await;
    let root: &Element = &root;
    must(root, r#"input[type="text"][data-field="apiKey"]"#);
    must(root, r#"textarea[data-field="notes"]"#);
    must(root, r#"input[type="password"][data-field="secret"]"#);
    let ratio = must(root, r#"input[type="number"][data-field="ratio"]"#);
    assert_eq!(ratio.get_attribute("step").as_deref(), Some("any"));
    let count = must(root, r#"input[type="number"][data-field="count"]"#);
    assert_eq!(
        count.get_attribute("step").as_deref(),
        Some("1"),
        "integers step by one"
    );
    let on = must(root, r#"input[type="checkbox"][data-field="on"]"#);
    assert!(
        on.unchecked_ref::<HtmlInputElement>().checked(),
        "defaults are prefilled"
    );
    let region = must(root, r#"select[data-field="region"]"#);
    assert_eq!(
        region.unchecked_ref::<web_sys::HtmlSelectElement>().value(),
        "eu"
    );
    assert!(must(root, r#"select[data-field="kinds"]"#).has_attribute("multiple"));
    must(root, r#".list-editor[data-field="events"] .list-add"#);
    must(root, r#".map-editor[data-field="headers"]"#);
    must(
        root,
        r#"fieldset.object[data-field="logEvent"] input[data-field="logEvent.user_id"]"#,
    );
    must(root, r#"input[type="datetime-local"][data-field="since"]"#);
    must(root, r#".list-editor[data-field="sizes"]"#);
    must(root, r#"[data-row="apiKey"] .required-mark"#);
    assert!(find(root, r#"[data-row="notes"] .required-mark"#).is_none());
    let help = must(root, r#"[data-row="apiKey"] .help"#);
    assert_eq!(
        help.text_content().as_deref(),
        Some("<b>not bold</b>"),
        "help is text, not HTML"
    );
    assert!(
        find(root, ".field-error").is_none(),
        "untouched fields do not shout"
    );
}

#[wasm_bindgen_test]
async fn typing_shows_and_clears_errors_on_their_fields() {
    let fields = every_type();
    let (root, form) = mount_fields(fields, json!({}));
    tick().await;
    let root: &Element = &root;

    type_into(root, r#"input[data-field="apiKey"]"#, "x-1");
    tick().await;
    let error = must(root, r#".field-error[data-field="apiKey"]"#);
    assert!(error.text_content().unwrap_or_default().contains("pattern"));
    type_into(root, r#"input[data-field="apiKey"]"#, "k-1");
    tick().await;
    assert!(find(root, r#".field-error[data-field="apiKey"]"#).is_none());
    assert_eq!(form.value.get_untracked()["apiKey"], json!("k-1"));

    type_into(root, r#"input[data-field="count"]"#, "9");
    tick().await;
    let error = must(root, r#".field-error[data-field="count"]"#);
    assert_eq!(error.text_content().as_deref(), Some("Must be at most 5"));
    type_into(root, r#"input[data-field="count"]"#, "3");
    tick().await;
    assert!(find(root, r#".field-error[data-field="count"]"#).is_none());
    assert_eq!(
        form.value.get_untracked()["count"],
        json!(3),
        "stored as a number"
    );

    click(root, r#".list-editor[data-field="events"] .list-add"#);
    tick().await;
    type_into(root, r#"input[data-field="events.0"]"#, "lower");
    tick().await;
    must(root, r#".field-error[data-field="events.0"]"#);
    type_into(root, r#"input[data-field="events.0"]"#, "Upper");
    tick().await;
    assert!(find(root, r#".field-error[data-field="events.0"]"#).is_none());
    assert_eq!(form.value.get_untracked()["events"], json!(["Upper"]));

    type_into(
        root,
        r#"input[type="datetime-local"][data-field="since"]"#,
        "2024-01-31T12:00",
    );
    tick().await;
    assert_eq!(
        form.value.get_untracked()["since"],
        json!("2024-01-31T12:00:00Z")
    );
}

#[wasm_bindgen_test]
async fn a_save_attempt_shows_every_error() {
    let (root, form) = mount_fields(every_type(), json!({}));
    tick().await;
    assert!(find(&root, r#".field-error[data-field="apiKey"]"#).is_none());
    assert!(!form.submit(), "a required field is empty");
    tick().await;
    must(&root, r#".field-error[data-field="apiKey"]"#);
    form.set_server_errors(&[houston_prototypes::FieldError::new("notes", "Too short")]);
    tick().await;
    let error = must(&root, r#".field-error[data-field="notes"]"#);
    assert_eq!(
        error.text_content().as_deref(),
        Some("Too short"),
        "server errors land too"
    );
}

#[wasm_bindgen_test]
async fn stored_secrets_and_conditions() {
    let mut secret = field("secret", FieldType::Password);
    secret.secret = true;
    secret.pattern = Some("^s-".to_owned());
    let mut mode = field("mode", FieldType::Select);
    mode.choices = vec![
        Choice {
            value: json!("none"),
            label: "None".to_owned(),
        },
        Choice {
            value: json!("token"),
            label: "Token".to_owned(),
        },
    ];
    let mut token = field("token", FieldType::Input);
    token.depends_on = Some(Condition {
        match_all: true,
        rules: vec![ConditionRule {
            field_key: Some("mode".to_owned()),
            negate: false,
            value: Some(json!("token")),
        }],
    });
    secret.required = true;
    let (root, form) = mount_fields(vec![secret, mode, token], json!({"mode": "none"}));
    form.keep_secrets(["secret".to_owned()]);
    tick().await;
    must(&root, r#".secret-stored[data-field="secret"]"#);
    assert!(
        find(&root, r#"input[data-field="secret"]"#).is_none(),
        "a stored secret is said to be stored, not shown as a row of dots"
    );
    assert!(
        form.submit(),
        "a stored secret left out is the server's: neither required nor checked here"
    );
    assert!(
        find(&root, r#"input[data-field="token"]"#).is_none(),
        "hidden until mode is token"
    );
    let select = must(&root, r#"select[data-field="mode"]"#);
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value("token");
    fire(&select, "change");
    tick().await;
    must(&root, r#"input[data-field="token"]"#);
}

/// The secret control's payload is what the update asks for: a stored secret left alone
/// is left out (kept), Clear sends `null`, Replace sends the string typed (eight stars
/// too), and a box emptied where nothing is stored sends nothing.
#[wasm_bindgen_test]
async fn a_secrets_control_keeps_replaces_or_clears() {
    let secret = |name: &str, required: bool| {
        let mut f = field(name, FieldType::Password);
        f.secret = true;
        f.required = required;
        f
    };
    let (root, form) = mount_fields(
        vec![
            secret("apiKey", true),
            secret("token", false),
            secret("fresh", false),
        ],
        json!({}),
    );
    form.keep_secrets(["apiKey".to_owned(), "token".to_owned()]);
    tick().await;
    must(&root, r#".secret-stored[data-field="apiKey"]"#);
    must(&root, r#".secret-stored[data-field="token"]"#);
    must(&root, r#"input[type="password"][data-field="fresh"]"#);
    assert_eq!(form.value.get_untracked(), json!({}), "left out: kept");

    click(
        &root,
        r#".secret-stored[data-field="apiKey"] .secret-replace"#,
    );
    tick().await;
    type_into(&root, r#"input[data-field="apiKey"]"#, "********");
    click(&root, r#".secret-stored[data-field="token"] .secret-clear"#);
    tick().await;
    must(&root, r#".secret-cleared[data-field="token"]"#);
    type_into(&root, r#"input[data-field="fresh"]"#, "x");
    type_into(&root, r#"input[data-field="fresh"]"#, "");
    tick().await;
    assert_eq!(
        form.value.get_untracked(),
        json!({"apiKey": "********", "token": null}),
        "eight stars replace, null clears, an emptied new box sends nothing"
    );
    assert!(form.submit(), "{:?}", form.all_errors());

    click(&root, r#".secret-cleared[data-field="token"] .secret-keep"#);
    click(&root, r#"input[data-field="apiKey"] + .secret-keep"#);
    tick().await;
    assert_eq!(form.value.get_untracked(), json!({}), "both kept again");
    must(&root, r#".secret-stored[data-field="apiKey"]"#);

    click(
        &root,
        r#".secret-stored[data-field="apiKey"] .secret-clear"#,
    );
    tick().await;
    assert!(!form.submit(), "clearing a required secret is refused");
    assert!(
        form.error_for(&FieldPath::root().child("apiKey")).is_some(),
        "on its field"
    );
}

#[wasm_bindgen_test]
async fn sections_switch_on_and_off() {
    let mut user = field("userId", FieldType::Input);
    user.required = true;
    let destination = Destination {
        code: "d".to_owned(),
        name: "D".to_owned(),
        sections: vec![PrototypeSection {
            code: "track".to_owned(),
            label: "Track".to_owned(),
            fields: vec![user],
            ..PrototypeSection::default()
        }],
        ..Destination::default()
    };
    let root = container();
    let destination = Arc::new(destination);
    let form = FormState::new(
        destination.default_config(),
        Rules::Config(destination.clone()),
    );
    let shown = destination.clone();
    leptos::mount::mount_to(
        root.clone(),
        move || view! { <ConfigForm form=form destination=shown /> },
    )
    .forget();
    tick().await;
    assert!(find(&root, r#"input[data-field="track.userId"]"#).is_none());
    click(&root, r#".section-toggle[data-section="track"]"#);
    tick().await;
    must(&root, r#"input[data-field="track.userId"]"#);
    assert!(!form.submit());
    tick().await;
    must(&root, r#".field-error[data-field="track.userId"]"#);
}

#[wasm_bindgen_test]
async fn every_bundled_destination_renders() {
    let (mut rendered, mut controls) = (0, 0);
    for destination in bundled_destinations() {
        let (handle, root, _) = mount_destination(&Arc::new(destination));
        tick().await;
        controls += root
            .query_selector_all("[data-field]")
            .expect("a valid selector")
            .length();
        drop(handle);
        root.remove();
        rendered += 1;
    }
    assert!(rendered > 400, "both catalogs were rendered ({rendered})");
    assert!(controls > 2000, "their fields have controls ({controls})");
}

/// A destination of two actions, `track` and `page`, each with a required `userId`.
fn two_sections() -> Arc<Destination> {
    let mut user = field("userId", FieldType::Input);
    user.required = true;
    user.description = Some(
        "Who: **required**, see [the docs](https://example.com/d) <b>x</b>\n\n- one\n- two"
            .to_owned(),
    );
    let section = |code: &str| PrototypeSection {
        code: code.to_owned(),
        label: code.to_uppercase(),
        fields: vec![user.clone()],
        ..PrototypeSection::default()
    };
    Arc::new(Destination {
        code: "d".to_owned(),
        name: "D".to_owned(),
        sections: vec![section("track"), section("page")],
        ..Destination::default()
    })
}

fn mount_config(destination: &Arc<Destination>, config: Value) -> (HtmlElement, FormState) {
    let root = container();
    let form = FormState::new(config, Rules::Config(destination.clone()));
    let shown = destination.clone();
    leptos::mount::mount_to(
        root.clone(),
        move || view! { <ConfigForm form=form destination=shown /> },
    )
    .forget();
    (root, form)
}

#[wasm_bindgen_test]
async fn sections_are_indexed_and_only_open_ones_hold_fields() {
    let destination = two_sections();
    let (root, _) = mount_config(
        &destination,
        json!({"track": {"enabled": true}, "page": {"enabled": false}}),
    );
    tick().await;
    must(
        &root,
        r#".section-index .section-link.on[data-section="track"]"#,
    );
    assert!(find(&root, r#".section-link.on[data-section="page"]"#).is_none());
    must(&root, r#"input[data-field="track.userId"]"#);
    assert!(
        find(&root, r#"[data-section="page"] input[data-field]"#).is_none(),
        "a section switched off is only its header"
    );
    click(&root, r#".section-fold[data-section="track"]"#);
    tick().await;
    assert!(
        find(&root, r#"input[data-field="track.userId"]"#).is_none(),
        "a closed section holds no fields"
    );
    must(&root, r#"fieldset.section.closed[data-section="track"]"#);
    click(&root, r#".section-link[data-section="track"]"#);
    tick().await;
    must(&root, r#"input[data-field="track.userId"]"#);
    click(&root, r#".section-toggle[data-section="page"]"#);
    tick().await;
    must(&root, r#"input[data-field="page.userId"]"#);
    must(&root, r#".section-link.on[data-section="page"]"#);
}

#[wasm_bindgen_test]
async fn help_in_markdown_is_rendered_and_markup_stays_text() {
    let destination = two_sections();
    let (root, _) = mount_config(&destination, json!({"track": {"enabled": true}}));
    tick().await;
    let help = must(&root, r#"[data-row="track.userId"] .help.markdown"#);
    assert_eq!(
        must(&help, "strong").text_content().as_deref(),
        Some("required")
    );
    assert_eq!(
        must(&help, ".help-url").text_content().as_deref(),
        Some("(https://example.com/d)")
    );
    assert!(find(&help, "a").is_none(), "the window follows no link");
    assert!(
        find(&help, "b").is_none(),
        "markup in the text is not markup"
    );
    assert!(help.text_content().unwrap_or_default().contains("<b>x</b>"));
    assert_eq!(help.query_selector_all("ul li").expect("valid").length(), 2);
}

#[wasm_bindgen_test]
async fn a_failed_save_opens_and_focuses_the_first_error() {
    let destination = two_sections();
    let (root, form) = mount_config(
        &destination,
        json!({"track": {"enabled": true}, "page": {"enabled": true}}),
    );
    root.set_id("focus-first-error");
    tick().await;
    click(&root, r#".section-fold[data-section="track"]"#);
    tick().await;
    assert!(find(&root, r#"input[data-field="track.userId"]"#).is_none());
    assert!(!form.submit());
    houston_ui::components::form::focus_first_error(&[form], "focus-first-error");
    let focused = || {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.get_attribute("data-field"))
    };
    // The focus moves after the next animation frame.
    for _ in 0..40 {
        tick().await;
        if focused().is_some() {
            break;
        }
    }
    must(&root, r#".field-error[data-field="track.userId"]"#);
    let active = focused();
    assert_eq!(
        active.as_deref(),
        Some("track.userId"),
        "the closed section with the first error was opened and its field focused"
    );
}
