//! What the benches share besides the test harness's `TestServer` (a server on a real
//! SQLite file, its secret in a file beside it): an HTTP load generator, percentiles, and
//! the results file every benchmark writes (`target/bench/<name>.json`, read by
//! `tests/bench/report.py`).
//!
//! Benches fail loudly (`expect` with what went wrong) rather than report a figure measured
//! on a broken setup: a wrong answer measured fast is not a result.

#![allow(dead_code)] // each bench binary uses its own part of this module

use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The value at `p` (0..=1) of sorted durations (nearest rank); zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Milliseconds as a number, for the results file.
pub fn ms_f(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median of repeated timings of `f` (after one warm-up run), and the last result.
pub fn median_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut last = f();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f();
        times.push(t.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), last)
}

/// One client's requests: the JSON body and the `authorization` header it sends.
#[derive(Clone)]
pub struct ClientRequest {
    pub body: Value,
    pub authorization: Option<String>,
}

/// Latencies of a load run and how long it took.
pub struct Load {
    pub latencies: Vec<Duration>,
    pub secs: f64,
}

impl Load {
    pub fn per_sec(&self) -> f64 {
        self.latencies.len() as f64 / self.secs
    }
    pub fn p50(&self) -> Duration {
        percentile(&self.latencies, 0.5)
    }
    pub fn p99(&self) -> Duration {
        percentile(&self.latencies, 0.99)
    }
    pub fn summary(&self) -> String {
        format!(
            "{} requests in {:.1} s: {:.0}/s, p50 {}, p99 {}",
            self.latencies.len(),
            self.secs,
            self.per_sec(),
            ms(self.p50()),
            ms(self.p99())
        )
    }
}

/// `clients.len()` concurrent keep-alive clients (one connection each, as a browser tab or
/// a service would hold) each POST their request in a loop until `run_for` has passed or
/// they made `max_each` requests. Every answer must be a 200 without `"errors"` and
/// without `"success":false` (a refused mutation is not a measured success).
///
/// The clients run on the same 2 cores as the server under test; both sides of every
/// comparison pay that same cost, so the ratio holds even though absolute figures are
/// lower than with a load generator on another machine.
pub async fn load(
    url: &str,
    clients: &[ClientRequest],
    run_for: Duration,
    max_each: usize,
) -> Load {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for client in clients.iter().cloned() {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let body = serde_json::to_vec(&client.body).expect("a JSON body");
            let mut latencies = Vec::new();
            while start.elapsed() < run_for && latencies.len() < max_each {
                let t = Instant::now();
                let mut request = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone());
                if let Some(auth) = &client.authorization {
                    request = request.header("authorization", auth);
                }
                let response = request.send().await.expect("an answer");
                let status = response.status();
                let bytes = response.bytes().await.expect("a body");
                assert!(
                    status.is_success()
                        && !contains(&bytes, b"\"errors\"")
                        && !contains(&bytes, b"\"success\":false"),
                    "{url}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                );
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a client"));
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort();
    Load { latencies, secs }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// One measured value of one side of a comparison.
#[derive(Serialize)]
pub struct Side {
    pub label: String,
    pub value: f64,
}

/// One row of a results file: a metric measured on both sides, and `a / b`.
#[derive(Serialize)]
pub struct Row {
    pub metric: String,
    pub unit: String,
    pub better: &'static str,
    pub a: Side,
    pub b: Side,
    pub ratio: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}

impl Row {
    /// `better` is `"higher"` or `"lower"`.
    pub fn new(
        metric: &str,
        unit: &str,
        better: &'static str,
        a: (&str, f64),
        b: (&str, f64),
    ) -> Row {
        Row {
            metric: metric.into(),
            unit: unit.into(),
            better,
            a: Side {
                label: a.0.into(),
                value: a.1,
            },
            b: Side {
                label: b.0.into(),
                value: b.1,
            },
            ratio: if b.1 == 0.0 { 0.0 } else { a.1 / b.1 },
            goal: None,
            met: None,
        }
    }

    /// A stated target and whether this run meets it.
    pub fn goal(mut self, goal: &str, met: bool) -> Row {
        self.goal = Some(goal.into());
        self.met = Some(met);
        self
    }
}

/// `target/bench`, beside the workspace's other build output.
pub fn results_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench")
}

/// Writes `target/bench/<name>.json` and prints its rows.
pub fn write_results(name: &str, title: &str, rows: &[Row], notes: &str) {
    println!("== {title}");
    for r in rows {
        println!(
            "   {}: {} {:.3} {u} | {} {:.3} {u} | ratio {:.3}{}",
            r.metric,
            r.a.label,
            r.a.value,
            r.b.label,
            r.b.value,
            r.ratio,
            match (&r.goal, r.met) {
                (Some(g), Some(m)) => format!(" (goal {g}: {})", if m { "met" } else { "MISSED" }),
                _ => String::new(),
            },
            u = r.unit,
        );
    }
    let dir = results_dir();
    std::fs::create_dir_all(&dir).expect("creating target/bench");
    let file = dir.join(format!("{name}.json"));
    let doc = json!({ "name": name, "title": title, "rows": rows, "notes": notes });
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap() + "\n")
        .expect("writing the results");
    println!("   -> {}", file.display());
}
