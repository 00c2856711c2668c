//! [`WsSubscription`]: one GraphQL subscription to a remote Houston over
//! graphql-transport-ws (`/graphql/ws`), reconnecting with backoff when the socket drops.
//!
//! The credentials go in `connection_init`'s payload (`authorization`, `organization`), as
//! the server reads them; a server that refuses them closes the socket before
//! `connection_ack`, and that refusal ends the subscription instead of being retried.
//! `wss://` is TLS with rustls and the webpki roots (as [`crate::HttpTransport`]'s reqwest).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use houston_vocabulary::ErrorCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::ClientError;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long opening a socket (connect, TLS, upgrade, `connection_ack`) may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait before reconnecting; it doubles on each failed attempt.
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// The longest wait between two attempts.
const LAST_RETRY: Duration = Duration::from_secs(30);
/// The subscription's id on the socket (one subscription per socket).
const ID: &str = "1";

/// What [`WsSubscription::next`] hands over.
#[derive(Clone, Debug, PartialEq)]
pub enum Live {
    /// One answer of the subscription (`{"data"}`, or `{"errors"}` when the server ended
    /// it with an error; nothing follows that one).
    Answer(Value),
    /// The socket dropped; the next attempt is in `retry_in`. Answers sent meanwhile are
    /// not seen.
    Reconnecting {
        /// Why it dropped, or why the last attempt failed.
        why: String,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
    /// Subscribed again after [`Live::Reconnecting`].
    Reconnected,
    /// The server refused the credentials on a new socket: the subscription has ended.
    Refused(ClientError),
}

/// The WebSocket endpoint of a Houston's GraphQL endpoint:
/// `http(s)://host/graphql` → `ws(s)://host/graphql/ws`.
pub fn ws_url(graphql_url: &str) -> Result<String, ClientError> {
    let url = graphql_url.trim_end_matches('/');
    let url = if url.ends_with("/graphql") {
        url.to_owned()
    } else {
        format!("{url}/graphql")
    };
    if let Some(rest) = url.strip_prefix("https://") {
        Ok(format!("wss://{rest}/ws"))
    } else if let Some(rest) = url.strip_prefix("http://") {
        Ok(format!("ws://{rest}/ws"))
    } else {
        Err(ClientError::Malformed(format!(
            "not an http(s) address: {graphql_url}"
        )))
    }
}

/// One subscription over graphql-transport-ws, read with [`WsSubscription::next`].
pub struct WsSubscription {
    url: String,
    body: Value,
    authorization: Option<String>,
    organization: Option<String>,
    socket: Option<Socket>,
    /// The wait before the next attempt while reconnecting.
    retry_in: Duration,
    ended: bool,
}

impl WsSubscription {
    /// Opens `url` (`ws://` or `wss://`, see [`ws_url`]), signs in with `authorization`
    /// acting for `organization`, and subscribes with `body` (`{"query", "variables",
    /// "operationName"}`). A server that cannot be reached is
    /// [`ClientError::Unreachable`]; one that refuses the credentials is
    /// [`ClientError::Graphql`] with its reason.
    pub async fn open(
        url: &str,
        body: Value,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<WsSubscription, ClientError> {
        let mut subscription = WsSubscription {
            url: url.to_owned(),
            body,
            authorization: authorization.map(str::to_owned),
            organization: organization.map(str::to_owned),
            socket: None,
            retry_in: FIRST_RETRY,
            ended: false,
        };
        subscription.socket = Some(subscription.connect().await?);
        Ok(subscription)
    }

    /// The next thing that happened, waiting for it; `None` once the subscription has
    /// ended (completed by the server, answered an error, or refused on reconnecting).
    /// A dropped socket is reopened after a wait that doubles up to 30 s, each attempt
    /// announced as [`Live::Reconnecting`].
    pub async fn next(&mut self) -> Option<Live> {
        if self.ended {
            return None;
        }
        let Some(socket) = self.socket.as_mut() else {
            tokio::time::sleep(self.retry_in).await;
            return Some(match self.connect().await {
                Ok(socket) => {
                    self.socket = Some(socket);
                    self.retry_in = FIRST_RETRY;
                    Live::Reconnected
                }
                Err(refused @ ClientError::Graphql { .. }) => {
                    self.ended = true;
                    Live::Refused(refused)
                }
                Err(other) => {
                    self.retry_in = (self.retry_in * 2).min(LAST_RETRY);
                    Live::Reconnecting {
                        why: other.to_string(),
                        retry_in: self.retry_in,
                    }
                }
            });
        };
        match read(socket).await {
            Ok(Incoming::Next(payload)) => Some(Live::Answer(payload)),
            Ok(Incoming::Error(errors)) => {
                self.end().await;
                Some(Live::Answer(json!({ "errors": errors })))
            }
            Ok(Incoming::Complete) => {
                self.end().await;
                None
            }
            Err(why) => {
                self.socket = None;
                self.retry_in = FIRST_RETRY;
                Some(Live::Reconnecting {
                    why,
                    retry_in: self.retry_in,
                })
            }
        }
    }

    /// Ends the subscription and closes the socket (also done, less politely, on drop).
    pub async fn close(mut self) {
        self.end().await;
    }

    async fn end(&mut self) {
        self.ended = true;
        if let Some(mut socket) = self.socket.take() {
            let _ = socket.close(None).await;
        }
    }

    /// A new socket, signed in and subscribed.
    async fn connect(&self) -> Result<Socket, ClientError> {
        tokio::time::timeout(OPEN_TIMEOUT, self.handshake())
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Unreachable(format!(
                    "{} did not answer within {} s",
                    self.url,
                    OPEN_TIMEOUT.as_secs()
                )))
            })
    }

    async fn handshake(&self) -> Result<Socket, ClientError> {
        let mut request = self
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| ClientError::Malformed(format!("{}: {e}", self.url)))?;
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) =
            tokio_tungstenite::connect_async(request)
                .await
                .map_err(|e| match e {
                    tokio_tungstenite::tungstenite::Error::Http(answer) => {
                        ClientError::Http(answer.status().as_u16())
                    }
                    other => ClientError::Unreachable(format!("{}: {other}", self.url)),
                })?;
        let mut init = serde_json::Map::new();
        if let Some(token) = &self.authorization {
            init.insert("authorization".into(), Value::from(token.as_str()));
        }
        if let Some(org) = &self.organization {
            init.insert("organization".into(), Value::from(org.as_str()));
        }
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": init }),
        )
        .await?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(text.as_str())
                        .map_err(|e| ClientError::Malformed(format!("not JSON: {e}")))?;
                    match message["type"].as_str() {
                        Some("connection_ack") => break,
                        Some("ping") => send(&mut socket, json!({ "type": "pong" })).await?,
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(frame))) => return Err(refusal(frame)),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(ClientError::Unreachable(e.to_string())),
                None => return Err(refusal(None)),
            }
        }
        send(
            &mut socket,
            json!({ "id": ID, "type": "subscribe", "payload": self.body }),
        )
        .await?;
        Ok(socket)
    }
}

/// The server's reason for closing a socket before `connection_ack`: it refused the
/// credentials (async-graphql closes with the `on_connection_init` error as the reason).
fn refusal(frame: Option<CloseFrame>) -> ClientError {
    let reason = frame
        .map(|f| f.reason.to_string())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "The server closed the connection before accepting it.".to_owned());
    ClientError::Graphql {
        code: Some(ErrorCode::Unauthenticated),
        message: reason,
    }
}

/// What the subscription's socket said.
enum Incoming {
    Next(Value),
    Error(Value),
    Complete,
}

/// The next message about the subscription (pings answered on the way), or why the
/// socket is gone.
async fn read(socket: &mut Socket) -> Result<Incoming, String> {
    loop {
        let frame = match socket.next().await {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the connection closed".to_owned()),
        };
        let text = match frame {
            Message::Text(text) => text,
            Message::Close(frame) => {
                return Err(frame.map_or_else(
                    || "the server closed the connection".to_owned(),
                    |f| {
                        format!(
                            "the server closed the connection ({}: {})",
                            f.code, f.reason
                        )
                    },
                ))
            }
            _ => continue,
        };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            return Err("the server sent a message that is not JSON".to_owned());
        };
        match (message["type"].as_str(), message["id"].as_str()) {
            (Some("ping"), _) => send(socket, json!({ "type": "pong" }))
                .await
                .map_err(|e| e.to_string())?,
            (Some("next"), Some(ID)) => return Ok(Incoming::Next(message["payload"].clone())),
            (Some("error"), Some(ID)) => return Ok(Incoming::Error(message["payload"].clone())),
            (Some("complete"), Some(ID)) => return Ok(Incoming::Complete),
            _ => {}
        }
    }
}

async fn send(socket: &mut Socket, message: Value) -> Result<(), ClientError> {
    socket
        .send(Message::text(message.to_string()))
        .await
        .map_err(|e| ClientError::Unreachable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_is_beside_the_graphql_endpoint() {
        assert_eq!(
            ws_url("https://houston.example.org/graphql").unwrap(),
            "wss://houston.example.org/graphql/ws"
        );
        assert_eq!(
            ws_url("http://127.0.0.1:8871").unwrap(),
            "ws://127.0.0.1:8871/graphql/ws"
        );
        assert!(ws_url("ftp://x/graphql").is_err());
    }
}
