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

/// One socket, signed in with a token, with one subscription (id "1") started.
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
        let mut request = ws_url.into_client_request().expect("a ws:// URL");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the websocket opens");
        let mut s = Subscription { socket, name };
        s.send(json!({ "type": "connection_init", "payload": { "authorization": token } }))
            .await;
        let ack = s
            .next_message(Duration::from_secs(10))
            .await
            .expect("an answer to connection_init");
        assert_eq!(ack["type"], "connection_ack", "{name}: {ack}");
        s.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
        s
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
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?
                .expect("the socket stays open")
                .expect("a readable frame");
            let Message::Text(text) = frame else {
                continue;
            };
            let message: Value = serde_json::from_str(text.as_str()).expect("JSON messages");
            if message["type"] == "ping" {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            return Some(message);
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
