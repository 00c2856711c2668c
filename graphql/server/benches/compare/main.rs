//! The comparative benchmarks of `make bench`: each measures Houston against a peer or a
//! naive alternative in one run on this machine, prints the ratio and writes
//! `target/bench/<name>.json` (the format `tests/bench/report.py` turns into
//! `docs/benchmarks.md` and `docs/benchmarks.svg`).
//!
//! `cargo bench -p houston-server --bench compare [-- NAME…]` runs all of them, or those
//! whose name contains one of the given words: `http` (the `organizations` query against a
//! bare axum handler and Apollo Server), `catalog`, `tokens`, `large-org`, `events` (ingestion against a bare axum
//! INSERT, POST to `eventReceived` latency, `eventReport` over 1,000,000 events; each alone as
//! `events-ingestion`, `events-live`, `events-report`).
//!
//! Figures, not tests: nothing here fails on a slow figure. It fails when an answer is
//! wrong (an error, a missing row), because a fast wrong answer measures nothing.

#[path = "../common/mod.rs"]
mod common;

mod catalog;
mod events;
mod http;
mod large_org;
mod tokens;

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench` (and libtest options) to every bench binary.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| name.contains(w.as_str()));
    println!("machine: {}", machine());
    if run("http") {
        http::run().await;
    }
    if run("tokens") {
        tokens::run().await;
    }
    if run("catalog") {
        catalog::run().await;
    }
    if run("large-org") {
        large_org::run().await;
    }
    if ["events-ingestion", "events-live", "events-report"]
        .iter()
        .any(|name| run(name))
    {
        events::run(&run).await;
    }
}

/// Cores, CPU model and memory, for the notes of every results file.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores, {model}, {mem_gib:.1} GiB RAM")
}
