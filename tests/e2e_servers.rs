//! Issue 13 #3 and #14, in the real window: a person signed in on the bundled server adds
//! a remote `houston-server` (a process the test starts), signs in there, switches back
//! and finds themselves still signed in with their data, and again to the remote one;
//! and after "Sign in again" the page shown reads its data again while what was typed
//! stays. Screenshots in `target/e2e-artifacts/servers/`.

mod e2e_support;
mod webdriver;

use e2e_support::{bundled_source, launch, DriverProcess, Shots};
use houston_test_harness::http::gql_with;
use houston_test_harness::ServerProcess;
use serde_json::{json, Value};

const LOCAL: &str = "local@example.com";
const REMOTE: &str = "remote@example.com";
const PASSWORD: &str = "two-servers-2026";

/// `query` on the remote server as `token`; its `data`, which must come without errors.
async fn remote_data(url: &str, query: &str, variables: Value, token: Option<&str>) -> Value {
    let answer = gql_with(&reqwest::Client::new(), url, query, variables, token, None).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// A confirmed account on the remote server (signed up and confirmed over its API, as a
/// colleague who already uses it would be).
async fn remote_account(url: &str) {
    let made = remote_data(
        url,
        "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success message token } }",
        json!({ "e": REMOTE, "p": PASSWORD }),
        None,
    )
    .await;
    let pending = made["createNewUser"]["token"].as_str().expect("a token");
    let mail = remote_data(url, "{ myMail { kind token } }", json!({}), Some(pending)).await;
    let link = mail["myMail"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["kind"] == "CONFIRM_EMAIL"))
        .and_then(|m| m["token"].as_str())
        .expect("the confirmation mail")
        .to_owned();
    let confirmed = remote_data(
        url,
        "mutation($t: String!) { confirmEmail(token: $t) { success message } }",
        json!({ "t": link }),
        None,
    )
    .await;
    assert_eq!(confirmed["confirmEmail"]["success"], true, "{confirmed}");
}

/// The server menu's row of `id`, as a CSS selector.
fn row(id: &str) -> String {
    format!(".server-item[data-server=\"{id}\"]")
}

#[tokio::test]
async fn switching_servers_keeps_each_ones_session() {
    let remote_dir = tempfile::tempdir().unwrap();
    let remote = ServerProcess::in_dir(remote_dir.path(), "127.0.0.1:0");
    remote_account(&remote.url).await;
    let base = remote.url.trim_end_matches("/graphql").to_owned();

    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("servers");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;

    // Signed in on the bundled server, with an organization and a source.
    bundled_source(&d, LOCAL, PASSWORD, "Local Org", "Local Site").await;

    // The server menu on the Account page: only the bundled server, current.
    d.click_on("#nav-account").await.unwrap();
    d.wait_text(&format!("{} .server-name", row("bundled")), "Bundled", 20)
        .await
        .unwrap();
    d.wait_text(&row("bundled"), "current", 10).await.unwrap();

    // An address nothing answers at is refused with a sentence, and not listed.
    d.click_on("#server-add-open").await.unwrap();
    let nowhere = format!("http://127.0.0.1:{}", e2e_support::free_port());
    d.fill("#server-url", &nowhere).await.unwrap();
    d.click_on("#server-add").await.unwrap();
    d.wait_text("#server-status", "Nothing answers", 20)
        .await
        .unwrap();
    assert_eq!(d.find_all(".server-item").await.unwrap().len(), 1);
    shots.take(&d, "server-unreachable").await;

    // The remote one: added, switched to, signed out there (its own session).
    d.fill("#server-url", &base).await.unwrap();
    d.click_on("#server-add").await.unwrap();
    d.wait("#signin-email", 30).await.unwrap();
    d.wait_text(&row(&remote.url), "current", 20).await.unwrap();
    assert!(d.find("#current-user").await.is_err(), "signed out there");
    shots.take(&d, "remote-sign-in").await;
    d.fill("#signin-email", REMOTE).await.unwrap();
    d.fill("#signin-password", PASSWORD).await.unwrap();
    d.click_on("#signin-submit").await.unwrap();
    d.wait_text("#current-user", REMOTE, 20).await.unwrap();
    d.click_on("#nav-orgs").await.unwrap();
    d.fill("#org-new-name", "Remote Org").await.unwrap();
    d.click_on("#org-create").await.unwrap();
    d.wait_text(".org-item", "Remote Org", 20).await.unwrap();
    assert!(
        !e2e_support::inner_text(&d, ".main")
            .await
            .contains("Local Org"),
        "the bundled server's organizations stay there"
    );

    // Back to the bundled server: still signed in, in its organization, with its data.
    d.click_on("#nav-account").await.unwrap();
    d.wait_text(&row(&remote.url), "signed in", 20)
        .await
        .unwrap();
    d.wait_text(&row("bundled"), "signed in", 20).await.unwrap();
    d.script("document.getElementById('server-menu').scrollIntoView({block: 'center'})")
        .await
        .unwrap();
    shots.take(&d, "server-menu").await;
    d.click_on(&format!("{} .server-switch", row("bundled")))
        .await
        .unwrap();
    d.wait_text("#current-user", LOCAL, 30).await.unwrap();
    d.wait_text(&row("bundled"), "current", 20).await.unwrap();
    d.click_on("#nav-sources").await.unwrap();
    d.wait_text(".source-row", "Local Site", 20).await.unwrap();
    let switcher = d
        .script("return document.querySelector('#org-switch-options').textContent")
        .await
        .unwrap()
        .to_string();
    assert!(
        switcher.contains("Local Org") && !switcher.contains("Remote Org"),
        "{switcher}"
    );

    // And to the remote one again: still signed in there, in its organization.
    d.click_on("#nav-account").await.unwrap();
    d.click_on(&format!("{} .server-switch", row(&remote.url)))
        .await
        .unwrap();
    d.wait_text("#current-user", REMOTE, 30).await.unwrap();
    d.click_on("#nav-orgs").await.unwrap();
    d.wait_text(".org-item.current", "Remote Org", 20)
        .await
        .unwrap();

    // The session ends on the Sources page while a name is typed; meanwhile a colleague
    // adds a source. Signing in again keeps the typed name and shows the new source.
    d.click_on("#nav-sources").await.unwrap();
    d.wait("#source-name", 20).await.unwrap();
    let ended = e2e_support::graphql(&d, "mutation { logout { success } }", json!({})).await;
    assert!(ended.to_string().contains("success"), "{ended}");
    let signed_in = remote_data(
        &remote.url,
        "mutation($u: String!, $p: String!) { createToken(username: $u, password: $p) { token } }",
        json!({ "u": REMOTE, "p": PASSWORD }),
        None,
    )
    .await;
    let token = signed_in["createToken"]["token"].as_str().unwrap();
    let orgs = remote_data(
        &remote.url,
        "{ organizations { id } }",
        json!({}),
        Some(token),
    )
    .await;
    let org = orgs["organizations"][0]["id"].as_str().unwrap();
    let made = remote_data(
        &remote.url,
        "mutation($n: String!, $o: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { success message } }",
        json!({ "n": "Made elsewhere", "o": org }),
        Some(token),
    )
    .await;
    assert_eq!(made["createApplication"]["success"], true, "{made}");
    d.fill("#source-name", "Typed, not saved").await.unwrap();
    d.click_on("#source-create").await.unwrap();
    d.wait("#reauth", 20).await.unwrap();
    d.fill("#reauth-password", PASSWORD).await.unwrap();
    d.click_on("#reauth-submit").await.unwrap();
    d.wait_gone("#reauth", 20).await.unwrap();
    d.wait_text(".source-row", "Made elsewhere", 20)
        .await
        .unwrap();
    let typed = d.find("#source-name").await.unwrap();
    assert_eq!(
        d.property(&typed, "value").await.unwrap(),
        "Typed, not saved",
        "what was typed stays"
    );
    shots.take(&d, "reloaded-after-sign-in-again").await;

    // Forgetting the remote server asks first; "no" keeps it, "yes" moves to the bundled
    // server, still signed in there.
    d.click_on("#nav-account").await.unwrap();
    d.click_on(&format!("{} .server-forget", row(&remote.url)))
        .await
        .unwrap();
    d.wait_text("#confirm", "Forget the server", 10)
        .await
        .unwrap();
    shots.take(&d, "forget-asks").await;
    d.click_on("#confirm-cancel").await.unwrap();
    d.wait_gone("#confirm", 10).await.unwrap();
    assert_eq!(d.find_all(".server-item").await.unwrap().len(), 2);
    d.click_on(&format!("{} .server-forget", row(&remote.url)))
        .await
        .unwrap();
    d.click_on("#confirm-yes").await.unwrap();
    d.wait_text("#current-user", LOCAL, 30).await.unwrap();
    d.wait_gone(&row(&remote.url), 20).await.unwrap();
    d.quit().await;
}
