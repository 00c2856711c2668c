//! Schema-driven fuzzing: schemathesis (PyPI, GraphQL mode) reads the schema of a running
//! `houston-server` by introspection and sends it generated operations, once as a stranger
//! and once signed in (so resolvers are reached past the sign-in check). Every answer is
//! read back from schemathesis's HAR report and must hold: no 5xx, an error code on every
//! error, no `INTERNAL` error (the GraphQL form of a 500), and nothing internal in any
//! message (no sqlx, SQL, panic, backtrace or file path). The server's own log must hold no
//! panic and no internal error.
//!
//! Schemathesis runs from the virtual environment `.ci/setup` makes at `target/venv`; a
//! missing one fails the test with the command to run, it is not skipped. Its own verdict
//! is not ours: in GraphQL mode it counts every answer with `errors` as a failure, and a
//! refusal (`UNAUTHENTICATED`, an invalid argument) is the right answer to most of what it
//! sends. The run is bounded by `--max-examples` and a fixed seed (the same requests each
//! time, so a finding reproduces), and by a wall-clock limit on the child process.

use houston_test_harness::{http::confirmed_user, ServerProcess};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Test cases per operation, for each of the schema's 34 queries and mutations: some 1,300
/// requests per run, both runs in 25 to 45 seconds on 2 cores.
const MAX_EXAMPLES: &str = "40";
/// The fixed seed: a failure names the request, and the next run sends it again.
const SEED: &str = "20261127";
/// Longer than any run should take; a hung fuzzer fails the test instead of hanging it.
const RUN_LIMIT: Duration = Duration::from_secs(240);

/// What no error may contain, in any case: the database layer, panics, source paths.
const INTERNAL_MARKERS: &[&str] = &[
    "sqlx",
    "sqlite",
    "postgres",
    "sqlstate",
    "constraint failed",
    "panicked",
    "backtrace",
    ".rs:",
    "/src/",
    "registry/src",
    "/home/",
    "/root/",
    "/tmp/",
];
/// SQL, as the database would quote it back (upper case, so that a word of a message or
/// of the fuzzer's own input echoed back is not taken for it).
const SQL_MARKERS: &[&str] = &["SELECT ", "INSERT INTO", "DELETE FROM", " WHERE "];

/// The virtual environment's `schemathesis`, or a failure that says how to make it.
fn schemathesis() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let exe = target.join("venv/bin/schemathesis");
    assert!(
        exe.is_file(),
        "schemathesis is not installed at {}: run `bash .ci/setup` (it makes target/venv \
         and installs the pinned schemathesis into it)",
        exe.display()
    );
    exe
}

/// Runs schemathesis against `url` with `headers`, writing its HAR report to `har`.
fn fuzz(url: &str, headers: &[String], exclude: &[&str], har: &Path) -> String {
    let mut cmd = Command::new(schemathesis());
    cmd.args(["run", url, "--phases", "fuzzing", "--workers", "1"])
        .args([
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--no-shrink",
        ])
        .args(["--checks", "not_a_server_error", "--request-timeout", "30"])
        // In GraphQL mode every refusal is a "failure", which would end an operation's
        // examples at its first refusal.
        .arg("--continue-on-failure")
        .args(["--report", "har", "--report-har-path"])
        .arg(har);
    for h in headers {
        cmd.args(["--header", h]);
    }
    for name in exclude {
        cmd.args(["--exclude-name", name]);
    }
    // The hooks module gives the `JSON` scalar a strategy (tests/fuzz_scalars.py).
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let log = har.with_extension("log");
    // Run where the report goes: schemathesis keeps its example database in the working
    // directory (`.schemathesis/`), which must not land in the source tree.
    let mut child = cmd
        .current_dir(har.parent().expect("the report's directory"))
        .env("PYTHONPATH", &tests)
        .env("SCHEMATHESIS_HOOKS", "fuzz_scalars")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).expect("log file"))
        .stderr(Stdio::from(
            std::fs::File::options()
                .append(true)
                .open(&log)
                .expect("log file"),
        ))
        .spawn()
        .expect("schemathesis starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for schemathesis") {
            break status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "schemathesis ran longer than {RUN_LIMIT:?}; its output:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    // 0: nothing flagged; 1: something flagged (in GraphQL mode, any answer with errors).
    // Anything else is a run that did not happen (a bad option, no schema).
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "schemathesis did not run ({status}):\n{output}"
    );
    output
}

/// Every problem found in the answers of a HAR report, and how many answers it holds.
fn findings(har: &Value) -> (usize, Vec<String>) {
    let entries = har["log"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut found = Vec::new();
    for e in &entries {
        let sent = e["request"]["postData"]["text"].as_str().unwrap_or("");
        let status = e["response"]["status"].as_u64().unwrap_or(0);
        let text = e["response"]["content"]["text"].as_str().unwrap_or("");
        let mut problem = |what: String| {
            found.push(format!(
                "{what}\n  sent: {sent}\n  got: {}",
                &text[..text.len().min(400)]
            ))
        };
        if !(200..500).contains(&status) {
            problem(format!("HTTP {status}"));
        }
        let body: Value = match serde_json::from_str(text) {
            Ok(b) => b,
            Err(_) => {
                problem("the answer is not JSON".into());
                continue;
            }
        };
        let errors = body
            .as_object()
            .and_then(|b| b.get("errors"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for err in errors {
            let message = err["message"].as_str().unwrap_or("");
            match err["extensions"]["code"].as_str() {
                None => problem(format!("an error without a code: {message}")),
                Some("INTERNAL") => problem(format!("an internal error: {message}")),
                Some(_) => {}
            }
            let text = err.to_string();
            let lower = text.to_lowercase();
            let internal = INTERNAL_MARKERS.iter().filter(|m| lower.contains(*m));
            let sql = SQL_MARKERS.iter().filter(|m| text.contains(*m));
            for marker in internal.chain(sql) {
                problem(format!("internal detail {marker:?} in an error: {message}"));
            }
        }
        // Mutations answer failures as a StatusMessage: its message is an error too.
        if let Some(data) = body["data"].as_object() {
            for outcome in data.values() {
                if outcome["code"] == "INTERNAL" {
                    problem("an INTERNAL outcome".into());
                }
            }
        }
    }
    (entries.len(), found)
}

fn check_run(label: &str, har_path: &Path, output: &str) -> usize {
    let har: Value = serde_json::from_slice(
        &std::fs::read(har_path)
            .unwrap_or_else(|e| panic!("{label}: no HAR report ({e}); output:\n{output}")),
    )
    .expect("the HAR report is JSON");
    let (answers, found) = findings(&har);
    assert!(
        answers >= 200,
        "{label}: only {answers} requests were sent; output:\n{output}"
    );
    assert!(
        found.is_empty(),
        "{label}: {} of {answers} answers are wrong:\n{}",
        found.len(),
        found.join("\n")
    );
    answers
}

#[tokio::test(flavor = "multi_thread")]
async fn fuzzed_operations_get_no_5xx_no_panic_and_no_internal_detail() {
    let exe = schemathesis();
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        &format!("sqlite://{}", dir.path().join("fuzz.db").display()),
        &dir.path().join("secret"),
    );
    let token = confirmed_user(&server.url, &server.url, "fuzz@example.com", "password123").await;

    let url = server.url.clone();
    let token_used = token.clone();
    let work = dir.path().to_path_buf();
    let (anonymous, signed_in) = tokio::task::spawn_blocking(move || {
        let anonymous = work.join("anonymous.har");
        let output = fuzz(&url, &[], &[], &anonymous);
        // Signed in, `logout` would revoke the token for the rest of the run: the stranger's
        // run above covers it.
        let signed_in = work.join("signed-in.har");
        let signed_in_output = fuzz(
            &url,
            &[format!("Authorization: Bearer {token}")],
            &["Mutation.logout"],
            &signed_in,
        );
        ((anonymous, output), (signed_in, signed_in_output))
    })
    .await
    .unwrap();
    let anonymous = check_run("without a token", &anonymous.0, &anonymous.1);
    let signed_in = check_run("with a token", &signed_in.0, &signed_in.1);
    // The signed-in run stayed signed in: its requests reached the resolvers as a user.
    let me = houston_test_harness::http::gql(
        &server.url,
        "{ me { username } }",
        serde_json::json!({}),
        Some(&token_used),
        None,
    )
    .await;
    assert_eq!(me["data"]["me"]["username"], "fuzz@example.com", "{me}");

    let log = server.stop();
    let bad: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("panicked") || l.contains("internal error") || l.contains("ERROR"))
        .collect();
    assert!(bad.is_empty(), "the server logged:\n{bad:#?}");
    eprintln!(
        "fuzz: {anonymous} requests without a token, {signed_in} with one ({}), all answered \
         cleanly",
        exe.display()
    );
}
