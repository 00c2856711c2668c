//! A graphql-transport-ws client with one subscription, as the tests that listen to
//! `/graphql/ws` (`clickstreamChanged`, `eventReceived`) use it.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What a socket heard next.
#[derive(Debug)]
pub enum Heard {
    /// A protocol message.
    Message(Value),
    /// The server closed the socket: the close code and reason, if it sent a close frame.
    Closed(Option<u16>, String),
}

/// One socket: [`Subscription::open`] signs it in and starts one subscription (id "1").
pub struct Subscription {
    socket: Socket,
    /// Names the subscriber in failure messages.
    pub name: &'static str,
}

impl Subscription {
    /// Opens `ws_url`, sends `connection_init` with `token`, expects `connection_ack`, and
    /// subscribes with `query` and `variables`.
    pub async fn open(
        name: &'static str,
        ws_url: &str,
        token: &str,
        query: &str,
        variables: Value,
    ) -> Subscription {
        let mut s = Subscription::signed_in(name, ws_url, token).await;
        s.subscribe("1", query, variables).await;
        s
    }

    /// Opens `ws_url` and sends nothing yet.
    pub async fn connect(name: &'static str, ws_url: &str) -> Subscription {
        let mut request = ws_url.into_client_request().expect("a ws:// URL");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the websocket opens");
        Subscription { socket, name }
    }

    /// Opens `ws_url`, sends `connection_init` with `token` and expects `connection_ack`.
    pub async fn signed_in(name: &'static str, ws_url: &str, token: &str) -> Subscription {
        let mut s = Subscription::connect(name, ws_url).await;
        s.init(token).await;
        let ack = s
            .next_message(Duration::from_secs(10))
            .await
            .expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{name}: {ack}");
        s
    }

    /// Sends `connection_init` with `token`.
    pub async fn init(&mut self, token: &str) {
        self.send(json!({ "type": "connection_init", "payload": { "authorization": token } }))
            .await;
    }

    /// Starts operation `id` with `query` and `variables`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// Sends one protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("the message is sent");
    }

    /// The next protocol message (pings answered and skipped), or `None` after `wait`.
    pub async fn next_message(&mut self, wait: Duration) -> Option<Value> {
        match self.next_heard(wait).await? {
            Heard::Message(message) => Some(message),
            Heard::Closed(code, reason) => {
                panic!("{}: the socket closed ({code:?} {reason})", self.name)
            }
        }
    }

    /// The next protocol message or the server's close (pings answered and skipped), or
    /// `None` after `wait`.
    pub async fn next_heard(&mut self, wait: Duration) -> Option<Heard> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = match tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?
            {
                None | Some(Err(_)) => return Some(Heard::Closed(None, String::new())),
                Some(Ok(frame)) => frame,
            };
            let text = match frame {
                Message::Text(text) => text,
                Message::Close(frame) => {
                    return Some(match frame {
                        Some(f) => Heard::Closed(Some(f.code.into()), f.reason.to_string()),
                        None => Heard::Closed(None, String::new()),
                    })
                }
                _ => continue,
            };
            let message: Value = serde_json::from_str(text.as_str()).expect("JSON messages");
            if message["type"] == "ping" {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            return Some(Heard::Message(message));
        }
    }

    /// The next answer's `data.<field>` (asserting it is a `next` without errors), or
    /// `None` after `wait`.
    pub async fn next_data(&mut self, field: &str, wait: Duration) -> Option<Value> {
        let message = self.next_message(wait).await?;
        assert_eq!(message["type"], "next", "{}: {message}", self.name);
        assert!(
            message["payload"].get("errors").is_none(),
            "{}: {message}",
            self.name
        );
        Some(message["payload"]["data"][field].clone())
    }
}
