//! Secrets are explicit, not masked (issue 13 #9), told once and run on SQLite and
//! PostgreSQL: a connection's and an integration's secrets are stored, kept when an update
//! leaves them out, replaced by a string (eight stars too, saved literally), cleared by
//! `null`, and never read back, neither as a value nor as a mask: `secretsSet` names them.

use houston_test_harness::{Backend, TestServer};
use serde_json::{json, Value};

const READ_CONNECTION: &str =
    "query($c: String!) { connection(connectionId: $c) { details secretsSet } }";
const UPDATE_CONNECTION: &str = "mutation($c: String!, $d: JSON) { updateConnection(connectionId: $c, action: UPDATE, details: $d) { success code fieldErrors { propertyName message } } }";
const READ_INTEGRATION: &str =
    "query($a: String) { clickstreamConfigs(appId: $a) { id config secretsSet } }";
const UPDATE_INTEGRATION: &str = "mutation($i: String!, $p: JSON) { updateIntegration(integrationId: $i, action: UPDATE, configPayload: $p) { success code fieldErrors { propertyName message } } }";

/// Every value a test stores as a secret, to look for in every answer.
const STORED: [&str; 6] = [
    "cc-1a2b", "bt-3c4d", "bt-5e6f", "s3-7a8b", "s3-9c0d", "********",
];

/// The stored details of connection `id`, read from the store (unsealed).
async fn stored_details(server: &TestServer, id: &str) -> Value {
    let row = server.houston.state().store.connection_by_id(id).await;
    row.ok().flatten().map(|r| r.details).unwrap_or(Value::Null)
}

/// The stored configPayload of integration `id`, read from the store (unsealed).
async fn stored_config(server: &TestServer, id: &str) -> Value {
    let row = server.houston.state().store.integration_by_id(id).await;
    row.ok().flatten().map(|r| r.config).unwrap_or(Value::Null)
}

/// Reads as the Owner, and checks that no stored secret and no mask is in the answer.
async fn read(server: &TestServer, query: &str, variables: Value, token: &str) -> Value {
    let data = server.data(query, variables, Some(token)).await;
    let text = data.to_string();
    for secret in STORED {
        assert!(!text.contains(secret), "{secret:?} read back: {text}");
    }
    data
}

async fn a_connections_secrets_are_explicit(backend: Backend) {
    let server = TestServer::on(backend).await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Explicit").await;
    // Adobe Target's client code is a required secret, its bearer token an optional one.
    let conn = server
        .ok_id(
            "mutation($o: String!) { createConnection(integrationCode: \"actions-adobe-target-cloud\", details: {client_code: \"cc-1a2b\", bearer_token: \"bt-3c4d\"}, name: \"Target\", orgId: $o, connectionPrototypeId: \"actions-adobe-target-cloud\") { success id code fieldErrors { propertyName message } } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    let vars = json!({ "c": conn });
    let shown = read(&server, READ_CONNECTION, vars.clone(), &owner).await;
    assert_eq!(shown["connection"]["details"], json!({}), "{shown}");
    assert_eq!(
        shown["connection"]["secretsSet"],
        json!(["client_code", "bearer_token"]),
        "stored: {shown}"
    );

    let update = |details: Value| {
        let server = &server;
        let owner = owner.clone();
        let conn = conn.clone();
        async move {
            server
                .status(
                    UPDATE_CONNECTION,
                    json!({ "c": conn, "d": details }),
                    Some(&owner),
                )
                .await
        }
    };
    // Sending back what was read (no secret in it) keeps both.
    let s = update(json!({})).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(
        stored_details(&server, &conn).await,
        json!({"client_code": "cc-1a2b", "bearer_token": "bt-3c4d"}),
        "kept when left out"
    );
    // A string replaces one; the other is kept.
    let s = update(json!({"bearer_token": "bt-5e6f"})).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(
        stored_details(&server, &conn).await,
        json!({"client_code": "cc-1a2b", "bearer_token": "bt-5e6f"}),
        "replaced"
    );
    // Eight stars are a value like any other.
    let s = update(json!({"client_code": "********"})).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(
        stored_details(&server, &conn).await,
        json!({"client_code": "********", "bearer_token": "bt-5e6f"}),
        "the literal is saved"
    );
    // `null` clears the optional one; clearing the required one is refused on its field.
    let s = update(json!({"bearer_token": null})).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(
        stored_details(&server, &conn).await,
        json!({"client_code": "********"}),
        "cleared"
    );
    let s = update(json!({"client_code": null})).await;
    assert_eq!(s["code"], "INVALID_INPUT", "{s}");
    assert_eq!(s["fieldErrors"][0]["propertyName"], "client_code", "{s}");
    assert_eq!(
        stored_details(&server, &conn).await,
        json!({"client_code": "********"}),
        "a refused update changes nothing"
    );
    let shown = read(&server, READ_CONNECTION, vars.clone(), &owner).await;
    assert_eq!(shown["connection"]["details"], json!({}), "{shown}");
    assert_eq!(
        shown["connection"]["secretsSet"],
        json!(["client_code"]),
        "{shown}"
    );
    // Never read back by a member either, nor through any list.
    let (user, _) = server.confirmed_user("user@example.com").await;
    server
        .add_member(&owner, &org, "user@example.com", "USER")
        .await;
    let seen = read(&server, READ_CONNECTION, vars, &user).await;
    assert_eq!(seen["connection"]["details"], Value::Null, "{seen}");
    assert_eq!(
        seen["connection"]["secretsSet"],
        json!(["client_code"]),
        "a member who may replace the details learns which are stored, not their values"
    );

    read(
        &server,
        "query($o: String!) { orgConnections(orgId: $o) { details secretsSet } }",
        json!({ "o": org }),
        &owner,
    )
    .await;
}

async fn an_integrations_secrets_are_explicit(backend: Backend) {
    let server = TestServer::on(backend).await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Explicit").await;
    let app = server.create_app(&owner, &org, "Web").await;
    // LiveRamp's S3 action has an optional secret key among its fields.
    let section = |secret: Option<Value>| {
        let mut s = json!({
            "enabled": true,
            "s3_aws_access_key": "AKIAEXAMPLE",
            "s3_aws_bucket_name": "bucket",
            "s3_aws_region": "us-east-1",
            "audience_key": {"@path": "$.userId"},
            "delimiter": ",",
            "filename": {"@template": "{{properties.audience_key}}.csv"},
            "enable_batching": true
        });
        if let Some(secret) = secret {
            s["s3_aws_secret_key"] = secret;
        }
        json!({ "audienceEnteredS3": s })
    };
    let id = server
        .ok_id(
            "mutation($a: String!, $p: JSON!) { createIntegration(appId: $a, integrationCode: \"actions-liveramp-audiences\", configPayload: $p, name: \"LR\") { success code id fieldErrors { propertyName message } } }",
            json!({ "a": app, "p": section(Some(json!("s3-7a8b"))) }),
            Some(&owner),
        )
        .await;
    let secret_at = |config: &Value| {
        config["audienceEnteredS3"]
            .get("s3_aws_secret_key")
            .cloned()
    };
    assert_eq!(
        secret_at(&stored_config(&server, &id).await),
        Some(json!("s3-7a8b"))
    );
    let shown = read(&server, READ_INTEGRATION, json!({ "a": app }), &owner).await;
    let listed = &shown["clickstreamConfigs"][0];
    assert_eq!(
        listed["config"],
        section(None),
        "the rest as stored: {shown}"
    );
    assert_eq!(
        listed["secretsSet"],
        json!(["audienceEnteredS3.s3_aws_secret_key"]),
        "{shown}"
    );

    let update = |payload: Value| {
        let server = &server;
        let owner = owner.clone();
        let id = id.clone();
        async move {
            let s = server
                .status(
                    UPDATE_INTEGRATION,
                    json!({ "i": id, "p": payload }),
                    Some(&owner),
                )
                .await;
            assert_eq!(s["success"], true, "{s}");
        }
    };
    // What was read, sent back with a change elsewhere, keeps the secret.
    let mut changed = listed["config"].clone();
    changed["audienceEnteredS3"]["s3_aws_bucket_name"] = json!("other");
    update(changed).await;
    let config = stored_config(&server, &id).await;
    assert_eq!(secret_at(&config), Some(json!("s3-7a8b")), "kept: {config}");
    assert_eq!(config["audienceEnteredS3"]["s3_aws_bucket_name"], "other");
    update(section(Some(json!("s3-9c0d")))).await;
    assert_eq!(
        secret_at(&stored_config(&server, &id).await),
        Some(json!("s3-9c0d")),
        "replaced"
    );
    update(section(Some(json!("********")))).await;
    assert_eq!(
        secret_at(&stored_config(&server, &id).await),
        Some(json!("********")),
        "saved literally"
    );
    update(section(Some(Value::Null))).await;
    assert_eq!(
        secret_at(&stored_config(&server, &id).await),
        None,
        "cleared"
    );
    let shown = read(&server, READ_INTEGRATION, json!({ "a": app }), &owner).await;
    assert_eq!(
        shown["clickstreamConfigs"][0]["secretsSet"],
        json!([]),
        "{shown}"
    );
    // A secret sent as null at creation is not stored at all.
    let other = server
        .ok_id(
            "mutation($a: String!, $p: JSON!) { createIntegration(appId: $a, integrationCode: \"actions-liveramp-audiences\", configPayload: $p, name: \"LR2\") { success code id fieldErrors { propertyName message } } }",
            json!({ "a": app, "p": section(Some(Value::Null)) }),
            Some(&owner),
        )
        .await;
    assert_eq!(stored_config(&server, &other).await, section(None));
}

#[tokio::test]
async fn a_connections_secrets_are_explicit_on_sqlite() {
    a_connections_secrets_are_explicit(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_connections_secrets_are_explicit_on_postgres() {
    a_connections_secrets_are_explicit(Backend::Postgres).await;
}

#[tokio::test]
async fn an_integrations_secrets_are_explicit_on_sqlite() {
    an_integrations_secrets_are_explicit(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_integrations_secrets_are_explicit_on_postgres() {
    an_integrations_secrets_are_explicit(Backend::Postgres).await;
}
