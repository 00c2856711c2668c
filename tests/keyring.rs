//! The session keeps its token in the real OS keyring (Secret Service; `make test` runs the
//! tests inside a D-Bus session with an unlocked gnome-keyring), never in what the
//! webview receives, and forgets it when the server refuses it. The bundled server's data
//! key (what seals connection details in its database) is kept there as well.

mod e2e_support;
mod webdriver;

use e2e_support::{files_holding, secret_tool_lookup};
use houston_desktop::session::{
    account, data_key_account, CommandError, Session, Settings, SettingsStore,
};
use houston_desktop::vault::{KeyringVault, TokenVault};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Settings in a JSON file, as tauri-plugin-store keeps them.
struct FileSettings(PathBuf, Mutex<()>);

impl SettingsStore for FileSettings {
    fn load(&self) -> Settings {
        std::fs::read(&self.0)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
    fn save(&self, s: &Settings) -> Result<(), String> {
        let _g = self.1.lock().unwrap();
        std::fs::write(&self.0, serde_json::to_vec(s).unwrap()).map_err(|e| e.to_string())
    }
}

async fn start(dir: &Path, service: &str) -> Session {
    Session::start(
        dir.to_path_buf(),
        Box::new(FileSettings(dir.join("settings.json"), Mutex::new(()))),
        Box::new(KeyringVault::new(service)),
    )
    .await
    .expect("the session starts")
}

async fn confirm_link(session: &Session) -> String {
    let mail = session.mail_outbox().await.unwrap();
    mail.into_iter()
        .find(|m| m.kind == "CONFIRM_EMAIL")
        .unwrap()
        .token
        .unwrap()
}

#[tokio::test]
async fn the_token_lives_in_the_os_keyring_and_nowhere_the_webview_sees() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-{}", std::process::id());
    let session = start(dir.path(), &service).await;
    let acct = account(&Settings::default(), dir.path());

    let view = session
        .sign_up("keyring@example.com", "password123", Default::default())
        .await
        .unwrap();
    assert!(view.signed_in);
    let link = confirm_link(&session).await;
    let view = session.confirm_email(&link).await.unwrap();
    assert_eq!(view.user.as_ref().unwrap().status, "active");

    // A second vault (a new connection to the keyring) sees the token: a real store.
    let token = KeyringVault::new(&service)
        .get(&acct)
        .expect("the token is in the keyring");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    assert_eq!(
        secret_tool_lookup(&service, &acct).as_deref(),
        Some(token.as_str()),
        "the Secret Service holds it"
    );

    // Nothing the webview receives carries it.
    let mut answers: Vec<Value> = vec![serde_json::to_value(session.view().await).unwrap()];
    answers.push(
        session
            .graphql(
                json!({ "query": "{ me { id username } myMail { token body } }" }),
                None,
            )
            .await
            .unwrap(),
    );
    answers.push(serde_json::to_value(session.mail_outbox().await.unwrap()).unwrap());
    let org = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"K\") { success id } }" }),
            None,
        )
        .await
        .unwrap();
    answers.push(org.clone());
    for a in &answers {
        assert!(
            !a.to_string().contains(&token),
            "the token reached the webview: {a}"
        );
    }
    // Operations that answer tokens are not forwarded.
    for q in [
        "mutation { createToken(username: \"keyring@example.com\", password: \"password123\") { token } }",
        "mutation { verifyToken(token: \"x\") { decoded { id } } }",
    ] {
        let e = session.graphql(json!({ "query": q }), None).await.unwrap_err();
        assert_eq!(e.code, "FORBIDDEN", "{q}");
    }

    // A restart finds the session in the keyring.
    drop(session);
    let session = start(dir.path(), &service).await;
    let view = session.view().await;
    assert!(view.signed_in, "signed in again from the keyring");
    assert_eq!(view.user.unwrap().username, "keyring@example.com");

    // Signing out removes it.
    session.sign_out().await;
    assert_eq!(KeyringVault::new(&service).get(&acct), None);
    assert_eq!(secret_tool_lookup(&service, &acct), None);
}

#[tokio::test]
async fn a_refused_token_is_reported_as_expired_and_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-exp-{}", std::process::id());
    let session = start(dir.path(), &service).await;
    let acct = account(&Settings::default(), dir.path());
    session
        .sign_up("expiry@example.com", "password123", Default::default())
        .await
        .unwrap();
    let link = confirm_link(&session).await;
    session.confirm_email(&link).await.unwrap();
    let old = KeyringVault::new(&service).get(&acct).unwrap();

    // Somewhere else, the user signs in and out everywhere: this session's token dies.
    session
        .sign_in("expiry@example.com", "password123")
        .await
        .unwrap();
    let _ = session
        .graphql(json!({ "query": "mutation { logout { success } }" }), None)
        .await
        .unwrap();
    // A mutation reports the refusal as its outcome; the session reads it as expiry too.
    let e: CommandError = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Late\") { success code } }" }),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "TOKEN_EXPIRED");
    assert!(!session.view().await.signed_in);
    assert_eq!(KeyringVault::new(&service).get(&acct), None);
    assert_ne!(old, "");

    // Signing in again works, and the last username is remembered for the prompt.
    let view = session
        .sign_in("expiry@example.com", "password123")
        .await
        .unwrap();
    assert!(view.signed_in);
    assert_eq!(view.last_username.as_deref(), Some("expiry@example.com"));
}

#[tokio::test]
async fn a_remote_houston_must_answer_before_it_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let session = start(dir.path(), "houston-desktop-test-remote").await;
    // Nothing listens here.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = session
        .save_settings(
            houston_desktop::session::BackendKind::Remote,
            Some(format!("http://127.0.0.1:{port}")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "UNREACHABLE");
    let e = session
        .save_settings(
            houston_desktop::session::BackendKind::Remote,
            Some("ftp://x".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "INVALID_INPUT");
    assert!(
        session.view().await.first_run,
        "a failed choice does not end the first run"
    );

    // A real one does.
    let remote = houston_test_harness::TestServer::start().await;
    let url = remote.url.trim_end_matches("/graphql").to_string();
    let view = session
        .save_settings(
            houston_desktop::session::BackendKind::Remote,
            Some(url.clone()),
        )
        .await
        .unwrap();
    assert!(!view.first_run);
    assert_eq!(
        view.remote_url.as_deref(),
        Some(format!("{url}/graphql").as_str())
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(saved["backend"], "remote");
    assert_eq!(saved["recentServers"][0], format!("{url}/graphql"));
    assert!(
        !saved.to_string().contains("eyJ"),
        "no token in the settings file"
    );
}

#[tokio::test]
async fn the_bundled_servers_data_key_lives_in_the_keyring_across_restarts() {
    const API_KEY: &str = "acq-keyring-sealed-7d20c4";
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-key-{}", std::process::id());
    let key_account = data_key_account(dir.path());
    assert_eq!(secret_tool_lookup(&service, &key_account), None);

    // The first run makes the key and keeps it in the keyring.
    let session = start(dir.path(), &service).await;
    let key = secret_tool_lookup(&service, &key_account)
        .expect("the first run puts the data key in the keyring");
    let key_bytes = houston_server::seal::parse_key(&key).expect("a 32-byte key");

    session
        .sign_up("sealed@example.com", "password123", Default::default())
        .await
        .unwrap();
    let link = confirm_link(&session).await;
    session.confirm_email(&link).await.unwrap();
    let org = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Sealed\") { success id } }" }),
            None,
        )
        .await
        .unwrap()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let made = session
        .graphql(
            json!({
                "query": "mutation($o: String!, $d: JSON!) { createConnection(integrationCode: \"acquisio\", details: $d, name: \"Acquisio\", orgId: $o, connectionPrototypeId: \"acquisio\") { success id } }",
                "variables": { "o": org, "d": { "apiKey": API_KEY } },
            }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(made["createConnection"]["success"], true, "{made}");
    let connection = made["createConnection"]["id"].as_str().unwrap().to_string();

    // A restart (a second Session::open) finds the same key and reads the data.
    drop(session);
    let session = start(dir.path(), &service).await;
    assert_eq!(
        secret_tool_lookup(&service, &key_account).as_deref(),
        Some(key.as_str()),
        "the key is kept, not replaced"
    );
    let listed = session
        .graphql(
            json!({
                "query": "query($o: String!) { orgConnections(orgId: $o) { id name } }",
                "variables": { "o": org },
            }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(listed["orgConnections"][0]["id"], connection, "{listed}");
    drop(session);

    // Nothing in the data directory holds the key or the connection's secret.
    let leaks = files_holding(dir.path(), &[API_KEY, key.as_str()], &[]);
    assert!(leaks.is_empty(), "{leaks:#?}");

    // The key from the keyring opens the details; another key does not even start.
    let with = |key: [u8; 32]| {
        houston_server::ServerConfig::in_dir(
            dir.path(),
            houston_server::DataKeySource::Key {
                key,
                from: "the test".into(),
            },
        )
    };
    let houston = houston_server::Houston::open(with(key_bytes))
        .await
        .unwrap();
    let row = houston
        .state()
        .store
        .connection_by_id(&connection)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.details, json!({ "apiKey": API_KEY }));
    drop(houston);
    let refused = houston_server::Houston::open(with([7; 32])).await;
    assert!(refused.is_err(), "another key is refused");

    KeyringVault::new(&service).delete(&key_account);
    assert_eq!(secret_tool_lookup(&service, &key_account), None);
}
