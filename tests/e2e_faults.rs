//! End to end, in the real window, against a remote Houston that fails: a `houston-server`
//! process (SQLite file, secret file) is killed while a person edits a destination's form,
//! then started again on the same address and database. The form must keep everything
//! typed, say the server is unreachable, and save once the server is back. Afterwards,
//! nothing the app or its webview wrote to disk holds the connection's secret or the token.
//!
//! Run inside `.ci/session` after `make ui`, like `tests/e2e.rs`:
//! `.ci/session cargo test -p houston-desktop --test e2e_faults`. It needs the
//! `houston-server` binary beside the test (built on demand; `cargo test --workspace` builds
//! it for the server's tests anyway). Screenshots go to `target/e2e-artifacts/faults/`.

mod e2e_support;
mod webdriver;

use e2e_support::{
    files_holding, launch, secret_tool_search, wait_for_app_exit, DriverProcess, Shots,
};
use houston_desktop::session::{account, normalize_url, BackendKind, Settings};
use houston_test_harness::{http, ServerProcess};
use serde_json::{json, Value};
use webdriver::Driver;

const EMAIL: &str = "margaret@example.com";
const PASSWORD: &str = "apollo-guidance-1969";
/// The connection's API key: a secret the server seals and masks, and that must never be
/// written anywhere by the app.
const API_KEY: &str = "acq-fault-secret-5f1c9e";
const INTEGRATION: &str = "Acquisio, finished while the server was down";
const CONNECTION: &str = "Acquisio account, renamed offline";

/// A confirmed user with an organization and a source, made over the API as any client
/// would; answers (token, organization id).
async fn seed(url: &str) -> (String, String) {
    let token = http::confirmed_user(url, url, EMAIL, PASSWORD).await;
    let org_id = http::ok_id(
        url,
        r#"mutation { createOrganization(name: "Mission Control") { success id } }"#,
        json!({}),
        Some(&token),
    )
    .await;
    let source = http::data(
        url,
        r#"mutation($o: String!) { createApplication(name: "Website", platform: "analytics.js", orgId: $o) { success } }"#,
        json!({ "o": org_id }),
        Some(&token),
        Some(&org_id),
    )
    .await;
    assert_eq!(source["createApplication"]["success"], true, "{source}");
    (token, org_id)
}

async fn value_of(d: &Driver, css: &str) -> Value {
    let e = d.find(css).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    d.property(&e, "value").await.unwrap()
}

#[tokio::test]
async fn a_form_survives_its_server_going_away_and_saves_when_it_is_back() {
    let server_dir = tempfile::tempdir().unwrap();
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("faults");
    let server = ServerProcess::in_dir(server_dir.path(), "127.0.0.1:0");
    let url = server.url.clone();
    let addr = server.addr.clone();
    let (api_token, org_id) = seed(&url).await;

    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;

    // First run: a remote Houston, the one just started.
    d.click_on("#backend-remote").await.unwrap();
    d.fill("#remote-url", &url).await.unwrap();
    d.click_on("#continue").await.unwrap();
    d.fill("#signin-email", EMAIL).await.unwrap();
    d.fill("#signin-password", PASSWORD).await.unwrap();
    d.click_on("#signin-submit").await.unwrap();
    d.wait_text("#current-user", EMAIL, 30).await.unwrap();

    // A destination's form, filled in, with a source chosen.
    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "acquisio").await.unwrap();
    d.click_on(".destination-card[data-code=\"acquisio\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    // The source picker (a combobox) shows the first source once it is read.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while value_of(&d, "#integration-source").await != "Website (analytics.js)" {
        assert!(std::time::Instant::now() < deadline, "no source chosen");
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    d.fill("#integration-name", "Acquisio").await.unwrap();
    d.fill("#connection-name", "Acquisio account")
        .await
        .unwrap();
    d.fill("input[data-field=\"apiKey\"]", API_KEY)
        .await
        .unwrap();
    shots.take(&d, "form-filled").await;

    // The server goes away (SIGKILL); the person keeps editing, then saves.
    server.kill();
    d.fill("#integration-name", INTEGRATION).await.unwrap();
    d.fill("#connection-name", CONNECTION).await.unwrap();
    d.click_on("#save-integration").await.unwrap();
    let outcome = d
        .wait_text("#save-outcome", "cannot be reached", 40)
        .await
        .unwrap();
    assert_eq!(
        d.text(&outcome).await.unwrap(),
        "The connection was not saved: the server cannot be reached; your changes are kept."
    );
    let banner = d.wait("#unreachable", 10).await.unwrap();
    assert_eq!(
        d.text(&banner).await.unwrap(),
        "The server cannot be reached; your changes are kept."
    );
    shots.take(&d, "server-unreachable").await;
    // Nothing typed is lost, and the form is still the one being edited.
    assert_eq!(value_of(&d, "#integration-name").await, INTEGRATION);
    assert_eq!(value_of(&d, "#connection-name").await, CONNECTION);
    assert_eq!(value_of(&d, "input[data-field=\"apiKey\"]").await, API_KEY);
    assert_eq!(value_of(&d, "#connection-pick-value").await, "new");
    let save = d.find("#save-integration").await.unwrap();
    assert_eq!(
        d.property(&save, "disabled").await.unwrap(),
        false,
        "Save can be pressed again"
    );

    // The server is back on the same address and database: saving again saves.
    let server = ServerProcess::in_dir(server_dir.path(), &addr);
    assert_eq!(server.url, url, "the same address");
    d.click_on("#save-integration").await.unwrap();
    d.wait_text(".integration-row", INTEGRATION, 30)
        .await
        .unwrap();
    d.wait_gone("#unreachable", 10).await.unwrap();
    shots.take(&d, "saved-after-restart").await;

    // The server holds exactly one connection and one integration, as typed last.
    let data = http::data(
        &url,
        "query($o: String!) { orgConnections(orgId: $o) { id name integrationCode } }",
        json!({ "o": org_id }),
        Some(&api_token),
        Some(&org_id),
    )
    .await;
    let connections = data["orgConnections"].as_array().unwrap();
    assert_eq!(connections.len(), 1, "{data}");
    assert_eq!(connections[0]["name"], CONNECTION);
    assert_eq!(connections[0]["integrationCode"], "acquisio");
    let data = http::data(
        &url,
        "query($o: ID) { clickstreamConfigs(orgId: $o) { name code connection { id } } }",
        json!({ "o": org_id }),
        Some(&api_token),
        Some(&org_id),
    )
    .await;
    let integrations = data["clickstreamConfigs"].as_array().unwrap();
    assert_eq!(integrations.len(), 1, "{data}");
    assert_eq!(integrations[0]["name"], INTEGRATION);
    assert_eq!(integrations[0]["code"], "acquisio");
    assert_eq!(integrations[0]["connection"]["id"], connections[0]["id"]);

    // The app's token, from the keyring entry of this remote Houston.
    let settings = Settings {
        backend: BackendKind::Remote,
        remote_url: Some(normalize_url(&url).unwrap()),
        ..Settings::default()
    };
    let token = secret_tool_search(&account(&settings, data_home.path()))
        .expect("the session is in the keyring");
    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());

    // Nothing the app or its webview wrote holds the API key or the token: the settings,
    // WebKit's localStorage, IndexedDB and caches under the XDG data, config and cache
    // homes. (This server's database is elsewhere, in `server_dir`.)
    let signature = token.rsplit('.').next().unwrap_or(&token).to_owned();
    let leaks = files_holding(data_home.path(), &[API_KEY, &token, &signature], &[]);
    assert!(leaks.is_empty(), "secrets on disk: {leaks:#?}");
    // The scan does see what the app writes: the server's address is in its settings.
    let settings = files_holding(data_home.path(), &[&addr], &[]);
    assert!(
        settings.iter().any(|f| f.contains("settings.json")),
        "the scan reads the app's settings: {settings:?}"
    );
    drop(server);
}
