//! The small GraphQL helper: one request over HTTP, answering the whole JSON, and the
//! checks tests build on it.

use serde_json::{json, Value};
use std::time::Duration;

/// How long one request may take: a hung server fails the test instead of hanging it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// One GraphQL request over HTTP to `url`, with `authorization` and `organization` headers
/// when given; the whole JSON answer. Fails the test on a non-2xx status.
pub async fn gql(
    url: &str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    gql_with(&reqwest::Client::new(), url, query, variables, auth, org).await
}

/// [`gql`] through `http`, which keeps its connections for the next request.
pub async fn gql_with(
    http: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    let mut req = http
        .post(url)
        .timeout(REQUEST_TIMEOUT)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if let Some(o) = org {
        req = req.header("organization", o);
    }
    let res = req.send().await.expect("HTTP request");
    assert!(res.status().is_success(), "HTTP status {}", res.status());
    res.json().await.expect("JSON body")
}

/// [`gql`] that must answer no errors; its `data`.
pub async fn data(
    url: &str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    let answer = gql(url, query, variables, auth, org).await;
    assert!(answer.get("errors").is_none(), "{query}: {answer}");
    answer["data"].clone()
}

/// The first field of a mutation's answer.
pub fn outcome(res: &Value) -> &Value {
    res["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .unwrap_or_else(|| panic!("no data: {res}"))
}

/// A mutation over HTTP that must succeed; its StatusMessage or Token.
pub async fn ok(url: &str, query: &str, vars: Value, auth: Option<&str>) -> Value {
    let res = gql(url, query, vars, auth, None).await;
    let out = outcome(&res).clone();
    assert_eq!(out["success"], true, "{query}: {res}");
    out
}

/// A mutation over HTTP that must succeed; the `id` it answers.
pub async fn ok_id(url: &str, query: &str, vars: Value, auth: Option<&str>) -> String {
    let out = ok(url, query, vars, auth).await;
    out["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {out}"))
        .to_string()
}

/// Signs up through `first` and reads the link there (a link lives in the memory of the
/// server that mailed it), confirms through `second` (the same URL for one server);
/// returns a token.
pub async fn confirmed_user(first: &str, second: &str, email: &str, password: &str) -> String {
    let t = ok(
        first,
        "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success token } }",
        json!({ "e": email, "p": password }),
        None,
    )
    .await;
    let pending = t["token"].as_str().unwrap().to_string();
    let mail = gql(
        first,
        "{ myMail { kind token } }",
        json!({}),
        Some(&pending),
        None,
    )
    .await;
    let link = mail["data"]["myMail"][0]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the sign-up mail is there: {mail}"))
        .to_string();
    let t = ok(
        second,
        "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
        json!({ "t": link }),
        None,
    )
    .await;
    t["token"].as_str().unwrap().to_string()
}
