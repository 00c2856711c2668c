//! One story, told through both transports to the same server on a real SQLite file:
//! what the desktop does over HTTP to a remote Houston must answer exactly what it does
//! in-process with the bundled one.

use houston_client::vocabulary::ErrorCode;
use houston_client::{
    api_keys, applications, clickstream_configs, clickstream_prototypes, confirm_email, connection,
    create_api_key, create_application, create_connection, create_integration, create_new_user,
    create_organization, healthcheck, logout, me, my_mail, org_connections, organizations,
    revoke_api_key, run, sources, update_integration, update_organization, ApiKeys, Applications,
    ClickstreamConfigs, ClickstreamPrototypes, ClientError, ConfirmEmail, Connection, CreateApiKey,
    CreateApplication, CreateConnection, CreateIntegration, CreateNewUser, CreateOrganization,
    Healthcheck, HttpTransport, InProcessTransport, Logout, Me, MyMail, OrgConnections,
    Organizations, RevokeApiKey, Sources, Transport, UpdateIntegration, UpdateOrganization,
};
use houston_server::Houston;
use houston_test_harness::TestServer;
use serde_json::{json, Value};

/// What one telling of the story saw, with ids, tokens and timestamps left out so that
/// two tellings can be compared.
#[derive(Debug, Default)]
struct Transcript {
    steps: Vec<(&'static str, Value)>,
    catalog: Option<clickstream_prototypes::ResponseData>,
}

impl Transcript {
    fn note(&mut self, step: &'static str, seen: Value) {
        self.steps.push((step, seen));
    }
}

const PASSWORD: &str = "correct horse battery";

/// Signs `email` up, reads the confirmation mail, confirms, and answers (token, user id).
async fn confirmed_user(
    t: &dyn Transport,
    email: &str,
    transcript: &mut Transcript,
) -> (String, String) {
    let signed_up = run::<CreateNewUser>(
        t,
        create_new_user::Variables {
            email: email.into(),
            password: PASSWORD.into(),
            profile: Some(create_new_user::UserProfileInput {
                first_name: Some("Ada".into()),
                last_name: None,
                company: Some("Houston".into()),
            }),
        },
        None,
        None,
    )
    .await
    .expect("createNewUser answers")
    .create_new_user;
    assert!(signed_up.success, "sign-up must succeed: {signed_up:?}");
    let pending = signed_up.token.expect("sign-up signs the person in");
    transcript.note(
        "createNewUser",
        json!({ "code": signed_up.code, "decoded": signed_up.decoded.is_some() }),
    );

    let mail = run::<MyMail>(t, my_mail::Variables, Some(&pending), None)
        .await
        .expect("a pending user reads their mail")
        .my_mail;
    let confirm = mail
        .iter()
        .find(|m| m.kind == "CONFIRM_EMAIL")
        .expect("a confirmation mail was sent");
    assert_eq!(confirm.to, email, "the mail goes to the new address");
    transcript.note(
        "myMail",
        json!(mail.iter().map(|m| m.kind.clone()).collect::<Vec<_>>()),
    );

    let confirmed = run::<ConfirmEmail>(
        t,
        confirm_email::Variables {
            token: confirm
                .token
                .clone()
                .expect("the mail holds the link's token"),
        },
        None,
        None,
    )
    .await
    .expect("confirmEmail answers")
    .confirm_email;
    assert!(
        confirmed.success,
        "confirmation must succeed: {confirmed:?}"
    );
    let decoded = confirmed.decoded.expect("a confirmed token has claims");
    assert!(!decoded.s_u, "a self-signed-up person is no superuser");
    transcript.note("confirmEmail", json!({ "code": confirmed.code }));
    (confirmed.token.expect("confirmation signs in"), decoded.id)
}

/// The whole story through `t`, for people whose addresses start with `who`.
async fn story(t: &dyn Transport, houston: &Houston, who: &str) -> Transcript {
    let mut transcript = Transcript::default();

    let health = run::<Healthcheck>(t, healthcheck::Variables, None, None)
        .await
        .expect("healthcheck answers anonymously");
    transcript.note("healthcheck", json!(!health.healthcheck.is_empty()));

    let owner_email = format!("{who}-owner@example.com");
    let member_email = format!("{who}-member@example.com");
    let (owner, owner_id) = confirmed_user(t, &owner_email, &mut transcript).await;
    let (member, _) = confirmed_user(t, &member_email, &mut transcript).await;

    let me = run::<Me>(t, me::Variables, Some(&owner), None)
        .await
        .expect("me answers a signed-in person")
        .me
        .expect("a person is somebody");
    assert_eq!(me.username, owner_email);
    transcript.note(
        "me",
        json!({
            "status": me.status,
            "emails": me.emails.iter().map(|e| (e.verified, e.primary)).collect::<Vec<_>>(),
            "firstName": me.profile.first_name,
            "company": me.profile.company,
        }),
    );

    // An organization, and a member added by email.
    let created = run::<CreateOrganization>(
        t,
        create_organization::Variables {
            name: "Mission Control".into(),
            user_id: None,
        },
        Some(&owner),
        None,
    )
    .await
    .expect("createOrganization answers")
    .create_organization;
    assert!(created.success, "{created:?}");
    let org = created.id.expect("a new organization has an id");
    transcript.note("createOrganization", json!({ "code": created.code }));

    let added = run::<UpdateOrganization>(
        t,
        update_organization::Variables {
            org_id: org.clone(),
            name: None,
            description: None,
            add_user: Some(update_organization::MemberInput {
                email: member_email.clone(),
                role: Some(houston_client::Role::User),
            }),
            remove_user_id: None,
            set_role: None,
            delete: None,
        },
        Some(&owner),
        None,
    )
    .await
    .expect("updateOrganization answers")
    .update_organization;
    assert!(added.success, "adding a member must succeed: {added:?}");
    transcript.note("addUser", json!({ "code": added.code }));
    // Issue 12: the member joins by accepting the invitation; here with the mailed link,
    // read from the outbox as a mailbox would be (the client crate has no operation for it).
    let link = houston
        .outbox()
        .await
        .expect("the outbox reads")
        .into_iter()
        .find(|m| m.to_address == member_email && m.kind == "INVITATION")
        .and_then(|m| m.token)
        .expect("an invitation was mailed");
    let accepted = houston
        .execute(
            async_graphql::Request::new(
                "mutation($t: String) { acceptInvitation(token: $t) { success } }",
            )
            .variables(async_graphql::Variables::from_json(json!({ "t": link }))),
            None,
            None,
        )
        .await;
    let accepted = serde_json::to_value(&accepted.data).expect("an answer");
    assert_eq!(accepted["acceptInvitation"]["success"], true, "{accepted}");

    let orgs = run::<Organizations>(
        t,
        organizations::Variables {
            user_id: None,
            org_id: Some(org.clone()),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("organizations answers")
    .organizations;
    assert_eq!(orgs.len(), 1, "one organization by id");
    let mut members: Vec<Value> = orgs[0]
        .members
        .iter()
        .map(|m| json!([m.user.username.replace(who, "WHO"), m.role]))
        .collect();
    members.sort_by_key(|m| m.to_string());
    transcript.note(
        "organizations",
        json!({ "name": orgs[0].name, "myRole": orgs[0].my_role, "members": members }),
    );

    // A source.
    let created = run::<CreateApplication>(
        t,
        create_application::Variables {
            name: "Website".into(),
            platform: "analytics.js".into(),
            org_id: org.clone(),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("createApplication answers")
    .create_application;
    assert!(created.success, "{created:?}");
    let app = created.id.expect("a new source has an id");
    assert_eq!(
        app.chars().count(),
        21,
        "a source id is a 21-character write key"
    );
    assert!(
        app.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
        "a source id uses the nanoid alphabet: {app}"
    );
    let apps = run::<Applications>(
        t,
        applications::Variables {
            org_id: None,
            app_id: None,
        },
        Some(&member),
        Some(&org),
    )
    .await
    .expect("a member lists the sources of the organization header")
    .applications;
    transcript.note(
        "applications",
        json!(apps
            .iter()
            .map(|a| (&a.name, &a.platform))
            .collect::<Vec<_>>()),
    );

    // The catalog.
    let catalog = run::<ClickstreamPrototypes>(
        t,
        clickstream_prototypes::Variables {
            code: None,
            platform: None,
            search: None,
        },
        Some(&owner),
        None,
    )
    .await
    .expect("the catalog answers");
    let prototypes = &catalog.clickstream_prototypes;
    assert_eq!(
        prototypes.len(),
        483,
        "the bundled catalog has 483 destinations"
    );
    let acquisio = prototypes
        .iter()
        .find(|p| p.code == "acquisio")
        .expect("acquisio is in the catalog");
    let api_key = acquisio
        .connection_prototype
        .fields
        .iter()
        .find(|f| f.prototype_field.property_name == "apiKey")
        .expect("acquisio's connection asks for an apiKey");
    assert!(api_key.prototype_field.secret, "an API key is write-only");
    let deepest = prototypes
        .iter()
        .flat_map(|p| &p.config_prototype)
        .flat_map(|f| f.properties.iter().flatten())
        .any(|f| f.properties.is_some());
    transcript.note(
        "clickstreamPrototypes",
        json!({
            "count": prototypes.len(),
            "acquisio.connectionPrototype.id": acquisio.connection_prototype.id,
            "apiKey": { "type": api_key.prototype_field.type_, "secret": api_key.prototype_field.secret, "required": api_key.prototype_field.required },
            "has two levels of properties": deepest,
        }),
    );
    transcript.catalog = Some(catalog.clone());

    // A connection: first without its apiKey, then with it.
    let connect = |details: Value| create_connection::Variables {
        integration_code: "acquisio".into(),
        details,
        name: "Acquisio".into(),
        org_id: org.clone(),
        connection_prototype_id: acquisio.connection_prototype.id.clone(),
    };
    let refused = run::<CreateConnection>(t, connect(json!({})), Some(&owner), None)
        .await
        .expect("createConnection answers")
        .create_connection;
    assert!(
        !refused.success,
        "a connection without its apiKey is refused"
    );
    assert_eq!(refused.code.as_deref(), Some("INVALID_INPUT"));
    let wrong: Vec<&str> = refused
        .field_errors
        .iter()
        .flatten()
        .map(|e| e.property_name.as_str())
        .collect();
    assert!(
        wrong.contains(&"apiKey"),
        "the form's apiKey field is pointed at: {wrong:?}"
    );
    transcript.note(
        "createConnection without apiKey",
        json!({ "code": refused.code, "fieldErrors": wrong }),
    );

    let created = run::<CreateConnection>(
        t,
        connect(json!({ "apiKey": "s3cret-key" })),
        Some(&owner),
        None,
    )
    .await
    .expect("createConnection answers")
    .create_connection;
    assert!(created.success, "{created:?}");
    let conn = created.id.expect("a new connection has an id");

    let seen_by_owner = run::<Connection>(
        t,
        connection::Variables {
            connection_id: conn.clone(),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("an owner reads the connection")
    .connection
    .expect("the connection exists");
    let shown = seen_by_owner.details.clone().unwrap_or(Value::Null);
    assert_ne!(
        shown["apiKey"],
        json!("s3cret-key"),
        "secrets are never read back"
    );
    assert_eq!(shown, json!({}), "neither as a value nor as a mask");
    assert_eq!(
        seen_by_owner.secrets_set,
        ["apiKey"],
        "only named as stored"
    );
    let seen_by_member = run::<Connection>(
        t,
        connection::Variables {
            connection_id: conn.clone(),
        },
        Some(&member),
        None,
    )
    .await
    .expect("a member reads the connection")
    .connection
    .expect("the connection exists");
    assert_eq!(seen_by_member.details, None, "Users never see credentials");
    let listed = run::<OrgConnections>(
        t,
        org_connections::Variables {
            org_id: org.clone(),
            connection_prototype: None,
        },
        Some(&owner),
        None,
    )
    .await
    .expect("orgConnections answers")
    .org_connections;
    transcript.note(
        "connections",
        json!({
            "ownerDetails": shown,
            "memberDetails": seen_by_member.details,
            "listed": listed.iter().map(|c| (&c.name, &c.integration_code)).collect::<Vec<_>>(),
        }),
    );

    // An integration, renamed, then disabled.
    let created = run::<CreateIntegration>(
        t,
        create_integration::Variables {
            app_id: app.clone(),
            integration_code: "acquisio".into(),
            config_payload: json!({ "events": ["Order Completed"] }),
            connection_id: Some(conn.clone()),
            name: "Acquisio for web".into(),
        },
        Some(&member),
        None,
    )
    .await
    .expect("createIntegration answers")
    .create_integration;
    assert!(
        created.success,
        "a member switches a destination on: {created:?}"
    );
    let integration = created.id.expect("a new integration has an id");
    for (action, name) in [
        (
            update_integration::IntegrationActions::UPDATE,
            Some("Acquisio (renamed)"),
        ),
        (update_integration::IntegrationActions::DISABLE, None),
    ] {
        let updated = run::<UpdateIntegration>(
            t,
            update_integration::Variables {
                integration_id: integration.clone(),
                action,
                name: name.map(str::to_owned),
                config_payload: None,
                connection_id: None,
            },
            Some(&owner),
            None,
        )
        .await
        .expect("updateIntegration answers")
        .update_integration;
        assert!(updated.success, "{updated:?}");
        transcript.note("updateIntegration", json!({ "code": updated.code }));
    }

    let configs = run::<ClickstreamConfigs>(
        t,
        clickstream_configs::Variables {
            app_id: Some(app.clone()),
            org_id: None,
        },
        Some(&owner),
        None,
    )
    .await
    .expect("clickstreamConfigs answers")
    .clickstream_configs;
    assert_eq!(configs.len(), 1, "one integration on the source");
    assert_eq!(configs[0].id, integration);
    assert!(!configs[0].enabled, "the integration was disabled");
    assert_eq!(
        configs[0].connection.as_ref().map(|c| c.id.as_str()),
        Some(conn.as_str())
    );
    transcript.note(
        "clickstreamConfigs",
        json!({
            "name": configs[0].name,
            "code": configs[0].code,
            "enabled": configs[0].enabled,
            "config": configs[0].config,
            "application": configs[0].application.name,
        }),
    );

    // An API key, used by the event router for its lookup, then revoked.
    let created = run::<CreateApiKey>(
        t,
        create_api_key::Variables {
            org_id: org.clone(),
            label: "event router".into(),
            role: Some(houston_client::Role::User),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("createApiKey answers")
    .create_api_key;
    assert!(created.success, "{created:?}");
    let key_id = created.id.expect("a new key has an id");
    let service = format!("service:{}", created.key.expect("the key is shown once"));

    let looked_up = run::<Sources>(
        t,
        sources::Variables { id: app.clone() },
        Some(&service),
        None,
    )
    .await
    .expect("the router looks its source up with an API key")
    .sources;
    assert_eq!(looked_up.len(), 1, "the source is found by its id");
    transcript.note(
        "sources",
        json!(looked_up
            .iter()
            .map(|a| json!({
                "name": a.name,
                "platform": a.platform,
                "clickstream": a.clickstream.iter().map(|c| json!([c.name, c.code, c.enabled, c.config])).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()),
    );

    let keys = run::<ApiKeys>(
        t,
        api_keys::Variables {
            org_id: org.clone(),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("an owner lists API keys")
    .api_keys;
    transcript.note(
        "apiKeys",
        json!(keys
            .iter()
            .map(|k| json!([
                k.label,
                k.role,
                k.organization.name,
                k.last_used_at.is_some()
            ]))
            .collect::<Vec<_>>()),
    );
    let revoked = run::<RevokeApiKey>(
        t,
        revoke_api_key::Variables { id: key_id },
        Some(&owner),
        None,
    )
    .await
    .expect("revokeApiKey answers")
    .revoke_api_key;
    assert!(revoked.success, "{revoked:?}");
    let after = run::<Sources>(
        t,
        sources::Variables { id: app.clone() },
        Some(&service),
        None,
    )
    .await;
    let after = match after {
        Ok(data) => json!({ "sources": data.sources.len() }),
        Err(e) => json!({ "error": e.code() }),
    };
    assert_ne!(
        after,
        json!({ "sources": 1 }),
        "a revoked key finds nothing"
    );
    transcript.note("revoked key", after);
    let keys = run::<ApiKeys>(
        t,
        api_keys::Variables {
            org_id: org.clone(),
        },
        Some(&owner),
        None,
    )
    .await
    .expect("an owner lists API keys")
    .api_keys;
    transcript.note("apiKeys after revoking", json!(keys.len()));

    // Tokens that no longer open anything.
    let garbage = run::<Me>(t, me::Variables, Some("not-a-jwt"), None).await;
    assert!(
        matches!(&garbage, Err(ClientError::Graphql { code: Some(c), .. }) if c == "UNAUTHENTICATED"),
        "a garbage token is UNAUTHENTICATED: {garbage:?}"
    );
    let (expired, _) = houston
        .state()
        .tokens
        .issue(&owner_id, 0, -3600)
        .expect("a token can be made");
    let expired = run::<Me>(t, me::Variables, Some(&expired), None).await;
    let expired_code = expired.as_ref().err().map(|e| e.code());
    assert_eq!(
        expired_code,
        Some(ErrorCode::TokenExpired),
        "an expired token says so, for the UI to offer signing in again: {expired:?}"
    );
    assert!(expired.unwrap_err().needs_sign_in());

    let out = run::<Logout>(t, logout::Variables, Some(&owner), None)
        .await
        .expect("logout answers")
        .logout;
    assert!(out.success, "{out:?}");
    let after_logout = run::<Me>(t, me::Variables, Some(&owner), None).await;
    transcript.note(
        "tokens",
        json!({
            "garbage": garbage.err().map(|e| e.code().to_owned()),
            "expired": expired_code,
            "after logout": after_logout.err().map(|e| e.code().to_owned()),
        }),
    );

    transcript
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_story_over_http_and_in_process() {
    let server = TestServer::start().await;
    let http = HttpTransport::new(&server.url).expect("an HTTP client");
    let local = InProcessTransport::new(server.houston.clone());

    let over_http = story(&http, &server.houston, "http").await;
    let in_process = story(&local, &server.houston, "local").await;

    assert_eq!(
        over_http.steps, in_process.steps,
        "both transports must tell the same story"
    );
    assert!(
        over_http.catalog == in_process.catalog,
        "both transports must answer the same catalog, field for field"
    );
    // Guard against two empty transcripts agreeing.
    assert!(over_http.steps.len() > 20, "the story ran to its end");
}

#[tokio::test]
async fn an_unanswered_port_is_unreachable() {
    // Bind, learn the port, and close it again: nobody listens there now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port-0 listener");
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let http = HttpTransport::new(format!("http://127.0.0.1:{port}/graphql")).unwrap();
    let answer = run::<Healthcheck>(&http, healthcheck::Variables, None, None).await;
    assert!(
        matches!(answer, Err(ClientError::Unreachable(_))),
        "a closed port must read as unreachable, not as a server error: {answer:?}"
    );
    assert_eq!(answer.unwrap_err().code(), "UNREACHABLE");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    // A "server" that answers every request with a redirect to a second listener, which
    // counts what reaches it: the token must never be carried there.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("http://{}/graphql", elsewhere.local_addr().unwrap());
    let reached = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reached.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = elsewhere.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = socket
                .write_all(b"HTTP/1.1 500 No\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let redirecting = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", redirecting.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = redirecting.accept().await {
            let mut buf = vec![0; 16 * 1024];
            let _ = socket.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}\r\ncontent-length: 0\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    let http = HttpTransport::new(url).unwrap();
    let answer = run::<MyMail>(&http, my_mail::Variables, Some("a-token"), None).await;
    assert_eq!(
        answer,
        Err(ClientError::Http(307)),
        "the redirect is an answer"
    );
    assert_eq!(
        reached.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing (and no token) was sent where the redirect pointed"
    );
}

#[tokio::test]
async fn a_wrong_path_is_an_http_status() {
    let server = TestServer::start().await;
    let wrong = server.url.replace("/graphql", "/nothing-here");
    let http = HttpTransport::new(wrong).unwrap();
    let answer = run::<Healthcheck>(&http, healthcheck::Variables, None, None).await;
    assert_eq!(answer, Err(ClientError::Http(404)), "no route is a 404");
}

#[tokio::test]
async fn an_anonymous_caller_gets_the_servers_error_code() {
    let server = TestServer::start().await;
    let http = HttpTransport::new(&server.url).unwrap();
    let local = InProcessTransport::new(server.houston.clone());
    let transports: [&dyn Transport; 2] = [&http, &local];
    let mut codes = Vec::new();
    for t in transports {
        let answer = run::<MyMail>(t, my_mail::Variables, None, None).await;
        match answer {
            Err(ClientError::Graphql { code, message }) => {
                assert!(!message.is_empty(), "an error says what happened");
                codes.push(code);
            }
            other => panic!("anonymous myMail must be a GraphQL error: {other:?}"),
        }
    }
    assert_eq!(codes[0], codes[1], "both transports answer the same code");
    assert_eq!(codes[0], Some(ErrorCode::Unauthenticated));
}
