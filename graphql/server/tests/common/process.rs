//! The `houston-server` binary as a child process: started on port 0, found through the
//! "listening on" line it logs, killed when dropped.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `houston-server`.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    log: mpsc::Receiver<String>,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with the signing secret in `secret_file`, and
    /// waits until it listens.
    pub fn start(database_url: &str, secret_file: &Path) -> ServerProcess {
        let mut command = Self::command();
        command
            .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
            .arg("--secret-file")
            .arg(secret_file)
            .env("RUST_LOG", "info,sqlx=warn");
        Self::spawn(command)
    }

    /// The binary, its output piped and uncoloured: add arguments, then [`Self::spawn`].
    pub fn command() -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_houston-server"));
        command
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Spawns `command` (from [`Self::command`], told to listen on port 0) and waits until
    /// the server says where it listens.
    pub fn spawn(mut command: Command) -> ServerProcess {
        let mut child = command.spawn().expect("the binary starts");
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        let url = loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    if let Some(i) = line.find("listening on http://") {
                        break line[i + "listening on ".len()..].trim().to_string();
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "the server did not say where it listens; it logged:\n{}",
                        seen.join("\n")
                    );
                }
            }
        };
        ServerProcess {
            child,
            url,
            log: rx,
        }
    }

    /// The graphql-transport-ws endpoint.
    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.url.replacen("http://", "ws://", 1))
    }

    /// Stops the server and returns what it logged since it started listening.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.log.try_iter().collect()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One GraphQL request over HTTP; the whole JSON answer.
pub async fn gql(
    url: &str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    gql_with(&reqwest::Client::new(), url, query, variables, auth, org).await
}

/// [`gql`] through `http`, which keeps its connections for the next request.
pub async fn gql_with(
    http: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
    auth: Option<&str>,
    org: Option<&str>,
) -> Value {
    let mut req = http
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if let Some(o) = org {
        req = req.header("organization", o);
    }
    let res = req.send().await.expect("HTTP request");
    assert!(res.status().is_success(), "HTTP status {}", res.status());
    res.json().await.expect("JSON body")
}

/// The first field of a mutation's answer.
pub fn outcome(res: &Value) -> &Value {
    res["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .unwrap_or_else(|| panic!("no data: {res}"))
}

/// A mutation over HTTP that must succeed; its StatusMessage or Token.
pub async fn ok(url: &str, query: &str, vars: Value, auth: Option<&str>) -> Value {
    let res = gql(url, query, vars, auth, None).await;
    let out = outcome(&res).clone();
    assert_eq!(out["success"], true, "{query}: {res}");
    out
}

/// A mutation over HTTP that must succeed; the `id` it answers.
pub async fn ok_id(url: &str, query: &str, vars: Value, auth: Option<&str>) -> String {
    let out = ok(url, query, vars, auth).await;
    out["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {out}"))
        .to_string()
}

/// Signs up through `first`, confirms through `second` (the same URL for one server);
/// returns a token.
pub async fn confirmed_user(first: &str, second: &str, email: &str, password: &str) -> String {
    let t = ok(
        first,
        "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success token } }",
        json!({ "e": email, "p": password }),
        None,
    )
    .await;
    let pending = t["token"].as_str().unwrap().to_string();
    let mail = gql(
        second,
        "{ myMail { kind token } }",
        json!({}),
        Some(&pending),
        None,
    )
    .await;
    let link = mail["data"]["myMail"][0]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the sign-up mail is there: {mail}"))
        .to_string();
    let t = ok(
        second,
        "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
        json!({ "t": link }),
        None,
    )
    .await;
    t["token"].as_str().unwrap().to_string()
}
