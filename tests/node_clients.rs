//! Real third-party GraphQL clients against a `houston-server` process: Node's
//! graphql-request and Apollo Client (the seed's recommendations), the three requests
//! of the original event router, and graphql-http's GraphQL over HTTP server audit.
//!
//! The scripts live in `tests/clients/` (a Node project with a committed lock file);
//! each runs against its own server, started on a fresh SQLite file and a free loopback
//! port, and fails with a message naming the step. The audit's unmet SHOULDs must be
//! exactly the list in README.md's "GraphQL over HTTP audit" section.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// How long one script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn clients_dir() -> PathBuf {
    root().join("tests").join("clients")
}

/// The newest modification time of the files under `path`.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| newest(&e.path()))
        .max()
}

/// The `houston-server` binary beside this test's own binaries (`cargo test --workspace`
/// builds it there), built first when it is missing or older than the server's sources.
fn server_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_BIN_EXE_houston-desktop"))
            .parent()
            .expect("the target directory")
            .to_path_buf();
        let bin = dir.join(format!("houston-server{}", std::env::consts::EXE_SUFFIX));
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        let sources = [
            "graphql/server/src",
            "graphql/server/migrations",
            "graphql/server/catalog",
            "graphql/server/Cargo.toml",
            "graphql/prototypes/src",
            "graphql/prototypes/Cargo.toml",
        ]
        .iter()
        .filter_map(|p| newest(&root().join(p)))
        .max();
        let stale = match (built, sources) {
            (None, _) => true,
            (Some(b), Some(s)) => s > b,
            (Some(_), None) => false,
        };
        if stale {
            let mut cargo = Command::new(env!("CARGO"));
            cargo
                .args(["build", "-p", "houston-server", "--bin", "houston-server"])
                .arg("--manifest-path")
                .arg(root().join("Cargo.toml"));
            if dir.file_name().is_some_and(|n| n == "release") {
                cargo.arg("--release");
            }
            let status = cargo.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p houston-server failed");
        }
        assert!(bin.exists(), "no houston-server at {}", bin.display());
        bin
    })
}

/// Installs the scripts' packages from the lock file, once, when `node_modules` is
/// missing or older than `package-lock.json`.
fn node_modules() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = clients_dir();
        let lock = std::fs::metadata(dir.join("package-lock.json"))
            .and_then(|m| m.modified())
            .expect("tests/clients/package-lock.json");
        let installed = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
            .and_then(|m| m.modified())
            .ok();
        if installed.is_some_and(|i| i >= lock) {
            return;
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("npm runs (Node.js 20 and npm are needed for these tests)");
        assert!(
            out.status.success(),
            "npm ci failed in {}:\n{}\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// Collects a child's output, line by line, from a reader thread.
fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            into.lock().unwrap().push(line);
        }
    });
}

/// A `houston-server` process on its own database, killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0"])
            .arg("--database-url")
            .arg(format!(
                "sqlite://{}",
                dir.path().join("houston.db").display()
            ))
            .arg("--secret-file")
            .arg(dir.path().join("token-secret"))
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("houston-server starts");
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (tx, log) = (tx.clone(), log.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    log.lock().unwrap().push(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| {
                    panic!(
                        "houston-server did not say where it listens:\n{}",
                        log.lock().unwrap().join("\n")
                    )
                });
            if let Some(i) = line.find("listening on http://") {
                break line[i + "listening on ".len()..].trim().to_string();
            }
        };
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/graphql"),
            "{url}"
        );
        Server {
            child,
            url,
            log,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let server = Server::start();
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
    let server_log = server.log.lock().unwrap().clone();
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
        server_log[server_log.len().saturating_sub(40)..].join("\n"),
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
