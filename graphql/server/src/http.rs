//! HTTP: `POST /graphql` (JSON only), `GET /graphql` (queries only, or GraphiQL for a
//! browser, its files under `/graphiql/`: [`crate::graphiql`]), `/graphql/ws`
//! (graphql-transport-ws), the collector's `/v1/…` ([`crate::collector`]), and the pages
//! mailed links open ([`crate::pages`]), all behind a `Host` allow-list; only the collector's paths
//! accept requests from other origins.

use crate::access::Principal;
use crate::access::RequestAuth;
use crate::schema::Budget;
use crate::throttle::{client_ip, ClientIp, Rate};
use crate::Houston;
use crate::{answers, collector, listener, pages};
use async_graphql::http::{WebSocketProtocols, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::BatchRequest;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The most operations in one batched request.
pub const MAX_BATCH: usize = 10;
/// The largest WebSocket message (and frame) accepted.
pub const MAX_WS_MESSAGE_BYTES: usize = 1024 * 1024;
/// The largest answer sent for one request, its batch included (the whole catalog with
/// every form field is 7.6 MB).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// `Host` values a request may name: loopback names on any port, plus configured ones.
/// A DNS-rebinding page reaches a loopback server under its own host name, which is
/// refused here.
#[derive(Clone, Debug)]
pub struct HostAllowList(Arc<Vec<String>>);

impl HostAllowList {
    /// Loopback names, plus `extra` (`host` or `host:port`, compared case-insensitively).
    pub fn new(extra: Vec<String>) -> Self {
        HostAllowList(Arc::new(
            extra.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
        ))
    }

    /// Whether a `Host` header value is accepted.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, _) = split_authority(&host);
        is_loopback(name) || self.0.iter().any(|h| *h == host || h == name)
    }

    /// Whether a browser page of `origin` may drive the server that the request reached as
    /// `host` (already allowed). The whole origin counts: a scheme of HTTP(S), no path, and
    /// the listener's own authority: the name and port the request came to, or the same
    /// port under another loopback name. A page of another port on the same machine (a
    /// development server on `localhost:3000`) is another origin. The scheme is not
    /// compared with the listener's: behind a TLS proxy pages are `https` and the
    /// listener plain HTTP.
    pub fn allows_origin(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let default_port = match scheme {
            "http" => "80",
            "https" => "443",
            _ => return false,
        };
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return false;
        }
        let host = host.trim().to_ascii_lowercase();
        let port = |p: Option<&str>| p.filter(|p| *p != default_port).map(str::to_string);
        let (o_name, o_port) = split_authority(authority);
        let (h_name, h_port) = split_authority(&host);
        self.allows(authority)
            && port(o_port) == port(h_port)
            && (o_name == h_name || (is_loopback(o_name) && is_loopback(h_name)))
    }
}

/// A `host[:port]` (or `[v6]:port`) split into its name and port.
fn split_authority(authority: &str) -> (&str, Option<&str>) {
    match authority.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, tail)) => (name, tail.strip_prefix(':')),
            None => (rest, None),
        },
        None => match authority.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        },
    }
}

fn is_loopback(name: &str) -> bool {
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

/// The routes, with the hosts configured on the server.
pub fn router(houston: Houston) -> Router {
    let hosts = houston.allowed_hosts().to_vec();
    router_with_hosts(houston, hosts)
}

/// The routes, accepting loopback names and `hosts`.
pub fn router_with_hosts(houston: Houston, hosts: Vec<String>) -> Router {
    let routes = Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .route("/graphql/ws", get(websocket))
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages::routes())
        .merge(crate::graphiql::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(collector::routes());
    guarded(routes, houston, hosts)
}

/// The collector's routes and the mailed links' pages, accepting loopback names and
/// `hosts`: what the desktop app serves on its loopback collector port unless asked to
/// serve the API there too. The pages are there because the bundled server's mails link
/// to this port (a page acts only with its link's one-use token, as on a remote server).
pub fn collector_router_with_hosts(houston: Houston, hosts: Vec<String>) -> Router {
    let routes = pages::routes()
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(collector::routes());
    guarded(routes, houston, hosts)
}

/// `routes` behind the `Host` and `Origin` checks, with the security headers and the
/// request log.
fn guarded(routes: Router<Houston>, houston: Houston, hosts: Vec<String>) -> Router {
    let allow = HostAllowList::new(hosts);
    let limits = houston.state().throttle.limits();
    let (timeout, proxies) = (
        limits.request_timeout,
        Arc::new(limits.trusted_proxies.clone()),
    );
    routes
        .layer(middleware::from_fn_with_state(allow, check_host))
        .layer(middleware::from_fn_with_state(proxies, identify_client))
        .layer(middleware::from_fn_with_state(timeout, time_limit))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(houston)
}

async fn check_host(State(allow): State<HostAllowList>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .filter(|h| allow.allows(h))
        .map(str::to_string);
    let Some(host) = host else {
        return error_response(
            StatusCode::MISDIRECTED_REQUEST,
            "This server does not answer to that host name.",
            "BAD_HOST",
        );
    };
    // A browser page from elsewhere may not drive this server: its Origin must be ours.
    // The collector's paths are the exception: pages on any site post events to them.
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .filter(|_| !collector::is_collector_path(req.uri().path()))
        .and_then(|o| o.to_str().ok())
    {
        if !allow.allows_origin(origin, &host) {
            return error_response(
                StatusCode::FORBIDDEN,
                "Cross-origin requests are not accepted.",
                "BAD_ORIGIN",
            );
        }
    }
    next.run(req).await
}

/// A request that takes longer than `limit` (a body trickled in, or slow work) is answered
/// 408 and its work dropped. A WebSocket is past this once upgraded.
async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = error_response(
                StatusCode::REQUEST_TIMEOUT,
                "The request took too long.",
                "TIMEOUT",
            );
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

/// Records the client ([`ClientIp`]) of a request that came through the listener:
/// `X-Forwarded-For` counts only from the trusted proxies.
async fn identify_client(
    State(proxies): State<Arc<Vec<IpAddr>>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(peer) = listener::peer(&req) {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = client_ip(peer.ip(), forwarded, &proxies);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// Takes `n` anonymous operations from the client's rate, when the caller is anonymous:
/// the 429 answer once the client has used it up.
pub(crate) fn anonymous_rate(
    houston: &Houston,
    auth: &RequestAuth,
    client: Option<ClientIp>,
    n: usize,
) -> Option<Response> {
    let (Principal::Anonymous | Principal::Rejected(_), Some(ClientIp(ip))) =
        (&auth.principal, client)
    else {
        return None;
    };
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    if houston
        .state()
        .throttle
        .take(Rate::Anonymous, &ip.to_string(), n)
    {
        return None;
    }
    tracing::warn!("anonymous requests throttled for one client");
    let mut res = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests from this address; wait a minute and try again.",
        "RATE_LIMITED",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    Some(res)
}

/// What every answer says about itself: never sniff its type; GraphQL answers (tokens,
/// API keys, private data) are never stored by a browser or proxy cache. analytics.js's
/// files are the exception: public, and cached as [`crate::analytics_js`] says.
async fn security_headers(req: Request, next: Next) -> Response {
    let public_file = crate::analytics_js::is_asset_path(req.uri().path());
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !public_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// One line per request: method, path, status, time. Never headers or bodies, which carry
/// tokens and passwords.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    res
}

fn error_response(status: StatusCode, message: &str, code: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn auth_of(houston: &Houston, headers: &HeaderMap) -> RequestAuth {
    RequestAuth::resolve(
        houston.state(),
        header_str(headers, "authorization"),
        header_str(headers, "organization"),
    )
    .await
}

fn wants_graphql_response(headers: &HeaderMap) -> bool {
    header_str(headers, "accept").is_some_and(|a| a.contains("application/graphql-response+json"))
}

fn json_response(headers: &HeaderMap, body: Bytes, request_failed: bool) -> Response {
    // With the newer media type, a request that never executed is a 400 (GraphQL over HTTP).
    let (status, ctype) = if wants_graphql_response(headers) {
        let status = if request_failed {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        (status, "application/graphql-response+json; charset=utf-8")
    } else {
        (StatusCode::OK, "application/json; charset=utf-8")
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ctype))],
        body,
    )
        .into_response()
}

fn never_executed(r: &async_graphql::Response) -> bool {
    r.is_err() && matches!(r.data, async_graphql::Value::Null)
}

/// One answer, serialized, and whether it never executed. Alone, with the newer media
/// type, such an answer has no `data` entry (GraphQL over HTTP); otherwise (plain JSON, or
/// in a batch) it has `"data": null`, as the original clients expect. Serialized straight
/// from the response: a serde_json::Value would sort the fields, and clients read them in
/// the order their query asked for.
fn serialize(headers: &HeaderMap, res: &async_graphql::Response, alone: bool) -> (Bytes, bool) {
    let failed = never_executed(res);
    let body = if failed && alone && wants_graphql_response(headers) {
        serde_json::to_vec(&serde_json::json!({ "errors": res.errors }))
    } else {
        serde_json::to_vec(res)
    };
    (Bytes::from(body.unwrap_or_default()), failed)
}

/// The answer to one operation: the kept catalog answer when there is one, else executed
/// within the request's `budget` (and kept when it is a catalog answer).
async fn answer(
    houston: &Houston,
    headers: &HeaderMap,
    req: async_graphql::Request,
    auth: RequestAuth,
    client: Option<ClientIp>,
    budget: &Arc<Budget>,
    alone: bool,
) -> (Bytes, bool) {
    let key = answers::Key::of_catalog_request(&req);
    if let Some(kept) = key.as_ref().and_then(|k| houston.catalog_answers().get(k)) {
        return (kept, false);
    }
    let mut req = req.data(auth).data(budget.clone());
    if let Some(client) = client {
        req = req.data(client);
    }
    let res = houston.schema().execute(req).await;
    let (body, failed) = serialize(headers, &res, alone);
    if let Some(key) = key.filter(|_| res.errors.is_empty()) {
        houston.catalog_answers().keep(key, body.clone());
    }
    (body, failed)
}

/// The answer to a request whose answer passed [`MAX_RESPONSE_BYTES`].
fn too_large(headers: &HeaderMap, bytes: usize, alone: bool) -> (Bytes, bool) {
    let mut error = async_graphql::ServerError::new(
        format!(
            "The answer would be {bytes} bytes or more; at most {MAX_RESPONSE_BYTES} are sent \
             for one request. Ask for fewer fields, or filter the lists."
        ),
        None,
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "QUERY_TOO_LARGE");
    serialize(
        headers,
        &async_graphql::Response::from_errors(vec![error]),
        alone,
    )
}

/// One operation's answer as an HTTP response.
async fn single_answer(
    houston: &Houston,
    headers: &HeaderMap,
    req: async_graphql::Request,
    auth: RequestAuth,
    client: Option<ClientIp>,
) -> Response {
    if let Some(refused) = anonymous_rate(houston, &auth, client, 1) {
        return refused;
    }
    let (mut body, mut failed) =
        answer(houston, headers, req, auth, client, &Budget::new(), true).await;
    if body.len() > MAX_RESPONSE_BYTES {
        (body, failed) = too_large(headers, body.len(), true);
    }
    json_response(headers, body, failed)
}

async fn post_graphql(
    State(houston): State<Houston>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = client.map(|Extension(c)| c);
    let ctype = header_str(&headers, "content-type").unwrap_or("");
    let essence = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && essence != "application/graphql-response+json" {
        // Forms and text/plain are what a cross-site page can send without a preflight.
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the request as application/json.",
            "UNSUPPORTED_MEDIA_TYPE",
        );
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "The body is not a GraphQL request: expected {\"query\": …}.",
                "BAD_REQUEST",
            )
        }
    };
    let auth = auth_of(&houston, &headers).await;
    match batch {
        BatchRequest::Single(req) => {
            if req.query.trim().is_empty() {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    "The request has no query.",
                    "BAD_REQUEST",
                );
            }
            single_answer(&houston, &headers, req, auth, client).await
        }
        BatchRequest::Batch(reqs) => {
            if reqs.len() > MAX_BATCH || reqs.is_empty() {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &format!("A batch holds 1 to {MAX_BATCH} operations."),
                    "BATCH_TOO_LARGE",
                );
            }
            if let Some(refused) = anonymous_rate(&houston, &auth, client, reqs.len()) {
                return refused;
            }
            // One budget for the whole batch: ten documents cost what one may.
            let budget = Budget::new();
            let mut out = Vec::with_capacity(reqs.len());
            let mut bytes = 0;
            for req in reqs {
                let (body, _) = answer(
                    &houston,
                    &headers,
                    req,
                    auth.clone(),
                    client,
                    &budget,
                    false,
                )
                .await;
                bytes += body.len() + 1;
                if bytes > MAX_RESPONSE_BYTES {
                    let (body, failed) = too_large(&headers, bytes, true);
                    return json_response(&headers, body, failed);
                }
                out.push(body);
            }
            let mut joined = Vec::with_capacity(bytes + 1);
            joined.push(b'[');
            for (i, body) in out.iter().enumerate() {
                if i > 0 {
                    joined.push(b',');
                }
                joined.extend_from_slice(body);
            }
            joined.push(b']');
            json_response(&headers, Bytes::from(joined), false)
        }
    }
}

/// A request from `?query=…&operationName=…&variables=…` (GraphQL over HTTP's names;
/// async-graphql's own parser expects `operation_name`).
fn request_from_query_string(qs: &str) -> Option<async_graphql::Request> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Params {
        query: String,
        operation_name: Option<String>,
        variables: Option<String>,
    }
    let p: Params = serde_urlencoded::from_str(qs).ok()?;
    let mut req = async_graphql::Request::new(p.query);
    if let Some(name) = p.operation_name.filter(|n| !n.is_empty()) {
        req = req.operation_name(name);
    }
    if let Some(vars) = p.variables.filter(|v| !v.is_empty()) {
        let json: serde_json::Value = serde_json::from_str(&vars).ok()?;
        req = req.variables(async_graphql::Variables::from_json(json));
    }
    Some(req)
}

/// The type of the operation `req` would run; `None` when the document does not parse or
/// does not say which operation (execution then reports it).
pub(crate) fn operation_type(req: &async_graphql::Request) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(&req.query).ok()?;
    match (&doc.operations, req.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

/// The operation a GET would run is a mutation (or a subscription): refused.
fn is_not_a_query(req: &async_graphql::Request) -> bool {
    matches!(
        operation_type(req),
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

async fn get_graphql(
    State(houston): State<Houston>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let accepts_html = header_str(&headers, "accept").is_some_and(|a| a.contains("text/html"));
    if query.is_empty() {
        if accepts_html {
            return crate::graphiql::page();
        }
        return error_response(
            StatusCode::BAD_REQUEST,
            "The request has no query.",
            "BAD_REQUEST",
        );
    }
    let Some(req) = request_from_query_string(&query) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "The query string is not a GraphQL request.",
            "BAD_REQUEST",
        );
    };
    if is_not_a_query(&req) {
        let mut res = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "Mutations must be sent with POST.",
            "METHOD_NOT_ALLOWED",
        );
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    let auth = auth_of(&houston, &headers).await;
    single_answer(&houston, &headers, req, auth, client.map(|Extension(c)| c)).await
}

/// `/graphql/ws`: subscriptions only, within [`crate::socket`]'s bounds.
async fn websocket(State(houston): State<Houston>, upgrade: WebSocketUpgrade) -> Response {
    let upgrade = upgrade
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .protocols(ALL_WEBSOCKET_PROTOCOLS);
    let protocol = upgrade
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(|p| p.parse::<WebSocketProtocols>().ok());
    let Some(protocol) = protocol else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "Ask for the graphql-transport-ws (or graphql-ws) subprotocol.",
            "BAD_REQUEST",
        );
    };
    upgrade.on_upgrade(move |socket| crate::socket::serve(houston, socket, protocol))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_allow_list() {
        let allow = HostAllowList::new(vec!["houston.example.org".into()]);
        for ok in [
            "localhost",
            "localhost:8871",
            "127.0.0.1:1",
            "[::1]:8871",
            "HOUSTON.example.org",
            "houston.example.org:443",
        ] {
            assert!(allow.allows(ok), "{ok} is ours");
        }
        for bad in [
            "evil.com",
            "127.0.0.1.evil.com",
            "localhost.evil.com:80",
            "",
            "[::2]:1",
        ] {
            assert!(!allow.allows(bad), "{bad} must be refused (DNS rebinding)");
        }
    }

    #[test]
    fn origins_are_compared_whole() {
        let allow = HostAllowList::new(vec!["houston.example.org".into()]);
        for (origin, host) in [
            ("http://localhost:8871", "127.0.0.1:8871"),
            ("http://[::1]:8871", "localhost:8871"),
            ("https://houston.example.org", "houston.example.org"),
            ("https://houston.example.org", "HOUSTON.example.org:443"),
        ] {
            assert!(allow.allows_origin(origin, host), "{origin} via {host}");
        }
        for (origin, host) in [
            ("http://localhost:3000", "127.0.0.1:8871"),
            ("http://localhost", "127.0.0.1:8871"),
            ("null", "127.0.0.1:8871"),
            ("ftp://127.0.0.1:8871", "127.0.0.1:8871"),
            ("http://127.0.0.1:8871/x", "127.0.0.1:8871"),
            ("https://evil.example", "houston.example.org"),
            ("https://houston.example.org:8443", "houston.example.org"),
            ("http://localhost:8871", "houston.example.org"),
        ] {
            assert!(!allow.allows_origin(origin, host), "{origin} via {host}");
        }
    }
}
