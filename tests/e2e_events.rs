//! Events in the real window (tauri-driver under Xvfb, like `e2e.rs`): the bundled
//! server's loopback collector, the Sources page's snippet, the live debugger (an event
//! sent by a real analytics.js while it is open, pause, the composer, an invalid event and
//! its reasons) and a report whose totals equal `applicationLifetimeEvents`. The
//! analytics.js runs in headless Chromium (the harness's [`Chrome`], which reaches loopback
//! only) on a page holding exactly the snippet the Sources page shows. Screenshots go to
//! `target/e2e-artifacts/events/`; the README's are copied from there.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, graphql, inner_text, launch, wait_for_app_exit, wait_inner, BundledSource,
    DriverProcess, Shots,
};
use houston_test_harness::chrome::{serve_pages, Chrome};
use serde_json::{json, Value};
use std::time::Duration;
use webdriver::Driver;

/// Posts `event` to the collector at `base` as an SDK does (the write key as HTTP Basic).
async fn post_event(base: &str, write_key: &str, event: Value) -> reqwest::Response {
    let kind = event["type"].as_str().unwrap_or("track").to_owned();
    reqwest::Client::new()
        .post(format!("{base}/v1/{kind}"))
        .basic_auth(write_key, Some(""))
        .json(&event)
        .send()
        .await
        .expect("the collector answers")
}

/// Runs in the test page: waits for analytics.js to load from the collector, sends one
/// track call, and answers the resources the page loaded (or the error).
const TRACK: &str = r#"
const done = arguments[arguments.length - 1];
const deadline = Date.now() + 30000;
(function wait() {
  if (window.analytics && window.analytics.initialized) {
    return analytics.track('Signed Up', { plan: 'pro' })
      .then((ctx) => done({
        messageId: ctx.event.messageId,
        resources: performance.getEntriesByType('resource').map((e) => e.name),
      }))
      .catch((e) => done({ error: String(e && e.stack || e) }));
  }
  if (Date.now() > deadline) return done({ error: 'analytics.js never initialized' });
  setTimeout(wait, 50);
})();
"#;

/// The number of rows the debugger shows.
async fn rows(d: &Driver) -> usize {
    d.find_all("#debugger-events .event").await.unwrap().len()
}

/// Sets a `<select>` and tells the page, as a person choosing an option does.
async fn choose(d: &Driver, css: &str, value: &str) {
    d.script(&format!(
        "const s = document.querySelector({css}); s.value = {value}; s.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        css = Value::String(css.to_owned()),
        value = Value::String(value.to_owned()),
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn the_debugger_shows_events_as_they_arrive_and_reports_count_them_all() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("events");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;

    // The bundled server, an account, an organization and a source.
    let BundledSource {
        write_key: key,
        collector,
    } = bundled_source(
        &d,
        "grace@example.com",
        "cobol-rules-1959",
        "Compilers Inc",
        "Website",
    )
    .await;

    // The collector listens on loopback, and the snippet loads analytics.js from it.
    let port: u16 = collector
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a loopback collector: {collector:?}"));
    assert!(port >= 8871, "8871 or the next free port: {port}");
    let snippet = d
        .text(&d.find(".source-row .source-snippet").await.unwrap())
        .await
        .unwrap();
    for part in [
        format!("t.src=\"{collector}/analytics.js/v1/\""),
        format!("analytics._cdn = \"{collector}\""),
        format!("analytics.load(\"{key}\""),
    ] {
        assert!(snippet.contains(&part), "{part} in {snippet}");
    }
    assert!(!snippet.contains("cdn.segment.com"), "{snippet}");
    // The page's own text of the snippet (WebDriver's element text may fold its lines).
    let shown_snippet = inner_text(&d, ".source-row .source-snippet").await;
    let page_snippet = houston_events::snippet::snippet(&key, &collector);
    assert_eq!(
        shown_snippet.trim(),
        page_snippet.trim(),
        "the snippet shown"
    );
    shots.take(&d, "sources").await;

    // Only the collector's paths are served there: no GraphQL on that port.
    let api = reqwest::Client::new()
        .post(format!("{collector}/graphql"))
        .json(&json!({ "query": "{ healthcheck }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.status(),
        404,
        "the API is not served on the collector port"
    );
    let unknown = post_event(
        &collector,
        "no-such-source-key-xx",
        json!({"type": "track", "event": "x", "userId": "u"}),
    )
    .await;
    assert_eq!(unknown.status(), 401);

    // The debugger is open when an event is posted: it shows up, on top.
    d.click_on(".source-row .source-debugger").await.unwrap();
    d.wait("#debugger-events", 20).await.unwrap();
    wait_inner(&d, "#debugger-events", "Waiting for events", 20)
        .await
        .unwrap();
    // Give the subscription a moment to be in place before the first event.
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A real analytics.js sends it: the snippet on a page of another origin, in Chromium.
    let pages = serve_pages(vec![(
        "/shop",
        format!(
            "<!doctype html><html><head><title>Shop</title>\n{page_snippet}\n</head><body><h1>Shop</h1></body></html>"
        ),
    )])
    .await;
    let chrome = Chrome::launch().await;
    chrome.goto(&format!("{pages}/shop")).await;
    let posted_at = std::time::Instant::now();
    let sent = chrome.run(TRACK).await;
    assert!(sent.get("error").is_none(), "analytics.js: {sent}");
    let resources = sent["resources"].as_array().cloned().unwrap_or_default();
    let script = format!("{collector}/analytics.js/v1/{key}/analytics.min.js");
    assert!(
        resources.iter().any(|r| r == &json!(script)),
        "analytics.js came from the collector: {resources:?}"
    );
    wait_inner(
        &d,
        "#debugger-events .event[data-type=\"track\"]",
        "Signed Up",
        20,
    )
    .await
    .unwrap();
    eprintln!(
        "the event was shown {:?} after it was posted",
        posted_at.elapsed()
    );
    // The snippet itself calls `analytics.page()` as it loads: that page view comes too.
    wait_inner(
        &d,
        "#debugger-events .event[data-type=\"page\"]",
        "page",
        20,
    )
    .await
    .unwrap();
    assert_eq!(rows(&d).await, 2);
    // The track row is analytics.js's event: its name, its type and its messageId.
    let track = "#debugger-events .event[data-type=\"track\"]";
    let name = inner_text(&d, &format!("{track} .event-name")).await;
    assert_eq!(name.trim(), "Signed Up");
    let kind = inner_text(&d, &format!("{track} .event-type")).await;
    assert_eq!(kind.trim(), "track");
    let shown_id = d
        .script(&format!(
            "return document.querySelector({}).dataset.id",
            Value::String(track.to_owned())
        ))
        .await
        .unwrap();
    assert_eq!(shown_id, sent["messageId"], "analytics.js's messageId");
    chrome.quit().await;

    // Paused, the list holds still; the new event waits behind the "1 new" bar.
    d.click_on("#debugger-pause").await.unwrap();
    wait_inner(&d, "#debugger-pause", "Resume", 10)
        .await
        .unwrap();
    let sent = post_event(
        &collector,
        &key,
        json!({"type": "page", "name": "Pricing", "anonymousId": "anon-7"}),
    )
    .await;
    assert_eq!(sent.status(), 200);
    wait_inner(&d, "#debugger-new", "1 new", 20).await.unwrap();
    assert_eq!(rows(&d).await, 2, "the paused list did not move");
    let shown = inner_text(&d, "#debugger-events").await;
    assert!(!shown.contains("Pricing"), "{shown}");
    shots.take(&d, "debugger-paused").await;
    d.click_on("#debugger-pause").await.unwrap();
    wait_inner(
        &d,
        "#debugger-events .event[data-type=\"page\"]",
        "Pricing",
        10,
    )
    .await
    .unwrap();
    d.wait_gone("#debugger-new", 10).await.unwrap();
    assert!(
        inner_text(&d, "#debugger-events .event")
            .await
            .contains("Pricing"),
        "newest on top"
    );

    // An invalid event is kept and marked with its reasons.
    let sent = post_event(&collector, &key, json!({"type": "track", "userId": "ada"})).await;
    assert_eq!(sent.status(), 200);
    wait_inner(
        &d,
        "#debugger-events .event.invalid .event-invalid",
        "invalid",
        20,
    )
    .await
    .unwrap();
    let reasons = inner_text(&d, "#debugger-events .event.invalid .event-invalid").await;
    assert!(reasons.contains("missing_event"), "the reason: {reasons}");

    // The composer posts through the collector with the source's key, as an SDK would.
    d.fill("#composer-name", "Composer Clicked").await.unwrap();
    d.fill("#composer-user", "grace").await.unwrap();
    d.fill("#composer-properties", "{\"button\": \"save\"}")
        .await
        .unwrap();
    d.click_on("#composer-send").await.unwrap();
    wait_inner(&d, "#composer-message", "accepted", 20)
        .await
        .unwrap();
    wait_inner(&d, "#debugger-events", "Composer Clicked", 20)
        .await
        .unwrap();
    assert_eq!(rows(&d).await, 5);

    // Filters: by validity and by search.
    choose(&d, "#debugger-validity", "invalid").await;
    wait_inner(&d, "#debugger-count", "1 shown", 10)
        .await
        .unwrap();
    choose(&d, "#debugger-validity", "").await;
    d.fill("#debugger-search", "composer").await.unwrap();
    wait_inner(&d, "#debugger-count", "1 shown", 10)
        .await
        .unwrap();
    d.script("const s = document.querySelector('#debugger-search'); s.value = ''; s.dispatchEvent(new Event('input', { bubbles: true }));")
        .await
        .unwrap();
    wait_inner(&d, "#debugger-count", "5 shown", 10)
        .await
        .unwrap();

    // A row opens its JSON, pretty and raw.
    d.click_on("#debugger-events .event[data-type=\"track\"] .event-row")
        .await
        .unwrap();
    wait_inner(&d, ".event-json", "houston-desktop", 10)
        .await
        .unwrap();
    let json_text = inner_text(&d, ".event-json").await;
    assert!(
        json_text.contains("\"button\": \"save\"") && json_text.contains("houston-desktop"),
        "pretty JSON of the composer's event: {json_text}"
    );
    shots.take(&d, "debugger").await;
    d.click_on(".event-raw").await.unwrap();
    wait_inner(&d, ".event-json", "\"button\":\"save\"", 10)
        .await
        .unwrap();
    let raw = inner_text(&d, ".event-json").await;
    assert!(raw.contains("\"button\":\"save\""), "raw JSON: {raw}");

    // The report of the source: its chart's totals are the lifetime counts.
    let lifetime = graphql(
        &d,
        "query($appId: String!) { applicationLifetimeEvents(appId: $appId) { total invalid } }",
        json!({ "appId": key }),
    )
    .await;
    let total = lifetime["applicationLifetimeEvents"]["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("{lifetime}"));
    assert_eq!(total, 5, "{lifetime}");
    assert_eq!(lifetime["applicationLifetimeEvents"]["invalid"], 1);
    d.click_on("#debugger-reports").await.unwrap();
    d.wait("#report-chart svg", 30).await.unwrap();
    let chart_total = d
        .script("return document.querySelector('#report-chart').dataset.total")
        .await
        .unwrap();
    assert_eq!(chart_total, json!(total.to_string()));
    let lifetime_shown = inner_text(&d, "#report-lifetime-total").await;
    assert_eq!(lifetime_shown.trim(), total.to_string());
    let share = inner_text(&d, "#report-invalid-share").await;
    assert_eq!(share.trim(), "20.0%");
    let bars = d
        .script("return document.querySelectorAll('#report-chart svg rect').length")
        .await
        .unwrap();
    assert!(bars.as_u64().unwrap_or(0) >= 3, "stacked bars: {bars}");
    shots.take(&d, "report-source").await;

    // The organization's report, per hour: the same totals (it has one source).
    choose(&d, "#report-scope", "").await;
    choose(&d, "#report-period", "HOUR").await;
    d.wait("#report-chart svg", 30).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let chart_total = d
        .script("return document.querySelector('#report-chart').dataset.total")
        .await
        .unwrap();
    assert_eq!(chart_total, json!(total.to_string()));
    shots.take(&d, "report-organization").await;

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
}
