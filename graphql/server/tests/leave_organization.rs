//! Leaving an organization (issue 13 #4), told once and run on SQLite and PostgreSQL: a
//! User leaves and loses the organization; the last Owner is refused with what to do
//! instead, and leaves once another member is an Owner; nobody leaves an organization
//! they are not in, and leaving does not touch the caller's other organizations.

use houston_test_harness::{Backend, TestServer};
use serde_json::{json, Value};

const LEAVE: &str =
    "mutation($o: String!) { leaveOrganization(orgId: $o) { success message code id } }";
const MEMBERS: &str = "query($o: ID) { organizations(orgId: $o) { members { user { id } role } } }";

/// The ids of `org`'s members, as `token` reads them.
async fn member_ids(server: &TestServer, org: &str, token: &str) -> Vec<String> {
    let d = server.data(MEMBERS, json!({ "o": org }), Some(token)).await;
    let mut ids: Vec<String> = d["organizations"][0]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members in {d}"))
        .iter()
        .filter_map(|m| m["user"]["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

/// Invites `email` to `org` as `role` and accepts as `invitee`.
async fn join(server: &TestServer, owner: &str, org: &str, email: &str, invitee: &str) {
    let s = server
        .status(
            "mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e}) { success code } }",
            json!({ "o": org, "e": email }),
            Some(owner),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let d = server
        .data("{ myInvitations { id } }", json!({}), Some(invitee))
        .await;
    let s = server
        .status(
            "mutation($i: String) { acceptInvitation(invitationId: $i) { success code } }",
            json!({ "i": d["myInvitations"][0]["id"] }),
            Some(invitee),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
}

async fn leave(server: &TestServer, org: &str, token: &str) -> Value {
    server.status(LEAVE, json!({ "o": org }), Some(token)).await
}

async fn members_leave_but_the_last_owner_stays(backend: Backend) {
    let server = TestServer::on(backend).await;
    let (ada, ada_id) = server.confirmed_user("ada@example.com").await;
    let (bob, bob_id) = server.confirmed_user("bob@example.com").await;
    let (eve, _) = server.confirmed_user("eve@example.com").await;
    let org = server.create_org(&ada, "Engines").await;
    let bobs_own = server.create_org(&bob, "Bob's own").await;
    join(&server, &ada, &org, "bob@example.com", &bob).await;
    let mut both = vec![ada_id.clone(), bob_id.clone()];
    both.sort();
    assert_eq!(member_ids(&server, &org, &ada).await, both);

    // Not a member: the organization is not found, and nothing changes.
    let s = leave(&server, &org, &eve).await;
    assert_eq!(
        (&s["success"], &s["code"]),
        (&json!(false), &json!("NOT_FOUND")),
        "{s}"
    );
    let s = leave(&server, "no-such-organization", &bob).await;
    assert_eq!(s["code"], "NOT_FOUND", "{s}");
    assert_eq!(member_ids(&server, &org, &ada).await, both);

    // The last Owner is refused, with what to do instead.
    let s = leave(&server, &org, &ada).await;
    assert_eq!(
        (&s["success"], &s["code"]),
        (&json!(false), &json!("LAST_OWNER")),
        "{s}"
    );
    let message = s["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Make another member an Owner first"),
        "the refusal says what to do: {message}"
    );
    assert_eq!(member_ids(&server, &org, &ada).await, both);

    // A User leaves: the organization is gone from their list, kept for the Owner, and
    // their own organization is untouched.
    let s = leave(&server, &org, &bob).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(s["id"], org.as_str());
    assert_eq!(member_ids(&server, &org, &ada).await, vec![ada_id.clone()]);
    let d = server
        .data("{ organizations { id } }", json!({}), Some(&bob))
        .await;
    assert_eq!(d["organizations"], json!([{ "id": bobs_own }]), "{d}");
    let s = leave(&server, &org, &bob).await;
    assert_eq!(s["code"], "NOT_FOUND", "leaving twice: {s}");

    // Once another member is an Owner, the first one may leave.
    join(&server, &ada, &org, "bob@example.com", &bob).await;
    let s = server
        .status(
            "mutation($o: String!, $u: String!) { updateOrganization(orgId: $o, setRole: {userId: $u, role: OWNER}) { success code } }",
            json!({ "o": org, "u": bob_id }),
            Some(&ada),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let s = leave(&server, &org, &ada).await;
    assert_eq!(s["success"], true, "{s}");
    assert_eq!(member_ids(&server, &org, &bob).await, vec![bob_id]);
}

#[tokio::test]
async fn members_leave_but_the_last_owner_stays_on_sqlite() {
    members_leave_but_the_last_owner_stays(Backend::Sqlite).await;
}

#[tokio::test]
async fn members_leave_but_the_last_owner_stays_on_postgres() {
    members_leave_but_the_last_owner_stays(Backend::Postgres).await;
}
