//! The server's figures on this machine: catalog load time, `createToken` time, and
//! requests per second of the `organizations` query over HTTP.
//!
//! `cargo bench -p houston-server --bench figures` (release build). Prints a table; it
//! asserts nothing: figures are measured and reported, not tested against a stopwatch.
//! The comparisons with a bare handler, Apollo Server and the naive alternatives are in
//! the `compare` bench (`make bench`).

mod common;

use common::{ms, percentile, ClientRequest};
use houston_server::catalog::Catalog;
use houston_test_harness::TestServer;
use serde_json::json;
use std::time::{Duration, Instant};

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

    let server = TestServer::start().await;
    let token = server
        .confirmed_user_with("bench@example.com", "password123")
        .await
        .0;
    for i in 0..3 {
        server.create_org(&token, &format!("Org {i}")).await;
    }

    // createToken, one at a time (Argon2id verification dominates).
    let mut signs = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let data = server
            .data(
                "mutation { createToken(username: \"bench@example.com\", password: \"password123\") { success } }",
                json!({}),
                None,
            )
            .await;
        signs.push(t.elapsed());
        assert_eq!(data["createToken"]["success"], true);
    }
    signs.sort();
    println!(
        "createToken (in-process, sequential): median {}, p99 {}",
        ms(percentile(&signs, 0.5)),
        ms(percentile(&signs, 0.99))
    );

    // organizations over HTTP, 10 concurrent keep-alive clients for 5 s.
    let url = server.url.clone();
    let client = ClientRequest {
        body: json!({ "query": "{ organizations { id name } }" }),
        authorization: Some(token),
    };
    let run = common::load(&url, &vec![client; 10], Duration::from_secs(5), 1_000_000).await;
    println!("organizations over HTTP (10 clients): {}", run.summary());
}
