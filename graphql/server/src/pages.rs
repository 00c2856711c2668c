//! The pages the mailed links open: `/confirm-email`, `/reset-password` and
//! `/accept-invitation`, each `?token=…`. Plain HTML forms, no script: a `GET` only shows the
//! form (mail scanners and link previews fetch links, and must not spend them), the `POST`
//! does what the link is for by running the same mutation the app would
//! (`confirmEmail`, `setPassword`, `acceptInvitation`), so the rules, the single use of the
//! token and the rate limits are the API's own.
//!
//! Cross-site requests: the `POST` needs the link's token, which no other site knows, and the
//! listener's Origin check refuses a form posted from another origin anyway. The pages may
//! not be framed, load nothing, post only to themselves, and tell the browser not to send
//! their address (which holds the token) to anyone as a referrer.

use crate::access::RequestAuth;
use crate::http::anonymous_rate;
use crate::mail::MailKind;
use crate::schema::Budget;
use crate::throttle::ClientIp;
use crate::Houston;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use houston_vocabulary::PastedLink;
use serde_json::{json, Value};

/// What a page's answer may do: nothing but show itself and post its form to itself.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The longest password field read from a form (the API's own limit is lower; this only
/// keeps a page from echoing megabytes into a mutation).
const MAX_PASSWORD: usize = 1024;

/// The link pages, for the router.
pub fn routes() -> Router<Houston> {
    Router::new()
        .route(
            &Link::Confirm.route(),
            get(confirm_form).post(confirm_submit),
        )
        .route(&Link::Reset.route(), get(reset_form).post(reset_submit))
        .route(
            &Link::Invitation.route(),
            get(accept_form).post(accept_submit),
        )
}

/// Which link a page serves.
#[derive(Clone, Copy)]
enum Link {
    Confirm,
    Reset,
    Invitation,
}

impl Link {
    fn path(self) -> &'static str {
        let kind = match self {
            Link::Confirm => MailKind::ConfirmEmail,
            Link::Reset => MailKind::PasswordReset,
            Link::Invitation => MailKind::Invitation,
        };
        kind.link_path()
    }

    fn route(self) -> String {
        format!("/{}", self.path())
    }

    fn title(self) -> &'static str {
        match self {
            Link::Confirm => "Confirm your email",
            Link::Reset => "Choose a new password",
            Link::Invitation => "Join the organization",
        }
    }
}

/// The fields of a page's form, as posted (`application/x-www-form-urlencoded`).
#[derive(Default, serde::Deserialize)]
struct Fields {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

impl Fields {
    fn from_query(query: Option<&str>) -> Fields {
        query
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default()
    }

    /// The fields of a posted form; `None` when the body is not one.
    fn from_form(headers: &HeaderMap, body: &[u8]) -> Option<Fields> {
        let ctype = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = ctype.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return None;
        }
        serde_urlencoded::from_bytes(body).ok()
    }

    /// The token, when it looks like one (the app reads pasted codes with the same rule).
    fn token(&self) -> Option<String> {
        PastedLink::parse(&self.token)
            .filter(|p| p.kind.is_none())
            .map(|p| p.token)
    }
}

async fn confirm_form(RawQuery(query): RawQuery) -> Response {
    form_page(Link::Confirm, &Fields::from_query(query.as_deref()), None)
}

async fn reset_form(RawQuery(query): RawQuery) -> Response {
    form_page(Link::Reset, &Fields::from_query(query.as_deref()), None)
}

async fn accept_form(RawQuery(query): RawQuery) -> Response {
    form_page(
        Link::Invitation,
        &Fields::from_query(query.as_deref()),
        None,
    )
}

async fn confirm_submit(
    State(houston): State<Houston>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(Link::Confirm, &houston, client, &headers, &body).await
}

async fn reset_submit(
    State(houston): State<Houston>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(Link::Reset, &houston, client, &headers, &body).await
}

async fn accept_submit(
    State(houston): State<Houston>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    submit(Link::Invitation, &houston, client, &headers, &body).await
}

/// Does what the link is for, and answers with the outcome (or the form again, with the
/// reason, when something must be corrected).
async fn submit(
    link: Link,
    houston: &Houston,
    client: Option<Extension<ClientIp>>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let Some(fields) = Fields::from_form(headers, body) else {
        return page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            link.title(),
            "<p>Send this page's own form.</p>",
        );
    };
    if fields.token().is_none() {
        return form_page(link, &fields, None);
    }
    let wants_password = match link {
        Link::Confirm => false,
        Link::Reset => true,
        // Accepting with a password makes the invited address's account; without one, the
        // address must have an account already.
        Link::Invitation => !fields.password.is_empty() || !fields.repeat.is_empty(),
    };
    if wants_password {
        if fields.password.len() > MAX_PASSWORD {
            return form_page(link, &fields, Some("That password is too long."));
        }
        if fields.password != fields.repeat {
            return form_page(link, &fields, Some("The two passwords differ."));
        }
    }
    let client = client.map(|Extension(c)| c);
    let auth = RequestAuth::resolve(houston.state(), None, None).await;
    if let Some(refused) = anonymous_rate(houston, &auth, client, 1) {
        return refused;
    }
    let token = fields.token().unwrap_or_default();
    let token = token.as_str();
    let (query, variables) = match (link, wants_password) {
        (Link::Confirm, _) => (
            "mutation($t: String!) { r: confirmEmail(token: $t) { success message } }",
            json!({ "t": token }),
        ),
        (Link::Reset, _) | (Link::Invitation, true) => (
            "mutation($t: String!, $p: String!) { r: setPassword(token: $t, password: $p) { success message } }",
            json!({ "t": token, "p": fields.password }),
        ),
        (Link::Invitation, false) => (
            "mutation($t: String) { r: acceptInvitation(token: $t) { success message } }",
            json!({ "t": token }),
        ),
    };
    let mut req = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables))
        .data(auth)
        .data(Budget::new());
    if let Some(client) = client {
        req = req.data(client);
    }
    let res = houston.schema().execute(req).await;
    let answer = serde_json::to_value(&res).unwrap_or(Value::Null);
    let outcome = &answer["data"]["r"];
    let message = outcome["message"]
        .as_str()
        .or_else(|| answer["errors"][0]["message"].as_str())
        .unwrap_or("Something went wrong; try again.");
    if outcome["success"] == true {
        let next = match link {
            Link::Confirm => "Your email is confirmed. Sign in to Houston in the app.",
            Link::Reset => "Your password is set. Sign in to Houston in the app with it.",
            Link::Invitation => {
                "You joined the organization. Sign in to Houston in the app to see it."
            }
        };
        page(
            StatusCode::OK,
            link.title(),
            &format!(
                "<p role=\"status\">{}</p><p>{}</p>",
                escape(message),
                escape(next)
            ),
        )
    } else {
        form_page(link, &fields, Some(message))
    }
}

/// The form of `link`, with `problem` above it.
fn form_page(link: Link, fields: &Fields, problem: Option<&str>) -> Response {
    let Some(token) = fields.token() else {
        return page(
            StatusCode::BAD_REQUEST,
            link.title(),
            "<p role=\"alert\">This link is incomplete: open it again from the mail, or paste \
             the code from the mail into the app.</p>",
        );
    };
    let problem = problem
        .map(|p| format!("<p role=\"alert\" class=\"problem\">{}</p>", escape(p)))
        .unwrap_or_default();
    let passwords = |legend: &str| {
        format!(
            "<fieldset><legend>{legend}</legend>\
             <label>Password <input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\"></label>\
             <label>Again <input type=\"password\" name=\"repeat\" autocomplete=\"new-password\" minlength=\"8\"></label>\
             </fieldset>"
        )
    };
    let (intro, inputs, button) = match link {
        Link::Confirm => (
            "Confirm that this address is yours to finish signing up.",
            String::new(),
            "Confirm my email",
        ),
        Link::Reset => (
            "Choose the new password for your Houston account. Other sessions are signed out.",
            passwords("New password").replace("minlength=\"8\">", "minlength=\"8\" required>"),
            "Set the password",
        ),
        Link::Invitation => (
            "You are invited to an organization on Houston. If this address has an account, \
             accept. If not, choose a password: that makes the account and accepts.",
            passwords("No account yet? Choose a password"),
            "Accept the invitation",
        ),
    };
    page(
        StatusCode::OK,
        link.title(),
        &format!(
            "{problem}<p>{intro}</p><form method=\"post\" action=\"{action}\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">{inputs}\
             <button type=\"submit\">{button}</button></form>",
            action = link.path(),
            token = escape(&token),
        ),
    )
}

/// A whole page: `title` and `body` (already HTML).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title} · Houston</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color-scheme:light dark}}\
         label{{display:block;margin:.5rem 0}}input{{display:block;width:100%;padding:.4rem;font:inherit}}\
         fieldset{{margin:1rem 0;border:1px solid #8886}}button{{font:inherit;padding:.5rem 1rem}}\
         .problem{{color:#b3261e;font-weight:600}}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title),
    );
    let mut res = (status, html).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// `s` as HTML text or attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_message_or_token_is_text() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn only_a_plausible_token_is_taken() {
        let token = |t: &str| {
            Fields {
                token: t.into(),
                ..Fields::default()
            }
            .token()
        };
        assert_eq!(token(" abc_-123 "), Some("abc_-123".into()));
        assert_eq!(token(""), None);
        assert_eq!(token("a b"), None);
        assert_eq!(token("\"><script>"), None);
        assert_eq!(token(&"x".repeat(201)), None);
    }
}
