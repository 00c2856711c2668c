//! Organizations never see each other: every id argument with another organization's id
//! answers NOT_FOUND (or an empty list), and no list or nested edge shows its rows.

use houston_test_harness::{error_code, TestServer};
use serde_json::{json, Value};

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
            "{ organizations { id members { user { id username } } applications { id clickstream { id connection { id details } } } } users { id username } myMail { to } }",
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
}
