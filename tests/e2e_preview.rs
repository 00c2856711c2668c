//! The delivery preview in the real window (tauri-driver under Xvfb, like `e2e.rs`): an
//! event sent through the bundled server's loopback collector, an action destination
//! (Amplitude) configured with the Test panel open: its payload for that event, a field
//! changed to a path into the event (picked from the suggestions) and the payload
//! following, a required field left empty and marked on the form, a broken trigger with
//! its error on the field; then saved, and `deliveryPreview` (asked through the app's own
//! session, and by "Test with an event" on the integrations list) answers what the panel
//! showed; a section using `@liquid` (which the window leaves to the server) previewed by
//! "Preview on the server", and the saved integration's `deliveryPreview` agreeing with
//! it. Screenshots go to `target/e2e-artifacts/preview/`.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, graphql, inner_text, launch, wait_for_app_exit, wait_inner, BundledSource,
    DriverProcess, Shots,
};
use serde_json::{json, Value};
use std::time::Duration;
use webdriver::Driver;

/// The payload the Test panel shows for `section`, parsed.
async fn shown_payload(d: &Driver, section: &str) -> Value {
    let text = inner_text(
        d,
        &format!(".test-section[data-section=\"{section}\"] .test-payload"),
    )
    .await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("pretty JSON in the panel: {e}: {text}"))
}

/// The Test panel's status of `section` (`SENT`, `INVALID`, …).
async fn shown_status(d: &Driver, section: &str) -> String {
    let script = format!(
        "const e = document.querySelector('.test-section[data-section=\"{section}\"]'); return e ? e.dataset.status : ''"
    );
    d.script(&script)
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the Test panel shows `status` for `section`.
async fn wait_status(d: &Driver, section: &str, status: &str, secs: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let now = shown_status(d, section).await;
        if now == status {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{section}: {status} expected, the panel shows {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

const SAVED: &str = "query($a: String!, $e: JSON!) { deliveryPreview(appId: $a, event: $e) { integrationId code enabled sections { code status payload fieldErrors { propertyName message } } } }";

#[tokio::test]
async fn the_test_panel_shows_what_a_destination_would_send_and_the_server_agrees() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("preview");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;

    // The bundled server, an account, an organization and a source.
    let BundledSource {
        write_key: key,
        collector,
    } = bundled_source(
        &d,
        "ada@example.com",
        "analytical-engine-1843",
        "Engines Ltd",
        "Shop",
    )
    .await;

    // One event through the collector, as an SDK sends it.
    let sent = reqwest::Client::new()
        .post(format!("{collector}/v1/track"))
        .basic_auth(&key, Some(""))
        .json(&json!({
            "type": "track", "event": "Signed Up", "userId": "ada",
            "properties": {"plan": "pro", "seats": 3},
            "context": {"locale": "en-GB"}
        }))
        .send()
        .await
        .expect("the collector answers");
    assert_eq!(sent.status(), 200);
    let stored = graphql(
        &d,
        "query($a: String!) { events(appId: $a, first: 5) { nodes { payload } } }",
        json!({ "a": key }),
    )
    .await;
    let nodes = stored["events"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 1, "the event is stored: {stored}");
    let event = nodes[0]["payload"].clone();

    // Amplitude, with its Log Event action switched on.
    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "amplitude").await.unwrap();
    d.click_on(".destination-card[data-code=\"actions-amplitude\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    // (Actions with a default trigger start switched on.)
    let toggle = d
        .wait(".section-toggle[data-section=\"logEvent\"]", 20)
        .await
        .unwrap();
    if d.property(&toggle, "checked").await.unwrap() != json!(true) {
        d.click(&toggle).await.unwrap();
    }
    if let Err(e) = d.wait("input[data-field=\"logEvent.user_id\"]", 20).await {
        shots.take(&d, "no-log-event").await;
        panic!("{e}");
    }

    // The Test panel picks the source's newest event: the one sent above.
    d.click_on("#test-open").await.unwrap();
    d.wait("#test-panel", 10).await.unwrap();
    wait_status(&d, "logEvent", "SENT", 20).await;
    wait_inner(
        &d,
        ".test-section[data-section=\"logEvent\"] .test-payload",
        "Signed Up",
        20,
    )
    .await
    .unwrap();
    let payload = shown_payload(&d, "logEvent").await;
    assert_eq!(payload["event_type"], "Signed Up", "{payload}");
    assert_eq!(payload["user_id"], "ada", "{payload}");
    assert_eq!(
        payload["event_properties"],
        json!({"plan": "pro", "seats": 3})
    );
    assert_eq!(
        shown_status(&d, "identifyUser").await,
        "NOT_SUBSCRIBED",
        "an identify action does not take a track"
    );
    shots.take(&d, "test-panel").await;

    // A field changed to a path into the event, picked from the suggestions as it is typed.
    d.fill("input[data-field=\"logEvent.user_id\"]", "$.properties.pl")
        .await
        .unwrap();
    let suggestion = ".path-suggestions[data-field=\"logEvent.user_id\"] .path-suggestion[data-path=\"$.properties.plan\"]";
    d.wait(suggestion, 10).await.unwrap();
    shots.take(&d, "path-suggestions").await;
    d.click_on(suggestion).await.unwrap();
    wait_inner(
        &d,
        ".test-section[data-section=\"logEvent\"] .test-payload",
        "\"pro\"",
        10,
    )
    .await
    .unwrap();
    let payload = shown_payload(&d, "logEvent").await;
    assert_eq!(
        payload["user_id"], "pro",
        "the payload follows the path: {payload}"
    );
    let field = d
        .find("input[data-field=\"logEvent.user_id\"]")
        .await
        .unwrap();
    assert_eq!(
        d.property(&field, "value").await.unwrap(),
        json!("$.properties.plan")
    );

    // A required field mapped to nothing in this event: the section would not send, and
    // the field is marked on the form.
    d.fill(
        "input[data-field=\"logEvent.event_type\"]",
        "$.properties.missing",
    )
    .await
    .unwrap();
    wait_status(&d, "logEvent", "INVALID", 10).await;
    d.wait(".preview-mark[data-field=\"logEvent.event_type\"]", 10)
        .await
        .unwrap();
    let lacks = inner_text(&d, ".test-section[data-section=\"logEvent\"] .test-missing").await;
    assert!(lacks.contains("logEvent.event_type"), "{lacks}");
    shots.take(&d, "lacking-field").await;
    d.fill("input[data-field=\"logEvent.event_type\"]", "$.event")
        .await
        .unwrap();
    wait_status(&d, "logEvent", "SENT", 10).await;
    d.wait_gone(".preview-mark[data-field=\"logEvent.event_type\"]", 10)
        .await
        .unwrap();

    // A broken trigger: its error on the field, and the section is invalid.
    d.fill(
        "input[data-field=\"logEvent.subscribe\"]",
        "type = \"track\" and (event = ",
    )
    .await
    .unwrap();
    let error = d
        .wait(".field-error[data-field=\"logEvent.subscribe\"]", 10)
        .await
        .unwrap();
    let message = d.text(&error).await.unwrap();
    assert!(
        !message.trim().is_empty(),
        "the trigger's parse error is shown"
    );
    wait_status(&d, "logEvent", "INVALID", 10).await;
    shots.take(&d, "broken-trigger").await;
    // Fixed, and narrowed to this event: sent again.
    d.fill(
        "input[data-field=\"logEvent.subscribe\"]",
        "type = \"track\" and event = \"Signed Up\"",
    )
    .await
    .unwrap();
    d.wait_gone(".field-error[data-field=\"logEvent.subscribe\"]", 10)
        .await
        .unwrap();
    wait_status(&d, "logEvent", "SENT", 10).await;
    let shown = shown_payload(&d, "logEvent").await;
    assert_eq!(shown["user_id"], "pro");

    // Saved (with a new connection; Group Identify User, on by default, asks for fields
    // this test does not need, so it is switched off), then the server's preview of the
    // saved integration.
    let group = d
        .find(".section-toggle[data-section=\"groupIdentifyUser\"]")
        .await
        .unwrap();
    if d.property(&group, "checked").await.unwrap() == json!(true) {
        d.click(&group).await.unwrap();
    }
    wait_status(&d, "groupIdentifyUser", "SECTION_OFF", 10).await;
    d.fill("#connection-name", "Amplitude project")
        .await
        .unwrap();
    d.fill("input[data-field=\"apiKey\"]", "amp-api-key-123")
        .await
        .unwrap();
    d.fill("input[data-field=\"secretKey\"]", "amp-secret-456")
        .await
        .unwrap();
    d.click_on("#save-integration").await.unwrap();
    if let Err(e) = d.wait_text(".integration-row", "Amplitude", 30).await {
        shots.take(&d, "not-saved").await;
        panic!(
            "{e}: {}: {}",
            inner_text(&d, "#save-outcome").await,
            inner_text(&d, ".form-errors").await
        );
    }
    let saved = graphql(&d, SAVED, json!({ "a": key, "e": event })).await;
    let integrations = saved["deliveryPreview"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(integrations.len(), 1, "{saved}");
    let log = integrations[0]["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["code"] == "logEvent"))
        .cloned()
        .unwrap_or_else(|| panic!("logEvent in {saved}"));
    assert_eq!(log["status"], "SENT", "{log}");
    assert_eq!(
        log["payload"], shown,
        "the server's payload for the saved integration is the one the panel showed"
    );

    // "Test with an event" on the integrations list: one line, sent.
    d.wait("#delivery-test", 10).await.unwrap();
    d.click_on("#delivery-test").await.unwrap();
    let line = d
        .wait(".delivery-line[data-status=\"SENT\"]", 20)
        .await
        .unwrap();
    let text = d.text(&line).await.unwrap();
    assert!(
        text.contains("Amplitude") && text.contains("sent"),
        "{text}"
    );
    assert_eq!(d.find_all(".delivery-line").await.unwrap().len(), 1);
    shots.take(&d, "test-with-an-event").await;

    // A section whose mapping uses @liquid (Rokt's Send: `rtid` and the device ids), which
    // the window leaves to the server: "Preview on the server" shows the server's payload,
    // and the saved integration's `deliveryPreview` agrees with it.
    let order = json!({
        "type": "track", "event": "Order Completed", "userId": "ada",
        "properties": {"order_id": "o-7", "revenue": 42.5, "currency": "GBP"},
        "context": {
            "page": {"search": "?utm=x&rtid=r-42&y=2"},
            "device": {"type": "ios", "advertisingId": "IDFA-1"},
            "userAgent": "Mozilla/5.0"
        }
    });
    let sent = reqwest::Client::new()
        .post(format!("{collector}/v1/track"))
        .basic_auth(&key, Some(""))
        .json(&order)
        .send()
        .await
        .expect("the collector answers");
    assert_eq!(sent.status(), 200);
    let stored = graphql(
        &d,
        "query($a: String!) { events(appId: $a, first: 5) { nodes { payload } } }",
        json!({ "a": key }),
    )
    .await;
    let order = stored["events"]["nodes"]
        .as_array()
        .and_then(|nodes| {
            nodes
                .iter()
                .find(|n| n["payload"]["event"] == "Order Completed")
        })
        .map(|n| n["payload"].clone())
        .unwrap_or_else(|| panic!("the order is stored: {stored}"));
    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "rokt").await.unwrap();
    d.click_on(".destination-card[data-code=\"actions-rokt-capi\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    let toggle = d
        .wait(".section-toggle[data-section=\"send\"]", 20)
        .await
        .unwrap();
    if d.property(&toggle, "checked").await.unwrap() != json!(true) {
        d.click(&toggle).await.unwrap();
    }
    // Send has no default trigger: one for every track.
    d.wait("input[data-field=\"send.subscribe\"]", 20)
        .await
        .unwrap();
    d.fill("input[data-field=\"send.subscribe\"]", "type = \"track\"")
        .await
        .unwrap();
    d.click_on("#test-open").await.unwrap();
    d.wait("#test-panel", 10).await.unwrap();
    wait_status(&d, "send", "SERVER", 20).await;
    let section = ".test-section[data-section=\"send\"]";
    d.click_on(&format!("{section} .test-server-preview"))
        .await
        .unwrap();
    if let Err(e) = wait_inner(&d, &format!("{section} .test-payload"), "r-42", 20).await {
        shots.take(&d, "no-server-preview").await;
        panic!("{e}: {}", inner_text(&d, section).await);
    }
    let from_server = shown_payload(&d, "send").await;
    assert_eq!(
        from_server["rtid"], "r-42",
        "@liquid read the page's search: {from_server}"
    );
    assert_eq!(
        from_server["device_info"]["ios_advertising_id"], "IDFA-1",
        "{from_server}"
    );
    assert_eq!(
        from_server["eventDetails"]["conversiontype"], "Order Completed",
        "the rest of the mapping too: {from_server}"
    );
    shots.take(&d, "preview-on-the-server").await;
    d.fill("#connection-name", "Rokt account").await.unwrap();
    d.fill("input[data-field=\"apiKey\"]", "rokt-key-1")
        .await
        .unwrap();
    d.fill("input[data-field=\"apiSecret\"]", "rokt-secret-2")
        .await
        .unwrap();
    d.click_on("#save-integration").await.unwrap();
    if let Err(e) = d.wait_text(".integration-row", "Rokt", 30).await {
        shots.take(&d, "rokt-not-saved").await;
        panic!(
            "{e}: {}: {}",
            inner_text(&d, "#save-outcome").await,
            inner_text(&d, ".form-errors").await
        );
    }
    let saved = graphql(&d, SAVED, json!({ "a": key, "e": order })).await;
    let send = saved["deliveryPreview"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["code"] == "actions-rokt-capi"))
        .and_then(|rokt| rokt["sections"].as_array())
        .and_then(|s| s.iter().find(|s| s["code"] == "send"))
        .cloned()
        .unwrap_or_else(|| panic!("Rokt's send in {saved}"));
    assert_eq!(
        send["payload"], from_server,
        "the saved integration's delivery is what the panel's server preview showed"
    );

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
}
