//! Real third-party GraphQL clients against a `houston-server` process: Node's
//! graphql-request and Apollo Client (the seed's recommendations), the three requests
//! of the original event router, and graphql-http's GraphQL over HTTP server audit.
//!
//! The scripts live in `tests/clients/` (a Node project with a committed lock file);
//! each runs against its own server, started on a fresh SQLite file and a free loopback
//! port, and fails with a message naming the step. The audit's unmet SHOULDs must be
//! exactly the list in README.md's "GraphQL over HTTP audit" section.

use houston_test_harness::ServerProcess;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long one script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn clients_dir() -> PathBuf {
    root().join("tests").join("clients")
}

/// Installs the scripts' packages from the lock file, once per test binary.
fn node_modules() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| houston_test_harness::node::npm_ci(&clients_dir()));
}

/// Collects a child's output, line by line, from a reader thread.
fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            into.lock().unwrap().push(line);
        }
    });
}

/// What a script printed, and how it ended (`None`: killed after the timeout).
struct Run {
    status: Option<ExitStatus>,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

/// Runs `node tests/clients/<script>` against a fresh server and asserts that it exits 0.
fn run_script(script: &str) -> Run {
    node_modules();
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::in_dir(dir.path(), "127.0.0.1:0");
    assert!(
        server.url.starts_with("http://127.0.0.1:") && server.url.ends_with("/graphql"),
        "{}",
        server.url
    );
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(clients_dir())
        .env("HOUSTON_URL", &server.url)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (Node.js 20 is needed for these tests)");
    let (stdout, stderr) = (Arc::default(), Arc::default());
    collect(child.stdout.take().unwrap(), Arc::clone(&stdout));
    collect(child.stderr.take().unwrap(), Arc::clone(&stderr));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Let the reader threads drain what is left in the pipes.
    std::thread::sleep(Duration::from_millis(100));
    let run = Run {
        status,
        stdout: stdout.lock().unwrap().clone(),
        stderr: stderr.lock().unwrap().clone(),
    };
    assert!(
        run.status.is_some_and(|s| s.success()),
        "node {script} {} against {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- server log (last 40 lines) ---\n{}",
        match run.status {
            Some(s) => format!("failed ({s})"),
            None => format!("did not finish in {SCRIPT_TIMEOUT:?}"),
        },
        server.url,
        run.stdout.join("\n"),
        run.stderr.join("\n"),
        server.log_tail(40),
    );
    run
}

#[test]
fn graphql_request_client() {
    run_script("graphql-request.mjs");
}

#[test]
fn apollo_client() {
    run_script("apollo.mjs");
}

#[test]
fn event_router_requests() {
    run_script("event-router.mjs");
}

/// The README's list of unmet SHOULDs: the items after the marker, each
/// "- `ID` the audit's name — the reason" (continued on indented lines), as (ID, text).
fn readme_unmet_shoulds() -> Vec<(String, String)> {
    const MARKER: &str = "<!-- graphql-http unmet SHOULDs";
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut lines = readme
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(MARKER));
    assert!(
        lines.next().is_some(),
        "README.md has no `{MARKER} …` marker"
    );
    let mut items: Vec<String> = Vec::new();
    for line in lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("- ") || l.starts_with("  "))
    {
        match line.strip_prefix("- ") {
            Some(item) => items.push(item.trim().to_string()),
            None => {
                let last = items.last_mut().expect("a list item first");
                last.push(' ');
                last.push_str(line.trim());
            }
        }
    }
    items
        .iter()
        .map(|item| {
            let (id, text) = item
                .strip_prefix('`')
                .and_then(|i| i.split_once('`'))
                .unwrap_or_else(|| panic!("README.md: not \"`ID` name — reason\": {item}"));
            (id.to_string(), text.trim().to_string())
        })
        .collect()
}

#[test]
fn graphql_http_audit() {
    let run = run_script("audit.mjs");
    let mut unmet: Vec<(String, String)> = run
        .stdout
        .iter()
        .filter_map(|l| l.strip_prefix("UNMET SHOULD "))
        .map(|json| {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    unmet.sort();
    let mut listed = readme_unmet_shoulds();
    listed.sort();
    let ids = |v: &[(String, String)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&unmet),
        ids(&listed),
        "the unmet SHOULDs differ from README.md's list (\"GraphQL over HTTP audit\"):\naudit: {unmet:#?}\nREADME: {listed:#?}\n--- audit output ---\n{}",
        run.stdout.join("\n")
    );
    for ((id, name), (_, line)) in unmet.iter().zip(&listed) {
        assert!(
            line.starts_with(name.as_str()),
            "README.md's entry for {id} names the audit as graphql-http does: `{name}`, not `{line}`"
        );
    }
}
