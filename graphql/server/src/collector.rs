//! The collector: Segment's HTTP Tracking API on the same listener as `/graphql`, so any
//! Segment library pointed at this server works unchanged.
//!
//! - `POST /v1/{track,identify,page,screen,group,alias,batch,import}` and analytics.js's
//!   short paths `/v1/{t,i,p,s,g,a,b}`; `/v1/m` (analytics.js's metrics) is answered `200`
//!   and dropped.
//! - `GET /v1/projects/<writeKey>/settings`: the settings analytics.js loads, pointing it
//!   back at this server.
//! - analytics.js itself and its chunks ([`crate::analytics_js`]).
//!
//! **The write key** is a source's id, sent as HTTP Basic (`base64("<writeKey>:")`) or as
//! `writeKey` in the body; none, or one naming no source, is a `401`.
//!
//! **The body** is JSON whatever its `Content-Type` says (analytics.js posts
//! `text/plain` to avoid a preflight; the SDKs post `application/json`), optionally
//! `Content-Encoding: gzip`. The decompressed body is read at most
//! [`MAX_REQUEST_BYTES`] + 1 bytes, so a small gzip body that expands to a gigabyte
//! costs no more memory than the limit. A body over a limit or not JSON is a `400` whose
//! `reason` is [`BodyError::as_str`]; nothing of it is stored.
//!
//! **Browsers post from any origin**, so these paths (and only these) answer CORS
//! preflights and carry `Access-Control-Allow-Origin: *`; they skip the Origin check that
//! keeps other sites' pages away from `/graphql` (see [`is_collector_path`]). They stay
//! behind the `Host` allow-list: a DNS-rebinding page names its own host, which is refused,
//! while a page from any origin posting to this server under one of its own names passes.
//! Nothing here needs a credential a browser would add by itself (no cookies), so the
//! wildcard origin hands no page anything it could not send without a browser.

use crate::analytics_js;
use crate::ids;
use crate::store::{AppRow, NewEvent, StoreError};
use crate::Houston;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use houston_events::event::{parse_request, BodyError, Call, Event, MAX_REQUEST_BYTES};
use serde_json::{json, Value};
use std::io::Read;
use time::OffsetDateTime;

/// The largest body read off the wire (compressed or not). Larger than
/// [`MAX_REQUEST_BYTES`] so that a compressed body over the limit is refused for what it
/// expands to, with the same reason; a plain body over the limit is refused either way.
const MAX_WIRE_BYTES: usize = 4 * MAX_REQUEST_BYTES;

/// The collector's routes, with their CORS answers. [`crate::http::router`] mounts them
/// beside `/graphql`.
pub fn routes() -> Router<Houston> {
    Router::new()
        .route("/v1/{call}", post(collect).options(preflight))
        .route(
            "/v1/projects/{write_key}/settings",
            get(settings).options(preflight),
        )
        .merge(analytics_js::routes())
        .layer(DefaultBodyLimit::max(MAX_WIRE_BYTES))
        .layer(middleware::from_fn(allow_any_origin))
}

/// Whether `path` is one of the collector's, which browsers reach from any origin.
pub fn is_collector_path(path: &str) -> bool {
    path.starts_with("/v1/") || analytics_js::is_asset_path(path)
}

/// How long a browser may reuse a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "86400";

async fn allow_any_origin(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Authorization, Content-Type, Content-Encoding"),
            ),
            (
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(PREFLIGHT_MAX_AGE),
            ),
        ],
    )
        .into_response()
}

/// `{"success": false, "reason": …, "message": …}` with `status`.
fn refusal(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({ "success": false, "reason": reason, "message": message });
    (status, axum::Json(body)).into_response()
}

fn unauthorized(message: &str) -> Response {
    refusal(StatusCode::UNAUTHORIZED, "invalid_write_key", message)
}

fn bad_body(error: &BodyError) -> Response {
    refusal(StatusCode::BAD_REQUEST, error.as_str(), &error.to_string())
}

fn success() -> Response {
    (StatusCode::OK, axum::Json(json!({ "success": true }))).into_response()
}

/// The write key of HTTP Basic credentials: the user name of `base64("<writeKey>:")`.
fn basic_write_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let key = text.split(':').next().unwrap_or("");
    (!key.is_empty()).then(|| key.to_owned())
}

/// The body as sent, or decompressed when `Content-Encoding: gzip`; reading stops one
/// byte past [`MAX_REQUEST_BYTES`], which [`parse_request`] then refuses.
fn decoded_body(headers: &HeaderMap, body: Bytes) -> Result<Vec<u8>, BodyError> {
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
    if !gzip {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .take(MAX_REQUEST_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|error| BodyError::NotJson {
            reason: format!("the gzip body cannot be decompressed: {error}"),
        })?;
    Ok(out)
}

/// Whether `write_key` names a source; a store failure is an error answer.
async fn source_exists(houston: &Houston, write_key: &str) -> Result<bool, Response> {
    source_of(houston, write_key).await.map(|app| app.is_some())
}

/// The source `write_key` names, if any; a store failure is an error answer.
async fn source_of(houston: &Houston, write_key: &str) -> Result<Option<AppRow>, Response> {
    houston
        .state()
        .store
        .app_by_id(write_key)
        .await
        .map_err(|error| store_failure(&error))
}

fn store_failure(error: &StoreError) -> Response {
    tracing::error!(%error, "the collector could not reach the store");
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "The events could not be stored; send them again.",
    )
}

/// An event as the store keeps it, stamped and with its problems.
fn new_event(mut event: Event, received_at: OffsetDateTime) -> NewEvent {
    // Drawn only when missing: most senders give one, and drawing costs a system call.
    if event.message_id().is_none() {
        event.assign_message_id(ids::new_id());
    }
    let timing = event.stamp(received_at);
    let problems = event
        .problems()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let event_type = match event.payload().get("type") {
        Some(Value::String(kind)) => kind.clone(),
        _ => String::new(),
    };
    NewEvent {
        message_id: event.message_id().unwrap_or_default(),
        event_type,
        event: event.label().map(str::to_owned),
        user_id: event.user_id(),
        anonymous_id: event.anonymous_id(),
        received_at: timing.received_at,
        timestamp: Some(timing.timestamp),
        problems,
        payload: event.into_payload().to_string(),
    }
}

/// `POST /v1/<call>`: one request's events, stored in one transaction (kept as the
/// server's `--event-retention` says) and published to `eventReceived`.
async fn collect(
    State(houston): State<Houston>,
    Path(call): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received_at = OffsetDateTime::now_utc();
    let Some(call) = Call::from_path(&call) else {
        return if call == "m" {
            success()
        } else {
            refusal(
                StatusCode::NOT_FOUND,
                "unknown_path",
                "No such collector path.",
            )
        };
    };
    let basic = basic_write_key(&headers);
    // Checked before the body is read, so that an unknown key costs no decompression.
    let mut source = None;
    if let Some(key) = &basic {
        match source_of(&houston, key).await {
            Ok(Some(app)) => source = Some(app),
            Ok(None) => return unauthorized("The write key names no source."),
            Err(res) => return res,
        }
    }
    let parsed = decoded_body(&headers, body).and_then(|bytes| parse_request(call, &bytes));
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return bad_body(&error),
    };
    let source = match (source, parsed.write_key) {
        (Some(app), _) => app,
        (None, Some(key)) => match source_of(&houston, &key).await {
            Ok(Some(app)) => app,
            Ok(None) => return unauthorized("The write key names no source."),
            Err(res) => return res,
        },
        (None, None) => {
            return unauthorized(
                "Send the write key as HTTP Basic (the key as user name) or as writeKey.",
            )
        }
    };
    let events: Vec<NewEvent> = parsed
        .events
        .into_iter()
        .map(|event| new_event(event, received_at))
        .collect();
    match houston
        .state()
        .events
        .record(&source.org_id, &source.id, events)
        .await
    {
        Ok(_) => success(),
        // The source was deleted between the check and the write.
        Err(StoreError::NotFound) => unauthorized("The write key names no source."),
        Err(error) => store_failure(&error),
    }
}

/// `GET /v1/projects/<writeKey>/settings`: what analytics.js loads before it sends
/// anything; its Segment.io destination is pointed at this server's `/v1`.
async fn settings(
    State(houston): State<Houston>,
    Path(write_key): Path<String>,
    headers: HeaderMap,
) -> Response {
    match source_exists(&houston, &write_key).await {
        Ok(true) => {}
        Ok(false) => {
            return refusal(
                StatusCode::NOT_FOUND,
                "unknown_write_key",
                "The write key names no source.",
            )
        }
        Err(res) => return res,
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    // Behind a TLS-terminating proxy the page must post over https.
    let protocol = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some(p) if p.trim().eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    axum::Json(settings_json(&write_key, host, protocol)).into_response()
}

/// analytics.js's settings (`LegacySettings` in analytics-next): only the Segment.io
/// destination, every event allowed, no remote plugins, metrics off.
fn settings_json(write_key: &str, host: &str, protocol: &str) -> Value {
    json!({
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": format!("{host}/v1"),
                "protocol": protocol,
                "unbundledIntegrations": [],
                "addBundledMetadata": true,
                "maybeBundledConfigIds": {},
                "versionSettings": { "version": "4.4.7", "componentTypes": ["browser"] }
            }
        },
        "plan": {
            "track": { "__default": { "enabled": true, "integrations": {} } },
            "identify": { "__default": { "enabled": true } },
            "group": { "__default": { "enabled": true } }
        },
        "edgeFunction": {},
        "analyticsNextEnabled": true,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": { "sampleRate": 0 },
        "legacyVideoPluginsEnabled": false,
        "remotePlugins": []
    })
}
