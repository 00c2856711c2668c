//! Connection details and integration configurations at rest: whoever holds only the
//! database (the SQLite file with its WAL, or PostgreSQL's tables) finds none of what was
//! typed into a destination's form; the server with the data key reads it all back; a
//! server with another key refuses to start and says which key it was given; a sealed
//! value moved into another row does not open (a clear error, not a panic, not another
//! row's secret); a database from before sealing is sealed when a server opens it.

use houston_server::store::StoreError;
use houston_server::{DataKeySource, Houston, ServerConfig};
use houston_test_harness::{execute, KeyedDb, TestServer};
use serde_json::json;
use std::path::Path;

const API_KEY: &str = "acq-at-rest-9f2c71e04b";
const ROTATED_API_KEY: &str = "acq-at-rest-rotated-61d3aa";
const OTHER_API_KEY: &str = "acq-at-rest-other-0c7e52";
const ADVERTISER: &str = "adv-at-rest-55e1d0";
const EVENT: &str = "Zebra Checkout 3c8a";
/// Everything typed into destination forms: none of it may be readable at rest.
const TYPED: [&str; 5] = [API_KEY, ROTATED_API_KEY, OTHER_API_KEY, ADVERTISER, EVENT];
/// Stored in plaintext on purpose (an organization's name is not a secret): finding it
/// proves the scan reads the right bytes, so that finding nothing else means something.
const ORG_NAME: &str = "Vault-org-plain-4be0";
const LEGACY_API_KEY: &str = "acq-legacy-plaintext-d41a77";
const LEGACY_ADVERTISER: &str = "adv-legacy-plaintext-93be10";

/// What someone who copies the database gets: on SQLite every file of the database
/// (`houston.db`, `houston.db-wal`, `houston.db-shm`), on PostgreSQL every row of
/// every table as text.
async fn everything_at_rest(db: &KeyedDb) -> Vec<(String, Vec<u8>)> {
    match db.sqlite_dir() {
        Some(dir) => database_files(dir),
        None => {
            let mut all = Vec::new();
            for table in houston_server::store::Dump::TABLES
                .iter()
                .chain(&["data_key_check"])
            {
                let rows = db
                    .raw_texts(&format!("SELECT t::text FROM {table} t"))
                    .await;
                all.push((table.to_string(), rows.join("\n").into_bytes()));
            }
            all
        }
    }
}

/// Every file in `dir` whose name starts with `houston.db`, with its bytes.
fn database_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("houston.db"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(
        files.iter().any(|(name, _)| name == "houston.db"),
        "the database file is there: {:?}",
        files.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    files
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Asserts that none of `secrets` is anywhere at rest, and that the plaintext marker is
/// (so that the scan is known to read what it should).
async fn assert_nothing_readable(db: &KeyedDb, secrets: &[&str], when: &str) {
    let at_rest = everything_at_rest(db).await;
    for (name, bytes) in &at_rest {
        for secret in secrets {
            assert!(!holds(bytes, secret), "{when}: {name} holds {secret:?}");
        }
    }
    assert!(
        at_rest.iter().any(|(_, bytes)| holds(bytes, ORG_NAME)),
        "{when}: the scan must find the organization's name, stored in plaintext"
    );
}

/// What a test made through the API.
struct Made {
    owner: String,
    org: String,
    conn_a: String,
    conn_b: String,
    integration: String,
}

async fn fill(server: &TestServer) -> Made {
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, ORG_NAME).await;
    let app = server.create_app(&owner, &org, "Web").await;
    let conn_a = server.create_connection(&owner, &org, API_KEY).await;
    let conn_b = server.create_connection(&owner, &org, OTHER_API_KEY).await;
    // The update paths seal too.
    let s = server
        .status(
            "mutation($c: String!, $d: JSON) { updateConnection(connectionId: $c, action: UPDATE, details: $d) { success message } }",
            json!({ "c": conn_a, "d": { "apiKey": ROTATED_API_KEY } }),
            Some(&owner),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let integration = server
        .ok_id(
            "mutation($a: String!, $c: String, $p: JSON!) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: $p, connectionId: $c, name: \"Acquisio for web\") { success message id fieldErrors { propertyName message } } }",
            json!({ "a": app, "c": conn_a, "p": { "advertiserId": "adv-first", "events": ["Order Completed"] } }),
            Some(&owner),
        )
        .await;
    let s = server
        .status(
            "mutation($i: String!, $p: JSON) { updateIntegration(integrationId: $i, action: UPDATE, configPayload: $p) { success message } }",
            json!({ "i": integration, "p": { "advertiserId": ADVERTISER, "events": [EVENT] } }),
            Some(&owner),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    Made {
        owner,
        org,
        conn_a,
        conn_b,
        integration,
    }
}

/// The values come back whole through the store, and to the Owner never (only named as
/// stored).
async fn assert_readable(houston: &Houston, made: &Made) {
    let store = &houston.state().store;
    let a = store.connection_by_id(&made.conn_a).await.unwrap().unwrap();
    assert_eq!(a.details, json!({ "apiKey": ROTATED_API_KEY }));
    let b = store.connection_by_id(&made.conn_b).await.unwrap().unwrap();
    assert_eq!(b.details, json!({ "apiKey": OTHER_API_KEY }));
    let i = store
        .integration_by_id(&made.integration)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        i.config,
        json!({ "advertiserId": ADVERTISER, "events": [EVENT] })
    );

    let res = execute(
        houston,
        "query($o: String!) { orgConnections(orgId: $o) { id details secretsSet } }",
        json!({ "o": made.org }),
        Some(made.owner.as_str()),
        None,
    )
    .await;
    assert!(res.get("errors").is_none(), "{res}");
    let shown = res.to_string();
    for secret in [ROTATED_API_KEY, OTHER_API_KEY] {
        assert!(!shown.contains(secret), "the Owner sees a secret: {shown}");
    }
    for c in res["data"]["orgConnections"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(c["details"], json!({}), "no secret, no mask: {c}");
        assert_eq!(c["secretsSet"], json!(["apiKey"]), "{c}");
    }
    assert_eq!(
        res["data"]["orgConnections"].as_array().map(Vec::len),
        Some(2),
        "{res}"
    );
}

/// The whole story on one backend.
async fn sealed_at_rest_and_readable_with_the_key_only(db: KeyedDb) {
    let server = db.serve().await;
    let made = fill(&server).await;
    assert_readable(&server.houston, &made).await;

    // Raw columns: every value carries the sealed format.
    for sql in [
        "SELECT details FROM connections",
        "SELECT config FROM integrations",
    ] {
        let values = db.raw_texts(sql).await;
        assert!(!values.is_empty(), "{sql}");
        for v in values {
            assert!(v.starts_with("sealed:v1:"), "{sql}: {v}");
        }
    }
    // As the server left it (on SQLite: with the WAL not checkpointed yet) ...
    assert_nothing_readable(&db, &TYPED, "while the server runs").await;
    if !db.is_postgres() {
        // ... and with everything checkpointed into the main file.
        db.raw_exec("PRAGMA wal_checkpoint(TRUNCATE)").await;
        assert_nothing_readable(&db, &TYPED, "after a checkpoint").await;
    }
    drop(server);

    // Another key: the server refuses to start, and names the key it was given.
    for (other, named) in [
        (
            DataKeySource::Key {
                key: [0x42; 32],
                from: "the test's wrong key".into(),
            },
            "the test's wrong key",
        ),
        (DataKeySource::Ephemeral, "ephemeral"),
    ] {
        let err = Houston::open(db.config_with(other))
            .await
            .err()
            .expect("a server with another key must not start");
        let message = format!("{err:#}");
        assert!(
            message.contains("another data key") && message.contains(named),
            "a clear message naming the key source: {message}"
        );
    }
    assert!(
        db.key_path().exists(),
        "the refused starts left the key file alone"
    );

    // The same key, from its file or given as bytes: everything comes back.
    let again = Houston::open(db.config()).await.unwrap();
    assert_readable(&again, &made).await;
    let text = std::fs::read_to_string(db.key_path()).unwrap();
    let bytes = houston_server::seal::parse_key(&text).expect("the key file holds a key");
    let given = Houston::open(db.config_with(DataKeySource::Key {
        key: bytes,
        from: "the bytes of the key file".into(),
    }))
    .await
    .unwrap();
    assert_readable(&given, &made).await;
}

#[tokio::test]
async fn sqlite_file_holds_no_secret_and_opens_with_its_key_only() {
    sealed_at_rest_and_readable_with_the_key_only(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_holds_no_secret_and_opens_with_its_key_only() {
    sealed_at_rest_and_readable_with_the_key_only(KeyedDb::postgres().await).await;
}

/// Connection A's sealed details copied into connection B's row, and the integration's
/// sealed configuration into A's: neither opens, each says which row, and the rest of the
/// server goes on (also after a restart with the right key).
async fn a_sealed_value_moved_to_another_row_does_not_open(db: KeyedDb) {
    let server = db.serve().await;
    let made = fill(&server).await;
    db.raw_exec(&format!(
        "UPDATE connections SET details = (SELECT details FROM connections WHERE id = '{a}') \
         WHERE id = '{b}'",
        a = made.conn_a,
        b = made.conn_b
    ))
    .await;
    db.raw_exec(&format!(
        "UPDATE connections SET details = (SELECT config FROM integrations WHERE id = '{i}') \
         WHERE id = '{a}'",
        a = made.conn_a,
        i = made.integration
    ))
    .await;

    for houston in [
        server.houston.clone(),
        Houston::open(db.config()).await.unwrap(),
    ] {
        let store = &houston.state().store;
        for id in [&made.conn_a, &made.conn_b] {
            match store.connection_by_id(id).await {
                Err(e @ StoreError::Unsealable { .. }) => {
                    let message = e.to_string();
                    assert!(
                        message.contains(id.as_str()) && message.contains("cannot be opened"),
                        "the error names the row: {message}"
                    );
                    assert!(
                        TYPED.iter().all(|s| !message.contains(s)),
                        "and no secret: {message}"
                    );
                }
                other => panic!("a moved value must not open: {other:?}"),
            }
        }
        // The integration's own row still opens.
        let i = store
            .integration_by_id(&made.integration)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(i.config["advertiserId"], ADVERTISER);

        // Over the API: an error without detail, and the server answers the next request.
        let res = execute(
            &houston,
            "query($c: String!) { connection(connectionId: $c) { id details } }",
            json!({ "c": made.conn_b }),
            Some(made.owner.as_str()),
            None,
        )
        .await;
        let shown = res.to_string();
        assert!(res.get("errors").is_some(), "{shown}");
        assert!(TYPED.iter().all(|s| !shown.contains(s)), "{shown}");
        assert!(!shown.contains("sealed"), "no internal detail: {shown}");
        let res = execute(
            &houston,
            "{ organizations { name } }",
            json!({}),
            Some(made.owner.as_str()),
            None,
        )
        .await;
        assert_eq!(res["data"]["organizations"][0]["name"], ORG_NAME, "{res}");
    }
}

#[tokio::test]
async fn sqlite_moved_sealed_value_does_not_open() {
    a_sealed_value_moved_to_another_row_does_not_open(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_moved_sealed_value_does_not_open() {
    a_sealed_value_moved_to_another_row_does_not_open(KeyedDb::postgres().await).await;
}

/// A database as a server from before sealing left it (plaintext values, no key check,
/// its last migration the first one) is sealed by the first server that opens it, and
/// nothing of the plaintext stays in the SQLite files.
async fn a_database_from_before_sealing_is_sealed_at_open(db: KeyedDb) {
    let server = db.serve().await;
    let made = fill(&server).await;
    drop(server);
    let legacy_details = json!({ "apiKey": LEGACY_API_KEY }).to_string();
    let legacy_config = json!({ "advertiserId": LEGACY_ADVERTISER, "events": [] }).to_string();
    db.raw_exec(&format!(
        "UPDATE connections SET details = '{legacy_details}' WHERE id = '{}'",
        made.conn_a
    ))
    .await;
    db.raw_exec(&format!(
        "UPDATE integrations SET config = '{legacy_config}' WHERE id = '{}'",
        made.integration
    ))
    .await;
    db.raw_exec("DROP TABLE data_key_check").await;
    db.raw_exec("DROP TABLE sealing_scheme").await;
    db.raw_exec("DELETE FROM _sqlx_migrations WHERE version IN (2, 5)")
        .await;
    if !db.is_postgres() {
        db.raw_exec("VACUUM").await;
        db.raw_exec("PRAGMA wal_checkpoint(TRUNCATE)").await;
        let files = database_files(db.sqlite_dir().unwrap());
        assert!(
            files.iter().any(|(_, b)| holds(b, LEGACY_API_KEY)),
            "the legacy database holds its plaintext (else this test proves nothing)"
        );
    }

    let houston = Houston::open(db.config()).await.unwrap();
    let store = &houston.state().store;
    let a = store.connection_by_id(&made.conn_a).await.unwrap().unwrap();
    assert_eq!(a.details, json!({ "apiKey": LEGACY_API_KEY }));
    let i = store
        .integration_by_id(&made.integration)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i.config["advertiserId"], LEGACY_ADVERTISER);
    let b = store.connection_by_id(&made.conn_b).await.unwrap().unwrap();
    assert_eq!(
        b.details,
        json!({ "apiKey": OTHER_API_KEY }),
        "sealed rows untouched"
    );
    for sql in [
        "SELECT details FROM connections",
        "SELECT config FROM integrations",
    ] {
        for v in db.raw_texts(sql).await {
            assert!(v.starts_with("sealed:v1:"), "{sql}: {v}");
        }
    }
    let mut secrets = TYPED.to_vec();
    secrets.extend([LEGACY_API_KEY, LEGACY_ADVERTISER]);
    assert_nothing_readable(&db, &secrets, "after sealing at open").await;

    // The database is bound to its key from now on.
    drop(houston);
    let err = Houston::open(db.config_with(DataKeySource::Ephemeral))
        .await
        .err()
        .expect("another key is refused once sealed");
    assert!(format!("{err:#}").contains("another data key"), "{err:#}");
}

#[tokio::test]
async fn sqlite_from_before_sealing_is_sealed_at_open() {
    a_database_from_before_sealing_is_sealed_at_open(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_from_before_sealing_is_sealed_at_open() {
    a_database_from_before_sealing_is_sealed_at_open(KeyedDb::postgres().await).await;
}

/// `houston-server` takes its key from `HOUSTON_DATA_KEY` or the key file beside the
/// secret file; it refuses a malformed key or another key without echoing either, and its
/// `--help` says where the key comes from without printing it.
#[tokio::test]
async fn the_binary_names_its_key_source_and_never_prints_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = |key: Option<&str>, args: &[&str]| {
        let mut cmd = std::process::Command::new(houston_test_harness::houston_server_bin());
        cmd.args(args)
            .env("NO_COLOR", "1")
            .env("RUST_BACKTRACE", "0")
            .env("HOUSTON_SECRET_FILE", dir.path().join("token-secret"))
            .env(
                "HOUSTON_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("houston.db").display()),
            )
            .env("HOUSTON_LISTEN", "127.0.0.1:0");
        match key {
            Some(k) => cmd.env("HOUSTON_DATA_KEY", k),
            None => cmd.env_remove("HOUSTON_DATA_KEY"),
        };
        cmd.output().expect("the binary runs")
    };
    let wrong = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="; // 32 × 'A'
    let help = run(Some(wrong), &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("HOUSTON_DATA_KEY") && text.contains("houston-data.key"));
    assert!(!text.contains(wrong), "--help never prints the key: {text}");

    let malformed = run(Some("not-a-key-c0ffee"), &[]);
    let err = String::from_utf8_lossy(&malformed.stderr);
    assert!(!malformed.status.success());
    assert!(err.contains("HOUSTON_DATA_KEY must be 32 bytes"), "{err}");
    assert!(
        !err.contains("not-a-key-c0ffee"),
        "the value is not echoed: {err}"
    );

    // A database bound to the key file beside the secret (made by a first open) ...
    let config = ServerConfig {
        database_url: format!("sqlite://{}", dir.path().join("houston.db").display()),
        data_key: DataKeySource::File(dir.path().join("houston-data.key")),
        ..ServerConfig::in_memory()
    };
    drop(Houston::open(config).await.unwrap());
    // ... is refused with another key, naming where that key came from.
    let refused = run(Some(wrong), &[]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        err.contains("another data key") && err.contains("HOUSTON_DATA_KEY"),
        "{err}"
    );
    assert!(!err.contains(wrong), "{err}");
}

/// Servers starting together on a new PostgreSQL database: with one key they all start;
/// with two keys exactly one key wins and the servers with the other refuse, so the
/// database is never sealed with two keys.
#[tokio::test]
async fn postgres_servers_starting_together_share_one_key() {
    let db = KeyedDb::postgres().await;
    let key = |byte: u8| DataKeySource::Key {
        key: [byte; 32],
        from: format!("key {byte}"),
    };
    let opened = futures_util::future::join_all(
        [1u8, 2, 1, 2]
            .into_iter()
            .map(|b| Houston::open(db.config_with(key(b)))),
    )
    .await;
    let started: Vec<bool> = opened.iter().map(Result::is_ok).collect();
    assert!(
        started == [true, false, true, false] || started == [false, true, false, true],
        "one key wins, both servers with it start: {started:?}"
    );
    for err in opened.iter().filter_map(|r| r.as_ref().err()) {
        assert!(format!("{err:#}").contains("another data key"), "{err:#}");
    }
    let again =
        futures_util::future::join_all((0..3).map(|_| Houston::open(db.config_with(key(9)))));
    assert!(
        again.await.iter().all(Result::is_err),
        "a third key is refused"
    );
}
