//! [`HttpTransport`]: a Houston over HTTP.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::{Transport, TransportError};

/// How long a whole exchange may take before the server counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take: a server that is down should be told quickly.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Posts operations as JSON to a Houston's `/graphql` endpoint, with the token in the
/// `authorization` header as it is given (the original clients send no `Bearer `), and
/// the organization in the `organization` header.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    url: String,
    client: reqwest::Client,
}

impl HttpTransport {
    /// A transport to `url` (e.g. `http://127.0.0.1:8871/graphql`) with a 30 s timeout.
    /// Redirects are not followed: a request carries the token, and a server that sends it
    /// elsewhere (or from `https` to `http`) gets an HTTP status, not the token.
    pub fn new(url: impl Into<String>) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::Malformed(format!("HTTP client: {e}")))?;
        Ok(Self::with_client(url, client))
    }

    /// A transport to `url` through a client you configured yourself.
    pub fn with_client(url: impl Into<String>, client: reqwest::Client) -> Self {
        HttpTransport {
            url: url.into(),
            client,
        }
    }

    /// The endpoint this transport posts to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn post(
        &self,
        body: Value,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> Result<Value, TransportError> {
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body);
        if let Some(token) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, token);
        }
        if let Some(org) = organization {
            request = request.header("organization", org);
        }
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            return Err(TransportError::Http(status.as_u16()));
        }
        response.json().await.map_err(|e| {
            if e.is_decode() {
                TransportError::Malformed(format!("the answer is not JSON: {e}"))
            } else {
                unreachable(e)
            }
        })
    }
}

/// A failure to exchange with the server, with the causes that say why (reqwest's own
/// message is only "error sending request").
fn unreachable(e: reqwest::Error) -> TransportError {
    if e.is_builder() {
        return TransportError::Malformed(e.to_string());
    }
    let mut why = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        why.push_str(": ");
        why.push_str(&cause.to_string());
        source = cause.source();
    }
    TransportError::Unreachable(why)
}
