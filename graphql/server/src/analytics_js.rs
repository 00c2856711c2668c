//! analytics.js served by the server, so that a page needs nothing from Segment's CDN.
//!
//! The files are `@segment/analytics-next`'s `dist/umd` (MIT), embedded at build time
//! (see `build.rs`; `.ci/setup` installs the pinned package into `analytics-js/`):
//!
//! - `GET /analytics.js/v1/<writeKey>/analytics.min.js`: `standalone.js`, the path the
//!   official snippet loads (the same file for every write key; the snippet names the key).
//! - `GET /analytics-next/bundles/<chunk>.js`: the chunks it loads on demand. analytics.js
//!   loads them from `<cdn>/analytics-next/bundles/`, where `<cdn>` is `analytics._cdn`
//!   (which the snippet of [`houston_events::snippet`] sets to this server: analytics.js
//!   reads the CDN from the script's `src` only when that is `https://`).
//! - `GET /analytics.js/LICENSE`: the package's licence.
//!
//! Scripts are `text/javascript`, carry `Access-Control-Allow-Origin: *` and
//! `Cross-Origin-Resource-Policy: cross-origin` (pages on any site load them). The chunks'
//! names hold a hash of their contents, so they are cached for a year; `analytics.min.js`
//! keeps its name across upgrades of the server, so it is cached for an hour.
//!
//! A server built without the files (no `.ci/setup`) answers these paths `404` saying so.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/analytics_js.rs"));
}

/// The version of analytics-next this server serves, `None` when it was built without it.
pub const VERSION: Option<&str> = embedded::VERSION;

/// The path of analytics.js for `write_key`, as the official snippet builds it.
pub fn script_path(write_key: &str) -> String {
    format!("/analytics.js/v1/{write_key}/analytics.min.js")
}

/// Where analytics.js loads its chunks from, below its CDN address.
pub const CHUNKS_PATH: &str = "/analytics-next/bundles/";

/// Whether `path` is one of the files served here (pages on any origin load them).
pub fn is_asset_path(path: &str) -> bool {
    path.starts_with("/analytics.js/") || path.starts_with(CHUNKS_PATH)
}

const SCRIPT_CACHE: &str = "public, max-age=3600";
const CHUNK_CACHE: &str = "public, max-age=31536000, immutable";

/// The routes; [`crate::collector::routes`] mounts them (with its any-origin CORS).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/analytics.js/v1/{write_key}/analytics.min.js",
            get(standalone),
        )
        .route("/analytics-next/bundles/{chunk}", get(chunk))
        .route("/analytics.js/LICENSE", get(license))
}

/// The `404` of a file that this build of the server does not embed, with `message`
/// saying how to get it (also for [`crate::graphiql`]).
pub(crate) fn not_built(message: &'static str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        message,
    )
        .into_response()
}

fn not_this_build() -> Response {
    not_built(
        "analytics.js is not in this build of houston-server: run .ci/setup (it installs \
         @segment/analytics-next into graphql/server/analytics-js), then build the server again.\n",
    )
}

fn script(body: &'static [u8], cache: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn standalone(Path(_write_key): Path<String>) -> Response {
    match embedded::STANDALONE {
        Some(body) => script(body, SCRIPT_CACHE),
        None => not_this_build(),
    }
}

async fn chunk(Path(name): Path<String>) -> Response {
    if embedded::STANDALONE.is_none() {
        return not_this_build();
    }
    match embedded::CHUNKS.iter().find(|(file, _)| *file == name) {
        Some((_, body)) => script(body, CHUNK_CACHE),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            "No such analytics.js chunk in this build.\n",
        )
            .into_response(),
    }
}

async fn license() -> Response {
    match embedded::LICENSE {
        Some(body) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(SCRIPT_CACHE),
                ),
            ],
            body,
        )
            .into_response(),
        None => not_this_build(),
    }
}
