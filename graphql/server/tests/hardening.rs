//! Attack tests for issue 12's findings on accounts, password hashing, files, command
//! lines, stored Argon2 parameters and HTTP headers (items 3, 12, 16, 17, 18 and 20).
//! Each test states the attack, then checks that it no longer works.

use houston_server::auth::Passwords;
use houston_server::{DataKeySource, SecretSource, ServerConfig};
use houston_test_harness::{error_code, houston_server_bin, ServerProcess, TestServer};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const PASSWORD: &str = "password123";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Argon2 runs the server made so far.
fn runs(server: &TestServer) -> u64 {
    server.houston.state().passwords.runs()
}

// ---- 12: a stolen session is not a stolen account --------------------------------------

/// A thief with a session sends a profile edit together with a password change and a
/// guessed current password: the guess fails, and nothing at all is saved.
#[tokio::test]
async fn update_user_with_a_wrong_current_password_changes_nothing() {
    let server = TestServer::start().await;
    let (t, _) = server.confirmed_user("victim@example.com").await;
    let s = server
        .status(
            r#"mutation { updateUser(profile: { firstName: "Mallory", company: "Evil" }, currentPassword: "guess", newPassword: "another-pass-1") { success code fieldErrors { propertyName } } }"#,
            json!({}),
            Some(&t),
        )
        .await;
    assert_eq!(s["success"], false, "{s}");
    assert_eq!(s["fieldErrors"][0]["propertyName"], "currentPassword");
    let me = server
        .data(
            "{ me { profile { firstName company } } }",
            json!({}),
            Some(&t),
        )
        .await;
    assert_ne!(
        me["me"]["profile"]["firstName"], "Mallory",
        "a failed password check saved the profile: {me}"
    );
    assert_ne!(me["me"]["profile"]["company"], "Evil", "{me}");
}

/// A thief with a session (and no password) asks for a reset of that account and reads the
/// link: refused unless the request proves the current password; and a reset link is
/// never readable through `myMail`, whoever asked for it.
#[tokio::test]
async fn a_signed_in_session_cannot_take_over_the_account_with_a_reset() {
    let server = TestServer::start().await;
    let (t, _) = server.confirmed_user("victim@example.com").await;
    let ask = r#"mutation { requestPasswordReset(email: "victim@example.com") { success code fieldErrors { propertyName } } }"#;
    let s = server.status(ask, json!({}), Some(&t)).await;
    assert_eq!(
        s["success"], false,
        "a session asked for a reset of its own account without the password: {s}"
    );
    assert_eq!(s["fieldErrors"][0]["propertyName"], "currentPassword");
    let resets = |mail: Vec<houston_server::store::MailRow>| {
        mail.iter().filter(|m| m.kind == "PASSWORD_RESET").count()
    };
    assert_eq!(resets(server.houston.outbox().await.unwrap()), 0, "no mail");

    // Anonymously the request goes through (the mail goes to the mailbox), but a session
    // cannot read the link in it.
    let s = server.status(ask, json!({}), None).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(resets(server.houston.outbox().await.unwrap()), 1);
    let mine = server
        .data("{ myMail { kind token } }", json!({}), Some(&t))
        .await;
    assert!(
        mine["myMail"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "PASSWORD_RESET"),
        "a session read a reset link: {mine}"
    );

    // With the current password, the signed-in person may ask (a wrong one is refused).
    let with = |p: &str| {
        format!(
            r#"mutation {{ requestPasswordReset(email: "victim@example.com", currentPassword: "{p}") {{ success code fieldErrors {{ propertyName }} }} }}"#
        )
    };
    let s = server.status(&with("guess"), json!({}), Some(&t)).await;
    assert_eq!(s["success"], false, "{s}");
    let s = server.status(&with(PASSWORD), json!({}), Some(&t)).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(resets(server.houston.outbox().await.unwrap()), 2);
}

// ---- 3: password hashing for anyone ----------------------------------------------------

/// Anyone makes the server hash by sending made-up link tokens or taken addresses: no
/// hash is made until the cheap checks pass.
#[tokio::test]
async fn bad_links_and_taken_addresses_cost_no_hash() {
    let server = TestServer::start().await;
    let (_, _) = server.confirmed_user("taken@example.com").await;

    let before = runs(&server);
    let s = server
        .status(
            r#"mutation { setPassword(token: "made-up-token", password: "password123") { success code } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["success"], false, "{s}");
    assert_eq!(
        runs(&server) - before,
        0,
        "setPassword hashed for a made-up link"
    );

    let before = runs(&server);
    let s = server
        .status(
            r#"mutation { createNewUser(email: "taken@example.com", password: "password123") { success code } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(s["code"], "CONFLICT", "{s}");
    assert_eq!(
        runs(&server) - before,
        0,
        "createNewUser hashed for a taken address"
    );

    // A real link still works (hashed once, after the lookup).
    server
        .status(
            r#"mutation { requestPasswordReset(email: "taken@example.com") { success } }"#,
            json!({}),
            None,
        )
        .await;
    let link = server
        .outbox_token("taken@example.com", "PASSWORD_RESET")
        .await;
    let s = server
        .status(
            "mutation($t: String!) { setPassword(token: $t, password: \"new-password-1\") { success } }",
            json!({ "t": link }),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
}

/// One document asks for several hashes (sign-in and sign-up side by side, or aliased):
/// refused whole, before any hashing.
#[tokio::test]
async fn a_document_with_two_hashing_mutations_is_refused_before_hashing() {
    let server = TestServer::start().await;
    for doc in [
        r#"mutation { a: createToken(username: "x@example.com", password: "p") { success } b: createNewUser(email: "y@example.com", password: "password123") { success } }"#,
        r#"mutation { a: setPassword(token: "t", password: "password123") { success } b: updateUser(currentPassword: "p", newPassword: "password123") { success } }"#,
        r#"mutation { ...A ...B } fragment A on Mutation { a: createToken(username: "x@example.com", password: "p") { success } } fragment B on Mutation { b: createToken(username: "z@example.com", password: "p") { success } }"#,
    ] {
        let before = runs(&server);
        let r = server.gql(doc, json!({}), None).await;
        assert_eq!(
            runs(&server) - before,
            0,
            "hashed for a document with two hashing mutations: {r}"
        );
        assert!(r.get("errors").is_some(), "refused with an error: {r}");
        assert_eq!(error_code(&r), "QUERY_TOO_LARGE", "{r}");
    }
    // One per document is fine.
    let r = server
        .gql(
            r#"mutation { createToken(username: "x@example.com", password: "p") { success } }"#,
            json!({}),
            None,
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
}

// ---- 18: Argon2 parameters read from a stored hash --------------------------------------

/// A tampered database stores a hash that asks for 1000 passes, or 64 lanes: each
/// sign-in would then cost seconds of CPU. Such a hash is refused without running.
#[tokio::test]
async fn stored_hashes_with_too_many_passes_or_lanes_are_refused() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    let passwords = Passwords::with_concurrency(1);
    for (m, t, p) in [(8, 1000, 1), (64 * 8, 1, 64)] {
        let argon = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(m, t, p, None).unwrap(),
        );
        let hash = argon.hash_password(b"pw", &salt).unwrap().to_string();
        let before = passwords.runs();
        assert!(
            !passwords.verify("pw".into(), Some(hash.clone())).await,
            "a stored hash with t={t}, p={p} was honoured: {hash}"
        );
        assert_eq!(passwords.runs(), before, "and nothing ran for it");
    }
}

// ---- 16: files --------------------------------------------------------------------------

/// Another user of the machine reads the database and the secrets: the data directory is
/// 0700, the database files and both secrets 0600, whatever the umask.
#[test]
fn the_data_directory_and_its_files_are_private() {
    let home = tempfile::tempdir().unwrap();
    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0"])
        .env("XDG_DATA_HOME", home.path())
        .env("HOME", home.path())
        .env_remove("HOUSTON_DATABASE_URL")
        .env_remove("HOUSTON_SECRET_FILE")
        .env_remove("HOUSTON_DATA_KEY");
    let server = ServerProcess::spawn(command);
    let dir = home.path().join("houston");
    assert_eq!(mode(&dir), 0o700, "the data directory");
    for file in ["houston.db", "houston.db-wal", "houston.db-shm"] {
        let path = dir.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    assert!(dir.join("houston.db").exists());
    // The data key is kept away from the database, in the configuration directory (item 16).
    let config = home.path().join(".config").join("houston");
    assert_eq!(mode(&config), 0o700, "the configuration directory");
    for path in [dir.join("token-secret"), config.join("houston-data.key")] {
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    drop(server);
}

// ---- 17: command lines ------------------------------------------------------------------

/// `ps` shows every process's arguments to every user: a PostgreSQL password in a URL in
/// an error message, or on the command line, is readable by all.
#[test]
fn redact_hides_a_password_given_as_a_query_parameter() {
    use houston_server::migrate::redact;
    for url in [
        "postgres://db/houston?user=houston&password=s3cret",
        "postgres://db/houston?password=s3cret&sslmode=require",
        "postgres://houston:s3cret@db/houston?password=s3cret",
    ] {
        let shown = redact(url);
        assert!(!shown.contains("s3cret"), "{url} shown as {shown}");
    }
    assert_eq!(
        redact("postgres://db/houston?sslmode=require"),
        "postgres://db/houston?sslmode=require"
    );
}

/// The credential-carrying settings can come from a file (or the environment), never
/// only from the command line.
#[test]
fn credentials_can_come_from_files_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-file.db");
    let url_file = dir.path().join("database-url");
    std::fs::write(&url_file, format!("sqlite://{}\n", db.display())).unwrap();
    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0", "--secret-file"])
        .arg(dir.path().join("token-secret"))
        .env("HOUSTON_DATABASE_URL_FILE", &url_file)
        .env("HOUSTON_SMTP_URL_FILE", dir.path().join("no-such-file"))
        .env_remove("HOUSTON_DATABASE_URL");
    // A file that cannot be read is an error naming the variable (not a server that
    // quietly runs without the setting).
    let mut child = command.spawn().expect("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let exited = child.try_wait().unwrap();
    if exited.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        exited.is_some_and(|s| !s.success()),
        "an unreadable HOUSTON_SMTP_URL_FILE is an error: {said}"
    );
    assert!(said.contains("HOUSTON_SMTP_URL_FILE"), "{said}");

    let mut command = ServerProcess::command();
    command
        .args(["--listen", "127.0.0.1:0", "--secret-file"])
        .arg(dir.path().join("token-secret"))
        .env("HOUSTON_DATABASE_URL_FILE", &url_file)
        .env_remove("HOUSTON_DATABASE_URL");
    let server = ServerProcess::spawn(command);
    assert!(db.exists(), "the database named in the file is used");
    drop(server);

    // migrate takes its URLs from the environment too.
    let copy = dir.path().join("copy.db");
    let out = Command::new(houston_server_bin())
        .arg("migrate")
        .env("NO_COLOR", "1")
        .env("HOUSTON_SECRET_FILE", dir.path().join("token-secret"))
        .env("HOUSTON_MIGRATE_FROM", format!("sqlite://{}", db.display()))
        .env("HOUSTON_MIGRATE_TO", format!("sqlite://{}", copy.display()))
        .env_remove("HOUSTON_DATA_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(copy.exists());
}

/// `migrate` is pointed at the only copy of a team's data: it must not change it, not even
/// to bring it to the current schema or seal what an older server left in plaintext.
#[tokio::test]
async fn migrate_never_writes_to_its_source() {
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("houston.db");
    let url = format!("sqlite://{}", db_path.display());
    let key_source = DataKeySource::File(dir.path().join("houston-data.key"));
    let config = ServerConfig {
        database_url: url.clone(),
        secret: SecretSource::File(dir.path().join("token-secret")),
        data_key: key_source.clone(),
        ..ServerConfig::in_memory()
    };
    let server = TestServer::with_config(config, tempfile::tempdir().unwrap()).await;
    let (t, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&t, "Org").await;
    let conn = server.create_connection(&t, &org, "sk-legacy-1").await;
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The source as an older server left it: plaintext, no key check, an older schema.
    {
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        c.execute(
            format!(
                "UPDATE connections SET details = '{{\"apiKey\":\"sk-legacy-1\"}}' WHERE id = '{conn}'"
            )
            .as_str(),
        )
        .await
        .unwrap();
        c.execute("DROP TABLE data_key_check").await.unwrap();
        c.execute("DROP TABLE sealing_scheme").await.unwrap();
        c.execute("DELETE FROM _sqlx_migrations WHERE version IN (2, 5)")
            .await
            .unwrap();
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
        c.close().await.unwrap();
    }
    let snapshot = |p: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("houston.db"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&db_path);
    let target = tempfile::tempdir().unwrap();
    let key = key_source.load().unwrap();
    houston_server::migrate::migrate(
        &url,
        &format!("sqlite://{}", target.path().join("copy.db").display()),
        &key,
    )
    .await
    .expect("migrates");
    let after = snapshot(&db_path);
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&after),
        names(&before),
        "files created beside the source"
    );
    assert!(
        after == before,
        "migrate wrote to its source ({:?})",
        names(&after)
    );
}

// ---- 20: HTTP headers -------------------------------------------------------------------

/// A page that sniffs content types, caches answers holding tokens, or frames GraphiQL to
/// click-jack it: every answer says `nosniff`, GraphQL answers `no-store`, GraphiQL forbids
/// framing.
#[tokio::test]
async fn answers_carry_nosniff_no_store_and_graphiql_forbids_framing() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let post = http
        .post(&server.url)
        .json(&json!({ "query": "{ healthcheck }" }))
        .send()
        .await
        .unwrap();
    let get = http
        .get(&server.url)
        .query(&[("query", "{ healthcheck }")])
        .send()
        .await
        .unwrap();
    let refused = http
        .post(&server.url)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    for (what, r) in [("POST", &post), ("GET", &get), ("415", &refused)] {
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    }
    let graphiql = http
        .get(&server.url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        graphiql
            .headers()
            .get("x-content-type-options")
            .map(|v| v.to_str().unwrap()),
        Some("nosniff")
    );
    let csp = graphiql
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "CSP: {csp:?}");
    let health = http
        .get(server.url.replace("/graphql", "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health
            .headers()
            .get("x-content-type-options")
            .map(|v| v.to_str().unwrap()),
        Some("nosniff")
    );
}

/// Another web app on the same machine (a dev server on localhost:3000) drives the API
/// from the browser of a signed-in person: its origin has a loopback name, but not the
/// listener's port, so it is refused. So is the listener's host under another scheme.
#[tokio::test]
async fn an_origin_is_compared_whole_not_by_host_name() {
    let server = TestServer::start().await;
    let authority = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/graphql")
        .to_string();
    let port: u16 = authority.rsplit(':').next().unwrap().parse().unwrap();
    let other = if port == 3000 { 3001 } else { 3000 };
    let http = reqwest::Client::new();
    let send = |origin: String| {
        http.post(&server.url)
            .header("origin", origin)
            .json(&json!({ "query": "{ healthcheck }" }))
            .send()
    };
    for origin in [
        format!("http://localhost:{other}"),
        format!("http://127.0.0.1:{other}"),
        "http://localhost".to_string(),
        format!("ftp://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}/path"),
    ] {
        let r = send(origin.clone()).await.unwrap();
        assert_eq!(r.status(), 403, "{origin} is another origin");
    }
    for origin in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        format!("http://[::1]:{port}"),
    ] {
        let r = send(origin.clone()).await.unwrap();
        assert_eq!(r.status(), 200, "{origin} is ours");
        let v: Value = r.json().await.unwrap();
        assert!(v.get("errors").is_none(), "{v}");
    }
}
