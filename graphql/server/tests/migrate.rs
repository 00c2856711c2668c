//! `houston-server migrate`: a SQLite database filled through the API is copied into a
//! fresh PostgreSQL one, and a server on the copy (same secret file) answers everything as
//! the original did: old tokens, passwords, API keys and links included.

use houston_server::seal::DataKey;
use houston_server::store::prelude::*;
use houston_server::store::{PgStore, SqliteStore};
use houston_server::{DataKeySource, SecretSource, ServerConfig};
use houston_test_harness::{http::gql, PgDatabase, ServerProcess, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::{Command, Output};

/// Runs `migrate` with the secret file `secret`, so with the data key file beside it.
fn run_migrate(from: &str, to: &str, secret: &std::path::Path) -> Output {
    Command::new(houston_test_harness::houston_server_bin())
        .args(["migrate", "--from", from, "--to", to])
        .env("NO_COLOR", "1")
        .env("HOUSTON_SECRET_FILE", secret)
        .env_remove("HOUSTON_DATA_KEY")
        .output()
        .expect("the binary runs")
}

/// Rows per table, as `migrate` reports them.
fn reported_counts(stdout: &str) -> BTreeMap<String, usize> {
    stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let table = words.next()?.to_string();
            let rows = words.next()?.parse().ok()?;
            Some((table, rows))
        })
        .collect()
}

/// What the callers see: the same questions, asked of a server.
struct Callers {
    ada: String,
    bob: String,
    pat: String,
    org: String,
    second_org: String,
    app: String,
}

async fn answers(url: &str, c: &Callers) -> Vec<(String, Value)> {
    // myMail without `body` and `token`: live links stay in the memory of the server that
    // composed them (issue 12, item 15), so a copy carries the mail, not its links.
    let asked: Vec<(&str, &str, Value, Option<&str>)> = vec![
        ("ada", "{ me { id username status emails { address verified primary } profile { firstName lastName company } createdAt } }", json!({}), None),
        ("ada", "{ organizations { id name description enabled myRole createdAt members { role user { id username status createdAt } } owners { id } users { id } applications { id name platform createdAt } } }", json!({}), None),
        ("ada", "{ users { id username status profile { firstName } } }", json!({}), None),
        ("ada", "query($o: String!) { orgConnections(orgId: $o) { id name integrationCode connectionPrototypeId details createdAt updatedAt organization { id } } }", json!({ "o": c.org }), None),
        ("ada", "query($o: ID) { clickstreamConfigs(orgId: $o) { id name code enabled config createdAt updatedAt application { id } connection { id name details } } }", json!({ "o": c.org }), None),
        ("ada", "query($o: ID!) { apiKeys(orgId: $o) { id label role createdAt lastUsedAt organization { id } } }", json!({ "o": c.org }), None),
        ("ada", "{ myMail { id to kind subject createdAt } }", json!({}), None),
        ("ada", "{ applications { id name platform createdAt organization { id } } }", json!({}), Some(&c.org)),
        ("bob", "{ me { id username status emails { verified } } }", json!({}), None),
        ("bob", "{ organizations { id name myRole members { role user { username } } } }", json!({}), None),
        ("bob", "query($o: ID) { applications(orgId: $o) { id name platform } }", json!({ "o": c.second_org }), None),
        ("bob", "query($a: String!) { sources(id: $a) { id name clickstream { name topic: code enabled } } }", json!({ "a": c.app }), None),
        ("bob", "query($o: String!) { connection: orgConnections(orgId: $o) { id details } }", json!({ "o": c.org }), None),
        ("bob", "{ myMail { id to kind subject createdAt } }", json!({}), None),
        ("pat", "{ me { id username status emails { verified } } }", json!({}), None),
        ("pat", "{ myMail { id to kind createdAt } }", json!({}), None),
    ];
    let mut out = Vec::new();
    for (who, query, vars, org) in asked {
        let token = match who {
            "ada" => &c.ada,
            "bob" => &c.bob,
            _ => &c.pat,
        };
        let res = gql(url, query, vars, Some(token), org).await;
        assert!(res.get("errors").is_none(), "{who}: {query}: {res}");
        out.push((format!("{who}: {query}"), res));
    }
    out
}

#[tokio::test]
async fn a_populated_sqlite_database_moves_to_postgres() {
    // --- An evaluation on the bundled SQLite database, filled through the API.
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("houston.db").display());
    let secret = dir.path().join("token-secret");
    // The key the binary finds beside the secret file, as a standalone server would.
    let key_file = dir.path().join("houston-data.key");
    let server = TestServer::with_config(
        ServerConfig {
            database_url: sqlite_url.clone(),
            secret: SecretSource::File(secret.clone()),
            data_key: DataKeySource::File(key_file.clone()),
            ..ServerConfig::in_memory()
        },
        tempfile::tempdir().unwrap(),
    )
    .await;
    let (ada, _) = server.confirmed_user("ada@example.com").await;
    let (bob, _) = server.confirmed_user("bob@example.com").await;
    let pat = server
        .status(
            "mutation { createNewUser(email: \"pat@example.com\", password: \"pending-pw-1\", profile: {firstName: \"Pat\"}) { success token } }",
            json!({}),
            None,
        )
        .await["token"]
        .as_str()
        .expect("a pending user's token")
        .to_string();
    let org = server.create_org(&ada, "Engines").await;
    server
        .status(
            "mutation($o: String!) { updateOrganization(orgId: $o, description: \"Difference and analytical\") { success } }",
            json!({ "o": org }),
            Some(&ada),
        )
        .await;
    server
        .add_member(&ada, &org, "bob@example.com", "USER")
        .await;
    let invited = server
        .status(
            "mutation($o: String!) { updateOrganization(orgId: $o, addUser: {email: \"ivy@example.com\", role: OWNER}) { success } }",
            json!({ "o": org }),
            Some(&ada),
        )
        .await;
    assert_eq!(invited["success"], true, "{invited}");
    let second_org = server.create_org(&bob, "Second").await;
    let app = server.create_app(&ada, &org, "Web").await;
    server.create_app(&bob, &second_org, "Server side").await;
    let conn = server.create_connection(&ada, &org, "s3cr3t-key-123").await;
    server.create_integration(&ada, &app, &conn).await;
    let other = server.create_integration(&bob, &app, &conn).await;
    server
        .status(
            "mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }",
            json!({ "i": other }),
            Some(&bob),
        )
        .await;
    let key = server
        .status(
            "mutation($o: String!) { createApiKey(orgId: $o, label: \"router\", role: USER) { success key } }",
            json!({ "o": org }),
            Some(&ada),
        )
        .await["key"]
        .as_str()
        .expect("the key")
        .to_string();
    let key = format!("service:{key}");
    let used = server
        .gql_via(
            houston_test_harness::Via::InProcess,
            "{ applications { name } }",
            json!({}),
            Some(&key),
            Some(&org),
        )
        .await;
    assert_eq!(used["data"]["applications"][0]["name"], "Web", "{used}");
    // A mutation by the key, so that the audit has an entry to carry.
    let renamed = server
        .gql_via(
            houston_test_harness::Via::InProcess,
            "mutation($a: String!) { updateApplication(appId: $a, name: \"Web\") { success } }",
            json!({ "a": app }),
            Some(&key),
            Some(&org),
        )
        .await;
    assert_eq!(
        renamed["data"]["updateApplication"]["success"], true,
        "{renamed}"
    );
    server
        .status(
            "mutation { requestPasswordReset(email: \"bob@example.com\") { success } }",
            json!({}),
            None,
        )
        .await;
    let wrong = server
        .status(
            "mutation { createToken(username: \"ada@example.com\", password: \"not-it\") { success } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(wrong["success"], false);
    let ada_confirmation = server
        .outbox_token("ada@example.com", "CONFIRM_EMAIL")
        .await;
    let bob_reset = server
        .outbox_token("bob@example.com", "PASSWORD_RESET")
        .await;
    let ivy_invitation = server.outbox_token("ivy@example.com", "INVITATION").await;
    let callers = Callers {
        ada,
        bob,
        pat,
        org: org.clone(),
        second_org,
        app,
    };
    let before = answers(&server.url, &callers).await;
    drop(server);
    // Events come through the collector, which is not this test's; store a request's worth
    // (one a replay) directly, so that the copy has events and counts to carry.
    {
        let store = SqliteStore::open(&sqlite_url, DataKey::from_file(&key_file).unwrap())
            .await
            .unwrap();
        let event = |id: &str| houston_server::store::NewEvent {
            message_id: id.into(),
            event_type: "track".into(),
            event: Some("Signed Up".into()),
            user_id: Some("ada".into()),
            anonymous_id: None,
            received_at: time::OffsetDateTime::now_utc(),
            timestamp: None,
            problems: vec![],
            payload: "{}".into(),
        };
        store
            .record_events(
                &callers.app,
                &[event("m-1"), event("m-2"), event("m-1")],
                houston_server::store::Retention::default(),
            )
            .await
            .unwrap();
    }

    // --- The copy.
    let db = PgDatabase::create().await;
    let out = run_migrate(&sqlite_url, &db.url, &secret);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "migrate fails: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data_key = DataKey::from_file(&key_file).unwrap();
    let original = SqliteStore::open(&sqlite_url, data_key.clone())
        .await
        .unwrap()
        .export()
        .await
        .unwrap();
    let copy = PgStore::open(&db.url, data_key)
        .await
        .unwrap()
        .export()
        .await
        .unwrap();
    assert_eq!(copy, original, "every row is copied as it was");
    let expected: BTreeMap<String, usize> = original
        .counts()
        .iter()
        .map(|(t, n)| (t.to_string(), *n))
        .collect();
    assert_eq!(reported_counts(&stdout), expected, "{stdout}");
    // Issue 12: ivy's invitation makes no account until she accepts it.
    assert_eq!(expected["users"], 3, "ada, bob, pending pat");
    assert_eq!(expected["invitations"], 1, "ivy's");
    assert!(
        expected.values().all(|n| *n > 0),
        "every table had rows to copy: {expected:?}"
    );
    assert!(
        !stdout.contains(&db.url),
        "the report hides the password: {stdout}"
    );

    // --- A server on the copy, with the same secret file, answers the same.
    let pg = ServerProcess::start(&db.url, &secret);
    let after = answers(&pg.url, &callers).await;
    for ((question, old), (_, new)) in before.iter().zip(&after) {
        assert_eq!(old, new, "{question}");
    }
    let d = gql(
        &pg.url,
        "{ applications { name } }",
        json!({}),
        Some(&key),
        Some(&org),
    )
    .await;
    assert_eq!(
        d["data"]["applications"][0]["name"], "Web",
        "the API key still works: {d}"
    );
    let d = gql(
        &pg.url,
        "mutation($t: String!) { confirmEmail(token: $t) { success } }",
        json!({ "t": ada_confirmation }),
        None,
        None,
    )
    .await;
    assert_eq!(
        d["data"]["confirmEmail"]["success"], false,
        "a used link stays used"
    );
    let d = gql(
        &pg.url,
        "mutation($t: String!) { setPassword(token: $t, password: \"bobs-new-pw\") { success token } }",
        json!({ "t": bob_reset }),
        None,
        None,
    )
    .await;
    assert_eq!(
        d["data"]["setPassword"]["success"], true,
        "an unused reset link still works: {d}"
    );
    let d = gql(
        &pg.url,
        "mutation($t: String!) { setPassword(token: $t, password: \"ivys-first-pw\") { success token } }",
        json!({ "t": ivy_invitation }),
        None,
        None,
    )
    .await;
    let ivy = d["data"]["setPassword"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the invitation can still be accepted: {d}"))
        .to_string();
    let d = gql(
        &pg.url,
        "{ organizations { name myRole } }",
        json!({}),
        Some(&ivy),
        None,
    )
    .await;
    assert_eq!(
        d["data"]["organizations"],
        json!([{ "name": "Engines", "myRole": "OWNER" }])
    );
    let d = gql(
        &pg.url,
        "mutation { createToken(username: \"ada@example.com\", password: \"password123\") { success token } }",
        json!({}),
        None,
        None,
    )
    .await;
    assert_eq!(
        d["data"]["createToken"]["success"], true,
        "the old password signs in: {d}"
    );
    drop(pg);

    // --- A second copy into the now non-empty database is refused, and says why.
    let out = run_migrate(&sqlite_url, &db.url, &secret);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "copying into a non-empty database must fail"
    );
    assert!(
        stderr.contains("not empty") && stderr.contains("users"),
        "the refusal says why: {stderr}"
    );
    assert!(
        !stderr.contains(&db.url),
        "and hides the password: {stderr}"
    );

    // --- So is a source that does not exist (opening it would make an empty one).
    let empty = PgDatabase::create().await;
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    let out = run_migrate(&missing, &empty.url, &secret);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(stderr.contains("there is no database at"), "{stderr}");
    assert!(
        !dir.path().join("nothing.db").exists(),
        "nothing was created"
    );
}
