//! GraphiQL runs from the server alone (issue 12 #20). The page loaded its scripts and
//! stylesheet from unpkg.com, so whoever controlled that CDN (or the network path to it)
//! ran code in a page that holds a Houston token, and the page's policy had to allow it.
//! Now every file comes from the server itself, the policy names this origin only, and
//! the page runs a query in a browser that can reach nothing but the server.

use houston_test_harness::chrome::Chrome;
use houston_test_harness::TestServer;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The page's and its files' answers, read over HTTP as a browser asks for them.
#[tokio::test]
async fn graphiql_is_served_by_the_server_with_a_self_only_policy() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let page = http
        .get(&server.url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let header = |name: &str| {
        page.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    let (nosniff, cache) = (header("x-content-type-options"), header("cache-control"));
    let html = page.text().await.unwrap();
    assert!(
        !csp.contains("unpkg") && !csp.contains("https:") && !csp.contains("http:"),
        "the policy allows another origin: {csp}"
    );
    for directive in [
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "default-src 'none'",
    ] {
        assert!(
            csp.split(';').any(|d| d.trim() == directive),
            "{directive} in {csp}"
        );
    }
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");
    assert_eq!(nosniff, "nosniff");
    assert_eq!(cache, "no-store");
    assert!(!html.contains("unpkg"), "{html}");

    // Every script and stylesheet the page names is on this server, and answers.
    let base = server.url.trim_end_matches("/graphql").to_owned();
    let mut files = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for piece in html.split(attribute).skip(1) {
            let target = piece.split('"').next().unwrap_or_default();
            if target.starts_with("data:") {
                continue;
            }
            assert!(
                target.starts_with("/graphiql/"),
                "the page loads {target} from elsewhere"
            );
            files.push(target.to_owned());
        }
    }
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let res = http.get(format!("{base}{file}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{file}");
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let expected = if file.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(content_type.starts_with(expected), "{file}: {content_type}");
        assert_eq!(
            res.headers()
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{file}"
        );
    }

    // The licences of what is served.
    let licenses = http
        .get(format!("{base}/graphiql/LICENSE"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for package in [
        "== graphiql ==",
        "== react ==",
        "== react-dom ==",
        "MIT License",
    ] {
        assert!(licenses.contains(package), "{package} in the licences");
    }
    let missing = http
        .get(format!("{base}/graphiql/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// Runs `script` in the page until it answers something other than `null`, or fails
/// after `within`.
async fn wait_for(chrome: &Chrome, script: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let value = chrome
            .run(&format!(
                "const done = arguments[arguments.length - 1]; try {{ done({script}); }} catch (e) {{ done(null); }}"
            ))
            .await;
        if !value.is_null() {
            return value;
        }
        assert!(Instant::now() < deadline, "never true: {script}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// In Chromium that reaches loopback only (any other name does not resolve, and every
/// other address goes to a proxy that is not there), GraphiQL renders and runs a query:
/// all it needs comes from the server.
#[tokio::test]
async fn graphiql_runs_a_query_with_nothing_but_the_server() {
    let server = TestServer::start().await;
    let base = server.url.trim_end_matches("/graphql").to_owned();
    let chrome = Chrome::launch().await;
    chrome.goto(&server.url).await;
    wait_for(
        &chrome,
        "document.querySelector('.graphiql-query-editor .CodeMirror') ? true : null",
        Duration::from_secs(30),
    )
    .await;
    // GraphiQL's own stylesheet applies (a policy that refused it would leave the
    // container unstyled).
    let display = chrome
        .run("arguments[arguments.length - 1](getComputedStyle(document.querySelector('.graphiql-container')).display)")
        .await;
    assert_eq!(display, "flex");
    chrome
        .run(
            "const done = arguments[arguments.length - 1];
             document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ healthcheck }');
             setTimeout(() => { document.querySelector('.graphiql-execute-button').click(); done(true); }, 300);",
        )
        .await;
    let answer = wait_for(
        &chrome,
        "(() => { const r = document.querySelector('.graphiql-response .CodeMirror'); \
         const text = r && r.CodeMirror.getValue(); return text && text.includes('healthcheck') ? text : null; })()",
        Duration::from_secs(30),
    )
    .await;
    let answer: Value = serde_json::from_str(answer.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("GraphiQL shows JSON: {e}: {answer}"));
    assert!(answer["data"]["healthcheck"].is_string(), "{answer}");
    // Everything the page fetched came from the server.
    let fetched = chrome
        .run("arguments[arguments.length - 1](performance.getEntriesByType('resource').map(e => e.name))")
        .await;
    let fetched: Vec<&str> = fetched
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(fetched.len() >= 5, "{fetched:?}");
    for url in &fetched {
        assert!(url.starts_with(&base), "the page fetched {url}");
    }
    chrome.quit().await;
}
