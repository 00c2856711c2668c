//! Events (issue 10), three figures on one SQLite file:
//!
//! - **Ingestion**: 4 keep-alive clients post `/v1/batch` with 100 events a request (each
//!   event its own `messageId`) to houston-server's collector, then, in the same run, to a
//!   bare axum handler that inserts the same rows into the same table through the same
//!   pool in one transaction a request (no write-key lookup, no validation, no duplicate
//!   check, no counts, no retention, no publication). Events/s, request latency and the
//!   process's peak RSS during each run.
//! - **Live**: one `eventReceived` subscriber over graphql-transport-ws while single
//!   `/v1/track` calls arrive at 200 a second: the time from just before each POST to its
//!   event reaching the subscriber, beside the POST's own round trip.
//! - **Report**: `eventReport` by HOUR over 30 days of a source that received 1,000,000
//!   events (stored through the store's own `record_events`, 2,500 a request, spread over
//!   the 30 days), beside the bare SQL that reads the same hourly counters.

use crate::common::{self, ms_f, percentile, Row};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use houston_events::event::format_time;
use houston_server::catalog::Catalog;
use houston_server::seal::DataKey;
use houston_server::store::{AppRow, NewEvent, OrgRow, Retention, SqliteStore, Store, UserRow};
use houston_server::{auth, mail, Houston};
use serde_json::{json, Value};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const CLIENTS: usize = 4;
const PER_REQUEST: usize = 100;
const RUN_FOR: Duration = Duration::from_secs(10);
const WARM_UP: Duration = Duration::from_secs(2);
const LIVE_RATE: u64 = 200;
const LIVE_FOR: Duration = Duration::from_secs(10);
const REPORT_EVENTS: usize = 1_000_000;
const REPORT_BATCH: usize = 2_500;
const NOW: &str = "2026-12-01T10:00:00Z";

/// The figures whose name `wanted` accepts: `events-ingestion`, `events-live`,
/// `events-report`.
pub async fn run(wanted: &dyn Fn(&str) -> bool) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("houston.db").display());
    let sqlite = Arc::new(
        SqliteStore::open(&url, DataKey::ephemeral())
            .await
            .expect("the database opens"),
    );
    let store: Arc<dyn Store> = sqlite.clone();
    let houston = Houston::from_parts(
        store.clone(),
        auth::Tokens::random(),
        Arc::new(Catalog::bundled().expect("the bundled catalog")),
        mail::Mailer::outbox_only("http://127.0.0.1"),
        Vec::new(),
        Retention::default(),
        houston_server::Limits::default(),
    )
    .await
    .expect("the server assembles");
    let user = seed(&*store).await;
    let token = houston
        .state()
        .tokens
        .issue(&user, 0, 3600)
        .expect("a token")
        .0;
    let houston_base = serve_houston(houston.clone()).await;
    let bare_base = serve_bare(sqlite.pool().clone()).await;

    if wanted("events-ingestion") {
        ingestion(&houston_base, &bare_base, sqlite.pool()).await;
    }
    if wanted("events-live") {
        live(&houston_base, &token).await;
    }
    if wanted("events-report") {
        report(&houston, store, sqlite.pool(), &token).await;
    }
}

/// A user, an organization and its sources `ingest`, `bare`, `live` and `report`; the
/// user's id.
async fn seed(store: &dyn Store) -> String {
    let user = UserRow {
        id: "bench-user".into(),
        username: "bench@example.com".into(),
        password_hash: None,
        first_name: None,
        last_name: None,
        company: None,
        status: "active".parse().expect("a status"),
        email_verified: true,
        token_version: 0,
        created_at: NOW.into(),
    };
    store.create_user(&user, None).await.expect("the user");
    let org = OrgRow {
        id: "bench-org".into(),
        name: "Bench".into(),
        description: None,
        enabled: true,
        created_at: NOW.into(),
    };
    store.create_org(&org, &user.id).await.expect("the org");
    for id in ["ingest", "bare", "live", "report"] {
        let app = AppRow {
            id: id.into(),
            org_id: org.id.clone(),
            name: id.into(),
            platform: "server".into(),
            created_at: NOW.into(),
        };
        store.create_app(&app).await.expect("a source");
    }
    user.id
}

async fn serve_houston(houston: Houston) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(houston.serve(listener, std::future::pending()));
    base
}

// ---- Ingestion ----------------------------------------------------------------------

/// `POST /v1/batch` with the same rows as the collector stores, and nothing else.
async fn serve_bare(pool: SqlitePool) -> String {
    let app = axum::Router::new()
        .route("/v1/batch", axum::routing::post(bare_batch))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn text(event: &Value, key: &str) -> Option<String> {
    event.get(key).and_then(Value::as_str).map(str::to_string)
}

async fn bare_batch(State(pool): State<SqlitePool>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let app_id = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .map(|k| k.trim_end_matches(':').to_string());
    let (Some(app_id), Ok(body)) = (app_id, serde_json::from_slice::<Value>(&body)) else {
        return StatusCode::BAD_REQUEST;
    };
    let Some(events) = body["batch"].as_array() else {
        return StatusCode::BAD_REQUEST;
    };
    let received_at = format_time(OffsetDateTime::now_utc());
    let Ok(mut tx) = pool.begin().await else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT INTO events (app_id, message_id, type, event, user_id, anonymous_id, \
         received_at, timestamp, valid, problems, payload, first_seen) ",
    );
    q.push_values(events, |mut b, e| {
        b.push_bind(app_id.clone())
            .push_bind(text(e, "messageId").unwrap_or_default())
            .push_bind(text(e, "type").unwrap_or_default())
            .push_bind(text(e, "event"))
            .push_bind(text(e, "userId"))
            .push_bind(text(e, "anonymousId"))
            .push_bind(received_at.clone())
            .push_bind(text(e, "timestamp"))
            .push_bind(true)
            .push_bind("[]")
            .push_bind(e.to_string())
            .push_bind(Some(true));
    });
    if q.build().execute(&mut *tx).await.is_err() || tx.commit().await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

/// Request `n` of client `c`: 100 tracks, each with its own messageId.
fn batch_body(run: &str, c: usize, n: usize) -> String {
    let mut body = String::with_capacity(PER_REQUEST * 240);
    body.push_str("{\"batch\":[");
    for i in 0..PER_REQUEST {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"user-{}\",\
             \"messageId\":\"{run}-{c}-{n}-{i}\",\"timestamp\":\"2026-12-01T09:59:59.000Z\",\
             \"properties\":{{\"revenue\":12.5,\"currency\":\"EUR\",\"items\":3}}}}",
            (n * PER_REQUEST + i) % 1000
        ));
    }
    body.push_str("],\"sentAt\":\"2026-12-01T10:00:00.000Z\"}");
    body
}

/// What one ingestion run measured.
struct Ingested {
    events: usize,
    secs: f64,
    latencies: Vec<Duration>,
    peak_rss_mib: Option<f64>,
}

impl Ingested {
    fn per_sec(&self) -> f64 {
        self.events as f64 / self.secs
    }
}

/// Resets the process's peak RSS (Linux `clear_refs` 5), so that VmHWM is this run's.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// 4 clients posting batches to `base` as `write_key` for `run_for`.
async fn ingest(base: &str, write_key: &str, run: &str, run_for: Duration) -> Ingested {
    let reset = reset_peak_rss();
    let start = Instant::now();
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{write_key}:"))
    );
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (url, auth, run) = (format!("{base}/v1/batch"), auth.clone(), run.to_string());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut n = 0;
            while start.elapsed() < run_for {
                let body = batch_body(&run, c, n);
                n += 1;
                let t = Instant::now();
                let res = http
                    .post(&url)
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("an answer");
                let status = res.status();
                let answer = res.bytes().await.expect("a body");
                assert!(
                    status.is_success(),
                    "{url}: {status} {}",
                    String::from_utf8_lossy(&answer)
                );
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("a client"));
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort();
    Ingested {
        events: latencies.len() * PER_REQUEST,
        secs,
        latencies,
        peak_rss_mib: if reset { peak_rss_mib() } else { None },
    }
}

/// What a source holds: with `counted`, the events its hourly counters count (the
/// collector keeps only the newest 10,000 rows); otherwise its rows.
async fn stored(pool: &SqlitePool, app: &str, counted: bool) -> i64 {
    let sql = if counted {
        "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM event_counts WHERE app_id = $1"
    } else {
        "SELECT COUNT(*) FROM events WHERE app_id = $1"
    };
    sqlx::query_scalar(sql)
        .bind(app)
        .fetch_one(pool)
        .await
        .expect("a count")
}

async fn ingestion(houston: &str, bare: &str, pool: &SqlitePool) {
    let warm = ingest(houston, "ingest", "warm", WARM_UP).await;
    let h = ingest(houston, "ingest", "run", RUN_FOR).await;
    assert_eq!(
        stored(pool, "ingest", true).await,
        (warm.events + h.events) as i64,
        "the collector stored every event"
    );
    println!(
        "   houston-server: {:.0} events/s, p99 {:.1} ms",
        h.per_sec(),
        ms_f(percentile(&h.latencies, 0.99))
    );
    let warm = ingest(bare, "bare", "warm", WARM_UP).await;
    let b = ingest(bare, "bare", "run", RUN_FOR).await;
    assert_eq!(
        stored(pool, "bare", false).await,
        (warm.events + b.events) as i64,
        "the bare handler stored every event"
    );
    println!(
        "   bare axum: {:.0} events/s, p99 {:.1} ms",
        b.per_sec(),
        ms_f(percentile(&b.latencies, 0.99))
    );
    let throughput = Row::new(
        "events/s",
        "events/s",
        "higher",
        ("houston-server", h.per_sec()),
        ("bare axum + same INSERT", b.per_sec()),
    );
    let met = h.per_sec() >= 20_000.0 && throughput.ratio >= 0.6;
    let mut rows = vec![
        throughput.goal(">= 20,000 events/s and a/b >= 0.6", met),
        Row::new(
            "p50 request (100 events)",
            "ms",
            "lower",
            ("houston-server", ms_f(percentile(&h.latencies, 0.5))),
            (
                "bare axum + same INSERT",
                ms_f(percentile(&b.latencies, 0.5)),
            ),
        ),
        Row::new(
            "p99 request (100 events)",
            "ms",
            "lower",
            ("houston-server", ms_f(percentile(&h.latencies, 0.99))),
            (
                "bare axum + same INSERT",
                ms_f(percentile(&b.latencies, 0.99)),
            ),
        ),
    ];
    if let (Some(a), Some(b)) = (h.peak_rss_mib, b.peak_rss_mib) {
        rows.push(Row::new(
            "peak RSS of the process during the run",
            "MiB",
            "lower",
            ("houston-server", a),
            ("bare axum + same INSERT", b),
        ));
    }
    let notes = format!(
        "{}. {CLIENTS} keep-alive clients (reqwest, in the server's process, sharing its 2 \
         cores) post `/v1/batch` with {PER_REQUEST} tracks a request (~240 bytes each, every \
         messageId new) for {} s after {} s of warm-up, first to houston-server's collector, \
         then to a bare axum handler on the same SQLite file and the same pool. The \
         collector checks the write key, parses and validates every event, corrects its \
         timestamp, checks its messageId against the source's, and stores it through one \
         writer task that puts every request waiting into one transaction (group commit: \
         the rows in multi-row statements, the hourly counts, retention at 10,000 events a \
         source, so past the first 10,000 every event stored deletes one), answering each \
         request after its commit, then publishes them for eventReceived. The bare handler parses the JSON and \
         inserts the same columns in one statement and one transaction, nothing else. \
         Peak RSS is the whole bench process's (server and clients), reset before each run.",
        crate::machine(),
        RUN_FOR.as_secs(),
        WARM_UP.as_secs(),
    );
    common::write_results(
        "events-ingestion",
        "Event ingestion over HTTP, /v1/batch x100 from 4 clients: houston-server vs a bare axum INSERT",
        &rows,
        &notes,
    );
}

// ---- Live ---------------------------------------------------------------------------

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(base: &str, token: &str, app: &str) -> Socket {
    let ws = format!("{}/graphql/ws", base.replacen("http://", "ws://", 1));
    let mut request = ws.into_client_request().expect("a ws:// URL");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the websocket opens");
    for message in [
        json!({ "type": "connection_init", "payload": { "authorization": token } }),
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($a: String!) { eventReceived(appId: $a) { id } }",
            "variables": { "a": app } } }),
    ] {
        socket
            .send(Message::text(message.to_string()))
            .await
            .expect("sent");
    }
    socket
}

async fn live(base: &str, token: &str) {
    let socket = subscribe(base, token, "live").await;
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let heard: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let listener = {
        let heard = heard.clone();
        tokio::spawn(async move {
            let mut socket = socket;
            while let Some(Ok(frame)) = socket.next().await {
                let at = Instant::now();
                let Message::Text(text) = frame else { continue };
                let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                match message["type"].as_str() {
                    Some("ping") => {
                        let _ = socket
                            .send(Message::text(json!({ "type": "pong" }).to_string()))
                            .await;
                    }
                    Some("next") => {
                        let id = message["payload"]["data"]["eventReceived"]["id"]
                            .as_str()
                            .unwrap_or_else(|| panic!("an event: {message}"))
                            .to_string();
                        heard.lock().unwrap().push((id, at));
                    }
                    _ => {}
                }
            }
        })
    };
    let http = reqwest::Client::new();
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("live:")
    );
    let post = |id: String| {
        let body = json!({ "type": "track", "event": "Clicked", "userId": "u", "messageId": id });
        http.post(format!("{base}/v1/track"))
            .header("authorization", &auth)
            .json(&body)
            .send()
    };
    // Warm-up: until the subscriber hears one (nothing acknowledges a subscribe).
    let mut warm = 0;
    while heard.lock().unwrap().is_empty() {
        warm += 1;
        assert!(warm < 100, "the subscriber never heard an event");
        post(format!("warm-{warm}")).await.expect("posted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    heard.lock().unwrap().clear();

    let total = (LIVE_RATE * LIVE_FOR.as_secs()) as usize;
    let mut interval = tokio::time::interval(Duration::from_micros(1_000_000 / LIVE_RATE));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::with_capacity(total);
    for n in 0..total {
        interval.tick().await;
        let id = format!("live-{n}");
        let t = Instant::now();
        sent.lock().unwrap().insert(id.clone(), t);
        let request = post(id);
        posts.push(tokio::spawn(async move {
            let res = request.await.expect("posted");
            assert!(res.status().is_success());
            t.elapsed()
        }));
    }
    let mut round_trips = Vec::with_capacity(total);
    for p in posts {
        round_trips.push(p.await.expect("a post"));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while heard.lock().unwrap().len() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    listener.abort();
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), total, "every event reaches the subscriber");
    let sent = sent.lock().unwrap();
    let mut delays: Vec<Duration> = heard
        .iter()
        .map(|(id, at)| at.duration_since(sent[id]))
        .collect();
    delays.sort();
    round_trips.sort();
    let p95 = ms_f(percentile(&delays, 0.95));
    let rows = vec![
        Row::new(
            "p95",
            "ms",
            "lower",
            ("POST -> eventReceived", p95),
            ("POST round trip", ms_f(percentile(&round_trips, 0.95))),
        )
        .goal("POST -> eventReceived p95 < 50 ms", p95 < 50.0),
        Row::new(
            "p50",
            "ms",
            "lower",
            ("POST -> eventReceived", ms_f(percentile(&delays, 0.5))),
            ("POST round trip", ms_f(percentile(&round_trips, 0.5))),
        ),
        Row::new(
            "p99",
            "ms",
            "lower",
            ("POST -> eventReceived", ms_f(percentile(&delays, 0.99))),
            ("POST round trip", ms_f(percentile(&round_trips, 0.99))),
        ),
    ];
    let notes = format!(
        "{}. One `eventReceived` subscriber (graphql-transport-ws, tokio-tungstenite, in the \
         server's process) while single `/v1/track` calls are posted at {LIVE_RATE}/s for {} \
         s ({total} events, every one heard): the time from just before each POST is sent \
         to its event arriving on the socket, beside the POST's own round trip (the event \
         is published as soon as its transaction commits, before the answer is written).",
        crate::machine(),
        LIVE_FOR.as_secs(),
    );
    common::write_results(
        "events-live",
        "From POST /v1/track to an eventReceived subscriber, 200 events/s",
        &rows,
        &notes,
    );
}

// ---- Report -------------------------------------------------------------------------

/// The hour `t` falls in, as the counters name it (`YYYY-MM-DDTHH:00:00Z`).
fn hour_of(t: OffsetDateTime) -> String {
    format!("{}:00:00Z", &format_time(t)[..13])
}

async fn report(houston: &Houston, store: Arc<dyn Store>, pool: &SqlitePool, token: &str) {
    let end = OffsetDateTime::now_utc();
    let span = time::Duration::days(30);
    let start = end - span;
    let types = ["track", "page", "identify", "screen", "group", "alias"];
    let filling = Instant::now();
    let mut i = 0usize;
    while i < REPORT_EVENTS {
        let events: Vec<NewEvent> = (i..(i + REPORT_BATCH).min(REPORT_EVENTS))
            .map(|k| {
                // Spread evenly over the 30 days, oldest first.
                let at = start + span * (k as f64 / REPORT_EVENTS as f64);
                NewEvent {
                    message_id: format!("r-{k}"),
                    event_type: types[k % types.len()].into(),
                    event: Some("Viewed".into()),
                    user_id: Some(format!("user-{}", k % 5000)),
                    anonymous_id: None,
                    received_at: at,
                    timestamp: Some(at),
                    problems: if k % 20 == 0 {
                        vec!["missing_event".into()]
                    } else {
                        Vec::new()
                    },
                    payload: "{\"type\":\"track\"}".into(),
                }
            })
            .collect();
        i += events.len();
        store
            .record_events("report", &events, Retention::default())
            .await
            .expect("stored");
    }
    println!(
        "   stored {REPORT_EVENTS} events for the report in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let hours: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM event_counts WHERE app_id = 'report'")
            .fetch_one(pool)
            .await
            .expect("a count");

    let rfc = |t: OffsetDateTime| format_time(t);
    let query = "query($a: String, $from: Date, $to: Date) { eventReport(appId: $a, period: HOUR, from: $from, to: $to) { buckets { start total invalid byType { type count } } } }";
    let vars =
        json!({ "a": "report", "from": rfc(start), "to": rfc(end + time::Duration::hours(1)) });
    let run_report = || async {
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(vars.clone()));
        let res =
            serde_json::to_value(houston.execute(request, Some(token), None).await).expect("JSON");
        assert!(res.get("errors").is_none(), "{res}");
        res
    };
    let res = run_report().await;
    let buckets = res["data"]["eventReport"]["buckets"]
        .as_array()
        .expect("buckets");
    let counted: i64 = buckets.iter().map(|b| b["total"].as_i64().unwrap()).sum();
    assert_eq!(
        counted, REPORT_EVENTS as i64,
        "the report counts every event"
    );
    let bucket_count = buckets.len();

    let mut graphql = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        run_report().await;
        graphql.push(t.elapsed());
    }
    let mut bare = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        // The store's own statement and bounds (see `Events::event_report`).
        let rows: Vec<(String, String, String, bool, i64)> = sqlx::query_as(
            "SELECT app_id, hour, type, valid, count FROM event_counts \
             WHERE app_id IN ($1) AND hour >= $2 AND hour <= $3",
        )
        .bind("report")
        .bind(hour_of(start))
        .bind(hour_of(end))
        .fetch_all(pool)
        .await
        .expect("the counters");
        assert_eq!(rows.len() as i64, hours);
        bare.push(t.elapsed());
    }
    graphql.sort();
    bare.sort();
    let median = ms_f(percentile(&graphql, 0.5));
    let rows = vec![
        Row::new(
            "median",
            "ms",
            "lower",
            ("eventReport (GraphQL, in-process)", median),
            (
                "bare SQL over the same counters",
                ms_f(percentile(&bare, 0.5)),
            ),
        )
        .goal("< 50 ms", median < 50.0),
        Row::new(
            "p95",
            "ms",
            "lower",
            (
                "eventReport (GraphQL, in-process)",
                ms_f(percentile(&graphql, 0.95)),
            ),
            (
                "bare SQL over the same counters",
                ms_f(percentile(&bare, 0.95)),
            ),
        ),
    ];
    let notes = format!(
        "{}. One source received {REPORT_EVENTS} events (6 types, 1 in 20 invalid) spread \
         evenly over 30 days, stored through the store's record_events {REPORT_BATCH} a \
         request. `eventReport(appId, period: HOUR, from, to)` over those 30 days answers \
         {bucket_count} buckets whose totals add up to {REPORT_EVENTS}, reading {hours} \
         hourly counters (per hour, type and validity) and never the raw events; timed 30 \
         times through Houston::execute (parsing, authorization, the SQL, bucketing in Rust, \
         the JSON), beside the bare SQL that fetches the same counters.",
        crate::machine()
    );
    common::write_results(
        "events-report",
        "eventReport by HOUR over 30 days, 1,000,000 events counted",
        &rows,
        &notes,
    );
}
