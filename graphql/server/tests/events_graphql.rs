//! Events through GraphQL, as the desktop's debugger and reports read them: events posted
//! to the collector over HTTP, then `events` (paging across new events and retention,
//! filters, search), `applicationLifetimeEvents` and `eventReport` (whose totals equal
//! the lifetime counts), on SQLite and PostgreSQL; `eventReceived` from the real binary,
//! and across two replicas of one PostgreSQL database.

use base64::Engine;
use houston_server::store::Retention;
use houston_server::{DataKeySource, SecretSource, ServerConfig};
use houston_test_harness::http::{confirmed_user, gql, ok_id};
use houston_test_harness::ws::Subscription;
use houston_test_harness::{error_code, Backend, PgDatabase, ServerProcess, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Posts `body` to the collector at `base` (`http://host:port`) as `write_key`; the status.
async fn post(base: &str, path: &str, write_key: &str, body: Value) -> u16 {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{write_key}:"));
    reqwest::Client::new()
        .post(format!("{base}/v1/{path}"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the collector answers")
        .status()
        .as_u16()
}

/// Posts `events` as one `/v1/batch` request, which must succeed.
async fn batch(base: &str, write_key: &str, events: &[Value]) {
    let status = post(base, "batch", write_key, json!({ "batch": events })).await;
    assert_eq!(status, 200, "the batch is accepted");
}

/// The `i`th event of the story: tracks and pages of four users, every fifth without ids
/// (invalid), each with the message id `m-<i>`.
fn story_event(i: usize) -> Value {
    let mut e = if i % 4 == 3 {
        json!({ "type": "page", "name": format!("Page {i}") })
    } else {
        json!({ "type": "track", "event": format!("Clicked {i}"), "properties": { "n": i } })
    };
    e["messageId"] = json!(format!("m-{i}"));
    if i % 5 != 4 {
        e["userId"] = json!(format!("user-{}", i % 4));
    }
    e
}

fn is_valid(i: usize) -> bool {
    i % 5 != 4
}

fn type_of(i: usize) -> &'static str {
    if i % 4 == 3 {
        "page"
    } else {
        "track"
    }
}

fn name_of(i: usize) -> String {
    if i % 4 == 3 {
        format!("Page {i}")
    } else {
        format!("Clicked {i}")
    }
}

/// A server keeping `max_events` per source, with one signed-in owner, an organization
/// and two sources. Fields drop in order: the server before its database.
struct Setup {
    server: TestServer,
    base: String,
    token: String,
    org: String,
    app: String,
    other_app: String,
    _pg: Option<PgDatabase>,
}

async fn setup(backend: Backend, max_events: i64) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create().await),
    };
    let database_url = match &pg {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}", dir.path().join("houston.db").display()),
    };
    let config = ServerConfig {
        database_url,
        secret: SecretSource::File(dir.path().join("secret")),
        data_key: DataKeySource::Ephemeral,
        event_retention: Retention {
            max_events,
            ..Retention::default()
        },
        ..ServerConfig::in_memory()
    };
    let server = TestServer::with_config(config, dir).await;
    let base = server.url.trim_end_matches("/graphql").to_string();
    let (token, _) = server.confirmed_user("ann@example.com").await;
    let org = server.create_org(&token, "Org").await;
    let app = server.create_app(&token, &org, "Site").await;
    let other_app = server.create_app(&token, &org, "Shop").await;
    Setup {
        server,
        base,
        token,
        org,
        app,
        other_app,
        _pg: pg,
    }
}

const PAGE: &str = "query($a: String!, $f: Int, $c: String, $t: String, $s: String, $v: Boolean) { events(appId: $a, first: $f, after: $c, type: $t, search: $s, valid: $v) { nodes { id type event userId anonymousId receivedAt timestamp valid problems payload } pageInfo { hasNextPage endCursor } totalCount } }";

impl Setup {
    async fn data(&self, query: &str, vars: Value) -> Value {
        self.server.data(query, vars, Some(&self.token)).await
    }

    /// One page of the source's events with `vars` (appId added).
    async fn page(&self, mut vars: Value) -> Value {
        vars["a"] = json!(self.app);
        self.data(PAGE, vars).await["events"].clone()
    }
}

/// The message ids of a page's nodes.
fn ids(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

fn m(range: impl DoubleEndedIterator<Item = usize>) -> Vec<String> {
    range.rev().map(|i| format!("m-{i}")).collect()
}

async fn events_story(backend: Backend) {
    let s = setup(backend, 40).await;
    let events: Vec<Value> = (0..45).map(story_event).collect();
    batch(&s.base, &s.app, &events[..20]).await;

    // The first page, newest first.
    let first = s.page(json!({ "f": 7 })).await;
    assert_eq!(ids(&first), m(13..20), "{first}");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["totalCount"], 20);
    let node = &first["nodes"][0];
    assert_eq!(
        (
            &node["type"],
            &node["event"],
            &node["userId"],
            &node["valid"]
        ),
        (
            &json!("page"),
            &json!("Page 19"),
            &json!(Value::Null),
            &json!(false)
        ),
        "m-19 is a page without ids: {node}"
    );
    assert_eq!(
        node["problems"],
        json!(["missing_user_id_and_anonymous_id"]),
        "{node}"
    );
    assert!(node["receivedAt"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert!(
        node["timestamp"].is_string(),
        "a corrected timestamp: {node}"
    );
    let valid = &first["nodes"][1];
    assert_eq!(
        (
            &valid["type"],
            &valid["event"],
            &valid["userId"],
            &valid["valid"],
            &valid["problems"]
        ),
        (
            &json!("track"),
            &json!("Clicked 18"),
            &json!("user-2"),
            &json!(true),
            &json!([])
        ),
        "{valid}"
    );
    assert_eq!(
        valid["payload"]["properties"]["n"], 18,
        "the payload as sent: {valid}"
    );

    // New events do not move the next page.
    batch(&s.base, &s.app, &events[20..30]).await;
    let second = s
        .page(json!({ "f": 7, "c": first["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(ids(&second), m(6..13), "{second}");
    assert_eq!(second["totalCount"], 30);

    // Retention (40 kept) deletes m-0..m-4: the next page ends where it cut.
    batch(&s.base, &s.app, &events[30..45]).await;
    let third = s
        .page(json!({ "f": 7, "c": second["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(ids(&third), m(5..6), "{third}");
    assert_eq!(third["pageInfo"]["hasNextPage"], false);
    let end = s
        .page(json!({ "f": 7, "c": third["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(ids(&end), Vec::<String>::new());
    assert_eq!(
        end["pageInfo"],
        json!({ "hasNextPage": false, "endCursor": null })
    );
    let all = s.page(json!({ "f": 500 })).await;
    assert_eq!(ids(&all), m(5..45));
    assert_eq!(all["totalCount"], 40);
    let default_page = s.page(json!({})).await;
    assert_eq!(ids(&default_page), m(5..45), "50 by default");

    // Filters, each against the same rule applied to what is kept.
    let kept = || (5..45).rev();
    let expect = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        kept()
            .filter(|i| keep(*i))
            .map(|i| format!("m-{i}"))
            .collect()
    };
    let cases: Vec<(Value, Vec<String>)> = vec![
        (json!({ "t": "page" }), expect(&|i| type_of(i) == "page")),
        (json!({ "v": false }), expect(&|i| !is_valid(i))),
        (
            json!({ "v": true, "t": "track" }),
            expect(&|i| is_valid(i) && type_of(i) == "track"),
        ),
        (
            json!({ "s": "USER-1" }),
            expect(&|i| is_valid(i) && i % 4 == 1),
        ),
        (
            json!({ "s": "clicked 4" }),
            expect(&|i| name_of(i).to_lowercase().contains("clicked 4")),
        ),
        (
            json!({ "s": "m-3" }),
            expect(&|i| format!("m-{i}").contains("m-3")),
        ),
        (json!({ "s": "%" }), vec![]),
        (json!({ "t": "identify" }), vec![]),
    ];
    for (mut vars, want) in cases {
        vars["f"] = json!(500);
        let page = s.page(vars.clone()).await;
        assert_eq!(ids(&page), want, "{vars}");
        assert_eq!(page["totalCount"], want.len(), "{vars}");
    }
    // A filtered list pages like the whole one.
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = s.page(json!({ "f": 3, "c": after, "v": true })).await;
        seen.extend(ids(&page));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, expect(&|i| is_valid(i)));

    // Lifetime counts: every event ever received, retention or not.
    let invalid = (0..45).filter(|i| !is_valid(*i)).count();
    let pages = (0..45).filter(|i| type_of(*i) == "page").count();
    let lifetime = s
        .data(
            "query($a: String!) { applicationLifetimeEvents(appId: $a) { total valid invalid byType { type count } } }",
            json!({ "a": s.app }),
        )
        .await["applicationLifetimeEvents"]
        .clone();
    assert_eq!(
        lifetime,
        json!({
            "total": 45, "valid": 45 - invalid, "invalid": invalid,
            "byType": [{ "type": "page", "count": pages }, { "type": "track", "count": 45 - pages }]
        })
    );

    // Reports: whatever the period, the buckets add up to the lifetime counts.
    batch(&s.base, &s.other_app, &events[..3]).await;
    const REPORT: &str = "query($o: ID, $a: String, $p: TimePeriods!, $from: Date, $to: Date) { eventReport(orgId: $o, appId: $a, period: $p, from: $from, to: $to) { period buckets { start appId total invalid byType { type count } } } }";
    for period in ["HOUR", "DAY", "WEEK", "MONTH"] {
        let report =
            s.data(REPORT, json!({ "a": s.app, "p": period })).await["eventReport"].clone();
        assert_eq!(report["period"], period);
        let buckets = report["buckets"].as_array().unwrap();
        assert!(!buckets.is_empty(), "{report}");
        let sum = |key: &str| {
            buckets
                .iter()
                .map(|b| b[key].as_i64().unwrap())
                .sum::<i64>()
        };
        assert_eq!(sum("total"), 45, "{period}: {report}");
        assert_eq!(sum("invalid"), invalid as i64, "{period}: {report}");
        for b in buckets {
            assert_eq!(b["appId"], s.app.as_str());
            let by_type: i64 = b["byType"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["count"].as_i64().unwrap())
                .sum();
            assert_eq!(by_type, b["total"].as_i64().unwrap(), "{b}");
            assert!(
                b["start"].as_str().is_some_and(|t| t.ends_with(":00:00Z")),
                "{b}"
            );
        }
        // The organization's report: both sources, by argument or by header.
        let by_arg = s.data(REPORT, json!({ "o": s.org, "p": period })).await;
        let by_header = s
            .server
            .gql_via(
                houston_test_harness::Via::Http,
                REPORT,
                json!({ "p": period }),
                Some(&s.token),
                Some(&s.org),
            )
            .await;
        assert_eq!(by_header["data"], by_arg, "{by_header}");
        let mut per_app = BTreeMap::new();
        for b in by_arg["eventReport"]["buckets"].as_array().unwrap() {
            *per_app
                .entry(b["appId"].as_str().unwrap().to_string())
                .or_insert(0) += b["total"].as_i64().unwrap();
        }
        assert_eq!(
            per_app,
            BTreeMap::from([(s.app.clone(), 45), (s.other_app.clone(), 3)]),
            "{period}"
        );
    }
    // A window: from tomorrow on, nothing; up to yesterday, nothing; around now, all.
    let day = |offset: i64| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(offset))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    for (from, to, total) in [
        (day(1), day(2), 0),
        (day(-2), day(-1), 0),
        (day(-1), day(1), 45),
    ] {
        let report = s
            .data(
                REPORT,
                json!({ "a": s.app, "p": "DAY", "from": from, "to": to }),
            )
            .await;
        let sum: i64 = report["eventReport"]["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["total"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, total, "{from}..{to}: {report}");
    }

    // Arguments refused, each with INVALID_INPUT.
    for (query, vars) in [
        (PAGE, json!({ "a": s.app, "c": "not-a-cursor" })),
        (
            PAGE,
            json!({ "a": s.app, "c": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("mail:3") }),
        ),
        (PAGE, json!({ "a": s.app, "f": 501 })),
        (PAGE, json!({ "a": s.app, "f": -1 })),
        (REPORT, json!({ "p": "DAY" })),
    ] {
        let res = s.server.gql(query, vars.clone(), Some(&s.token)).await;
        assert_eq!(error_code(&res), "INVALID_INPUT", "{vars}: {res}");
    }
}

#[tokio::test]
async fn events_lifetime_counts_and_reports() {
    events_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn events_lifetime_counts_and_reports_on_postgres() {
    events_story(Backend::Postgres).await;
}

/// A graphql-transport-ws client with one `eventReceived` subscription.
struct Subscriber(Subscription);

const RECEIVED: &str = "subscription($a: String!) { eventReceived(appId: $a) { id type event userId valid problems payload } }";

impl Subscriber {
    async fn open(name: &'static str, ws_url: &str, token: &str, app: &str) -> Subscriber {
        Subscriber(Subscription::open(name, ws_url, token, RECEIVED, json!({ "a": app })).await)
    }

    /// The next event, or `None` after `wait`.
    async fn next_event(&mut self, wait: Duration) -> Option<Value> {
        self.0.next_data("eventReceived", wait).await
    }

    /// The message ids of the next `n` events.
    async fn expect_ids(&mut self, n: usize) -> Vec<String> {
        let mut got = Vec::new();
        for _ in 0..n {
            let e = self
                .next_event(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("{}: only {got:?} arrived", self.0.name));
            got.push(e["id"].as_str().unwrap().to_string());
        }
        got
    }

    /// Skips whatever arrives until nothing has for `quiet`.
    async fn drain(&mut self, quiet: Duration) {
        while self.next_event(quiet).await.is_some() {}
    }
}

/// Posts a warm-up track to `base` until `subscriber` hears one: graphql-transport-ws does
/// not acknowledge a subscribe, so this is how a test knows it is listening.
async fn until_heard(subscriber: &mut Subscriber, base: &str, app: &str) {
    for n in 0..50 {
        let warm = json!({ "type": "track", "event": "Warm-up", "userId": "w", "messageId": format!("warm-{}-{n}", subscriber.0.name) });
        assert_eq!(post(base, "track", app, warm).await, 200);
        if subscriber
            .next_event(Duration::from_millis(300))
            .await
            .is_some()
        {
            return;
        }
    }
    panic!("{} never heard an event", subscriber.0.name);
}

fn base_of(process: &ServerProcess) -> String {
    format!("http://{}", process.addr)
}

#[tokio::test]
async fn event_received_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::in_dir(dir.path(), "127.0.0.1:0");
    let (url, base) = (server.url.as_str(), base_of(&server));
    let ann = confirmed_user(url, url, "ann@example.com", "password-1").await;
    let bob = confirmed_user(url, url, "bob@example.com", "password-2").await;
    let org_query = "mutation($n: String!) { createOrganization(name: $n) { success id } }";
    let app_query = "mutation($o: String!, $n: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { success id } }";
    let org = ok_id(url, org_query, json!({ "n": "Ann's" }), Some(&ann)).await;
    let app = ok_id(url, app_query, json!({ "o": org, "n": "Site" }), Some(&ann)).await;
    let shop = ok_id(url, app_query, json!({ "o": org, "n": "Shop" }), Some(&ann)).await;

    let mut sub = Subscriber::open("ann", &server.ws_url(), &ann, &app).await;
    until_heard(&mut sub, &base, &app).await;
    sub.drain(Duration::from_millis(300)).await;

    // A single call, a batch with an invalid event, in order; another source's unheard.
    let track = json!({ "type": "track", "event": "Signed Up", "userId": "u-1", "messageId": "one", "properties": { "plan": "pro" } });
    assert_eq!(post(&base, "track", &app, track).await, 200);
    let e = sub
        .next_event(Duration::from_secs(10))
        .await
        .expect("the track arrives");
    assert_eq!(
        (
            &e["id"],
            &e["type"],
            &e["event"],
            &e["userId"],
            &e["valid"],
            &e["payload"]["properties"]["plan"]
        ),
        (
            &json!("one"),
            &json!("track"),
            &json!("Signed Up"),
            &json!("u-1"),
            &json!(true),
            &json!("pro")
        ),
        "{e}"
    );
    assert_eq!(
        post(
            &base,
            "track",
            &shop,
            json!({ "type": "track", "event": "X", "userId": "u", "messageId": "shop-1" })
        )
        .await,
        200
    );
    batch(
        &base,
        &app,
        &[
            json!({ "type": "identify", "userId": "u-1", "messageId": "two" }),
            json!({ "type": "track", "messageId": "three" }),
            json!({ "type": "page", "anonymousId": "a-1", "name": "Home", "messageId": "four" }),
        ],
    )
    .await;
    assert_eq!(sub.expect_ids(3).await, ["two", "three", "four"]);
    assert_eq!(
        sub.next_event(Duration::from_secs(1)).await,
        None,
        "the shop's event is not ann's site's"
    );

    // Another organization's source: NOT_FOUND, as for the source itself.
    let mut other = Subscriber::open("bob", &server.ws_url(), &bob, &app).await;
    let answer = other
        .0
        .next_message(Duration::from_secs(10))
        .await
        .expect("an answer");
    // async-graphql answers a subscription its resolver refuses with one `next` carrying
    // the error and no data.
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(answer["payload"]["data"], Value::Null, "{answer}");
    assert_eq!(error_code(&answer["payload"]), "NOT_FOUND", "{answer}");
    let res = gql(
        url,
        "query($a: String!) { events(appId: $a) { totalCount } }",
        json!({ "a": app }),
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(error_code(&res), "NOT_FOUND", "{res}");
    server.stop();
}

#[tokio::test]
async fn event_received_across_replicas() {
    let db = PgDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("token-secret");
    let a = ServerProcess::start(&db.url, &secret);
    let b = ServerProcess::start(&db.url, &secret);
    let (ua, ub) = (a.url.as_str(), b.url.as_str());
    let (base_a, base_b) = (base_of(&a), base_of(&b));
    let ann = confirmed_user(ua, ub, "ann@example.com", "password-1").await;
    let org = ok_id(
        ua,
        "mutation { createOrganization(name: \"R\") { success id } }",
        json!({}),
        Some(&ann),
    )
    .await;
    let app = ok_id(ub, "mutation($o: String!) { createApplication(name: \"Site\", platform: \"server\", orgId: $o) { success id } }", json!({ "o": org }), Some(&ann)).await;

    let mut on_a = Subscriber::open("on-a", &a.ws_url(), &ann, &app).await;
    let mut on_b = Subscriber::open("on-b", &b.ws_url(), &ann, &app).await;
    // Each hears a warm-up posted to the other replica: both listen, across servers.
    until_heard(&mut on_a, &base_b, &app).await;
    until_heard(&mut on_b, &base_a, &app).await;
    on_a.drain(Duration::from_millis(500)).await;
    on_b.drain(Duration::from_millis(500)).await;

    // Stored through A: heard on A at home and on B through PostgreSQL, once each, in order.
    let three: Vec<Value> = (1..=3)
        .map(|i| json!({ "type": "track", "event": "Bought", "userId": "u", "messageId": format!("a-{i}"), "properties": { "big": "x".repeat(3000) } }))
        .collect();
    batch(&base_a, &app, &three).await;
    assert_eq!(on_b.expect_ids(3).await, ["a-1", "a-2", "a-3"]);
    assert_eq!(on_a.expect_ids(3).await, ["a-1", "a-2", "a-3"]);
    // And through B.
    batch(
        &base_b,
        &app,
        &[json!({ "type": "identify", "userId": "u", "messageId": "b-1" })],
    )
    .await;
    assert_eq!(on_a.expect_ids(1).await, ["b-1"]);
    assert_eq!(on_b.expect_ids(1).await, ["b-1"]);
    for s in [&mut on_a, &mut on_b] {
        assert_eq!(
            s.next_event(Duration::from_millis(1500)).await,
            None,
            "{}: once",
            s.0.name
        );
    }
    let logs = [a.stop(), b.stop()].concat().join("\n");
    assert!(!logs.contains("could not read events"), "{logs}");
}

#[tokio::test]
async fn event_retention_setting_reaches_the_store() {
    // A bad value stops the binary with a sentence naming the accepted forms.
    let out = ServerProcess::command()
        .args(["--print-schema", "--event-retention", "30x"])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("10000,30d"), "{said}");

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("houston.db").display());
    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0", "--database-url", &database])
        .arg("--secret-file")
        .arg(dir.path().join("token-secret"))
        .env("HOUSTON_EVENT_RETENTION", "5,1d");
    let server = ServerProcess::spawn(command);
    let (url, base) = (server.url.as_str(), base_of(&server));
    let ann = confirmed_user(url, url, "ann@example.com", "password-1").await;
    let org = ok_id(
        url,
        "mutation { createOrganization(name: \"O\") { success id } }",
        json!({}),
        Some(&ann),
    )
    .await;
    let app = ok_id(url, "mutation($o: String!) { createApplication(name: \"S\", platform: \"server\", orgId: $o) { success id } }", json!({ "o": org }), Some(&ann)).await;
    let events: Vec<Value> = (0..8).map(story_event).collect();
    batch(&base, &app, &events).await;
    let res = gql(url, "query($a: String!) { events(appId: $a) { totalCount nodes { id } } applicationLifetimeEvents(appId: $a) { total } }", json!({ "a": app }), Some(&ann), None).await;
    assert_eq!(res["data"]["events"]["totalCount"], 5, "{res}");
    assert_eq!(ids(&res["data"]["events"]), m(3..8));
    assert_eq!(
        res["data"]["applicationLifetimeEvents"]["total"], 8,
        "{res}"
    );
    server.stop();
}
