//! Fault tests of the SQLite backend, against the real `houston-server` process:
//!
//! - a soak: 50 concurrent clients mixing reads and writes for 60 seconds (set
//!   `HOUSTON_SOAK_SECS` to shorten it while developing); no answer may be an error, none
//!   may mention `database is locked`, and every write that was acknowledged is there
//!   afterwards, also after a restart, in a database that passes `PRAGMA integrity_check`;
//! - `kill -9` in the middle of a stream of writes, several times over one database file:
//!   after each kill the file passes `PRAGMA integrity_check`, and the restarted server
//!   holds every write it had acknowledged.
//!
//! Why acknowledged writes survive a `kill -9`: every mutation is one transaction, committed
//! before the answer is sent; in WAL mode with `synchronous=NORMAL` a commit is in the WAL
//! file (the operating system's page cache) when it returns, and a killed process loses
//! nothing that reached the kernel. (Only a power cut can lose the last commits under
//! `NORMAL`; that is the trade SQLite documents, and the one we make for speed.)

use houston_test_harness::http::{confirmed_user, gql, ok_id};
use houston_test_harness::ServerProcess;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
/// A ceiling on any one client's operations, so the loop is bounded by count as well as
/// by time.
const MAX_OPS_PER_CLIENT: usize = 20_000;

const CREATE_INTEGRATION: &str = "mutation($a: String!, $n: String!) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {events: [\"Order Completed\"]}, name: $n) { success message code id } }";
const RENAME_INTEGRATION: &str = "mutation($i: String!, $n: String!) { updateIntegration(integrationId: $i, action: UPDATE, name: $n) { success message code id } }";
const CREATE_CONNECTION: &str = "mutation($o: String!, $n: String!, $k: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: $k}, name: $n, orgId: $o, connectionPrototypeId: \"acquisio\") { success message code id } }";
const READS: [&str; 4] = [
    "query($o: ID) { organizations(orgId: $o) { id name users { id } } }",
    "query($o: ID) { applications(orgId: $o) { id name clickstream { id name code } } }",
    "query($o: ID) { clickstreamConfigs(orgId: $o) { id name code } }",
    "query($o: String!) { orgConnections(orgId: $o) { id name } }",
];

/// An owner with an organization and `apps` applications on the server at `url`.
async fn owner_with_apps(url: &str, apps: usize) -> (String, String, Vec<String>) {
    let token = confirmed_user(url, url, "owner@faults.test", "password123").await;
    let org = ok_id(
        url,
        "mutation { createOrganization(name: \"Faults\") { success id } }",
        json!({}),
        Some(&token),
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..apps {
        ids.push(
            ok_id(
                url,
                "mutation($o: String!, $n: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { success id } }",
                json!({ "o": org, "n": format!("app {i}") }),
                Some(&token),
            )
            .await,
        );
    }
    (token, org, ids)
}

/// What the clients were told was written: id → (kind, name last acknowledged).
type Acknowledged = Arc<Mutex<BTreeMap<String, (&'static str, String)>>>;

/// One request; `Ok(answer)` when it is a clean answer, `Err(why)` otherwise.
async fn call(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    vars: Value,
) -> Result<Value, String> {
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = res.status();
    let body = res.text().await.map_err(|e| format!("body: {e}"))?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {body}"));
    }
    let value: Value =
        serde_json::from_str(&body).map_err(|e| format!("not JSON ({e}): {body}"))?;
    if value.get("errors").is_some() {
        return Err(format!("errors: {body}"));
    }
    let outcome = value["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .cloned();
    if let Some(o) = outcome.as_ref().filter(|o| o.get("success").is_some()) {
        if o["success"] != true {
            return Err(format!("refused: {body}"));
        }
    }
    Ok(value)
}

/// Every integration and connection the server lists for `org`: id → name.
async fn listed(url: &str, token: &str, org: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (query, field) in [
        (
            "query($o: ID) { clickstreamConfigs(orgId: $o) { id name } }",
            "clickstreamConfigs",
        ),
        (
            "query($o: String!) { orgConnections(orgId: $o) { id name } }",
            "orgConnections",
        ),
    ] {
        let res = gql(url, query, json!({ "o": org }), Some(token), None).await;
        let rows = res["data"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{field} lists: {res}"));
        for row in rows {
            out.insert(
                row["id"].as_str().unwrap().to_string(),
                row["name"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

/// `PRAGMA integrity_check` on the database file, with the server stopped.
async fn integrity(db: &Path) -> Vec<String> {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .expect("the database file opens");
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .expect("integrity_check runs");
    conn.close().await.ok();
    rows.into_iter().map(|(r,)| r).collect()
}

/// Every acknowledged write is listed with its last acknowledged name.
fn assert_all_there(
    acked: &BTreeMap<String, (&'static str, String)>,
    listed: &BTreeMap<String, String>,
    when: &str,
) {
    let missing: Vec<_> = acked
        .iter()
        .filter(|(id, (_, name))| listed.get(*id) != Some(name))
        .map(|(id, (kind, name))| format!("{kind} {id} {name:?} (listed as {:?})", listed.get(id)))
        .collect();
    assert!(
        missing.is_empty(),
        "{when}: {} of {} acknowledged writes are missing or stale: {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(10)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_for_a_minute_lose_nothing() {
    let seconds: u64 = std::env::var("HOUSTON_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("soak.db");
    let url_db = format!("sqlite://{}", db.display());
    let server = ServerProcess::start(&url_db, &dir.path().join("secret"));
    let url = server.url.clone();
    let (token, org, apps) = owner_with_apps(&url, 5).await;

    let acked: Acknowledged = Arc::default();
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (url, token, org, app) = (
            url.clone(),
            token.clone(),
            org.clone(),
            apps[c % apps.len()].clone(),
        );
        let (acked, failures) = (acked.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            // One client, one connection pool: 50 distinct keep-alive connections in all.
            let client = reqwest::Client::new();
            let mut mine: Vec<String> = Vec::new();
            let (mut reads, mut writes) = (0usize, 0usize);
            for op in 0..MAX_OPS_PER_CLIENT {
                if Instant::now() >= deadline {
                    break;
                }
                // Seven reads to three writes, the writes of three kinds.
                let result = match op % 10 {
                    1 => {
                        let name = format!("c{c} integration {op}");
                        call(
                            &client,
                            &url,
                            &token,
                            CREATE_INTEGRATION,
                            json!({ "a": app, "n": name }),
                        )
                        .await
                        .map(|v| {
                            (
                                v["data"]["createIntegration"]["id"]
                                    .as_str()
                                    .map(str::to_owned),
                                "integration",
                                name,
                            )
                        })
                    }
                    4 if !mine.is_empty() => {
                        let id = mine[op % mine.len()].clone();
                        let name = format!("c{c} renamed {op}");
                        call(
                            &client,
                            &url,
                            &token,
                            RENAME_INTEGRATION,
                            json!({ "i": id, "n": name }),
                        )
                        .await
                        .map(|_| (Some(id), "integration", name))
                    }
                    7 => {
                        let name = format!("c{c} connection {op}");
                        let key = format!("key-{c}-{op}");
                        call(
                            &client,
                            &url,
                            &token,
                            CREATE_CONNECTION,
                            json!({ "o": org, "n": name, "k": key }),
                        )
                        .await
                        .map(|v| {
                            (
                                v["data"]["createConnection"]["id"]
                                    .as_str()
                                    .map(str::to_owned),
                                "connection",
                                name,
                            )
                        })
                    }
                    n => {
                        reads += 1;
                        let vars = json!({ "o": org });
                        call(&client, &url, &token, READS[n % READS.len()], vars)
                            .await
                            .map(|_| (None, "read", String::new()))
                    }
                };
                match result {
                    Ok((Some(id), kind, name)) => {
                        writes += 1;
                        if kind == "integration" && !mine.contains(&id) {
                            mine.push(id.clone());
                        }
                        acked.lock().unwrap().insert(id, (kind, name));
                    }
                    Ok((None, "read", _)) => {}
                    Ok((None, kind, _)) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{kind}: no id in a successful answer")),
                    Err(why) => failures.lock().unwrap().push(why),
                }
            }
            (reads, writes)
        }));
    }
    let (mut reads, mut writes) = (0, 0);
    for t in tasks {
        let (r, w) = t.await.expect("a client task ends");
        reads += r;
        writes += w;
    }
    let failures = failures.lock().unwrap().clone();
    let acked = acked.lock().unwrap().clone();
    println!("soak: {CLIENTS} clients, {seconds} s: {reads} reads, {writes} writes acknowledged, {} failures", failures.len());
    assert!(
        failures.iter().all(|f| !f.contains("database is locked")),
        "SQLite said `database is locked`: {:?}",
        failures.iter().find(|f| f.contains("locked"))
    );
    assert!(
        failures.is_empty(),
        "{} error answers, the first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // Enough traffic that the test means something: every client wrote and read.
    assert!(
        writes >= CLIENTS * 3 && reads >= CLIENTS * 7,
        "too little traffic: {reads} reads, {writes} writes"
    );

    assert_all_there(&acked, &listed(&url, &token, &org).await, "while running");
    let log = server.stop();
    assert!(
        !log.iter()
            .any(|l| l.contains("panicked") || l.contains("database is locked")),
        "the server logged a panic or a lock: {:?}",
        log.iter()
            .find(|l| l.contains("panicked") || l.contains("locked"))
    );
    assert_eq!(integrity(&db).await, ["ok"]);
    let again = ServerProcess::start(&url_db, &dir.path().join("secret"));
    assert_all_there(
        &acked,
        &listed(&again.url, &token, &org).await,
        "after a restart",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_writes_keeps_every_acknowledged_write() {
    const ROUNDS: u64 = 6;
    const WRITERS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let url_db = format!("sqlite://{}", db.display());
    let secret = dir.path().join("secret");

    let first = ServerProcess::start(&url_db, &secret);
    let (token, org, apps) = owner_with_apps(&first.url, 2).await;
    drop(first);

    let mut acked: BTreeMap<String, (&'static str, String)> = BTreeMap::new();
    for round in 0..ROUNDS {
        let server = ServerProcess::start(&url_db, &secret);
        // Everything acknowledged before this round is still there.
        assert_all_there(
            &acked,
            &listed(&server.url, &token, &org).await,
            &format!("round {round}, after restart"),
        );

        let round_acked: Acknowledged = Arc::default();
        let stop_at = Instant::now() + Duration::from_secs(30);
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (url, token, org, app) = (
                server.url.clone(),
                token.clone(),
                org.clone(),
                apps[w % apps.len()].clone(),
            );
            let round_acked = round_acked.clone();
            writers.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                for i in 0..10_000usize {
                    if Instant::now() >= stop_at {
                        break;
                    }
                    let name = format!("r{round} w{w} #{i}");
                    let (query, vars, field, kind) = if i % 3 == 2 {
                        (
                            CREATE_CONNECTION,
                            json!({ "o": org, "n": name, "k": format!("k{round}{w}{i}") }),
                            "createConnection",
                            "connection",
                        )
                    } else {
                        (
                            CREATE_INTEGRATION,
                            json!({ "a": app, "n": name }),
                            "createIntegration",
                            "integration",
                        )
                    };
                    // Once the server is killed, requests fail: the writer stops there.
                    match call(&client, &url, &token, query, vars).await {
                        Ok(v) => {
                            let id = v["data"][field]["id"].as_str().expect("an id").to_string();
                            round_acked.lock().unwrap().insert(id, (kind, name));
                        }
                        Err(_) => break,
                    }
                }
            }));
        }
        // Kill at a different moment each round, writes in flight.
        tokio::time::sleep(Duration::from_millis(300 + 250 * round)).await;
        let acknowledged_before_kill = round_acked.lock().unwrap().len();
        // `Child::kill` is SIGKILL on Unix: no shutdown, no flush, exactly `kill -9`.
        let _ = server.stop();
        for w in writers {
            w.await.expect("a writer ends");
        }
        let round_acked = round_acked.lock().unwrap().clone();
        assert!(
            acknowledged_before_kill > 0,
            "round {round}: no write was acknowledged before the kill"
        );
        println!(
            "kill -9 round {round}: {} writes acknowledged",
            round_acked.len()
        );
        assert_eq!(integrity(&db).await, ["ok"], "round {round}");
        acked.extend(round_acked);
    }
    let last = ServerProcess::start(&url_db, &secret);
    let now = listed(&last.url, &token, &org).await;
    assert_all_there(&acked, &now, "after the last kill");
    // Nothing half-written: every listed row is whole (its config and details open).
    let res = gql(
        &last.url,
        "query($o: ID) { clickstreamConfigs(orgId: $o) { id config } }",
        json!({ "o": org }),
        Some(&token),
        None,
    )
    .await;
    assert!(res.get("errors").is_none(), "{res}");
    let configs = res["data"]["clickstreamConfigs"].as_array().unwrap();
    assert!(
        configs
            .iter()
            .all(|c| c["config"]["events"] == json!(["Order Completed"])),
        "a config came back partial"
    );
    let ids: BTreeSet<_> = configs.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(acked
        .iter()
        .filter(|(_, (k, _))| *k == "integration")
        .all(|(id, _)| ids.contains(id.as_str())));
}
