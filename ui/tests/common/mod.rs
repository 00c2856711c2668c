//! What the browser tests share (`tests/form.rs` and the benchmarks): a fresh container
//! in the page, the bundled catalogs, a destination's forms mounted as the configure page
//! mounts them, the benchmarks' clock and ways to let the page run, and the reading of a
//! list's rows as rendered (how many, their text).
#![allow(dead_code)] // each test target uses its own part

use std::sync::Arc;

use houston_prototypes::{parse_catalog, Destination};
use houston_ui::components::form::model::{set_section_enabled, Rules};
use houston_ui::components::form::{ConfigForm, FieldList, FieldPath, FormState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// A fresh container in the body, for one test's form.
pub fn container() -> HtmlElement {
    let element: HtmlElement = document()
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    document()
        .body()
        .expect("a body")
        .append_child(&element)
        .expect("appended");
    element
}

/// Every destination of the catalogs the server bundles.
pub fn bundled_destinations() -> impl Iterator<Item = Destination> {
    [
        include_str!("../../../graphql/server/catalog/segment-actions.json"),
        include_str!("../../../graphql/server/catalog/segment-classic-2019.json"),
    ]
    .into_iter()
    .flat_map(|text| parse_catalog(text).expect("the bundled catalogs parse"))
}

/// Mounts the connection and configuration forms of `destination`, every section on, as
/// the configure page does; answers the mount handle, its root and the config form.
pub fn mount_destination(destination: &Arc<Destination>) -> (impl Sized, HtmlElement, FormState) {
    let mut config = destination.default_config();
    for section in &destination.sections {
        set_section_enabled(&mut config, section, true);
    }
    mount_destination_with(destination, config)
}

/// Mounts the forms of `destination` as [`mount_destination`] does, the configuration
/// starting at `config`.
pub fn mount_destination_with(
    destination: &Arc<Destination>,
    config: serde_json::Value,
) -> (impl Sized, HtmlElement, FormState) {
    let root = container();
    let form = FormState::new(config, Rules::Config(destination.clone()));
    let connection = FormState::new(
        destination.default_connection(),
        Rules::Connection(destination.clone()),
    );
    let fields = Arc::new(destination.connection_fields.clone());
    let shown = destination.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <FieldList form=connection fields=fields parent=FieldPath::root() />
            <ConfigForm form=form destination=shown />
        }
    });
    (handle, root, form)
}

/// `performance.now()`, through `Reflect` (web-sys's `Performance` feature is not needed
/// by the UI itself).
pub fn now() -> f64 {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsValue;
    let performance =
        Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).expect("performance");
    let now: Function = Reflect::get(&performance, &JsValue::from_str("now"))
        .expect("performance.now")
        .unchecked_into();
    now.call0(&performance)
        .ok()
        .and_then(|t| t.as_f64())
        .unwrap_or_default()
}

/// Lets queued microtasks (Leptos's effects) run, without a timer's delay.
pub async fn flush() {
    for _ in 0..4 {
        let resolved = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
        wasm_bindgen_futures::JsFuture::from(resolved)
            .await
            .expect("resolves");
    }
}

/// Yields to the browser's event loop (a zero timeout): effects and timers queued meanwhile
/// run, and the test runner's own requests to the page are served (benchmarks call it
/// between measurements, outside the timed sections).
pub async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("timeout");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("resolves");
}

/// One row of a benchmark's results (`BENCH_JSON`, the format `tests/bench/report.py`
/// reads): `a` measured against `b`, values kept to two decimals, with the goal and
/// whether it was met.
pub fn bench_row(
    metric: &str,
    unit: &str,
    better: &str,
    a: (&str, f64),
    b: (&str, f64),
    goal: Option<(&str, bool)>,
) -> serde_json::Value {
    use serde_json::{json, Value};
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let mut row = json!({
        "metric": metric, "unit": unit, "better": better,
        "a": { "label": a.0, "value": round(a.1) },
        "b": { "label": b.0, "value": round(b.1) },
        "ratio": if b.1 > 0.0 { json!(round(a.1 / b.1)) } else { Value::Null },
    });
    if let Some((goal, met)) = goal {
        row["goal"] = json!(goal);
        row["met"] = json!(met);
    }
    row
}

/// Adds `css` to the page as a `<style>` element (the app's stylesheet, for a benchmark
/// that lays the page out as the app does); remove the element to take it away again.
pub fn add_style(css: &str) -> web_sys::Element {
    let style = document().create_element("style").expect("a style element");
    style.set_text_content(Some(css));
    document()
        .head()
        .expect("a head")
        .append_child(&style)
        .expect("the stylesheet");
    style
}

/// Runs a test's or benchmark's own script in the page.
pub fn eval(script: &str) -> wasm_bindgen::JsValue {
    js_sys::eval(script).expect("the test's script runs")
}

/// Waits `ms` milliseconds (a timer).
pub async fn sleep(ms: i32) {
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

/// How many elements under `root` match `css` (the rows a windowed list put in the page).
pub fn count(root: &web_sys::Element, css: &str) -> u32 {
    root.query_selector_all(css).map_or(0, |l| l.length())
}

/// The text of the first element under `root` matching `css` ("" when none).
pub fn text_of(root: &web_sys::Element, css: &str) -> String {
    root.query_selector(css)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The texts of every element under `root` matching `css`, in order.
pub fn texts_of(root: &web_sys::Element, css: &str) -> Vec<String> {
    let Ok(list) = root.query_selector_all(css) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}
