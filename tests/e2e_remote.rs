//! End to end, in the real window: the account flows a team goes through with a remote
//! `houston-server` that sends real mail (issue 13, Tests), and the Mail panel of the
//! bundled server (issue 13 #13).
//!
//! The remote test runs an SMTP server of its own — aiosmtpd (Debian's python3-aiosmtpd,
//! installed by `.ci/setup`), writing each message it receives to a Maildir — and a
//! `houston-server` that sends its mail there. Every link is followed from the mail that
//! arrived: a sign-up confirmed by pasting the mailed link into the app; a second person
//! confirmed through the server's page, as a browser would (GET the form, POST it with its
//! token); a forgotten password reset with the mailed code pasted into the app; an
//! invitation accepted in the app. Each step is checked in the window and on the server.
//!
//! Run inside `.ci/session` after `make ui`, like `tests/e2e.rs`:
//! `.ci/session cargo test -p houston-desktop --test e2e_remote`. Screenshots go to
//! `target/e2e-artifacts/remote/` and `target/e2e-artifacts/mail-panel/`.

mod e2e_support;
mod webdriver;

use e2e_support::{free_port, graphql, inner_text, launch, wait_inner, DriverProcess, Shots};
use houston_test_harness::process::TEST_DATA_KEY;
use houston_test_harness::{http, ServerProcess};
use serde_json::json;
use std::collections::HashSet;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use webdriver::Driver;

const GRACE: &str = "grace@example.com";
const GRACE_PASSWORD: &str = "cobol-rules-1959";
const GRACE_NEW_PASSWORD: &str = "flow-matic-1955";
const ADA: &str = "ada@example.com";
const ADA_PASSWORD: &str = "analytical-engine-1843";
const ORG: &str = "Apollo Guidance";

/// aiosmtpd on a free loopback port, writing what it receives to a Maildir.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
    /// The messages already handed out by [`Smtp::wait_for`].
    taken: HashSet<PathBuf>,
}

impl Smtp {
    fn start(dir: &Path) -> Smtp {
        let port = free_port();
        let maildir = dir.join("maildir");
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                "-l",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aiosmtpd runs (Debian's python3-aiosmtpd; .ci/setup installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Smtp {
            child,
            port,
            maildir,
            taken: HashSet::new(),
        }
    }

    /// The body of the next message to `to` whose subject holds `subject`, waiting up to
    /// 30 s for it to arrive.
    async fn wait_for(&mut self, to: &str, subject: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let entries = std::fs::read_dir(self.maildir.join("new"))
                .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
                .unwrap_or_default();
            for path in entries {
                if self.taken.contains(&path) {
                    continue;
                }
                let Ok(raw) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let (headers, body) = raw
                    .replace("\r\n", "\n")
                    .split_once("\n\n")
                    .map(|(h, b)| (h.to_owned(), b.to_owned()))
                    .unwrap_or_default();
                let header = |name: &str| {
                    headers
                        .lines()
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                if header("To").contains(to) && header("Subject").contains(subject) {
                    self.taken.insert(path);
                    return if header("Content-Transfer-Encoding")
                        .eq_ignore_ascii_case("quoted-printable")
                    {
                        quoted_printable(&body)
                    } else {
                        body
                    };
                }
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} about {subject:?} in {}",
                self.maildir.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A quoted-printable body decoded (soft line breaks joined, `=XX` bytes read).
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The link in a mail's body (the first `http://` word).
fn link_in(body: &str) -> String {
    body.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {body:?}"))
        .to_owned()
}

/// The code a mail says to paste in the app.
fn code_in(body: &str) -> String {
    const SAYS: &str = "Or paste this code in the app: ";
    let i = body
        .find(SAYS)
        .unwrap_or_else(|| panic!("no code in {body:?}"));
    body[i + SAYS.len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The value of the form's hidden `name` field in a served page.
fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {html}"));
    html[i + marker.len()..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `fields` as a form posts them (`application/x-www-form-urlencoded`).
fn form_encoded(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether `email` signs in with `password` on the server at `url`.
async fn signs_in(url: &str, email: &str, password: &str) -> bool {
    let d = http::data(
        url,
        "mutation($e: String!, $p: String!) { createToken(username: $e, password: $p) { success } }",
        json!({ "e": email, "p": password }),
        None,
        None,
    )
    .await;
    d["createToken"]["success"] == true
}

/// Signs out of the app and waits for the sign-in screen.
async fn sign_out(d: &Driver) {
    d.click_on("#sign-out").await.unwrap();
    d.wait("#signin-email", 20).await.unwrap();
}

#[tokio::test]
async fn a_team_on_a_remote_server_signs_up_confirms_resets_and_joins_through_real_mail() {
    let dir = tempfile::tempdir().unwrap();
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("remote");
    let mut smtp = Smtp::start(dir.path());

    // A team's server: its own database, and its mail sent to the SMTP server above. The
    // address is chosen first, so that the mails' links (HOUSTON_PUBLIC_URL's default is
    // the listen address) point at it.
    let addr = format!("127.0.0.1:{}", free_port());
    let mut command = ServerProcess::command();
    command
        .args(["--listen", &addr, "--database-url"])
        .arg(format!(
            "sqlite://{}",
            dir.path().join("houston.db").display()
        ))
        .arg("--secret-file")
        .arg(dir.path().join("token-secret"))
        .args(["--smtp-url", &format!("smtp://127.0.0.1:{}", smtp.port)])
        .env("HOUSTON_DATA_KEY", TEST_DATA_KEY)
        .env("HOUSTON_MAIL_FROM", "Houston <houston@example.org>")
        .env("RUST_LOG", "info,sqlx=warn");
    let server = ServerProcess::spawn(command);
    let url = server.url.clone();
    let base = format!("http://{addr}");

    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    d.wait("#continue", 20).await.unwrap();
    d.click_on("#backend-remote").await.unwrap();
    d.fill("#remote-url", &url).await.unwrap();
    d.click_on("#continue").await.unwrap();

    // 1. Grace signs up in the app; the mail arrives by SMTP; she pastes its link.
    d.click_on("#nav-signup").await.unwrap();
    d.fill("#signup-email", GRACE).await.unwrap();
    d.fill("#signup-password", GRACE_PASSWORD).await.unwrap();
    d.click_on("#signup-submit").await.unwrap();
    d.wait("#confirm-notice", 20).await.unwrap();
    let mail = smtp.wait_for(GRACE, "Confirm your email").await;
    let link = link_in(&mail);
    assert!(
        link.starts_with(&format!("{base}/confirm-email?token=")),
        "the link points at the server's page: {link}"
    );
    d.fill("#pasted-link", &link).await.unwrap();
    shots.take(&d, "confirm-link-pasted").await;
    d.click_on("#pasted-submit").await.unwrap();
    d.wait_text("#current-user", GRACE, 30).await.unwrap();
    let me = graphql(&d, "{ me { username status } }", json!({})).await;
    assert_eq!(me["me"]["status"], "active", "{me}");
    shots.take(&d, "confirmed-signed-in").await;

    // Her Mail panel on a remote server: her own mail, whose link went by mail.
    d.click_on("#nav-mail").await.unwrap();
    wait_inner(&d, "#mail-whom", &format!("Mail to {GRACE}."), 20)
        .await
        .unwrap();
    assert!(
        d.find("#mail-whole").await.is_err(),
        "no whole outbox on a remote server"
    );
    wait_inner(&d, "#mail-panel", "Its link is not held here", 20)
        .await
        .unwrap();
    assert!(d.find("#mail-panel .mail-confirm").await.is_err());
    d.click_on("#mail-close").await.unwrap();
    d.wait_gone("#mail-panel", 10).await.unwrap();

    // Grace makes the team's organization.
    d.click_on("#nav-orgs").await.unwrap();
    d.fill("#org-new-name", ORG).await.unwrap();
    d.click_on("#org-create").await.unwrap();
    d.wait_text(".org-item", ORG, 20).await.unwrap();

    // 2. Ada signs up elsewhere and confirms through the served page, as a browser would:
    // the GET shows a form and spends nothing; the POST, with the form's token, confirms.
    let d_ada = http::data(
        &url,
        "mutation($e: String!, $p: String!) { createNewUser(email: $e, password: $p) { success } }",
        json!({ "e": ADA, "p": ADA_PASSWORD }),
        None,
        None,
    )
    .await;
    assert_eq!(d_ada["createNewUser"]["success"], true, "{d_ada}");
    let link = link_in(&smtp.wait_for(ADA, "Confirm your email").await);
    let browser = reqwest::Client::new();
    let page = browser.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let form_token = hidden_field(&html, "token");
    let status = |token: String| {
        let url = url.clone();
        async move {
            http::data(&url, "{ me { status } }", json!({}), Some(&token), None).await["me"]
                ["status"]
                .clone()
        }
    };
    let ada_pending = http::data(
        &url,
        "mutation($e: String!, $p: String!) { createToken(username: $e, password: $p) { token } }",
        json!({ "e": ADA, "p": ADA_PASSWORD }),
        None,
        None,
    )
    .await["createToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status(ada_pending.clone()).await,
        "pending",
        "a GET confirms nothing"
    );
    let posted = browser
        .post(format!("{base}/confirm-email"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encoded(&[("token", &form_token)]))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 200);
    let html = posted.text().await.unwrap();
    assert!(html.contains("Your email is confirmed"), "{html}");
    assert_eq!(status(ada_pending).await, "active");

    // 3. Grace forgets her password: the reset mail's code, pasted into the app.
    sign_out(&d).await;
    d.click_on("#signin-forgot").await.unwrap();
    d.fill("#forgot-email", GRACE).await.unwrap();
    d.click_on("#forgot-submit").await.unwrap();
    d.wait("#forgot-status .success", 20).await.unwrap();
    let code = code_in(&smtp.wait_for(GRACE, "Reset your Houston password").await);
    d.click_on("#forgot-have-code").await.unwrap();
    d.fill("#pasted-link", &code).await.unwrap();
    d.fill("#pasted-password", GRACE_NEW_PASSWORD)
        .await
        .unwrap();
    d.fill("#pasted-repeat", "not the same").await.unwrap();
    d.click_on("#pasted-submit").await.unwrap();
    d.wait_text("#pasted-status", "The two passwords differ.", 10)
        .await
        .unwrap();
    d.fill("#pasted-repeat", GRACE_NEW_PASSWORD).await.unwrap();
    shots.take(&d, "reset-code-pasted").await;
    d.click_on("#pasted-submit").await.unwrap();
    d.wait_text("#current-user", GRACE, 30).await.unwrap();
    assert!(signs_in(&url, GRACE, GRACE_NEW_PASSWORD).await);
    assert!(
        !signs_in(&url, GRACE, GRACE_PASSWORD).await,
        "the old password is gone"
    );

    // 4. Grace invites Ada from the Members page; Ada pastes the mailed link in the app
    // (she has an account: no password), then signs in and finds the organization.
    d.click_on("#nav-members").await.unwrap();
    d.fill("#member-email", ADA).await.unwrap();
    d.click_on("#member-add").await.unwrap();
    d.wait_text(".invitation-row", ADA, 20).await.unwrap();
    let link = link_in(
        &smtp
            .wait_for(ADA, &format!("You are invited to {ORG}"))
            .await,
    );
    assert!(
        link.starts_with(&format!("{base}/accept-invitation?token=")),
        "{link}"
    );
    sign_out(&d).await;
    d.click_on("#signin-use-link").await.unwrap();
    d.fill("#pasted-link", &link).await.unwrap();
    d.click_on("#pasted-submit").await.unwrap();
    d.wait_text("#pasted-status", "You joined the organization", 30)
        .await
        .unwrap();
    shots.take(&d, "invitation-accepted").await;
    d.click_on("#nav-signin").await.unwrap();
    d.fill("#signin-email", ADA).await.unwrap();
    d.fill("#signin-password", ADA_PASSWORD).await.unwrap();
    d.click_on("#signin-submit").await.unwrap();
    d.wait_text("#current-user", ADA, 30).await.unwrap();
    let switcher = "return Array.from(document.querySelectorAll('#org-switch-options [role=option]')).map(o => o.textContent).join('|')";
    let deadline = Instant::now() + Duration::from_secs(20);
    while !d
        .script(switcher)
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .contains(ORG)
    {
        assert!(
            Instant::now() < deadline,
            "the organization is not in the switcher"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let orgs = graphql(&d, "{ organizations { name myRole } }", json!({})).await;
    assert_eq!(
        orgs["organizations"],
        json!([{ "name": ORG, "myRole": "USER" }]),
        "{orgs}"
    );
    shots.take(&d, "member-signed-in").await;
    // The link worked once: pasted again, it is refused.
    sign_out(&d).await;
    d.click_on("#signin-use-link").await.unwrap();
    d.fill("#pasted-link", &link).await.unwrap();
    d.click_on("#pasted-submit").await.unwrap();
    d.wait("#pasted-status .form-error", 20).await.unwrap();
    assert!(
        !inner_text(&d, "#pasted-status")
            .await
            .contains("You joined"),
        "an invitation link used twice"
    );

    d.quit().await;
    drop(server);
}

/// The id of the element that has the focus.
async fn focused_id(d: &Driver) -> String {
    d.script("return document.activeElement ? document.activeElement.id : ''")
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_bundled_mail_panel_opens_on_demand_marks_used_links_and_warns_about_others_mail() {
    let data_home = tempfile::tempdir().unwrap();
    let mut shots = Shots::new("mail-panel");
    let driver = DriverProcess::start(data_home.path());
    let d = launch(&driver).await;
    d.wait("#continue", 20).await.unwrap();
    d.click_on("#backend-bundled").await.unwrap();
    d.click_on("#continue").await.unwrap();
    d.click_on("#nav-signup").await.unwrap();
    d.fill("#signup-email", GRACE).await.unwrap();
    d.fill("#signup-password", GRACE_PASSWORD).await.unwrap();
    d.click_on("#signup-submit").await.unwrap();
    d.wait("#confirm-notice", 20).await.unwrap();

    // Closed until asked for, with the count of mail not seen yet on its button.
    assert!(
        d.find("#mail-panel").await.is_err(),
        "the panel starts closed"
    );
    d.wait_text("#mail-unread", "1", 20).await.unwrap();
    d.click_on("#nav-mail").await.unwrap();
    d.wait_text(".mail-item", GRACE, 20).await.unwrap();
    assert_eq!(
        focused_id(&d).await,
        "mail-close",
        "the focus moves into the panel"
    );
    d.wait_gone("#mail-unread", 10).await.unwrap();
    // Escape closes it and gives the focus back to its button.
    d.script("document.getElementById('mail-close').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))")
        .await
        .unwrap();
    d.wait_gone("#mail-panel", 10).await.unwrap();
    assert_eq!(focused_id(&d).await, "nav-mail");

    // The mail's link points at a page the app's loopback listener really serves.
    d.click_on("#nav-mail").await.unwrap();
    let body = inner_text(&d, ".mail-item .mail-body").await;
    let link = link_in(&body);
    assert!(link.contains("/confirm-email?token="), "{link}");
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{link} is served");
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));

    // Confirmed from the panel: signed in, the panel closes and the app says as whom.
    d.click_on(".mail-confirm").await.unwrap();
    d.wait_text("#current-user", GRACE, 20).await.unwrap();
    d.wait_gone("#mail-panel", 10).await.unwrap();
    wait_inner(&d, "#app-notice", &format!("signed in as {GRACE}"), 10)
        .await
        .unwrap();
    // Reopened, the used link has no button any more.
    d.click_on("#nav-mail").await.unwrap();
    d.wait(".mail-item[data-used=\"true\"] .mail-used", 20)
        .await
        .unwrap();
    assert!(d.find(".mail-item .mail-confirm").await.is_err());
    d.click_on("#mail-close").await.unwrap();

    // An invitation to Ada: not Grace's mail, so not in "My mail"…
    d.click_on("#nav-orgs").await.unwrap();
    d.fill("#org-new-name", ORG).await.unwrap();
    d.click_on("#org-create").await.unwrap();
    d.wait_text(".org-item", ORG, 20).await.unwrap();
    d.click_on("#nav-members").await.unwrap();
    d.fill("#member-email", ADA).await.unwrap();
    d.click_on("#member-add").await.unwrap();
    d.wait_text(".invitation-row", ADA, 20).await.unwrap();
    d.click_on("#nav-mail").await.unwrap();
    d.wait_text("#mail-whom", GRACE, 10).await.unwrap();
    assert_eq!(d.find_all(".mail-item").await.unwrap().len(), 1);
    // …but in the whole outbox, saying that accepting it signs in as Ada.
    d.click_on("#mail-whole").await.unwrap();
    d.wait(".mail-item[data-kind=\"INVITATION\"]", 20)
        .await
        .unwrap();
    wait_inner(
        &d,
        ".mail-item[data-kind=\"INVITATION\"] .mail-warning",
        &format!("accepting it with a password signs you in as {ADA}"),
        10,
    )
    .await
    .unwrap();
    shots.take(&d, "whole-outbox").await;
    d.quit().await;
}
