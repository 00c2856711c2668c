//! Organizations never see each other: every id argument with another organization's id
//! answers NOT_FOUND (or an empty list), and no list or nested edge shows its rows.

use futures_util::StreamExt;
use houston_server::store::NewEvent;
use houston_server::RequestAuth;
use houston_test_harness::{error_code, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

struct Org {
    token: String,
    id: String,
    app: String,
    conn: String,
    integ: String,
    key_id: String,
}

async fn org(server: &TestServer, email: &str) -> Org {
    let (token, _) = server.confirmed_user(email).await;
    let id = server.create_org(&token, email).await;
    let app = server.create_app(&token, &id, "Web").await;
    let conn = server
        .create_connection(&token, &id, &format!("secret-of-{email}"))
        .await;
    let integ = server.create_integration(&token, &app, &conn).await;
    let key_id = server
        .ok_id(
            "mutation($o: String!) { createApiKey(orgId: $o, label: \"k\") { success id } }",
            json!({ "o": id }),
            Some(&token),
        )
        .await;
    Org {
        token,
        id,
        app,
        conn,
        integ,
        key_id,
    }
}

#[tokio::test]
async fn another_organizations_ids_are_not_found() {
    let server = TestServer::start().await;
    let a = org(&server, "alice@a.example").await;
    let b = org(&server, "bob@b.example").await;

    // Queries by another organization's ids.
    let not_found: Vec<(&str, Value)> = vec![
        (
            "query($x: ID) { organizations(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: String!) { organization(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: ID) { applications(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: String!) { application(id: $x) { id } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: String!) { connection(connectionId: $x) { id } }",
            json!({ "x": b.conn }),
        ),
        (
            "query($x: String!) { orgConnections(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: String) { clickstreamConfigs(appId: $x) { id } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: ID) { clickstreamConfigs(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: ID!) { apiKeys(orgId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        // Issue 14: the paged lists answer as their plain lists.
        (
            "query($x: ID) { applicationPage(orgId: $x) { totalCount } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: ID!) { orgConnectionPage(orgId: $x) { totalCount } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: String) { clickstreamConfigPage(appId: $x) { totalCount } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: ID) { clickstreamConfigPage(orgId: $x) { totalCount } }",
            json!({ "x": b.id }),
        ),
        (
            "query($o: ID, $x: String) { clickstreamConfigPage(orgId: $o, appId: $x) { totalCount } }",
            json!({ "o": a.id, "x": b.app }),
        ),
        (
            "query($x: ID!) { memberPage(orgId: $x) { totalCount } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: ID) { organizations(orgId: $x) { members { role } } }",
            json!({ "x": b.id }),
        ),
        (
            "query($x: String!) { events(appId: $x) { totalCount } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: String!) { applicationLifetimeEvents(appId: $x) { total } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: String) { eventReport(appId: $x, period: DAY) { period } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: ID) { eventReport(orgId: $x, period: DAY) { period } }",
            json!({ "x": b.id }),
        ),
        // Nested: A's organization with B's source.
        (
            "query($o: ID, $x: String) { eventReport(orgId: $o, appId: $x, period: DAY) { period } }",
            json!({ "o": a.id, "x": b.app }),
        ),
        (
            "query($x: String!) { deliveryPreview(appId: $x, event: {type: \"track\"}) { code } }",
            json!({ "x": b.app }),
        ),
    ];
    for (q, vars) in not_found {
        let res = server.gql(q, vars, Some(&a.token)).await;
        assert_eq!(error_code(&res), "NOT_FOUND", "{q}: {res}");
        assert!(
            !res.to_string().contains(&b.id) || q.contains("$x"),
            "{res}"
        );
    }
    for (q, vars) in [
        (
            "query($x: String!) { sources(id: $x) { id } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: String) { applications(appId: $x) { id } }",
            json!({ "x": b.app }),
        ),
        (
            "query($x: String) { users(userId: $x) { id } }",
            json!({ "x": b.id }),
        ),
        ("{ users(email: \"bob@b.example\") { id } }", json!({})),
    ] {
        let d = server.data(q, vars, Some(&a.token)).await;
        assert_eq!(
            d.as_object().unwrap().values().next().unwrap(),
            &json!([]),
            "{q}"
        );
    }

    // Mutations on another organization's objects.
    let mutations: Vec<(&str, Value)> = vec![
        ("mutation($x: String!) { updateOrganization(orgId: $x, name: \"pwned\") { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { updateOrganization(orgId: $x, delete: true) { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { updateOrganization(orgId: $x, addUser: {email: \"alice@a.example\", role: OWNER}) { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { createApplication(name: \"n\", platform: \"server\", orgId: $x) { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { updateApplication(appId: $x, name: \"pwned\") { success code } }", json!({ "x": b.app })),
        ("mutation($x: String!) { updateApplication(appId: $x, delete: true) { success code } }", json!({ "x": b.app })),
        ("mutation($x: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"k\"}, name: \"n\", orgId: $x, connectionPrototypeId: \"acquisio\") { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { updateConnection(connectionId: $x, action: UPDATE, name: \"pwned\") { success code } }", json!({ "x": b.conn })),
        ("mutation($x: String!) { updateConnection(connectionId: $x, action: DELETE) { success code } }", json!({ "x": b.conn })),
        ("mutation($x: String!) { createIntegration(appId: $x, integrationCode: \"acquisio\", configPayload: {}, name: \"n\") { success code } }", json!({ "x": b.app })),
        ("mutation($x: String!) { updateIntegration(integrationId: $x, action: DISABLE) { success code } }", json!({ "x": b.integ })),
        ("mutation($x: String!) { updateIntegration(integrationId: $x, action: DELETE) { success code } }", json!({ "x": b.integ })),
        ("mutation($x: String!) { createApiKey(orgId: $x, label: \"k\") { success code } }", json!({ "x": b.id })),
        ("mutation($x: String!) { revokeApiKey(id: $x) { success code } }", json!({ "x": b.key_id })),
        // Nested edges: A's source with B's connection.
        ("mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {}, connectionId: $c, name: \"n\") { success code } }", json!({ "a": a.app, "c": b.conn })),
        ("mutation($i: String!, $c: String) { updateIntegration(integrationId: $i, action: UPDATE, connectionId: $c) { success code } }", json!({ "i": a.integ, "c": b.conn })),
    ];
    for (q, vars) in mutations {
        let s = server.status(q, vars, Some(&a.token)).await;
        assert_eq!(s["code"], "NOT_FOUND", "{q}: {s}");
    }

    // B is untouched.
    let d = server
        .data("query($o: ID) { organizations(orgId: $o) { name applications { name clickstream { enabled connection { id } } } } }", json!({ "o": b.id }), Some(&b.token))
        .await;
    assert_eq!(d["organizations"][0]["name"], "bob@b.example");
    assert_eq!(d["organizations"][0]["applications"][0]["name"], "Web");
    assert_eq!(
        d["organizations"][0]["applications"][0]["clickstream"][0]["enabled"],
        true
    );
    assert_eq!(
        d["organizations"][0]["applications"][0]["clickstream"][0]["connection"]["id"],
        b.conn.as_str()
    );

    // Nothing A can list mentions B's rows, at any depth.
    let everything = server
        .data(
            "{ organizations { id members { user { id username } } applications { id clickstream { id connection { id details } } } } users { id username } myMail { to } mailPage { nodes { to } } }",
            json!({}),
            Some(&a.token),
        )
        .await
        .to_string();
    for b_id in [&b.id, &b.app, &b.conn, &b.integ, &b.key_id] {
        assert!(!everything.contains(b_id.as_str()), "A sees B's {b_id}");
    }
    assert!(!everything.contains("bob@b.example"));
    let d = server.data("query($o: ID) { applications(orgId: $o) { id } clickstreamConfigs(orgId: $o) { id } apiKeys(orgId: $o) { id } }", json!({ "o": a.id }), Some(&a.token)).await.to_string();
    assert!(!d.contains(&b.app) && !d.contains(&b.integ) && !d.contains(&b.key_id));
    let d = server.data("query($o: ID!) { applicationPage(orgId: $o) { nodes { id } } clickstreamConfigPage(orgId: $o) { nodes { id } } orgConnectionPage(orgId: $o) { nodes { id } } memberPage(orgId: $o) { nodes { user { id username } } } }", json!({ "o": a.id }), Some(&a.token)).await.to_string();
    assert!(d.contains(&a.app), "{d}");
    for b_id in [&b.app, &b.integ, &b.conn, &b.id] {
        assert!(!d.contains(b_id.as_str()), "A's pages hold B's {b_id}");
    }
    assert!(!d.contains("bob@b.example"));

    // The organization header naming B while the argument names A.
    let res = server
        .houston
        .execute(
            async_graphql::Request::new("query($o: ID) { applications(orgId: $o) { id } }")
                .variables(async_graphql::Variables::from_json(json!({ "o": a.id }))),
            Some(&a.token),
            Some(&b.id),
        )
        .await;
    assert_eq!(
        error_code(&serde_json::to_value(&res).unwrap()),
        "ORG_MISMATCH"
    );
    // The header alone naming B.
    let res = server
        .houston
        .execute("{ applications { id } }", Some(&a.token), Some(&b.id))
        .await;
    assert_eq!(
        error_code(&serde_json::to_value(&res).unwrap()),
        "NOT_FOUND"
    );
    for q in [
        "{ applicationPage { totalCount } }",
        "{ clickstreamConfigPage { totalCount } }",
    ] {
        let res = server.houston.execute(q, Some(&a.token), Some(&b.id)).await;
        assert_eq!(
            error_code(&serde_json::to_value(&res).unwrap()),
            "NOT_FOUND",
            "{q}"
        );
    }
    let res = server
        .houston
        .execute(
            async_graphql::Request::new(
                "query($o: ID) { applicationPage(orgId: $o) { totalCount } }",
            )
            .variables(async_graphql::Variables::from_json(json!({ "o": a.id }))),
            Some(&a.token),
            Some(&b.id),
        )
        .await;
    assert_eq!(
        error_code(&serde_json::to_value(&res).unwrap()),
        "ORG_MISMATCH"
    );
}

/// A track event with the message id `id`, received now.
fn track(id: &str) -> NewEvent {
    let now = time::OffsetDateTime::now_utc();
    NewEvent {
        message_id: id.into(),
        event_type: "track".into(),
        event: Some("Viewed".into()),
        user_id: Some("u".into()),
        anonymous_id: None,
        received_at: now,
        timestamp: Some(now),
        problems: Vec::new(),
        payload: json!({ "type": "track", "event": "Viewed", "messageId": id }).to_string(),
    }
}

/// `eventReceived(appId: app)` in-process as the holder of `token`.
async fn subscribe(
    server: &TestServer,
    token: &str,
    app: &str,
) -> impl futures_util::Stream<Item = async_graphql::Response> {
    let auth = RequestAuth::resolve(server.houston.state(), Some(token), None).await;
    server.houston.schema().execute_stream(
        async_graphql::Request::new(
            "subscription($a: String!) { eventReceived(appId: $a) { id } }",
        )
        .variables(async_graphql::Variables::from_json(json!({ "a": app })))
        .data(auth),
    )
}

/// The next answer's event id, `Err(code)` for an error, `None` when the stream ended or
/// stayed silent for `wait`.
async fn next_id(
    stream: &mut (impl futures_util::Stream<Item = async_graphql::Response> + Unpin),
    wait: Duration,
) -> Option<Result<String, String>> {
    let res = tokio::time::timeout(wait, stream.next()).await.ok()??;
    let res = serde_json::to_value(&res).unwrap();
    Some(match res["data"]["eventReceived"]["id"].as_str() {
        Some(id) => Ok(id.to_string()),
        None => Err(error_code(&res)),
    })
}

#[tokio::test]
async fn another_organizations_events_are_never_heard() {
    let server = TestServer::start().await;
    let a = org(&server, "alice@a.example").await;
    let b = org(&server, "bob@b.example").await;
    let feed = &server.houston.state().events;

    // Subscribing to B's source: NOT_FOUND, as for the source itself.
    let mut refused = Box::pin(subscribe(&server, &a.token, &b.app).await);
    assert_eq!(
        next_id(&mut refused, Duration::from_secs(10)).await,
        Some(Err("NOT_FOUND".into()))
    );

    // A's subscriber hears A's events and none of B's, stored before and after.
    let mut heard = Box::pin(subscribe(&server, &a.token, &a.app).await);
    let mut n = 0;
    loop {
        // Nothing acknowledges that it listens: store until it hears one.
        n += 1;
        feed.record(&b.id, &b.app, &[track(&format!("b-{n}"))])
            .await
            .unwrap();
        feed.record(&a.id, &a.app, &[track(&format!("a-{n}"))])
            .await
            .unwrap();
        match next_id(&mut heard, Duration::from_millis(200)).await {
            None => assert!(n < 50, "A's subscriber never heard A's events"),
            Some(got) => {
                assert_eq!(got, Ok(format!("a-{n}")));
                break;
            }
        }
    }
    feed.record(&b.id, &b.app, &[track("b-last")])
        .await
        .unwrap();
    feed.record(&a.id, &a.app, &[track("a-last")])
        .await
        .unwrap();
    assert_eq!(
        next_id(&mut heard, Duration::from_secs(10)).await,
        Some(Ok("a-last".into()))
    );
    assert_eq!(next_id(&mut heard, Duration::from_millis(500)).await, None);

    // A's organization report holds A's source only.
    let report = server
        .data(
            "query($o: ID) { eventReport(orgId: $o, period: MONTH) { buckets { appId total } } }",
            json!({ "o": a.id }),
            Some(&a.token),
        )
        .await;
    assert_eq!(
        report["eventReport"]["buckets"],
        json!([{ "appId": a.app, "total": n + 1 }]),
        "{report}"
    );

    // A member removed from A hears nothing more: the subscription ends.
    let (carol, carol_id) = server.confirmed_user("carol@a.example").await;
    server
        .add_member(&a.token, &a.id, "carol@a.example", "USER")
        .await;
    let mut member = Box::pin(subscribe(&server, &carol, &a.app).await);
    loop {
        feed.record(&a.id, &a.app, &[track("for-carol")])
            .await
            .unwrap();
        if next_id(&mut member, Duration::from_millis(200))
            .await
            .is_some()
        {
            break;
        }
    }
    while next_id(&mut member, Duration::from_millis(200))
        .await
        .is_some()
    {}
    let s = server
        .status(
            "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success code } }",
            json!({ "o": a.id, "u": carol_id }),
            Some(&a.token),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    // Her right is read again at most a second after it was last read.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    feed.record(&a.id, &a.app, &[track("after-removal")])
        .await
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), member.next()).await;
    assert!(
        matches!(ended, Ok(None)),
        "the removed member's subscription ends without the event: {ended:?}"
    );
}
