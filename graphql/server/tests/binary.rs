//! The `houston-server` binary: one command starts it, it says where it listens, serves
//! GraphiQL, keeps data and tokens across a restart, and never logs a secret.

use houston_test_harness::{http::gql, ServerProcess};
use serde_json::json;
use std::process::Command;

/// The binary configured through its environment, logging at debug level.
fn start(dir: &std::path::Path) -> ServerProcess {
    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0"])
        .env(
            "HOUSTON_DATABASE_URL",
            format!("sqlite://{}", dir.join("h.db").display()),
        )
        .env("HOUSTON_SECRET_FILE", dir.join("secret"))
        .env("RUST_LOG", "debug");
    ServerProcess::spawn(command)
}

#[tokio::test]
async fn starts_serves_restarts_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path());
    assert!(
        first.url.starts_with("http://127.0.0.1:") && first.url.ends_with("/graphql"),
        "{}",
        first.url
    );

    let html = reqwest::Client::new()
        .get(&first.url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    assert!(html
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));

    let password = "pw-Very-Secret-123";
    let pending = houston_test_harness::http::ok(
        &first.url,
        "mutation($p: String!) { createNewUser(email: \"bin@example.com\", password: $p) { success token } }",
        json!({ "p": password }),
        None,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mail = gql(
        &first.url,
        "{ myMail { token } }",
        json!({}),
        Some(&pending),
        None,
    )
    .await;
    let link = mail["data"]["myMail"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let token = houston_test_harness::http::ok(
        &first.url,
        "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
        json!({ "t": link }),
        None,
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = gql(
        &first.url,
        "mutation { createOrganization(name: \"Persisted\") { success id } }",
        json!({}),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(d["data"]["createOrganization"]["success"], true);
    let mut log = first.stop();

    // Restart on the same files: the token still works and the data is there.
    let second = start(dir.path());
    let d = gql(
        &second.url,
        "{ organizations { name } }",
        json!({}),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(d["data"]["organizations"][0]["name"], "Persisted", "{d}");
    log.extend(second.stop());

    let secret = std::fs::read_to_string(dir.path().join("secret")).unwrap();
    let all = log.join("\n");
    assert!(all.contains("request"), "requests are logged: {all}");
    for s in [password, &token, &pending, &link, secret.trim()] {
        assert!(!all.contains(s), "the log contains a secret: {s}");
    }
}

#[test]
fn print_schema_prints_the_sdl() {
    let out = Command::new(houston_test_harness::houston_server_bin())
        .arg("--print-schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        houston_server::sdl()
    );
}
