//! Mail: confirmation, invitation and reset links. Every mail goes to the outbox table;
//! with an SMTP URL configured it is also sent, and the outbox copy then keeps no link.

use crate::store::{MailRow, NewLink};
use crate::{auth, clock, ids};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::Duration;

pub use houston_vocabulary::MailKind;

/// How long a link of `kind` stays usable.
fn lifetime(kind: MailKind) -> Duration {
    match kind {
        MailKind::ConfirmEmail | MailKind::Invitation => Duration::days(7),
        MailKind::PasswordReset => Duration::hours(1),
    }
}

/// A link to record with its mail, and the mail to send once the record is committed.
pub struct PendingMail {
    /// What the store records (the outbox copy).
    pub record: NewLink,
    /// The full mail, for SMTP.
    full: MailRow,
}

/// Composes mails and sends them over SMTP when configured.
#[derive(Clone)]
pub struct Mailer {
    public_url: String,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("public_url", &self.public_url)
            .field("smtp", &self.smtp.is_some())
            .finish()
    }
}

impl Mailer {
    /// Outbox only. Links point at `public_url`.
    pub fn outbox_only(public_url: &str) -> Mailer {
        Mailer {
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp: None,
        }
    }

    /// With SMTP: `smtp://user:pass@host:587?tls=required` or `smtps://…` (lettre's URL
    /// form). The sender is `HOUSTON_MAIL_FROM` or `houston@<host>`.
    pub fn with_smtp(
        public_url: &str,
        smtp_url: &str,
        from: Option<&str>,
    ) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| anyhow::anyhow!("the SMTP URL is not usable: {e}"))?
            .build();
        let from = from.unwrap_or("Houston <houston@localhost>");
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("the sender address {from:?} is not valid: {e}"))?;
        Ok(Mailer {
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp: Some((transport, from)),
        })
    }

    /// Composes a mail of `kind` to `to` with a fresh one-use link.
    pub fn link(&self, kind: MailKind, to: &str, org_name: Option<&str>) -> PendingMail {
        let token = auth::random_token();
        let now = clock::now();
        let (path, subject, intro) = match kind {
            MailKind::ConfirmEmail => (
                "confirm-email",
                "Confirm your email for Houston".to_string(),
                "Welcome to Houston. Confirm your email address to start:".to_string(),
            ),
            MailKind::Invitation => (
                "accept-invitation",
                format!(
                    "You are invited to {} on Houston",
                    org_name.unwrap_or("an organization")
                ),
                format!(
                    "You are invited to join {} on Houston. Open this link to accept it \
                     (without an account yet, you choose your password there):",
                    org_name.unwrap_or("an organization")
                ),
            ),
            MailKind::PasswordReset => (
                "reset-password",
                "Reset your Houston password".to_string(),
                "Someone asked to reset your Houston password. If it was you, choose a new one:"
                    .to_string(),
            ),
        };
        let link = format!("{}/{path}?token={token}", self.public_url);
        let body = format!(
            "{intro}\n\n{link}\n\nOr paste this code in the app: {token}\n\n\
             The link works once and expires in {}.\n",
            match kind {
                MailKind::PasswordReset => "one hour",
                _ => "seven days",
            }
        );
        let full = MailRow {
            id: ids::new_id(),
            to_address: to.to_string(),
            kind,
            subject,
            body,
            token: Some(token.clone()),
            created_at: clock::rfc3339(now),
        };
        let mut outbox = full.clone();
        if self.smtp.is_some() {
            // The link went by mail: the database keeps no usable copy of it.
            outbox.body = "Sent by SMTP.".into();
            outbox.token = None;
        }
        PendingMail {
            record: NewLink {
                token_hash: auth::sha256_hex(&token),
                kind,
                expires_at: clock::rfc3339(now + lifetime(kind)),
                mail: outbox,
            },
            full,
        }
    }

    /// Sends the mail over SMTP in the background (after its link was committed).
    pub fn deliver(&self, mail: PendingMail) {
        let Some((transport, from)) = self.smtp.clone() else {
            return;
        };
        let full = mail.full;
        tokio::spawn(async move {
            let to: Mailbox = match full.to_address.parse() {
                Ok(to) => to,
                Err(_) => {
                    tracing::warn!(kind = %full.kind, "mail not sent: bad recipient address");
                    return;
                }
            };
            let message = Message::builder()
                .from(from)
                .to(to)
                .subject(full.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(full.body);
            match message {
                Ok(m) => {
                    if let Err(e) = transport.send(m).await {
                        tracing::warn!(kind = %full.kind, error = %e, "mail not sent");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "mail not composed"),
            }
        });
    }
}
