//! `createToken` over HTTP at 1, 8 and 32 concurrent requests, each client a different
//! person (the sign-in throttle counts per username, and a correct password resets it).
//!
//! Each sign-in is an Argon2id verification: 19 MiB, 2 passes, 1 lane, on a blocking
//! thread. One lane means one core per verification, so on this 2-core machine the
//! throughput ceiling is about 2 / (one verification's time) however many requests wait;
//! above 2 concurrent requests the extra ones queue (or time-slice) and their latency grows
//! with the queue. That ceiling is the point of the hash: it is what an attacker's guesses
//! cost too. Memory grows with concurrency as well (19 MiB per verification in flight),
//! which the notes report as the process's peak RSS.

use crate::common::{self, ms_f, ClientRequest, Load, Row};
use houston_test_harness::TestServer;
use serde_json::json;
use std::time::Duration;

const LEVELS: [usize; 3] = [1, 8, 32];
const RUN_FOR: Duration = Duration::from_secs(4);
const PASSWORD: &str = "password123";

pub async fn run() {
    let server = TestServer::start().await;
    let most = LEVELS[LEVELS.len() - 1];
    let mut clients = Vec::with_capacity(most);
    for i in 0..most {
        let email = format!("signer{i}@example.com");
        server.confirmed_user_with(&email, PASSWORD).await;
        clients.push(ClientRequest {
            body: json!({
                "query": "mutation($u: String!, $p: String!) { createToken(username: $u, password: $p) { success code } }",
                "variables": { "u": email, "p": PASSWORD },
            }),
            authorization: None,
        });
    }
    let url = server.url.clone();
    // One warm-up sign-in per person (also proves every password is right).
    common::load(&url, &clients, Duration::from_secs(30), 1).await;

    let mut runs: Vec<(usize, Load, f64)> = Vec::new();
    for n in LEVELS {
        reset_peak_rss();
        let run = common::load(&url, &clients[..n], RUN_FOR, 10_000).await;
        let peak = peak_rss_mib();
        println!(
            "   {n} concurrent: {} (peak RSS {peak:.0} MiB)",
            run.summary()
        );
        runs.push((n, run, peak));
    }
    let (_, one, _) = &runs[0];
    let mut rows = Vec::new();
    for (n, run, _) in &runs[1..] {
        let label = format!("{n} concurrent");
        let throughput = Row::new(
            &format!("sign-ins/s at {n} vs 1"),
            "req/s",
            "higher",
            (&label, run.per_sec()),
            ("1 at a time", one.per_sec()),
        );
        // Two cores, one lane each: twice the sign-ins of one core is the most there is.
        let met = throughput.ratio >= 1.5;
        rows.push(throughput.goal("a/b >= 1.5 (2 cores)", met));
        rows.push(Row::new(
            &format!("p99 latency at {n} vs 1"),
            "ms",
            "lower",
            (&label, ms_f(run.p99())),
            ("1 at a time", ms_f(one.p99())),
        ));
    }
    let levels: Vec<String> = runs
        .iter()
        .map(|(n, run, peak)| {
            format!(
                "{n}: {:.1}/s, p50 {:.1} ms, p99 {:.1} ms, {} sign-ins, peak RSS {peak:.0} MiB",
                run.per_sec(),
                ms_f(run.p50()),
                ms_f(run.p99()),
                run.latencies.len()
            )
        })
        .collect();
    let notes = format!(
        "{}. createToken over HTTP on a SQLite file, {} s per level, each client a different \
         confirmed user. Argon2id m=19 MiB, t=2, p=1 runs on one core per verification, so \
         the ceiling on 2 cores is about twice the 1-at-a-time rate; beyond 2 in flight the \
         extra requests wait and p99 grows with the queue. Per level: {}.",
        crate::machine(),
        RUN_FOR.as_secs(),
        levels.join("; ")
    );
    common::write_results(
        "create-token",
        "createToken at 1, 8 and 32 concurrent requests",
        &rows,
        &notes,
    );
}

/// Starts measuring the peak resident memory afresh (Linux: `5` to clear_refs resets it).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory of this process (server and clients) since the last reset.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
