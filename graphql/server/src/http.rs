//! HTTP: `POST /graphql` (JSON only), `GET /graphql` (queries only, or GraphiQL for a
//! browser), `/graphql/ws` (graphql-transport-ws), and the collector's `/v1/…`
//! ([`crate::collector`]), all behind a `Host` allow-list; only the collector's paths
//! accept requests from other origins.

use crate::access::{ClientAddr, RequestAuth};
use crate::collector;
use crate::Houston;
use async_graphql::http::{GraphiQLSource, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, Data};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, Extension, RawQuery, Request, State, WebSocketUpgrade,
};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use std::time::Instant;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The most operations in one batched request.
pub const MAX_BATCH: usize = 10;

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
    let allow = HostAllowList::new(hosts);
    Router::new()
        .route("/graphql", get(get_graphql).post(post_graphql))
        .route("/graphql/ws", get(websocket))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(collector::routes())
        .layer(middleware::from_fn_with_state(allow, check_host))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn(client_addr))
        .with_state(houston)
}

/// Notes where the request came from (the connection's peer, when the listener tells),
/// for the resolvers: sign-in attempts are counted per client.
async fn client_addr(mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    req.extensions_mut().insert(ClientAddr(peer));
    next.run(req).await
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

/// What every answer says about itself: never sniff its type; GraphQL answers (tokens,
/// API keys, private data) are never stored by a browser or proxy cache.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// GraphiQL's page may not be framed (click-jacking), and runs only its own inline code and
/// the GraphiQL scripts it names (served from unpkg.com by async-graphql's page).
const GRAPHIQL_CSP: &str = "default-src 'none'; \
    script-src 'unsafe-inline' https://unpkg.com; \
    style-src 'unsafe-inline' https://unpkg.com; \
    img-src data: https://unpkg.com https://graphql.org; \
    font-src data: https://unpkg.com; \
    connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

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

fn json_response(headers: &HeaderMap, body: String, request_failed: bool) -> Response {
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

/// The answer to one operation. A request that never executed has no `data` entry with
/// the newer media type (GraphQL over HTTP), and `"data": null` with plain JSON, as the
/// original clients expect.
fn single_response(headers: &HeaderMap, res: &async_graphql::Response) -> Response {
    let failed = never_executed(res);
    // Serialized straight from the response: a serde_json::Value would sort the fields,
    // and clients read them in the order their query asked for.
    let body = if failed && wants_graphql_response(headers) {
        serde_json::to_string(&serde_json::json!({ "errors": res.errors }))
    } else {
        serde_json::to_string(res)
    };
    json_response(headers, body.unwrap_or_default(), failed)
}

async fn post_graphql(
    State(houston): State<Houston>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
            let res = houston.schema().execute(req.data(auth).data(client)).await;
            single_response(&headers, &res)
        }
        BatchRequest::Batch(reqs) => {
            if reqs.len() > MAX_BATCH || reqs.is_empty() {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &format!("A batch holds 1 to {MAX_BATCH} operations."),
                    "BATCH_TOO_LARGE",
                );
            }
            let mut out = Vec::with_capacity(reqs.len());
            for req in reqs {
                out.push(
                    houston
                        .schema()
                        .execute(req.data(auth.clone()).data(client))
                        .await,
                );
            }
            json_response(
                &headers,
                serde_json::to_string(&out).unwrap_or_default(),
                false,
            )
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

/// The operation a GET would run is a mutation (or a subscription): refused.
fn is_not_a_query(req: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&req.query) else {
        return false; // let execution report the syntax error
    };
    let ty = match (&doc.operations, req.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    matches!(
        ty,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

async fn get_graphql(
    State(houston): State<Houston>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let accepts_html = header_str(&headers, "accept").is_some_and(|a| a.contains("text/html"));
    if query.is_empty() {
        if accepts_html {
            return (
                [(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(GRAPHIQL_CSP),
                )],
                Html(
                    GraphiQLSource::build()
                        .endpoint("/graphql")
                        .subscription_endpoint("/graphql/ws")
                        .title("Houston")
                        .finish(),
                ),
            )
                .into_response();
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
    let res = houston.schema().execute(req.data(auth).data(client)).await;
    single_response(&headers, &res)
}

async fn websocket(
    State(houston): State<Houston>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = houston.schema().clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    // The credentials come in the connection_init payload, as headers would.
                    let field = |name: &str| {
                        payload
                            .get(name)
                            .or_else(|| payload.get("headers").and_then(|h| h.get(name)))
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                    };
                    let auth = RequestAuth::resolve(
                        houston.state(),
                        field("authorization").as_deref(),
                        field("organization").as_deref(),
                    )
                    .await;
                    let mut data = Data::default();
                    data.insert(auth);
                    Ok(data)
                })
                .serve()
        })
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
