//! Headless Chromium driven through chromedriver (WebDriver over HTTP), able to reach
//! loopback only, and a loopback server for the test pages it opens: how tests run Segment's
//! analytics.js, unchanged, with nothing from the internet.

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Headless Chromium through chromedriver (`CHROMEDRIVER`, else `/usr/bin/chromedriver`;
/// the browser is `CHROMIUM`, else `/usr/bin/chromium`), able to reach loopback only.
pub struct Chrome {
    driver: Child,
    http: reqwest::Client,
    session: String,
    profile: tempfile::TempDir,
}

impl Chrome {
    /// Starts chromedriver on a free port and opens a session in headless Chromium.
    pub async fn launch() -> Chrome {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{chromedriver} starts (.ci/setup installs it): {e}"));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{url}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver never answered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "timeouts": { "script": 60_000, "pageLoad": 60_000 },
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    // Nothing but loopback: no name but 127.0.0.1 resolves, and whatever is not on
                    // loopback goes to a proxy that is not there (loopback bypasses it).
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    format!("--proxy-server=http://127.0.0.1:{}", free_port()),
                    "--no-first-run", "--no-default-browser-check",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps"
                ]
            }
        } } });
        let res: Value = http
            .post(format!("{url}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no Chromium session: {res}"))
            .to_owned();
        Chrome {
            driver,
            http,
            session: format!("{url}/session/{session}"),
            profile,
        }
    }

    /// Sends one WebDriver command (`path` under the session) and answers its `value`.
    pub async fn command(&self, path: &str, body: Value) -> Value {
        let res: Value = self
            .http
            .post(format!("{}{path}", self.session))
            .json(&body)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        assert!(
            res["value"].get("error").is_none(),
            "WebDriver {path} failed: {res}"
        );
        res["value"].clone()
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.command("/url", json!({ "url": url })).await;
    }

    /// Runs `script` (its last argument is the callback that ends it) and returns what it
    /// passed to the callback.
    pub async fn run(&self, script: &str) -> Value {
        self.command("/execute/async", json!({ "script": script, "args": [] }))
            .await
    }
}

impl Chrome {
    /// Ends the session, which closes the browser.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }

    /// The browser's processes: those started with this session's profile directory.
    fn browser_pids(&self) -> Vec<i32> {
        let flag = format!("--user-data-dir={}", self.profile.path().display());
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| c.split(|b| *b == 0).any(|arg| arg == flag.as_bytes()))
            })
            .collect()
    }
}

impl Drop for Chrome {
    /// Ends the driver, and whatever of the browser outlived it (after [`Chrome::quit`],
    /// or when a test failed half-way).
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        for pid in self.browser_pids() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// Serves `pages` (path → HTML) on a loopback port of its own, another origin than the
/// server's; returns its base URL.
pub async fn serve_pages(pages: Vec<(&'static str, String)>) -> String {
    let mut router = Router::new();
    for (path, html) in pages {
        router = router.route(path, get(move || async move { Html(html) }));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port-0 listener");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}
