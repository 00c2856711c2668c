//! The store contract: one story through every method of `Store`, its invariants included
//! (the last Owner, a connection in use, one-use and expiring links, attempt windows, the
//! cascade of an organization's deletion), told once and run on every backend: SQLite on a
//! temporary file and PostgreSQL on a fresh database. Then a copy between the two.

use futures_util::future::join_all;
use futures_util::StreamExt;
use houston_server::seal::DataKey;
use houston_server::store::prelude::*;
use houston_server::store::{
    Accepted, ApiKeyRow, AppRow, ConnectionRow, Dump, EventFilter, IntegrationPatch,
    IntegrationRow, InvitationProof, InvitationRow, KeyUseRow, LinkEffect, MailRow, NewEvent,
    NewLink, OrgRow, PgStore, Profile, Retention, Role, SqliteStore, Store, StoreError, UserRow,
};
use houston_test_harness::PgDatabase;
use houston_vocabulary::MailKind;
use serde_json::json;
use std::time::Duration;

const NOW: &str = "2026-11-27T10:00:00Z";
const EARLIER: &str = "2026-11-27T09:00:00Z";
const LATER: &str = "2026-11-28T10:00:00Z";

fn user(id: &str, email: &str, status: &str) -> UserRow {
    UserRow {
        id: id.into(),
        username: email.into(),
        password_hash: Some(format!("hash-of-{id}")),
        first_name: Some("First".into()),
        last_name: None,
        company: Some("Company".into()),
        status: status.parse().expect("a user status"),
        email_verified: status == "active",
        token_version: 0,
        created_at: NOW.into(),
    }
}

fn link(hash: &str, kind: &'static str, to: &str, expires_at: &str, created_at: &str) -> NewLink {
    let kind: MailKind = kind.parse().expect("a mail kind");
    NewLink {
        token_hash: hash.into(),
        kind,
        expires_at: expires_at.into(),
        mail: MailRow {
            id: format!("mail-{hash}"),
            to_address: to.into(),
            kind,
            subject: format!("Subject {hash}"),
            body: format!("Body with the link {hash}"),
            token: Some(format!("token-{hash}")),
            created_at: created_at.into(),
        },
    }
}

fn org(id: &str, name: &str) -> OrgRow {
    OrgRow {
        id: id.into(),
        name: name.into(),
        description: Some("About".into()),
        enabled: true,
        created_at: NOW.into(),
    }
}

fn app(id: &str, org_id: &str, created_at: &str) -> AppRow {
    AppRow {
        id: id.into(),
        org_id: org_id.into(),
        name: format!("App {id}"),
        platform: "analytics.js".into(),
        created_at: created_at.into(),
    }
}

fn connection(id: &str, org_id: &str, code: &str) -> ConnectionRow {
    ConnectionRow {
        id: id.into(),
        org_id: org_id.into(),
        name: format!("Connection {id}"),
        integration_code: code.into(),
        connection_prototype_id: format!("{code}-proto"),
        // Unicode, nesting, numbers and an escaped NUL: stored and read back as they are.
        details: json!({ "apiKey": "s3cr3t", "nested": { "list": [1, 2.5, "três"] }, "nul": "a\u{0}b" }),
        created_at: NOW.into(),
        updated_at: NOW.into(),
    }
}

fn integration(id: &str, app_id: &str, connection_id: Option<&str>) -> IntegrationRow {
    IntegrationRow {
        id: id.into(),
        app_id: app_id.into(),
        connection_id: connection_id.map(str::to_string),
        name: format!("Integration {id}"),
        code: "acquisio".into(),
        config: json!({ "events": ["Signed Up"], "enabled": true }),
        enabled: true,
        created_at: NOW.into(),
        updated_at: NOW.into(),
    }
}

fn api_key(id: &str, org_id: &str, role: Role) -> ApiKeyRow {
    ApiKeyRow {
        id: id.into(),
        org_id: org_id.into(),
        label: format!("key {id}"),
        role,
        created_at: NOW.into(),
        last_used_at: None,
        expires_at: None,
    }
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|r| id(r).to_string()).collect()
}

/// One use of the link `hash` now, for a link of one of `kinds`.
async fn consume(s: &dyn Store, hash: &str, kinds: &[&str], effect: LinkEffect) -> Option<UserRow> {
    let kinds: Vec<MailKind> = kinds
        .iter()
        .map(|k| k.parse().expect("a mail kind"))
        .collect();
    s.consume_link(hash, &kinds, NOW, effect).await.unwrap()
}

/// The whole contract, on one store. `shared` says whether the backend can tell other
/// servers about changes (PostgreSQL) or not (SQLite).
async fn story(s: &dyn Store, shared: bool) {
    // --- Users.
    let ada = user("u-ada", "ada@example.com", "active");
    let bob = user("u-bob", "bob@example.com", "pending");
    s.create_user(&ada, None).await.unwrap();
    s.create_user(
        &bob,
        Some(&link(
            "confirm-bob",
            "CONFIRM_EMAIL",
            &bob.username,
            LATER,
            NOW,
        )),
    )
    .await
    .unwrap();
    assert!(
        matches!(
            s.create_user(&user("u-other", "ada@example.com", "active"), None)
                .await,
            Err(StoreError::Conflict)
        ),
        "a username exists once"
    );
    assert!(
        s.user_by_id("u-other").await.unwrap().is_none(),
        "the refused user left nothing behind"
    );
    assert_eq!(s.user_by_id("u-ada").await.unwrap(), Some(ada.clone()));
    assert_eq!(
        s.user_by_username("bob@example.com").await.unwrap(),
        Some(bob.clone())
    );
    assert_eq!(
        s.user_by_username("nobody@example.com").await.unwrap(),
        None
    );
    // A value no database row can hold is simply not found, on every backend.
    assert_eq!(
        s.user_by_username("ada\u{0}@example.com").await.unwrap(),
        None
    );
    assert_eq!(s.user_by_id("u-\u{0}").await.unwrap(), None);

    s.update_profile(
        "u-ada",
        &Profile {
            first_name: None,
            last_name: Some("Lovelace".into()),
            company: None,
        },
    )
    .await
    .unwrap();
    let fresh = s.user_by_id("u-ada").await.unwrap().unwrap();
    assert_eq!(
        (
            fresh.first_name.as_deref(),
            fresh.last_name.as_deref(),
            fresh.company.as_deref()
        ),
        (Some("First"), Some("Lovelace"), Some("Company")),
        "a profile update changes only what it names"
    );
    assert!(matches!(
        s.update_profile("u-none", &Profile::default()).await,
        Err(StoreError::NotFound)
    ));

    s.change_password("u-ada", "new-hash").await.unwrap();
    let fresh = s.user_by_id("u-ada").await.unwrap().unwrap();
    assert_eq!(fresh.password_hash.as_deref(), Some("new-hash"));
    assert_eq!(fresh.token_version, 1, "a new password revokes every token");
    assert!(matches!(
        s.change_password("u-none", "x").await,
        Err(StoreError::NotFound)
    ));
    s.revoke_tokens("u-ada").await.unwrap();
    assert_eq!(
        s.user_by_id("u-ada").await.unwrap().unwrap().token_version,
        2
    );

    // --- Links: consumed once, of the right kind only, before they expire.
    let confirmed = consume(
        s,
        "confirm-bob",
        &["CONFIRM_EMAIL"],
        LinkEffect::ConfirmEmail,
    )
    .await
    .expect("the confirmation link works");
    assert_eq!(confirmed.status, "active");
    assert!(confirmed.email_verified);
    assert_eq!(
        consume(
            s,
            "confirm-bob",
            &["CONFIRM_EMAIL"],
            LinkEffect::ConfirmEmail
        )
        .await,
        None,
        "a link works once"
    );
    s.create_link(
        "u-ada",
        &link("reset-1", "PASSWORD_RESET", &ada.username, LATER, NOW),
    )
    .await
    .unwrap();
    s.create_link(
        "u-ada",
        &link("reset-2", "PASSWORD_RESET", &ada.username, LATER, NOW),
    )
    .await
    .unwrap();
    s.create_link(
        "u-ada",
        &link(
            "reset-old",
            "PASSWORD_RESET",
            &ada.username,
            EARLIER,
            EARLIER,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        consume(
            s,
            "reset-old",
            &["PASSWORD_RESET"],
            LinkEffect::SetPassword("h".into())
        )
        .await,
        None,
        "an expired link is refused"
    );
    assert_eq!(
        consume(s, "reset-1", &["CONFIRM_EMAIL"], LinkEffect::ConfirmEmail).await,
        None,
        "a link of another kind is refused"
    );
    let reset = consume(
        s,
        "reset-1",
        &["PASSWORD_RESET", "INVITATION"],
        LinkEffect::SetPassword("reset-hash".into()),
    )
    .await
    .expect("refusing it for the wrong kind did not use it up");
    assert_eq!(reset.password_hash.as_deref(), Some("reset-hash"));
    assert_eq!(reset.token_version, 3, "a reset revokes every token");
    assert_eq!(
        consume(
            s,
            "reset-2",
            &["PASSWORD_RESET"],
            LinkEffect::SetPassword("h".into())
        )
        .await,
        None,
        "a reset kills the other outstanding reset links"
    );
    assert_eq!(
        consume(s, "unknown", &["PASSWORD_RESET"], LinkEffect::ConfirmEmail).await,
        None
    );
    // Eight uses of one link at once, three times over: exactly one wins each time.
    for round in 0..3 {
        let hash = format!("race-{round}");
        s.create_link(
            "u-bob",
            &link(&hash, "PASSWORD_RESET", &bob.username, LATER, NOW),
        )
        .await
        .unwrap();
        let uses = join_all((0..8).map(|i| {
            s.consume_link(
                &hash,
                &[MailKind::PasswordReset],
                NOW,
                LinkEffect::SetPassword(format!("h{i}")),
            )
        }))
        .await;
        let winners = uses
            .into_iter()
            .map(|r| r.expect("no use fails"))
            .filter(Option::is_some)
            .count();
        assert_eq!(
            winners, 1,
            "round {round}: a link is consumed once, even by concurrent uses"
        );
    }

    // --- Mail: newest first, mails of one second in the reverse order they were written.
    let mail = s.mail_to("ada@example.com").await.unwrap();
    assert_eq!(
        ids(&mail, |m| &m.id),
        ["mail-reset-2", "mail-reset-1", "mail-reset-old"]
    );
    assert_eq!(mail[0].token.as_deref(), Some("token-reset-2"));
    assert_eq!(mail[0].body, "Body with the link reset-2");
    let outbox = s.outbox().await.unwrap();
    assert_eq!(
        ids(&outbox, |m| &m.id),
        [
            "mail-race-2",
            "mail-race-1",
            "mail-race-0",
            "mail-reset-2",
            "mail-reset-1",
            "mail-confirm-bob",
            "mail-reset-old"
        ]
    );

    // --- Organizations and members.
    s.create_org(&org("o-1", "Engines"), "u-ada").await.unwrap();
    s.create_org(&org("o-2", "Analytical"), "u-bob")
        .await
        .unwrap();
    assert_eq!(s.role_of("o-1", "u-ada").await.unwrap(), Some(Role::Owner));
    assert_eq!(s.role_of("o-1", "u-bob").await.unwrap(), None);
    assert_eq!(
        s.org_by_id("o-1").await.unwrap(),
        Some(org("o-1", "Engines"))
    );
    assert_eq!(s.org_by_id("o-none").await.unwrap(), None);
    s.update_org("o-1", Some("Difference Engines"), None)
        .await
        .unwrap();
    let o1 = s.org_by_id("o-1").await.unwrap().unwrap();
    assert_eq!(o1.name, "Difference Engines");
    assert_eq!(o1.description.as_deref(), Some("About"), "kept");
    assert!(matches!(
        s.update_org("o-none", Some("x"), None).await,
        Err(StoreError::NotFound)
    ));
    s.add_member("o-1", "u-bob", Role::User).await.unwrap();
    assert!(
        matches!(
            s.add_member("o-1", "u-bob", Role::Owner).await,
            Err(StoreError::Conflict)
        ),
        "a member is added once"
    );
    assert_eq!(
        ids(&s.orgs_of_user("u-bob").await.unwrap(), |o| &o.id),
        ["o-2", "o-1"],
        "by name: Analytical, Difference Engines"
    );
    let carol = UserRow {
        password_hash: None,
        ..user("u-carol", "carol@example.com", "pending")
    };
    s.invite_member(
        "o-1",
        &carol,
        Role::User,
        &link("invite-carol", "INVITATION", &carol.username, LATER, NOW),
    )
    .await
    .unwrap();
    assert_eq!(s.user_by_id("u-carol").await.unwrap(), Some(carol.clone()));
    assert_eq!(s.role_of("o-1", "u-carol").await.unwrap(), Some(Role::User));
    assert_eq!(s.mail_to("carol@example.com").await.unwrap().len(), 1);
    assert!(
        matches!(
            s.invite_member(
                "o-2",
                &user("u-carol-2", "carol@example.com", "pending"),
                Role::User,
                &link(
                    "invite-again",
                    "INVITATION",
                    "carol@example.com",
                    LATER,
                    NOW
                ),
            )
            .await,
            Err(StoreError::Conflict)
        ),
        "inviting an existing username is refused"
    );
    assert_eq!(
        s.mail_to("carol@example.com").await.unwrap().len(),
        1,
        "the refused invitation left no mail"
    );
    let members = s.members("o-1").await.unwrap();
    assert_eq!(
        members
            .iter()
            .map(|m| (m.user.username.as_str(), m.role))
            .collect::<Vec<_>>(),
        [
            ("ada@example.com", Role::Owner),
            ("bob@example.com", Role::User),
            ("carol@example.com", Role::User)
        ]
    );
    s.create_user(&user("u-dan", "dan@example.com", "active"), None)
        .await
        .unwrap();
    assert_eq!(
        ids(&s.users_sharing_orgs("u-carol").await.unwrap(), |u| &u.id),
        ["u-ada", "u-bob", "u-carol"],
        "members of shared organizations, by username, themselves included"
    );
    assert_eq!(
        ids(&s.users_sharing_orgs("u-dan").await.unwrap(), |u| &u.id),
        ["u-dan"]
    );

    // --- The last Owner stays.
    assert!(matches!(
        s.set_role("o-1", "u-ada", Role::User).await,
        Err(StoreError::LastOwner)
    ));
    assert_eq!(
        s.role_of("o-1", "u-ada").await.unwrap(),
        Some(Role::Owner),
        "the refused demotion changed nothing"
    );
    assert!(matches!(
        s.remove_member("o-1", "u-ada").await,
        Err(StoreError::LastOwner)
    ));
    assert_eq!(
        s.role_of("o-1", "u-ada").await.unwrap(),
        Some(Role::Owner),
        "the refused removal changed nothing"
    );
    let ada_version = s.user_by_id("u-ada").await.unwrap().unwrap().token_version;
    assert_eq!(ada_version, 3, "the refused removal revoked nothing");
    assert!(matches!(
        s.set_role("o-1", "u-none", Role::Owner).await,
        Err(StoreError::NotFound)
    ));
    // Two Owners demoting each other at once: one wins, one is refused.
    s.set_role("o-1", "u-bob", Role::Owner).await.unwrap();
    for round in 0..3 {
        let (a, b) = tokio::join!(
            s.set_role("o-1", "u-ada", Role::User),
            s.set_role("o-1", "u-bob", Role::User)
        );
        let refused = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(StoreError::LastOwner)))
            .count();
        assert_eq!(
            (a.is_ok() as usize + b.is_ok() as usize, refused),
            (1, 1),
            "round {round}: {a:?} {b:?}"
        );
        let owners = s
            .members("o-1")
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == Role::Owner)
            .count();
        assert_eq!(owners, 1, "round {round}: one Owner is left");
        s.set_role("o-1", "u-ada", Role::Owner).await.unwrap();
        s.set_role("o-1", "u-bob", Role::Owner).await.unwrap();
    }
    // And removing each other at once.
    let version =
        |id: &'static str| async move { s.user_by_id(id).await.unwrap().unwrap().token_version };
    let (ada_before, bob_before) = (version("u-ada").await, version("u-bob").await);
    let (a, b) = tokio::join!(
        s.remove_member("o-1", "u-ada"),
        s.remove_member("o-1", "u-bob")
    );
    assert_eq!(a.is_ok() as usize + b.is_ok() as usize, 1, "{a:?} {b:?}");
    let (stayed, left) = if a.is_ok() {
        ("u-bob", "u-ada")
    } else {
        ("u-ada", "u-bob")
    };
    assert_eq!(s.role_of("o-1", stayed).await.unwrap(), Some(Role::Owner));
    assert_eq!(s.role_of("o-1", left).await.unwrap(), None);
    let (left_before, stayed_before) = if left == "u-ada" {
        (ada_before, bob_before)
    } else {
        (bob_before, ada_before)
    };
    // Issue 12: removal revokes no token (membership is read on every request, and the
    // person's tokens still serve their other organizations).
    assert_eq!(
        version(left).await,
        left_before,
        "removal leaves the member's tokens alone"
    );
    assert_eq!(
        version(stayed).await,
        stayed_before,
        "the refused removal revoked nothing"
    );
    // Put things back: ada Owner, bob User.
    if left == "u-ada" {
        s.add_member("o-1", "u-ada", Role::Owner).await.unwrap();
        s.set_role("o-1", "u-bob", Role::User).await.unwrap();
    } else {
        s.add_member("o-1", "u-bob", Role::User).await.unwrap();
    }
    s.remove_member("o-1", "u-carol").await.unwrap();
    assert!(matches!(
        s.remove_member("o-1", "u-carol").await,
        Err(StoreError::NotFound)
    ));

    // --- Sources.
    s.create_app(&app("a-2", "o-1", LATER)).await.unwrap();
    s.create_app(&app("a-1", "o-1", NOW)).await.unwrap();
    s.create_app(&app("a-3", "o-1", NOW)).await.unwrap();
    assert!(matches!(
        s.create_app(&app("a-1", "o-1", NOW)).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        ids(&s.apps_of_org("o-1").await.unwrap(), |a| &a.id),
        ["a-1", "a-3", "a-2"],
        "by creation time, then id"
    );
    s.update_app("a-3", None, Some("server")).await.unwrap();
    let a3 = s.app_by_id("a-3").await.unwrap().unwrap();
    assert_eq!(
        (a3.name.as_str(), a3.platform.as_str()),
        ("App a-3", "server")
    );
    assert!(matches!(
        s.update_app("a-none", Some("x"), None).await,
        Err(StoreError::NotFound)
    ));
    // --- Events (the full story is tests/events.rs): stored, counted, deleted with
    // their source.
    let event = |id: &str| NewEvent {
        message_id: id.into(),
        event_type: "track".into(),
        event: Some("Signed Up".into()),
        user_id: Some("user-1".into()),
        anonymous_id: None,
        received_at: time::OffsetDateTime::now_utc(),
        timestamp: None,
        problems: vec![],
        payload: "{\"type\":\"track\"}".into(),
    };
    for a in ["a-1", "a-3"] {
        let stored = s
            .record_events(a, &[event("m-1"), event("m-1")], Retention::default())
            .await
            .unwrap();
        assert_eq!(
            stored.iter().map(|e| e.valid).collect::<Vec<_>>(),
            [true, false]
        );
    }
    assert!(matches!(
        s.record_events("a-none", &[event("m-1")], Retention::default())
            .await,
        Err(StoreError::NotFound)
    ));
    s.delete_app("a-3").await.unwrap();
    assert_eq!(s.app_by_id("a-3").await.unwrap(), None);
    let gone = s
        .events_page("a-3", 10, None, &EventFilter::default())
        .await
        .unwrap();
    assert_eq!((gone.rows.len(), gone.total_count), (0, 0));
    assert_eq!(s.lifetime_counts("a-3").await.unwrap().total, 0);
    assert!(matches!(
        s.delete_app("a-3").await,
        Err(StoreError::NotFound)
    ));

    // --- Connections.
    let c1 = connection("c-1", "o-1", "acquisio");
    s.create_connection(&c1).await.unwrap();
    s.create_connection(&connection("c-2", "o-1", "amplitude"))
        .await
        .unwrap();
    assert_eq!(s.connection_by_id("c-1").await.unwrap(), Some(c1.clone()));
    assert_eq!(
        ids(&s.connections_of_org("o-1", None).await.unwrap(), |c| &c.id),
        ["c-1", "c-2"]
    );
    assert_eq!(
        ids(
            &s.connections_of_org("o-1", Some("amplitude"))
                .await
                .unwrap(),
            |c| &c.id
        ),
        ["c-2"],
        "by integration code"
    );
    assert_eq!(
        ids(
            &s.connections_of_org("o-1", Some("acquisio-proto"))
                .await
                .unwrap(),
            |c| &c.id
        ),
        ["c-1"],
        "by connection prototype"
    );
    assert!(s.connections_of_org("o-2", None).await.unwrap().is_empty());
    let details = json!({ "apiKey": "rotated" });
    s.update_connection("c-1", None, Some(&details), LATER)
        .await
        .unwrap();
    let c = s.connection_by_id("c-1").await.unwrap().unwrap();
    assert_eq!(
        (c.name.as_str(), &c.details, c.updated_at.as_str()),
        ("Connection c-1", &details, LATER)
    );
    assert!(matches!(
        s.update_connection("c-none", Some("x"), None, LATER).await,
        Err(StoreError::NotFound)
    ));

    // --- Integrations.
    let i1 = integration("i-1", "a-1", Some("c-1"));
    s.create_integration(&i1).await.unwrap();
    s.create_integration(&integration("i-2", "a-2", None))
        .await
        .unwrap();
    assert!(
        matches!(
            s.create_integration(&integration("i-x", "a-none", None))
                .await,
            Err(StoreError::NotFound)
        ),
        "an integration of an unknown source"
    );
    assert!(
        matches!(
            s.create_integration(&integration("i-x", "a-1", Some("c-none")))
                .await,
            Err(StoreError::NotFound)
        ),
        "an integration on an unknown connection"
    );
    assert_eq!(s.integration_by_id("i-1").await.unwrap(), Some(i1.clone()));
    assert_eq!(
        ids(&s.integrations_of_app("a-1").await.unwrap(), |i| &i.id),
        ["i-1"]
    );
    assert_eq!(
        ids(&s.integrations_of_org("o-1").await.unwrap(), |i| &i.id),
        ["i-1", "i-2"]
    );
    s.update_integration(
        "i-1",
        &IntegrationPatch {
            enabled: Some(false),
            connection_id: Some(None),
            ..Default::default()
        },
        LATER,
    )
    .await
    .unwrap();
    let i = s.integration_by_id("i-1").await.unwrap().unwrap();
    assert_eq!(
        (
            i.enabled,
            i.connection_id.as_deref(),
            i.name.as_str(),
            &i.config
        ),
        (false, None, "Integration i-1", &i1.config),
        "a patch changes only what it names"
    );
    let config = json!({ "events": [], "advertiserId": "42" });
    s.update_integration(
        "i-1",
        &IntegrationPatch {
            name: Some("Renamed".into()),
            config: Some(config.clone()),
            connection_id: Some(Some("c-1".into())),
            enabled: None,
        },
        LATER,
    )
    .await
    .unwrap();
    let i = s.integration_by_id("i-1").await.unwrap().unwrap();
    assert_eq!(
        (
            i.enabled,
            i.connection_id.as_deref(),
            i.name.as_str(),
            &i.config
        ),
        (false, Some("c-1"), "Renamed", &config)
    );
    assert!(matches!(
        s.update_integration(
            "i-1",
            &IntegrationPatch {
                connection_id: Some(Some("c-none".into())),
                ..Default::default()
            },
            LATER
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.update_integration("i-none", &IntegrationPatch::default(), LATER)
            .await,
        Err(StoreError::NotFound)
    ));

    // --- A connection in use stays.
    assert!(matches!(
        s.delete_connection("c-1").await,
        Err(StoreError::InUse)
    ));
    assert!(s.connection_by_id("c-1").await.unwrap().is_some());
    s.delete_connection("c-2").await.unwrap();
    assert!(matches!(
        s.delete_connection("c-2").await,
        Err(StoreError::NotFound)
    ));
    s.delete_integration("i-2").await.unwrap();
    assert!(matches!(
        s.delete_integration("i-2").await,
        Err(StoreError::NotFound)
    ));
    // A new integration on a connection racing its deletion: never both.
    s.create_connection(&connection("c-3", "o-1", "acquisio"))
        .await
        .unwrap();
    let i3 = integration("i-3", "a-1", Some("c-3"));
    let (created, deleted) = tokio::join!(s.create_integration(&i3), s.delete_connection("c-3"));
    assert!(
        created.is_ok() != deleted.is_ok(),
        "one of them wins: {created:?} {deleted:?}"
    );
    if created.is_ok() {
        assert!(matches!(deleted, Err(StoreError::InUse)));
        s.delete_integration("i-3").await.unwrap();
        s.delete_connection("c-3").await.unwrap();
    } else {
        assert!(matches!(created, Err(StoreError::NotFound)));
    }

    // --- API keys.
    s.create_api_key(&api_key("k-1", "o-1", Role::User), "hash-1")
        .await
        .unwrap();
    s.create_api_key(&api_key("k-2", "o-1", Role::Owner), "hash-2")
        .await
        .unwrap();
    assert!(
        matches!(
            s.create_api_key(&api_key("k-3", "o-1", Role::User), "hash-1")
                .await,
            Err(StoreError::Conflict)
        ),
        "a key hash exists once"
    );
    assert_eq!(
        ids(&s.api_keys_of_org("o-1").await.unwrap(), |k| &k.id),
        ["k-1", "k-2"]
    );
    assert_eq!(
        s.api_key_by_id("k-2").await.unwrap(),
        Some(api_key("k-2", "o-1", Role::Owner))
    );
    let used = s
        .use_api_key("hash-1", NOW)
        .await
        .unwrap()
        .expect("found by its hash");
    assert_eq!(used.id, "k-1");
    assert_eq!(
        s.api_key_by_id("k-1")
            .await
            .unwrap()
            .unwrap()
            .last_used_at
            .as_deref(),
        Some(NOW)
    );
    s.use_api_key("hash-1", "2026-11-27T10:00:30Z")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.api_key_by_id("k-1")
            .await
            .unwrap()
            .unwrap()
            .last_used_at
            .as_deref(),
        Some(NOW),
        "recorded at most once a minute"
    );
    s.use_api_key("hash-1", "2026-11-27T10:01:00Z")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.api_key_by_id("k-1")
            .await
            .unwrap()
            .unwrap()
            .last_used_at
            .as_deref(),
        Some("2026-11-27T10:01:00Z")
    );
    assert_eq!(s.use_api_key("hash-none", NOW).await.unwrap(), None);
    s.revoke_api_key("k-2").await.unwrap();
    assert_eq!(s.use_api_key("hash-2", NOW).await.unwrap(), None);
    assert!(matches!(
        s.revoke_api_key("k-2").await,
        Err(StoreError::NotFound)
    ));

    // --- Sign-in attempts: counted in a window that starts at the first one.
    let t0 = 1_800_000_000;
    for n in 1..=3 {
        assert_eq!(
            s.count_login_attempt("ada@example.com", "192.0.2.1", t0 + n - 1, 900)
                .await
                .unwrap(),
            n
        );
    }
    assert_eq!(
        s.count_login_attempt("ada@example.com", "192.0.2.1", t0 + 899, 900)
            .await
            .unwrap(),
        4,
        "still in the window"
    );
    assert_eq!(
        s.count_login_attempt("bob@example.com", "192.0.2.1", t0, 900)
            .await
            .unwrap(),
        1,
        "per username"
    );
    assert_eq!(
        s.count_login_attempt("ada@example.com", "192.0.2.1", t0 + 900, 900)
            .await
            .unwrap(),
        1,
        "a new window starts over"
    );
    s.clear_login_attempts("ada@example.com", "192.0.2.1")
        .await
        .unwrap();
    assert_eq!(
        s.count_login_attempt("ada@example.com", "192.0.2.1", t0 + 901, 900)
            .await
            .unwrap(),
        1,
        "cleared"
    );
    let mut counts: Vec<i64> =
        join_all((0..20).map(|_| s.count_login_attempt("carol@example.com", "192.0.2.1", t0, 900)))
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
    counts.sort();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<_>>(),
        "concurrent attempts are each counted once"
    );
    assert_eq!(
        s.count_login_attempt("nul\u{0}@example.com", "192.0.2.1", t0, 900)
            .await
            .unwrap(),
        1,
        "even a username no account can have is counted"
    );
    s.clear_login_attempts("nul\u{0}@example.com", "192.0.2.1")
        .await
        .unwrap();
    assert_eq!(
        s.count_login_attempt("nul\u{0}@example.com", "192.0.2.1", t0, 900)
            .await
            .unwrap(),
        1,
        "and cleared"
    );
    s.clear_login_attempts("nul\u{0}@example.com", "192.0.2.1")
        .await
        .unwrap();

    assert_eq!(
        s.count_login_attempt("carol@example.com", "192.0.2.2", t0, 900)
            .await
            .unwrap(),
        1,
        "per client: another client's failures do not count"
    );
    assert_eq!(
        s.count_login_attempt("old@example.com", "192.0.2.1", t0 + 10_000, 900)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.export().await.unwrap().login_failures.len(),
        1,
        "the counters of windows long past are pruned"
    );

    // --- API key audit: newest first, per organization or key, kept after revocation.
    for (op, ok) in [
        ("createApplication", Some(true)),
        ("updateOrganization", Some(false)),
    ] {
        s.record_key_use(&KeyUseRow {
            org_id: "o-1".into(),
            key_id: "k-2".into(),
            key_label: "key k-2".into(),
            operation: op.into(),
            success: ok,
            at: NOW.into(),
        })
        .await
        .unwrap();
    }
    let uses = s.key_uses("o-1", Some("k-2"), 10).await.unwrap();
    assert_eq!(
        uses.iter()
            .map(|u| (u.operation.as_str(), u.success))
            .collect::<Vec<_>>(),
        [
            ("updateOrganization", Some(false)),
            ("createApplication", Some(true))
        ]
    );
    assert_eq!(
        s.key_uses("o-1", None, 1).await.unwrap().len(),
        1,
        "limited"
    );
    assert!(s.key_uses("o-2", None, 10).await.unwrap().is_empty());

    // --- Invitations: apart from accounts until accepted; they expire.
    let invitation = |id: &str, email: &str, expires_at: &str| InvitationRow {
        id: id.into(),
        org_id: "o-2".into(),
        email: email.into(),
        role: Role::Owner,
        token_hash: format!("hash-{id}"),
        created_at: NOW.into(),
        expires_at: expires_at.into(),
    };
    let invite = |id: &str, email: &str, expires_at: &str| {
        let link = link(&format!("hash-{id}"), "INVITATION", email, expires_at, NOW);
        (invitation(id, email, expires_at), link.mail)
    };
    let (inv, mail) = invite("inv-1", "erin@example.com", LATER);
    s.create_invitation(&inv, &mail, NOW).await.unwrap();
    let (old, mail) = invite("inv-old", "erin@example.com", EARLIER);
    s.create_invitation(&old, &mail, EARLIER).await.unwrap();
    let (bob_inv, mail) = invite("inv-bob", "bob@example.com", LATER);
    s.create_invitation(&bob_inv, &mail, NOW).await.unwrap();
    assert_eq!(
        s.invitations_for("erin@example.com", NOW)
            .await
            .unwrap()
            .iter()
            .map(|p| (p.invitation.id.as_str(), p.org_name.as_str()))
            .collect::<Vec<_>>(),
        [("inv-1", "Analytical")],
        "the expired one is not listed"
    );
    assert!(s.invitation_is_live("hash-inv-1", NOW).await.unwrap());
    assert!(!s.invitation_is_live("hash-inv-old", NOW).await.unwrap());
    assert!(
        s.accept_invitation(
            InvitationProof::Account {
                id: "inv-1",
                email: "bob@example.com"
            },
            None,
            NOW
        )
        .await
        .unwrap()
        .is_none(),
        "by id only for the invited address"
    );
    assert!(matches!(
        s.accept_invitation(
            InvitationProof::Link {
                token_hash: "hash-inv-1"
            },
            None,
            NOW
        )
        .await
        .unwrap(),
        Some(Accepted::NeedsAccount)
    ));
    let erin = UserRow {
        username: String::new(),
        ..user("ignored", "", "active")
    };
    match s
        .accept_invitation(
            InvitationProof::Link {
                token_hash: "hash-inv-1",
            },
            Some(&erin),
            NOW,
        )
        .await
        .unwrap()
    {
        Some(Accepted::Joined { org_id, user }) => {
            assert_eq!(org_id, "o-2");
            assert_eq!(
                (user.id.as_str(), user.username.as_str()),
                ("inv-1", "erin@example.com")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.role_of("o-2", "inv-1").await.unwrap(), Some(Role::Owner));
    assert!(
        s.accept_invitation(
            InvitationProof::Link {
                token_hash: "hash-inv-1"
            },
            None,
            NOW
        )
        .await
        .unwrap()
        .is_none(),
        "accepted once"
    );
    // Bob is a member of o-2 already: accepting keeps his role.
    assert!(matches!(
        s.accept_invitation(
            InvitationProof::Account {
                id: "inv-bob",
                email: "bob@example.com"
            },
            None,
            NOW
        )
        .await
        .unwrap(),
        Some(Accepted::Joined { .. })
    ));
    let (dan_inv, mail) = invite("inv-dan", "dan@example.com", LATER);
    s.create_invitation(&dan_inv, &mail, NOW).await.unwrap();
    assert!(matches!(
        s.decline_invitation("inv-dan", "bob@example.com").await,
        Err(StoreError::NotFound)
    ));
    s.decline_invitation("inv-dan", "dan@example.com")
        .await
        .unwrap();
    let (kept, mail) = invite("inv-kept", "frank@example.com", LATER);
    s.create_invitation(&kept, &mail, NOW).await.unwrap();
    assert_eq!(
        s.export().await.unwrap().invitations,
        vec![kept],
        "the expired invitation was pruned, the accepted and declined ones are gone"
    );

    // --- Deleting an organization takes everything of it along, and no user.
    s.create_org(&org("o-3", "Doomed"), "u-dan").await.unwrap();
    s.add_member("o-3", "u-bob", Role::User).await.unwrap();
    s.create_app(&app("a-9", "o-3", NOW)).await.unwrap();
    s.create_connection(&connection("c-9", "o-3", "acquisio"))
        .await
        .unwrap();
    s.create_integration(&integration("i-9", "a-9", Some("c-9")))
        .await
        .unwrap();
    s.create_api_key(&api_key("k-9", "o-3", Role::User), "hash-9")
        .await
        .unwrap();
    s.delete_org("o-3").await.unwrap();
    assert_eq!(s.org_by_id("o-3").await.unwrap(), None);
    assert_eq!(s.app_by_id("a-9").await.unwrap(), None);
    assert_eq!(s.connection_by_id("c-9").await.unwrap(), None);
    assert_eq!(s.integration_by_id("i-9").await.unwrap(), None);
    assert_eq!(s.api_key_by_id("k-9").await.unwrap(), None);
    assert_eq!(s.use_api_key("hash-9", NOW).await.unwrap(), None);
    assert_eq!(s.role_of("o-3", "u-bob").await.unwrap(), None);
    assert!(s.members("o-3").await.unwrap().is_empty());
    assert!(s.user_by_id("u-dan").await.unwrap().is_some());
    assert_eq!(
        ids(&s.orgs_of_user("u-bob").await.unwrap(), |o| &o.id),
        ["o-2", "o-1"]
    );
    assert!(matches!(
        s.delete_org("o-3").await,
        Err(StoreError::NotFound)
    ));

    // --- Telling other servers.
    match s.listen_changes().await.unwrap() {
        Some(mut heard) => {
            assert!(shared, "only a shared database has listeners");
            s.publish_change("{\"hello\":1}").await.unwrap();
            let payload = tokio::time::timeout(Duration::from_secs(10), heard.next())
                .await
                .expect("the notice arrives")
                .expect("the stream is open");
            assert_eq!(payload, "{\"hello\":1}");
        }
        None => {
            assert!(!shared, "a shared database must let servers listen");
            s.publish_change("{}").await.unwrap();
        }
    }

    // --- Copying: the dump holds every table, and an import refuses a non-empty store.
    let dump = s.export().await.unwrap();
    let counts = dump.counts();
    assert_eq!(
        counts.map(|(t, _)| t),
        Dump::TABLES,
        "the tables, in dependency order"
    );
    assert!(
        counts.iter().all(|(_, n)| *n > 0),
        "the story fills every table: {counts:?}"
    );
    assert!(matches!(
        s.import(&dump).await,
        Err(StoreError::NotEmpty { table: "users", .. })
    ));
    assert_eq!(
        s.export().await.unwrap(),
        dump,
        "the refused import wrote nothing"
    );
}

#[tokio::test]
async fn sqlite_keeps_the_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(
        &format!("sqlite://{}", dir.path().join("c.db").display()),
        DataKey::ephemeral(),
    )
    .await
    .unwrap();
    story(&store, false).await;
}

#[tokio::test]
async fn postgres_keeps_the_store_contract() {
    let db = PgDatabase::create().await;
    let store = PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap();
    story(&store, true).await;
}

/// A dump written into an empty store of the other backend reads back the same, both ways.
#[tokio::test]
async fn copies_between_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(
        &format!("sqlite://{}", dir.path().join("a.db").display()),
        DataKey::ephemeral(),
    )
    .await
    .unwrap();
    story(&sqlite, false).await;
    let original = sqlite.export().await.unwrap();

    let db = PgDatabase::create().await;
    let pg = PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap();
    pg.import(&original).await.unwrap();
    assert_eq!(
        pg.export().await.unwrap(),
        original,
        "SQLite into PostgreSQL"
    );
    assert_eq!(
        pg.outbox().await.unwrap(),
        sqlite.outbox().await.unwrap(),
        "mail keeps its order"
    );
    assert_eq!(
        pg.users_sharing_orgs("u-bob").await.unwrap(),
        sqlite.users_sharing_orgs("u-bob").await.unwrap()
    );

    let back = SqliteStore::open(
        &format!("sqlite://{}", dir.path().join("b.db").display()),
        DataKey::ephemeral(),
    )
    .await
    .unwrap();
    back.import(&pg.export().await.unwrap()).await.unwrap();
    assert_eq!(
        back.export().await.unwrap(),
        original,
        "and back into SQLite"
    );
    assert_eq!(back.outbox().await.unwrap(), sqlite.outbox().await.unwrap());
}
