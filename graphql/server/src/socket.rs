//! The WebSocket (`/graphql/ws`: graphql-transport-ws, and the older graphql-ws): a socket
//! carries subscriptions only, for a signed-in caller, within bounds no real window
//! reaches. The numbers are constants, not settings: a window holds one socket with a
//! subscription per source it shows; these stop a script, not a person.

use crate::access::{Principal, RequestAuth};
use crate::schema::HoustonSchema;
use crate::{clock, AppState, Houston};
use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, ServerError};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{self, BoxStream};
use futures_util::{future, SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// The most subscriptions one socket carries at once.
pub const MAX_SUBSCRIPTIONS_PER_SOCKET: usize = 64;
/// The most sockets one person or API key holds open on one server at once.
pub const MAX_SOCKETS_PER_PRINCIPAL: usize = 32;
/// How long a socket may take to send `connection_init` and be acknowledged; then it is
/// closed with 4408 (graphql-transport-ws's "Connection initialisation timeout").
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a subscriber trusts what it last read of its caller (the account, the key, the
/// membership): a person signed out, disabled or removed hears at most this much more.
/// Reading it for every event would cost each subscriber store reads at the rate events
/// arrive.
pub const RECHECK: Duration = Duration::from_secs(1);

/// Open sockets per principal, and how often subscribers read the store to re-check their
/// right to what they hear.
#[derive(Default)]
pub struct Sockets {
    open: Arc<Mutex<HashMap<String, usize>>>,
    rechecks: AtomicU64,
}

/// One socket's place among its principal's ([`Sockets::admit`]); dropping it frees it.
pub struct SocketSlot {
    principal: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.principal) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.principal);
            }
        }
    }
}

impl Sockets {
    /// A place for one more socket of `principal` (a person or an API key), or `None` when
    /// it already holds [`MAX_SOCKETS_PER_PRINCIPAL`] (or is nobody).
    pub fn admit(&self, principal: &Principal) -> Option<SocketSlot> {
        let principal = match principal {
            Principal::User(u) => format!("user:{}", u.id),
            Principal::ApiKey(k) => format!("key:{}", k.id),
            Principal::Anonymous | Principal::Rejected(_) => return None,
        };
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(principal.clone()).or_insert(0);
        if *n >= MAX_SOCKETS_PER_PRINCIPAL {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            principal,
            open: self.open.clone(),
        })
    }

    /// Counts one store read a subscriber made to re-check its right to an event.
    pub(crate) fn count_recheck(&self) {
        self.rechecks.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times subscribers have read the store to re-check their right to an event
    /// (for tests and diagnostics: an event no subscriber may hear costs none).
    pub fn rechecks(&self) -> u64 {
        self.rechecks.load(Ordering::Relaxed)
    }
}

/// What `connection_init` admitted: the socket's place among its principal's, and when its
/// credentials stop holding.
struct Admitted {
    _slot: SocketSlot,
    valid_until: Option<i64>,
}

type Admission = Arc<Mutex<Option<Admitted>>>;

/// Serves one upgraded socket: a `connection_init` within [`INIT_TIMEOUT`] naming a person
/// or key that holds fewer than [`MAX_SOCKETS_PER_PRINCIPAL`] sockets, then subscriptions
/// only, at most [`MAX_SUBSCRIPTIONS_PER_SOCKET`] at once, until the client leaves or the
/// credentials expire (closed with 4401).
pub async fn serve(houston: Houston, socket: WebSocket, protocol: WebSocketProtocols) {
    let (mut sink, input) = socket.split();
    let input = input
        .take_while(|m| future::ready(m.is_ok()))
        .filter_map(|m| {
            future::ready(match m {
                Ok(m @ (Message::Text(_) | Message::Binary(_))) => Some(m.into_data()),
                _ => None,
            })
        });
    let admission = Admission::default();
    let executor = Subscriptions {
        schema: houston.schema().clone(),
        open: Arc::default(),
    };
    let answers = async_graphql::http::WebSocket::new(executor, input, protocol)
        .on_connection_init(init(houston.state().clone(), admission.clone()))
        .map(|m| match m {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => close(code, &reason),
        });
    futures_util::pin_mut!(answers);
    let init_deadline = Instant::now() + INIT_TIMEOUT;
    // `None` until acknowledged; then when the credentials expire, if they do.
    let mut expiry: Option<Option<Instant>> = None;
    loop {
        let deadline = expiry.unwrap_or(Some(init_deadline));
        let message = tokio::select! {
            m = answers.next() => match m {
                Some(m) => m,
                None => break,
            },
            () = until(deadline) => match expiry {
                None => close(4408, "Connection initialisation timeout"),
                Some(_) => close(4401, "The credentials expired: sign in again."),
            },
        };
        let closing = matches!(message, Message::Close(_));
        if sink.send(message).await.is_err() || closing {
            break;
        }
        if expiry.is_none() {
            let admitted = admission.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(a) = admitted.as_ref() {
                expiry = Some(a.valid_until.map(instant_of));
            }
        }
    }
}

/// The server's close frame.
fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Waits until `deadline`, or for ever.
async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => future::pending().await,
    }
}

/// The moment of a unix time, on the runtime's clock.
fn instant_of(unix: i64) -> Instant {
    let left = unix.saturating_sub(clock::now().unix_timestamp()).max(0);
    Instant::now() + Duration::from_secs(left.unsigned_abs())
}

/// The `connection_init` handler: the credentials come in its payload, as headers would
/// (`authorization`, `organization`, at the top or under `headers`). Anonymous, expired
/// or over the cap of sockets: refused, and the socket closed.
fn init(
    state: Arc<AppState>,
    admission: Admission,
) -> impl FnOnce(serde_json::Value) -> BoxFuture<async_graphql::Result<Data>> + Send + 'static {
    move |payload| {
        Box::pin(async move {
            let field = |name: &str| {
                payload
                    .get(name)
                    .or_else(|| payload.get("headers").and_then(|h| h.get(name)))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let auth = RequestAuth::resolve(
                &state,
                field("authorization").as_deref(),
                field("organization").as_deref(),
            )
            .await;
            if !matches!(auth.principal, Principal::User(_) | Principal::ApiKey(_)) {
                return Err(async_graphql::Error::new(
                    "Sign in first: send a valid authorization in connection_init.",
                ));
            }
            if auth.expired() {
                return Err(async_graphql::Error::new(
                    "The credentials expired: sign in again.",
                ));
            }
            let Some(slot) = state.sockets.admit(&auth.principal) else {
                tracing::warn!("a WebSocket refused: its person or key holds the most sockets");
                return Err(async_graphql::Error::new(format!(
                    "Too many open sockets for this account (at most \
                     {MAX_SOCKETS_PER_PRINCIPAL}): close one first."
                )));
            };
            *admission.lock().unwrap_or_else(PoisonError::into_inner) = Some(Admitted {
                _slot: slot,
                valid_until: auth.valid_until,
            });
            let mut data = Data::default();
            data.insert(auth);
            Ok(data)
        })
    }
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// The schema as one socket may use it: subscriptions only, counted.
#[derive(Clone)]
struct Subscriptions {
    schema: HoustonSchema,
    /// The socket's subscriptions running now.
    open: Arc<AtomicUsize>,
}

/// One running subscription of a socket; dropping it (the subscription ended or was
/// stopped) frees its place.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for Subscriptions {
    fn execute(&self, _request: Request) -> impl std::future::Future<Output = Response> + Send {
        future::ready(subscriptions_only())
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        // A document that does not parse or names no operation is the schema's to refuse.
        if matches!(
            crate::http::operation_type(&request),
            Some(OperationType::Query | OperationType::Mutation)
        ) {
            return stream::once(future::ready(subscriptions_only())).boxed();
        }
        if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_SUBSCRIPTIONS_PER_SOCKET {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return stream::once(future::ready(refusal(
                format!(
                    "At most {MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions run on one socket: \
                     stop one first."
                ),
                "TOO_MANY_SUBSCRIPTIONS",
            )))
            .boxed();
        }
        let running = Running(self.open.clone());
        Executor::execute_stream(&self.schema, request, session_data)
            .map(move |answer| {
                // The place is held for as long as the stream lives.
                let _ = &running;
                answer
            })
            .boxed()
    }
}

fn subscriptions_only() -> Response {
    refusal(
        "The WebSocket serves subscriptions only: send queries and mutations with POST \
         /graphql."
            .into(),
        "SUBSCRIPTIONS_ONLY",
    )
}

/// An answer of one error with `code`.
fn refusal(message: String, code: &str) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![error])
}
