//! The graphql-cop checklist, one test per item, against a running `houston-server`
//! process (the binary on a fresh SQLite file and a port-0 loopback listener), probed over
//! HTTP as an attacker would: with graphql-cop's own documents where it has one, and the
//! limit on each side of the boundary. Every probe also asserts that the answer is not a
//! 5xx and that an error says what was wrong with a code, not how the server works inside.
//!
//! Exposure as configured: GraphiQL (for a browser's `GET /graphql`) and introspection are
//! on, and not configurable. The API is public (its SDL is `graphql/schema.graphql`, the
//! desktop app and schemathesis read it by introspection), so hiding it would protect
//! nothing; what introspection could cost is bounded instead (circular queries refused).

use houston_test_harness::{error_code, ServerProcess};
use serde_json::{json, Value};
use tempfile::TempDir;

/// A server process on its own SQLite file; the directory lives as long as it does.
struct Target {
    server: ServerProcess,
    _dir: TempDir,
    http: reqwest::Client,
}

impl Target {
    fn start() -> Target {
        Self::start_with_hosts(None)
    }

    /// With `HOUSTON_ALLOWED_HOSTS` set to `hosts`, as behind a reverse proxy.
    fn start_with_hosts(hosts: Option<&str>) -> Target {
        let dir = tempfile::tempdir().unwrap();
        let mut command = ServerProcess::command();
        command
            .args(["--listen", "127.0.0.1:0", "--database-url"])
            .arg(format!("sqlite://{}", dir.path().join("cop.db").display()))
            .arg("--secret-file")
            .arg(dir.path().join("secret"))
            .env("RUST_LOG", "info,sqlx=warn");
        if let Some(hosts) = hosts {
            command.env("HOUSTON_ALLOWED_HOSTS", hosts);
        }
        let server = ServerProcess::spawn(command);
        Target {
            server,
            _dir: dir,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self) -> &str {
        &self.server.url
    }

    /// `host:port` of the server.
    fn authority(&self) -> &str {
        self.url()
            .trim_start_matches("http://")
            .trim_end_matches("/graphql")
    }

    /// POSTs a JSON body; the status and the JSON answer (never a 5xx).
    async fn post(&self, body: Value) -> (u16, Value) {
        answer(self.http.post(self.url()).json(&body).send().await.unwrap()).await
    }

    /// One document by POST.
    async fn query(&self, query: &str) -> (u16, Value) {
        self.post(json!({ "query": query })).await
    }
}

/// The status and JSON body of an answer, after checking that it is not a server error,
/// has no debug extensions and that its errors carry no internals.
async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!(status < 500, "a server error: {status} {text}");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    let answers = match &body {
        Value::Array(batch) => batch.clone(),
        one => vec![one.clone()],
    };
    for one in &answers {
        assert!(one.get("extensions").is_none(), "debug output: {text}");
        assert_no_internals(&one["errors"].to_string());
    }
    (status, body)
}

/// What a stack trace, a debug dump, a database error or a suggestion would put in an
/// error.
fn assert_no_internals(errors: &str) {
    let lower = errors.to_lowercase();
    for marker in [
        "sqlx",
        "sqlite",
        "postgres",
        "panicked",
        "backtrace",
        "exception",
        "stack",
        ".rs:",
        "/src/",
        "select ",
        "tracing",
        "did you mean",
    ] {
        assert!(!lower.contains(marker), "{marker:?} in an error: {errors}");
    }
}

/// The document was refused before it ran: errors, no data, with this code.
fn refused(body: &Value, code: &str) {
    assert!(body["data"].is_null(), "it ran: {body}");
    assert_eq!(error_code(body), code, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "a message says why: {body}"
    );
}

fn ran(body: &Value) {
    assert!(body.get("errors").is_none(), "refused: {body}");
}

#[tokio::test]
async fn alias_overloading_is_refused() {
    let t = Target::start();
    // graphql-cop's probe: 101 aliases of __typename.
    let aliases: String = (0..=100).map(|i| format!("alias{i}:__typename ")).collect();
    let (status, body) = t.query(&format!("query cop {{ {aliases} }}")).await;
    assert_eq!(status, 200);
    refused(&body, "QUERY_TOO_LARGE");
    // The limit, on each side.
    let max = houston_server::schema::MAX_ALIASES;
    let at: String = (0..max).map(|i| format!("a{i}: healthcheck ")).collect();
    ran(&t.query(&format!("{{ {at} }}")).await.1);
    let over: String = (0..=max).map(|i| format!("a{i}: healthcheck ")).collect();
    refused(
        &t.query(&format!("{{ {over} }}")).await.1,
        "QUERY_TOO_LARGE",
    );
}

/// Batching is on (Apollo's batch link sends up to 10), bounded: graphql-cop reports any
/// server that answers its batch of 10, as information. What batching could buy an
/// attacker, many password guesses in one request, is throttled per username across
/// batches and aliases (security.rs, `failed_sign_ins_are_throttled_...`).
#[tokio::test]
async fn batch_queries_are_bounded() {
    let t = Target::start();
    let max = houston_server::http::MAX_BATCH;
    // graphql-cop's probe: `query cop { __typename }`, `n` times in one request.
    let batch = |n: usize| json!(vec![json!({ "query": "query cop { __typename }" }); n]);
    let (status, body) = t.post(batch(max)).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(max), "{body}");
    let (status, body) = t.post(batch(max + 1)).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "BATCH_TOO_LARGE");
    let (status, body) = t.post(json!([])).await;
    assert_eq!(status, 400, "an empty batch: {body}");
}

#[tokio::test]
async fn field_duplication_is_refused() {
    let t = Target::start();
    // graphql-cop's probe: __typename 500 times.
    let (status, body) = t
        .query(&format!("query cop {{ {}}}", "__typename \n".repeat(500)))
        .await;
    assert_eq!(status, 200);
    refused(&body, "QUERY_TOO_LARGE");
    // A few copies (a client adding __typename to a set that has it) are fine.
    ran(&t.query("{ __typename __typename healthcheck }").await.1);
    // Past the total, even without repeating one field in one place.
    let many = "... on Query { healthcheck } ".repeat(houston_server::schema::MAX_FIELDS + 1);
    refused(
        &t.query(&format!("{{ {many} }}")).await.1,
        "QUERY_TOO_LARGE",
    );
}

#[tokio::test]
async fn directive_overloading_is_refused_with_one_error() {
    let t = Target::start();
    // graphql-cop's probe: ten unknown directives. It flags a server that answers with one
    // error per directive, i.e. that validated them all.
    let (status, body) = t
        .query("query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
        .await;
    assert_eq!(status, 200);
    refused(&body, "INVALID_QUERY");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
    // Real directives (@include and @skip are not repeatable, so a real query has at most
    // these two on a field) run; past the limit, refused before validation, one error.
    ran(&t
        .query("{ healthcheck @include(if: true) @skip(if: false) }")
        .await
        .1);
    let max = houston_server::schema::MAX_DIRECTIVES;
    let over = "@include(if: true) ".repeat(max + 1);
    let (_, body) = t.query(&format!("{{ healthcheck {over} }}")).await;
    refused(&body, "INVALID_QUERY");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
}

/// The introspection query every client sends (graphql-js's `getIntrospectionQuery`).
const INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}"#;

#[tokio::test]
async fn circular_introspection_is_refused_and_the_usual_one_answered() {
    let t = Target::start();
    // graphql-cop's probe.
    let (status, body) = t
        .query("query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }")
        .await;
    assert_eq!(status, 200);
    refused(&body, "QUERY_TOO_LARGE");
    // The same through fragments, and through __type.
    let (_, body) = t
        .query("{ __type(name: \"Query\") { ...F } } fragment F on __Type { fields { type { fields { type { interfaces { name } } } } } }")
        .await;
    refused(&body, "QUERY_TOO_LARGE");
    // Nested past the depth limit: refused by it, with a message that says so.
    let mut deep = String::from("name");
    for _ in 0..houston_server::schema::MAX_DEPTH {
        deep = format!("ofType {{ {deep} }}");
    }
    let (status, body) = t
        .query(&format!("{{ __type(name: \"Query\") {{ {deep} }} }}"))
        .await;
    assert_eq!(status, 200);
    refused(&body, "INVALID_QUERY");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    // What GraphiQL, Apollo and schemathesis send is answered in full.
    let (status, body) = t.query(INTROSPECTION).await;
    assert_eq!(status, 200);
    ran(&body);
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    assert!(
        types.iter().any(|ty| ty["name"] == "Organization"),
        "introspection is on"
    );
}

/// The data has a cycle too (organization, its sources, their organization...): nested past
/// the depth limit it is refused; the deepest real query, the whole catalog's forms, is not.
#[tokio::test]
async fn deep_queries_are_refused_and_the_catalog_query_is_not() {
    let t = Target::start();
    let mut q = String::from("id");
    for _ in 0..houston_server::schema::MAX_DEPTH / 2 + 1 {
        q = format!("applications {{ organization {{ {q} }} }}");
    }
    let (status, body) = t.query(&format!("{{ organizations {{ {q} }} }}")).await;
    assert_eq!(status, 200);
    refused(&body, "INVALID_QUERY");
    let (_, body) = t
        .query("{ clickstreamPrototypes { code connectionPrototype { fields { propertyName type properties { propertyName properties { propertyName } } } } configPrototype { propertyName type choices { value label } properties { propertyName type properties { propertyName type } } } sections { code fields { propertyName type properties { propertyName properties { propertyName } } } } } }")
        .await;
    assert!(body.get("errors").is_none(), "{}", &body.to_string()[..300]);
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let t = Target::start();
    // A query by GET runs (read-only, and a cross-site page cannot read the answer).
    let r = t
        .http
        .get(t.url())
        .query(&[("query", "query cop { __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    ran(&answer(r).await.1);
    // graphql-cop's mutation by GET, and a named mutation among queries: refused, 405.
    for (query, op) in [
        (
            r#"mutation cop { createNewUser(email: "get@example.com", password: "password123") { success } }"#,
            "",
        ),
        (
            "mutation A { logout { success } } query B { healthcheck }",
            "A",
        ),
        ("subscription { clickstreamChanged { id } }", ""),
    ] {
        let r = t
            .http
            .get(t.url())
            .query(&[("query", query), ("operationName", op)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{query}");
        assert_eq!(r.headers()["allow"], "POST");
        refused(&answer(r).await.1, "METHOD_NOT_ALLOWED");
    }
    // Nothing was done: the address is still free to sign up with.
    let (_, body) = t
        .query(r#"mutation { createNewUser(email: "get@example.com", password: "password123") { success } }"#)
        .await;
    assert_eq!(body["data"]["createNewUser"]["success"], true, "{body}");
}

/// The bodies a cross-site form can send without a CORS preflight: refused before they run
/// (CSRF), whatever they hold.
#[tokio::test]
async fn url_encoded_and_text_plain_posts_are_refused() {
    let t = Target::start();
    let mutation = r#"mutation { createNewUser(email: "csrf@example.com", password: "password123") { success } }"#;
    let json_body = json!({ "query": mutation }).to_string();
    let form_body = serde_urlencoded::to_string([("query", mutation)]).unwrap();
    for (ctype, body) in [
        ("application/x-www-form-urlencoded", form_body.as_str()),
        ("text/plain", json_body.as_str()),
        ("text/plain;charset=UTF-8", json_body.as_str()),
        ("multipart/form-data; boundary=x", json_body.as_str()),
    ] {
        let r = t
            .http
            .post(t.url())
            .header("content-type", ctype)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415, "{ctype}");
        refused(&answer(r).await.1, "UNSUPPORTED_MEDIA_TYPE");
    }
    let r = t.http.post(t.url()).body(json_body).send().await.unwrap();
    assert_eq!(r.status(), 415, "no content type at all");
    let (_, body) = t.query(mutation).await;
    assert_eq!(
        body["data"]["createNewUser"]["success"], true,
        "no refused request created the user: {body}"
    );
}

/// No `extensions.tracing` (Apollo tracing), no debug output, no stack trace, whatever goes
/// wrong: graphql-cop's trace-mode and unhandled-error probes, and the other ways to make a
/// request fail.
#[tokio::test]
async fn no_tracing_or_debug_output() {
    let t = Target::start();
    let (_, body) = t.query("query cop { __typename }").await;
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
    for (query, vars) in [
        ("query cop { __typename {}", json!({})),
        ("{", json!({})),
        ("{ nope }", json!({})),
        (
            "query($o: ID!) { applications(orgId: $o) { id } }",
            json!({ "o": [1, 2] }),
        ),
        (
            "query($o: ID!) { applications(orgId: $o) { id } }",
            json!({}),
        ),
        ("{ me { id } }", json!({})),
        (
            r#"mutation { createToken(username: "x", password: "y") { success } }"#,
            json!({}),
        ),
        ("query A { healthcheck } query B { healthcheck }", json!({})),
    ] {
        let (status, body) = t.post(json!({ "query": query, "variables": vars })).await;
        assert_eq!(status, 200, "{query}");
        assert!(body.get("extensions").is_none(), "{query}: {body}");
        for err in body["errors"].as_array().into_iter().flatten() {
            let keys: Vec<&String> = err["extensions"].as_object().unwrap().keys().collect();
            assert_eq!(
                keys,
                ["code"],
                "only a code in the error's extensions: {err}"
            );
        }
    }
    // A request that is not GraphQL at all.
    let r = t
        .http
        .post(t.url())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    refused(&answer(r).await.1, "BAD_REQUEST");
}

#[tokio::test]
async fn no_field_suggestions() {
    let t = Target::start();
    for query in [
        "query cop { __schema { directive } }",
        "{ healthchek }",
        "{ organizations { nam } }",
        r#"mutation { createTokn(username: "a", password: "b") { success } }"#,
        "{ applications(orgI: \"x\") { id } }",
    ] {
        let (_, body) = t.query(query).await;
        refused(&body, "INVALID_QUERY");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains("Did you mean"), "{message}");
    }
}

/// As configured (not configurable: see the module's note): GraphiQL for a browser at
/// `GET /graphql`, nowhere else, and introspection answered.
#[tokio::test]
async fn graphiql_and_introspection_exposure_as_documented() {
    let t = Target::start();
    let r = t
        .http
        .get(t.url())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.to_lowercase().contains("graphiql"));
    assert!(
        html.contains("/graphql/ws"),
        "subscriptions in GraphiQL too"
    );
    // Not for a client that does not ask for HTML.
    let r = t.http.get(t.url()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // graphql-cop's other IDE paths lead nowhere.
    let base = t.url().trim_end_matches("/graphql");
    for path in [
        "/graphiql",
        "/playground",
        "/console",
        "/altair",
        "/graphql/graphiql",
    ] {
        let r = t
            .http
            .get(format!("{base}{path}"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // graphql-cop's introspection probe.
    let (_, body) = t
        .query("query cop { __schema { types { name fields { name } } } }")
        .await;
    ran(&body);
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 10);
}

/// DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 reaches the
/// server with `Host: evil.example` and its own `Origin`. Both are refused; loopback names
/// and our own origin are not.
#[tokio::test]
async fn host_and_origin_checks_stop_dns_rebinding() {
    let t = Target::start();
    let port = t.authority().rsplit(':').next().unwrap().to_string();
    let send = |host: Option<String>, origin: Option<String>| {
        let mut req = t
            .http
            .post(t.url())
            .json(&json!({ "query": "{ healthcheck }" }));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ] {
        let r = send(Some(host.clone()), None).await.unwrap();
        assert_eq!(r.status(), 421, "{host}");
        refused(&answer(r).await.1, "BAD_HOST");
    }
    for origin in [
        format!("http://evil.example:{port}"),
        "http://evil.example".to_string(),
        "null".to_string(),
        format!("http://127.0.0.1.evil.example:{port}"),
    ] {
        let r = send(None, Some(origin.clone())).await.unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        refused(&answer(r).await.1, "BAD_ORIGIN");
    }
    // The checks hold for GET and for the WebSocket endpoint's upgrade too.
    let r = t
        .http
        .get(t.url())
        .header("host", "evil.example")
        .query(&[("query", "{ healthcheck }")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let r = t
        .http
        .get(format!("{}/ws", t.url()))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Loopback, by name or address, with or without our own origin.
    for (host, origin) in [
        (Some(format!("localhost:{port}")), None),
        (Some(format!("127.0.0.1:{port}")), None),
        (Some(format!("[::1]:{port}")), None),
        (None, Some(format!("http://localhost:{port}"))),
        (None, Some(format!("http://127.0.0.1:{port}"))),
    ] {
        let r = send(host.clone(), origin.clone()).await.unwrap();
        assert_eq!(r.status(), 200, "{host:?} {origin:?}");
        ran(&answer(r).await.1);
    }
}

/// Behind a reverse proxy, `HOUSTON_ALLOWED_HOSTS` adds the public name (and its origin);
/// every other name is still refused, and so is a name that merely starts like it.
#[tokio::test]
async fn a_configured_host_is_accepted_and_nothing_else() {
    let t = Target::start_with_hosts(Some("houston.example.org"));
    let send = |host: &str, origin: Option<&str>| {
        let mut req = t
            .http
            .post(t.url())
            .header("host", host)
            .json(&json!({ "query": "{ healthcheck }" }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    for (host, origin) in [
        ("houston.example.org", None),
        ("HOUSTON.example.org:443", None),
        ("houston.example.org", Some("https://houston.example.org")),
        (t.authority(), None),
    ] {
        let r = send(host, origin).await.unwrap();
        assert_eq!(r.status(), 200, "{host} {origin:?}");
        ran(&answer(r).await.1);
    }
    for host in [
        "evil.example",
        "houston.example.org.evil.example",
        "evil-houston.example.org",
    ] {
        let r = send(host, None).await.unwrap();
        assert_eq!(r.status(), 421, "{host}");
    }
    let r = send("houston.example.org", Some("https://evil.example"))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
