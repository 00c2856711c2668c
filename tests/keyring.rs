//! The session keeps its token in the real OS keyring (Secret Service; `make test` runs the
//! tests inside a D-Bus session with an unlocked gnome-keyring), never in what the
//! webview receives, and forgets it when the server refuses it. The bundled server's data
//! key (what seals connection details in its database) and its token-signing secret are
//! kept there as well. And what the window may make the shell do with credentials and
//! addresses: no API key minted through the `graphql` command, no probe of an address
//! other than the server being set up.

mod e2e_support;
mod webdriver;

use e2e_support::{files_holding, secret_tool_lookup};
use houston_desktop::session::{
    account, data_key_account, token_secret_account, BackendKind, CommandError, Session, Settings,
    SettingsStore, OLD_TOKEN_SECRET_FILE,
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
        "mutation { createApiKey(orgId: \"o\", label: \"k\") { key } }",
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
            BackendKind::Remote,
            Some(format!("http://127.0.0.1:{port}")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "UNREACHABLE");
    let e = session
        .save_settings(BackendKind::Remote, Some("ftp://x".into()))
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
        .save_settings(BackendKind::Remote, Some(url.clone()))
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
            houston_server::SecretSource::Ephemeral,
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

/// An install from before kept the token-signing secret in a file beside the database:
/// whoever copied the data directory could sign a token for anyone. Now the secret is in
/// the keyring, the old file's secret is moved there (the session it signed still holds),
/// and the file is gone.
#[tokio::test]
async fn the_signing_secret_moves_from_the_data_directory_into_the_keyring() {
    use houston_server::{auth, seal, DataKeySource, Houston, SecretSource, ServerConfig};
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-secret-{}", std::process::id());
    let vault = KeyringVault::new(&service);
    let (key_account, secret_account) = (
        data_key_account(dir.path()),
        token_secret_account(dir.path()),
    );
    let session_account = account(&Settings::default(), dir.path());

    // The earlier layout: the data key in the keyring, the secret in `token-secret`, and a
    // session signed with it.
    let data_key = seal::random_key();
    vault
        .set(&key_account, &seal::encode_key(&data_key))
        .unwrap();
    let old_file = dir.path().join(OLD_TOKEN_SECRET_FILE);
    let houston = Houston::open(ServerConfig {
        secret: SecretSource::File(old_file.clone()),
        ..ServerConfig::in_dir(
            dir.path(),
            SecretSource::Ephemeral,
            DataKeySource::Key {
                key: data_key,
                from: "the test".into(),
            },
        )
    })
    .await
    .unwrap();
    let signed_up = houston
        .execute(
            r#"mutation { createNewUser(email: "old@example.com", password: "password123") { token } }"#,
            None,
            None,
        )
        .await;
    let token = signed_up.data.into_json().unwrap()["createNewUser"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(houston);
    vault.set(&session_account, &token).unwrap();
    let old_secret = std::fs::read_to_string(&old_file).unwrap();

    // The first start moves it.
    let session = start(dir.path(), &service).await;
    let view = session.view().await;
    assert!(
        view.signed_in,
        "the session signed with the old secret still holds"
    );
    assert_eq!(view.user.unwrap().username, "old@example.com");
    let kept = secret_tool_lookup(&service, &secret_account)
        .expect("the signing secret moved into the keyring");
    assert_eq!(
        auth::parse_secret(kept.as_bytes()),
        auth::parse_secret(old_secret.as_bytes())
    );
    assert!(!old_file.exists(), "the old secret file is removed");
    drop(session);
    let leaks = files_holding(dir.path(), &[old_secret.trim(), kept.as_str()], &[]);
    assert!(leaks.is_empty(), "{leaks:#?}");

    // A restart reads it from the keyring: same secret, still signed in.
    let session = start(dir.path(), &service).await;
    assert!(session.view().await.signed_in);
    assert_eq!(
        secret_tool_lookup(&service, &secret_account).as_deref(),
        Some(kept.as_str())
    );
    drop(session);

    // A first run makes its secret in the keyring, never a file.
    let fresh = tempfile::tempdir().unwrap();
    let session = start(fresh.path(), &service).await;
    assert!(secret_tool_lookup(&service, &token_secret_account(fresh.path())).is_some());
    assert!(!fresh.path().join(OLD_TOKEN_SECRET_FILE).exists());
    drop(session);

    for acct in [
        key_account,
        secret_account,
        session_account,
        data_key_account(fresh.path()),
        token_secret_account(fresh.path()),
    ] {
        vault.delete(&acct);
    }
}

/// A script in the window (say, through a rendered field gone wrong) could mint API keys
/// through the `graphql` command, unseen and for good. Now that command refuses
/// `createApiKey` however it is spelled; the key comes from its own command, once, for the
/// window to show, and no other answer carries it.
#[tokio::test]
async fn an_api_key_comes_from_its_own_command_once_and_never_through_graphql() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-apikey-{}", std::process::id());
    let session = start(dir.path(), &service).await;
    session
        .sign_up("keys@example.com", "password123", Default::default())
        .await
        .unwrap();
    let link = confirm_link(&session).await;
    session.confirm_email(&link).await.unwrap();
    let org = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Keys\") { success id } }" }),
            None,
        )
        .await
        .unwrap()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for query in [
        "mutation($o: String!) { createApiKey(orgId: $o, label: \"x\") { key } }",
        "mutation($o: String!) { innocent: createApiKey(orgId: $o, label: \"x\") { key } }",
        "mutation($o: String!) { ...K } fragment K on Mutation { createApiKey(orgId: $o, label: \"x\") { key } }",
        "query Q { me { id } } mutation M($o: String!) { createApiKey(orgId: $o, label: \"x\") { key } }",
    ] {
        let mut body = json!({ "query": query, "variables": { "o": org } });
        if query.contains("mutation M") {
            body["operationName"] = json!("M");
        }
        let refused = session.graphql(body, Some(org.clone())).await;
        assert_eq!(
            refused.map_err(|e| e.code),
            Err("FORBIDDEN".into()),
            "{query}"
        );
    }
    let list = json!({
        "query": "query($o: String!) { apiKeys(orgId: $o) { id label } }",
        "variables": { "o": org },
    });
    let listed = session
        .graphql(list.clone(), Some(org.clone()))
        .await
        .unwrap();
    assert_eq!(listed["apiKeys"], json!([]), "no key was made");

    let created = session
        .create_api_key(
            org.clone(),
            "CI".into(),
            houston_client::vocabulary::Role::User,
        )
        .await
        .unwrap();
    assert_eq!(created["success"], true, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.len() >= 32, "a key: {created}");
    let listed = session.graphql(list, Some(org.clone())).await.unwrap();
    assert_eq!(listed["apiKeys"][0]["label"], "CI", "{listed}");
    let mut elsewhere = vec![
        listed,
        serde_json::to_value(session.view().await).unwrap(),
        serde_json::to_value(session.mail_outbox().await.unwrap()).unwrap(),
    ];
    elsewhere.push(
        std::fs::read(dir.path().join("settings.json"))
            .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
            .unwrap_or(Value::Null),
    );
    for answer in &elsewhere {
        assert!(
            !answer.to_string().contains(&key),
            "the key again: {answer}"
        );
    }
    let leaks = files_holding(dir.path(), &[key.as_str()], &[]);
    assert!(leaks.is_empty(), "{leaks:#?}");
    drop(session);
    let vault = KeyringVault::new(&service);
    for acct in [
        account(&Settings::default(), dir.path()),
        data_key_account(dir.path()),
        token_secret_account(dir.path()),
    ] {
        vault.delete(&acct);
    }
}

/// A loopback listener that records the first line of each request it gets and answers
/// each with `answer` (a whole HTTP response).
async fn recorder(answer: String) -> (String, std::sync::Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (log, answer) = (log.clone(), answer.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                log.lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or_default().to_owned());
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (base, seen)
}

/// `check_server` took any address from the window and posted to it, telling the window
/// what answered: a script in the window could make the app reach any path of any host
/// (`/admin/reset?x=`, with `/graphql` tacked on as a query value) and read back what a
/// service on this machine said. Now it reaches only `<origin>/graphql` of an address
/// given alone, reads nothing back but whether a Houston answered, and after the first
/// run only the server configured.
#[tokio::test]
async fn the_server_check_reaches_only_the_server_being_set_up() {
    const INSIDE: &str = "internal-secret-4242";
    let body = format!(r#"{{"errors":[{{"message":"{INSIDE}"}}],"data":null}}"#);
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let (base, seen) = recorder(answer).await;
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-check-{}", std::process::id());
    let session = start(dir.path(), &service).await;

    // Another resource of the host, named by a path, a query or a user: refused unsent.
    let host = base.trim_start_matches("http://");
    for other in [
        format!("{base}/admin/reset?confirm="),
        format!("{base}/internal/graphql"),
        format!("{base}/#/graphql"),
        format!("http://admin:secret@{host}"),
    ] {
        let refused = session.check_server(&other).await;
        assert_eq!(
            refused.map_err(|e| e.code),
            Err("INVALID_INPUT".into()),
            "{other}"
        );
    }
    assert_eq!(
        *seen.lock().unwrap(),
        Vec::<String>::new(),
        "nothing was sent"
    );

    // The address itself: one POST to its /graphql, and nothing of the answer comes back.
    let failed = session.check_server(&base).await.unwrap_err();
    assert_eq!(*seen.lock().unwrap(), ["POST /graphql HTTP/1.1"]);
    assert!(
        !failed.message.contains(INSIDE),
        "the window read what answered: {}",
        failed.message
    );

    // Once the first run chose a server, no other address is checked (nor chosen).
    session
        .save_settings(BackendKind::Bundled, None)
        .await
        .unwrap();
    let refused = session.check_server(&base).await;
    assert_eq!(refused.map_err(|e| e.code), Err("FORBIDDEN".into()));
    let refused = session
        .save_settings(BackendKind::Remote, Some(base.clone()))
        .await;
    assert_eq!(refused.map_err(|e| e.code), Err("FORBIDDEN".into()));
    assert_eq!(seen.lock().unwrap().len(), 1, "{:?}", seen.lock().unwrap());
    drop(session);
    let vault = KeyringVault::new(&service);
    for acct in [
        data_key_account(dir.path()),
        token_secret_account(dir.path()),
    ] {
        vault.delete(&acct);
    }
}

/// Issue 13 #3: each server the app has used keeps its own session in the keyring, under
/// its own entry, and its own organization: switching away and back finds the person
/// still signed in where they were, across a restart too; forgetting a server deletes its
/// entry only.
#[tokio::test]
async fn two_servers_keep_two_sessions_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("houston-desktop-test-servers-{}", std::process::id());
    let session = start(dir.path(), &service).await;
    let bundled_acct = account(&Settings::default(), dir.path());

    // Signed in on the bundled server, acting for an organization.
    session
        .save_settings(BackendKind::Bundled, None)
        .await
        .unwrap();
    session
        .sign_up("local@example.com", "password123", Default::default())
        .await
        .unwrap();
    let link = confirm_link(&session).await;
    session.confirm_email(&link).await.unwrap();
    let org = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Local\") { success id } }" }),
            None,
        )
        .await
        .unwrap()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    session.set_organization(Some(org.clone())).await.unwrap();

    // An address nothing answers at is not added.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = session
        .add_server(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "UNREACHABLE");
    assert!(refused.message.contains("Nothing answers"), "{refused:?}");
    assert_eq!(session.servers().await.len(), 1, "only the bundled server");

    // A remote one is added (twice: listed once), switched to, and signed in there.
    let remote = houston_test_harness::TestServer::start().await;
    remote.confirmed_user("remote@example.com").await;
    let base = remote.url.trim_end_matches("/graphql").to_string();
    session.add_server(&base).await.unwrap();
    let listed = session.add_server(&format!("{base}/")).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].current && listed[0].signed_in, "{listed:?}");
    assert_eq!(listed[1].id, remote.url);
    assert!(!listed[1].current && !listed[1].signed_in, "{listed:?}");
    let view = session.switch_server(&base).await.unwrap();
    assert_eq!(view.remote_url.as_deref(), Some(remote.url.as_str()));
    assert!(
        !view.signed_in,
        "the remote server has its own session: none yet"
    );
    assert_eq!(
        view.organization, None,
        "the bundled organization stays there"
    );
    session
        .sign_in("remote@example.com", "password123")
        .await
        .unwrap();
    let remote_acct = format!("remote:{}", remote.url);
    let remote_token = secret_tool_lookup(&service, &remote_acct).expect("the remote session");
    let bundled_token = secret_tool_lookup(&service, &bundled_acct).expect("the bundled session");
    assert_ne!(remote_token, bundled_token);
    let servers = session.servers().await;
    assert!(servers.iter().all(|s| s.signed_in), "{servers:?}");
    assert!(
        !serde_json::to_string(&servers)
            .unwrap()
            .contains(&remote_token),
        "the list carries no token"
    );

    // Back to the bundled server: still signed in, in its organization, with its data.
    let view = session.switch_server("bundled").await.unwrap();
    assert_eq!(view.backend, BackendKind::Bundled);
    assert!(view.signed_in);
    assert_eq!(view.user.unwrap().username, "local@example.com");
    assert_eq!(view.organization.as_deref(), Some(org.as_str()));
    let orgs = session
        .graphql(json!({ "query": "{ organizations { name } }" }), None)
        .await
        .unwrap();
    assert_eq!(orgs["organizations"][0]["name"], "Local");

    // Again to the remote one, after a restart: still signed in there.
    session.switch_server(&remote.url).await.unwrap();
    drop(session);
    let session = start(dir.path(), &service).await;
    let view = session.view().await;
    assert_eq!(view.remote_url.as_deref(), Some(remote.url.as_str()));
    assert!(
        view.signed_in,
        "the remote session came back from the keyring"
    );
    assert_eq!(view.user.unwrap().username, "remote@example.com");

    // Forgetting the current remote server moves to the bundled one and deletes only the
    // remote session.
    let view = session.forget_server(&base).await.unwrap();
    assert_eq!(view.backend, BackendKind::Bundled);
    assert!(view.signed_in);
    assert_eq!(secret_tool_lookup(&service, &remote_acct), None);
    assert_eq!(
        secret_tool_lookup(&service, &bundled_acct).as_deref(),
        Some(bundled_token.as_str())
    );
    assert_eq!(session.servers().await.len(), 1);
    let refused = session.switch_server(&base).await.unwrap_err();
    assert_eq!(refused.code, "NOT_FOUND");

    session.sign_out().await;
    drop(session);
    let vault = KeyringVault::new(&service);
    for acct in [
        data_key_account(dir.path()),
        token_secret_account(dir.path()),
    ] {
        vault.delete(&acct);
    }
}
