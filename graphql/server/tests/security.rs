//! Token revocation, sign-in throttling, HTTP refusals (GET mutations, text/plain, other
//! hosts), request limits, and that no answer to a USER carries a connection secret.

mod common;

use common::{error_code, TestServer};
use houston_server::schema::MAX_FAILED_SIGN_INS;
use serde_json::{json, Value};

const SECRET: &str = "sk-live-0123456789abcdef";

#[tokio::test]
async fn logout_password_change_and_removal_revoke_tokens_at_once() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Org").await;

    // Logout kills every token of the user, not just the one used.
    let (t1, _) = server.confirmed_user("leaver@example.com").await;
    let t2 = server.status(r#"mutation { createToken(username: "leaver@example.com", password: "password123") { success token } }"#, json!({}), None).await["token"].as_str().unwrap().to_string();
    assert_eq!(
        server
            .status("mutation { logout { success } }", json!({}), Some(&t1))
            .await["success"],
        true
    );
    for t in [&t1, &t2] {
        assert_eq!(
            error_code(&server.gql("{ me { id } }", json!({}), Some(t)).await),
            "UNAUTHENTICATED"
        );
        let v = server
            .status(
                "mutation($t: String!) { verifyToken(token: $t) { success code } }",
                json!({ "t": t }),
                None,
            )
            .await;
        assert_eq!(v["success"], false, "verifyToken agrees: {v}");
    }

    // A password change.
    let (t, _) = server.confirmed_user("changer@example.com").await;
    let s = server.status(r#"mutation { updateUser(currentPassword: "wrong-one", newPassword: "another-pass-1") { success code fieldErrors { propertyName } } }"#, json!({}), Some(&t)).await;
    assert_eq!(s["fieldErrors"][0]["propertyName"], "currentPassword");
    assert!(
        server
            .gql("{ me { id } }", json!({}), Some(&t))
            .await
            .get("errors")
            .is_none(),
        "a failed change revokes nothing"
    );
    let s = server.status(r#"mutation { updateUser(currentPassword: "password123", newPassword: "another-pass-1") { success } }"#, json!({}), Some(&t)).await;
    assert_eq!(s["success"], true);
    assert_eq!(
        error_code(&server.gql("{ me { id } }", json!({}), Some(&t)).await),
        "UNAUTHENTICATED"
    );

    // Removal from an organization.
    let (member, member_id) = server.confirmed_user("member@example.com").await;
    server
        .add_member(&owner, &org, "member@example.com", "USER")
        .await;
    assert!(server
        .gql(
            "query($o: ID) { applications(orgId: $o) { id } }",
            json!({ "o": org }),
            Some(&member)
        )
        .await
        .get("errors")
        .is_none());
    let s = server.status("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success } }", json!({ "o": org, "u": member_id }), Some(&owner)).await;
    assert_eq!(s["success"], true);
    assert_eq!(
        error_code(
            &server
                .gql(
                    "query($o: ID) { applications(orgId: $o) { id } }",
                    json!({ "o": org }),
                    Some(&member)
                )
                .await
        ),
        "UNAUTHENTICATED"
    );

    // A demotion takes effect on the next request: roles are never read from the token.
    let (second, second_id) = server.confirmed_user("second@example.com").await;
    server
        .add_member(&owner, &org, "second@example.com", "OWNER")
        .await;
    assert!(server
        .gql(
            "query($o: ID!) { apiKeys(orgId: $o) { id } }",
            json!({ "o": org }),
            Some(&second)
        )
        .await
        .get("errors")
        .is_none());
    server.status("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: USER}) { success } }", json!({ "o": org, "u": second_id }), Some(&owner)).await;
    assert_eq!(
        error_code(
            &server
                .gql(
                    "query($o: ID!) { apiKeys(orgId: $o) { id } }",
                    json!({ "o": org }),
                    Some(&second)
                )
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn tokens_with_bad_claims_are_refused() {
    use jsonwebtoken::{encode, EncodingKey, Header};
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("secret");
    let config = houston_server::ServerConfig {
        database_url: format!("sqlite://{}", dir.path().join("h.db").display()),
        secret: houston_server::SecretSource::File(secret_path.clone()),
        ..houston_server::ServerConfig::in_memory()
    };
    let server = TestServer::with_config(config, dir).await;
    let (good, id) = server.confirmed_user("claims@example.com").await;
    assert!(server
        .gql("{ me { id } }", json!({}), Some(&good))
        .await
        .get("errors")
        .is_none());
    // Bearer and raw forms both work.
    assert!(server
        .gql("{ me { id } }", json!({}), Some(&format!("Bearer {good}")))
        .await
        .get("errors")
        .is_none());

    let text = std::fs::read_to_string(&secret_path).unwrap();
    use base64::Engine;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = |claims: Value| {
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(&secret),
        )
        .unwrap()
    };
    let base = json!({ "sub": id, "iat": now, "exp": now + 600, "iss": "houston", "aud": "houston-api", "ver": 0 });
    let with = |k: &str, v: Value| {
        let mut c = base.clone();
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v;
        }
        c
    };
    assert!(
        server
            .gql("{ me { id } }", json!({}), Some(&sign(base.clone())))
            .await
            .get("errors")
            .is_none(),
        "the control token works"
    );
    let cases = [
        (
            "expired beyond the leeway",
            sign(with("exp", json!(now - 120))),
            "TOKEN_EXPIRED",
        ),
        ("no exp", sign(with("exp", Value::Null)), "UNAUTHENTICATED"),
        (
            "wrong iss",
            sign(with("iss", json!("someone-else"))),
            "UNAUTHENTICATED",
        ),
        (
            "wrong aud",
            sign(with("aud", json!("other-api"))),
            "UNAUTHENTICATED",
        ),
        (
            "old token version",
            sign(with("ver", json!(-1))),
            "UNAUTHENTICATED",
        ),
        (
            "unknown user",
            sign(with("sub", json!("nobody"))),
            "UNAUTHENTICATED",
        ),
        (
            "another key",
            encode(
                &Header::default(),
                &base,
                &EncodingKey::from_secret(b"another key of at least 32 bytes!!"),
            )
            .unwrap(),
            "UNAUTHENTICATED",
        ),
    ];
    for (what, token, code) in cases {
        assert_eq!(
            error_code(&server.gql("{ me { id } }", json!({}), Some(&token)).await),
            code,
            "{what}"
        );
    }
    // alg: none.
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(json!({ "alg": "none", "typ": "JWT" })),
        b64(base.clone())
    );
    assert_eq!(
        error_code(&server.gql("{ me { id } }", json!({}), Some(&none)).await),
        "UNAUTHENTICATED",
        "alg none"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_username_counting_aliases_and_batches() {
    let server = TestServer::start().await;
    server.confirmed_user("target@example.com").await;
    server.confirmed_user("bystander@example.com").await;

    // A right password is never slowed: many sign-ins in a row all succeed.
    for _ in 0..(MAX_FAILED_SIGN_INS + 2) {
        let s = server.status(r#"mutation { createToken(username: "target@example.com", password: "password123") { success } }"#, json!({}), None).await;
        assert_eq!(s["success"], true);
    }

    // Aliased attempts in one document each count.
    let aliases: String = (0..MAX_FAILED_SIGN_INS)
        .map(|i| format!("a{i}: createToken(username: \"target@example.com\", password: \"guess-{i}\") {{ success code }} "))
        .collect();
    let d = server
        .data(&format!("mutation {{ {aliases} }}"), json!({}), None)
        .await;
    assert!(
        d.as_object()
            .unwrap()
            .values()
            .all(|v| v["code"] == "INVALID_INPUT"),
        "{d}"
    );

    // Over HTTP, a batch: the window is now used up, so even the right password waits.
    let batch: Vec<Value> = (0..3)
        .map(|i| json!({ "query": format!("mutation {{ createToken(username: \"target@example.com\", password: \"{}\") {{ success code }} }}", if i == 2 { "password123" } else { "guess" }) }))
        .collect();
    let res: Vec<Value> = reqwest::Client::new()
        .post(&server.url)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for r in &res {
        assert_eq!(r["data"]["createToken"]["code"], "RATE_LIMITED", "{r}");
    }
    // Other usernames are unaffected.
    let s = server.status(r#"mutation { createToken(username: "bystander@example.com", password: "password123") { success } }"#, json!({}), None).await;
    assert_eq!(s["success"], true);
    // And the throttle does not say whether the account exists: unknown names throttle alike.
    for _ in 0..=MAX_FAILED_SIGN_INS {
        server.status(r#"mutation { createToken(username: "ghost@example.com", password: "x") { code } }"#, json!({}), None).await;
    }
    let s = server
        .status(
            r#"mutation { createToken(username: "ghost@example.com", password: "x") { code } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn http_refuses_get_mutations_simple_requests_and_other_hosts() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();

    // A query by GET works; a mutation by GET is refused and does nothing.
    let r = http
        .get(&server.url)
        .query(&[("query", "{ healthcheck }")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http.get(&server.url).query(&[("query", r#"mutation { createNewUser(email: "get@example.com", password: "password123") { success } }"#)]).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let r = http
        .get(&server.url)
        .query(&[
            (
                "query",
                "mutation A { logout { success } } query B { healthcheck }",
            ),
            ("operationName", "A"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "the named operation is the mutation");
    assert!(
        server.houston.outbox().await.unwrap().is_empty(),
        "no user was made by GET"
    );

    // Bodies a cross-site form could send without a preflight are refused.
    for ctype in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = http
            .post(&server.url)
            .header("content-type", ctype)
            .body(r#"{"query":"mutation { logout { success } }"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415, "{ctype}");
    }
    let r = http
        .post(&server.url)
        .body(r#"{"query":"{ healthcheck }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415, "no content type at all");

    // GraphQL over HTTP: with the newer media type, a document that never executed is a
    // 400 without a data entry; with plain JSON (the original clients) a 200 with data null.
    let r = http
        .post(&server.url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body.get("data").is_none() && body["errors"][0]["message"].is_string(),
        "{body}"
    );
    let r = http
        .post(&server.url)
        .json(&json!({ "query": "{" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["data"].is_null() && body.get("data").is_some(),
        "{body}"
    );

    // Fields come back in the order the query asked for them.
    let r = http
        .post(&server.url)
        .json(&json!({ "query": "{ b: healthcheck a: healthcheck }" }))
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(
        text.find("\"b\"").unwrap() < text.find("\"a\"").unwrap(),
        "{text}"
    );

    // GraphiQL for a browser.
    let r = http
        .get(&server.url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().to_lowercase().contains("graphiql"));

    // DNS rebinding: another host name is refused; so is a foreign Origin.
    let r = http
        .post(&server.url)
        .header("host", "attacker.example")
        .json(&json!({ "query": "{ healthcheck }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let r = http
        .post(&server.url)
        .header("origin", "http://attacker.example")
        .json(&json!({ "query": "{ healthcheck }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let port = server
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let r = http
        .post(&server.url)
        .header("origin", format!("http://localhost:{port}"))
        .json(&json!({ "query": "{ healthcheck }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "our own origin is fine");

    // Body size and batch size.
    let big = "x".repeat(houston_server::http::MAX_BODY_BYTES + 1);
    let r = http
        .post(&server.url)
        .json(&json!({ "query": format!("{{ healthcheck }} # {big}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let batch: Vec<Value> = (0..=houston_server::http::MAX_BATCH)
        .map(|_| json!({ "query": "{ healthcheck }" }))
        .collect();
    let r = http.post(&server.url).json(&batch).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(&server.url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn query_limits_depth_aliases_fields_directives() {
    let server = TestServer::start().await;
    let limited = |res: &Value| res.get("errors").is_some() && res["data"].is_null();

    // Depth: the organization/applications cycle nested past the limit.
    let mut q = String::from("id");
    for _ in 0..12 {
        q = format!("applications {{ organization {{ {q} }} }}");
    }
    let res = server
        .gql(&format!("{{ organizations {{ {q} }} }}"), json!({}), None)
        .await;
    assert!(limited(&res), "deep query accepted: {res}");

    // Aliases.
    let aliases: String = (0..=houston_server::schema::MAX_ALIASES)
        .map(|i| format!("h{i}: healthcheck "))
        .collect();
    let res = server
        .gql(&format!("{{ {aliases} }}"), json!({}), None)
        .await;
    assert!(limited(&res));
    assert_eq!(error_code(&res), "QUERY_TOO_LARGE");

    // Field duplication.
    let dup = "healthcheck ".repeat(houston_server::schema::MAX_FIELDS + 1);
    let res = server.gql(&format!("{{ {dup} }}"), json!({}), None).await;
    assert!(limited(&res));

    // Directive overloading.
    let dirs = "@include(if: true) ".repeat(houston_server::schema::MAX_DIRECTIVES + 1);
    let res = server
        .gql(&format!("{{ healthcheck {dirs} }}"), json!({}), None)
        .await;
    assert!(limited(&res));

    // Errors carry no internals and no suggestions.
    let res = server.gql("{ healthchek }", json!({}), None).await;
    let msg = res["errors"][0]["message"].as_str().unwrap();
    assert!(!msg.contains("Did you mean"), "{msg}");
    assert_eq!(error_code(&res), "INVALID_QUERY", "every error has a code");
    let res = server.gql("{", json!({}), None).await;
    assert_eq!(
        error_code(&res),
        "INVALID_QUERY",
        "a syntax error too: {res}"
    );

    // A legitimate, full catalog query is within the limits.
    let res = server
        .gql("{ clickstreamPrototypes { code connectionPrototype { fields { propertyName type properties { propertyName properties { propertyName } } } } configPrototype { propertyName type choices { value label } properties { propertyName type properties { propertyName type } } } sections { code fields { propertyName type properties { propertyName properties { propertyName } } } } } }", json!({}), None)
        .await;
    assert!(
        res.get("errors").is_none(),
        "{}",
        &res.to_string()[..300.min(res.to_string().len())]
    );
}

#[tokio::test]
async fn no_answer_to_a_user_contains_a_connection_secret() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("own@example.com").await;
    let (user, _) = server.confirmed_user("usr@example.com").await;
    let org = server.create_org(&owner, "Secretive").await;
    server
        .add_member(&owner, &org, "usr@example.com", "USER")
        .await;
    let app = server.create_app(&user, &org, "Web").await;
    let conn = server.create_connection(&user, &org, SECRET).await;
    server.create_integration(&user, &app, &conn).await;
    // An action destination with a password field in its connection.
    let c2 = server
        .status(
            "mutation($o: String!) { createConnection(integrationCode: \"actions-amplitude\", details: {apiKey: \"amp-key-SECRET-1\", secretKey: \"amp-secret-SECRET-2\"}, name: \"Amp\", orgId: $o, connectionPrototypeId: \"actions-amplitude\") { success id code fieldErrors { propertyName message } } }",
            json!({ "o": org }),
            Some(&user),
        )
        .await;
    assert_eq!(c2["success"], true, "{c2}");

    let queries = [
        "query($o: String!) { orgConnections(orgId: $o) { id name details } }",
        "query($o: ID) { organizations(orgId: $o) { applications { clickstream { config connection { details name } } } } }",
        "query($o: ID) { clickstreamConfigs(orgId: $o) { config connection { details } } }",
    ];
    for q in queries {
        let text = server
            .gql(q, json!({ "o": org }), Some(&user))
            .await
            .to_string();
        assert!(
            !text.contains(SECRET) && !text.contains("SECRET-"),
            "a USER saw a secret: {text}"
        );
        let text = server
            .gql(q, json!({ "o": org }), Some(&owner))
            .await
            .to_string();
        assert!(
            !text.contains(SECRET) && !text.contains("SECRET-"),
            "an OWNER saw a secret unmasked: {text}"
        );
        assert!(
            text.contains("********"),
            "Owners see that a secret is set: {text}"
        );
    }
    let text = server
        .gql(
            "query($c: String!) { connection(connectionId: $c) { details } }",
            json!({ "c": conn }),
            Some(&user),
        )
        .await
        .to_string();
    assert!(!text.contains(SECRET));
    // Sending the mask back keeps the stored secret.
    let s = server.status("mutation($c: String!) { updateConnection(connectionId: $c, action: UPDATE, details: {apiKey: \"********\"}) { success } }", json!({ "c": conn }), Some(&owner)).await;
    assert_eq!(s["success"], true);
    let stored = server
        .houston
        .state()
        .store
        .connection_by_id(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.details["apiKey"], SECRET);
}
