//! Attack tests for issue 12's "work that no request can make unbounded" (items 1, 2, 3,
//! 4, 5 and 7): each test makes the attack, then checks that the server refused it or
//! bounded it, and still serves the requests a client really sends.

use houston_test_harness::{error_code, ServerProcess, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

/// The client's own whole-catalog operation (every form field of every destination).
const CATALOG_OPERATION: &str = include_str!("../../operations/ClickstreamPrototypes.graphql");

/// POSTs `body` (one request or a batch) to `url` and returns the status and the answer.
async fn post(url: &str, body: &Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(url)
        .json(body)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .expect("the server answers");
    let status = res.status().as_u16();
    let bytes = res.bytes().await.expect("a body");
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

/// `n` aliases of `field` with `selection`, in one query.
fn aliased(n: usize, field: &str, selection: &str) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!("a{i}: {field} {selection}"))
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

// ---- 1: the public catalog multiplied ----------------------------------------------------

/// A catalog selection small enough that the old per-field complexity (2,000) let 30
/// aliases of it through, each one building the whole catalog.
const CATALOG_SELECTION: &str = "{ id configPrototype { propertyName label } }";

/// An anonymous batch of ten documents that each ask for the whole catalog 30 times (300
/// catalogs): what one budget allows is built, the rest is refused before it builds
/// anything, or the whole answer is refused for its size.
#[tokio::test]
async fn a_batch_of_aliased_catalogs_is_bounded() {
    let server = TestServer::start().await;
    let doc = aliased(30, "clickstreamPrototypes", CATALOG_SELECTION);
    let batch: Vec<Value> = (0..10).map(|_| json!({ "query": doc })).collect();
    let (_, answer) = post(&server.url, &Value::Array(batch)).await;
    let Some(answers) = answer.as_array() else {
        assert_eq!(error_code(&answer), "QUERY_TOO_LARGE", "{answer}");
        return;
    };
    let built = answers
        .iter()
        .filter(|a| a["data"]["a0"].is_array())
        .count();
    assert!(
        built <= 7,
        "{built} documents of 30 whole catalogs each were built for one anonymous request"
    );
    let refused = answers
        .iter()
        .filter(|a| error_code(a) == "QUERY_TOO_LARGE")
        .count();
    assert_eq!(refused, 10 - built);
}

/// Two documents of the client's whole-catalog query in one batch (each alone fits the
/// budget): the second is refused, the batch counts as one request.
#[tokio::test]
async fn a_batch_counts_its_cost_once() {
    let server = TestServer::start().await;
    let renamed = CATALOG_OPERATION.replace("query ClickstreamPrototypes", "query Again");
    let batch = json!([{ "query": CATALOG_OPERATION }, { "query": renamed }]);
    let (_, answers) = post(&server.url, &batch).await;
    assert_eq!(error_code(&answers[0]), "OK", "{}", answers[0]["errors"]);
    assert_eq!(
        error_code(&answers[1]),
        "QUERY_TOO_LARGE",
        "two whole catalogs were built for one request"
    );
}

/// One document asks for the field with the longest lists of choices (40,000) thirty
/// times: its estimate is small (one destination by code), but the values it produces are
/// counted while it runs, and the answer stops at the limit.
#[tokio::test]
async fn an_answer_stops_at_its_value_limit() {
    let server = TestServer::start().await;
    let doc = aliased(
        30,
        r#"clickstreamPrototypes(code: "actions-personas-messaging-twilio")"#,
        "{ connectionPrototype { fields { properties { choices { value label } } } } }",
    );
    let (_, answer) = post(&server.url, &json!({ "query": doc })).await;
    assert_eq!(
        error_code(&answer),
        "QUERY_TOO_LARGE",
        "30 × 40,000 choices were answered"
    );
    assert!(answer["data"].is_null(), "a partial answer was sent");
}

/// A batch of three whole catalogs (served from the kept answer, so cheap to make) would
/// be 23 MB: refused whole by the cap on one answer's size.
#[tokio::test]
async fn an_answer_is_capped_in_bytes() {
    let server = TestServer::start().await;
    let one = json!({ "query": CATALOG_OPERATION });
    let batch = Value::Array(vec![one.clone(), one.clone(), one]);
    let (_, answer) = post(&server.url, &batch).await;
    assert_eq!(
        error_code(&answer),
        "QUERY_TOO_LARGE",
        "a 23 MB answer was sent: {}",
        answer.to_string().chars().take(200).collect::<String>()
    );
}

/// The client's own whole-catalog query still works, and the second time it is the same
/// answer, sent from the copy serialized the first time.
#[tokio::test]
async fn the_clients_catalog_query_is_answered_from_one_copy() {
    let server = TestServer::start().await;
    let (_, first) = post(&server.url, &json!({ "query": CATALOG_OPERATION })).await;
    assert_eq!(error_code(&first), "OK", "{}", first["errors"]);
    let destinations = first["data"]["clickstreamPrototypes"]
        .as_array()
        .expect("the catalog")
        .len();
    assert!(destinations > 400, "{destinations}");
    let started = std::time::Instant::now();
    let (_, second) = post(&server.url, &json!({ "query": CATALOG_OPERATION })).await;
    assert_eq!(first, second);
    eprintln!("second catalog answer: {:?}", started.elapsed());
}

// ---- 2: nested lists ---------------------------------------------------------------------

/// `applications → organization → applications → …` 8 times: each level multiplies by the
/// length of a list, so the query is refused before it reads anything.
#[tokio::test]
async fn nested_lists_multiply_their_cost() {
    let server = TestServer::start().await;
    let (token, _) = server.confirmed_user("nest@example.com").await;
    let org = server.create_org(&token, "Nest").await;
    server.create_app(&token, &org, "A").await;
    let mut selection = "{ id }".to_string();
    for _ in 0..7 {
        selection = format!("{{ id organization {{ applications {selection} }} }}");
    }
    let query = format!(r#"{{ applications(orgId: "{org}") {selection} }}"#);
    let res = server.gql(&query, json!({}), Some(&token)).await;
    assert_eq!(
        error_code(&res),
        "QUERY_TOO_LARGE",
        "8 nested lists ran: {res}"
    );
    // One level is an ordinary query.
    let one = format!(
        r#"{{ applications(orgId: "{org}") {{ id organization {{ applications {{ id }} }} }} }}"#
    );
    let res = server.gql(&one, json!({}), Some(&token)).await;
    assert_eq!(error_code(&res), "OK", "{res}");
}

// ---- against the real binary: the listener, and the rates per client ----------------------

/// A test data key (never a real one).
const TEST_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The binary on a fresh SQLite file in `dir`, with `env` (limits) set.
fn binary(dir: &tempfile::TempDir, env: &[(&str, &str)]) -> ServerProcess {
    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("h.db").display()))
        .arg("--secret-file")
        .arg(dir.path().join("secret"))
        .env("RUST_LOG", "info,sqlx=warn")
        .env("HOUSTON_DATA_KEY", TEST_KEY);
    for (k, v) in env {
        command.env(k, v);
    }
    ServerProcess::spawn(command)
}

/// Whether the server closes `stream` (or answers on it) within `wait`; the answer's
/// first bytes when it answers.
async fn closed_or_answered(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 256];
    match tokio::time::timeout(wait, stream.read(&mut buf)).await {
        Err(_) => None,
        Ok(Ok(n)) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        Ok(Err(e)) => Some(format!("closed: {e}")),
    }
}

// ---- 7: slow clients

/// Slowloris: a connection that sends half its headers and waits is closed once the
/// header-read timeout passes.
#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let server = binary(&dir, &[("HOUSTON_HEADER_TIMEOUT", "1")]);
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    assert!(
        closed_or_answered(&mut stream, Duration::from_secs(5))
            .await
            .is_some(),
        "a connection with unfinished headers was still held after 5 s"
    );
}

/// A body that never arrives: the request is answered 408 once the request timeout passes.
#[tokio::test]
async fn a_request_whose_body_never_comes_times_out() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let server = binary(&dir, &[("HOUSTON_REQUEST_TIMEOUT", "1")]);
    let mut stream = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"qu",
        )
        .await
        .unwrap();
    let answer = closed_or_answered(&mut stream, Duration::from_secs(5)).await;
    let answer = answer.expect("a request without its body was still waiting after 5 s");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

/// Connections past the limit wait, unserved, until one of those served closes.
#[tokio::test]
async fn connections_past_the_limit_wait() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let server = binary(
        &dir,
        &[
            ("HOUSTON_MAX_CONNECTIONS", "2"),
            ("HOUSTON_HEADER_TIMEOUT", "30"),
        ],
    );
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = format!("http://{}/healthz", server.addr);
    let third = reqwest::Client::new()
        .get(&url)
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        third.is_err(),
        "a third connection was served while two were held"
    );
    held.clear();
    let fourth = reqwest::Client::new()
        .get(&url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("served once a slot is free");
    assert_eq!(fourth.status(), 200);
}

// ---- 5: rates per client

async fn post_from(url: &str, body: &Value, forwarded_for: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(url).json(body);
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let res = req.send().await.expect("an answer");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// One client's anonymous requests stop at its rate; a forged X-Forwarded-For does not
/// make a new client, unless the peer is a trusted proxy.
#[tokio::test]
async fn anonymous_requests_are_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = binary(&dir, &[("HOUSTON_RATE_ANONYMOUS", "5")]);
    let q = json!({ "query": "{ healthcheck }" });
    for i in 0..5 {
        let (status, _) = post_from(&server.url, &q, Some(&format!("10.0.0.{i}"))).await;
        assert_eq!(status, 200);
    }
    let (status, answer) = post_from(&server.url, &q, Some("10.9.9.9")).await;
    assert_eq!(
        status, 429,
        "a sixth anonymous request was served: {answer}"
    );
    assert_eq!(error_code(&answer), "RATE_LIMITED");
    // A batch counts each operation.
    let dir2 = tempfile::tempdir().unwrap();
    let other = binary(&dir2, &[("HOUSTON_RATE_ANONYMOUS", "5")]);
    let batch = Value::Array((0..6).map(|_| q.clone()).collect());
    let (status, _) = post_from(&other.url, &batch, None).await;
    assert_eq!(status, 429, "a batch of six went through a rate of five");

    // Behind a trusted proxy, each forwarded client has its own rate.
    let dir3 = tempfile::tempdir().unwrap();
    let proxied = binary(
        &dir3,
        &[
            ("HOUSTON_RATE_ANONYMOUS", "2"),
            ("HOUSTON_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    for client in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..2 {
            let (status, _) = post_from(&proxied.url, &q, Some(client)).await;
            assert_eq!(status, 200, "{client}");
        }
    }
    let (status, _) = post_from(&proxied.url, &q, Some("203.0.113.1")).await;
    assert_eq!(status, 429);
}

fn reset(email: &str) -> Value {
    json!({
        "query": "mutation($e: String!) { requestPasswordReset(email: $e) { success code } }",
        "variables": { "e": email },
    })
}

/// Password-reset mail to one address stops at the address's rate, whatever the client;
/// and one client's mail stops at its own rate, whatever the addresses.
#[tokio::test]
async fn mail_is_limited_per_address_and_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = binary(
        &dir,
        &[
            ("HOUSTON_RATE_MAIL_ADDRESS", "2"),
            ("HOUSTON_RATE_MAIL", "4"),
            ("HOUSTON_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    let mut codes = Vec::new();
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let (_, a) = post_from(&server.url, &reset("victim@example.com"), Some(client)).await;
        codes.push(a["data"]["requestPasswordReset"]["code"].clone());
    }
    assert_eq!(
        codes,
        vec![json!("OK"), json!("OK"), json!("RATE_LIMITED")],
        "a mailbox was flooded from several clients"
    );
    let mut codes = Vec::new();
    for i in 0..5 {
        let (_, a) = post_from(
            &server.url,
            &reset(&format!("someone{i}@example.com")),
            Some("198.51.100.1"),
        )
        .await;
        codes.push(a["data"]["requestPasswordReset"]["code"].clone());
    }
    assert_eq!(
        codes[4],
        json!("RATE_LIMITED"),
        "one client sent mail without end: {codes:?}"
    );
}

// ---- 3: password hashing per client, and load shedding

fn sign_in(username: &str) -> Value {
    json!({
        "query": "mutation($u: String!) { createToken(username: $u, password: \"guess-guess\") { success code } }",
        "variables": { "u": username },
    })
}

/// Sign-in guesses for fresh usernames (each an Argon2 run) stop at the client's hashing
/// rate.
#[tokio::test]
async fn hashing_is_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = binary(&dir, &[("HOUSTON_RATE_HASHING", "3")]);
    let mut codes = Vec::new();
    for i in 0..4 {
        let (_, a) = post_from(&server.url, &sign_in(&format!("u{i}@example.com")), None).await;
        codes.push(error_code(&a));
    }
    assert_eq!(
        codes[3], "RATE_LIMITED",
        "a fourth hash ran past a rate of three: {codes:?}"
    );
}

/// Many sign-ins at once: past the hashing requests allowed in flight, the server refuses
/// at once (RATE_LIMITED) instead of queueing every one.
#[tokio::test]
async fn hashing_sheds_load_instead_of_queueing() {
    let dir = tempfile::tempdir().unwrap();
    let server = binary(
        &dir,
        &[
            ("HOUSTON_HASHING_IN_FLIGHT", "1"),
            ("HOUSTON_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    let attempts = (0..16).map(|i| {
        let url = server.url.clone();
        async move {
            let (_, a) = post_from(
                &url,
                &sign_in(&format!("flood{i}@example.com")),
                Some(&format!("203.0.113.{i}")),
            )
            .await;
            error_code(&a)
        }
    });
    let codes = futures_util::future::join_all(attempts).await;
    let shed = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert!(shed > 0, "16 concurrent hashes were all queued: {codes:?}");
    assert!(shed < 16, "none was served: {codes:?}");
}

// ---- 4: the WebSocket

/// Opens `/graphql/ws` (graphql-transport-ws) and sends `init`; the first message back, or
/// why there is none.
async fn ws_init(url: &str, init: Value) -> String {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("upgrade");
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => t.to_string(),
        Ok(Some(Ok(Message::Close(c)))) => format!("closed: {c:?}"),
        other => format!("no answer: {other:?}"),
    }
}

/// An anonymous connection_init is refused (the socket closes) instead of acknowledged;
/// a signed-in one is acknowledged.
#[tokio::test]
async fn an_anonymous_websocket_is_refused() {
    let server = TestServer::start().await;
    let ws = server.url.replacen("http://", "ws://", 1) + "/ws";
    let answer = ws_init(&ws, json!({ "type": "connection_init" })).await;
    assert!(
        !answer.contains("connection_ack"),
        "an anonymous socket was acknowledged: {answer}"
    );
    let (token, _) = server.confirmed_user("ws@example.com").await;
    let answer = ws_init(
        &ws,
        json!({ "type": "connection_init", "payload": { "authorization": token } }),
    )
    .await;
    assert!(answer.contains("connection_ack"), "{answer}");
}

/// A 2 MiB message is refused: the socket closes.
#[tokio::test]
async fn a_websocket_message_is_capped() {
    let server = TestServer::start().await;
    let ws = server.url.replacen("http://", "ws://", 1) + "/ws";
    let big = json!({ "type": "connection_init", "payload": { "pad": "x".repeat(2 << 20) } });
    let answer = ws_init(&ws, big).await;
    assert!(
        !answer.contains("connection_ack"),
        "a 2 MiB message was read: {}",
        &answer[..answer.len().min(200)]
    );
}
