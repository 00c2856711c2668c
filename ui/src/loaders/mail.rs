//! The bundled server's outbox, and the actions of its links (confirming an email, setting
//! a password from an invitation or a reset).

use crate::api::{self, ApiError, Mail, Session};
use crate::loaders::session;
use crate::state::AppState;

/// The outbox, newest first.
pub async fn outbox() -> Result<Vec<Mail>, ApiError> {
    let mut found = api::mail_outbox().await?;
    found.reverse();
    Ok(found)
}

/// What a mailed link does.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// Confirms an email with the mailed token.
    Confirm {
        /// The link's token.
        token: String,
    },
    /// Sets a password from an invitation or a reset link.
    Accept {
        /// The link's token.
        token: String,
        /// The new password.
        password: String,
    },
}

/// Follows `link` and takes the session it answers.
pub async fn follow(app: AppState, link: Link) -> Result<Session, ApiError> {
    let session = match link {
        Link::Confirm { token } => api::confirm_email(&token).await?,
        Link::Accept { token, password } => api::accept_link(&token, &password).await?,
    };
    session::adopt(app, session.clone());
    Ok(session)
}
