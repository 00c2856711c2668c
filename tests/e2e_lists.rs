//! End to end, in the real window, against a remote Houston whose organization has more
//! connections than a page (issue 14 #2): the Connections list shows a page and the rows on
//! screen only, reads the next page as the person scrolls, and searches on the server as
//! they type; the configure page's connection picker is a combobox that searches too and
//! is driven with the keyboard (arrow keys, Enter, Escape).
//!
//! Run inside `.ci/session` after `make ui`:
//! `.ci/session cargo test -p houston-desktop --test e2e_lists`. Screenshots go to
//! `target/e2e-artifacts/lists/`.

mod e2e_support;
mod webdriver;

use e2e_support::{launch, DriverProcess, Shots};
use houston_test_harness::{http, ServerProcess};
use serde_json::{json, Value};
use webdriver::Driver;

const EMAIL: &str = "katherine@example.com";
const PASSWORD: &str = "trajectory-1962-friendship";
/// More than two pages of 50.
const CONNECTIONS: usize = 130;

/// A confirmed user with an organization, a source and [`CONNECTIONS`] Acquisio
/// connections named "Account 000", "Account 001", …, made over the API as any client
/// would; answers the connections' ids by name.
async fn seed(url: &str) -> std::collections::HashMap<String, String> {
    let token = http::confirmed_user(url, url, EMAIL, PASSWORD).await;
    let org_id = http::ok_id(
        url,
        r#"mutation { createOrganization(name: "Langley") { success id } }"#,
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
    let mut ids = std::collections::HashMap::new();
    for n in 0..CONNECTIONS {
        let name = format!("Account {n:03}");
        let made = http::data(
            url,
            r#"mutation($o: String!, $n: String!) { createConnection(integrationCode: "acquisio", details: {apiKey: "acq-key"}, name: $n, orgId: $o, connectionPrototypeId: "acquisio") { success id } }"#,
            json!({ "o": org_id, "n": name }),
            Some(&token),
            Some(&org_id),
        )
        .await;
        let id = made["createConnection"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{made}"));
        ids.insert(name, id.to_owned());
    }
    ids
}

async fn value_of(d: &Driver, css: &str) -> Value {
    let e = d.find(css).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    d.property(&e, "value").await.unwrap()
}

async fn attribute(d: &Driver, css: &str, name: &str) -> Value {
    d.script(&format!(
        "return document.querySelector({css:?}).getAttribute({name:?});"
    ))
    .await
    .unwrap()
}

/// How many elements match `css` in the page.
async fn count(d: &Driver, css: &str) -> u64 {
    d.script(&format!(
        "return document.querySelectorAll({css:?}).length;"
    ))
    .await
    .unwrap()
    .as_u64()
    .unwrap_or(0)
}

/// Waits until `check` holds, polling every 150 ms for up to `secs`.
async fn until<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

#[tokio::test]
async fn a_long_list_of_connections_pages_as_it_scrolls_and_is_searched_and_picked_on_the_server() {
    let server_dir = tempfile::tempdir().unwrap();
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("lists");
    let server = ServerProcess::in_dir(server_dir.path(), "127.0.0.1:0");
    let url = server.url.clone();
    let ids = seed(&url).await;

    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    // For the polls' closures.
    let dr = &d;
    d.click_on("#backend-remote").await.unwrap();
    d.fill("#remote-url", &url).await.unwrap();
    d.click_on("#continue").await.unwrap();
    d.fill("#signin-email", EMAIL).await.unwrap();
    d.fill("#signin-password", PASSWORD).await.unwrap();
    d.click_on("#signin-submit").await.unwrap();
    d.wait_text("#current-user", EMAIL, 30).await.unwrap();

    // The first page: 50 of 130 loaded, and only the rows on screen in the page.
    d.click_on("#nav-connections").await.unwrap();
    d.wait_text(".connection-row .connection-name", "Account 000", 30)
        .await
        .unwrap();
    d.wait_text("#connections-list + .list-total", "50 of 130", 20)
        .await
        .unwrap();
    let rendered = count(&d, "#connections-list .connection-row").await;
    assert!(
        (1..50).contains(&rendered),
        "only the rows on screen are rendered, not the page of 50: {rendered}"
    );
    shots.take(&d, "first-page").await;

    // Scrolling to the end of those loaded reads the next page, and then the last.
    for loaded in ["100 of 130", "130 of 130"] {
        until(&format!("{loaded} after scrolling"), 20, || async move {
            dr.script("const l = document.getElementById('connections-list'); l.scrollTop = l.scrollHeight; return true;")
                .await
                .unwrap();
            dr.text(&dr.find("#connections-list + .list-total").await.unwrap())
                .await
                .unwrap_or_default()
                == loaded
        })
        .await;
    }
    // The last page made the list taller: to its end again, where the last row shows.
    until("Account 129 on screen", 20, || async move {
        dr.script("const l = document.getElementById('connections-list'); l.scrollTop = l.scrollHeight; return true;")
            .await
            .unwrap();
        count(dr, ".connection-row[data-id] .connection-name").await > 0
            && dr
                .script("return [...document.querySelectorAll('.connection-row .connection-name')].some((e) => e.textContent === 'Account 129');")
                .await
                .unwrap()
                == true
    })
    .await;
    let rendered = count(&d, "#connections-list .connection-row").await;
    assert!(
        rendered < 60,
        "scrolled to the end, still only the rows near the screen: {rendered}"
    );
    assert_eq!(
        count(
            &d,
            "#connections-list .connection-row[data-id] .connection-name"
        )
        .await,
        rendered
    );
    shots.take(&d, "scrolled-to-the-end").await;

    // Searching asks the server: one match of 130.
    d.fill("#connections-search", "account 117").await.unwrap();
    d.wait_text("#connections-list + .list-total", "1 of 1", 20)
        .await
        .unwrap();
    assert_eq!(count(&d, "#connections-list .connection-row").await, 1);
    d.wait_text(".connection-row .connection-name", "Account 117", 5)
        .await
        .unwrap();
    shots.take(&d, "searched").await;

    // The connection picker of a destination's form: a combobox, one page at most.
    d.click_on("#nav-destinations").await.unwrap();
    d.wait(".destination-card", 30).await.unwrap();
    d.fill("#catalog-search", "acquisio").await.unwrap();
    d.click_on(".destination-card[data-code=\"acquisio\"]")
        .await
        .unwrap();
    d.wait("#save-integration", 20).await.unwrap();
    until("the first source chosen", 20, || async move {
        value_of(dr, "#integration-source").await == "Website (analytics.js)"
    })
    .await;
    let pick = d.wait("#connection-pick", 20).await.unwrap();
    assert_eq!(attribute(&d, "#connection-pick", "role").await, "combobox");
    assert_eq!(value_of(&d, "#connection-pick-value").await, "new");
    assert_eq!(value_of(&d, "#connection-pick").await, "New connection…");
    d.click(&pick).await.unwrap();
    assert_eq!(
        attribute(&d, "#connection-pick", "aria-expanded").await,
        "true"
    );
    until("one page of options", 20, || async move {
        count(dr, "#connection-pick-options [role=option]").await == 51
    })
    .await;
    d.wait_text("#connection-pick-options .combobox-more", "50 of 130", 10)
        .await
        .unwrap();

    // Typing narrows on the server (the box's text replaced as a script: WebKitGTK's
    // WebDriver does not select it with Ctrl+A, and its clear would blur the box); the
    // arrow keys move, Enter chooses.
    let pick = d.find("#connection-pick").await.unwrap();
    d.script("const i = document.getElementById('connection-pick'); i.value = 'Account 12'; i.dispatchEvent(new Event('input', { bubbles: true })); return true;")
        .await
        .unwrap();
    until("the options of “Account 12”", 20, || async move {
        count(dr, "#connection-pick-options [role=option]").await == 1 + 10
    })
    .await;
    // ArrowDown twice: "New connection…", then "Account 120".
    d.type_into(&pick, "\u{E015}\u{E015}").await.unwrap();
    assert_eq!(
        attribute(&d, "#connection-pick", "aria-activedescendant").await,
        "connection-pick-option-1"
    );
    d.wait_text("#connection-pick-option-1.active", "Account 120", 5)
        .await
        .unwrap();
    shots.take(&d, "combobox-searched").await;
    d.type_into(&pick, "\u{E007}").await.unwrap();
    let chosen = ids["Account 120"].as_str();
    until("Account 120 chosen", 10, || async move {
        value_of(dr, "#connection-pick-value").await == chosen
    })
    .await;
    assert_eq!(value_of(&d, "#connection-pick").await, "Account 120");
    assert_eq!(
        attribute(&d, "#connection-pick", "aria-expanded").await,
        "false"
    );
    d.wait_gone("#connection-name", 5).await.unwrap();

    // Escape puts back the chosen connection's name.
    d.type_into(&pick, "Account 00").await.unwrap();
    d.type_into(&pick, "\u{E00C}").await.unwrap();
    assert_eq!(value_of(&d, "#connection-pick").await, "Account 120");
    assert_eq!(
        value_of(&d, "#connection-pick-value").await,
        ids["Account 120"].as_str()
    );
    shots.take(&d, "combobox-chosen").await;

    d.quit().await;
    drop(server);
}
