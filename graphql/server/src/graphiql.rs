//! GraphiQL served by the server itself, so that the page runs nothing from a CDN: its
//! Content-Security-Policy allows scripts, styles and connections to this origin only.
//!
//! The files are GraphiQL's UMD build and stylesheet and the UMD builds of React and
//! ReactDOM (all MIT), embedded at build time (see `build.rs`; `.ci/setup` installs the
//! pinned packages into `graphiql/`), and this server's own `start.js` and `page.css`:
//!
//! - `GET /graphql` asking for HTML: [`page`].
//! - `GET /graphiql/<file>`: the files.
//! - `GET /graphiql/LICENSE`: the packages' licences.
//!
//! A server built without the files (no `.ci/setup`) answers all of these `404` saying so.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/graphiql.rs"));
}

/// The version of graphiql this server serves, `None` when it was built without it.
pub const VERSION: Option<&str> = embedded::VERSION;

/// What the page may load and do: everything from this origin only (the stylesheet's
/// fonts and icons are `data:` URLs inside it), never be framed (click-jacking), no
/// `<base>`, no form posts.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// This server's own script and stylesheet around GraphiQL.
const OWN: [(&str, &str, &[u8]); 2] = [
    (
        "start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../graphiql/start.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        include_bytes!("../graphiql/page.css"),
    ),
];

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Houston GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/graphiql/graphiql.min.css">
    <link rel="stylesheet" href="/graphiql/page.css">
  </head>
  <body>
    <div id="graphiql" data-endpoint="/graphql" data-subscriptions="/graphql/ws">Loading…</div>
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <script src="/graphiql/graphiql.min.js"></script>
    <script src="/graphiql/start.js"></script>
  </body>
</html>
"#;

fn not_built() -> Response {
    crate::analytics_js::not_built(
        "GraphiQL is not in this build of houston-server: run .ci/setup (it installs graphiql \
         and React into graphql/server/graphiql), then build the server again.\n",
    )
}

/// GraphiQL's page, with its [`CSP`].
pub fn page() -> Response {
    if VERSION.is_none() {
        return not_built();
    }
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        )],
        Html(PAGE),
    )
        .into_response()
}

/// The routes of the files.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/graphiql/LICENSE", get(licenses))
        .route("/graphiql/{file}", get(file))
}

async fn file(Path(name): Path<String>) -> Response {
    if VERSION.is_none() {
        return not_built();
    }
    let found = embedded::FILES
        .iter()
        .chain(OWN.iter())
        .find(|(file, _, _)| *file == name);
    match found {
        Some((_, content_type, body)) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "No such GraphiQL file.\n").into_response(),
    }
}

async fn licenses() -> Response {
    if VERSION.is_none() {
        return not_built();
    }
    let mut text = Vec::new();
    for (package, license) in embedded::LICENSES {
        text.extend_from_slice(format!("== {package} ==\n\n").as_bytes());
        text.extend_from_slice(license);
        text.extend_from_slice(b"\n");
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}
