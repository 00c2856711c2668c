//! Many replicas, one database: two `houston-server` processes on one PostgreSQL database
//! and one secret file, a client alternating between them. Tokens, data, revocations, the
//! sign-in throttle and `clickstreamChanged` all hold across the two.

use houston_server::schema::MAX_FAILED_SIGN_INS;
use houston_test_harness::http::{confirmed_user, gql, ok, ok_id, outcome};
use houston_test_harness::ws::Subscription;
use houston_test_harness::{error_code, PgDatabase, ServerProcess};
use serde_json::{json, Value};
use std::time::Duration;

/// A graphql-transport-ws client with one `clickstreamChanged` subscription.
struct Subscriber(Subscription);

impl Subscriber {
    async fn open(name: &'static str, ws_url: &str, token: &str, query: &str) -> Subscriber {
        Subscriber(Subscription::open(name, ws_url, token, query, json!({})).await)
    }

    /// The next `clickstreamChanged` event, or `None` after `wait`.
    async fn next_change(&mut self, wait: Duration) -> Option<Value> {
        self.0.next_data("clickstreamChanged", wait).await
    }

    /// Asserts that the next event is `action` on `integration`.
    async fn expect_change(&mut self, integration: &str, action: &str) {
        let change = self
            .next_change(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{}: no event for {action} {integration}", self.0.name));
        assert_eq!(
            (change["integrationId"].as_str(), change["action"].as_str()),
            (Some(integration), Some(action)),
            "{}: {change}",
            self.0.name
        );
    }
}

#[tokio::test]
async fn two_replicas_share_one_database() {
    let db = PgDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("token-secret");
    // One after the other: the first makes the secret file and migrates the database.
    let a = ServerProcess::start(&db.url, &secret);
    let b = ServerProcess::start(&db.url, &secret);
    assert_ne!(a.url, b.url);
    let (ua, ub) = (a.url.as_str(), b.url.as_str());

    // A token made by one replica works on the other.
    let password = "replicated-1";
    confirmed_user(ua, ub, "ada@example.com", password).await;
    let t = ok(
        ua,
        "mutation($p: String!) { createToken(username: \"ada@example.com\", password: $p) { success token } }",
        json!({ "p": password }),
        None,
    )
    .await;
    let ada = t["token"].as_str().unwrap().to_string();
    let me = gql(
        ub,
        "{ me { username status } }",
        json!({}),
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(me["data"]["me"]["username"], "ada@example.com", "{me}");
    assert_eq!(me["data"]["me"]["status"], "active");

    // A change made through one is read through the other, both ways.
    let org = ok_id(
        ua,
        "mutation { createOrganization(name: \"Replicated\") { success id } }",
        json!({}),
        Some(&ada),
    )
    .await;
    let d = gql(
        ub,
        "{ organizations { id name myRole } }",
        json!({}),
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(
        d["data"]["organizations"],
        json!([{ "id": org, "name": "Replicated", "myRole": "OWNER" }])
    );
    let app = ok_id(
        ub,
        "mutation($o: String!) { createApplication(name: \"Web\", platform: \"analytics.js\", orgId: $o) { success id } }",
        json!({ "o": org }),
        Some(&ada),
    )
    .await;
    let d = gql(
        ua,
        "{ applications { id name } }",
        json!({}),
        Some(&ada),
        Some(&org),
    )
    .await;
    assert_eq!(
        d["data"]["applications"],
        json!([{ "id": app, "name": "Web" }])
    );
    let conn = ok_id(
        ua,
        "mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"k-1234567\"}, name: \"Acq\", orgId: $o, connectionPrototypeId: \"acquisio\") { success id } }",
        json!({ "o": org }),
        Some(&ada),
    )
    .await;
    let key = ok(
        ub,
        "mutation($o: String!) { createApiKey(orgId: $o, label: \"router\", role: USER) { success key } }",
        json!({ "o": org }),
        Some(&ada),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let d = gql(
        ua,
        "{ applications { name } }",
        json!({}),
        Some(&format!("service:{key}")),
        Some(&org),
    )
    .await;
    assert_eq!(
        d["data"]["applications"][0]["name"], "Web",
        "an API key made on one works on the other: {d}"
    );

    // clickstreamChanged: a subscriber on each replica hears every change once, wherever
    // it was made.
    let subscription = "subscription { clickstreamChanged { appId integrationId action } }";
    let mut on_a = Subscriber::open("subscriber on A", &a.ws_url(), &ada, subscription).await;
    let mut on_b = Subscriber::open("subscriber on B", &b.ws_url(), &ada, subscription).await;
    let create = "mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {events: [\"Order Completed\"]}, connectionId: $c, name: \"Acq\") { success id } }";
    // First through B: B's subscriber hears it at home, A's through PostgreSQL. Both are
    // then known to be subscribed (graphql-transport-ws does not acknowledge a subscribe).
    let first = ok_id(ub, create, json!({ "a": app, "c": conn }), Some(&ada)).await;
    on_b.expect_change(&first, "CREATE").await;
    on_a.expect_change(&first, "CREATE").await;
    // Then through A: the subscriber on B hears the CREATE of an integration made on A.
    let second = ok_id(ua, create, json!({ "a": app, "c": conn }), Some(&ada)).await;
    on_b.expect_change(&second, "CREATE").await;
    on_a.expect_change(&second, "CREATE").await;
    ok(
        ub,
        "mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }",
        json!({ "i": second }),
        Some(&ada),
    )
    .await;
    on_a.expect_change(&second, "DISABLE").await;
    on_b.expect_change(&second, "DISABLE").await;
    for s in [&mut on_a, &mut on_b] {
        let extra = s.next_change(Duration::from_millis(1500)).await;
        assert_eq!(extra, None, "{}: a change is delivered once", s.0.name);
    }
    let d = gql(
        ua,
        "query($a: String) { clickstreamConfigs(appId: $a) { id enabled } }",
        json!({ "a": app }),
        Some(&ada),
        None,
    )
    .await;
    let mut configs = d["data"]["clickstreamConfigs"]
        .as_array()
        .unwrap_or_else(|| panic!("{d}"))
        .clone();
    configs.sort_by_key(|c| c["enabled"] == false);
    assert_eq!(
        configs,
        [
            json!({ "id": first, "enabled": true }),
            json!({ "id": second, "enabled": false })
        ],
        "{d}"
    );

    // A token revoked on one is refused by both.
    ok(ua, "mutation { logout { success } }", json!({}), Some(&ada)).await;
    for url in [ub, ua] {
        let me = gql(url, "{ me { id } }", json!({}), Some(&ada), None).await;
        assert_eq!(error_code(&me), "UNAUTHENTICATED", "{url}: {me}");
    }

    // The sign-in throttle counts the attempts made on both.
    confirmed_user(ub, ua, "target@example.com", "the-right-one").await;
    let attempt = "mutation($p: String!) { createToken(username: \"target@example.com\", password: $p) { success code } }";
    for n in 1..=MAX_FAILED_SIGN_INS {
        let url = if n % 2 == 1 { ua } else { ub };
        let res = gql(
            url,
            attempt,
            json!({ "p": format!("wrong-{n}") }),
            None,
            None,
        )
        .await;
        assert_eq!(
            outcome(&res)["code"],
            "INVALID_INPUT",
            "attempt {n} is only a wrong password: {res}"
        );
    }
    for (replica, url) in [("A", ua), ("B", ub)] {
        let res = gql(url, attempt, json!({ "p": "wrong-again" }), None, None).await;
        assert_eq!(
            outcome(&res)["code"],
            "RATE_LIMITED",
            "on {replica}, after {MAX_FAILED_SIGN_INS} failures split across both: {res}"
        );
        let res = gql(url, attempt, json!({ "p": "the-right-one" }), None, None).await;
        assert_eq!(
            outcome(&res)["code"],
            "RATE_LIMITED",
            "on {replica}, even the right password waits for the window: {res}"
        );
    }

    let logs = [a.stop(), b.stop()].concat().join("\n");
    assert!(!logs.contains(&db.url), "the database URL is not logged");
    assert!(
        !logs.contains("lost the change notifications"),
        "the listeners stayed connected:\n{logs}"
    );
}
