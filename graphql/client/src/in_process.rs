//! [`InProcessTransport`]: a bundled Houston, called without opening a port.

use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_trait::async_trait;
use houston_server::Houston;
use serde_json::Value;

use crate::{Transport, TransportError};

/// Hands operations straight to a `houston_server::Houston` in this process: the same
/// schema, authorization and answers as over HTTP, with no socket in between.
#[derive(Clone)]
pub struct InProcessTransport(pub Houston);

impl InProcessTransport {
    /// A transport to `houston`.
    pub fn new(houston: Houston) -> Self {
        InProcessTransport(houston)
    }

    /// The server behind this transport (for its outbox, say).
    pub fn houston(&self) -> &Houston {
        &self.0
    }

    /// Runs a subscription (`body` as for [`Transport::post`]): each answer as JSON
    /// (`{"data"}` or `{"errors"}`), as the server yields it.
    pub async fn subscribe(
        &self,
        body: Value,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<BoxStream<'static, Value>, TransportError> {
        let request: async_graphql::Request = serde_json::from_value(body)
            .map_err(|e| TransportError::Malformed(format!("not a GraphQL request: {e}")))?;
        let answers = self
            .0
            .execute_stream(request, authorization, organization)
            .await;
        Ok(answers
            .map(|response| serde_json::to_value(&response).unwrap_or(Value::Null))
            .boxed())
    }
}

#[async_trait]
impl Transport for InProcessTransport {
    async fn post(
        &self,
        body: Value,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<Value, TransportError> {
        let request: async_graphql::Request = serde_json::from_value(body)
            .map_err(|e| TransportError::Malformed(format!("not a GraphQL request: {e}")))?;
        let response = self.0.execute(request, authorization, organization).await;
        serde_json::to_value(&response)
            .map_err(|e| TransportError::Malformed(format!("the answer cannot be written: {e}")))
    }
}
