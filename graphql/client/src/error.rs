//! What can go wrong between a typed operation and its answer.

use houston_vocabulary::ErrorCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
        code: Option<ErrorCode>,
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
    /// [`ErrorCode::Error`] when it has none), [`ErrorCode::Unreachable`],
    /// [`ErrorCode::HttpError`] or [`ErrorCode::Malformed`].
    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::Graphql { code, .. } => code.clone().unwrap_or(ErrorCode::Error),
            ClientError::Unreachable(_) => ErrorCode::Unreachable,
            ClientError::Http(_) => ErrorCode::HttpError,
            ClientError::Malformed(_) => ErrorCode::Malformed,
        }
    }

    /// Whether signing in again would help: the token is missing, invalid, revoked or
    /// expired (see [`ErrorCode::needs_sign_in`]).
    pub fn needs_sign_in(&self) -> bool {
        self.code().needs_sign_in()
    }

    /// The first of the GraphQL `errors[]` of a JSON `answer`, as [`ClientError::Graphql`]:
    /// its `extensions.code` and its `message`. `None` when the answer reports no error.
    ///
    /// [`run`](crate::run) reads every answer with it; a shell that forwards untyped
    /// operations reads their answers with it too, so both see the same error.
    pub fn from_answer(answer: &Value) -> Option<ClientError> {
        let first = answer.get("errors")?.get(0)?;
        let code = first
            .get("extensions")
            .and_then(|extensions| extensions.get("code"))
            .and_then(Value::as_str)
            .map(ErrorCode::parse);
        let message = first
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("The server refused the operation.")
            .to_owned();
        Some(ClientError::Graphql { code, message })
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
