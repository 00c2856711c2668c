//! The paged lists (API.md, "Paged lists"; issue 14 #1), told once and run on SQLite and
//! PostgreSQL: walking every page gives the plain list in name order, a cursor survives
//! rows added and removed before it (even its own row), every filter and the search (with
//! `%`, `_` and `\` taken literally) happen in the store with `totalCount` to match, `first`
//! is bounded as `events`' is, a page's cost grows with `first`, the indexes of migration
//! 0006 serve the page statements (their plans), and a page of integrations shows each
//! one's source and connection as the plain list does (read once for the page, by key).

use houston_server::mail::MailKind;
use houston_server::seal::DataKey;
use houston_server::store::prelude::*;
use houston_server::store::{
    AppRow, ConnectionRow, IntegrationRow, MailRow, NewLink, PgStore, Role, SqliteStore, Store,
    UserRow,
};
use houston_test_harness::{error_code, Backend, PgDatabase, TestServer};
use serde_json::{json, Value};
use std::sync::Arc;

const CREATED: &str = "2026-11-01T00:00:00Z";

/// Names that sort in telling ways: a repeated name (the id breaks the tie), cases, and
/// the search's special characters.
const APP_NAMES: [&str; 12] = [
    "Web",
    "Web",
    "web",
    "50% off",
    "500 off",
    "a_b",
    "axb",
    "A_B upper",
    r"back\slash",
    "Zeta",
    "Alpha",
    "Mobile",
];

fn store(server: &TestServer) -> Arc<dyn Store> {
    server.houston.state().store.clone()
}

/// An organization of the signed-in `token` with sources, connections, integrations and
/// members written straight to the store (the plain lists read them back).
struct Fixture {
    token: String,
    org: String,
    apps: Vec<String>,
}

async fn fixture(server: &TestServer) -> Fixture {
    let (token, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&token, "Paged").await;
    let s = store(server);
    let mut apps = Vec::new();
    for (n, name) in APP_NAMES.iter().enumerate() {
        let id = format!("app-{n:02}");
        s.create_app(&AppRow {
            id: id.clone(),
            org_id: org.clone(),
            name: name.to_string(),
            platform: if n % 3 == 0 { "server" } else { "analytics.js" }.into(),
            created_at: CREATED.into(),
        })
        .await
        .unwrap();
        apps.push(id);
    }
    for (n, name) in APP_NAMES.iter().enumerate().take(7) {
        s.create_connection(&ConnectionRow {
            id: format!("conn-{n}"),
            org_id: org.clone(),
            name: name.to_string(),
            integration_code: if n % 2 == 0 { "acquisio" } else { "amplitude" }.into(),
            connection_prototype_id: if n % 2 == 0 { "acquisio" } else { "amplitude" }.into(),
            details: json!({ "apiKey": format!("k{n}") }),
            created_at: CREATED.into(),
            updated_at: CREATED.into(),
        })
        .await
        .unwrap();
    }
    for n in 0..17 {
        s.create_integration(&IntegrationRow {
            id: format!("int-{n:02}"),
            app_id: apps[n % 3].clone(),
            connection_id: None,
            name: APP_NAMES[n % APP_NAMES.len()].to_string(),
            code: if n % 2 == 0 { "acquisio" } else { "amplitude" }.into(),
            config: json!({ "n": n }),
            enabled: n % 4 != 0,
            created_at: CREATED.into(),
            updated_at: CREATED.into(),
        })
        .await
        .unwrap();
    }
    for n in 0..8 {
        let id = format!("user-{n}");
        s.create_user(
            &UserRow {
                id: id.clone(),
                username: format!("member{}@example.com", 7 - n),
                password_hash: None,
                first_name: Some(["Ann", "Bob", "Ann_e", "Dora"][n % 4].into()),
                last_name: Some(format!("Last{n}")),
                company: None,
                status: houston_vocabulary::UserStatus::Active,
                email_verified: true,
                token_version: 0,
                created_at: CREATED.into(),
            },
            None,
        )
        .await
        .unwrap();
        let role = if n % 3 == 0 { Role::Owner } else { Role::User };
        s.add_member(&org, &id, role).await.unwrap();
    }
    Fixture { token, org, apps }
}

/// Every page of `field` walked `first` rows at a time (the query takes `$first` and
/// `$after` besides `vars`): its nodes, after checking each page's size and that every
/// page tells the same `totalCount`, which is the number of nodes.
async fn walk(
    server: &TestServer,
    token: &str,
    query: &str,
    field: &str,
    vars: Value,
    first: i64,
) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let mut v = vars.clone();
        v["first"] = json!(first);
        v["after"] = after.clone();
        let d = server.data(query, v, Some(token)).await;
        let page = &d[field];
        let got = page["nodes"].as_array().unwrap_or_else(|| panic!("{d}"));
        assert!(got.len() as i64 <= first, "{d}");
        let count = page["totalCount"].as_i64().unwrap();
        assert_eq!(
            *total.get_or_insert(count),
            count,
            "totalCount changed: {d}"
        );
        nodes.extend(got.iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(
            got.len() as i64,
            first,
            "a page short of first before the last: {d}"
        );
        after = page["pageInfo"]["endCursor"].clone();
        assert!(after.is_string(), "{d}");
    }
    assert_eq!(total, Some(nodes.len() as i64), "totalCount is every row");
    nodes
}

/// `rows` ordered as the paged lists order them: by `sort` then `id`.
fn by_name(mut rows: Vec<Value>, sort: &str) -> Vec<Value> {
    rows.sort_by(|a, b| {
        let key = |v: &Value| {
            (
                v[sort].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    rows
}

const APPS: &str = "query($o: ID, $first: Int, $after: String, $search: String, $platform: String) { applicationPage(orgId: $o, first: $first, after: $after, search: $search, platform: $platform) { nodes { id name platform } pageInfo { hasNextPage endCursor } totalCount } }";
const INTEGRATIONS: &str = "query($o: ID, $a: String, $first: Int, $after: String, $search: String, $code: String, $enabled: Boolean) { clickstreamConfigPage(orgId: $o, appId: $a, first: $first, after: $after, search: $search, code: $code, enabled: $enabled) { nodes { id name code enabled application { id } } pageInfo { hasNextPage endCursor } totalCount } }";
const CONNECTIONS: &str = "query($o: ID!, $first: Int, $after: String, $search: String, $p: ID) { orgConnectionPage(orgId: $o, first: $first, after: $after, search: $search, connectionPrototype: $p) { nodes { id name connectionPrototypeId } pageInfo { hasNextPage endCursor } totalCount } }";
const MEMBERS: &str = "query($o: ID!, $first: Int, $after: String, $search: String, $role: Role) { memberPage(orgId: $o, first: $first, after: $after, search: $search, role: $role) { nodes { role user { id username profile { firstName lastName } } } pageInfo { hasNextPage endCursor } totalCount } }";
const MAIL: &str = "query($first: Int, $after: String) { mailPage(first: $first, after: $after) { nodes { id kind createdAt } pageInfo { hasNextPage endCursor } totalCount } }";

/// Walking every page, with pages of several sizes, gives the plain list in the paged
/// order, on every list.
async fn pages_equal_the_plain_lists(backend: Backend) {
    let server = TestServer::on(backend).await;
    let f = fixture(&server).await;
    let t = &f.token;
    let o = json!({ "o": f.org });

    let plain = server
        .data(
            "query($o: ID) { applications(orgId: $o) { id name platform } }",
            o.clone(),
            Some(t),
        )
        .await;
    let plain = by_name(plain["applications"].as_array().unwrap().clone(), "name");
    assert_eq!(plain.len(), APP_NAMES.len());
    for first in [1, 5, 12, 500] {
        assert_eq!(
            walk(&server, t, APPS, "applicationPage", o.clone(), first).await,
            plain,
            "first {first}"
        );
    }
    // The organization header scopes it as it does `applications`.
    let by_header = server
        .houston
        .execute(
            "{ applicationPage(first: 500) { totalCount } }",
            Some(t),
            Some(&f.org),
        )
        .await;
    let by_header = serde_json::to_value(&by_header).unwrap();
    assert_eq!(
        by_header["data"]["applicationPage"]["totalCount"],
        APP_NAMES.len(),
        "{by_header}"
    );

    let plain = server.data("query($o: ID) { clickstreamConfigs(orgId: $o) { id name code enabled application { id } } }", o.clone(), Some(t)).await;
    let plain = by_name(
        plain["clickstreamConfigs"].as_array().unwrap().clone(),
        "name",
    );
    assert_eq!(plain.len(), 17);
    assert_eq!(
        walk(
            &server,
            t,
            INTEGRATIONS,
            "clickstreamConfigPage",
            o.clone(),
            4
        )
        .await,
        plain
    );
    for app in &f.apps[..3] {
        let a = json!({ "a": app });
        let plain = server.data("query($a: String) { clickstreamConfigs(appId: $a) { id name code enabled application { id } } }", a.clone(), Some(t)).await;
        let plain = by_name(
            plain["clickstreamConfigs"].as_array().unwrap().clone(),
            "name",
        );
        assert!(!plain.is_empty());
        assert_eq!(
            walk(
                &server,
                t,
                INTEGRATIONS,
                "clickstreamConfigPage",
                a.clone(),
                2
            )
            .await,
            plain
        );
        // Both scopes, agreeing, are the source's.
        let both = json!({ "a": app, "o": f.org });
        assert_eq!(
            walk(&server, t, INTEGRATIONS, "clickstreamConfigPage", both, 50).await,
            plain
        );
    }

    let plain = server
        .data(
            "query($o: String!) { orgConnections(orgId: $o) { id name connectionPrototypeId } }",
            o.clone(),
            Some(t),
        )
        .await;
    let plain = by_name(plain["orgConnections"].as_array().unwrap().clone(), "name");
    assert_eq!(plain.len(), 7);
    assert_eq!(
        walk(&server, t, CONNECTIONS, "orgConnectionPage", o.clone(), 3).await,
        plain
    );

    let plain = server.data("query($o: ID) { organizations(orgId: $o) { members { role user { id username profile { firstName lastName } } } } }", o.clone(), Some(t)).await;
    let mut plain = plain["organizations"][0]["members"]
        .as_array()
        .unwrap()
        .clone();
    plain.sort_by_key(|m| {
        (
            m["user"]["username"].as_str().unwrap().to_string(),
            m["user"]["id"].as_str().unwrap().to_string(),
        )
    });
    assert_eq!(plain.len(), 9);
    assert_eq!(
        walk(&server, t, MEMBERS, "memberPage", o.clone(), 2).await,
        plain
    );

    // Mail: a mailbox with mails of the same second (their written order breaks the tie)
    // and a reset mail, which neither list shows.
    let s = store(&server);
    let me = server.data("{ me { id } }", json!({}), Some(t)).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let now = houston_server::clock::rfc3339(houston_server::clock::now());
    for n in 0..9 {
        let kind = if n == 4 {
            MailKind::PasswordReset
        } else {
            MailKind::Invitation
        };
        s.create_link(
            &me,
            &NewLink {
                token_hash: format!("hash-{n}"),
                kind,
                expires_at: "2999-01-01T00:00:00Z".into(),
                mail: MailRow {
                    id: format!("mail-{n}"),
                    to_address: "owner@example.com".into(),
                    kind,
                    subject: "s".into(),
                    body: "b".into(),
                    token: None,
                    created_at: now.clone(),
                },
            },
        )
        .await
        .unwrap();
    }
    let plain = server
        .data("{ myMail { id kind createdAt } }", json!({}), Some(t))
        .await;
    let plain = plain["myMail"].as_array().unwrap().clone();
    assert_eq!(
        plain.len(),
        9,
        "eight invitations and the confirmation: {plain:?}"
    );
    assert_eq!(plain[0]["id"], "mail-8", "newest first");
    for first in [1, 2, 4, 9] {
        assert_eq!(
            walk(&server, t, MAIL, "mailPage", json!({}), first).await,
            plain,
            "first {first}"
        );
    }
}

#[tokio::test]
async fn sqlite_pages_equal_the_plain_lists() {
    pages_equal_the_plain_lists(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_pages_equal_the_plain_lists() {
    pages_equal_the_plain_lists(Backend::Postgres).await;
}

/// A page read after a cursor, once rows were added before it and removed (the cursor's
/// own row among them), is what follows the cursor's place in the list as it now is.
async fn cursors_survive_changes_before_them(backend: Backend) {
    let server = TestServer::on(backend).await;
    let f = fixture(&server).await;
    let t = &f.token;
    let first = |after: Value, n: i64| json!({ "o": f.org, "first": n, "after": after });
    let d = server.data(APPS, first(Value::Null, 5), Some(t)).await;
    let page = d["applicationPage"]["nodes"].as_array().unwrap().clone();
    let cursor = d["applicationPage"]["pageInfo"]["endCursor"].clone();
    let last = page[4].clone();

    let s = store(&server);
    for (n, name) in ["0 first", "AAA", "Web"].iter().enumerate() {
        s.create_app(&AppRow {
            id: format!("new-{n}"),
            org_id: f.org.clone(),
            name: name.to_string(),
            platform: "server".into(),
            created_at: CREATED.into(),
        })
        .await
        .unwrap();
    }
    for row in &page[1..] {
        s.delete_app(row["id"].as_str().unwrap()).await.unwrap();
    }

    let now = server
        .data(
            "query($o: ID) { applications(orgId: $o) { id name platform } }",
            json!({ "o": f.org }),
            Some(t),
        )
        .await;
    let now = by_name(now["applications"].as_array().unwrap().clone(), "name");
    let key = |v: &Value| {
        (
            v["name"].as_str().unwrap().to_string(),
            v["id"].as_str().unwrap().to_string(),
        )
    };
    let expected: Vec<Value> = now.into_iter().filter(|r| key(r) > key(&last)).collect();
    assert!(
        expected.iter().any(|r| r["id"] == "new-2"),
        "a row added after the cursor shows"
    );
    let d = server.data(APPS, first(cursor, 500), Some(t)).await;
    assert_eq!(d["applicationPage"]["nodes"].as_array().unwrap(), &expected);
    assert_eq!(d["applicationPage"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(d["applicationPage"]["totalCount"], APP_NAMES.len() + 3 - 4);
}

#[tokio::test]
async fn sqlite_cursors_survive_changes_before_them() {
    cursors_survive_changes_before_them(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_cursors_survive_changes_before_them() {
    cursors_survive_changes_before_them(Backend::Postgres).await;
}

/// The ids of a whole paged list with these arguments.
async fn ids(server: &TestServer, t: &str, query: &str, field: &str, vars: Value) -> Vec<String> {
    walk(server, t, query, field, vars, 3)
        .await
        .iter()
        .map(|n| {
            n["id"]
                .as_str()
                .or(n["user"]["id"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Every filter and the search, against the plain list filtered here.
async fn filters_and_search(backend: Backend) {
    let server = TestServer::on(backend).await;
    let f = fixture(&server).await;
    let t = &f.token;
    let app_ids = |pred: &dyn Fn(usize, &str) -> bool| {
        let mut rows: Vec<(String, String)> = APP_NAMES
            .iter()
            .enumerate()
            .filter(|(n, name)| pred(*n, name))
            .map(|(n, name)| (name.to_string(), format!("app-{n:02}")))
            .collect();
        rows.sort();
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let apps = |vars: Value| {
        let mut v = json!({ "o": f.org });
        v.as_object_mut()
            .unwrap()
            .extend(vars.as_object().unwrap().clone());
        v
    };

    // Platform.
    assert_eq!(
        ids(
            &server,
            t,
            APPS,
            "applicationPage",
            apps(json!({ "platform": "server" }))
        )
        .await,
        app_ids(&|n, _| n % 3 == 0)
    );
    // Search: either case, anywhere in the name; `%`, `_` and `\` are themselves.
    for (search, expected) in [
        ("WEB", app_ids(&|_, name| name.eq_ignore_ascii_case("web"))),
        ("%", app_ids(&|_, name| name.contains('%'))),
        ("0%", app_ids(&|_, name| name == "50% off")),
        ("_", app_ids(&|_, name| name.contains('_'))),
        (
            "a_b",
            app_ids(&|_, name| name.to_lowercase().contains("a_b")),
        ),
        (r"\", app_ids(&|_, name| name.contains('\\'))),
        ("ph", app_ids(&|_, name| name == "Alpha")),
        ("nothing like it", vec![]),
    ] {
        assert!(
            search == "nothing like it" || !expected.is_empty(),
            "{search}"
        );
        let got = ids(
            &server,
            t,
            APPS,
            "applicationPage",
            apps(json!({ "search": search })),
        )
        .await;
        assert_eq!(got, expected, "search {search:?}");
    }
    // Both at once.
    assert_eq!(
        ids(
            &server,
            t,
            APPS,
            "applicationPage",
            apps(json!({ "search": "w", "platform": "server" }))
        )
        .await,
        app_ids(&|n, name| n % 3 == 0 && name.to_lowercase().contains('w'))
    );

    // Integrations: code, enabled, search, by organization and by source.
    let int_ids = |pred: &dyn Fn(usize) -> bool| {
        let mut rows: Vec<(String, String)> = (0..17)
            .filter(|n| pred(*n))
            .map(|n| {
                (
                    APP_NAMES[n % APP_NAMES.len()].to_string(),
                    format!("int-{n:02}"),
                )
            })
            .collect();
        rows.sort();
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let o = |extra: Value| {
        let mut v = json!({ "o": f.org });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    for (vars, expected) in [
        (o(json!({ "code": "amplitude" })), int_ids(&|n| n % 2 == 1)),
        (o(json!({ "enabled": false })), int_ids(&|n| n % 4 == 0)),
        (
            o(json!({ "enabled": true, "code": "acquisio" })),
            int_ids(&|n| n % 4 == 2),
        ),
        (
            o(json!({ "search": "_" })),
            int_ids(&|n| APP_NAMES[n % 12].contains('_')),
        ),
        (
            json!({ "a": f.apps[1], "enabled": true }),
            int_ids(&|n| n % 3 == 1 && n % 4 != 0),
        ),
    ] {
        assert!(!expected.is_empty(), "{vars}");
        assert_eq!(
            ids(
                &server,
                t,
                INTEGRATIONS,
                "clickstreamConfigPage",
                vars.clone()
            )
            .await,
            expected,
            "{vars}"
        );
    }

    // Connections: prototype (its id or its destination's code), search.
    let conn_ids = |pred: &dyn Fn(usize) -> bool| {
        let mut rows: Vec<(String, String)> = (0..7)
            .filter(|n| pred(*n))
            .map(|n| (APP_NAMES[n].to_string(), format!("conn-{n}")))
            .collect();
        rows.sort();
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    for (vars, expected) in [
        (o(json!({ "p": "amplitude" })), conn_ids(&|n| n % 2 == 1)),
        (
            o(json!({ "search": "0%" })),
            conn_ids(&|n| APP_NAMES[n] == "50% off"),
        ),
        (
            o(json!({ "search": "web", "p": "acquisio" })),
            conn_ids(&|n| n % 2 == 0 && APP_NAMES[n].eq_ignore_ascii_case("web")),
        ),
    ] {
        assert!(!expected.is_empty(), "{vars}");
        assert_eq!(
            ids(&server, t, CONNECTIONS, "orgConnectionPage", vars.clone()).await,
            expected,
            "{vars}"
        );
    }

    // Members: role; search in the first name, last name, both, or the email.
    let member_ids = |pred: &dyn Fn(usize) -> bool| {
        // user-n's username is member(7-n)@…: the list runs from user-7 down.
        (0..8)
            .rev()
            .filter(|n| pred(*n))
            .map(|n| format!("user-{n}"))
            .collect::<Vec<_>>()
    };
    let owner_only = |ids: Vec<String>| {
        ids.into_iter()
            .filter(|i| i.starts_with("user-"))
            .collect::<Vec<_>>()
    };
    let got = ids(
        &server,
        t,
        MEMBERS,
        "memberPage",
        o(json!({ "role": "USER" })),
    )
    .await;
    assert_eq!(got, member_ids(&|n| n % 3 != 0));
    let got = ids(
        &server,
        t,
        MEMBERS,
        "memberPage",
        o(json!({ "role": "OWNER" })),
    )
    .await;
    assert_eq!(owner_only(got.clone()), member_ids(&|n| n % 3 == 0));
    assert_eq!(
        got.len(),
        member_ids(&|n| n % 3 == 0).len() + 1,
        "and the fixture's owner"
    );
    for (search, expected) in [
        ("ann", member_ids(&|n| n % 4 == 0 || n % 4 == 2)),
        ("N_E", member_ids(&|n| n % 4 == 2)),
        ("bob last5", member_ids(&|n| n == 5)),
        ("MEMBER3@", member_ids(&|n| n == 4)),
    ] {
        assert_eq!(
            ids(
                &server,
                t,
                MEMBERS,
                "memberPage",
                o(json!({ "search": search }))
            )
            .await,
            expected,
            "{search}"
        );
    }
}

#[tokio::test]
async fn sqlite_filters_and_search() {
    filters_and_search(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_filters_and_search() {
    filters_and_search(Backend::Postgres).await;
}

/// `first` as `events` takes it: 0 is an empty page that still counts, more than 500 or
/// less than 0 is refused; a cursor of another list, or none at all, is refused.
#[tokio::test]
async fn first_and_after_are_checked() {
    let server = TestServer::start().await;
    let f = fixture(&server).await;
    let t = &f.token;
    let d = server
        .data(APPS, json!({ "o": f.org, "first": 0 }), Some(t))
        .await;
    assert_eq!(
        d["applicationPage"],
        json!({ "nodes": [], "pageInfo": { "hasNextPage": true, "endCursor": null }, "totalCount": APP_NAMES.len() })
    );
    let d = server.data(APPS, json!({ "o": f.org }), Some(t)).await;
    assert_eq!(
        d["applicationPage"]["nodes"].as_array().unwrap().len(),
        APP_NAMES.len(),
        "50 by default"
    );
    let events = server
        .gql(
            "query($a: String!) { events(appId: $a, first: 501) { totalCount } }",
            json!({ "a": f.apps[0] }),
            Some(t),
        )
        .await;
    for first in [501, -1] {
        for (query, vars) in [
            (APPS, json!({ "o": f.org, "first": first })),
            (INTEGRATIONS, json!({ "o": f.org, "first": first })),
            (CONNECTIONS, json!({ "o": f.org, "first": first })),
            (MEMBERS, json!({ "o": f.org, "first": first })),
            (MAIL, json!({ "first": first })),
        ] {
            let res = server.gql(query, vars, Some(t)).await;
            assert_eq!(error_code(&res), "INVALID_INPUT", "{res}");
            assert_eq!(
                res["errors"][0]["message"], events["errors"][0]["message"],
                "{res}"
            );
        }
    }
    let mail_cursor = server.data(MAIL, json!({ "first": 1 }), Some(t)).await["mailPage"]
        ["pageInfo"]["endCursor"]
        .clone();
    let app_cursor = server
        .data(APPS, json!({ "o": f.org, "first": 1 }), Some(t))
        .await["applicationPage"]["pageInfo"]["endCursor"]
        .clone();
    for (query, vars) in [
        (APPS, json!({ "o": f.org, "after": "not a cursor" })),
        (APPS, json!({ "o": f.org, "after": mail_cursor })),
        (CONNECTIONS, json!({ "o": f.org, "after": app_cursor })),
        (MAIL, json!({ "after": app_cursor })),
    ] {
        let res = server.gql(query, vars, Some(t)).await;
        assert_eq!(error_code(&res), "INVALID_INPUT", "{res}");
    }
}

/// A page costs `first` times what each node asks for: a deep selection that 50 nodes
/// may ask is refused for 500.
#[tokio::test]
async fn a_page_costs_first_times_its_nodes() {
    let server = TestServer::start().await;
    let f = fixture(&server).await;
    let deep = "query($o: ID, $first: Int) { applicationPage(orgId: $o, first: $first) { nodes { organization { applications { organization { applications { clickstream { id } } } } } } totalCount } }";
    let d = server
        .data(deep, json!({ "o": f.org, "first": 50 }), Some(&f.token))
        .await;
    assert_eq!(d["applicationPage"]["totalCount"], APP_NAMES.len());
    let res = server
        .gql(deep, json!({ "o": f.org, "first": 500 }), Some(&f.token))
        .await;
    assert_eq!(error_code(&res), "QUERY_TOO_LARGE", "{res}");
}

/// The plan of each page statement (the page after a cursor) on `plan`: every step an
/// index reads, nothing read whole or sorted.
fn assert_indexed(list: &str, plan: &[String], postgres: bool) {
    let text = plan.join("\n");
    let index = match list {
        // A page of integrations' sources and connections: by their keys.
        "applications_by_id" if postgres => "applications_pkey",
        "applications_by_id" => "sqlite_autoindex_applications_1",
        "connections_by_id" if postgres => "connections_pkey",
        "connections_by_id" => "sqlite_autoindex_connections_1",
        "applications" => "applications_org_name",
        "connections" => "connections_org_name",
        "integrations_org" => "integrations_org_name",
        "integrations_app" => "integrations_app_name",
        // SQLite's rowid ends its index; PostgreSQL's needs the seq.
        "mail" if postgres => "mail_to_page",
        "mail" => "mail_to",
        // Members: the organization's memberships by their key, each user by theirs.
        _ => {
            if postgres {
                "memberships_pkey"
            } else {
                "sqlite_autoindex_memberships_1"
            }
        }
    };
    assert!(text.contains(index), "{list} does not use {index}:\n{text}");
    if postgres {
        assert!(
            !text.contains("Seq Scan"),
            "{list} reads a table whole:\n{text}"
        );
        if list != "members" {
            assert!(!text.contains("Sort"), "{list} sorts:\n{text}");
        }
    } else {
        for line in plan {
            let whole = line.starts_with("SCAN ") && !line.contains("USING");
            assert!(!whole, "{list} reads a table whole:\n{text}");
        }
        if list != "members" {
            assert!(!text.contains("TEMP B-TREE"), "{list} sorts:\n{text}");
        }
    }
}

const LISTS: [&str; 8] = [
    "applications_by_id",
    "connections_by_id",
    "applications",
    "connections",
    "integrations_org",
    "integrations_app",
    "members",
    "mail",
];

#[tokio::test]
async fn sqlite_pages_use_their_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(
        &format!("sqlite://{}", dir.path().join("p.db").display()),
        DataKey::ephemeral(),
    )
    .await
    .unwrap();
    for list in LISTS {
        assert_indexed(list, &s.page_plan(list).await.unwrap(), false);
    }
}

#[tokio::test]
async fn postgres_pages_use_their_indexes() {
    let db = PgDatabase::create().await;
    let s = PgStore::open(&db.url, DataKey::ephemeral()).await.unwrap();
    for list in LISTS {
        assert_indexed(list, &s.page_plan(list).await.unwrap(), true);
    }
}

/// Integrations stored before migration 0006 get their source's organization, so an
/// organization's page holds them.
#[tokio::test]
async fn integrations_of_older_servers_are_in_their_organizations_pages() {
    use houston_server::store::{IntegrationFilter, IntegrationScope, PageOf};
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("houston.db");
    let url = format!("sqlite://{}", path.display());
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for file in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap()
    {
        let file = file.unwrap().path();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0006" {
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
        "INSERT INTO organizations (id, name, created_at) VALUES ('o-1', 'Team', '2026-11-01T00:00:00Z'); \
         INSERT INTO applications (id, org_id, name, platform, created_at) VALUES \
         ('a-1', 'o-1', 'Web', 'server', '2026-11-01T00:00:00Z'); \
         INSERT INTO integrations (id, app_id, connection_id, name, code, config, enabled, created_at, updated_at) VALUES \
         ('i-1', 'a-1', NULL, 'Old', 'acquisio', '{}', 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');",
    )
    .await
    .unwrap();
    db.close().await.unwrap();

    let s = SqliteStore::open(&url, DataKey::ephemeral()).await.unwrap();
    let page = PageOf {
        first: 10,
        ..PageOf::default()
    };
    let got = s
        .integrations_page(
            IntegrationScope::Org("o-1"),
            &page,
            &IntegrationFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(got.total_count, 1);
    assert_eq!(got.rows[0].id, "i-1");
}

/// A page of integrations reads the sources and connections of its rows once for the
/// page: its nodes' `application` and `connection` are those the plain list gives (a
/// shared connection, none, one per row, on several sources), and the store's batch reads
/// skip ids that do not exist or cannot be stored.
async fn a_page_shows_each_integrations_source_and_connection(backend: Backend) {
    let server = TestServer::on(backend).await;
    let f = fixture(&server).await;
    let s = store(&server);
    for n in 0..9 {
        let (code, connection) = match n % 3 {
            0 => ("acquisio", Some("conn-0".to_string())),
            1 => ("amplitude", Some(format!("conn-{}", 1 + 2 * (n % 2)))),
            _ => ("acquisio", None),
        };
        s.create_integration(&IntegrationRow {
            id: format!("linked-{n}"),
            app_id: f.apps[n % 4].clone(),
            connection_id: connection,
            name: format!("Linked {n}"),
            code: code.into(),
            config: json!({}),
            enabled: true,
            created_at: CREATED.into(),
            updated_at: CREATED.into(),
        })
        .await
        .unwrap();
    }
    let fields = "id name application { id name platform } \
                  connection { id name integrationCode connectionPrototypeId }";
    let plain = server
        .data(
            &format!("query($o: ID) {{ clickstreamConfigs(orgId: $o) {{ {fields} }} }}"),
            json!({ "o": f.org }),
            Some(&f.token),
        )
        .await;
    let plain = by_name(
        plain["clickstreamConfigs"].as_array().unwrap().clone(),
        "name",
    );
    assert_eq!(plain.len(), 26);
    assert_eq!(
        plain.iter().filter(|i| i["connection"].is_object()).count(),
        6
    );
    let paged = format!(
        "query($o: ID, $first: Int, $after: String) {{ clickstreamConfigPage(orgId: $o, \
         first: $first, after: $after) {{ nodes {{ {fields} }} \
         pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
    );
    for first in [1, 4, 500] {
        let o = json!({ "o": f.org });
        let got = walk(&server, &f.token, &paged, "clickstreamConfigPage", o, first).await;
        assert_eq!(got, plain, "first {first}");
    }

    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut apps: Vec<String> = s
        .apps_by_ids(&ids(&[&f.apps[1], "nope", &f.apps[0], &f.apps[1], "a\0b"]))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    apps.sort();
    assert_eq!(apps, vec![f.apps[0].clone(), f.apps[1].clone()]);
    let connections = s
        .connections_by_ids(&ids(&["conn-3", "gone"]))
        .await
        .unwrap();
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0].details, json!({ "apiKey": "k3" }));
    assert!(s.apps_by_ids(&[]).await.unwrap().is_empty());
    assert!(s
        .connections_by_ids(&ids(&["\0"]))
        .await
        .unwrap()
        .is_empty());

    // The organization's count (kept by triggers, migration 0007) follows deletions, one
    // by one and with their source, and a new organization's starts at none.
    s.delete_integration("linked-0").await.unwrap();
    s.delete_app(&f.apps[1]).await.unwrap();
    let left = server
        .data(
            "query($o: ID) { clickstreamConfigs(orgId: $o) { id } }",
            json!({ "o": f.org }),
            Some(&f.token),
        )
        .await["clickstreamConfigs"]
        .as_array()
        .unwrap()
        .len();
    assert!(left < 25, "{left}");
    let o = json!({ "o": f.org });
    let got = walk(&server, &f.token, &paged, "clickstreamConfigPage", o, 7).await;
    assert_eq!(got.len(), left);
    let other = server.create_org(&f.token, "Empty").await;
    let d = server
        .data(&paged, json!({ "o": other, "first": 5 }), Some(&f.token))
        .await;
    assert_eq!(d["clickstreamConfigPage"]["totalCount"], 0, "{d}");
}

#[tokio::test]
async fn sqlite_a_page_shows_each_integrations_source_and_connection() {
    a_page_shows_each_integrations_source_and_connection(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_page_shows_each_integrations_source_and_connection() {
    a_page_shows_each_integrations_source_and_connection(Backend::Postgres).await;
}
