//! The `houston-server` binary: one command starts it, it says where it listens, serves
//! GraphiQL, keeps data and tokens across a restart, and never logs a secret.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Running {
    child: Child,
    url: String,
    log: mpsc::Receiver<String>,
}

fn start(dir: &std::path::Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_houston-server"))
        .args(["--listen", "127.0.0.1:0"])
        .env(
            "HOUSTON_DATABASE_URL",
            format!("sqlite://{}", dir.join("h.db").display()),
        )
        .env("HOUSTON_SECRET_FILE", dir.join("secret"))
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let url = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("the server logs where it listens");
        if let Some(i) = line.find("listening on http://") {
            break line[i + "listening on ".len()..].trim().to_string();
        }
    };
    Running {
        child,
        url,
        log: rx,
    }
}

impl Running {
    fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.log.try_iter().collect()
    }
}

async fn gql(url: &str, query: &str, vars: Value, auth: Option<&str>) -> Value {
    let mut req = reqwest::Client::new()
        .post(url)
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn starts_serves_restarts_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path());
    assert!(
        first.url.starts_with("http://127.0.0.1:") && first.url.ends_with("/graphql"),
        "{}",
        first.url
    );

    let html = reqwest::Client::new()
        .get(&first.url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    assert!(html
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));

    let password = "pw-Very-Secret-123";
    let d = gql(&first.url, "mutation($p: String!) { createNewUser(email: \"bin@example.com\", password: $p) { success token } }", json!({ "p": password }), None).await;
    let pending = d["data"]["createNewUser"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mail = gql(
        &first.url,
        "{ myMail { token } }",
        json!({}),
        Some(&pending),
    )
    .await;
    let link = mail["data"]["myMail"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = gql(
        &first.url,
        "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
        json!({ "t": link }),
        None,
    )
    .await;
    let token = d["data"]["confirmEmail"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = gql(
        &first.url,
        "mutation { createOrganization(name: \"Persisted\") { success id } }",
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(d["data"]["createOrganization"]["success"], true);
    let mut log = first.stop();

    // Restart on the same files: the token still works and the data is there.
    let second = start(dir.path());
    let d = gql(
        &second.url,
        "{ organizations { name } }",
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(d["data"]["organizations"][0]["name"], "Persisted", "{d}");
    log.extend(second.stop());

    let secret = std::fs::read_to_string(dir.path().join("secret")).unwrap();
    let all = log.join("\n");
    assert!(all.contains("request"), "requests are logged: {all}");
    for s in [password, &token, &pending, &link, secret.trim()] {
        assert!(!all.contains(s), "the log contains a secret: {s}");
    }
}

#[test]
fn print_schema_prints_the_sdl() {
    let out = Command::new(env!("CARGO_BIN_EXE_houston-server"))
        .arg("--print-schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        houston_server::sdl()
    );
}
