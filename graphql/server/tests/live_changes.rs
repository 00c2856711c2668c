//! `clickstreamChanged` as the desktop app listens to it: for one organization (`orgId`),
//! telling changes to sources as well as to integrations, and nothing of an organization
//! the subscriber does not belong to.

use futures_util::StreamExt;
use houston_test_harness::{error_code, Backend, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

const CHANGED: &str =
    "subscription($o: ID) { clickstreamChanged(orgId: $o) { appId integrationId action } }";

/// A `clickstreamChanged` stream of `org` as the holder of `token`, polled once so that
/// it listens.
async fn listen(
    server: &TestServer,
    token: &str,
    org: &str,
) -> (
    impl futures_util::Stream<Item = async_graphql::Response> + Unpin,
    Option<Value>,
) {
    let auth =
        houston_server::RequestAuth::resolve(server.houston.state(), Some(token), None).await;
    let request = async_graphql::Request::new(CHANGED)
        .variables(async_graphql::Variables::from_json(json!({ "o": org })))
        .data(auth);
    let mut stream = server.houston.schema().execute_stream(request);
    // A stream runs its resolver when first polled: an error comes back at once, and
    // otherwise nothing has changed yet.
    let first = tokio::time::timeout(Duration::from_millis(200), stream.next())
        .await
        .ok()
        .flatten()
        .map(|answer| serde_json::to_value(answer).unwrap_or(Value::Null));
    (stream, first)
}

/// The next change heard within `wait`, as `{appId, integrationId, action}`.
async fn next_change(
    stream: &mut (impl futures_util::Stream<Item = async_graphql::Response> + Unpin),
    wait: Duration,
) -> Option<Value> {
    let answer = tokio::time::timeout(wait, stream.next()).await.ok()??;
    let answer = serde_json::to_value(answer).ok()?;
    Some(answer["data"]["clickstreamChanged"].clone())
}

async fn story(backend: Backend) {
    let server = TestServer::on(backend).await;
    let (ann, _) = server.confirmed_user("ann@example.com").await;
    let (bob, _) = server.confirmed_user("bob@example.com").await;
    let shared = server.create_org(&ann, "Shared").await;
    let other_of_ann = server.create_org(&ann, "Ann's other").await;
    let bobs = server.create_org(&bob, "Bob's").await;
    server
        .add_member(&ann, &shared, "bob@example.com", "USER")
        .await;

    let (_, refused) = listen(&server, &ann, &bobs).await;
    let refused = refused.expect("a refusal comes at once");
    assert_eq!(
        error_code(&refused),
        "NOT_FOUND",
        "Ann is not a member of Bob's organization: {refused}"
    );

    let (mut heard, nothing) = listen(&server, &ann, &shared).await;
    assert!(nothing.is_none(), "nothing changed yet: {nothing:?}");

    // Changes in organizations Ann does not watch (her other one) or may not see (Bob's).
    let elsewhere = server.create_app(&ann, &other_of_ann, "Elsewhere").await;
    let bobs_app = server.create_app(&bob, &bobs, "Bob's web").await;
    let bobs_conn = server.create_connection(&bob, &bobs, "k-123456789").await;
    server.create_integration(&bob, &bobs_app, &bobs_conn).await;

    // Bob, a member of the shared organization, adds a source and an integration there.
    let app = server.create_app(&bob, &shared, "Web").await;
    let conn = server.create_connection(&bob, &shared, "k-987654321").await;
    let integration = server.create_integration(&bob, &app, &conn).await;
    let wait = Duration::from_secs(5);
    assert_eq!(
        next_change(&mut heard, wait).await,
        Some(json!({ "appId": app, "integrationId": "", "action": "CREATE" })),
        "the new source is told first (nothing of {elsewhere} or {bobs_app})"
    );
    assert_eq!(
        next_change(&mut heard, wait).await,
        Some(json!({ "appId": app, "integrationId": integration, "action": "CREATE" }))
    );

    // A rename of the source, then its deletion: its integration first, then itself.
    let renamed = server
        .status(
            "mutation($a: String!) { updateApplication(appId: $a, name: \"Site\") { success message } }",
            json!({ "a": app }),
            Some(&bob),
        )
        .await;
    assert_eq!(renamed["success"], true, "{renamed}");
    let deleted = server
        .status(
            "mutation($a: String!) { updateApplication(appId: $a, delete: true) { success message } }",
            json!({ "a": app }),
            Some(&bob),
        )
        .await;
    assert_eq!(deleted["success"], true, "{deleted}");
    for expected in [
        json!({ "appId": app, "integrationId": "", "action": "UPDATE" }),
        json!({ "appId": app, "integrationId": integration, "action": "DELETE" }),
        json!({ "appId": app, "integrationId": "", "action": "DELETE" }),
    ] {
        assert_eq!(next_change(&mut heard, wait).await, Some(expected));
    }
    let more = next_change(&mut heard, Duration::from_millis(500)).await;
    assert_eq!(more, None, "each change is told once, and only these");
}

#[tokio::test]
async fn an_organizations_changes_reach_its_members_only() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_organizations_changes_reach_its_members_only_on_postgres() {
    story(Backend::Postgres).await;
}
