//! The desktop's loopback collector, without a window: the bundled server's collector
//! port (the next free one when taken, collector paths only unless the API is asked for),
//! a watch on a source's events fed by `eventReceived`, and test events posted through the
//! collector as an SDK would. On a remote server (the real `houston-server` binary), the
//! watch hears `eventReceived` over the server's WebSocket, reconnects when it drops, and
//! says why when the server refuses it.

use houston_client::{ChangeWatch, EventWatch, WatchLink};
use houston_desktop::session::{normalize_url, BackendKind, Session, Settings, SettingsStore};
use houston_desktop::vault::TokenVault;
use houston_test_harness::process::ServerProcess;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;

/// Settings in a JSON file, as tauri-plugin-store keeps them.
struct FileSettings(PathBuf);

impl SettingsStore for FileSettings {
    fn load(&self) -> Settings {
        std::fs::read(&self.0)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
    fn save(&self, s: &Settings) -> Result<(), String> {
        std::fs::write(&self.0, serde_json::to_vec(s).unwrap()).map_err(|e| e.to_string())
    }
}

/// Secrets in memory: this test is about the collector, not the keyring.
#[derive(Default)]
struct MemoryVault(Mutex<HashMap<String, String>>);

impl TokenVault for MemoryVault {
    fn get_checked(&self, account: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, token: &str) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .insert(account.to_owned(), token.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) {
        self.0.lock().unwrap().remove(account);
    }
}

async fn start(dir: &Path, port: u16) -> Session {
    let settings = Settings {
        first_run_done: true,
        collector_port: Some(port),
        ..Settings::default()
    };
    let store = FileSettings(dir.join("settings.json"));
    store.save(&settings).unwrap();
    Session::start(
        dir.to_path_buf(),
        Box::new(store),
        Box::new(MemoryVault::default()),
    )
    .await
    .expect("the session starts")
}

/// A signed-in, confirmed person with an organization and a source: the source's id.
async fn source(session: &Session) -> (String, String) {
    session
        .sign_up("grace@example.com", "cobol-rules-1959", Default::default())
        .await
        .unwrap();
    let link = session
        .mail_outbox()
        .await
        .unwrap()
        .into_iter()
        .find_map(|m| m.token)
        .unwrap();
    session.confirm_email(&link).await.unwrap();
    let org = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Compilers\") { id success } }" }),
            None,
        )
        .await
        .unwrap();
    let org_id = org["createOrganization"]["id"].as_str().unwrap().to_owned();
    let app = session
        .graphql(
            json!({ "query": "mutation($o: String!) { createApplication(name: \"Web\", platform: \"analytics.js\", orgId: $o) { id success } }",
                    "variables": { "o": org_id } }),
            Some(org_id.clone()),
        )
        .await
        .unwrap();
    let app_id = app["createApplication"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{app}"))
        .to_owned();
    (org_id, app_id)
}

/// The next event a watch hands over (within 10 s), past the news of its link.
async fn next_event(rx: &mut mpsc::UnboundedReceiver<EventWatch>) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(EventWatch::Event(event))) => return event,
            Ok(Some(EventWatch::Link(_))) => continue,
            other => panic!("no event: {other:?}"),
        }
    }
}

/// The next news of a watch's link (within 20 s), past any event.
async fn next_link(rx: &mut mpsc::UnboundedReceiver<EventWatch>) -> WatchLink {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(EventWatch::Link(link))) => return link,
            Ok(Some(EventWatch::Event(_))) => continue,
            other => panic!("no news of the link: {other:?}"),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_listens_on_loopback_and_its_events_reach_a_watch() {
    let port = free_port();
    let first_dir = tempfile::tempdir().unwrap();
    let session = start(first_dir.path(), port).await;
    let view = session.view().await;
    let base = view.collector_url.clone().expect("the collector listens");
    assert_eq!(base, format!("http://127.0.0.1:{port}"));
    assert_eq!(view.collector_port, port);
    assert!(!view.serve_api_on_collector);

    // A second app asking for the same port gets the next free one.
    let second_dir = tempfile::tempdir().unwrap();
    let second = start(second_dir.path(), port).await;
    let other = second.view().await.collector_url.expect("listens too");
    assert_ne!(other, base, "the port was taken");
    drop(second);

    // Only the collector's paths are served, until the API is asked for.
    // No pooled connections: the collector is restarted below, and a connection kept from
    // before would reach the stopped listener.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let health = json!({ "query": "{ healthcheck }" });
    let answer = http
        .post(format!("{base}/graphql"))
        .json(&health)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let view = session.save_collector(port, true).await.unwrap();
    assert!(view.serve_api_on_collector);
    let base = view.collector_url.expect("listens again");
    let answer = http
        .post(format!("{base}/graphql"))
        .json(&health)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "the API is served there now");
    let view = session.save_collector(port, false).await.unwrap();
    let base = view.collector_url.expect("listens again");
    let answer = http
        .post(format!("{base}/graphql"))
        .json(&health)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);

    // A watch hears an event posted by an SDK and the app's own test event.
    let (org_id, app_id) = source(&session).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let watch = session
        .watch_events(app_id.clone(), Some(org_id), move |m| tx.send(m).is_ok())
        .await
        .unwrap();
    // The subscription starts listening once its task has checked the source, a moment
    // after the watch is answered (the debugger then reads the stored events, so that
    // none falls between): events posted from here on are heard.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posted = http
        .post(format!("{base}/v1/track"))
        .basic_auth(&app_id, Some(""))
        .json(&json!({ "event": "Signed Up", "userId": "ada" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let event = next_event(&mut rx).await;
    assert_eq!(event["event"], "Signed Up");
    assert_eq!(event["type"], "track");
    assert_eq!(event["valid"], true);

    session
        .send_test_event(
            &app_id,
            json!({ "type": "identify", "userId": "grace", "traits": { "plan": "pro" } }),
        )
        .await
        .unwrap();
    let event = next_event(&mut rx).await;
    assert_eq!(event["type"], "identify");
    assert_eq!(event["payload"]["traits"]["plan"], "pro");

    // A test event the collector refuses says why; one it keeps as invalid arrives marked.
    let refused = session
        .send_test_event(
            "no-such-write-key-at-all",
            json!({ "type": "track", "event": "x", "userId": "u" }),
        )
        .await
        .unwrap_err();
    assert!(refused.message.contains("write key"), "{refused:?}");
    session
        .send_test_event(&app_id, json!({ "type": "track", "userId": "grace" }))
        .await
        .unwrap();
    let event = next_event(&mut rx).await;
    assert_eq!(event["valid"], false);
    assert!(!event["problems"].as_array().unwrap().is_empty(), "{event}");

    // Once stopped, the watch hands nothing more.
    session.stop_watching(watch);
    session
        .send_test_event(
            &app_id,
            json!({ "type": "track", "event": "Late", "userId": "g" }),
        )
        .await
        .unwrap();
    let late = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
    assert!(
        matches!(late, Ok(None) | Err(_)),
        "a stopped watch still handed {late:?}"
    );
}

/// A session on the remote Houston at `graphql_url` (plain http: it is on loopback).
async fn start_remote(dir: &Path, graphql_url: &str) -> Session {
    let settings = Settings {
        first_run_done: true,
        backend: BackendKind::Remote,
        remote_url: Some(normalize_url(graphql_url).unwrap()),
        ..Settings::default()
    };
    let store = FileSettings(dir.join("settings.json"));
    store.save(&settings).unwrap();
    Session::start(
        dir.to_path_buf(),
        Box::new(store),
        Box::new(MemoryVault::default()),
    )
    .await
    .expect("the session starts")
}

/// The requests the server logged (`method=… path=… status=…`) from line `from` on.
fn requests_since(server: &ServerProcess, from: usize) -> Vec<String> {
    server
        .log_tail(usize::MAX)
        .lines()
        .skip(from)
        .filter(|line| line.contains(" request ") || line.contains("request method="))
        .map(str::to_owned)
        .collect()
}

fn log_len(server: &ServerProcess) -> usize {
    server.log_tail(usize::MAX).lines().count()
}

/// The log's length once every request made so far is in it: the server's output reaches
/// the test through a pipe a thread reads, so the last request's line may come later. A
/// `/healthz` request is made and its line awaited; everything before it is then logged.
async fn settled_log_len(server: &ServerProcess) -> usize {
    let from = log_len(server);
    let health = server.url.replace("/graphql", "/healthz");
    reqwest::get(&health).await.unwrap();
    for _ in 0..200 {
        let lines = requests_since(server, from);
        if lines.iter().any(|l| l.contains("path=/healthz")) {
            return log_len(server);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never logged /healthz")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_watch_hears_events_over_the_websocket_and_reconnects() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::in_dir(server_dir.path(), "127.0.0.1:0");
    let app_dir = tempfile::tempdir().unwrap();
    let session = start_remote(app_dir.path(), &server.url).await;
    let (org_id, app_id) = source(&session).await;

    let before = settled_log_len(&server).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let watch = session
        .watch_events(app_id.clone(), Some(org_id.clone()), move |m| {
            tx.send(m).is_ok()
        })
        .await
        .unwrap();
    assert_eq!(next_link(&mut rx).await, WatchLink::Live);
    // The subscription listens once the server has checked the source (see above).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posted_at = std::time::Instant::now();
    session
        .send_test_event(
            &app_id,
            json!({ "type": "track", "event": "Remote Signup", "userId": "ada" }),
        )
        .await
        .unwrap();
    let event = next_event(&mut rx).await;
    let took = posted_at.elapsed();
    assert_eq!(event["event"], "Remote Signup");
    assert_eq!(event["type"], "track");
    // Heard through the subscription: the server saw the socket open, and not one
    // GraphQL request between the watch and the event (a polling watch reads `events`
    // with a POST to /graphql as it starts and every two seconds after).
    let requests = requests_since(&server, before);
    assert!(
        requests
            .iter()
            .any(|r| r.contains("path=/graphql/ws") && r.contains("status=101")),
        "the watch opened the server's WebSocket: {requests:#?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("method=POST") && r.contains("path=/graphql ")),
        "the watch posted GraphQL requests (polling?): {requests:#?}"
    );
    eprintln!("remote event heard {took:?} after it was posted");

    // The server goes away and comes back on the same address: the watch says it is
    // reconnecting, then live again, and hears what is posted after.
    let addr = server.addr.clone();
    server.kill();
    match next_link(&mut rx).await {
        WatchLink::Reconnecting { why, retry_in_ms } => {
            assert!(!why.is_empty() && retry_in_ms > 0, "{why} {retry_in_ms}")
        }
        other => panic!("a dropped socket is reconnected: {other:?}"),
    }
    let server = ServerProcess::in_dir(server_dir.path(), &addr);
    loop {
        match next_link(&mut rx).await {
            WatchLink::Reconnecting { .. } => continue,
            WatchLink::Live => break,
            other => panic!("{other:?}"),
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    session
        .send_test_event(
            &app_id,
            json!({ "type": "track", "event": "After Restart", "userId": "ada" }),
        )
        .await
        .unwrap();
    let event = next_event(&mut rx).await;
    assert_eq!(event["event"], "After Restart");
    session.stop_watching(watch);
    drop(server);
}

/// The next message of the changes' watch (within `wait`), past the news of its link.
async fn next_changes(
    rx: &mut mpsc::UnboundedReceiver<ChangeWatch>,
    wait: Duration,
) -> Option<ChangeWatch> {
    loop {
        match tokio::time::timeout(wait, rx.recv()).await {
            Ok(Some(ChangeWatch::Link(_))) => continue,
            Ok(message) => return message,
            Err(_) => return None,
        }
    }
}

/// Creates a source named `name` in `org_id` through the session; its id.
async fn new_source(session: &Session, org_id: &str, name: &str) -> String {
    let app = session
        .graphql(
            json!({ "query": "mutation($o: String!, $n: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { id success } }",
                    "variables": { "o": org_id, "n": name } }),
            Some(org_id.to_owned()),
        )
        .await
        .unwrap();
    app["createApplication"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{app}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_organizations_changes_reach_the_window_and_follow_it() {
    let dir = tempfile::tempdir().unwrap();
    let session = start(dir.path(), free_port()).await;
    let (org_id, _) = source(&session).await;
    session
        .set_organization(Some(org_id.clone()))
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    session.watch_changes(move |m| tx.send(m).is_ok()).await;
    // In-process, the subscription listens once its stream is first polled.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Five sources in a row: one message.
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(new_source(&session, &org_id, &format!("Site {i}")).await);
    }
    match next_changes(&mut rx, Duration::from_secs(10)).await {
        Some(ChangeWatch::Changed(burst)) => {
            let apps: Vec<_> = burst.iter().map(|c| c.app_id.clone()).collect();
            assert_eq!(apps, made, "the burst, each change once: {burst:?}");
            assert!(burst
                .iter()
                .all(|c| c.action == "CREATE" && c.integration_id.is_empty()));
        }
        other => panic!("the changes arrive as one message: {other:?}"),
    }

    // Another organization chosen: the watch moves to it.
    let other = session
        .graphql(
            json!({ "query": "mutation { createOrganization(name: \"Other\") { id success } }" }),
            None,
        )
        .await
        .unwrap();
    let other_id = other["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    session
        .set_organization(Some(other_id.clone()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    new_source(&session, &org_id, "Not watched now").await;
    let in_other = new_source(&session, &other_id, "Watched").await;
    match next_changes(&mut rx, Duration::from_secs(10)).await {
        Some(ChangeWatch::Changed(burst)) => {
            let apps: Vec<_> = burst.iter().map(|c| c.app_id.clone()).collect();
            assert_eq!(
                apps,
                vec![in_other],
                "only the current organization's change"
            );
        }
        other => panic!("{other:?}"),
    }

    // Signed out: nothing more is relayed.
    session.sign_out().await;
    assert_eq!(
        next_changes(&mut rx, Duration::from_millis(800)).await,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_servers_changes_come_over_the_websocket_and_a_drop_says_some_were_missed() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::in_dir(server_dir.path(), "127.0.0.1:0");
    let app_dir = tempfile::tempdir().unwrap();
    let session = start_remote(app_dir.path(), &server.url).await;
    let (org_id, _) = source(&session).await;
    session
        .set_organization(Some(org_id.clone()))
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    session.watch_changes(move |m| tx.send(m).is_ok()).await;
    match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        Ok(Some(ChangeWatch::Link(WatchLink::Live))) => {}
        other => panic!("the watch is live over the WebSocket: {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let made = new_source(&session, &org_id, "Remote site").await;
    match next_changes(&mut rx, Duration::from_secs(10)).await {
        Some(ChangeWatch::Changed(burst)) => assert_eq!(burst[0].app_id, made, "{burst:?}"),
        other => panic!("{other:?}"),
    }

    // The server goes away and comes back: what changed meanwhile cannot be read back,
    // so the window is told to read again what it shows.
    let addr = server.addr.clone();
    server.kill();
    let server = ServerProcess::in_dir(server_dir.path(), &addr);
    match next_changes(&mut rx, Duration::from_secs(30)).await {
        Some(ChangeWatch::Missed) => {}
        other => panic!("a reconnection says changes may have been missed: {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = new_source(&session, &org_id, "After restart").await;
    match next_changes(&mut rx, Duration::from_secs(10)).await {
        Some(ChangeWatch::Changed(burst)) => assert_eq!(burst[0].app_id, after, "{burst:?}"),
        other => panic!("{other:?}"),
    }
    drop(server);
}
