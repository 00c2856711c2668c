//! The bundled server's outbox, and the actions of mailed links (confirming an email,
//! setting a password from an invitation or a reset, joining with an invitation), whether
//! followed from the Mail panel or pasted from a real mailbox.

use houston_client::vocabulary::{MailKind, PastedLink};
use houston_client::{
    accept_invitation_link, request_password_reset, resend_confirmation, AcceptInvitationLink,
    RequestPasswordReset, ResendConfirmation,
};

use crate::api::{self, ApiError, Mail, Session, Status};
use crate::loaders::{session, Outcome};
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

/// Joins the organization of a mailed invitation, for an address that has an account: the
/// person signs in afterwards as usual.
pub async fn join(token: String) -> Outcome {
    let variables = accept_invitation_link::Variables { token };
    api::run::<AcceptInvitationLink>(variables, None)
        .await
        .map(|data| Status::of(&data.accept_invitation))
}

/// Mails a password reset link to `email` (signed out; the answer never says whether the
/// address has an account).
pub async fn request_reset(email: String) -> Outcome {
    let variables = request_password_reset::Variables { email };
    api::run::<RequestPasswordReset>(variables, None)
        .await
        .map(|data| Status::of(&data.request_password_reset))
}

/// Mails a new confirmation link to a pending account's `email`.
pub async fn resend_confirmation(email: String) -> Outcome {
    let variables = resend_confirmation::Variables { email };
    api::run::<ResendConfirmation>(variables, None)
        .await
        .map(|data| Status::of(&data.resend_confirmation))
}

/// What a pasted code or link asks for, once the form holds enough to do it.
#[derive(Clone, Debug, PartialEq)]
pub enum Pasted {
    /// Follow this link (it signs in).
    Follow(Link),
    /// Join with this invitation token, as an address that has an account.
    Join(String),
}

/// Reads the paste form: the pasted code or link, the kind chosen for a bare code (a link
/// names its own), and the two password fields. The reason, for the person, when it is
/// not complete yet.
pub fn read_pasted(
    pasted: &str,
    chosen: Option<MailKind>,
    password: &str,
    repeat: &str,
) -> Result<Pasted, &'static str> {
    let Some(link) = PastedLink::parse(pasted) else {
        return Err("Paste the link or the code from the mail.");
    };
    let Some(kind) = link.kind.or(chosen) else {
        return Err("Choose what the code is for.");
    };
    let token = link.token;
    let with_password = |token: String| {
        if password.is_empty() {
            Err("Choose a password.")
        } else if password != repeat {
            Err("The two passwords differ.")
        } else {
            Ok(Pasted::Follow(Link::Accept {
                token,
                password: password.to_owned(),
            }))
        }
    };
    match kind {
        MailKind::ConfirmEmail => Ok(Pasted::Follow(Link::Confirm { token })),
        MailKind::PasswordReset => with_password(token),
        MailKind::Invitation if password.is_empty() && repeat.is_empty() => Ok(Pasted::Join(token)),
        MailKind::Invitation => with_password(token),
    }
}
