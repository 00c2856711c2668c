//! The server's figures on this machine: catalog load time, `createToken` time, and
//! requests per second of the `organizations` query over HTTP.
//!
//! `cargo bench -p houston-server --bench figures` (release build). Prints a table; it
//! asserts nothing: figures are measured and reported, not tested against a stopwatch.

use houston_server::catalog::Catalog;
use houston_server::{Houston, SecretSource, ServerConfig};
use serde_json::json;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    // Catalog: parse both bundled files (483 destinations).
    let mut loads = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let c = Catalog::bundled().expect("catalog");
        loads.push(t.elapsed());
        assert_eq!(c.all().len(), 483);
    }
    loads.sort();
    println!(
        "catalog load (483 destinations): median {}, min {}",
        ms(percentile(&loads, 0.5)),
        ms(loads[0])
    );

    let dir = tempfile::tempdir().unwrap();
    let houston = Houston::open(ServerConfig {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        secret: SecretSource::Ephemeral,
        ..ServerConfig::in_memory()
    })
    .await
    .unwrap();
    let r = houston
        .execute(
            async_graphql::Request::new("mutation { createNewUser(email: \"bench@example.com\", password: \"password123\") { token } }"),
            None,
            None,
        )
        .await;
    let pending = r.data.into_json().unwrap()["createNewUser"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let link = houston.outbox().await.unwrap()[0].token.clone().unwrap();
    let r = houston
        .execute(
            async_graphql::Request::new(format!(
                "mutation {{ confirmEmail(token: \"{link}\") {{ token }} }}"
            )),
            None,
            None,
        )
        .await;
    let token = r.data.into_json().unwrap()["confirmEmail"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let _ = pending;
    for i in 0..3 {
        houston
            .execute(
                async_graphql::Request::new(format!(
                    "mutation {{ createOrganization(name: \"Org {i}\") {{ id }} }}"
                )),
                Some(&token),
                None,
            )
            .await;
    }

    // createToken, one at a time (Argon2id verification dominates).
    let mut signs = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let r = houston
            .execute(async_graphql::Request::new("mutation { createToken(username: \"bench@example.com\", password: \"password123\") { success } }"), None, None)
            .await;
        signs.push(t.elapsed());
        assert!(r.data.into_json().unwrap()["createToken"]["success"] == true);
    }
    signs.sort();
    println!(
        "createToken (in-process, sequential): median {}, p99 {}",
        ms(percentile(&signs, 0.5)),
        ms(percentile(&signs, 0.99))
    );

    // organizations over HTTP, 10 concurrent keep-alive clients for 5 s.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(houston.clone().serve(listener, std::future::pending()));
    let clients = 10;
    let run_for = Duration::from_secs(5);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = url.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let body = json!({ "query": "{ organizations { id name } }" });
            let mut lat = Vec::new();
            while start.elapsed() < run_for {
                let t = Instant::now();
                let res = http
                    .post(&url)
                    .header("authorization", &token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
                let _ = res.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    println!(
        "organizations over HTTP ({clients} clients, {:.0} s): {:.0} requests/s, p50 {}, p99 {}",
        secs,
        lat.len() as f64 / secs,
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );
}
