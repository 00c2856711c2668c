//! The bundled server's collector on a loopback port, where SDKs on this machine send
//! events, and the test events the app itself posts there exactly as an SDK would.

use houston_client::vocabulary::ErrorCode;
use houston_client::CommandError;
use houston_server::Houston;
use serde_json::Value;
use tokio::sync::oneshot;

/// The collector's port unless the settings say otherwise.
pub const DEFAULT_PORT: u16 = 8871;
/// How many ports from the wanted one are tried before giving up.
const PORTS_TRIED: u16 = 32;
/// How long [`Collector::stop`] waits for open connections to end.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// The calls an event's `type` may name (Segment's spec).
const EVENT_TYPES: [&str; 6] = ["track", "identify", "page", "screen", "group", "alias"];

/// A listening collector; dropping it stops the listener.
pub struct Collector {
    /// The port the settings asked for.
    asked: u16,
    /// The port it listens on.
    port: u16,
    with_api: bool,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<()>,
}

impl Collector {
    /// Listens on `127.0.0.1:<port>`, or the next free port, serving only the collector's
    /// paths unless `with_api`.
    pub async fn start(houston: Houston, port: u16, with_api: bool) -> Result<Self, CommandError> {
        let mut last_error = None;
        for candidate in (port..=u16::MAX).take(PORTS_TRIED as usize) {
            match tokio::net::TcpListener::bind(("127.0.0.1", candidate)).await {
                Ok(listener) => {
                    let (stop, stopped) = oneshot::channel::<()>();
                    let houston = houston.clone();
                    let serving = tokio::spawn(async move {
                        let shutdown = async move {
                            let _ = stopped.await;
                        };
                        if let Err(error) =
                            houston.serve_collector(listener, with_api, shutdown).await
                        {
                            tracing::error!(%error, "the collector stopped");
                        }
                    });
                    tracing::info!(port = candidate, with_api, "the collector listens");
                    return Ok(Collector {
                        asked: port,
                        port: candidate,
                        with_api,
                        stop,
                        serving,
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(CommandError::new(
            ErrorCode::Internal,
            format!(
                "The collector found no free port from {port}: {}",
                last_error.map(|e| e.to_string()).unwrap_or_default()
            ),
        ))
    }

    /// Stops listening, and waits (a moment at most) until the port is free again.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(STOP_WAIT, self.serving).await;
    }

    /// Whether this collector is what the settings ask for.
    pub fn is(&self, port: u16, with_api: bool) -> bool {
        self.with_api == with_api && self.asked == port
    }

    /// The address SDKs send to: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The address of the collector of a remote Houston: its endpoint without `/graphql`.
pub fn remote_base(endpoint: &str) -> String {
    endpoint
        .trim_end_matches('/')
        .trim_end_matches("/graphql")
        .to_owned()
}

/// The HTTP client of the test events: one per process, so that sending events one after
/// another reuses its connection pool and TLS setup; a collector that does not answer is
/// given up after [`SEND_TIMEOUT`].
fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .build()
            .unwrap_or_default()
    })
}

/// How long one test event may take to be accepted.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Posts `event` to `<base_url>/v1/<type>` with `write_key` as HTTP Basic, as Segment's
/// SDKs do; the collector's refusal (its `message`) is the error.
pub async fn send_event(base_url: &str, write_key: &str, event: Value) -> Result<(), CommandError> {
    let invalid = |m: &str| CommandError::new(ErrorCode::InvalidInput, m);
    let kind = event
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| EVENT_TYPES.contains(t))
        .ok_or_else(|| {
            invalid("Choose the event's type: track, identify, page, screen, group or alias.")
        })?
        .to_owned();
    let url = format!("{}/v1/{kind}", base_url.trim_end_matches('/'));
    let response = client()
        .post(url)
        .basic_auth(write_key, Some(""))
        .json(&event)
        .send()
        .await
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Unreachable,
                format!("The collector cannot be reached: {e}"),
            )
        })?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    let message = answer
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("The collector answered {status}."));
    Err(CommandError::new(ErrorCode::InvalidInput, message))
}
