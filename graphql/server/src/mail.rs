//! Mail: confirmation, invitation and reset links. Every mail goes to the outbox table,
//! which never holds a live link: only its hash is stored (in `link_tokens`). With an SMTP
//! URL configured the mail is sent; without one the link is kept in this process's memory
//! only, until it expires, and shown to the outbox's readers (the desktop's Mail panel,
//! `myMail`) from there. Whoever reads the database or a backup finds no usable link.

use crate::store::{MailRow, NewLink, Store, StoreResult};
use crate::{auth, clock, ids};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use time::{Duration, OffsetDateTime};

pub use houston_vocabulary::MailKind;

/// How long a link of `kind` stays usable.
fn lifetime(kind: MailKind) -> Duration {
    match kind {
        MailKind::ConfirmEmail | MailKind::Invitation => Duration::days(7),
        MailKind::PasswordReset => Duration::hours(1),
    }
}

/// How long a mail stays in the outbox: the longest a link in it stays usable.
pub const MAIL_KEPT: Duration = Duration::days(7);

/// At most this many live links are kept in memory; the ones expiring first go first.
const LIVE_LINKS_KEPT: usize = 10_000;

/// A link to record with its mail, and the mail to send once the record is committed.
pub struct PendingMail {
    /// What the store records (the outbox copy, without the link).
    pub record: NewLink,
    /// The full mail, for SMTP or the memory of live links.
    full: MailRow,
    expires: OffsetDateTime,
}

impl PendingMail {
    /// The link's token, for the code that composed the mail (it is in the record only as
    /// a hash).
    pub fn token(&self) -> &str {
        self.full.token.as_deref().unwrap_or_default()
    }
}

/// The full body and token of the outbox's mails whose links are still usable, by mail id:
/// in memory only, so that no copy of a live link is ever stored.
#[derive(Default)]
struct LiveLinks {
    by_mail: HashMap<String, (MailRow, OffsetDateTime)>,
}

impl LiveLinks {
    fn keep(&mut self, mail: MailRow, expires: OffsetDateTime) {
        let now = OffsetDateTime::now_utc();
        self.by_mail.retain(|_, (_, until)| *until > now);
        if self.by_mail.len() >= LIVE_LINKS_KEPT {
            let first = self
                .by_mail
                .iter()
                .min_by_key(|(_, (_, until))| *until)
                .map(|(id, _)| id.clone());
            if let Some(id) = first {
                self.by_mail.remove(&id);
            }
        }
        self.by_mail.insert(mail.id.clone(), (mail, expires));
    }
}

/// A mail as its reader sees it ([`Mailer::show`]).
#[derive(Clone, Debug)]
pub struct Shown {
    /// The mail, with its link while the link is usable.
    pub mail: MailRow,
    /// Whether its link was used (it works once).
    pub used: bool,
}

/// Composes mails and sends them over SMTP when configured.
#[derive(Clone)]
pub struct Mailer {
    /// Where the links point (shared by the clones: the desktop sets it once its loopback
    /// listener has a port).
    public_url: Arc<RwLock<String>>,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    live: Arc<Mutex<LiveLinks>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("public_url", &self.public_url())
            .field("smtp", &self.smtp.is_some())
            .finish()
    }
}

impl Mailer {
    /// Outbox only. Links point at `public_url`.
    pub fn outbox_only(public_url: &str) -> Mailer {
        Mailer {
            public_url: Arc::new(RwLock::new(public_url.trim_end_matches('/').to_string())),
            smtp: None,
            live: Arc::default(),
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
            public_url: Arc::new(RwLock::new(public_url.trim_end_matches('/').to_string())),
            smtp: Some((transport, from)),
            live: Arc::default(),
        })
    }

    /// Where the links of the next mails point.
    pub fn public_url(&self) -> String {
        match self.public_url.read() {
            Ok(url) => url.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Points the links of the next mails at `url` (the address that serves their pages).
    pub fn set_public_url(&self, url: &str) {
        let url = url.trim_end_matches('/').to_string();
        match self.public_url.write() {
            Ok(mut current) => *current = url,
            Err(poisoned) => *poisoned.into_inner() = url,
        }
    }

    /// Composes a mail of `kind` to `to` with a fresh one-use link.
    pub fn link(&self, kind: MailKind, to: &str, org_name: Option<&str>) -> PendingMail {
        let token = auth::random_token();
        let now = clock::now();
        let (subject, intro) = match kind {
            MailKind::ConfirmEmail => (
                "Confirm your email for Houston".to_string(),
                "Welcome to Houston. Confirm your email address to start:".to_string(),
            ),
            MailKind::Invitation => (
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
                "Reset your Houston password".to_string(),
                "Someone asked to reset your Houston password. If it was you, choose a new one:"
                    .to_string(),
            ),
        };
        let link = format!("{}/{}?token={token}", self.public_url(), kind.link_path());
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
        // The database keeps no usable copy of the link: its hash is the link's record.
        let mut outbox = full.clone();
        outbox.token = None;
        outbox.body = if self.smtp.is_some() {
            "Sent by SMTP.".into()
        } else {
            format!(
                "{intro}\n\nThe link is kept in the server's memory only, while it is usable: \
                 open the app's Mail panel to follow it.\n"
            )
        };
        let expires = now + lifetime(kind);
        PendingMail {
            record: NewLink {
                token_hash: auth::sha256_hex(&token),
                kind,
                expires_at: clock::rfc3339(expires),
                mail: outbox,
            },
            full,
            expires,
        }
    }

    /// `mail` as its reader sees it: with its link while the link is usable and this
    /// process composed it (links live in memory only), as stored otherwise.
    pub fn reveal(&self, mail: MailRow) -> MailRow {
        let live = match self.live.lock() {
            Ok(live) => live,
            Err(poisoned) => poisoned.into_inner(),
        };
        match live.by_mail.get(&mail.id) {
            Some((full, until)) if *until > OffsetDateTime::now_utc() => full.clone(),
            _ => mail,
        }
    }

    /// `mail` as its reader sees it, and whether its link was used: a link this process
    /// still holds but the store no longer takes (followed, or the invitation accepted,
    /// declined or withdrawn) is shown as used, without its token.
    pub async fn show(&self, store: &dyn Store, mail: MailRow) -> StoreResult<Shown> {
        let revealed = self.reveal(mail.clone());
        let Some(token) = revealed.token.as_deref() else {
            return Ok(Shown {
                mail: revealed,
                used: false,
            });
        };
        let hash = auth::sha256_hex(token);
        let now = clock::rfc3339(clock::now());
        let live = match revealed.kind {
            MailKind::Invitation => store.invitation_is_live(&hash, &now).await?,
            kind => store.link_is_live(&hash, &[kind.as_str()], &now).await?,
        };
        Ok(if live {
            Shown {
                mail: revealed,
                used: false,
            }
        } else {
            Shown { mail, used: true }
        })
    }

    /// Sends the mail over SMTP in the background (after its link was committed); without
    /// SMTP, keeps its link in memory for the outbox's readers.
    pub fn deliver(&self, mail: PendingMail) {
        let Some((transport, from)) = self.smtp.clone() else {
            let mut live = match self.live.lock() {
                Ok(live) => live,
                Err(poisoned) => poisoned.into_inner(),
            };
            live.keep(mail.full, mail.expires);
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
