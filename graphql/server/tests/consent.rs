//! Attack tests for issue 12's findings on accounts and membership that need consent
//! (items 8, 9, 10, 11 and 13). Each test states the attack, then checks that it no longer
//! works.

use houston_test_harness::{error_code, ServerProcess, TestServer};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};

const PASSWORD: &str = "password123";

const ADD: &str = "mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e, role: OWNER}) { success message code id } }";
const REMOVE: &str = "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, removeUserId: $u) { success message code } }";
const MY_ORGS: &str = "{ organizations { id } }";

fn org_ids(d: &Value) -> Vec<String> {
    d["organizations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the holder of `token` is still signed in.
async fn signed_in(server: &TestServer, token: &str) -> bool {
    server
        .gql("{ me { id } }", json!({}), Some(token))
        .await
        .get("errors")
        .is_none()
}

// ---- 8: forced membership -----------------------------------------------------------------

/// Anyone who signs up makes an organization and adds a stranger's account to it: the
/// stranger must not become a member (nor have their profile shown) until they accept.
#[tokio::test]
async fn adding_an_existing_account_waits_for_its_consent() {
    let server = TestServer::start().await;
    let (mallory, _) = server.confirmed_user("mallory@example.com").await;
    let (victim, victim_id) = server.confirmed_user("victim@example.com").await;
    let org = server.create_org(&mallory, "Trap").await;
    let s = server
        .status(
            ADD,
            json!({ "o": org, "e": "victim@example.com" }),
            Some(&mallory),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    assert!(
        !org_ids(&server.data(MY_ORGS, json!({}), Some(&victim)).await).contains(&org),
        "the account was made a member without its consent"
    );
    let seen = server
        .data(
            "query($u: String) { users(userId: $u) { id profile { firstName } } }",
            json!({ "u": victim_id }),
            Some(&mallory),
        )
        .await;
    assert_eq!(seen["users"], json!([]), "the profile is shown: {seen}");

    // The person sees the invitation in the app and accepts it: then a member.
    let inv = server
        .data(
            "{ myInvitations { id organizationId organizationName role expiresAt } }",
            json!({}),
            Some(&victim),
        )
        .await;
    let invitation = &inv["myInvitations"][0];
    assert_eq!(invitation["organizationId"], org.as_str(), "{inv}");
    assert_eq!(invitation["organizationName"], "Trap");
    assert_eq!(invitation["role"], "OWNER");
    let accepted = server
        .status(
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success code } }",
            json!({ "i": invitation["id"] }),
            Some(&victim),
        )
        .await;
    assert_eq!(accepted["success"], true, "{accepted}");
    assert!(org_ids(&server.data(MY_ORGS, json!({}), Some(&victim)).await).contains(&org));
    // Used once.
    let again = server
        .status(
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success code } }",
            json!({ "i": invitation["id"] }),
            Some(&victim),
        )
        .await;
    assert_eq!(again["success"], false, "{again}");
}

/// Another account cannot accept an invitation meant for someone else, by id; the mailed
/// link accepts it for its address (the mailbox is the proof).
#[tokio::test]
async fn only_the_invited_address_accepts() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let (victim, _) = server.confirmed_user("victim@example.com").await;
    let (other, _) = server.confirmed_user("other@example.com").await;
    let org = server.create_org(&owner, "Team").await;
    server
        .status(
            ADD,
            json!({ "o": org, "e": "victim@example.com" }),
            Some(&owner),
        )
        .await;
    let id = server
        .data("{ myInvitations { id } }", json!({}), Some(&victim))
        .await["myInvitations"][0]["id"]
        .clone();
    let theirs = server
        .data("{ myInvitations { id } }", json!({}), Some(&other))
        .await;
    assert_eq!(theirs["myInvitations"], json!([]));
    let s = server
        .status(
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success code } }",
            json!({ "i": id }),
            Some(&other),
        )
        .await;
    assert_eq!(s["success"], false, "{s}");
    assert_eq!(s["code"], "NOT_FOUND");
    assert!(!org_ids(&server.data(MY_ORGS, json!({}), Some(&other)).await).contains(&org));

    let link = server
        .outbox_token("victim@example.com", "INVITATION")
        .await;
    let s = server
        .status(
            "mutation($t: String) { acceptInvitation(token: $t) { success code } }",
            json!({ "t": link }),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    assert!(org_ids(&server.data(MY_ORGS, json!({}), Some(&victim)).await).contains(&org));
}

/// Anyone who signs up adds a stranger and removes them again, over and over: each removal
/// used to revoke every token the stranger held, signing them out everywhere.
#[tokio::test]
async fn add_and_remove_does_not_sign_anyone_out() {
    let server = TestServer::start().await;
    let (mallory, _) = server.confirmed_user("mallory@example.com").await;
    let (victim, victim_id) = server.confirmed_user("victim@example.com").await;
    let org = server.create_org(&mallory, "Trap").await;
    for _ in 0..2 {
        server
            .status(
                ADD,
                json!({ "o": org, "e": "victim@example.com" }),
                Some(&mallory),
            )
            .await;
        server
            .status(REMOVE, json!({ "o": org, "u": victim_id }), Some(&mallory))
            .await;
        assert!(
            signed_in(&server, &victim).await,
            "adding and removing a stranger signed them out"
        );
    }
}

/// A member removed from one organization keeps their session for their others, and loses
/// the removed one at once.
#[tokio::test]
async fn removal_revokes_that_organization_only() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let (member, member_id) = server.confirmed_user("member@example.com").await;
    let theirs = server.create_org(&member, "Their own").await;
    let org = server.create_org(&owner, "Team").await;
    server
        .add_member(&owner, &org, "member@example.com", "USER")
        .await;
    assert!(org_ids(&server.data(MY_ORGS, json!({}), Some(&member)).await).contains(&org));
    let r = server
        .gql(
            "query($o: ID) { organizations(orgId: $o) { invitations { email } } }",
            json!({ "o": org }),
            Some(&member),
        )
        .await;
    assert_eq!(
        error_code(&r),
        "FORBIDDEN",
        "invitations are the Owners': {r}"
    );
    let s = server
        .status(REMOVE, json!({ "o": org, "u": member_id }), Some(&owner))
        .await;
    assert_eq!(s["success"], true, "{s}");
    assert!(signed_in(&server, &member).await, "signed out everywhere");
    assert_eq!(
        org_ids(&server.data(MY_ORGS, json!({}), Some(&member)).await),
        vec![theirs]
    );
    let r = server
        .gql(
            "query($o: ID) { organizations(orgId: $o) { id } }",
            json!({ "o": org }),
            Some(&member),
        )
        .await;
    assert_eq!(error_code(&r), "NOT_FOUND", "{r}");
}

/// `addUser` told the caller whether an address has an account ("Member added." against
/// "Invitation sent."): anyone could probe for accounts.
#[tokio::test]
async fn add_user_reads_the_same_whether_the_account_exists_or_not() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    server.confirmed_user("exists@example.com").await;
    let org = server.create_org(&owner, "Probe").await;
    let strip = |mut s: Value| {
        s.as_object_mut().unwrap().remove("id");
        s
    };
    let known = server
        .status(
            ADD,
            json!({ "o": org, "e": "exists@example.com" }),
            Some(&owner),
        )
        .await;
    let unknown = server
        .status(
            ADD,
            json!({ "o": org, "e": "nobody@example.com" }),
            Some(&owner),
        )
        .await;
    assert_eq!(known["success"], true, "{known}");
    assert_eq!(strip(known), strip(unknown));
    // The Owner sees both invitations waiting, apart from the members.
    let d = server
        .data(
            "query($o: ID) { organizations(orgId: $o) { members { user { username } } invitations { email role expiresAt } } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    let org_seen = &d["organizations"][0];
    assert_eq!(org_seen["members"].as_array().unwrap().len(), 1, "{d}");
    let invited: Vec<&str> = org_seen["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(invited.len(), 2, "{d}");
    assert!(invited.contains(&"exists@example.com") && invited.contains(&"nobody@example.com"));
}

// ---- 9: the outbox ---------------------------------------------------------------------------

/// Without SMTP, a server reachable from the network kept every mail in the outbox, where a
/// squatter reads the confirmation link of a colleague's address: it must refuse to start
/// unless told `--outbox`, and then say what that gives away.
#[test]
fn a_server_beyond_loopback_needs_smtp_or_an_explicit_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("houston.db").display());
    let base = |listen: &str| {
        let mut command = ServerProcess::command();
        command
            .args(["--listen", listen, "--database-url", &database])
            .arg("--secret-file")
            .arg(dir.path().join("token-secret"))
            .env_remove("HOUSTON_SMTP_URL")
            .env_remove("HOUSTON_SMTP_URL_FILE")
            .env_remove("HOUSTON_OUTBOX");
        command
    };
    let mut child = base("0.0.0.0:0").spawn().expect("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let exited = child.try_wait().unwrap();
    if exited.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        exited.is_some_and(|s| !s.success()),
        "a server on 0.0.0.0 without SMTP started with its outbox open: {said}"
    );
    assert!(
        said.contains("--smtp-url") && said.contains("--outbox"),
        "{said}"
    );

    for explicit in [
        |c: &mut std::process::Command| {
            c.arg("--outbox");
        },
        |c: &mut std::process::Command| {
            c.env("HOUSTON_OUTBOX", "true");
        },
    ] {
        let mut command = base("0.0.0.0:0");
        explicit(&mut command);
        let server = ServerProcess::spawn(command);
        let said = server.log_tail(50);
        assert!(said.contains("proves nothing"), "{said}");
        drop(server);
    }

    // On loopback the outbox stays the default.
    drop(ServerProcess::spawn(base("127.0.0.1:0")));
}

// ---- 10: invitations squat addresses ----------------------------------------------------

/// Anyone invites a colleague's address before the colleague signs up: the pending
/// account it made blocked the colleague's own sign-up with CONFLICT.
#[tokio::test]
async fn an_invitation_does_not_block_the_real_sign_up() {
    let server = TestServer::start().await;
    let (mallory, _) = server.confirmed_user("mallory@example.com").await;
    let org = server.create_org(&mallory, "Squat").await;
    server
        .status(
            ADD,
            json!({ "o": org, "e": "newcomer@example.com" }),
            Some(&mallory),
        )
        .await;
    let signed_up = server
        .data(
            "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success code token } }",
            json!({ "e": "newcomer@example.com", "p": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(
        signed_up["createNewUser"]["success"], true,
        "an invitation blocked the sign-up: {signed_up}"
    );
    let token = signed_up["createNewUser"]["token"].as_str().unwrap();
    let confirm = server.mail_token(token, "CONFIRM_EMAIL").await;
    let confirmed = server
        .data(
            "mutation($t: String!) { confirmEmail(token: $t) { success token } }",
            json!({ "t": confirm }),
            None,
        )
        .await;
    let token = confirmed["confirmEmail"]["token"].as_str().unwrap();
    // Still not a member: the invitation waits, for the confirmed address only.
    assert!(!org_ids(&server.data(MY_ORGS, json!({}), Some(token)).await).contains(&org));
    let inv = server
        .data(
            "{ myInvitations { organizationId } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(inv["myInvitations"][0]["organizationId"], org.as_str());
}

/// An invitation left unanswered expires: it is not listed, and neither its id nor its
/// link accepts it any more.
#[tokio::test]
async fn unaccepted_invitations_expire() {
    use sqlx::{Connection, Executor};
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let (late, _) = server.confirmed_user("late@example.com").await;
    let org = server.create_org(&owner, "Team").await;
    server
        .status(
            ADD,
            json!({ "o": org, "e": "late@example.com" }),
            Some(&owner),
        )
        .await;
    server
        .status(
            ADD,
            json!({ "o": org, "e": "fresh@example.com" }),
            Some(&owner),
        )
        .await;
    let id = server
        .data("{ myInvitations { id } }", json!({}), Some(&late))
        .await["myInvitations"][0]["id"]
        .clone();
    let link = server.outbox_token("late@example.com", "INVITATION").await;
    let fresh = server.outbox_token("fresh@example.com", "INVITATION").await;
    let mut db =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", server.db_path().display()))
            .await
            .unwrap();
    db.execute("UPDATE invitations SET expires_at = '2001-01-01T00:00:00Z'")
        .await
        .expect("invitations have an expiry");
    drop(db);
    let listed = server
        .data("{ myInvitations { id } }", json!({}), Some(&late))
        .await;
    assert_eq!(listed["myInvitations"], json!([]));
    for (q, v, who) in [
        (
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success } }",
            json!({ "i": id }),
            Some(late.as_str()),
        ),
        (
            "mutation($t: String) { acceptInvitation(token: $t) { success } }",
            json!({ "t": link }),
            None,
        ),
    ] {
        assert_eq!(server.status(q, v, who).await["success"], false);
    }
    let set = server
        .data(
            "mutation($t: String!) { setPassword(token: $t, password: \"password123\") { success } }",
            json!({ "t": fresh }),
            None,
        )
        .await;
    assert_eq!(set["setPassword"]["success"], false, "{set}");
    assert!(!org_ids(&server.data(MY_ORGS, json!({}), Some(&late)).await).contains(&org));
}

// ---- 11: lockout by anyone -----------------------------------------------------------------

/// A POST of `query` from the local address `from` (any 127.x address reaches the server).
async fn post_from(url: &str, from: IpAddr, query: &str, variables: Value) -> Value {
    let client = reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap();
    client
        .post(url)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Ten wrong passwords from anyone locked the owner out for fifteen minutes. Attempts are
/// now counted per client and account: the owner, from a client that has not failed,
/// still gets in; the failing client stays throttled.
#[tokio::test]
async fn guessing_from_one_client_does_not_lock_the_owner_out() {
    let server = TestServer::start().await;
    server
        .confirmed_user_with("owner@example.com", PASSWORD)
        .await;
    let sign_in = "mutation($p: String!) { createToken(username: \"owner@example.com\", password: $p) { success code } }";
    let attacker = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let owner = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
    let mut last = Value::Null;
    for i in 0..12 {
        last = post_from(
            &server.url,
            attacker,
            sign_in,
            json!({ "p": format!("guess-{i}") }),
        )
        .await;
    }
    assert_eq!(
        last["data"]["createToken"]["code"], "RATE_LIMITED",
        "{last}"
    );
    let r = post_from(&server.url, attacker, sign_in, json!({ "p": PASSWORD })).await;
    assert_eq!(
        r["data"]["createToken"]["code"], "RATE_LIMITED",
        "the failing client is still throttled: {r}"
    );
    let r = post_from(&server.url, owner, sign_in, json!({ "p": PASSWORD })).await;
    assert_eq!(
        r["data"]["createToken"]["success"], true,
        "the owner was locked out by someone else's guesses: {r}"
    );
}

/// Counters of windows long past are pruned, not kept for ever (one row per username
/// anyone ever typed).
#[tokio::test]
async fn old_sign_in_counters_are_pruned() {
    use sqlx::{Connection, Executor};
    let server = TestServer::start().await;
    let sign_in = "mutation($u: String!) { createToken(username: $u, password: \"wrong-password\") { code } }";
    for i in 0..3 {
        server
            .data(
                sign_in,
                json!({ "u": format!("typo-{i}@example.com") }),
                None,
            )
            .await;
    }
    let url = format!("sqlite://{}", server.db_path().display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(rows, 3);
    db.execute("UPDATE login_failures SET window_start = 1000")
        .await
        .unwrap();
    drop(db);
    server
        .data(sign_in, json!({ "u": "one-more@example.com" }), None)
        .await;
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(rows, 1, "the counters of windows long past are still kept");
}

// ---- 13: API keys -----------------------------------------------------------------------------

async fn owner_key(server: &TestServer, token: &str, org: &str, expires: Option<&str>) -> String {
    let d = match expires {
        None => server
            .data(
                "mutation($o: String!) { createApiKey(orgId: $o, label: \"ci\", role: OWNER) { success key message } }",
                json!({ "o": org }),
                Some(token),
            )
            .await,
        Some(x) => server
            .data(
                "mutation($o: String!, $x: Date) { createApiKey(orgId: $o, label: \"ci\", role: OWNER, expiresAt: $x) { success key message } }",
                json!({ "o": org, "x": x }),
                Some(token),
            )
            .await,
    };
    assert_eq!(d["createApiKey"]["success"], true, "{d}");
    format!("service:{}", d["createApiKey"]["key"].as_str().unwrap())
}

/// A leaked OWNER key could add Owners, change roles, remove members and delete the
/// organization: membership, roles and deletion are people's business.
#[tokio::test]
async fn an_api_key_cannot_change_members_roles_or_delete() {
    let server = TestServer::start().await;
    let (owner, owner_id) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Team").await;
    let key = owner_key(&server, &owner, &org, None).await;
    for (what, q, v) in [
        ("addUser", ADD, json!({ "o": org, "e": "thief@example.com" })),
        ("removeUserId", REMOVE, json!({ "o": org, "u": owner_id })),
        (
            "setRole",
            "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: USER}) { success code } }",
            json!({ "o": org, "u": owner_id }),
        ),
        (
            "delete",
            "mutation($o: String!) { updateOrganization(orgId: $o, delete: true) { success code } }",
            json!({ "o": org }),
        ),
    ] {
        let s = server.status(q, v, Some(&key)).await;
        assert_eq!(s["success"], false, "an API key did {what}: {s}");
        assert_eq!(s["code"], "FORBIDDEN", "{what}: {s}");
    }
    // Its organization's details stay within its reach.
    let s = server
        .status(
            "mutation($o: String!) { updateOrganization(orgId: $o, description: \"by CI\") { success code } }",
            json!({ "o": org }),
            Some(&key),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
}

/// A key given an expiry stops working then; the audit list says what each key did, to
/// the organization's Owners.
#[tokio::test]
async fn api_keys_expire_and_their_use_is_audited() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Team").await;
    let expired = owner_key(&server, &owner, &org, Some("2001-01-01T00:00:00Z")).await;
    let r = server
        .gql("{ organizations { id } }", json!({}), Some(&expired))
        .await;
    assert_eq!(
        error_code(&r),
        "UNAUTHENTICATED",
        "an expired key works: {r}"
    );

    let key = owner_key(&server, &owner, &org, Some("2999-01-01T00:00:00+02:00")).await;
    let made = server
        .status(
            "mutation($o: String!) { createApplication(name: \"Web\", platform: \"server\", orgId: $o) { success id } }",
            json!({ "o": org }),
            Some(&key),
        )
        .await;
    assert_eq!(made["success"], true, "{made}");
    server
        .status(
            "mutation($o: String!) { updateOrganization(orgId: $o, delete: true) { success code } }",
            json!({ "o": org }),
            Some(&key),
        )
        .await;
    let keys = server
        .data(
            "query($o: ID!) { apiKeys(orgId: $o) { label expiresAt audit { operation success at } } }",
            json!({ "o": org }),
            Some(&owner),
        )
        .await;
    // The expiry is stored in UTC, so that it compares.
    let live = keys["apiKeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["expiresAt"] == "2998-12-31T22:00:00Z")
        .unwrap_or_else(|| panic!("{keys}"));
    let audit: Vec<(String, bool)> = live["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap().to_string(),
                e["success"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        audit,
        vec![
            ("updateOrganization".to_string(), false),
            ("createApplication".to_string(), true),
        ],
        "newest first: {keys}"
    );
    // A key cannot read the audit (it is not an Owner's person).
    let r = server
        .gql(
            "query($o: ID!) { apiKeys(orgId: $o) { audit { operation } } }",
            json!({ "o": org }),
            Some(&key),
        )
        .await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
}

/// An account made by an invitation before invitations were kept apart (pending, no
/// password) blocked its address's sign-up: the migration turns its memberships into
/// invitations and removes it, so the real person signs up and accepts.
#[tokio::test]
async fn invitation_accounts_of_older_servers_become_invitations() {
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("houston.db");
    let url = format!("sqlite://{}", path.display());
    // A database as the previous server left it: migrations 0001 to 0003.
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for file in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap()
    {
        let file = file.unwrap().path();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0004" {
            std::fs::copy(&file, old.join(name)).unwrap();
        }
    }
    let mut db = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc"))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&mut db)
        .await
        .unwrap();
    db.execute(
        "INSERT INTO users (id, username, password_hash, status, created_at) VALUES \
         ('u-owner', 'owner@example.com', 'x', 'active', '2026-11-01T00:00:00Z'), \
         ('u-squat', 'newcomer@example.com', NULL, 'pending', '2026-11-01T00:00:00Z'); \
         INSERT INTO organizations (id, name, created_at) VALUES \
         ('o-1', 'Team', '2026-11-01T00:00:00Z'); \
         INSERT INTO memberships (org_id, user_id, role, created_at) VALUES \
         ('o-1', 'u-owner', 'OWNER', '2026-11-01T00:00:00Z'), \
         ('o-1', 'u-squat', 'USER', '2026-11-01T00:00:00Z'); \
         INSERT INTO link_tokens (token_hash, user_id, kind, expires_at) VALUES \
         ('h', 'u-squat', 'INVITATION', '2999-01-01T00:00:00Z');",
    )
    .await
    .unwrap();
    db.close().await.unwrap();

    let config = houston_server::ServerConfig {
        database_url: url,
        secret: houston_server::SecretSource::File(dir.path().join("secret")),
        ..houston_server::ServerConfig::in_memory()
    };
    let server = TestServer::with_config(config, dir).await;
    let signed_up = server
        .data(
            "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success code token } }",
            json!({ "e": "newcomer@example.com", "p": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(signed_up["createNewUser"]["success"], true, "{signed_up}");
    let token = signed_up["createNewUser"]["token"].as_str().unwrap();
    let confirm = server.mail_token(token, "CONFIRM_EMAIL").await;
    let confirmed = server
        .data(
            "mutation($t: String!) { confirmEmail(token: $t) { token } }",
            json!({ "t": confirm }),
            None,
        )
        .await;
    let token = confirmed["confirmEmail"]["token"].as_str().unwrap();
    let inv = server
        .data(
            "{ myInvitations { id organizationId role } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(inv["myInvitations"][0]["organizationId"], "o-1", "{inv}");
    assert_eq!(inv["myInvitations"][0]["role"], "USER");
    let s = server
        .status(
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success } }",
            json!({ "i": inv["myInvitations"][0]["id"] }),
            Some(token),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    assert!(
        org_ids(&server.data(MY_ORGS, json!({}), Some(token)).await).contains(&"o-1".to_string())
    );
}
