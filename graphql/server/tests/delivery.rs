//! The delivery preview on a running server: `previewDelivery` for an unsaved form and
//! `deliveryPreview` for a source's saved integrations, for an action destination
//! (Amplitude, with the catalog's defaults) and a classic one (Acquisio); a section's
//! `subscribe` checked on save; bad input answered clearly.

use houston_test_harness::{error_code, TestServer};
use serde_json::{json, Value};

const PREVIEW: &str = "query($c: String!, $p: JSON!, $e: JSON!) { previewDelivery(integrationCode: $c, configPayload: $p, event: $e) { integrationId code name enabled sections { code label subscribe status payload fieldErrors { propertyName message } } } }";
const SAVED: &str = "query($a: String!, $e: JSON!) { deliveryPreview(appId: $a, event: $e) { integrationId code name enabled sections { code label subscribe status payload fieldErrors { propertyName message } } } }";
const CREATE: &str = "mutation($a: String!, $c: String!, $p: JSON!) { createIntegration(appId: $a, integrationCode: $c, configPayload: $p, name: \"I\") { success code id fieldErrors { propertyName message } } }";

fn track() -> Value {
    json!({"type": "track", "event": "Order Completed", "userId": "u1", "anonymousId": "a1",
           "properties": {"revenue": 19.99}, "context": {"ip": "8.8.8.8"}})
}

fn section<'a>(preview: &'a Value, code: &str) -> &'a Value {
    preview["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["code"] == code))
        .unwrap_or_else(|| panic!("section {code} in {preview}"))
}

async fn source(server: &TestServer, email: &str) -> (String, String, String) {
    let (token, _) = server.confirmed_user(email).await;
    let org = server.create_org(&token, email).await;
    let app = server.create_app(&token, &org, "Web").await;
    (token, org, app)
}

#[tokio::test]
async fn an_action_destination_previews_and_saves_what_it_would_send() {
    let server = TestServer::start().await;
    let (token, _, app) = source(&server, "dora@a.example").await;

    // An unsaved form with nothing set: the catalog's defaults.
    let vars = json!({"c": "actions-amplitude", "p": {}, "e": track()});
    let preview = server.data(PREVIEW, vars, Some(&token)).await["previewDelivery"].clone();
    assert_eq!(preview["integrationId"], Value::Null);
    assert_eq!(preview["code"], "actions-amplitude");
    let log = section(&preview, "logEvent");
    assert_eq!(log["status"], "SENT", "{log}");
    assert_eq!(log["subscribe"], "type = \"track\"");
    assert_eq!(log["payload"]["event_type"], "Order Completed");
    assert_eq!(log["payload"]["user_id"], "u1");
    assert_eq!(
        section(&preview, "identifyUser")["status"],
        "NOT_SUBSCRIBED"
    );

    // A field changed to another path: the payload follows.
    let config = json!({"logEvent": {"enabled": true, "user_id": {"@path": "$.anonymousId"}}});
    let vars = json!({"c": "actions-amplitude", "p": config, "e": track()});
    let preview = server.data(PREVIEW, vars, Some(&token)).await["previewDelivery"].clone();
    assert_eq!(section(&preview, "logEvent")["payload"]["user_id"], "a1");

    // A broken trigger: the preview and the save say where, on the field.
    let broken =
        json!({"logEvent": {"enabled": true, "subscribe": "type = \"track\" and (event = "}});
    let vars = json!({"c": "actions-amplitude", "p": broken, "e": track()});
    let preview = server.data(PREVIEW, vars, Some(&token)).await["previewDelivery"].clone();
    let log = section(&preview, "logEvent");
    assert_eq!(log["status"], "INVALID");
    assert_eq!(log["fieldErrors"][0]["propertyName"], "logEvent.subscribe");
    let saved = server
        .data(
            CREATE,
            json!({"a": app, "c": "actions-amplitude", "p": broken}),
            Some(&token),
        )
        .await["createIntegration"]
        .clone();
    assert_eq!(saved["success"], false, "{saved}");
    assert_eq!(saved["code"], "INVALID_INPUT");
    let on_subscribe = saved["fieldErrors"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["propertyName"] == "logEvent.subscribe"))
        .unwrap_or_else(|| panic!("an error on logEvent.subscribe: {saved}"));
    assert_eq!(on_subscribe["message"], log["fieldErrors"][0]["message"]);

    // Saved with its own trigger: deliveryPreview agrees with the unsaved preview.
    let own = json!({"logEvent": {"enabled": true, "subscribe": "event = \"Order Completed\"",
                                   "event_type": {"@path": "$.event"},
                                   "user_id": {"@path": "$.anonymousId"}}});
    let id = server
        .ok_id(
            CREATE,
            json!({"a": app, "c": "actions-amplitude", "p": own}),
            Some(&token),
        )
        .await;
    let vars = json!({"c": "actions-amplitude", "p": own, "e": track()});
    let unsaved = server.data(PREVIEW, vars, Some(&token)).await["previewDelivery"].clone();
    let all = server
        .data(SAVED, json!({"a": app, "e": track()}), Some(&token))
        .await;
    let saved = all["deliveryPreview"][0].clone();
    assert_eq!(saved["integrationId"], id);
    assert_eq!(saved["enabled"], true);
    assert_eq!(saved["sections"], unsaved["sections"]);
    let log = section(&saved, "logEvent");
    assert_eq!(log["subscribe"], "event = \"Order Completed\"");
    assert_eq!(log["payload"]["user_id"], "a1");

    // Switched off: every section says so.
    let off = "mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }";
    server.data(off, json!({"i": id}), Some(&token)).await;
    let all = server
        .data(SAVED, json!({"a": app, "e": track()}), Some(&token))
        .await;
    let sections = all["deliveryPreview"][0]["sections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!sections.is_empty());
    assert!(
        sections.iter().all(|s| s["status"] == "INTEGRATION_OFF"),
        "{sections:?}"
    );
}

#[tokio::test]
async fn a_classic_destination_obeys_the_events_integrations() {
    let server = TestServer::start().await;
    let (token, org, app) = source(&server, "eve@a.example").await;
    let conn = server.create_connection(&token, &org, "k").await;
    server.create_integration(&token, &app, &conn).await;
    let all = server
        .data(SAVED, json!({"a": app, "e": track()}), Some(&token))
        .await;
    let acquisio = &all["deliveryPreview"][0];
    assert_eq!(acquisio["code"], "acquisio");
    let event = section(acquisio, "event");
    assert_eq!(event["status"], "SENT");
    assert_eq!(event["payload"], track());
    for (integrations, status) in [
        (json!({"All": false}), "SECTION_OFF"),
        (json!({"Acquisio": false}), "SECTION_OFF"),
        (json!({"All": false, "Acquisio": true}), "SENT"),
    ] {
        let mut e = track();
        e["integrations"] = integrations.clone();
        let all = server
            .data(SAVED, json!({"a": app, "e": e}), Some(&token))
            .await;
        assert_eq!(
            section(&all["deliveryPreview"][0], "event")["status"],
            status,
            "{integrations}"
        );
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_error_or_a_bounded_answer() {
    let server = TestServer::start().await;
    let (token, _, _) = source(&server, "fay@a.example").await;
    let preview = |config: Value, event: Value| {
        let vars = json!({"c": "actions-amplitude", "p": config, "e": event});
        let server = &server;
        let token = token.clone();
        async move { server.gql(PREVIEW, vars, Some(&token)).await }
    };
    // Not an object.
    let res = preview(json!({}), json!([1])).await;
    assert_eq!(error_code(&res), "INVALID_INPUT", "{res}");
    // A trigger of 10,000 characters and more.
    let long = format!("event = \"{}\"", "x".repeat(10_000));
    let res = preview(
        json!({"logEvent": {"enabled": true, "subscribe": long}}),
        track(),
    )
    .await;
    let log = section(&res["data"]["previewDelivery"], "logEvent").clone();
    assert_eq!(log["status"], "INVALID");
    assert!(log["fieldErrors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("longer than")));
    // A mapping 100 levels deep.
    let mut deep = json!({"@path": "$.event"});
    for _ in 0..100 {
        deep = json!({"@literal": deep});
    }
    let res = preview(
        json!({"logEvent": {"enabled": true, "event_type": deep}}),
        track(),
    )
    .await;
    let log = section(&res["data"]["previewDelivery"], "logEvent").clone();
    assert_eq!(log["status"], "INVALID", "{res}");
    assert_eq!(log["fieldErrors"][0]["propertyName"], "logEvent.event_type");
    // @liquid that loops or includes; @template cannot loop at all.
    for template in [
        "{% for i in (1..99999999) %}x{% endfor %}",
        "{% include 'a' %}",
    ] {
        let config = json!({"logEvent": {"enabled": true, "event_type": {"@liquid": template}}});
        let res = preview(config, track()).await;
        let log = section(&res["data"]["previewDelivery"], "logEvent").clone();
        assert_eq!(log["status"], "INVALID", "{res}");
        assert!(log["fieldErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is disabled")));
    }
    // A 1 MB event: mapped in one pass, answered.
    let mut big = track();
    big["properties"]["blob"] = json!("y".repeat(1 << 20));
    let config =
        json!({"logEvent": {"enabled": true, "event_type": {"@path": "$.properties.blob"}}});
    let res = preview(config, big).await;
    let log = section(&res["data"]["previewDelivery"], "logEvent").clone();
    assert_eq!(log["status"], "SENT");
    assert_eq!(
        log["payload"]["event_type"].as_str().map(str::len),
        Some(1 << 20)
    );
}

/// A saved integration's secret field (LiveRamp's S3 secret key, a `password` field of an
/// action) is sealed when stored and shown nowhere: `deliveryPreview`'s payload leaves it
/// out (neither the stored value nor a mask).
#[tokio::test]
async fn a_saved_previews_payload_never_shows_a_secret_fields_value() {
    let server = TestServer::start().await;
    let (token, _, app) = source(&server, "gus@a.example").await;
    let stored = "sk-stored-secret-4af9c1";
    let config = json!({"audienceEnteredS3": {
        "enabled": true,
        "s3_aws_access_key": "AKIAEXAMPLE",
        "s3_aws_secret_key": stored,
        "s3_aws_bucket_name": "bucket",
        "s3_aws_region": "us-east-1",
        "audience_key": {"@path": "$.userId"},
        "delimiter": ",",
        "filename": {"@template": "{{properties.audience_key}}.csv"},
        "enable_batching": true
    }});
    server
        .ok_id(
            CREATE,
            json!({"a": app, "c": "actions-liveramp-audiences", "p": config}),
            Some(&token),
        )
        .await;
    let event = json!({"type": "track", "event": "Audience Entered", "userId": "u1",
                       "properties": {"audience_key": "vips"}});
    let all = server
        .data(SAVED, json!({"a": app, "e": event}), Some(&token))
        .await;
    let s3 = section(&all["deliveryPreview"][0], "audienceEnteredS3");
    assert_eq!(s3["status"], "SENT", "{s3}");
    // The section's other literals are sent as configured; the secret is left out.
    assert_eq!(s3["payload"]["s3_aws_access_key"], "AKIAEXAMPLE", "{s3}");
    assert!(
        s3["payload"].get("s3_aws_secret_key").is_none(),
        "the secret in the payload: {s3}"
    );
    assert!(!all.to_string().contains("********"), "a mask: {all}");
    assert!(
        !all.to_string().contains(stored),
        "the stored secret in the answer: {all}"
    );
}
