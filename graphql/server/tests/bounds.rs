//! Attack tests for issue 12's "work that no request can make unbounded" (items 1, 2, 3,
//! 4, 5 and 7): each test makes the attack, then checks that the server refused it or
//! bounded it, and still serves the requests a client really sends.

use houston_test_harness::{error_code, TestServer};
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
