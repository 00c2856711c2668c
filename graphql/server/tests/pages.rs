//! The pages that mailed links open (issue 13 #1): each link of a real mail is followed in
//! the way a browser would, `GET` then the form's `POST`, against the server's listener.

use houston_test_harness::TestServer;
use serde_json::json;

const PASSWORD: &str = "password123";

/// The server's base address (`http://127.0.0.1:PORT`).
fn base(server: &TestServer) -> String {
    server.url.trim_end_matches("/graphql").to_string()
}

/// The path and query of the link in the newest mail of `kind` the holder of `token` has,
/// e.g. `/confirm-email?token=…`: the link the mail really carries.
async fn mailed_link(server: &TestServer, token: &str, kind: &str) -> String {
    let d = server
        .data("{ myMail { kind body } }", json!({}), Some(token))
        .await;
    let body = d["myMail"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["kind"] == kind))
        .and_then(|m| m["body"].as_str())
        .unwrap_or_else(|| panic!("no {kind} mail: {d}"))
        .to_string();
    link_in(&body)
}

/// The path and query of the link in the newest mail of `kind` to `address`, read from the
/// outbox (a reset asked anonymously goes to the mailbox only, not to `myMail`).
async fn outbox_link(server: &TestServer, address: &str, kind: &str) -> String {
    let mail = server
        .houston
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.to_address == address && m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} mail to {address}"));
    link_in(&mail.body)
}

/// The path and query of the one link in a mail's `body`.
fn link_in(body: &str) -> String {
    let url = body
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in {body:?}"));
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let path = &after_scheme[after_scheme.find('/').expect("a path")..];
    path.to_string()
}

/// The token in a link's query.
fn token_of(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, t)| t.to_string())
        .expect("a token in the link")
}

/// Posts `fields` as the page's form would, from the server's own origin.
async fn post_form(server: &TestServer, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(format!("{}{path}", base(server)))
        .header("origin", base(server))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn get_page(server: &TestServer, link: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let res = reqwest::get(format!("{}{link}", base(server)))
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

async fn sign_in(server: &TestServer, email: &str, password: &str) -> bool {
    let d = server
        .gql(
            "mutation($e: String!, $p: String!) { createToken(username: $e, password: $p) { success } }",
            json!({ "e": email, "p": password }),
            None,
        )
        .await;
    d["data"]["createToken"]["success"] == true
}

/// A sign-up's mail link opens a page that only shows a form (a mail scanner fetching the
/// link spends nothing), and its form confirms the address, once.
#[tokio::test]
async fn the_confirmation_link_opens_a_page_that_confirms_once() {
    let server = TestServer::start().await;
    let d = server
        .data(
            "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { token } }",
            json!({ "e": "new@example.com", "p": PASSWORD }),
            None,
        )
        .await;
    let pending = d["createNewUser"]["token"].as_str().unwrap().to_string();
    let link = mailed_link(&server, &pending, "CONFIRM_EMAIL").await;
    assert!(link.starts_with("/confirm-email?token="), "{link}");

    for _ in 0..2 {
        let (status, headers, html) = get_page(&server, &link).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<form method=\"post\""), "{html}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("script-src"), "no script may run: {csp}");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
    let me = server
        .data("{ me { status } }", json!({}), Some(&pending))
        .await;
    assert_eq!(
        me["me"]["status"], "pending",
        "a GET confirmed the address: {me}"
    );

    let token = token_of(&link);
    let (status, html) = post_form(&server, "/confirm-email", &[("token", &token)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your email is confirmed"), "{html}");
    assert!(
        !html.contains("eyJ"),
        "the page shows no session token: {html}"
    );
    let me = server
        .data("{ me { status } }", json!({}), Some(&pending))
        .await;
    assert_eq!(me["me"]["status"], "active", "{me}");

    let (_, again) = post_form(&server, "/confirm-email", &[("token", &token)]).await;
    assert!(
        !again.contains("Your email is confirmed"),
        "used twice: {again}"
    );
    assert!(again.contains("class=\"problem\""), "{again}");
}

/// A reset link's page sets the password (both fields must agree first), signs other
/// sessions out, and the new password signs in.
#[tokio::test]
async fn the_reset_link_opens_a_page_that_sets_the_password() {
    let server = TestServer::start().await;
    server.confirmed_user("forgot@example.com").await;
    let s = server
        .status(
            "mutation($e: String!) { requestPasswordReset(email: $e) { success } }",
            json!({ "e": "forgot@example.com" }),
            None,
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let link = outbox_link(&server, "forgot@example.com", "PASSWORD_RESET").await;
    assert!(link.starts_with("/reset-password?token="), "{link}");
    let (status, _, html) = get_page(&server, &link).await;
    assert_eq!(status, 200);
    assert!(html.contains("type=\"password\""), "{html}");

    let token = token_of(&link);
    let (_, html) = post_form(
        &server,
        "/reset-password",
        &[
            ("token", &token),
            ("password", "a new password"),
            ("repeat", "another one"),
        ],
    )
    .await;
    assert!(html.contains("The two passwords differ."), "{html}");
    assert!(sign_in(&server, "forgot@example.com", PASSWORD).await);

    let (status, html) = post_form(
        &server,
        "/reset-password",
        &[
            ("token", &token),
            ("password", "a new password"),
            ("repeat", "a new password"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your password is set"), "{html}");
    assert!(sign_in(&server, "forgot@example.com", "a new password").await);
    assert!(!sign_in(&server, "forgot@example.com", PASSWORD).await);
}

/// An invitation to an address without an account: its page makes the account with the
/// chosen password and joins the organization.
#[tokio::test]
async fn the_invitation_link_opens_a_page_that_joins() {
    let server = TestServer::start().await;
    let (owner, _) = server.confirmed_user("owner@example.com").await;
    let org = server.create_org(&owner, "Team").await;
    let s = server
        .status(
            "mutation($o: String!, $e: String!) { updateOrganization(orgId: $o, addUser: {email: $e, role: USER}) { success } }",
            json!({ "o": org, "e": "newcomer@example.com" }),
            Some(&owner),
        )
        .await;
    assert_eq!(s["success"], true, "{s}");
    let link = outbox_link(&server, "newcomer@example.com", "INVITATION").await;
    assert!(link.starts_with("/accept-invitation?token="), "{link}");
    let (status, _, html) = get_page(&server, &link).await;
    assert_eq!(status, 200, "{html}");

    // Without a password, the address (which has no account) is told to choose one.
    let token = token_of(&link);
    let (_, html) = post_form(&server, "/accept-invitation", &[("token", &token)]).await;
    assert!(html.contains("class=\"problem\""), "{html}");
    let (status, html) = post_form(
        &server,
        "/accept-invitation",
        &[
            ("token", &token),
            ("password", "newcomer password"),
            ("repeat", "newcomer password"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("You joined the organization"), "{html}");
    let t = server
        .data(
            "mutation { createToken(username: \"newcomer@example.com\", password: \"newcomer password\") { token } }",
            json!({}),
            None,
        )
        .await;
    let token = t["createToken"]["token"].as_str().unwrap().to_string();
    let orgs = server
        .data("{ organizations { id } }", json!({}), Some(&token))
        .await;
    assert_eq!(orgs["organizations"][0]["id"], org.as_str(), "{orgs}");
}

/// A page of another site cannot post the form (its Origin is refused), nor can a post
/// that is not a form; a link without its token says so, and markup in a token is text.
#[tokio::test]
async fn forms_from_elsewhere_or_without_a_token_are_refused() {
    let server = TestServer::start().await;
    let res = reqwest::Client::new()
        .post(format!("{}/confirm-email", base(&server)))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);

    let res = reqwest::Client::new()
        .post(format!("{}/confirm-email", base(&server)))
        .header("content-type", "application/json")
        .body("{\"token\": \"abc\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);

    let (status, _, html) = get_page(&server, "/confirm-email").await;
    assert_eq!(status, 400);
    assert!(html.contains("This link is incomplete"), "{html}");

    let (status, _, html) = get_page(&server, "/reset-password?token=%22%3E%3Cscript%3E").await;
    assert_eq!(status, 400, "not a plausible token: {html}");
    assert!(!html.contains("<script>"), "{html}");

    let (_, html) = post_form(&server, "/confirm-email", &[("token", "made-up-token")]).await;
    assert!(html.contains("class=\"problem\""), "{html}");
    assert!(!html.contains("Your email is confirmed"), "{html}");
}

/// The desktop's loopback listener (the collector's port, without the API) serves the pages
/// its mails link to, once the links point at it; and a followed link shows as used, without
/// its token, in the mail.
#[tokio::test]
async fn the_loopback_listener_serves_the_pages_its_links_point_at() {
    let server = TestServer::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let loopback = format!("http://{}", listener.local_addr().unwrap());
    let serving = server.houston.clone();
    tokio::spawn(async move {
        let _ = serving
            .serve_collector(listener, false, std::future::pending())
            .await;
    });
    server.houston.set_public_url(&loopback);

    let d = server
        .data(
            "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { token } }",
            json!({ "e": "local@example.com", "p": PASSWORD }),
            None,
        )
        .await;
    let pending = d["createNewUser"]["token"].as_str().unwrap().to_string();
    let mail = "{ myMail { kind body token used } }";
    let d = server.data(mail, json!({}), Some(&pending)).await;
    let body = d["myMail"][0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("{loopback}/confirm-email?token=")),
        "the link points at the loopback listener: {body}"
    );
    assert_eq!(d["myMail"][0]["used"], false, "{d}");
    let link = link_in(body);

    let page = reqwest::get(format!("{loopback}{link}")).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    let api = reqwest::get(format!("{loopback}/graphql")).await.unwrap();
    assert_eq!(api.status().as_u16(), 404, "the API stays off this port");
    let posted = reqwest::Client::new()
        .post(format!("{loopback}/confirm-email"))
        .header("origin", &loopback)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("token", token_of(&link))]).unwrap())
        .send()
        .await
        .unwrap();
    assert!(posted
        .text()
        .await
        .unwrap()
        .contains("Your email is confirmed"));

    let d = server.data(mail, json!({}), Some(&pending)).await;
    assert_eq!(d["myMail"][0]["used"], true, "{d}");
    assert!(
        d["myMail"][0]["token"].is_null(),
        "a used link is not shown: {d}"
    );
    let shown = server.houston.outbox_shown().await.unwrap();
    assert!(shown[0].used && shown[0].mail.token.is_none());
}
