//! The `houston-server` binary as a child process: started on port 0 (or a given address),
//! found through the "listening on" line it logs, its log kept, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// The data key [`ServerProcess::in_dir`] gives the server: the same on every start, as a
/// team's server would keep it (a test key; never a real one).
pub const TEST_DATA_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A running `houston-server`.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Everything it logged so far, line by line (stdout and stderr).
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with the signing secret in `secret_file` (so the
    /// data key in the key file beside it), and waits until it listens on a free port.
    pub fn start(database_url: &str, secret_file: &Path) -> ServerProcess {
        let mut command = Self::command();
        command
            .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
            .arg("--secret-file")
            .arg(secret_file)
            .env("RUST_LOG", "info,sqlx=warn");
        Self::spawn(command)
    }

    /// Starts the binary as a team would run it: on `dir/houston.db`, its signing secret in
    /// `dir/token-secret` and the data key [`TEST_DATA_KEY`], so that a restart on the same
    /// `listen` address (`127.0.0.1:0` for a free port) keeps every session and secret.
    pub fn in_dir(dir: &Path, listen: &str) -> ServerProcess {
        let database = format!("sqlite://{}", dir.join("houston.db").display());
        let mut command = Self::command();
        command
            .args(["--listen", listen, "--database-url", &database])
            .arg("--secret-file")
            .arg(dir.join("token-secret"))
            .env("RUST_LOG", "info,sqlx=warn")
            .env("HOUSTON_DATA_KEY", TEST_DATA_KEY);
        Self::spawn(command)
    }

    /// The binary ([`houston_server_bin`]), its output piped and uncoloured: add
    /// arguments, then [`Self::spawn`].
    pub fn command() -> Command {
        let mut command = Command::new(houston_server_bin());
        command
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Spawns `command` (from [`Self::command`], told where to listen) and waits (up to
    /// 60 s) until the server says where it listens.
    pub fn spawn(mut command: Command) -> ServerProcess {
        let mut child = command.spawn().expect("houston-server starts");
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
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
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    if let Some(url) = listening_url(&line) {
                        break url;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "houston-server did not say where it listens; it logged:\n{}",
                        log.lock().unwrap().join("\n")
                    );
                }
            }
        };
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches("/graphql")
            .to_string();
        ServerProcess {
            child,
            url,
            addr,
            log,
        }
    }

    /// The graphql-transport-ws endpoint.
    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.url.replacen("http://", "ws://", 1))
    }

    /// The last `n` lines it logged.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log.lock().unwrap();
        log[log.len().saturating_sub(n)..].join("\n")
    }

    /// Stops the server and returns what it logged after it started listening.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Let the reader threads drain what is left in the pipes.
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap();
        log.iter()
            .skip_while(|line| listening_url(line).is_none())
            .skip(1)
            .cloned()
            .collect()
    }

    /// Kills the process (SIGKILL: no goodbye to its clients) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL in the server's "listening on http://…" line.
fn listening_url(line: &str) -> Option<String> {
    const SAYS: &str = "listening on ";
    let i = line.find("listening on http://")?;
    Some(line[i + SAYS.len()..].trim().to_string())
}

/// The `houston-server` binary that `HOUSTON_SERVER_BIN` names; else the one in the target
/// directory of the running test (`target/<profile>/`, where cargo puts it for the server's
/// own tests), built first with cargo when it is missing or older than the server's
/// sources, so that no test runs a stale server.
pub fn houston_server_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(path) = std::env::var("HOUSTON_SERVER_BIN") {
            return PathBuf::from(path);
        }
        let root = workspace_root();
        // A test runs as target/<profile>/deps/<test>-<hash>.
        let exe = std::env::current_exe().expect("the test's own path");
        let dir = exe
            .parent()
            .and_then(Path::parent)
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
            "graphql/vocabulary/src",
            "graphql/vocabulary/Cargo.toml",
        ]
        .iter()
        .filter_map(|p| newest(&root.join(p)))
        .max();
        let stale = match (built, sources) {
            (None, _) => true,
            (Some(b), Some(s)) => s > b,
            (Some(_), None) => false,
        };
        if stale {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
            let mut build = Command::new(cargo);
            build
                .args(["build", "-p", "houston-server", "--bin", "houston-server"])
                .arg("--manifest-path")
                .arg(root.join("Cargo.toml"));
            if dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "cargo build -p houston-server failed");
        }
        assert!(bin.exists(), "no houston-server at {}", bin.display());
        bin
    })
}

/// The workspace's root directory (this crate is `tests/harness` in it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
