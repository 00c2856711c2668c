//! The harness itself: each of its servers starts, answers, and walks the sign-up flow.

use houston_test_harness::postgres::with_database;
use houston_test_harness::{error_code, http, Backend, ServerProcess, TestServer, Via};
use serde_json::json;

#[tokio::test]
async fn a_test_server_answers_the_same_in_process_and_over_http() {
    let server = TestServer::start().await;
    assert!(
        server.db_path().exists(),
        "the SQLite file is in its directory"
    );
    assert!(server.secret_path().exists(), "so is the signing secret");
    let (token, id) = server.confirmed_user("harness@example.com").await;
    let org = server.create_org(&token, "Harness").await;
    let query = "{ me { id username } organizations { id name } }";
    let local = server
        .gql_via(Via::InProcess, query, json!({}), Some(&token), None)
        .await;
    let remote = server
        .gql_via(Via::Http, query, json!({}), Some(&token), None)
        .await;
    assert_eq!(local, remote);
    assert_eq!(local["data"]["me"]["id"], id.as_str(), "{local}");
    assert_eq!(local["data"]["organizations"][0]["id"], org.as_str());
    let refused = server.gql("{ me { id } }", json!({}), None).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
    assert_eq!(error_code(&local), "OK");
}

#[tokio::test]
async fn a_test_server_runs_on_a_fresh_postgres_database() {
    let server = TestServer::on(Backend::Postgres).await;
    let (token, _) = server.confirmed_user("pg@example.com").await;
    let answer = http::data(
        &server.url,
        "{ me { username } }",
        json!({}),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(answer["me"]["username"], "pg@example.com");
}

#[tokio::test]
async fn a_server_process_listens_answers_and_keeps_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::in_dir(dir.path(), "127.0.0.1:0");
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert_eq!(server.url, format!("http://{}/graphql", server.addr));
    assert!(server.ws_url().starts_with("ws://127.0.0.1:"));
    let token =
        http::confirmed_user(&server.url, &server.url, "p@example.com", "password123").await;
    let org = http::ok_id(
        &server.url,
        "mutation { createOrganization(name: \"Process\") { success id } }",
        json!({}),
        Some(&token),
    )
    .await;
    let listed = http::data(
        &server.url,
        "{ organizations { id } }",
        json!({}),
        Some(&token),
        Some(&org),
    )
    .await;
    assert_eq!(listed["organizations"][0]["id"], org.as_str());
    assert!(server.log_tail(100).contains("listening on http://"));
    let after = server.stop();
    assert!(
        after.iter().all(|l| !l.contains("listening on http://")),
        "stop answers what was logged after the server listened: {after:?}"
    );
}

#[test]
fn a_postgres_url_names_another_database() {
    assert_eq!(
        with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
        "postgres://u:p@h:5432/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "t2"), "postgres://h/t2");
}
