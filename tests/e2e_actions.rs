//! The window's actions in the real window (tauri-driver under Xvfb, like `e2e.rs`): a
//! source's platform changed; a connection made on its own, renamed (a blank name refused,
//! not "saved"; leaving a half-typed name asks first), refused deletion while an integration uses it (the refusal shown on its
//! card, after the dialog was first cancelled), an integration's deletion cancelled with
//! Escape then confirmed with Enter, the connection then deleted; and the last
//! organization deleted, after which the window acts for none and says so. Screenshots go
//! to `target/e2e-artifacts/actions/`.

mod e2e_support;
mod webdriver;

use e2e_support::{
    bundled_source, graphql, inner_text, launch, wait_for_app_exit, wait_inner, BundledSource,
    DriverProcess, Shots,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use webdriver::Driver;

/// WebDriver's codes for the keys a person presses in the dialog.
const ESCAPE: &str = "\u{E00C}";
const ENTER: &str = "\u{E007}";

/// The connections of the current organization, as the server has them.
async fn connections(d: &Driver, org: &str) -> Vec<Value> {
    let answer = graphql(
        d,
        "query($o: String!) { orgConnections(orgId: $o) { id name } }",
        json!({ "o": org }),
    )
    .await;
    answer["orgConnections"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("the connections: {answer}"))
}

/// The `data-id` of the first element matching `css`.
async fn data_id(d: &Driver, css: &str) -> String {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.dataset.id : ''",
        Value::String(css.to_owned())
    );
    d.script(&script)
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The session as the shell holds it.
async fn session(d: &Driver) -> Value {
    let answer = d
        .script_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('session_state', {})
               .then(r => done(JSON.stringify(r)), e => done(JSON.stringify({ error: e })));",
        )
        .await
        .unwrap();
    serde_json::from_str(answer.as_str().unwrap_or("null")).unwrap()
}

/// Waits until no element matches `css` any more, or fails saying what is still there.
async fn gone(d: &Driver, css: &str, secs: u64) {
    if let Err(e) = d.wait_gone(css, secs).await {
        panic!("{css} is still shown: {e}: {:?}", inner_text(d, css).await);
    }
}

#[tokio::test]
async fn destructive_actions_ask_first_and_refusals_are_shown() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("actions");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    let BundledSource { write_key, .. } = bundled_source(
        &d,
        "lin@example.com",
        "difference-engine-1822",
        "Actions Ltd",
        "Shop",
    )
    .await;
    let org = session(&d).await["organization"]
        .as_str()
        .expect("an organization is acted for")
        .to_owned();

    // A source's platform changed.
    d.click_on(".source-row .source-rename").await.unwrap();
    d.click_on(".source-row .source-platform-select option[value=\"analytics-ios\"]")
        .await
        .unwrap();
    d.wait_text(".source-row .source-platform", "analytics-ios", 20)
        .await
        .unwrap();
    let apps = graphql(
        &d,
        "query($a: String!) { applications(appId: $a) { platform } }",
        json!({ "a": write_key }),
    )
    .await;
    assert_eq!(
        apps["applications"][0]["platform"], "analytics-ios",
        "the server has the new platform: {apps}"
    );
    shots.take(&d, "platform-changed").await;

    // A connection made on its own, not from a destination's form.
    d.click_on("#nav-connections").await.unwrap();
    d.click_on("#connection-new").await.unwrap();
    d.wait("#connection-new-destination option[value=\"acquisio\"]", 60)
        .await
        .unwrap();
    d.click_on("#connection-new-destination option[value=\"acquisio\"]")
        .await
        .unwrap();
    d.fill("#connection-new-name", "Acquisio account")
        .await
        .unwrap();
    d.fill("input[data-field=\"apiKey\"]", "acq-key-12345")
        .await
        .unwrap();
    shots.take(&d, "new-connection").await;
    d.click_on("#connection-new-save").await.unwrap();
    d.wait_text(".connection-row .connection-name", "Acquisio account", 20)
        .await
        .unwrap();
    let connection = data_id(&d, ".connection-row").await;
    assert_eq!(connections(&d, &org).await.len(), 1);

    // Renamed; a blank name is refused, not "saved".
    d.click_on(".connection-rename").await.unwrap();
    d.fill(".connection-rename-input", "   ").await.unwrap();
    d.click_on(".connection-rename-save").await.unwrap();
    wait_inner(&d, ".connection-message", "cannot be blank", 10)
        .await
        .unwrap();
    assert_eq!(connections(&d, &org).await[0]["name"], "Acquisio account");
    d.fill(".connection-rename-input", "Acquisio production")
        .await
        .unwrap();
    d.click_on(".connection-rename-save").await.unwrap();
    d.wait_text(
        ".connection-row .connection-name",
        "Acquisio production",
        20,
    )
    .await
    .unwrap();
    assert_eq!(
        connections(&d, &org).await[0]["name"],
        "Acquisio production"
    );
    shots.take(&d, "renamed").await;

    // Leaving a half-typed rename asks first; staying keeps what was typed.
    d.click_on(".connection-rename").await.unwrap();
    d.fill(".connection-rename-input", "Half-typed")
        .await
        .unwrap();
    d.click_on("#nav-sources").await.unwrap();
    wait_inner(&d, "#confirm-title", "Leave without saving?", 10)
        .await
        .unwrap();
    shots.take(&d, "unsaved-changes").await;
    d.click_on("#confirm-cancel").await.unwrap();
    gone(&d, "#confirm", 10).await;
    let input = d.find(".connection-rename-input").await.unwrap();
    assert_eq!(d.property(&input, "value").await.unwrap(), "Half-typed");
    d.click_on("#nav-sources").await.unwrap();
    d.click_on("#confirm-yes").await.unwrap();
    d.wait_text(".source-row", "Shop", 20).await.unwrap();
    d.click_on("#nav-connections").await.unwrap();
    d.wait_text(
        ".connection-row .connection-name",
        "Acquisio production",
        20,
    )
    .await
    .unwrap();
    assert_eq!(
        connections(&d, &org).await[0]["name"],
        "Acquisio production",
        "leaving saved nothing"
    );

    // An integration of the source uses it.
    let made = graphql(
        &d,
        "mutation($a: String!, $c: String!) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {}, connectionId: $c, name: \"Acquisio for the shop\") { success message } }",
        json!({ "a": write_key, "c": connection }),
    )
    .await;
    assert_eq!(made["createIntegration"]["success"], true, "{made}");

    // Deleting the connection asks first; cancelled, nothing happens.
    d.click_on(".connection-delete").await.unwrap();
    d.wait("#confirm[role=\"dialog\"]", 10).await.unwrap();
    wait_inner(&d, "#confirm-title", "Acquisio production", 5)
        .await
        .unwrap();
    shots.take(&d, "confirm-delete-connection").await;
    d.click_on("#confirm-cancel").await.unwrap();
    gone(&d, "#confirm", 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        connections(&d, &org).await.len(),
        1,
        "cancel deleted nothing"
    );
    assert!(
        !inner_text(&d, ".connection-message")
            .await
            .contains("used by"),
        "cancel asked nothing of the server"
    );
    // Confirmed: the server refuses, in use, and the card says so.
    d.click_on(".connection-delete").await.unwrap();
    d.wait("#confirm", 10).await.unwrap();
    d.click_on("#confirm-yes").await.unwrap();
    gone(&d, "#confirm", 10).await;
    wait_inner(&d, ".connection-message", "used by an integration", 20)
        .await
        .unwrap();
    assert_eq!(connections(&d, &org).await.len(), 1, "refused: still there");
    shots.take(&d, "connection-in-use").await;

    // Deleting the integration: Escape cancels, Enter confirms.
    d.click_on("#nav-integrations").await.unwrap();
    d.wait_text(".integration-row", "Acquisio for the shop", 20)
        .await
        .unwrap();
    d.click_on(".integration-delete").await.unwrap();
    let yes = d.wait("#confirm-yes", 10).await.unwrap();
    wait_inner(&d, "#confirm-consequences", "“Shop”", 5)
        .await
        .unwrap();
    d.type_into(&yes, ESCAPE).await.unwrap();
    gone(&d, "#confirm", 10).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        inner_text(&d, "table")
            .await
            .contains("Acquisio for the shop"),
        "Escape deleted nothing"
    );
    d.click_on(".integration-delete").await.unwrap();
    let yes = d.wait("#confirm-yes", 10).await.unwrap();
    d.type_into(&yes, ENTER).await.unwrap();
    gone(&d, "#confirm", 10).await;
    gone(&d, ".integration-row", 20).await;
    shots.take(&d, "integration-deleted").await;

    // Now unused, the connection goes.
    d.click_on("#nav-connections").await.unwrap();
    d.wait(".connection-delete", 20).await.unwrap();
    d.click_on(".connection-delete").await.unwrap();
    d.click_on("#confirm-yes").await.unwrap();
    gone(&d, ".connection-row", 20).await;
    assert!(connections(&d, &org).await.is_empty());

    // The last organization deleted: the window acts for none, says so, and stays usable.
    d.click_on("#nav-sources").await.unwrap();
    d.wait_text(".source-row", "Shop", 20).await.unwrap();
    d.click_on("#nav-orgs").await.unwrap();
    d.click_on("#org-delete").await.unwrap();
    wait_inner(&d, "#confirm-consequences", "for every member", 5)
        .await
        .unwrap();
    d.click_on("#confirm-yes").await.unwrap();
    d.wait("#app-notice", 20).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !session(&d).await["organization"].is_null() {
        assert!(
            Instant::now() < deadline,
            "the deleted organization is still acted for: {}",
            session(&d).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_inner(&d, ".main", "You belong to no organization yet", 10)
        .await
        .unwrap();
    shots.take(&d, "no-organization-left").await;
    d.click_on("#nav-sources").await.unwrap();
    wait_inner(&d, ".main", "Create or choose an organization first", 10)
        .await
        .unwrap();
    assert!(
        !inner_text(&d, ".main").await.contains("not found"),
        "no call on the old id: {}",
        inner_text(&d, ".main").await
    );

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
}
