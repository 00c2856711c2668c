//! The catalog in the real window (issue 14 #4): the Destinations page lists every
//! destination, its category filter keeps the destinations that have no category, and a
//! destination's form opens with its fields. Prints how long the page's first visit and the
//! largest form take, timed in the page from the click until the element is there and a
//! frame has passed (figures for docs/benchmarks.md, not asserted: the window tests run
//! debug builds on a shared machine). Run inside `.ci/session`, as the other window tests.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, graphql, inner_text, launch, scroll_to_end, DriverProcess, Shots,
};
use webdriver::Driver;

/// The whole catalog with every form, the document the page read before.
const WHOLE_CATALOG: &str = include_str!("../graphql/operations/ClickstreamPrototypes.graphql");
/// The largest form of the catalog (852 field definitions).
const LARGEST: &str = "actions-facebook-conversions-api";

/// Clicks `click`, then answers the milliseconds until `wait` is in the page and the next
/// animation frame has run, timed by the page's own clock; and the steps the app marked on
/// the page's timeline meanwhile (`ui/src/timeline.rs`), each at its ms from the click.
async fn time_click(d: &Driver, click: &str, wait: &str) -> (f64, Vec<(String, f64)>) {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const wait = {wait};
         performance.clearMarks();
         const t0 = performance.now();
         document.querySelector({click}).click();
         const steps = () => performance.getEntriesByType('mark').map(m => [m.name, m.startTime - t0]);
         const poll = () => document.querySelector(wait)
           ? requestAnimationFrame(() => done([performance.now() - t0, steps()]))
           : requestAnimationFrame(poll);
         poll();",
        click = serde_json::Value::String(click.to_owned()),
        wait = serde_json::Value::String(wait.to_owned()),
    );
    let answer = d
        .script_async(&script)
        .await
        .expect("the timing script runs");
    let ms = answer[0].as_f64().expect("a duration in ms");
    let steps: Vec<(String, f64)> = answer[1]
        .as_array()
        .map(|marks| {
            marks
                .iter()
                .map(|m| {
                    let name = m[0].as_str().unwrap_or_default().to_owned();
                    (name, m[1].as_f64().unwrap_or(f64::NAN))
                })
                .collect()
        })
        .unwrap_or_default();
    println!("   {click}: {ms:.0} ms; steps: {}", steps_text(&steps));
    (ms, steps)
}

/// The steps as `name at ms, …`.
fn steps_text(steps: &[(String, f64)]) -> String {
    steps
        .iter()
        .map(|(name, at)| format!("{name} at {at:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The milliseconds the shell takes to answer `query` to the page (server, shell and the
/// webview's parse; without the wasm's reading).
async fn time_invoke(d: &Driver, query: &str, variables: serde_json::Value) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const t0 = performance.now();
         window.__TAURI__.core.invoke('graphql', {{ body: {{ query: {query}, variables: {variables} }}, organization: null }})
           .then(r => done([performance.now() - t0, JSON.stringify(r).length]), e => done(String(e)));",
        query = serde_json::Value::String(query.to_owned()),
    );
    let answer = d
        .script_async(&script)
        .await
        .expect("the invoke script runs");
    println!("   {query:.40}…: {answer}");
    answer[0].as_f64().expect("a duration in ms")
}

#[tokio::test]
async fn the_catalog_lists_filters_and_opens_a_form_in_the_window() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("catalog");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    bundled_source(
        &d,
        "ada@example.com",
        "analytical-engine-1843",
        "Lovelace Ltd",
        "Site",
    )
    .await;

    // The first visit of the page after the launch: nothing of the catalog is read yet.
    let (first_visit, list_steps) = time_click(&d, "#nav-destinations", "#catalog-count").await;
    assert_eq!(
        inner_text(&d, "#catalog-count").await,
        "483 destinations",
        "the whole catalog is listed"
    );
    let first = d.find_all(".destination-card").await.unwrap().len();
    assert!(
        first < 483,
        "only the first cards are built at first: {first}"
    );
    shots.take(&d, "list").await;
    assert_eq!(
        scroll_to_end(&d, "#catalog-cards", ".destination-card").await,
        483,
        "every destination is reached by scrolling"
    );
    shots.take(&d, "list-end").await;

    // Most action destinations have no category: a category keeps them.
    let script = "const s = document.querySelector('#catalog-category');
                  s.value = 'Analytics'; s.dispatchEvent(new Event('change'));";
    d.script(script).await.unwrap();
    d.wait("#catalog-count", 10).await.unwrap();
    // The filtered cards all in the page, as the person would scroll to them.
    scroll_to_end(&d, "#catalog-cards", ".destination-card").await;
    let shown = |code: &'static str| {
        let d = &d;
        async move {
            d.find_all(&format!(".destination-card[data-code=\"{code}\"]"))
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(shown("amplitude").await, 1, "in the category");
    assert_eq!(
        shown("actions-amplitude").await,
        1,
        "without a category: kept"
    );
    assert_eq!(shown("acquisio").await, 0, "another category: hidden");
    shots.take(&d, "category").await;

    // The largest form, read when it opens.
    d.fill("#catalog-search", LARGEST).await.unwrap();
    let card = format!(".destination-card[data-code=\"{LARGEST}\"]");
    d.wait(&card, 10).await.unwrap();
    let (form, form_steps) = time_click(&d, &card, "#save-integration").await;
    let fields = d.find_all("[data-field]").await.unwrap();
    assert!(!fields.is_empty(), "the form shows its fields");
    shots.take(&d, "largest-form").await;

    // Back to the list (kept for the session), and a form of a usual size.
    let (again, _) = time_click(&d, "#nav-destinations", "#catalog-count").await;
    d.fill("#catalog-search", "acquisio").await.unwrap();
    let card = ".destination-card[data-code=\"acquisio\"]";
    d.wait(card, 10).await.unwrap();
    let (small, small_steps) = time_click(&d, card, "input[data-field=\"apiKey\"]").await;

    // What the shell answers for each read, and for the whole catalog the page read before.
    let one = time_invoke(&d, WHOLE_CATALOG, serde_json::json!({ "code": LARGEST })).await;
    let list = time_invoke(
        &d,
        include_str!("../graphql/operations/DestinationList.graphql"),
        serde_json::json!({}),
    )
    .await;
    let whole = time_invoke(&d, WHOLE_CATALOG, serde_json::json!({})).await;
    let answer = graphql(&d, WHOLE_CATALOG, serde_json::json!({ "code": LARGEST })).await;
    assert_eq!(answer["clickstreamPrototypes"][0]["code"], LARGEST);

    println!(
        "catalog in the window: first visit of the Destinations page {first_visit:.0} ms \
         (goal < 300), again {again:.0} ms; a form open with its fields (goal < 100): acquisio \
         {small:.0} ms, the largest ({LARGEST}) {form:.0} ms; shell answers: the list {list:.0} ms, one destination's forms {one:.0} ms, the \
         whole catalog with every form (what the page read before) {whole:.0} ms"
    );
    let steps = [list_steps, small_steps, form_steps];
    write_figures(first_visit, small, form, [list, one, whole], &steps);
    d.quit().await;
}

/// Writes `target/bench/catalog-window.json` for docs/benchmarks.md (`tests/bench/report.py`).
fn write_figures(
    first_visit: f64,
    small: f64,
    largest: f64,
    [list, one, whole]: [f64; 3],
    [list_steps, small_steps, form_steps]: &[Vec<(String, f64)>; 3],
) {
    let before = "the whole catalog with every form through the shell (what the page read \
                  before, without its reading in the wasm)";
    let row = |metric: &str, a: &str, value: f64, goal: f64| {
        serde_json::json!({
            "metric": metric, "unit": "ms", "better": "lower",
            "a": { "label": a, "value": value }, "b": { "label": before, "value": whole },
            "ratio": value / whole, "goal": format!("a < {goal} ms"), "met": value < goal,
        })
    };
    let rows = [
        row(
            "first visit of the Destinations page",
            "the list alone (DestinationList), click to the list painted",
            first_visit,
            300.0,
        ),
        row(
            "a form open with its fields: acquisio",
            "its destination alone (ClickstreamPrototypes(code:)), click to its fields painted",
            small,
            100.0,
        ),
        row(
            "a form open with its fields: the largest (852 fields)",
            "its destination alone, click to its fields painted",
            largest,
            100.0,
        ),
    ];
    let notes = format!(
        "The app as the window tests build it (debug, the UI in wasm-release) under Xvfb; \
         timed in the page by performance.now() from the click until the element is there \
         and one animation frame has run. The shell's answers alone (invoke from the page \
         to the parsed JavaScript object): the list {list:.0} ms, the largest destination's \
         forms {one:.0} ms, the whole catalog {whole:.0} ms. The steps the app marked (ms \
         from the click): the list: {}; acquisio's form: {}; the largest form: {}.",
        steps_text(list_steps),
        steps_text(small_steps),
        steps_text(form_steps),
    );
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("bench");
    let doc = serde_json::json!({
        "name": "catalog-window",
        "title": "catalog-window: the catalog in the real window (issue 14 #4)",
        "rows": rows, "notes": notes,
    });
    std::fs::create_dir_all(&dir).expect("creating target/bench");
    std::fs::write(dir.join("catalog-window.json"), format!("{doc:#}\n"))
        .expect("writing the figures");
}
