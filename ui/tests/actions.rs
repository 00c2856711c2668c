//! The actions' pure parts and the confirmation dialog, in a real browser like the other UI
//! tests: relative times in a locale, the questions' wording with their consequences,
//! names told apart, blank names refused, and the dialog's keyboard (Escape says no,
//! Enter yes, focus moved into it and kept there).
#![cfg(target_arch = "wasm32")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use houston_ui::components::confirm::{self, ConfirmHost, OrgHoldings, Question};
use houston_ui::components::names;
use houston_ui::components::time::{exact_in, relative_in, relative_unit};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

mod common;
use common::{container, idle};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_difference_is_said_in_the_largest_whole_unit() {
    assert_eq!(relative_unit(-30.0), (-30.0, "second"));
    assert_eq!(relative_unit(-(3.0 * 60.0 + 40.0)), (-3.0, "minute"));
    assert_eq!(
        relative_unit(-90.0),
        (-1.0, "minute"),
        "not 90 seconds, nor 2 minutes"
    );
    assert_eq!(relative_unit(2.0 * 3600.0 + 5.0), (2.0, "hour"));
    assert_eq!(relative_unit(6.0 * 86_400.0 + 3.0), (6.0, "day"));
    assert_eq!(relative_unit(-70.0 * 86_400.0), (-2.0, "month"));
    assert_eq!(relative_unit(-800.0 * 86_400.0), (-2.0, "year"));
    let (zero, unit) = relative_unit(-0.2);
    assert_eq!((zero, unit), (0.0, "second"));
    assert!(
        zero.is_sign_positive(),
        "no negative zero (it would read \"0 seconds ago\")"
    );
}

#[wasm_bindgen_test]
fn times_read_in_the_locale_with_the_exact_time_apart() {
    let now = js_sys::Date::parse("2026-12-01T22:00:00Z");
    assert_eq!(
        relative_in("en-US", "2026-12-01T21:56:40Z", now).as_deref(),
        Some("3 minutes ago")
    );
    assert_eq!(
        relative_in("en-US", "2026-12-07T23:00:00Z", now).as_deref(),
        Some("in 6 days")
    );
    assert_eq!(
        relative_in("en-US", "2026-12-01T22:00:00Z", now).as_deref(),
        Some("now")
    );
    assert_eq!(
        relative_in("de-DE", "2026-12-01T21:56:40Z", now).as_deref(),
        Some("vor 3 Minuten")
    );
    assert_eq!(relative_in("en-US", "not a time", now), None);
    // A locale Intl refuses (a webview may say `c`) falls back to the default, never throws.
    assert!(relative_in("not a locale!", "2026-12-01T21:56:40Z", now).is_some());
    assert!(exact_in("not a locale!", "2026-12-01T21:56:40Z").is_some());
    let exact = exact_in("en-US", "2026-12-01T21:56:40Z").expect("a time");
    assert!(
        exact.contains("2026") && exact.contains("December"),
        "{exact}"
    );
}

/// Waits `ms` milliseconds of the page's own clock.
async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timeout");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("resolves");
}

#[wasm_bindgen_test]
async fn relative_times_move_on_while_the_page_stays_open() {
    use houston_ui::components::time::{Time, TICK};
    let root = container();
    // Two timestamps 50 seconds old: within one tick both say "1 minute ago".
    let at = js_sys::Date::new(&(js_sys::Date::now() - 50_000.0).into())
        .to_iso_string()
        .as_string()
        .expect("an ISO time");
    let shown = at.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <Time at=shown.clone() /> <Time at=shown.clone() /> }
    });
    let root: Element = root.into();
    let texts = || {
        let list = root.query_selector_all("time").expect("a valid selector");
        (0..list.length())
            .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
            .collect::<Vec<_>>()
    };
    let before = texts();
    assert_eq!(before.len(), 2);
    assert!(before.iter().all(|t| t.contains("second")), "{before:?}");
    wait_ms(TICK.as_millis() as i32 + 1_000).await;
    idle().await;
    let after = texts();
    assert_eq!(
        after,
        ["1 minute ago", "1 minute ago"],
        "both moved on with the one clock (from {before:?}, at {at})"
    );
}

#[wasm_bindgen_test]
fn each_question_names_its_consequences() {
    let source = Question::delete_source("Shop", Some(3));
    assert_eq!(source.title, "Delete the source “Shop”?");
    assert!(source
        .consequences
        .starts_with("Its 3 integrations are deleted with it."));
    assert!(source.consequences.contains("write key"));
    assert!(Question::delete_source("Shop", Some(1))
        .consequences
        .starts_with("Its 1 integration is deleted with it."));
    assert!(Question::delete_source("Shop", Some(0))
        .consequences
        .starts_with("It has no integrations."));
    assert!(Question::delete_source("Shop", None)
        .consequences
        .starts_with("Its integrations are deleted with it."));
    let connection = Question::delete_connection("Prod key");
    assert!(connection.consequences.contains("still uses"));
    assert_eq!(connection.confirm, "Delete connection");
    assert!(Question::delete_organization("Acme", None)
        .consequences
        .contains("for every member"));
    let holds = OrgHoldings {
        sources: 2,
        integrations: 1,
        connections: 0,
    };
    let org = Question::delete_organization("Acme", Some(holds));
    assert!(
        org.consequences
            .starts_with("Its 2 sources, 1 integration and 0 connections are deleted"),
        "{}",
        org.consequences
    );
    assert!(Question::remove_member("ada@example.com")
        .title
        .contains("ada@example.com"));
    assert!(Question::revoke_key("CI").consequences.contains("refused"));
    assert!(Question::delete_integration("Amp", "Shop")
        .consequences
        .contains("“Shop”"));
    assert!(Question::leave_unsaved("the new connection")
        .consequences
        .contains("the new connection"));
}

#[wasm_bindgen_test]
fn same_names_are_told_apart_and_blank_names_refused() {
    let names_of = ["Acme", "Acme", "Zeta"];
    assert_eq!(
        names::distinct("Acme", "k3J9xQ2", names_of),
        "Acme · k3J9xQ"
    );
    assert_eq!(names::distinct("Zeta", "a1b2c3d4", names_of), "Zeta");
    assert_eq!(names::typed("  Shop "), Ok("Shop".to_owned()));
    assert!(names::typed("   ").is_err());
    assert!(names::typed("").is_err());
}

fn must(root: &Element, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .expect("a valid selector")
        .unwrap_or_else(|| panic!("`{selector}` should be rendered"))
        .unchecked_into()
}

/// Presses `key` where the focus is (the event bubbles to the dialog).
fn press(key: &str) {
    let script = format!(
        "(document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true, cancelable: true }}))"
    );
    js_sys::Function::new_no_args(&script)
        .call0(&wasm_bindgen::JsValue::NULL)
        .expect("the key is pressed");
}

fn focused_id() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .map(|e| e.id())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_dialog_asks_and_the_keyboard_answers() {
    let root = container();
    let (yes, no) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (y, n) = (yes.clone(), no.clone());
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        confirm::provide();
        let (y, n) = (y.clone(), n.clone());
        view! {
            <button id="ask" on:click=move |_| {
                let (y, n) = (y.clone(), n.clone());
                confirm::ask_or(
                    Question::delete_connection("Prod key"),
                    move || { y.fetch_add(1, Ordering::SeqCst); },
                    move || { n.fetch_add(1, Ordering::SeqCst); },
                );
            }>"Delete"</button>
            <ConfirmHost />
        }
    });
    let root: Element = root.into();
    must(&root, "#ask").focus().expect("focusable");
    must(&root, "#ask").click();
    idle().await;
    let dialog = must(&root, "#confirm");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(
        must(&root, "#confirm-title").text_content().as_deref(),
        Some("Delete the connection “Prod key”?"),
        "labelled by its title"
    );
    assert!(must(&root, "#confirm-consequences")
        .text_content()
        .unwrap_or_default()
        .contains("still uses"));
    assert_eq!(
        focused_id(),
        "confirm-yes",
        "the focus moved into the dialog"
    );
    press("Tab");
    assert_eq!(focused_id(), "confirm-cancel", "Tab stays in the dialog");
    press("Tab");
    assert_eq!(focused_id(), "confirm-yes");

    press("Escape");
    idle().await;
    assert!(
        root.query_selector("#confirm").unwrap().is_none(),
        "Escape closed it"
    );
    assert_eq!(
        (yes.load(Ordering::SeqCst), no.load(Ordering::SeqCst)),
        (0, 1)
    );
    assert_eq!(focused_id(), "ask", "the focus went back");

    must(&root, "#ask").click();
    idle().await;
    press("Enter");
    idle().await;
    assert!(
        root.query_selector("#confirm").unwrap().is_none(),
        "Enter closed it"
    );
    assert_eq!(
        (yes.load(Ordering::SeqCst), no.load(Ordering::SeqCst)),
        (1, 1)
    );

    must(&root, "#ask").click();
    idle().await;
    must(&root, "#confirm-cancel").click();
    idle().await;
    assert_eq!(
        (yes.load(Ordering::SeqCst), no.load(Ordering::SeqCst)),
        (1, 2)
    );
}
