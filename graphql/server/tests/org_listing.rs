//! An organization's lists (`applications(orgId:)`, `clickstreamConfigs(orgId:)`) read the
//! rows their nested fields need in bulk (see `Prefetched` in schema/prefetch.rs). These tests
//! check that the bulk path answers exactly what the one-object-at-a-time path answers
//! (the same lists asked per source), for an Owner and for a User, and that nothing of
//! another organization shows up in either.

use houston_test_harness::{Backend, TestServer};
use serde_json::{json, Value};

const SOURCES: &str = "query($o: ID, $a: String) { applications(orgId: $o, appId: $a) { id name \
    platform organization { id name } clickstream { id name code enabled config \
    application { id name } connection { id name details } } createdAt } }";
const CONFIGS: &str = "query($o: ID, $a: String) { clickstreamConfigs(orgId: $o, appId: $a) { \
    id name code enabled config createdAt updatedAt application { id name platform \
    organization { id } clickstream { id } } connection { id name integrationCode details } } }";

struct Org {
    id: String,
    owner: String,
    apps: Vec<String>,
}

/// An organization with three sources: two integrations (one with a connection, one
/// without) on the first, one on the second, none on the third.
async fn org(server: &TestServer, owner_email: &str) -> Org {
    let (owner, _) = server.confirmed_user(owner_email).await;
    let id = server.create_org(&owner, owner_email).await;
    let mut apps = Vec::new();
    for name in ["Web", "Server", "Empty"] {
        apps.push(server.create_app(&owner, &id, name).await);
    }
    let conn = server
        .create_connection(&owner, &id, &format!("key-of-{owner_email}"))
        .await;
    server.create_integration(&owner, &apps[0], &conn).await;
    server
        .ok_id(
            "mutation($a: String!) { createIntegration(appId: $a, integrationCode: \"acquisio\", \
             configPayload: {events: [\"Signed Up\"]}, name: \"No connection\") { success id } }",
            json!({ "a": apps[0] }),
            Some(&owner),
        )
        .await;
    server.create_integration(&owner, &apps[1], &conn).await;
    Org { id, owner, apps }
}

fn sorted_by_id(list: &Value) -> Vec<Value> {
    let mut items = list.as_array().cloned().unwrap_or_default();
    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    items
}

async fn lists_match(backend: Backend) {
    let server = TestServer::on(backend).await;
    let a = org(&server, "owner@a.example").await;
    let b = org(&server, "owner@b.example").await;
    let (user, _) = server.confirmed_user("user@a.example").await;
    server
        .add_member(&a.owner, &a.id, "user@a.example", "USER")
        .await;

    for token in [&a.owner, &user] {
        // Sources: the organization's list against each source asked on its own.
        let whole = server
            .data(SOURCES, json!({ "o": a.id }), Some(token))
            .await["applications"]
            .clone();
        assert_eq!(whole.as_array().map(Vec::len), Some(3), "{whole}");
        let mut one_by_one = Vec::new();
        for app in &a.apps {
            let d = server.data(SOURCES, json!({ "a": app }), Some(token)).await;
            one_by_one.push(d["applications"][0].clone());
        }
        assert_eq!(
            sorted_by_id(&whole),
            sorted_by_id(&Value::Array(one_by_one))
        );
        let counts: Vec<usize> = sorted_by_id(&whole)
            .iter()
            .map(|s| s["clickstream"].as_array().map_or(0, Vec::len))
            .collect();
        let mut counts_sorted = counts.clone();
        counts_sorted.sort();
        assert_eq!(counts_sorted, vec![0, 1, 2]);

        // Integrations: the organization's list against the lists of each source.
        let whole = server
            .data(CONFIGS, json!({ "o": a.id }), Some(token))
            .await["clickstreamConfigs"]
            .clone();
        let mut per_source = Vec::new();
        for app in &a.apps {
            let d = server.data(CONFIGS, json!({ "a": app }), Some(token)).await;
            per_source.extend(
                d["clickstreamConfigs"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        assert_eq!(whole.as_array().map(Vec::len), Some(3), "{whole}");
        assert_eq!(
            sorted_by_id(&whole),
            sorted_by_id(&Value::Array(per_source))
        );
        let with_connection = whole
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["connection"].is_null())
            .count();
        assert_eq!(with_connection, 2, "{whole}");
        // Owners see details without secrets, Users not at all: the bulk path keeps the rule.
        for c in whole.as_array().unwrap() {
            let details = &c["connection"]["details"];
            if c["connection"].is_null() {
                continue;
            }
            if token == &a.owner {
                assert!(
                    details.is_object() && details.get("apiKey").is_none(),
                    "{c}"
                );
            } else {
                assert!(details.is_null(), "{c}");
            }
        }

        // Nothing of the other organization, in either list.
        let text = format!(
            "{}{}",
            server
                .data(SOURCES, json!({ "o": a.id }), Some(token))
                .await,
            server
                .data(CONFIGS, json!({ "o": a.id }), Some(token))
                .await
        );
        assert!(!text.contains(&b.id), "{text}");
        for app in &b.apps {
            assert!(!text.contains(app.as_str()), "{text}");
        }
        assert!(!text.contains("key-of-"), "a secret leaked: {text}");
    }
}

#[tokio::test]
async fn sqlite_lists_answer_as_one_by_one() {
    lists_match(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_lists_answer_as_one_by_one() {
    lists_match(Backend::Postgres).await;
}
