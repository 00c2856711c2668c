//! The permission table: every operation × every kind of caller, with the outcome each
//! cell must have. Each cell runs on fresh fixtures, so destructive operations do not
//! disturb the next cell. The table runs on SQLite and on PostgreSQL.

use futures_util::StreamExt;
use houston_server::auth::Tokens;
use houston_server::mail::MailKind;
use houston_server::schema::ClickstreamChange;
use houston_server::store::{
    ApiKeyRow, AppRow, ConnectionRow, IntegrationRow, InvitationRow, NewEvent, OrgRow, Role,
    UserRow,
};
use houston_server::{Houston, SecretSource, ServerConfig};
use houston_vocabulary::ChangeAction;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The callers, in the order of the expectation columns.
const CALLERS: [&str; 10] = [
    "anonymous",
    "expired token",
    "forged token",
    "pending user",
    "user of no organization",
    "org USER",
    "org OWNER",
    "OWNER of another organization",
    "API key (USER)",
    "API key (OWNER)",
];

/// Objects of organization A (and a few helpers) made directly in the store.
struct Fixture {
    n: usize,
    org_a: String,
    member_id: String,
    app_a: String,
    conn_a: String,
    conn_unused: String,
    integ_a: String,
    key_victim: String,
    owner_email: String,
    confirm_link: String,
    invite_link: String,
    /// The loner's invitation to organization A, and its link.
    loner_invitation: String,
    loner_link: String,
    auth: [Option<String>; 10],
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn user(n: usize, name: &str, status: &str, hash: &str) -> UserRow {
    UserRow {
        id: houston_server::ids::new_id(),
        username: format!("{name}-{n}@example.com"),
        password_hash: Some(hash.to_string()),
        first_name: None,
        last_name: None,
        company: None,
        status: status.parse().expect("a user status"),
        email_verified: status == "active",
        token_version: 0,
        created_at: "2026-11-27T10:00:00Z".into(),
    }
}

impl Fixture {
    async fn new(h: &Houston, hash: &str) -> Fixture {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let st = h.state();
        let store = &st.store;
        let now = "2026-11-27T10:00:00Z".to_string();
        let owner = user(n, "owner", "active", hash);
        let member = user(n, "member", "active", hash);
        let other = user(n, "other", "active", hash);
        let loner = user(n, "loner", "active", hash);
        let pending = user(n, "pending", "pending", hash);
        let confirm = st
            .mailer
            .link(MailKind::ConfirmEmail, &pending.username, None);
        let confirm_link = confirm.token().to_string();
        for u in [&owner, &member, &other, &loner] {
            store.create_user(u, None).await.unwrap();
        }
        store
            .create_user(&pending, Some(&confirm.record))
            .await
            .unwrap();
        let org = |name: &str| OrgRow {
            id: houston_server::ids::new_id(),
            name: name.into(),
            description: None,
            enabled: true,
            created_at: now.clone(),
        };
        let (a, b) = (org("A"), org("B"));
        store.create_org(&a, &owner.id).await.unwrap();
        store.create_org(&b, &other.id).await.unwrap();
        store
            .add_member(&a.id, &member.id, Role::User)
            .await
            .unwrap();
        // Invitations (issue 12: apart from accounts until accepted): one to an address
        // with no account (its link sets a password), one to the loner's.
        let invitation = |email: &str| {
            let link = st.mailer.link(MailKind::Invitation, email, Some("A"));
            let row = InvitationRow {
                id: houston_server::ids::new_id(),
                org_id: a.id.clone(),
                email: email.to_string(),
                role: Role::User,
                token_hash: link.record.token_hash.clone(),
                created_at: now.clone(),
                expires_at: "2999-01-01T00:00:00Z".into(),
            };
            (row, link)
        };
        let (invited, invited_mail) = invitation(&format!("invited-{n}@example.com"));
        let invite_link = invited_mail.token().to_string();
        let (loners, loners_mail) = invitation(&loner.username);
        let loner_link = loners_mail.token().to_string();
        for (row, mail) in [(&invited, invited_mail), (&loners, loners_mail)] {
            store
                .create_invitation(row, &mail.record.mail, &now)
                .await
                .unwrap();
            // As the server does: the link lives in the mailer's memory, not the store.
            st.mailer.deliver(mail);
        }
        let app = AppRow {
            id: houston_server::ids::new_id(),
            org_id: a.id.clone(),
            name: "Web".into(),
            platform: "analytics.js".into(),
            created_at: now.clone(),
        };
        store.create_app(&app).await.unwrap();
        let conn = |id: String| ConnectionRow {
            id,
            org_id: a.id.clone(),
            name: "Acquisio".into(),
            integration_code: "acquisio".into(),
            connection_prototype_id: "acquisio".into(),
            details: json!({ "apiKey": "top-secret-key" }),
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let (conn_a, conn_unused) = (
            conn(houston_server::ids::new_id()),
            conn(houston_server::ids::new_id()),
        );
        store.create_connection(&conn_a).await.unwrap();
        store.create_connection(&conn_unused).await.unwrap();
        let integ = IntegrationRow {
            id: houston_server::ids::new_id(),
            app_id: app.id.clone(),
            connection_id: Some(conn_a.id.clone()),
            name: "Acquisio".into(),
            code: "acquisio".into(),
            config: json!({ "events": ["Signed Up"] }),
            enabled: true,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        store.create_integration(&integ).await.unwrap();
        let key = |role: Role| {
            let secret = houston_server::auth::random_token();
            let row = ApiKeyRow {
                id: houston_server::ids::new_id(),
                org_id: a.id.clone(),
                label: "k".into(),
                role,
                created_at: now.clone(),
                last_used_at: None,
                expires_at: None,
            };
            (row, secret)
        };
        let (key_user, key_owner, victim) = (key(Role::User), key(Role::Owner), key(Role::User));
        for (row, secret) in [&key_user, &key_owner, &victim] {
            store
                .create_api_key(row, &houston_server::auth::sha256_hex(secret))
                .await
                .unwrap();
        }
        let tok = |u: &UserRow| st.tokens.issue(&u.id, 0, 3600).unwrap().0;
        let expired = st.tokens.issue(&owner.id, 0, -3600).unwrap().0;
        let forged = Tokens::random().issue(&owner.id, 0, 3600).unwrap().0;
        Fixture {
            n,
            org_a: a.id.clone(),
            member_id: member.id.clone(),
            app_a: app.id.clone(),
            conn_a: conn_a.id.clone(),
            conn_unused: conn_unused.id.clone(),
            integ_a: integ.id.clone(),
            key_victim: victim.0.id.clone(),
            owner_email: owner.username.clone(),
            confirm_link,
            invite_link,
            loner_invitation: loners.id.clone(),
            loner_link,
            auth: [
                None,
                Some(expired),
                Some(forged),
                Some(tok(&pending)),
                Some(tok(&loner)),
                Some(tok(&member)),
                Some(tok(&owner)),
                Some(tok(&other)),
                Some(format!("service:{}", key_user.1)),
                Some(format!("service:{}", key_owner.1)),
            ],
        }
    }
}

/// What happened: the error code, or for a mutation its `code`, or `OK` / `EMPTY` / `NULL`.
fn outcome(res: &Value) -> String {
    if let Some(e) = res.get("errors").and_then(|e| e.get(0)) {
        return e["extensions"]["code"]
            .as_str()
            .unwrap_or("NO_CODE")
            .to_string();
    }
    let v = res["data"]
        .as_object()
        .and_then(|d| d.values().next())
        .cloned()
        .unwrap_or(Value::Null);
    match &v {
        Value::Null => "NULL".into(),
        Value::Array(a) if a.is_empty() => "EMPTY".into(),
        Value::Object(o) if o.contains_key("success") => {
            if v["success"] == true {
                "OK".into()
            } else {
                v["code"].as_str().unwrap_or("NO_CODE").to_string()
            }
        }
        _ => "OK".into(),
    }
}

type Vars = fn(&Fixture) -> Value;

const U: &str = "UNAUTHENTICATED";
const E: &str = "TOKEN_EXPIRED";
const F: &str = "FORBIDDEN";
const N: &str = "NOT_FOUND";
const OK: &str = "OK";
const EMPTY: &str = "EMPTY";
const NULL: &str = "NULL";

/// Public: anyone may.
const PUBLIC: [&str; 10] = [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK];
/// Public, but the account's own session ("org OWNER", caller 6) must give its password.
const OWN_ACCOUNT_NEEDS_PASSWORD: [&str; 10] =
    [OK, OK, OK, OK, OK, OK, "INVALID_INPUT", OK, OK, OK];
/// A member of organization A (USER or OWNER, person or key).
const MEMBER: [&str; 10] = [U, E, U, F, N, OK, OK, N, OK, OK];
/// An Owner of organization A (person or key).
const OWNER: [&str; 10] = [U, E, U, F, N, F, OK, N, F, OK];
/// An Owner person only (keys cannot make keys).
const OWNER_PERSON: [&str; 10] = [U, E, U, F, N, F, OK, N, F, F];
/// A confirmed person, any organization.
const PERSON: [&str; 10] = [U, E, U, F, OK, OK, OK, OK, F, F];
/// Anyone signed in: a confirmed person of any organization, or an API key.
const SIGNED_IN: [&str; 10] = [U, E, U, F, OK, OK, OK, OK, OK, OK];
/// Any signed-in person, even pending.
const ANY_PERSON: [&str; 10] = [U, E, U, OK, OK, OK, OK, OK, F, F];

fn table() -> Vec<(&'static str, &'static str, Vars, [&'static str; 10])> {
    vec![
        ("healthcheck", "{ healthcheck }", |_| json!({}), PUBLIC),
        ("me", "{ me { id } }", |_| json!({}), [U, E, U, OK, OK, OK, OK, OK, NULL, NULL]),
        ("users", "{ users { id } }", |_| json!({}), PERSON),
        ("organizations(orgId)", "query($o: ID) { organizations(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("organizations", "{ organizations { id } }", |_| json!({}), [U, E, U, F, EMPTY, OK, OK, OK, F, F]),
        ("organization", "query($o: String!) { organization(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("applications(orgId)", "query($o: ID) { applications(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("applications(appId)", "query($a: String) { applications(appId: $a) { id } }", |f| json!({ "a": f.app_a }), [U, E, U, F, EMPTY, OK, OK, EMPTY, OK, OK]),
        ("application", "query($a: String!) { application(id: $a) { id } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("sources", "query($a: String!) { sources(id: $a) { id clickstream { name topic: code enabled } } }", |f| json!({ "a": f.app_a }), [U, E, U, F, EMPTY, OK, OK, EMPTY, OK, OK]),
        ("connection", "query($c: String!) { connection(connectionId: $c) { id } }", |f| json!({ "c": f.conn_a }), MEMBER),
        ("orgConnections", "query($o: String!) { orgConnections(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("clickstreamPrototypes", "{ clickstreamPrototypes(code: \"acquisio\") { code } }", |_| json!({}), PUBLIC),
        ("integrations", "{ integrations(code: \"acquisio\") { code } }", |_| json!({}), PUBLIC),
        ("clickstreamConfigs(appId)", "query($a: String) { clickstreamConfigs(appId: $a) { id } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("clickstreamConfigs(orgId)", "query($o: ID) { clickstreamConfigs(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), MEMBER),
        // Issue 14: each paged list as its plain list.
        ("applicationPage", "query($o: ID) { applicationPage(orgId: $o) { totalCount } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("clickstreamConfigPage(appId)", "query($a: String) { clickstreamConfigPage(appId: $a) { totalCount } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("clickstreamConfigPage(orgId)", "query($o: ID) { clickstreamConfigPage(orgId: $o) { totalCount } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("orgConnectionPage", "query($o: ID!) { orgConnectionPage(orgId: $o) { totalCount } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("memberPage", "query($o: ID!) { memberPage(orgId: $o) { totalCount } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("organizations { members }", "query($o: ID) { organizations(orgId: $o) { members { role } } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("mailPage", "{ mailPage { totalCount } }", |_| json!({}), [U, E, U, OK, OK, OK, OK, OK, F, F]),
        ("previewDelivery", "{ previewDelivery(integrationCode: \"acquisio\", configPayload: {}, event: {type: \"track\"}) { code } }", |_| json!({}), SIGNED_IN),
        ("deliveryPreview", "query($a: String!) { deliveryPreview(appId: $a, event: {type: \"track\"}) { code } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("apiKeys", "query($o: ID!) { apiKeys(orgId: $o) { id } }", |f| json!({ "o": f.org_a }), OWNER),
        // The loner has the fixture's invitation mail.
        ("myMail", "{ myMail { id } }", |_| json!({}), [U, E, U, OK, OK, EMPTY, EMPTY, EMPTY, F, F]),
        // Issue 12: invitations are the invited person's; the key audit an Owner person's.
        ("myInvitations", "{ myInvitations { id } }", |_| json!({}), [U, E, U, F, OK, EMPTY, EMPTY, EMPTY, F, F]),
        ("apiKeyAudit", "query($o: ID!) { apiKeyAudit(orgId: $o) { operation } }", |f| json!({ "o": f.org_a }), [U, E, U, F, N, F, EMPTY, N, F, F]),
        ("createToken", "mutation($u: String!) { createToken(username: $u, password: \"password123\") { success code } }", |f| json!({ "u": f.owner_email }), PUBLIC),
        ("verifyToken", "mutation($t: String!) { verifyToken(token: $t) { success code } }", |f| json!({ "t": f.auth[6] }), PUBLIC),
        ("logout", "mutation { logout { success code } }", |_| json!({}), ANY_PERSON),
        ("createNewUser", "mutation($e: String!) { createNewUser(email: $e, password: \"password123\") { success code } }", |f| json!({ "e": format!("new-{}-{}@example.com", f.n, rand_suffix()) }), PUBLIC),
        ("confirmEmail", "mutation($t: String!) { confirmEmail(token: $t) { success code } }", |f| json!({ "t": f.confirm_link }), PUBLIC),
        ("resendConfirmation", "mutation($e: String!) { resendConfirmation(email: $e) { success code } }", |f| json!({ "e": format!("pending-{}@example.com", f.n) }), PUBLIC),
        ("setPassword", "mutation($t: String!) { setPassword(token: $t, password: \"password456\") { success code } }", |f| json!({ "t": f.invite_link }), PUBLIC),
        // Public; a session signed in as the account it names proves the password too
        // (issue 12: a stolen session is not a stolen account).
        ("requestPasswordReset", "mutation($e: String!) { requestPasswordReset(email: $e, currentPassword: \"password123\") { success code } }", |f| json!({ "e": f.owner_email }), PUBLIC),
        ("requestPasswordReset without currentPassword", "mutation($e: String!) { requestPasswordReset(email: $e) { success code } }", |f| json!({ "e": f.owner_email }), OWN_ACCOUNT_NEEDS_PASSWORD),
        ("updateUser", "mutation { updateUser(profile: {company: \"X\"}) { success code } }", |_| json!({}), PERSON),
        ("createOrganization", "mutation { createOrganization(name: \"New\") { success code } }", |_| json!({}), PERSON),
        ("updateOrganization(name)", "mutation($o: String!) { updateOrganization(orgId: $o, name: \"Renamed\") { success code } }", |f| json!({ "o": f.org_a }), OWNER),
        // Issue 12: members, roles and deletion are for people; an OWNER key is refused.
        ("updateOrganization(addUser)", "mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e}) { success code } }", |f| json!({ "o": f.org_a, "e": format!("loner-{}@example.com", f.n) }), OWNER_PERSON),
        ("updateOrganization(removeUserId)", "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success code } }", |f| json!({ "o": f.org_a, "u": f.member_id }), OWNER_PERSON),
        ("updateOrganization(setRole)", "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: OWNER}) { success code } }", |f| json!({ "o": f.org_a, "u": f.member_id }), OWNER_PERSON),
        ("updateOrganization(delete)", "mutation($o: String!) { updateOrganization(orgId: $o, delete: true) { success code } }", |f| json!({ "o": f.org_a }), OWNER_PERSON),
        // Issue 13: any member leaves for themselves; the fixture's Owner is its last.
        ("leaveOrganization", "mutation($o: String!) { leaveOrganization(orgId: $o) { success code } }", |f| json!({ "o": f.org_a }), [U, E, U, F, N, OK, "LAST_OWNER", N, F, F]),
        // The invited person's, by id; by the mailed link, whoever holds it (the mailbox
        // is the proof).
        ("acceptInvitation", "mutation($i: String) { acceptInvitation(invitationId: $i) { success code } }", |f| json!({ "i": f.loner_invitation }), [U, E, U, F, OK, N, N, N, F, F]),
        ("acceptInvitation(token)", "mutation($t: String) { acceptInvitation(token: $t) { success code } }", |f| json!({ "t": f.loner_link }), PUBLIC),
        ("declineInvitation", "mutation($i: String!) { declineInvitation(invitationId: $i) { success code } }", |f| json!({ "i": f.loner_invitation }), [U, E, U, F, OK, N, N, N, F, F]),
        ("createApplication", "mutation($o: String!) { createApplication(name: \"S\", platform: \"server\", orgId: $o) { success code } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("updateApplication", "mutation($a: String!) { updateApplication(appId: $a, name: \"S2\") { success code } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("updateApplication(delete)", "mutation($a: String!) { updateApplication(appId: $a, delete: true) { success code } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("createConnection", "mutation($o: String!) { createConnection(integrationCode: \"acquisio\", details: {apiKey: \"k\"}, name: \"C\", orgId: $o, connectionPrototypeId: \"acquisio\") { success code } }", |f| json!({ "o": f.org_a }), MEMBER),
        ("updateConnection(UPDATE)", "mutation($c: String!) { updateConnection(connectionId: $c, action: UPDATE, details: {apiKey: \"new\"}) { success code } }", |f| json!({ "c": f.conn_a }), MEMBER),
        ("updateConnection(DELETE)", "mutation($c: String!) { updateConnection(connectionId: $c, action: DELETE) { success code } }", |f| json!({ "c": f.conn_unused }), MEMBER),
        ("createIntegration", "mutation($a: String!, $c: String) { createIntegration(appId: $a, integrationCode: \"acquisio\", configPayload: {}, connectionId: $c, name: \"I\") { success code } }", |f| json!({ "a": f.app_a, "c": f.conn_a }), MEMBER),
        ("updateIntegration(UPDATE)", "mutation($i: String!) { updateIntegration(integrationId: $i, action: UPDATE, name: \"I2\") { success code } }", |f| json!({ "i": f.integ_a }), MEMBER),
        ("updateIntegration(ENABLE)", "mutation($i: String!) { updateIntegration(integrationId: $i, action: ENABLE) { success code } }", |f| json!({ "i": f.integ_a }), MEMBER),
        ("updateIntegration(DISABLE)", "mutation($i: String!) { updateIntegration(integrationId: $i, action: DISABLE) { success code } }", |f| json!({ "i": f.integ_a }), MEMBER),
        ("updateIntegration(DELETE)", "mutation($i: String!) { updateIntegration(integrationId: $i, action: DELETE) { success code } }", |f| json!({ "i": f.integ_a }), MEMBER),
        ("createApiKey", "mutation($o: String!) { createApiKey(orgId: $o, label: \"L\") { success code } }", |f| json!({ "o": f.org_a }), OWNER_PERSON),
        ("revokeApiKey", "mutation($k: String!) { revokeApiKey(id: $k) { success code } }", |f| json!({ "k": f.key_victim }), OWNER),
        ("events", "query($a: String!) { events(appId: $a) { totalCount } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("applicationLifetimeEvents", "query($a: String!) { applicationLifetimeEvents(appId: $a) { total } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("eventReport(appId)", "query($a: String) { eventReport(appId: $a, period: DAY) { period } }", |f| json!({ "a": f.app_a }), MEMBER),
        ("eventReport(orgId)", "query($o: ID) { eventReport(orgId: $o, period: MONTH) { period } }", |f| json!({ "o": f.org_a }), MEMBER),
    ]
}

/// The subscriptions: a cell is `OK` when the caller hears what happens to source A.
fn subscriptions() -> Vec<(&'static str, &'static str, Vars, [&'static str; 10])> {
    vec![
        (
            "eventReceived",
            "subscription($a: String!) { eventReceived(appId: $a) { id } }",
            |f| json!({ "a": f.app_a }),
            MEMBER,
        ),
        (
            "clickstreamChanged",
            "subscription($a: String) { clickstreamChanged(appId: $a) { appId } }",
            |f| json!({ "a": f.app_a }),
            MEMBER,
        ),
    ]
}

/// What a subscription gives its caller: the first answer's error code, or `OK` when it
/// hears an event stored for, and a change made to, source A (both are made until it
/// does, since nothing acknowledges that it listens), or `SILENT`.
async fn subscription_outcome(
    houston: &Houston,
    f: &Fixture,
    query: &str,
    vars: Value,
    auth: Option<&str>,
) -> String {
    let auth = houston_server::RequestAuth::resolve(houston.state(), auth, None).await;
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(vars))
        .data(auth);
    let mut stream = houston.schema().execute_stream(request);
    for attempt in 0..20 {
        match tokio::time::timeout(std::time::Duration::from_millis(100), stream.next()).await {
            Ok(Some(res)) => return outcome(&serde_json::to_value(&res).unwrap()),
            Ok(None) => return "ENDED".into(),
            Err(_) => {
                let now = time::OffsetDateTime::now_utc();
                let event = NewEvent {
                    message_id: format!("m-{attempt}"),
                    event_type: "track".into(),
                    event: Some("Tried".into()),
                    user_id: Some("u".into()),
                    anonymous_id: None,
                    received_at: now,
                    timestamp: Some(now),
                    problems: Vec::new(),
                    payload: "{}".into(),
                };
                let events = &houston.state().events;
                events.record(&f.org_a, &f.app_a, &[event]).await.unwrap();
                houston
                    .state()
                    .changes
                    .publish(ClickstreamChange {
                        app_id: f.app_a.clone(),
                        integration_id: f.integ_a.clone(),
                        action: ChangeAction::Update,
                        org_id: f.org_a.clone(),
                    })
                    .await;
            }
        }
    }
    "SILENT".into()
}

fn rand_suffix() -> String {
    houston_server::ids::new_id()
        .to_lowercase()
        .replace(['_', '-'], "x")
}

#[tokio::test]
async fn every_operation_for_every_caller() {
    let dir = tempfile::tempdir().unwrap();
    permission_table(format!("sqlite://{}", dir.path().join("p.db").display())).await;
}

#[tokio::test]
async fn every_operation_for_every_caller_on_postgres() {
    let db = houston_test_harness::PgDatabase::create().await;
    permission_table(db.url.clone()).await;
}

async fn permission_table(database_url: String) {
    let houston = Houston::open(ServerConfig {
        database_url,
        secret: SecretSource::Ephemeral,
        ..ServerConfig::in_memory()
    })
    .await
    .unwrap();
    let hash = houston
        .state()
        .passwords
        .hash("password123".into())
        .await
        .unwrap();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (name, query, vars, expected) in table() {
        for (i, caller) in CALLERS.iter().enumerate() {
            let f = Fixture::new(&houston, &hash).await;
            let res = houston
                .execute(
                    async_graphql::Request::new(query)
                        .variables(async_graphql::Variables::from_json(vars(&f))),
                    f.auth[i].as_deref(),
                    None,
                )
                .await;
            let got = outcome(&serde_json::to_value(&res).unwrap());
            cells += 1;
            if got != expected[i] {
                failures.push(format!(
                    "{name} as {caller}: expected {}, got {got}",
                    expected[i]
                ));
            }
        }
    }
    for (name, query, vars, expected) in subscriptions() {
        for (i, caller) in CALLERS.iter().enumerate() {
            let f = Fixture::new(&houston, &hash).await;
            let got =
                subscription_outcome(&houston, &f, query, vars(&f), f.auth[i].as_deref()).await;
            cells += 1;
            if got != expected[i] {
                failures.push(format!(
                    "{name} as {caller}: expected {}, got {got}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The table must cover every root field of the schema.
    let sdl = houston_server::sdl();
    let mut covered = 0;
    for root in ["type Query {", "type Mutation {", "type Subscription {"] {
        let body = &sdl[sdl.find(root).unwrap() + root.len()..];
        let body = &body[..body.find("\n}").unwrap()];
        let mut in_doc = false;
        for line in body.lines().map(str::trim) {
            if line.starts_with("\"\"\"") {
                in_doc = !(in_doc || line.len() > 3 && line.ends_with("\"\"\""));
                continue;
            }
            if in_doc || line.is_empty() {
                continue;
            }
            let field = line.split(['(', ':']).next().unwrap().trim();
            assert!(
                table()
                    .iter()
                    .chain(subscriptions().iter())
                    .any(|(n, ..)| n.split('(').next() == Some(field)),
                "the permission table misses {field}"
            );
            covered += 1;
        }
    }
    assert!(
        covered >= 34,
        "only {covered} root fields were found in the SDL"
    );
}
