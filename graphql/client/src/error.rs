//! What can go wrong between a typed operation and its answer.

use serde::{Deserialize, Serialize};

/// Why a [`Transport`](crate::Transport) could not bring back an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TransportError {
    /// The server could not be reached: refused, reset, timed out, or not started.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an HTTP status that is not a success.
    #[error("the server answered HTTP {0}")]
    Http(u16),
    /// The request could not be written, or the answer is not the JSON we expected.
    #[error("the exchange with the server is malformed: {0}")]
    Malformed(String),
}

/// Why a typed operation did not bring back its data.
///
/// Serializable, so that a desktop shell can hand it to its webview as it is, and the
/// webview can match on [`ClientError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ClientError {
    /// The server refused or failed the operation: the first of its GraphQL `errors[]`.
    #[error("{message}")]
    Graphql {
        /// Its `extensions.code`, e.g. `UNAUTHENTICATED`, `TOKEN_EXPIRED`, `NOT_FOUND`.
        code: Option<String>,
        /// What happened, for a person.
        message: String,
    },
    /// The server could not be reached. Nothing was done: keep what the user typed, and
    /// offer to try again.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an HTTP status that is not a success.
    #[error("the server answered HTTP {0}")]
    Http(u16),
    /// The answer is not a GraphQL response of the shape the operation expects (an
    /// older or newer server, or something else listening at that address).
    #[error("the server's answer cannot be read: {0}")]
    Malformed(String),
}

impl ClientError {
    /// A stable machine code to match on: the GraphQL error's `extensions.code` (or
    /// `ERROR` when it has none), `UNREACHABLE`, `HTTP_ERROR` or `MALFORMED`.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Graphql { code, .. } => code.as_deref().unwrap_or("ERROR"),
            ClientError::Unreachable(_) => "UNREACHABLE",
            ClientError::Http(_) => "HTTP_ERROR",
            ClientError::Malformed(_) => "MALFORMED",
        }
    }

    /// Whether signing in again would help: the token is missing, invalid, revoked or
    /// expired.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code(), "UNAUTHENTICATED" | "TOKEN_EXPIRED")
    }
}

impl From<TransportError> for ClientError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Unreachable(why) => ClientError::Unreachable(why),
            TransportError::Http(status) => ClientError::Http(status),
            TransportError::Malformed(why) => ClientError::Malformed(why),
        }
    }
}
