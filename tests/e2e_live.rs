//! Live updates in the real window (tauri-driver under Xvfb, like `e2e.rs`), on the
//! bundled server: another member of the organization changes things over HTTP (the
//! bundled server's API served on the loopback collector for the test) and the window
//! shows them without a click — a new source on the Sources page, a new integration on
//! the Integrations page. Then, with an integration's form open and a value typed but not
//! saved, the other member renames the same integration: what was typed stays, and the
//! page says "Changed by someone else" with Reload and Keep editing; Reload shows their
//! name; their deletion is then said instead of failing on save. Screenshots go to
//! `target/e2e-artifacts/live/`.

mod e2e_support;
mod webdriver;

use e2e_support::{bundled_source, graphql, launch, wait_for_app_exit, DriverProcess, Shots};
use serde_json::{json, Value};
use webdriver::Driver;

/// Runs a shell command from the window (as the window's own code does) and answers it.
async fn invoke(d: &Driver, command: &str, args: Value) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke({command}, {args})
           .then(r => done(JSON.stringify(r)), e => done(JSON.stringify({{ error: e }})));",
        command = Value::String(command.to_owned()),
    );
    let answer = d.script_async(&script).await.expect("the script runs");
    serde_json::from_str(answer.as_str().unwrap_or("null")).expect("JSON")
}

/// The newest link token of `kind` to `to` in the bundled server's outbox.
async fn mailed(d: &Driver, to: &str, kind: &str) -> String {
    let outbox = invoke(d, "mail_outbox", json!({})).await;
    outbox
        .as_array()
        .and_then(|mail| {
            mail.iter()
                .find(|m| m["to"] == to && m["kind"] == kind)
                .and_then(|m| m["token"].as_str())
        })
        .unwrap_or_else(|| panic!("no {kind} mail to {to}: {outbox}"))
        .to_owned()
}

/// The other member: their requests go over HTTP to the bundled server.
struct Member {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Member {
    /// The `data` of one request, asserted free of errors.
    async fn data(&self, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(answer.get("errors").is_none(), "{query}: {answer}");
        answer["data"].clone()
    }

    /// A mutation answering a StatusMessage, asserted successful: its `id`.
    async fn ok(&self, query: &str, variables: Value) -> String {
        let data = self.data(query, variables).await;
        let status = data.as_object().unwrap().values().next().unwrap().clone();
        assert_eq!(status["success"], true, "{query}: {status}");
        status["id"].as_str().unwrap_or_default().to_owned()
    }
}

#[tokio::test]
async fn another_members_changes_show_without_a_click_and_typed_values_stay() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("live");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    bundled_source(
        &d,
        "ada@example.com",
        "analytical-engine-1843",
        "Live Ltd",
        "Shop",
    )
    .await;
    let view = invoke(&d, "session_state", json!({})).await;
    let org = view["organization"]
        .as_str()
        .expect("an organization")
        .to_owned();

    // The bundled server's API on the loopback collector, for the other member.
    let port = view["collectorPort"].as_u64().expect("a collector port");
    let view = invoke(
        &d,
        "save_collector",
        json!({ "port": port, "serveApi": true }),
    )
    .await;
    let url = format!(
        "{}/graphql",
        view["collectorUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("{view}"))
    );
    let mut bob = Member {
        http: reqwest::Client::new(),
        url,
        token: None,
    };
    let signed_up = bob
        .data(
            "mutation { createNewUser(email: \"bob@example.com\", password: \"difference-engine\", profile: {firstName: \"Bob\"}) { success message } }",
            json!({}),
        )
        .await;
    assert_eq!(signed_up["createNewUser"]["success"], true, "{signed_up}");
    let confirmed = bob
        .data(
            "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
            json!({ "t": mailed(&d, "bob@example.com", "CONFIRM_EMAIL").await }),
        )
        .await;
    bob.token = confirmed["confirmEmail"]["token"]
        .as_str()
        .map(str::to_owned);
    let invited = graphql(
        &d,
        "mutation($o: String!) { updateOrganization(orgId: $o, addUser: {email: \"bob@example.com\", role: USER}) { success message } }",
        json!({ "o": org }),
    )
    .await;
    assert_eq!(invited["updateOrganization"]["success"], true, "{invited}");
    bob.ok(
        "mutation($t: String) { acceptInvitation(token: $t) { success message id } }",
        json!({ "t": mailed(&d, "bob@example.com", "INVITATION").await }),
    )
    .await;

    // The window shows the Sources page; Bob adds a source: it shows, no click.
    d.wait_text(".source-row", "Shop", 20).await.unwrap();
    let app = bob
        .ok(
            "mutation($o: String!) { createApplication(name: \"Bob's blog\", platform: \"analytics.js\", orgId: $o) { success message id } }",
            json!({ "o": org }),
        )
        .await;
    d.wait_text(".source-row", "Bob's blog", 20)
        .await
        .expect("another member's new source shows without a click");
    shots.take(&d, "source-of-another-member").await;

    // The Integrations page; Bob adds an integration to his source: it shows, no click.
    d.click_on("#nav-integrations").await.unwrap();
    d.wait(".page", 10).await.unwrap();
    let connection = bob
        .ok(
            "mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"acq-key-98765\"}, name: \"Bob's Acquisio\", orgId: $o, connectionPrototypeId: \"acquisio\") { success message id } }",
            json!({ "o": org }),
        )
        .await;
    let integration = bob
        .ok(
            "mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {}, connectionId: $c, name: \"Acquisio for the blog\") { success message id } }",
            json!({ "a": app, "c": connection }),
        )
        .await;
    let row = format!(".integration-row[data-id=\"{integration}\"]");
    d.wait_text(&row, "Acquisio for the blog", 20)
        .await
        .expect("another member's new integration shows without a click");
    shots.take(&d, "integration-of-another-member").await;

    // Its form open, a name typed and not saved; Bob renames it meanwhile.
    d.click_on(&format!("{row} .integration-edit"))
        .await
        .unwrap();
    d.wait("#integration-name", 30).await.unwrap();
    d.fill("#integration-name", "My typed name").await.unwrap();
    bob.ok(
        "mutation($i: String!) { updateIntegration(integrationId: $i, action: UPDATE, name: \"Bob's new name\") { success message id } }",
        json!({ "i": integration }),
    )
    .await;
    d.wait_text("#changed-notice", "Changed by someone else", 20)
        .await
        .expect("the notice is shown");
    let input = d.find("#integration-name").await.unwrap();
    assert_eq!(
        d.property(&input, "value").await.unwrap(),
        "My typed name",
        "what the person typed is kept"
    );
    shots.take(&d, "changed-by-someone-else").await;

    // Reload shows Bob's version.
    d.click_on("#changed-reload").await.unwrap();
    d.wait_gone("#changed-notice", 10).await.unwrap();
    let input = d.wait("#integration-name", 10).await.unwrap();
    assert_eq!(d.property(&input, "value").await.unwrap(), "Bob's new name");

    // Bob deletes it: the page says so, and Save does not try.
    bob.ok(
        "mutation($i: String!) { updateIntegration(integrationId: $i, action: DELETE) { success message id } }",
        json!({ "i": integration }),
    )
    .await;
    d.wait_text("#deleted-notice", "deleted this integration", 20)
        .await
        .expect("the deletion is said");
    d.click_on("#save-integration").await.unwrap();
    d.wait_text("#save-outcome", "cannot be saved", 10)
        .await
        .unwrap();
    shots.take(&d, "deleted-by-someone-else").await;

    d.quit().await;
    drop(driver);
    wait_for_app_exit(data_home.path());
}
