//! Attack tests for issue 12's secrets at rest (items 6, 14, 15, 16, 17 and 20): each test
//! states the attack, then checks that it no longer works.

use houston_server::seal;
use houston_server::store::StoreError;
use houston_server::Houston;
use houston_test_harness::{KeyedDb, TestServer};
use serde_json::json;

/// Two organizations of one Owner, each with a source, a connection and an integration.
struct Two {
    org: [String; 2],
    app: [String; 2],
    conn: [String; 2],
    integration: [String; 2],
}

async fn two_orgs(server: &TestServer) -> Two {
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let mut made = Two {
        org: Default::default(),
        app: Default::default(),
        conn: Default::default(),
        integration: Default::default(),
    };
    for i in 0..2 {
        made.org[i] = server.create_org(&owner, &format!("Org {i}")).await;
        made.app[i] = server.create_app(&owner, &made.org[i], "Web").await;
        made.conn[i] = server
            .create_connection(&owner, &made.org[i], &format!("key-of-org-{i}"))
            .await;
        made.integration[i] = server
            .create_integration(&owner, &made.app[i], &made.conn[i])
            .await;
    }
    made
}

fn assert_unsealable<T: std::fmt::Debug>(got: Result<Option<T>, StoreError>, what: &str) {
    match got {
        Err(StoreError::Unsealable { .. }) => {}
        other => panic!("{what}: a re-labelled row must not open, got {other:?}"),
    }
}

// ---- 14: sealing binds the row's meaning -------------------------------------------------

/// Whoever can write the database moves a connection to an organization they control, or
/// re-labels it as another destination, or moves an integration to another source: the
/// sealed value no longer opens, so the secret never shows up under the new label.
async fn a_relabelled_row_does_not_open(db: KeyedDb) {
    let server = db.serve().await;
    let made = two_orgs(&server).await;
    let store = server.houston.state().store.clone();
    db.raw_exec(&format!(
        "UPDATE connections SET org_id = '{}' WHERE id = '{}'",
        made.org[1], made.conn[0]
    ))
    .await;
    assert_unsealable(
        store.connection_by_id(&made.conn[0]).await,
        "connection moved to another organization",
    );
    db.raw_exec(&format!(
        "UPDATE connections SET integration_code = 'google_ads', \
         connection_prototype_id = 'google_ads' WHERE id = '{}'",
        made.conn[1]
    ))
    .await;
    assert_unsealable(
        store.connection_by_id(&made.conn[1]).await,
        "connection re-labelled as another destination",
    );
    db.raw_exec(&format!(
        "UPDATE integrations SET app_id = '{}' WHERE id = '{}'",
        made.app[1], made.integration[0]
    ))
    .await;
    assert_unsealable(
        store.integration_by_id(&made.integration[0]).await,
        "integration moved to another source",
    );
    db.raw_exec(&format!(
        "UPDATE applications SET org_id = '{}' WHERE id = '{}'",
        made.org[0], made.app[1]
    ))
    .await;
    assert_unsealable(
        store.integration_by_id(&made.integration[1]).await,
        "integration whose source moved to another organization",
    );
}

#[tokio::test]
async fn sqlite_relabelled_row_does_not_open() {
    a_relabelled_row_does_not_open(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_relabelled_row_does_not_open() {
    a_relabelled_row_does_not_open(KeyedDb::postgres().await).await;
}

/// Plaintext written into a sealed column (by whoever can write the database, to plant a
/// configuration) is refused, while the server runs and after it restarts.
async fn plaintext_is_refused(db: KeyedDb) {
    let server = db.serve().await;
    let made = two_orgs(&server).await;
    db.raw_exec(&format!(
        "UPDATE connections SET details = '{{\"apiKey\":\"planted\"}}' WHERE id = '{}'",
        made.conn[0]
    ))
    .await;
    db.raw_exec(&format!(
        "UPDATE integrations SET config = '{{\"events\":[]}}' WHERE id = '{}'",
        made.integration[0]
    ))
    .await;
    let store = server.houston.state().store.clone();
    assert_unsealable(store.connection_by_id(&made.conn[0]).await, "plaintext");
    assert_unsealable(
        store.integration_by_id(&made.integration[0]).await,
        "plaintext",
    );
    drop(server);
    let houston = Houston::open(db.config()).await.unwrap();
    let store = &houston.state().store;
    assert_unsealable(store.connection_by_id(&made.conn[0]).await, "after restart");
    assert_unsealable(
        store.integration_by_id(&made.integration[0]).await,
        "after restart",
    );
    assert!(store.connection_by_id(&made.conn[1]).await.is_ok());
}

#[tokio::test]
async fn sqlite_plaintext_is_refused() {
    plaintext_is_refused(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_plaintext_is_refused() {
    plaintext_is_refused(KeyedDb::postgres().await).await;
}

/// A database written by a server whose sealed values named only their row (table, column,
/// id) is re-sealed once at open: every value reads back, the pass is not repeated, and
/// from then on a re-labelled row fails to open.
async fn values_sealed_for_their_row_only_are_rebound_once(db: KeyedDb) {
    let server = db.serve().await;
    let made = two_orgs(&server).await;
    drop(server);
    let key = db.data_key();
    for (i, conn) in made.conn.iter().enumerate() {
        let old = key.seal(
            &seal::context("connections", "details", conn),
            json!({ "apiKey": format!("old-key-{i}") })
                .to_string()
                .as_bytes(),
        );
        db.raw_exec(&format!(
            "UPDATE connections SET details = '{old}' WHERE id = '{conn}'"
        ))
        .await;
    }
    let old = key.seal(
        &seal::context("integrations", "config", &made.integration[0]),
        json!({ "events": ["Old Event"] }).to_string().as_bytes(),
    );
    db.raw_exec(&format!(
        "UPDATE integrations SET config = '{old}' WHERE id = '{}'",
        made.integration[0]
    ))
    .await;
    // A plaintext value left by a server from before sealing is sealed by the same pass.
    db.raw_exec(&format!(
        "UPDATE integrations SET config = '{{\"events\":[\"Plain\"]}}' WHERE id = '{}'",
        made.integration[1]
    ))
    .await;
    db.raw_exec("DROP TABLE sealing_scheme").await;
    db.raw_exec("DELETE FROM _sqlx_migrations WHERE version = 5")
        .await;

    let houston = Houston::open(db.config()).await.unwrap();
    let store = &houston.state().store;
    for (i, conn) in made.conn.iter().enumerate() {
        let c = store.connection_by_id(conn).await.unwrap().unwrap();
        assert_eq!(c.details, json!({ "apiKey": format!("old-key-{i}") }));
    }
    let i = store
        .integration_by_id(&made.integration[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i.config, json!({ "events": ["Old Event"] }));
    let i = store
        .integration_by_id(&made.integration[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i.config, json!({ "events": ["Plain"] }));
    let stored = "SELECT details FROM connections UNION ALL SELECT config FROM integrations";
    let after_first = db.raw_texts(stored).await;
    assert!(
        after_first.iter().all(|v| seal::is_sealed(v)),
        "{after_first:?}"
    );
    drop(houston);

    // Idempotent: a second open re-seals nothing.
    let houston = Houston::open(db.config()).await.unwrap();
    assert_eq!(db.raw_texts(stored).await, after_first);
    drop(houston);

    // And the old binding no longer opens: the value sealed for its row only, put back,
    // is refused.
    let old = key.seal(
        &seal::context("connections", "details", &made.conn[0]),
        b"{\"apiKey\":\"old-again\"}",
    );
    db.raw_exec(&format!(
        "UPDATE connections SET details = '{old}' WHERE id = '{}'",
        made.conn[0]
    ))
    .await;
    let houston = Houston::open(db.config()).await.unwrap();
    assert_unsealable(
        houston.state().store.connection_by_id(&made.conn[0]).await,
        "a value bound to its row only, after the pass",
    );
}

#[tokio::test]
async fn sqlite_values_sealed_for_their_row_only_are_rebound_once() {
    values_sealed_for_their_row_only_are_rebound_once(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn postgres_values_sealed_for_their_row_only_are_rebound_once() {
    values_sealed_for_their_row_only_are_rebound_once(KeyedDb::postgres().await).await;
}

// ---- 17: migrate never writes to a PostgreSQL source --------------------------------------

/// Every row of every table of a PostgreSQL database, as text.
async fn pg_snapshot(db: &KeyedDb) -> Vec<String> {
    let mut all = Vec::new();
    for table in houston_server::store::Dump::TABLES.iter().chain(&[
        "data_key_check",
        "sealing_scheme",
        "_sqlx_migrations",
    ]) {
        let mut rows = db
            .raw_texts(&format!("SELECT t::text FROM {table} t"))
            .await;
        rows.sort();
        all.push(format!("{table}: {}", rows.join("\n")));
    }
    all
}

/// `migrate` pointed at a team's only PostgreSQL database, as an older server left it
/// (an older schema, a plaintext value): it used to migrate and seal the source in place.
/// Now it refuses, saying what to do, and the source is as it was; a current source is
/// copied without a single change.
#[tokio::test]
async fn migrate_never_writes_to_a_postgres_source() {
    let db = KeyedDb::postgres().await;
    let server = db.serve().await;
    let made = two_orgs(&server).await;
    drop(server);
    let key = db.data_key();
    let target = tempfile::tempdir().unwrap();

    let before = pg_snapshot(&db).await;
    let copied = houston_server::migrate::migrate(
        &db.url,
        &format!("sqlite://{}", target.path().join("copy.db").display()),
        &key,
    )
    .await
    .expect("a current source is copied");
    assert!(copied.total() > 0);
    assert_eq!(pg_snapshot(&db).await, before, "migrate changed its source");

    db.raw_exec(&format!(
        "UPDATE connections SET details = '{{\"apiKey\":\"sk-legacy\"}}' WHERE id = '{}'",
        made.conn[0]
    ))
    .await;
    db.raw_exec("DROP TABLE data_key_check").await;
    db.raw_exec("DELETE FROM _sqlx_migrations WHERE version = 2")
        .await;
    let err = houston_server::migrate::migrate(
        &db.url,
        &format!("sqlite://{}", target.path().join("copy2.db").display()),
        &key,
    )
    .await;
    let still_legacy = db
        .raw_texts("SELECT COALESCE(to_regclass('data_key_check')::text, 'absent')")
        .await;
    assert_eq!(
        still_legacy,
        ["absent"],
        "migrate brought its source to the current schema ({err:?})"
    );
    let details = db
        .raw_texts(&format!(
            "SELECT details FROM connections WHERE id = '{}'",
            made.conn[0]
        ))
        .await;
    assert_eq!(
        details,
        [r#"{"apiKey":"sk-legacy"}"#],
        "migrate sealed its source"
    );
    let message = err.expect_err("an older source is refused").to_string();
    assert!(message.contains("not at this server's schema"), "{message}");
}

// ---- 15: link tokens are never stored ---------------------------------------------------

/// Every byte of a SQLite database's files.
fn sqlite_bytes(db: &KeyedDb) -> Vec<u8> {
    let dir = db.sqlite_dir().unwrap();
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        all.extend(std::fs::read(e.path()).unwrap());
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Whoever reads the database (a backup, a dump, a stolen file) finds the outbox: it used
/// to hold every live confirmation and reset link, each one an account taken over. Now
/// the database holds only their hashes; the Mail panel still shows the links (from the
/// server's memory) and they work.
#[tokio::test]
async fn the_database_holds_no_live_link() {
    let db = KeyedDb::sqlite();
    let server = db.serve().await;
    let (_, _) = server.confirmed_user("ada@example.com").await;
    let s = server
        .status(
            r#"mutation { createNewUser(email: "bob@example.com", password: "password123") { success } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let s = server
        .status(
            r#"mutation { requestPasswordReset(email: "ada@example.com") { success } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let confirm = server
        .outbox_token("bob@example.com", "CONFIRM_EMAIL")
        .await;
    let reset = server
        .outbox_token("ada@example.com", "PASSWORD_RESET")
        .await;
    db.raw_exec("PRAGMA wal_checkpoint(TRUNCATE)").await;
    let at_rest = sqlite_bytes(&db);
    assert!(
        holds(&at_rest, "bob@example.com"),
        "the scan reads the database"
    );
    for token in [&confirm, &reset] {
        assert!(!holds(&at_rest, token), "a live link is stored: {token}");
    }
    let stored = db
        .raw_texts("SELECT body || COALESCE(token, '') FROM mail")
        .await;
    assert!(stored
        .iter()
        .all(|b| !b.contains(&confirm) && !b.contains(&reset)));

    // The links shown from memory work.
    let s = server
        .status(
            "mutation($t: String!) { confirmEmail(token: $t) { success } }",
            json!({ "t": confirm }),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let s = server
        .status(
            "mutation($t: String!) { setPassword(token: $t, password: \"another-pass-2\") { success } }",
            json!({ "t": reset }),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
}

/// Used and expired links and old mail are pruned: the tables do not keep every link ever
/// sent (each a record of who was invited or reset when).
#[tokio::test]
async fn used_and_expired_links_and_old_mail_are_pruned() {
    let db = KeyedDb::sqlite();
    let server = db.serve().await;
    let (_, _) = server.confirmed_user("ada@example.com").await;
    let s = server
        .status(
            r#"mutation { createNewUser(email: "bob@example.com", password: "password123") { success } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    db.raw_exec("UPDATE link_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL")
        .await;
    db.raw_exec("UPDATE mail SET created_at = '2000-01-01T00:00:00Z'")
        .await;
    let count = |sql: &'static str| {
        let db = &db;
        async move { db.raw_texts(sql).await[0].clone() }
    };
    assert_ne!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM link_tokens").await,
        "0"
    );
    let s = server
        .status(
            r#"mutation { createNewUser(email: "carol@example.com", password: "password123") { success } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM link_tokens").await,
        "1",
        "only carol's new link is left"
    );
    assert_eq!(
        count("SELECT CAST(COUNT(*) AS TEXT) FROM mail WHERE created_at < '2001'").await,
        "0",
        "old mail is pruned"
    );
}

// ---- 6: stored sizes and per-organization quotas ----------------------------------------

/// A signed-up account fills the database through ordinary mutations: a megabyte of
/// "credentials" per connection, and rows without end. Now a string over 16 KB, an
/// argument over 64 KB, and a row over the organization's quota are refused, each with a
/// sentence that says which limit.
#[tokio::test]
async fn stored_sizes_and_quotas_are_bounded() {
    // Quotas set low (the defaults are the 10,000-source scale), as an operator may.
    let server = TestServer::start_with(|config| {
        config.limits.quotas = houston_server::throttle::Quotas {
            sources: 200,
            api_keys: 100,
            ..Default::default()
        }
    })
    .await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Org").await;
    let create = "mutation($o: String!, $d: JSON!) { createConnection(integrationCode: \"acquisio\", details: $d, name: \"Acquisio\", orgId: $o, connectionPrototypeId: \"acquisio\") { success code message } }";
    for (what, details) in [
        (
            "one long string",
            json!({ "apiKey": "k".repeat(20 * 1024) }),
        ),
        (
            "many short strings",
            json!({ "apiKey": "k", "extra": vec!["x".repeat(1000); 80] }),
        ),
    ] {
        let res = server
            .gql(create, json!({ "o": org, "d": details }), Some(&owner))
            .await;
        assert_eq!(
            houston_test_harness::error_code(&res),
            "INVALID_INPUT",
            "{what}: {res}"
        );
        let message = res["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("createConnection(details)"), "{message}");
    }
    let stored = server
        .data(
            "query($o: String!) { orgConnections(orgId: $o) { id } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    assert_eq!(stored["orgConnections"], json!([]), "nothing was stored");
    // Within the limits, it is stored.
    server.create_connection(&owner, &org, "sk-ordinary").await;

    // Quotas: 100 API keys, then a clear refusal.
    let key =
        "mutation($o: String!) { createApiKey(orgId: $o, label: \"k\") { success code message } }";
    for i in 0..100 {
        let res = server.data(key, json!({ "o": org }), Some(&owner)).await;
        assert_eq!(res["createApiKey"]["success"], true, "key {i}: {res}");
    }
    let res = server.data(key, json!({ "o": org }), Some(&owner)).await;
    assert_eq!(res["createApiKey"]["success"], false, "{res}");
    assert_eq!(res["createApiKey"]["code"], "INVALID_INPUT", "{res}");
    let message = res["createApiKey"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("100 API keys"), "{message}");

    // 200 sources, then a clear refusal.
    for i in 0..200 {
        server
            .create_app(&owner, &org, &format!("Source {i}"))
            .await;
    }
    let s = server
        .status(
            "mutation($o: String!) { createApplication(name: \"One more\", platform: \"analytics.js\", orgId: $o) { success code message } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    assert_eq!(s["success"], false, "{s}");
    assert!(
        s["message"]
            .as_str()
            .unwrap_or_default()
            .contains("200 sources"),
        "{s}"
    );
}

/// Quotas were read before the insert, so a burst of concurrent creates all saw room and
/// all inserted: the quota was passed by as many as ran at once. Now the count and the
/// insert are one transaction under the organization's lock, on both databases, and the
/// pending invitations count as members.
async fn concurrent_creates_stop_at_the_quota(db: KeyedDb) {
    const BURST: usize = 24;
    let mut config = db.config();
    config.limits.quotas = houston_server::throttle::Quotas {
        sources: 3,
        connections: 3,
        api_keys: 3,
        integrations: 3,
        members: 3,
    };
    let server = TestServer::with_config(config, tempfile::tempdir().unwrap()).await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Org").await;
    let burst = |query: &'static str, vars: Vec<serde_json::Value>| {
        let (server, owner) = (&server, &owner);
        async move {
            let answers = futures_util::future::join_all(
                vars.into_iter()
                    .map(|v| async move { server.gql(query, v, Some(owner)).await }),
            )
            .await;
            answers
                .iter()
                .filter(|a| {
                    a["data"]
                        .as_object()
                        .and_then(|d| d.values().next())
                        .is_some_and(|o| o["success"] == true)
                })
                .count()
        }
    };
    let many = |f: &dyn Fn(usize) -> serde_json::Value| (0..BURST).map(f).collect::<Vec<_>>();

    let made = burst(
        "mutation($o: String!, $n: String!) { createApplication(name: $n, platform: \"analytics.js\", orgId: $o) { success code message } }",
        many(&|i| json!({ "o": org, "n": format!("S{i}") })),
    )
    .await;
    let apps = server
        .data(
            "query($o: ID) { applications(orgId: $o) { id } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    let stored = apps["applications"].as_array().map_or(0, Vec::len);
    assert_eq!(
        (made, stored),
        (3, 3),
        "sources: {BURST} at once against a quota of 3"
    );

    let made = burst(
        "mutation($o: String!, $l: String!) { createApiKey(orgId: $o, label: $l) { success code message } }",
        many(&|i| json!({ "o": org, "l": format!("K{i}") })),
    )
    .await;
    assert_eq!(made, 3, "API keys: {BURST} at once against a quota of 3");

    let made = burst(
        "mutation($o: String!, $d: JSON!) { createConnection(integrationCode: \"acquisio\", details: $d, name: \"A\", orgId: $o, connectionPrototypeId: \"acquisio\") { success code message } }",
        many(&|i| json!({ "o": org, "d": { "apiKey": format!("k{i}") } })),
    )
    .await;
    assert_eq!(made, 3, "connections: {BURST} at once against a quota of 3");

    // Members: the Owner holds one seat; invitations not yet accepted hold the others.
    let made = burst(
        "mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: { email: $e }) { success code message } }",
        many(&|i| json!({ "o": org, "e": format!("invitee{i}@example.com") })),
    )
    .await;
    assert_eq!(
        made, 2,
        "members: the Owner and 2 invitations fill a quota of 3"
    );
    let refused = server
        .status(
            "mutation($o: String!) { updateOrganization(orgId: $o, addUser: { email: \"late@example.com\" }) { success code message } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    assert_eq!(refused["code"], "INVALID_INPUT", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("3 members and pending invitations"),
        "{refused}"
    );
}

#[tokio::test]
async fn concurrent_creates_stop_at_the_quota_on_sqlite() {
    concurrent_creates_stop_at_the_quota(KeyedDb::sqlite()).await;
}

#[tokio::test]
async fn concurrent_creates_stop_at_the_quota_on_postgres() {
    concurrent_creates_stop_at_the_quota(KeyedDb::postgres().await).await;
}

// ---- 16: the data key away from the database --------------------------------------------

/// A server run with every default (as a user would start it) kept its data key beside the
/// database, so a copy of the data directory (a backup, a synced folder) was a copy of the
/// key too. Now the key lives in the configuration directory, and an older install's key is
/// moved there, still opening what it sealed.
#[tokio::test]
async fn the_default_data_key_is_not_beside_the_database() {
    use houston_test_harness::ServerProcess;
    let home = tempfile::tempdir().unwrap();
    let (data, config) = (home.path().join("data"), home.path().join("config"));
    let start = || {
        let mut command = ServerProcess::command();
        command
            .args(["--listen", "127.0.0.1:0"])
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", &config)
            .env_remove("HOUSTON_DATA_KEY")
            .env_remove("HOUSTON_DATA_KEY_FILE")
            .env_remove("HOUSTON_DATABASE_URL")
            .env_remove("HOUSTON_SECRET_FILE");
        ServerProcess::spawn(command)
    };
    let server = start();
    let database_dir = data.join("houston");
    assert!(database_dir.join("houston.db").exists());
    let key = config.join("houston").join("houston-data.key");
    assert!(
        !database_dir.join("houston-data.key").exists(),
        "the data key sits beside the database"
    );
    assert!(key.exists(), "the key is in the configuration directory");
    drop(server);

    // An older install: its key beside the database is moved, and still seals the database.
    std::fs::rename(&key, database_dir.join("houston-data.key")).unwrap();
    let server = start();
    assert!(key.exists(), "the old key was moved");
    assert!(!database_dir.join("houston-data.key").exists());
    drop(server);
}
