//! What a desktop shell and its webview say to each other: the session, the signed-in
//! person, the outbox, and a failure. Defined once here, so that the shell (which writes
//! them) and the UI (which reads them) cannot drift apart; wasm-clean like the operations.

use crate::ClientError;
use houston_vocabulary::{ErrorCode, MailKind, UserStatus};
use serde::{Deserialize, Serialize};

/// The Houston the app uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// The server inside the app, on a SQLite file in the app's data directory.
    #[default]
    Bundled,
    /// A Houston at a URL.
    Remote,
}

/// The session as the webview sees it. Deliberately without the token.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionView {
    /// Which Houston.
    pub backend: BackendKind,
    /// The remote Houston's URL.
    pub remote_url: Option<String>,
    /// Whether a token is held.
    pub signed_in: bool,
    /// Whether the backend was never chosen.
    pub first_run: bool,
    /// The organization every page acts for.
    pub organization: Option<String>,
    /// The signed-in person.
    pub user: Option<SessionUser>,
    /// The last username signed in with, for the sign-in prompt.
    pub last_username: Option<String>,
    /// Where SDKs send events (`http://host:port`, no path): the bundled server's loopback
    /// collector, or the remote server. `None` while the bundled collector is not listening.
    pub collector_url: Option<String>,
    /// The bundled collector's port as set (it listens on the next free one if taken).
    pub collector_port: u16,
    /// Whether the bundled collector's port serves the whole API too (off by default).
    pub serve_api_on_collector: bool,
}

/// The signed-in person, as the webview may know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    /// The user id.
    pub id: String,
    /// The email they sign in with.
    pub username: String,
    /// Where their account stands.
    pub status: UserStatus,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Company.
    pub company: Option<String>,
}

/// A Houston the app has used, as the server menu lists it (no token: only whether the
/// keyring holds a session for it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownServer {
    /// What the window names it by: `bundled`, or the remote server's endpoint.
    pub id: String,
    /// Which kind.
    pub backend: BackendKind,
    /// The remote server's endpoint.
    pub url: Option<String>,
    /// Whether the app talks to it now.
    pub current: bool,
    /// Whether a session is kept for it.
    pub signed_in: bool,
}

/// Whether a Houston answers at a URL, and what it said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerCheck {
    /// Whether a Houston answered.
    pub ok: bool,
    /// Its version, or why it did not answer.
    pub message: String,
}

/// One mail of the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    /// The mail's id.
    pub id: String,
    /// The address.
    pub to: String,
    /// What its link is for.
    pub kind: MailKind,
    /// The subject.
    pub subject: String,
    /// The text, with the link.
    pub body: String,
    /// The link's token (none when the mail went by SMTP).
    pub token: Option<String>,
    /// When it was sent (RFC 3339).
    pub created_at: String,
    /// Whether its link was used (links work once): then there is no token.
    #[serde(default)]
    pub used: bool,
}

/// One message of a watch on a source's events (the shell's `watch_events` channel): an
/// event as `eventReceived` answers it, or the failure that ended the watch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventWatch {
    /// An event, with the fields of `graphql/operations/EventReceived.graphql`.
    Event(serde_json::Value),
    /// Why the watch ended.
    Error(CommandError),
    /// How the events reach the watch now (sent when that changes).
    Link(WatchLink),
}

/// One message of the watch on the current organization's changes (the shell's
/// `watch_changes` channel), which the shell keeps while someone is signed in and moves
/// when the organization or the session changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeWatch {
    /// The changes heard together: a burst (many changes within a second) comes as one
    /// message, so that the window reads what it shows again once.
    Changed(Vec<Change>),
    /// Changes may have been missed (the link was down, or there is no live link): read
    /// again whatever is shown.
    Missed,
    /// Why the watch ended.
    Error(CommandError),
    /// How the changes reach the watch now (sent when that changes).
    Link(WatchLink),
}

/// A change as `clickstreamChanged` pushes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The source changed, or whose integration changed.
    pub app_id: String,
    /// The integration changed; empty when the source itself changed.
    pub integration_id: String,
    /// `CREATE`, `UPDATE`, `ENABLE`, `DISABLE` or `DELETE`.
    pub action: String,
}

/// How a watch's events reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum WatchLink {
    /// As they are stored: the bundled server's subscription, or a remote one's over a
    /// WebSocket.
    Live,
    /// The remote server's WebSocket dropped; it is reopened in `retry_in_ms`. Events
    /// stored meanwhile are read back once it is open again.
    #[serde(rename_all = "camelCase")]
    Reconnecting {
        /// Why it dropped, or why the last attempt failed.
        why: String,
        /// The wait before the next attempt, in milliseconds.
        retry_in_ms: u64,
    },
    /// The remote server's WebSocket could not be opened: its newest events are read
    /// every `every_ms` instead.
    #[serde(rename_all = "camelCase")]
    Polling {
        /// Why the WebSocket could not be opened.
        why: String,
        /// How often the events are read, in milliseconds.
        every_ms: u64,
    },
}

/// A failure as the webview sees it: a code to match on and a sentence to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// What kind of failure, e.g. [`ErrorCode::TokenExpired`] or [`ErrorCode::Unreachable`].
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
}

impl CommandError {
    /// A failure of `code`, told as `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
        }
    }

    /// The token is gone or expired: the person must sign in again.
    pub fn needs_sign_in(&self) -> bool {
        self.code.needs_sign_in()
    }

    /// The server cannot be reached.
    pub fn is_unreachable(&self) -> bool {
        self.code == ErrorCode::Unreachable
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_session_crosses_as_camel_case_and_reads_back() {
        let view = SessionView {
            backend: BackendKind::Remote,
            remote_url: Some("https://houston.example.org/graphql".into()),
            signed_in: true,
            first_run: false,
            organization: Some("o1".into()),
            user: Some(SessionUser {
                id: "u".into(),
                username: "a@b.c".into(),
                status: UserStatus::Pending,
                first_name: Some("A".into()),
                last_name: None,
                company: None,
            }),
            last_username: Some("a@b.c".into()),
            collector_url: Some("http://127.0.0.1:8872".into()),
            collector_port: 8871,
            serve_api_on_collector: false,
        };
        let wire = serde_json::to_value(&view).unwrap();
        assert_eq!(wire["backend"], "remote");
        assert_eq!(wire["signedIn"], true);
        assert_eq!(wire["user"]["status"], "pending");
        assert_eq!(wire["user"]["firstName"], "A");
        assert_eq!(wire["lastUsername"], "a@b.c");
        assert_eq!(wire["collectorUrl"], "http://127.0.0.1:8872");
        assert_eq!(serde_json::from_value::<SessionView>(wire).unwrap(), view);
    }

    #[test]
    fn mail_and_failures_cross_with_their_wire_spellings() {
        let mail: Mail = serde_json::from_value(json!({
            "id": "m", "to": "a@b.c", "kind": "PASSWORD_RESET", "subject": "Reset",
            "body": "…", "token": "t", "createdAt": "2026-11-27T10:00:00Z"
        }))
        .unwrap();
        assert_eq!(mail.kind, MailKind::PasswordReset);

        let e = CommandError::from(ClientError::Graphql {
            code: Some(ErrorCode::TokenExpired),
            message: "expired".into(),
        });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({ "code": "TOKEN_EXPIRED", "message": "expired" })
        );
        assert!(e.needs_sign_in());
        let down = CommandError::from(ClientError::Unreachable("refused".into()));
        assert!(down.is_unreachable() && !down.needs_sign_in());
        let newer: CommandError =
            serde_json::from_value(json!({ "code": "QUOTA_EXCEEDED", "message": "later" }))
                .unwrap();
        assert_eq!(newer.code, ErrorCode::Other("QUOTA_EXCEEDED".into()));
    }
}
