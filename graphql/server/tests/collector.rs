//! The collector over HTTP, as Segment's libraries call it: paths, write keys, bodies,
//! gzip, limits, CORS and the analytics.js settings; every stored event read back through
//! the store.

use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use houston_server::store::{EventFilter, EventRow};
use houston_test_harness::TestServer;
use serde_json::{json, Value};
use std::io::Write;
use std::time::{Duration, Instant};

/// A server with one source; returns it and the source's write key.
async fn server_with_source() -> (TestServer, String) {
    let server = TestServer::start().await;
    let (token, _) = server.confirmed_user("ann@example.com").await;
    let org = server.create_org(&token, "Org").await;
    let app = server.create_app(&token, &org, "Site").await;
    (server, app)
}

fn base(server: &TestServer) -> String {
    server.url.trim_end_matches("/graphql").to_owned()
}

fn basic(write_key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{write_key}:"))
    )
}

/// Posts `body` to `/v1/<path>`; returns the status and the JSON answer.
async fn post(
    server: &TestServer,
    path: &str,
    auth: Option<&str>,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/v1/{path}", base(server)))
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = auth {
        req = req.header("authorization", basic(key));
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.expect("the collector answers");
    let status = res.status().as_u16();
    let text = res.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn post_json(
    server: &TestServer,
    path: &str,
    auth: Option<&str>,
    body: Value,
) -> (u16, Value) {
    post(server, path, auth, body.to_string().into_bytes(), &[]).await
}

/// Every stored event of the source, oldest first.
async fn stored(server: &TestServer, app: &str) -> Vec<EventRow> {
    let mut rows = server
        .houston
        .state()
        .store
        .events_page(app, 10_000, None, &EventFilter::default())
        .await
        .expect("events read back")
        .rows;
    rows.reverse();
    rows
}

fn track(name: &str) -> Value {
    json!({ "userId": "u-1", "event": name, "properties": { "plan": "pro" } })
}

#[tokio::test]
async fn a_track_is_stored_by_basic_auth_and_by_body_write_key() {
    let (server, app) = server_with_source().await;
    let (status, body) = post_json(&server, "track", Some(&app), track("Signed Up")).await;
    assert_eq!((status, body), (200, json!({ "success": true })));
    let mut by_body = track("Logged In");
    by_body["writeKey"] = json!(app);
    let (status, _) = post_json(&server, "t", None, by_body).await;
    assert_eq!(status, 200);

    let rows = stored(&server, &app).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].event_type, "track");
    assert_eq!(rows[0].event.as_deref(), Some("Signed Up"));
    assert_eq!(rows[1].event.as_deref(), Some("Logged In"));
    for row in &rows {
        assert!(row.valid, "{row:?}");
        assert_eq!(row.user_id.as_deref(), Some("u-1"));
        assert!(!row.message_id.is_empty(), "a messageId is assigned");
        assert!(row.timestamp.is_some());
        let payload: Value = serde_json::from_str(&row.payload).unwrap();
        assert!(
            payload.get("writeKey").is_none(),
            "the key is not part of the event"
        );
        assert_eq!(
            payload["receivedAt"].as_str(),
            Some(row.received_at.as_str())
        );
    }
}

#[tokio::test]
async fn a_batch_mixing_valid_and_invalid_events_stores_all_of_them() {
    let (server, app) = server_with_source().await;
    let batch = json!({ "batch": [
        { "type": "track", "userId": "u-1", "event": "Played" },
        { "type": "track", "userId": "u-1" },
        { "type": "identify", "anonymousId": "a-1", "traits": { "plan": "pro" } },
        { "type": "group", "userId": "u-1" },
        { "type": "page", "name": "Home" },
    ], "sentAt": "2026-12-01T12:00:00Z" });
    let (status, _) = post_json(&server, "batch", Some(&app), batch).await;
    assert_eq!(status, 200);
    let rows = stored(&server, &app).await;
    let seen: Vec<(&str, bool, Vec<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.event_type.as_str(),
                r.valid,
                r.problems.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("track", true, vec![]),
            ("track", false, vec!["missing_event"]),
            ("identify", true, vec![]),
            ("group", false, vec!["missing_group_id"]),
            ("page", false, vec!["missing_user_id_and_anonymous_id"]),
        ]
    );
}

#[tokio::test]
async fn no_key_or_an_unknown_key_is_401() {
    let (server, app) = server_with_source().await;
    let (status, body) = post_json(&server, "track", None, track("X")).await;
    assert_eq!(status, 401);
    assert_eq!(body["success"], false);
    assert_eq!(body["reason"], "invalid_write_key");
    assert!(body["message"].is_string());
    let (status, _) = post_json(&server, "track", Some("no-such-source"), track("X")).await;
    assert_eq!(status, 401);
    let mut by_body = track("X");
    by_body["writeKey"] = json!("no-such-source");
    let (status, _) = post_json(&server, "track", None, by_body).await;
    assert_eq!(status, 401);
    assert!(stored(&server, &app).await.is_empty());
}

#[tokio::test]
async fn bodies_over_a_limit_or_not_json_are_400_with_the_reason() {
    let (server, app) = server_with_source().await;
    let (status, body) = post(&server, "track", Some(&app), b"{not json".to_vec(), &[]).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("invalid_json"))
    );

    let mut big = track("Big");
    big["properties"]["blob"] = json!("x".repeat(33 * 1024));
    let (status, body) = post_json(&server, "track", Some(&app), big).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("event_too_large"))
    );

    let events: Vec<Value> = (0..30)
        .map(|i| json!({ "type": "track", "userId": "u", "event": format!("E{i}"), "properties": { "blob": "y".repeat(20 * 1024) } }))
        .collect();
    let (status, body) = post_json(&server, "batch", Some(&app), json!({ "batch": events })).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("request_too_large"))
    );

    let events: Vec<Value> = (0..2_501).map(|_| json!({})).collect();
    let (status, body) = post_json(&server, "batch", Some(&app), json!({ "batch": events })).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("too_many_events"))
    );

    assert!(
        stored(&server, &app).await.is_empty(),
        "nothing of a refused request is kept"
    );
}

fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn a_gzip_body_is_read() {
    let (server, app) = server_with_source().await;
    let body = gzip(
        track("Zipped").to_string().as_bytes(),
        Compression::default(),
    );
    let (status, _) = post(
        &server,
        "track",
        Some(&app),
        body,
        &[("content-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        stored(&server, &app).await[0].event.as_deref(),
        Some("Zipped")
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_quickly() {
    let (server, app) = server_with_source().await;
    // About 1 GB of zeros, compressed to about 1 MB.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1_100_000, "{} bytes", bomb.len());
    let start = Instant::now();
    let (status, body) = post(
        &server,
        "batch",
        Some(&app),
        bomb,
        &[("content-encoding", "gzip")],
    )
    .await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("request_too_large"))
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn a_replayed_message_id_is_stored_invalid() {
    let (server, app) = server_with_source().await;
    let mut event = track("Once");
    event["messageId"] = json!("m-1");
    for _ in 0..2 {
        let (status, _) = post_json(&server, "track", Some(&app), event.clone()).await;
        assert_eq!(status, 200);
    }
    let rows = stored(&server, &app).await;
    assert_eq!(rows.len(), 2);
    assert!(rows[0].valid);
    assert!(!rows[1].valid);
    assert_eq!(rows[1].problems, vec!["duplicate_message_id"]);
}

#[tokio::test]
async fn metrics_are_accepted_and_dropped() {
    let (server, app) = server_with_source().await;
    let (status, _) = post_json(&server, "m", None, json!({ "series": [] })).await;
    assert_eq!(status, 200);
    assert!(stored(&server, &app).await.is_empty());
}

#[tokio::test]
async fn text_plain_is_read_as_json() {
    let (server, app) = server_with_source().await;
    let mut event = json!({ "anonymousId": "a-1", "name": "Home" });
    event["writeKey"] = json!(app);
    let res = reqwest::Client::new()
        .post(format!("{}/v1/p", base(&server)))
        .header("content-type", "text/plain")
        .header("origin", "https://shop.example.com")
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap(),
        "*"
    );
    let rows = stored(&server, &app).await;
    assert_eq!(
        (rows[0].event_type.as_str(), rows[0].event.as_deref()),
        ("page", Some("Home"))
    );
}

#[tokio::test]
async fn cors_preflights_are_answered_on_the_collector_only() {
    let (server, _) = server_with_source().await;
    let preflight = |url: String| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, url)
            .header("origin", "https://shop.example.com")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let res = preflight(format!("{}/v1/track", base(&server)))
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let methods = res.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));

    let res = preflight(server.url.clone()).await.unwrap();
    assert!(!res.status().is_success(), "{}", res.status());
    assert!(res.headers().get("access-control-allow-origin").is_none());

    // The Host allow-list still applies to the collector (DNS rebinding).
    let res = reqwest::Client::new()
        .post(format!("{}/v1/track", base(&server)))
        .header("host", "evil.example.com")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 421);
}

#[tokio::test]
async fn the_settings_point_analytics_js_back_at_this_server() {
    let (server, app) = server_with_source().await;
    let res = reqwest::get(format!("{}/v1/projects/{app}/settings", base(&server)))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let settings: Value = res.json().await.unwrap();
    let host = base(&server).trim_start_matches("http://").to_owned();
    let segment = &settings["integrations"]["Segment.io"];
    assert_eq!(segment["apiKey"], json!(app));
    assert_eq!(segment["apiHost"], json!(format!("{host}/v1")));
    assert_eq!(segment["protocol"], "http");
    assert!(settings["plan"]["track"].is_object());

    let res = reqwest::get(format!("{}/v1/projects/nope/settings", base(&server)))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}
