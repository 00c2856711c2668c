//! Segment's own libraries against the server, unchanged, with nothing from the internet:
//!
//! - **analytics.js** in headless Chromium (driven through chromedriver): a page holding
//!   exactly the snippet of [`houston_events::snippet`] loads analytics.js, its settings and
//!   a chunk from the server, and sends page, track, identify, group and alias, once one
//!   request per call and once in batches; a third page drops the snippet's load options,
//!   so that the server's settings alone point analytics.js back at it. The browser reaches loopback only: every host
//!   name resolves to nothing and everything else goes to a dead proxy (checked: a fetch to
//!   Segment's CDN fails, and every resource the page loaded is on loopback). The page runs
//!   an hour slow, so the stored `timestamp` shows the clock-skew correction.
//! - **analytics-node** (`tests/sdk/`, a Node project with a committed lock file): every
//!   call type and a flush of a few hundred events, with `host` set to the server.
//!
//! Every event is read back through GraphQL's `events` (over HTTP) with its type, name, ids
//! and corrected timestamp.

use houston_events::snippet::{snippet_with, Delivery};
use houston_test_harness::chrome::{serve_pages, Chrome};
use houston_test_harness::{TestServer, Via};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How far behind the page's clock runs.
const SKEW_MS: i64 = 3_600_000;

/// A server with one source per name, and a member's token to read their events.
struct Sources {
    server: TestServer,
    token: String,
    keys: Vec<String>,
}

async fn server_with_sources(names: &[&str]) -> Sources {
    let server = TestServer::start().await;
    let (token, _) = server.confirmed_user("ann@example.com").await;
    let org = server.create_org(&token, "Org").await;
    let mut keys = Vec::new();
    for name in names {
        keys.push(server.create_app(&token, &org, name).await);
    }
    Sources {
        server,
        token,
        keys,
    }
}

fn base(server: &TestServer) -> String {
    server.url.trim_end_matches("/graphql").to_owned()
}

/// An event as GraphQL's `events` answers it.
#[derive(Debug)]
struct Stored {
    message_id: String,
    event_type: String,
    event: Option<String>,
    user_id: Option<String>,
    anonymous_id: Option<String>,
    received_at: String,
    timestamp: Option<String>,
    valid: bool,
    problems: Vec<Value>,
    payload: Value,
}

impl Stored {
    fn from_node(node: &Value) -> Stored {
        let text = |field: &str| node[field].as_str().map(str::to_owned);
        Stored {
            message_id: text("id").expect("an id"),
            event_type: text("type").expect("a type"),
            event: text("event"),
            user_id: text("userId"),
            anonymous_id: text("anonymousId"),
            received_at: text("receivedAt").expect("a receivedAt"),
            timestamp: text("timestamp"),
            valid: node["valid"].as_bool().expect("valid"),
            problems: node["problems"].as_array().cloned().unwrap_or_default(),
            payload: node["payload"].clone(),
        }
    }
}

const EVENTS: &str =
    "query($app: String!, $after: String) { events(appId: $app, first: 500, after: $after) { \
    nodes { id type event userId anonymousId receivedAt timestamp valid problems payload } \
    pageInfo { hasNextPage endCursor } } }";

/// Every stored event of the source, oldest first, read through GraphQL's `events` over
/// HTTP, page by page.
async fn stored(sources: &Sources, app: &str) -> Vec<Stored> {
    let mut rows = Vec::new();
    let mut after = Value::Null;
    loop {
        let res = sources
            .server
            .gql_via(
                Via::Http,
                EVENTS,
                json!({ "app": app, "after": after }),
                Some(&sources.token),
                None,
            )
            .await;
        assert!(res.get("errors").is_none(), "events: {res}");
        let page = &res["data"]["events"];
        rows.extend(
            page["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(Stored::from_node),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    rows.reverse();
    rows
}

/// The source's events once `count` have arrived (waiting at most 30 s), oldest first.
async fn wait_for(sources: &Sources, app: &str, count: usize) -> Vec<Stored> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = stored(sources, app).await;
        if rows.len() >= count || Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn parse_time(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Milliseconds from `a` to `b`.
fn millis_between(a: &str, b: &str) -> i64 {
    ((parse_time(b) - parse_time(a)).whole_milliseconds()) as i64
}

// ---------------------------------------------------------------- Chromium, by WebDriver

/// What the test adds to the page before the snippet: a device whose clock runs
/// [`SKEW_MS`] slow (`new Date()` and `Date.now()` lag, as on a phone set to the wrong
/// time), and a note of every address `fetch` is called with (`window.__posts`).
const DEVICE: &str = "<script>(function(){var Real=Date,skew=SKEW;\
function Slow(){if(!(this instanceof Slow))return new Real(Real.now()-skew).toString();\
return arguments.length?new (Function.prototype.bind.apply(Real,[null].concat([].slice.call(arguments))))():new Real(Real.now()-skew)}\
Slow.prototype=Real.prototype;Slow.now=function(){return Real.now()-skew};Slow.UTC=Real.UTC;Slow.parse=Real.parse;\
window.Date=Slow;\
var realFetch=window.fetch;window.__posts=[];\
window.fetch=function(url,init){if(init&&init.method&&init.method.toUpperCase()==='POST')window.__posts.push(String(url));return realFetch.apply(this,arguments)}\
})();</script>";

/// The test page: [`DEVICE`], then the snippet, exactly as the Sources page shows it.
fn page(snippet: &str) -> String {
    format!(
        "<!doctype html><html><head><title>Shop</title>{}\n{snippet}\n</head><body><h1>Shop</h1></body></html>",
        DEVICE.replace("SKEW", &SKEW_MS.to_string())
    )
}

/// Runs in the page once analytics.js is loaded: the five calls, then what the test checks
/// (the messageIds analytics.js gave, its anonymous id, whether the internet was
/// reachable, and every resource the page loaded).
const CALLS: &str = r#"
const done = arguments[arguments.length - 1];
const fail = (e) => done({ error: String(e && e.stack || e) });
const deadline = Date.now() + 30000;
(function wait() {
  if (window.analytics && window.analytics.initialized) return go();
  if (Date.now() > deadline) return fail('analytics.js never initialized');
  setTimeout(wait, 50);
})();
async function go() {
  try {
    const ids = {};
    const record = (name) => (ctx) => { ids[name] = ctx.event.messageId; };
    await analytics.page('Docs', 'Pricing', { plan: 'pro' }).then(record('page'));
    await analytics.track('Order Completed', { total: 42 }).then(record('track'));
    await analytics.identify('user-1', { email: 'ann@example.com' }).then(record('identify'));
    await analytics.group('group-1', { name: 'Acme' }).then(record('group'));
    await analytics.alias('user-1', 'previous-1').then(record('alias'));
    // Before the probe below, which is listed too, though it fails.
    const resources = performance.getEntriesByType('resource').map((e) => e.name);
    let internet;
    try {
      await fetch('https://cdn.segment.com/analytics.js/v1/k/analytics.min.js', { mode: 'no-cors' });
      internet = 'cdn.segment.com answered';
    } catch (e) {
      internet = 'blocked';
    }
    const anonymousId = analytics.user().anonymousId();
    // Cookies ignore ports: forget the user, so that the next page starts anonymous.
    analytics.reset();
    done({ ids, anonymousId, internet, resources });
  } catch (e) { fail(e); }
}
"#;

/// Opens `url` in `chrome`, runs [`CALLS`], and checks what the source stored.
async fn five_calls(
    chrome: &Chrome,
    sources: &Sources,
    key: &str,
    pages: &str,
    path: &str,
    anonymous_id: &str,
) {
    chrome
        .goto(&format!("{pages}{path}?ajs_aid={anonymous_id}"))
        .await;
    let out = chrome.run(CALLS).await;
    assert!(out.get("error").is_none(), "{path}: {out}");
    assert_eq!(
        out["internet"], "blocked",
        "{path}: the internet was reachable"
    );
    let server_base = base(&sources.server);
    let resources: Vec<&str> = out["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for r in &resources {
        assert!(
            r.starts_with(&server_base) || r.starts_with(pages),
            "{path}: the page loaded {r}, which is neither the page's nor the server's"
        );
    }
    let must = [
        format!("{server_base}/analytics.js/v1/{key}/analytics.min.js"),
        format!("{server_base}/v1/projects/{key}/settings"),
    ];
    for m in &must {
        assert!(
            resources.contains(&m.as_str()),
            "{path}: {m} not loaded: {resources:?}"
        );
    }
    // `?ajs_aid=` is read by a chunk loaded on demand: the anonymous id proves it came.
    assert!(
        resources.iter().any(|r| r.starts_with(&format!(
            "{server_base}/analytics-next/bundles/queryString."
        ))),
        "{path}: the queryString chunk was not loaded from the server: {resources:?}"
    );
    assert_eq!(out["anonymousId"], anonymous_id, "{path}");

    // The snippet's own page view, then the five calls.
    let rows = wait_for(sources, key, 6).await;
    // In any order: the snippet's page view may go before or after the first call.
    let mut summary: Vec<_> = rows
        .iter()
        .map(|r| (r.event_type.as_str(), r.event.as_deref()))
        .collect();
    summary.sort_unstable();
    assert_eq!(
        summary,
        vec![
            ("alias", None),
            ("group", None),
            ("identify", None),
            ("page", None),
            ("page", Some("Pricing")),
            ("track", Some("Order Completed")),
        ],
        "{path}: the stored events"
    );
    // One request per call, or batches: the addresses analytics.js posted to say which.
    let posts = chrome
        .run("arguments[arguments.length - 1](window.__posts)")
        .await;
    let mut posts: Vec<&str> = posts
        .as_array()
        .expect("the posts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    posts.sort_unstable();
    let expected: Vec<String> = if path == "/batching" {
        // Four events fill the first batch; the last two go when its timeout ends.
        vec![format!("{server_base}/v1/b"); 2]
    } else {
        ["a", "g", "i", "p", "p", "t"]
            .iter()
            .map(|p| format!("{server_base}/v1/{p}"))
            .collect()
    };
    assert_eq!(posts, expected, "{path}: what analytics.js posted");
    let ids = &out["ids"];
    // The five calls (not the snippet's page view, which has no name).
    let by_type: HashMap<&str, &Stored> = rows
        .iter()
        .filter(|r| r.event_type != "page" || r.event.is_some())
        .map(|r| (r.event_type.as_str(), r))
        .collect();
    for (kind, row) in &by_type {
        assert_eq!(
            ids[*kind].as_str(),
            Some(row.message_id.as_str()),
            "{path}: {kind}'s messageId"
        );
    }
    for row in &rows {
        let payload = &row.payload;
        let kind = &row.event_type;
        assert!(row.valid, "{path}: {kind} invalid: {:?}", row.problems);
        assert_eq!(
            row.anonymous_id.as_deref(),
            Some(anonymous_id),
            "{path}: {kind}"
        );
        assert!(
            payload.get("writeKey").is_none(),
            "{path}: {kind} kept its writeKey"
        );
        // The device's time is an hour behind; the stored timestamp is corrected to the
        // server's clock (within the time the request took), the device's time kept.
        let timestamp = row.timestamp.as_deref().expect("a timestamp");
        let lag = millis_between(timestamp, &row.received_at);
        assert!(
            (0..5_000).contains(&lag),
            "{path}: {kind}: timestamp {timestamp} is {lag} ms before receivedAt {}",
            row.received_at
        );
        let original = payload["originalTimestamp"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {kind} has no originalTimestamp: {payload}"));
        let skew = millis_between(original, timestamp);
        assert!(
            (SKEW_MS - 5_000..SKEW_MS + 5_000).contains(&skew),
            "{path}: {kind}: the device's time {original} is {skew} ms before {timestamp}"
        );
        assert_eq!(
            payload["context"]["page"]["title"], "Shop",
            "{path}: {kind}"
        );
    }
    let user = |kind: &str| by_type[kind].user_id.as_deref();
    assert_eq!(user("page"), None, "{path}");
    assert_eq!(user("track"), None, "{path}");
    assert_eq!(user("identify"), Some("user-1"), "{path}");
    assert_eq!(user("group"), Some("user-1"), "{path}");
    assert_eq!(user("alias"), Some("user-1"), "{path}");
    let payload = |kind: &str| &by_type[kind].payload;
    assert_eq!(payload("page")["category"], "Docs", "{path}");
    assert_eq!(payload("page")["properties"]["plan"], "pro", "{path}");
    assert_eq!(payload("track")["properties"]["total"], 42, "{path}");
    assert_eq!(
        payload("identify")["traits"]["email"],
        "ann@example.com",
        "{path}"
    );
    assert_eq!(payload("group")["groupId"], "group-1", "{path}");
    assert_eq!(payload("group")["traits"]["name"], "Acme", "{path}");
    assert_eq!(payload("alias")["previousId"], "previous-1", "{path}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_js_in_chromium_one_request_per_call_and_batched() {
    assert!(
        houston_server::analytics_js::VERSION.is_some(),
        "analytics.js is not embedded in this build: run .ci/setup, then build again"
    );
    let sources = server_with_sources(&["Standard", "Batching", "Settings"]).await;
    let keys = &sources.keys;
    let server_base = base(&sources.server);
    let batching = Delivery::Batching {
        size: 4,
        timeout_ms: 2_000,
    };
    // Each page on an origin of its own (its storage apart; cookies, shared across ports,
    // are cleared by `analytics.reset()` at the end of each).
    let standard = serve_pages(vec![(
        "/standard",
        page(&snippet_with(&keys[0], &server_base, Delivery::Standard)),
    )])
    .await;
    let batched = serve_pages(vec![(
        "/batching",
        page(&snippet_with(&keys[1], &server_base, batching)),
    )])
    .await;
    // The snippet without its load options: the server's settings alone must send the
    // events back to it.
    let official = snippet_with(&keys[2], &server_base, Delivery::Standard);
    let load_from = official.find("analytics.load(").expect("a load call");
    let load_to = load_from + official[load_from..].find(");").expect("its end") + 2;
    let settings_only = format!(
        "{}analytics.load({:?});{}",
        &official[..load_from],
        keys[2],
        &official[load_to..]
    );
    let settings = serve_pages(vec![("/settings", page(&settings_only))]).await;
    let chrome = Chrome::launch().await;
    five_calls(
        &chrome,
        &sources,
        &keys[0],
        &standard,
        "/standard",
        "anon-standard",
    )
    .await;
    five_calls(
        &chrome,
        &sources,
        &keys[1],
        &batched,
        "/batching",
        "anon-batching",
    )
    .await;
    five_calls(
        &chrome,
        &sources,
        &keys[2],
        &settings,
        "/settings",
        "anon-settings",
    )
    .await;
    // Nothing arrived twice or late.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(stored(&sources, &keys[0]).await.len(), 6);
    assert_eq!(stored(&sources, &keys[1]).await.len(), 6);
    assert_eq!(stored(&sources, &keys[2]).await.len(), 6);
    chrome.quit().await;
}

// ---------------------------------------------------------------- the files themselves

/// analytics.js's files as a page on another site loads them: the pinned package's bytes,
/// with their type, caching and cross-origin headers; an unknown chunk is a `404`.
#[tokio::test]
async fn analytics_js_files_carry_their_headers() {
    let sources = server_with_sources(&["Site"]).await;
    let server_base = base(&sources.server);
    let package = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("analytics-js/node_modules/@segment/analytics-next");
    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{server_base}{path}"))
            .header("origin", "https://shop.example.com")
            .send()
    };
    let umd = package.join("dist/umd");
    let chunk = std::fs::read_dir(&umd)
        .expect("the installed package (.ci/setup)")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("queryString.bundle.") && name.ends_with(".js"))
        .expect("the queryString chunk");
    for (path, file, cache) in [
        (
            format!("/analytics.js/v1/{}/analytics.min.js", sources.keys[0]),
            umd.join("standalone.js"),
            "public, max-age=3600",
        ),
        (
            format!("/analytics-next/bundles/{chunk}"),
            umd.join(&chunk),
            "public, max-age=31536000, immutable",
        ),
    ] {
        let res = get(path.clone()).await.expect("an answer");
        assert_eq!(res.status(), 200, "{path}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("content-type").as_deref(),
            Some("text/javascript; charset=utf-8"),
            "{path}"
        );
        assert_eq!(header("cache-control").as_deref(), Some(cache), "{path}");
        assert_eq!(
            header("access-control-allow-origin").as_deref(),
            Some("*"),
            "{path}"
        );
        assert_eq!(
            header("cross-origin-resource-policy").as_deref(),
            Some("cross-origin"),
            "{path}"
        );
        let body = res.bytes().await.expect("a body");
        assert!(
            body == std::fs::read(&file).expect("the package's file"),
            "{path} is not {}",
            file.display()
        );
    }
    let res = get("/analytics-next/bundles/nothing.bundle.0.js".into())
        .await
        .expect("an answer");
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let licence = get("/analytics.js/LICENSE".into())
        .await
        .expect("an answer")
        .text()
        .await
        .expect("a body");
    assert!(licence.starts_with("The MIT License (MIT)"), "{licence}");
}

// ---------------------------------------------------------------- analytics-node

/// How many track calls analytics-node flushes after one call of each type.
const BULK: usize = 400;

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("sdk")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_node_every_call_and_a_flush_of_hundreds() {
    let sources = server_with_sources(&["Backend"]).await;
    let key = sources.keys[0].clone();
    let host = base(&sources.server);
    let out = tokio::task::spawn_blocking(move || {
        houston_test_harness::node::npm_ci(&sdk_dir());
        Command::new("node")
            .arg("analytics-node.mjs")
            .arg(host)
            .arg(key)
            .arg(BULK.to_string())
            .env("PATH", houston_test_harness::node::path())
            .current_dir(sdk_dir())
            .output()
            .expect("node runs")
    })
    .await
    .expect("the script's thread");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "analytics-node failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let delivered: Vec<Value> = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no delivery list in: {stdout}"));
    assert_eq!(delivered.len(), 6 + BULK, "what analytics-node delivered");
    let sent: HashMap<&str, &str> = delivered
        .iter()
        .map(|d| {
            (
                d["messageId"].as_str().expect("a messageId"),
                d["type"].as_str().expect("a type"),
            )
        })
        .collect();
    assert_eq!(
        sent.len(),
        delivered.len(),
        "analytics-node gave two events one id"
    );

    let rows = wait_for(&sources, &sources.keys[0], delivered.len()).await;
    // All arrive, none twice: one stored row per delivered event, and nothing else.
    assert_eq!(rows.len(), delivered.len(), "events stored");
    let stored_ids: HashMap<&str, &Stored> =
        rows.iter().map(|r| (r.message_id.as_str(), r)).collect();
    assert_eq!(stored_ids.len(), rows.len(), "a messageId stored twice");
    let mut bulk = Vec::new();
    for (id, kind) in &sent {
        let row = stored_ids
            .get(id)
            .unwrap_or_else(|| panic!("{kind} {id} was delivered but not stored"));
        assert_eq!(row.event_type, *kind, "{id}");
        assert!(row.valid, "{kind} {id} invalid: {:?}", row.problems);
        let timestamp = row.timestamp.as_deref().expect("a timestamp");
        let lag = millis_between(timestamp, &row.received_at);
        assert!(
            (0..30_000).contains(&lag),
            "{kind}: timestamp {timestamp} is {lag} ms before receivedAt {}",
            row.received_at
        );
        let payload = &row.payload;
        assert_eq!(
            payload["context"]["library"]["name"],
            "@segment/analytics-node"
        );
        if row.event.as_deref() == Some("Bulk") {
            let i = payload["properties"]["i"].as_u64().expect("properties.i") as usize;
            assert_eq!(
                row.anonymous_id.as_deref(),
                Some(format!("anon-{i}").as_str())
            );
            bulk.push(i);
            continue;
        }
        assert_eq!(row.user_id.as_deref(), Some("user-1"), "{kind}");
        match *kind {
            "identify" => assert_eq!(payload["traits"]["email"], "ann@example.com"),
            "track" => {
                assert_eq!(row.event.as_deref(), Some("Order Completed"));
                assert_eq!(payload["properties"]["total"], 42);
            }
            "page" => {
                assert_eq!(row.event.as_deref(), Some("Pricing"));
                assert_eq!(payload["category"], "Docs");
            }
            "screen" => assert_eq!(row.event.as_deref(), Some("Home")),
            "group" => assert_eq!(payload["groupId"], "group-1"),
            "alias" => assert_eq!(payload["previousId"], "previous-1"),
            other => panic!("an unexpected type {other}"),
        }
    }
    bulk.sort_unstable();
    assert_eq!(
        bulk,
        (0..BULK).collect::<Vec<_>>(),
        "every bulk event, once"
    );
}
