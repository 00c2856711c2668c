//! [`WsSubscription`] against a real server's `/graphql/ws`: an event posted to the
//! collector arrives as the subscription's answer, a refused sign-in is an error with the
//! server's reason (not a retry), and `wss://` really speaks TLS.

use houston_client::{ws_url, ClientError, Live, WsSubscription};
use houston_test_harness::TestServer;
use serde_json::json;
use std::time::Duration;

fn event_received(app_id: &str) -> serde_json::Value {
    json!({
        "query": "subscription($a: String!) { eventReceived(appId: $a) { id type event } }",
        "variables": { "a": app_id },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_arrives_over_the_socket_and_a_bad_token_is_refused() {
    let server = TestServer::start().await;
    let (token, _) = server.confirmed_user("ws@example.com").await;
    let org = server.create_org(&token, "Sockets").await;
    let app = server.create_app(&token, &org, "Web").await;
    let url = ws_url(&server.url).unwrap();

    let mut live = WsSubscription::open(&url, event_received(&app), Some(&token), Some(&org))
        .await
        .expect("the socket opens");
    // The server checks the source before it listens (see the desktop's watch).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let base = server.url.trim_end_matches("/graphql");
    let posted = reqwest::Client::new()
        .post(format!("{base}/v1/track"))
        .basic_auth(&app, Some(""))
        .json(&json!({ "event": "Socket Test", "userId": "ada" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let next = tokio::time::timeout(Duration::from_secs(10), live.next())
        .await
        .expect("an answer within 10 s");
    let Some(Live::Answer(answer)) = next else {
        panic!("an answer: {next:?}")
    };
    assert_eq!(
        answer["data"]["eventReceived"]["event"], "Socket Test",
        "{answer}"
    );
    live.close().await;

    let refused = WsSubscription::open(&url, event_received(&app), Some("not-a-token"), None)
        .await
        .err()
        .expect("a bad token is refused");
    assert!(refused.needs_sign_in(), "{refused:?}");
    assert!(refused.to_string().contains("Sign in"), "{refused}");

    // wss:// to a listener that speaks plain HTTP fails in the TLS handshake: TLS is built
    // in (without it, tungstenite answers that TLS support is not compiled in).
    let tls = url.replacen("ws://", "wss://", 1);
    let failed = WsSubscription::open(&tls, event_received(&app), Some(&token), None)
        .await
        .err()
        .expect("no TLS there");
    let ClientError::Unreachable(why) = &failed else {
        panic!("{failed:?}")
    };
    assert!(!why.contains("not compiled"), "{why}");
}
