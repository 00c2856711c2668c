//! `organizations` over HTTP at 10 concurrent keep-alive clients: houston-server against
//! a bare axum handler doing the same work, and against Apollo Server (Node) serving the
//! same schema subset on the same SQLite data.
//!
//! What makes the comparison fair:
//! - All three check the same JWT (HS256, `iss`, `aud`, `exp` with leeway) signed with the
//!   same secret file, then read the user (token version and status, which is how a logout
//!   revokes tokens), the user's organizations, and the user's role in each: the same three
//!   statements, in the same order, that the server's resolver runs.
//! - The bare handler uses the server's own `Tokens::decode` and its store (the same pool,
//!   so the same SQL on the same file with the same settings): what is left between it and
//!   houston-server is exactly GraphQL (parsing, validation, limits, execution) and the
//!   server's HTTP layer (Host/Origin checks, content-type rules, logging).
//! - Apollo reads the same database file with sql.js (SQLite compiled to wasm; native
//!   modules cannot fetch their binaries here). sql.js holds the whole database in memory,
//!   so Apollo never touches the disk: if anything that favours it.
//! - Every run gets the same clients, the same 5 s, and one second of warm-up first.

use crate::common::{self, ms, ms_f, ClientRequest, Load, Row};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use houston_server::AppState;
use houston_test_harness::TestServer;
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 10;
const RUN_FOR: Duration = Duration::from_secs(5);
const WARM_UP: Duration = Duration::from_secs(1);
const QUERY: &str = "{ organizations { id name } }";

pub async fn run() {
    let server = TestServer::start().await;
    let token = server
        .confirmed_user_with("bench@example.com", "password123")
        .await
        .0;
    for i in 0..3 {
        server.create_org(&token, &format!("Org {i}")).await;
    }
    let clients = vec![
        ClientRequest {
            body: json!({ "query": QUERY }),
            authorization: Some(format!("Bearer {token}")),
        };
        CLIENTS
    ];
    let expected = server.data(QUERY, json!({}), Some(&token)).await;
    assert_eq!(expected["organizations"].as_array().map(Vec::len), Some(3));

    let houston_url = server.url.clone();
    let bare_url = serve_bare(server.houston.state().clone()).await;
    assert_same_answer(&houston_url, &bare_url, &clients[0]).await;

    let houston = measure("houston-server", &houston_url, &clients).await;
    let bare = measure("bare axum", &bare_url, &clients).await;
    let notes = format!(
        "{}. {CLIENTS} keep-alive clients (reqwest, same process as the server under test, \
         so both sides share 2 cores with the load) post `{QUERY}` for {} s after {} s of \
         warm-up; the user belongs to 3 organizations. Both check the same HS256 JWT and run \
         the same 3 statements (user and token version, organizations, role in each) on the \
         same SQLite file through the server's own store; the bare handler has no GraphQL \
         and none of the server's HTTP checks, so the gap is what GraphQL and those checks cost.",
        crate::machine(),
        RUN_FOR.as_secs(),
        WARM_UP.as_secs()
    );
    common::write_results(
        "organizations-http",
        "organizations over HTTP, 10 clients: houston-server vs a bare axum handler",
        &rows(&houston, ("bare axum + same SQL", &bare), 0.5),
        &notes,
    );

    // Apollo reads a snapshot of the same file: everything written so far is checkpointed
    // into the main file first (sql.js cannot read a WAL).
    checkpoint(&server.db_path()).await;
    let apollo = ApolloServer::start(&server.db_path(), &server.secret_path());
    assert_same_answer(&houston_url, &apollo.url, &clients[0]).await;
    let node = measure("Apollo Server", &apollo.url, &clients).await;
    drop(apollo);
    let notes = format!(
        "{}. Same clients, query, data and JWT secret as organizations-http. Apollo Server \
         {} (standalone, Node {}) with a schema of just `organizations {{ id name }}`; the \
         JWT is checked with node:crypto (HS256, iss, aud, exp with 30 s leeway) and the same \
         3 SQL statements run on the same database file through sql.js {} (SQLite in wasm, \
         the database held in memory). Houston's figure is the one measured for \
         organizations-http in the same run.",
        crate::machine(),
        npm_version("@apollo/server"),
        node_version(),
        npm_version("sql.js"),
    );
    common::write_results(
        "organizations-apollo",
        "organizations over HTTP, 10 clients: houston-server vs Apollo Server (Node)",
        &rows(&houston, ("Apollo Server + sql.js", &node), 1.0),
        &notes,
    );
}

async fn measure(label: &str, url: &str, clients: &[ClientRequest]) -> Load {
    common::load(url, clients, WARM_UP, usize::MAX).await;
    let run = common::load(url, clients, RUN_FOR, usize::MAX).await;
    println!("   {label}: {}", run.summary());
    run
}

/// Throughput and p99 rows, houston-server as `a`; the goal is on throughput.
fn rows(houston: &Load, (label, peer): (&str, &Load), goal: f64) -> Vec<Row> {
    let throughput = Row::new(
        "requests/s",
        "req/s",
        "higher",
        ("houston-server", houston.per_sec()),
        (label, peer.per_sec()),
    );
    let met = throughput.ratio >= goal;
    vec![
        throughput.goal(&format!("a/b >= {goal}"), met),
        Row::new(
            "p99 latency",
            "ms",
            "lower",
            ("houston-server", ms_f(houston.p99())),
            (label, ms_f(peer.p99())),
        ),
        Row::new(
            "p50 latency",
            "ms",
            "lower",
            ("houston-server", ms_f(houston.p50())),
            (label, ms_f(peer.p50())),
        ),
    ]
}

/// Both endpoints answer the same organizations (ids and names) to the same request.
async fn assert_same_answer(a: &str, b: &str, client: &ClientRequest) {
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for url in [a, b] {
        let answer: Value = http
            .post(url)
            .header("authorization", client.authorization.as_deref().unwrap())
            .json(&client.body)
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("a JSON answer");
        answers.push(answer["data"]["organizations"].clone());
    }
    assert_eq!(answers[0], answers[1], "{a} and {b} disagree");
}

/// The bare handler: `POST /graphql` that ignores the GraphQL document and does what the
/// server's resolver does for `{ organizations { id name } }`, answering the same JSON.
async fn serve_bare(state: Arc<AppState>) -> String {
    let app = axum::Router::new()
        .route("/graphql", axum::routing::post(bare_organizations))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn bare_organizations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(_request): Json<Value>,
) -> Json<Value> {
    let unauthenticated = || Json(json!({ "errors": [{ "message": "UNAUTHENTICATED" }] }));
    let Some(raw) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return unauthenticated();
    };
    let jwt = raw.strip_prefix("Bearer ").unwrap_or(raw).trim();
    let Ok(claims) = state.tokens.decode(jwt) else {
        return unauthenticated();
    };
    let user = match state.store.user_by_id(&claims.sub).await {
        Ok(Some(user)) if user.token_version == claims.ver && user.status != "locked" => user,
        _ => return unauthenticated(),
    };
    let Ok(orgs) = state.store.orgs_of_user(&user.id).await else {
        return Json(json!({ "errors": [{ "message": "INTERNAL" }] }));
    };
    let mut out = Vec::with_capacity(orgs.len());
    for org in orgs {
        // The resolver reads the caller's role in each organization; so does this.
        if state.store.role_of(&org.id, &user.id).await.is_err() {
            return Json(json!({ "errors": [{ "message": "INTERNAL" }] }));
        }
        out.push(json!({ "id": org.id, "name": org.name }));
    }
    Json(json!({ "data": { "organizations": out } }))
}

/// Writes everything in the WAL into the database file itself.
async fn checkpoint(db: &Path) {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("opening the database");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .expect("a checkpoint");
    conn.close().await.ok();
}

/// `tests/bench/apollo`, where `npm ci` installed Apollo Server and sql.js.
pub fn apollo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bench/apollo")
}

fn npm_version(package: &str) -> String {
    let file = apollo_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

/// The Apollo Server process (`tests/bench/apollo/server.mjs`), killed when dropped.
struct ApolloServer {
    child: Child,
    url: String,
}

impl ApolloServer {
    /// Starts it on a free loopback port and waits (at most 60 s) for the line that says
    /// where it listens.
    fn start(db: &Path, secret: &Path) -> ApolloServer {
        let dir = apollo_dir();
        assert!(
            dir.join("node_modules/@apollo/server").is_dir(),
            "run `npm ci` in {} first (make bench does)",
            dir.display()
        );
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .env("HOUSTON_BENCH_DB", db)
            .env("HOUSTON_BENCH_SECRET_FILE", secret)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting node");
        let stdout = child.stdout.take().expect("node's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().take(100) {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("listening ") {
                    let _ = tx.send(url.trim().to_string());
                    break;
                }
            }
        });
        let started = Instant::now();
        let url = rx.recv_timeout(Duration::from_secs(60));
        let url = match url {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "Apollo Server did not start within {}",
                    ms(started.elapsed())
                );
            }
        };
        ApolloServer { child, url }
    }
}

impl Drop for ApolloServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
