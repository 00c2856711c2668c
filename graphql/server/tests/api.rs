//! Every query and mutation of API.md, run in-process and over HTTP on a port-0 server,
//! on SQLite and on PostgreSQL.

use houston_test_harness::{error_code, Backend, TestServer, Via};
use serde_json::{json, Value};

struct Session<'a> {
    server: &'a TestServer,
    via: Via,
}

impl Session<'_> {
    async fn run(&self, query: &str, vars: Value, auth: Option<&str>, org: Option<&str>) -> Value {
        self.server.gql_via(self.via, query, vars, auth, org).await
    }
    async fn data(&self, query: &str, vars: Value, auth: Option<&str>) -> Value {
        let res = self.run(query, vars, auth, None).await;
        assert!(
            res.get("errors").is_none(),
            "{:?}: unexpected errors: {res}",
            self.via
        );
        res["data"].clone()
    }
    /// The first field of a mutation's data, asserted successful.
    async fn ok(&self, query: &str, vars: Value, auth: Option<&str>) -> Value {
        let d = self.data(query, vars, auth).await;
        let v = d.as_object().unwrap().values().next().unwrap().clone();
        assert_eq!(v["success"], true, "{:?}: {query}: {v}", self.via);
        v
    }
}

async fn every_operation(backend: Backend, via: Via) {
    let server = TestServer::on(backend).await;
    let s = Session {
        server: &server,
        via,
    };

    // healthcheck
    let d = s.data("{ healthcheck }", json!({}), None).await;
    assert!(d["healthcheck"].as_str().unwrap().contains("ok"));

    // createNewUser (Self Signup) answers a token for a pending account.
    let t = s
        .ok(
            r#"mutation { createNewUser(email: "Ada@Example.com", password: "analytical1", profile: {firstName: "Ada", lastName: "Lovelace", company: "Engines"}) { success message token decoded { id iat exp sU } code } }"#,
            json!({}),
            None,
        )
        .await;
    let pending = t["token"].as_str().unwrap().to_string();
    let ada_id = t["decoded"]["id"].as_str().unwrap().to_string();
    assert_eq!(t["decoded"]["sU"], false);

    // me, while pending; createOrganization is refused until the email is confirmed.
    let d = s.data("{ me { id username status emails { address verified primary } profile { firstName lastName company } createdAt } }", json!({}), Some(&pending)).await;
    assert_eq!(
        d["me"]["username"], "ada@example.com",
        "emails are stored lower-cased"
    );
    assert_eq!(d["me"]["status"], "pending");
    assert_eq!(d["me"]["emails"][0]["verified"], false);
    assert_eq!(d["me"]["profile"]["company"], "Engines");
    let refused = s
        .data(
            r#"mutation { createOrganization(name: "Too early") { success code } }"#,
            json!({}),
            Some(&pending),
        )
        .await;
    assert_eq!(refused["createOrganization"]["code"], "FORBIDDEN");

    // resendConfirmation, myMail, confirmEmail.
    s.ok(
        r#"mutation { resendConfirmation(email: "ada@example.com") { success message } }"#,
        json!({}),
        None,
    )
    .await;
    let d = s
        .data(
            "{ myMail { id to kind subject body token createdAt } }",
            json!({}),
            Some(&pending),
        )
        .await;
    let mails = d["myMail"].as_array().unwrap();
    assert_eq!(mails.len(), 2, "the sign-up mail and the resent one: {d}");
    assert!(mails
        .iter()
        .all(|m| m["kind"] == "CONFIRM_EMAIL" && m["to"] == "ada@example.com"));
    let link = mails[0]["token"].as_str().unwrap();
    assert!(
        mails[0]["body"].as_str().unwrap().contains(link),
        "the body carries the link"
    );
    let t = s
        .ok(
            "mutation($t: String!) { confirmEmail(token: $t) { success token decoded { id } } }",
            json!({ "t": link }),
            None,
        )
        .await;
    let ada = t["token"].as_str().unwrap().to_string();
    let again = s
        .data(
            "mutation($t: String!) { confirmEmail(token: $t) { success code } }",
            json!({ "t": link }),
            None,
        )
        .await;
    assert_eq!(again["confirmEmail"]["success"], false, "a link works once");

    // createToken, verifyToken.
    let t = s.ok(r#"mutation { createToken(username: "ada@example.com", password: "analytical1", duration: 2) { success token decoded { id iat exp } } }"#, json!({}), None).await;
    assert_eq!(t["decoded"]["id"], ada_id.as_str());
    let iat = time::OffsetDateTime::parse(
        t["decoded"]["iat"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let exp = time::OffsetDateTime::parse(
        t["decoded"]["exp"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!((exp - iat).whole_hours(), 48, "duration is in days");
    let v = s
        .ok(
            "mutation($t: String!) { verifyToken(token: $t) { success message decoded { exp } } }",
            json!({ "t": t["token"] }),
            None,
        )
        .await;
    assert!(v["decoded"]["exp"].as_str().unwrap().ends_with('Z'));

    // updateUser: profile.
    s.ok(
        r#"mutation { updateUser(profile: {company: "Analytical Engines"}) { success id } }"#,
        json!({}),
        Some(&ada),
    )
    .await;

    // createOrganization, organizations, organization, updateOrganization (details).
    let org = s
        .ok(
            r#"mutation { createOrganization(name: "Engines Ltd") { success message id } }"#,
            json!({}),
            Some(&ada),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.ok("mutation($o: String!) { updateOrganization(orgId: $o, description: \"Difference and analytical\") { success } }", json!({ "o": org }), Some(&ada)).await;
    let d = s.data("query($o: ID) { organizations(orgId: $o) { id name description enabled myRole members { role user { username } } users { id } owners { id } applications { id } createdAt } }", json!({ "o": org }), Some(&ada)).await;
    let o = &d["organizations"][0];
    assert_eq!(o["description"], "Difference and analytical");
    assert_eq!(o["myRole"], "OWNER");
    assert_eq!(o["owners"][0]["id"], ada_id.as_str());
    let d = s
        .data(
            "query($o: String!) { organization(orgId: $o) { name } }",
            json!({ "o": org }),
            Some(&ada),
        )
        .await;
    assert_eq!(d["organization"]["name"], "Engines Ltd");
    let d = s
        .data("{ organizations { id } }", json!({}), Some(&ada))
        .await;
    assert_eq!(d["organizations"].as_array().unwrap().len(), 1);

    // Members: an existing user, and an unknown email (Auto Signup by invitation): both
    // invited, both join by accepting.
    let (charles, charles_id) = server
        .confirmed_user(&format!("charles-{via:?}@example.com"))
        .await;
    s.ok("mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e}) { success } }", json!({ "o": org, "e": format!("charles-{via:?}@example.com") }), Some(&ada)).await;
    // Issue 12: an existing account joins only by accepting the invitation in the app.
    let d = s
        .data(
            "{ myInvitations { id organizationId organizationName role } }",
            json!({}),
            Some(&charles),
        )
        .await;
    assert_eq!(d["myInvitations"][0]["organizationId"], org.as_str(), "{d}");
    assert_eq!(d["myInvitations"][0]["role"], "USER");
    s.ok(
        "mutation($i: String) { acceptInvitation(invitationId: $i) { success } }",
        json!({ "i": d["myInvitations"][0]["id"] }),
        Some(&charles),
    )
    .await;
    let invited = s.ok("mutation($o: String!) { updateOrganization(orgId: $o, addUser: {email: \"mary@example.com\", role: OWNER}) { success message id } }", json!({ "o": org }), Some(&ada)).await;
    let mary_id = invited["id"].as_str().unwrap().to_string();
    let invitation = server.outbox_token("mary@example.com", "INVITATION").await;
    let t = s.ok("mutation($t: String!) { setPassword(token: $t, password: \"somerville1\") { success token decoded { id } } }", json!({ "t": invitation }), None).await;
    assert_eq!(t["decoded"]["id"], mary_id.as_str());
    let mary = t["token"].as_str().unwrap().to_string();
    let d = s
        .data(
            "{ me { status emails { verified } } }",
            json!({}),
            Some(&mary),
        )
        .await;
    assert_eq!(
        d["me"]["status"], "active",
        "accepting the invitation confirms the email"
    );

    // users: members of shared organizations, by id and by email.
    let d = s
        .data("{ users { id username } }", json!({}), Some(&charles))
        .await;
    assert_eq!(d["users"].as_array().unwrap().len(), 3, "{d}");
    let d = s
        .data(
            "query($u: String) { users(userId: $u) { username } }",
            json!({ "u": mary_id }),
            Some(&charles),
        )
        .await;
    assert_eq!(d["users"][0]["username"], "mary@example.com");
    let d = s
        .data(
            "{ users(email: \"ADA@example.com\") { id } }",
            json!({}),
            Some(&charles),
        )
        .await;
    assert_eq!(d["users"][0]["id"], ada_id.as_str());

    // setRole and removeUserId.
    s.ok("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: USER}) { success } }", json!({ "o": org, "u": mary_id }), Some(&ada)).await;
    s.ok("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success } }", json!({ "o": org, "u": mary_id }), Some(&ada)).await;
    let last = s.data("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success code } }", json!({ "o": org, "u": ada_id }), Some(&ada)).await;
    assert_eq!(last["updateOrganization"]["code"], "LAST_OWNER");
    let last = s.data("mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: USER}) { success code } }", json!({ "o": org, "u": ada_id }), Some(&ada)).await;
    assert_eq!(last["updateOrganization"]["code"], "LAST_OWNER");

    // Sources: createApplication, applications, application, sources, updateApplication.
    let app = s.ok("mutation($o: String!) { createApplication(name: \"Web\", platform: \"analytics.js\", orgId: $o) { success id } }", json!({ "o": org }), Some(&charles)).await["id"].as_str().unwrap().to_string();
    assert_eq!(app.len(), 21);
    let d = s
        .run(
            "{ applications { id name platform createdAt organization { id } } }",
            json!({}),
            Some(&charles),
            Some(&org),
        )
        .await;
    assert_eq!(
        d["data"]["applications"][0]["id"],
        app.as_str(),
        "the organization header scopes the list: {d}"
    );
    let d = s
        .data(
            "query($a: String) { applications(appId: $a) { name } }",
            json!({ "a": app }),
            Some(&charles),
        )
        .await;
    assert_eq!(d["applications"][0]["name"], "Web");
    let d = s
        .data(
            "query($a: String!) { application(id: $a) { platform } }",
            json!({ "a": app }),
            Some(&charles),
        )
        .await;
    assert_eq!(d["application"]["platform"], "analytics.js");
    s.ok("mutation($a: String!) { updateApplication(appId: $a, name: \"Website\", platform: \"server\") { success } }", json!({ "a": app }), Some(&charles)).await;

    // Catalog: clickstreamPrototypes and its deprecated alias integrations.
    let d = s.data("{ clickstreamPrototypes(code: \"acquisio\") { id code name platforms connectionPrototype { id code fields { propertyName type secret required } } configPrototype { propertyName type } sections { code } } }", json!({}), None).await;
    let acq = &d["clickstreamPrototypes"][0];
    assert_eq!(
        acq["connectionPrototype"]["fields"][0]["propertyName"],
        "apiKey"
    );
    assert_eq!(acq["connectionPrototype"]["fields"][0]["secret"], true);
    let d = s.data("{ clickstreamPrototypes(search: \"AMPLITUDE\") { code sections { code label defaultEnabled fields { propertyName } } } }", json!({}), None).await;
    assert!(d["clickstreamPrototypes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["code"] == "actions-amplitude"));
    let d = s
        .data(
            "{ integrations(platform: \"analytics-ios\") { code } }",
            json!({}),
            None,
        )
        .await;
    assert!(!d["integrations"].as_array().unwrap().is_empty());
    let all = s
        .data("{ clickstreamPrototypes { code } }", json!({}), None)
        .await;
    assert_eq!(all["clickstreamPrototypes"].as_array().unwrap().len(), 483);

    // Connections: create (with a validation error first), read, update, delete.
    let bad = s.data("mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {}, name: \"Acq\", orgId: $o, connectionPrototypeId: \"acquisio\") { success code fieldErrors { propertyName message } } }", json!({ "o": org }), Some(&charles)).await;
    assert_eq!(bad["createConnection"]["code"], "INVALID_INPUT");
    assert_eq!(
        bad["createConnection"]["fieldErrors"][0]["propertyName"],
        "apiKey"
    );
    let conn = s.ok("mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"s3cr3t-key\"}, name: \"Acq\", orgId: $o, connectionPrototypeId: \"acquisio\") { success id } }", json!({ "o": org }), Some(&charles)).await["id"].as_str().unwrap().to_string();
    let d = s.data("query($c: String!) { connection(connectionId: $c) { id name integrationCode connectionPrototypeId details secretsSet organization { id } createdAt updatedAt } }", json!({ "c": conn }), Some(&ada)).await;
    assert_eq!(
        d["connection"]["details"],
        json!({}),
        "Owners see no secret and no mask"
    );
    assert_eq!(
        d["connection"]["secretsSet"],
        json!(["apiKey"]),
        "Owners see that it is stored"
    );
    let d = s
        .data(
            "query($c: String!) { connection(connectionId: $c) { details } }",
            json!({ "c": conn }),
            Some(&charles),
        )
        .await;
    assert_eq!(
        d["connection"]["details"],
        Value::Null,
        "Users never see details"
    );
    s.ok("mutation($c: String!) { updateConnection(connectionId: $c, action: UPDATE, name: \"Acquisio prod\", details: {}) { success } }", json!({ "c": conn }), Some(&ada)).await;
    let stored = server
        .houston
        .state()
        .store
        .connection_by_id(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.details["apiKey"], "s3cr3t-key",
        "an update that omits a secret keeps it"
    );
    let d = s.data("query($o: String!) { orgConnections(orgId: $o, connectionPrototype: \"acquisio\") { id name } }", json!({ "o": org }), Some(&charles)).await;
    assert_eq!(d["orgConnections"][0]["name"], "Acquisio prod");

    // Integrations: create (bad then good), read, update, enable/disable, delete.
    let bad = s.data("mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {events: \"not a list\"}, connectionId: $c, name: \"Acq\") { success code fieldErrors { propertyName } } }", json!({ "a": app, "c": conn }), Some(&charles)).await;
    assert_eq!(
        bad["createIntegration"]["fieldErrors"][0]["propertyName"],
        "events"
    );
    let integ = s.ok("mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {events: [\"Signed Up\"]}, connectionId: $c, name: \"Acq\") { success id } }", json!({ "a": app, "c": conn }), Some(&charles)).await["id"].as_str().unwrap().to_string();
    s.ok("mutation($i: String!) { updateIntegration(integrationId: $i, action: UPDATE, name: \"Acquisio\", configPayload: {events: [\"Signed Up\", \"Order Completed\"], advertiserId: \"42\"}) { success } }", json!({ "i": integ }), Some(&charles)).await;
    s.ok("mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success } }", json!({ "i": integ }), Some(&charles)).await;
    let d = s.data("query($a: String) { clickstreamConfigs(appId: $a) { id name code enabled config application { id } connection { id name details } createdAt updatedAt } }", json!({ "a": app }), Some(&charles)).await;
    let c = &d["clickstreamConfigs"][0];
    assert_eq!(c["enabled"], false);
    assert_eq!(c["config"]["events"][1], "Order Completed");
    assert_eq!(c["connection"]["details"], Value::Null);
    let d = s.data("query($i: String!) { sources(id: $i) { id name clickstream { name topic: code enabled } } }", json!({ "i": app }), Some(&charles)).await;
    assert_eq!(d["sources"][0]["clickstream"][0]["topic"], "acquisio");
    s.ok("mutation($i: String!) { updateIntegration(integrationId: $i, action: ENABLE) { success } }", json!({ "i": integ }), Some(&charles)).await;
    let d = s
        .data(
            "query($o: ID) { clickstreamConfigs(orgId: $o) { enabled } }",
            json!({ "o": org }),
            Some(&charles),
        )
        .await;
    assert_eq!(d["clickstreamConfigs"][0]["enabled"], true);
    let in_use = s.data("mutation($c: String!) { updateConnection(connectionId: $c, action: DELETE) { success code } }", json!({ "c": conn }), Some(&ada)).await;
    assert_eq!(
        in_use["updateConnection"]["code"], "CONFLICT",
        "a connection in use is kept"
    );
    s.ok("mutation($i: String!) { updateIntegration(integrationId: $i, action: DELETE) { success } }", json!({ "i": integ }), Some(&charles)).await;
    s.ok(
        "mutation($c: String!) { updateConnection(connectionId: $c, action: DELETE) { success } }",
        json!({ "c": conn }),
        Some(&ada),
    )
    .await;

    // API keys: create (Owners), list, use, revoke.
    let k = s.ok("mutation($o: String!) { createApiKey(orgId: $o, label: \"router\", role: USER) { success message id key code } }", json!({ "o": org }), Some(&ada)).await;
    let key = format!("service:{}", k["key"].as_str().unwrap());
    let d = s
        .run(
            "{ applications { name } }",
            json!({}),
            Some(&key),
            Some(&org),
        )
        .await;
    assert_eq!(
        d["data"]["applications"][0]["name"], "Website",
        "the key acts in its organization: {d}"
    );
    let d = s.data("query($o: ID!) { apiKeys(orgId: $o) { id label role createdAt lastUsedAt organization { id } } }", json!({ "o": org }), Some(&ada)).await;
    assert_eq!(d["apiKeys"][0]["label"], "router");
    assert!(
        d["apiKeys"][0]["lastUsedAt"].is_string(),
        "the key's use was recorded"
    );
    assert!(
        !d.to_string().contains(k["key"].as_str().unwrap()),
        "the key is shown once"
    );
    s.ok(
        "mutation($k: String!) { revokeApiKey(id: $k) { success } }",
        json!({ "k": k["id"] }),
        Some(&ada),
    )
    .await;
    let d = s
        .run(
            "{ applications { name } }",
            json!({}),
            Some(&key),
            Some(&org),
        )
        .await;
    assert_eq!(error_code(&d), "UNAUTHENTICATED");

    // Password reset, then logout.
    s.ok(
        "mutation { requestPasswordReset(email: \"ada@example.com\") { success message } }",
        json!({}),
        None,
    )
    .await;
    let unknown = s
        .ok(
            "mutation { requestPasswordReset(email: \"nobody@example.com\") { success message } }",
            json!({}),
            None,
        )
        .await;
    let reset = server
        .outbox_token("ada@example.com", "PASSWORD_RESET")
        .await;
    let t = s.ok("mutation($t: String!) { setPassword(token: $t, password: \"new-password-1\") { success token } }", json!({ "t": reset }), None).await;
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .starts_with("If that address"),
        "no hint whether an account exists"
    );
    let ada2 = t["token"].as_str().unwrap().to_string();
    let d = s.run("{ me { id } }", json!({}), Some(&ada), None).await;
    assert_eq!(
        error_code(&d),
        "UNAUTHENTICATED",
        "a reset revokes older tokens"
    );
    s.ok("mutation { updateUser(currentPassword: \"new-password-1\", newPassword: \"newer-password-2\") { success } }", json!({}), Some(&ada2)).await;
    let t = s.ok(r#"mutation { createToken(username: "ada@example.com", password: "newer-password-2") { success token } }"#, json!({}), None).await;
    let ada3 = t["token"].as_str().unwrap().to_string();
    s.ok("mutation { logout { success } }", json!({}), Some(&ada3))
        .await;
    let d = s.run("{ me { id } }", json!({}), Some(&ada3), None).await;
    assert_eq!(error_code(&d), "UNAUTHENTICATED");

    // Deleting the application, then the organization.
    let t = s.ok(r#"mutation { createToken(username: "ada@example.com", password: "newer-password-2") { token success } }"#, json!({}), None).await;
    let ada4 = t["token"].as_str().unwrap().to_string();
    s.ok(
        "mutation($a: String!) { updateApplication(appId: $a, delete: true) { success } }",
        json!({ "a": app }),
        Some(&ada4),
    )
    .await;
    s.ok(
        "mutation($o: String!) { updateOrganization(orgId: $o, delete: true) { success } }",
        json!({ "o": org }),
        Some(&ada4),
    )
    .await;
    let d = s
        .data("{ organizations { id } }", json!({}), Some(&charles))
        .await;
    assert_eq!(d["organizations"], json!([]));
    let _ = charles_id;
}

#[tokio::test]
async fn every_operation_in_process() {
    every_operation(Backend::Sqlite, Via::InProcess).await;
}

#[tokio::test]
async fn every_operation_over_http() {
    every_operation(Backend::Sqlite, Via::Http).await;
}

#[tokio::test]
async fn every_operation_on_postgres_in_process() {
    every_operation(Backend::Postgres, Via::InProcess).await;
}

#[tokio::test]
async fn every_operation_on_postgres_over_http() {
    every_operation(Backend::Postgres, Via::Http).await;
}

#[tokio::test]
async fn subscription_hears_integration_changes() {
    subscription(Backend::Sqlite).await;
}

/// On PostgreSQL a change also travels through NOTIFY and comes back to the server that
/// made it, which must not deliver it a second time.
#[tokio::test]
async fn subscription_hears_integration_changes_on_postgres() {
    subscription(Backend::Postgres).await;
}

async fn subscription(backend: Backend) {
    use futures_util::StreamExt;
    let server = TestServer::on(backend).await;
    let (owner, _) = server.confirmed_user("sub@example.com").await;
    let org = server.create_org(&owner, "Subs").await;
    let app = server.create_app(&owner, &org, "Web").await;
    let auth =
        houston_server::RequestAuth::resolve(server.houston.state(), Some(&owner), None).await;
    let req = async_graphql::Request::new(format!(
        "subscription {{ clickstreamChanged(appId: \"{app}\") {{ appId integrationId action }} }}"
    ))
    .data(auth);
    let mut stream = server.houston.schema().execute_stream(req);
    // A stream runs its resolver when first polled: poll once so it is subscribed.
    let nothing_yet =
        tokio::time::timeout(std::time::Duration::from_millis(200), stream.next()).await;
    assert!(nothing_yet.is_err(), "no change has happened yet");
    let conn = server.create_connection(&owner, &org, "k-123456789").await;
    let integ = server.create_integration(&owner, &app, &conn).await;
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
        .await
        .expect("an event arrives")
        .expect("the stream is open");
    let event = serde_json::to_value(&event).unwrap();
    assert_eq!(
        event["data"]["clickstreamChanged"]["integrationId"],
        integ.as_str(),
        "{event}"
    );
    assert_eq!(event["data"]["clickstreamChanged"]["action"], "CREATE");
    let again = tokio::time::timeout(std::time::Duration::from_secs(1), stream.next()).await;
    assert!(
        again.is_err(),
        "one change is delivered once: {:?}",
        again
            .ok()
            .flatten()
            .map(|e| serde_json::to_value(&e).unwrap())
    );

    // Anonymous subscribers are refused.
    let mut anon = server
        .houston
        .schema()
        .execute_stream(async_graphql::Request::new(
            "subscription { clickstreamChanged { appId } }",
        ));
    let first = serde_json::to_value(anon.next().await.unwrap()).unwrap();
    assert_eq!(error_code(&first), "UNAUTHENTICATED");
}
