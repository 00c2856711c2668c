//! The outbox as its recipients read it: `myMail`, `mailPage` and the `Mail` type.

use super::paging::{not_a_cursor, page_of, Paged};
use super::scalars::Date;
use crate::access::Access;
use crate::error::ApiResult;
use crate::mail::{MailKind, Shown};
use async_graphql::{Context, Object};

/// A mail the server sent (or would have sent).
pub struct Mail(pub Shown);

#[Object]
impl Mail {
    async fn id(&self) -> &str {
        &self.0.mail.id
    }
    async fn to(&self) -> &str {
        &self.0.mail.to_address
    }
    /// `CONFIRM_EMAIL`, `INVITATION` or `PASSWORD_RESET`.
    async fn kind(&self) -> &str {
        self.0.mail.kind.as_str()
    }
    async fn subject(&self) -> &str {
        &self.0.mail.subject
    }
    async fn body(&self) -> &str {
        &self.0.mail.body
    }
    /// The token of the link in the body, while the link is usable and the server that
    /// composed it runs: links are kept in its memory only, never stored.
    async fn token(&self) -> Option<&str> {
        self.0.mail.token.as_deref()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.mail.created_at.clone())
    }
    /// Whether its link was used (links work once): then `token` is null. Known while the
    /// server that composed the mail runs, as the link itself.
    async fn used(&self) -> bool {
        self.0.used
    }
}

/// The queries about mail.
#[derive(Default)]
pub struct MailQuery;

/// The list name inside `mailPage` cursors.
const MAIL_LIST: &str = "mail";

#[Object]
impl MailQuery {
    /// `myMail` a page at a time, newest first.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    async fn mail_page(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Paged<Mail>> {
        let a = Access::of(ctx);
        let me = a.person()?;
        let page = page_of(MAIL_LIST, first, after, None)?;
        // A mail's cursor is its time and its place in the written order (a number).
        if page
            .after
            .as_ref()
            .is_some_and(|k| k.id.parse::<i64>().is_err())
        {
            return Err(not_a_cursor());
        }
        let rows = a
            .state
            .store
            .mail_page(&me.username, &page, MailKind::PasswordReset.as_str())
            .await?;
        let mut shown = Vec::with_capacity(rows.rows.len());
        for row in rows.rows {
            let mail = a
                .state
                .mailer
                .show(a.state.store.as_ref(), row.mail.clone())
                .await?;
            shown.push((row, mail));
        }
        let rows = crate::store::Page {
            rows: shown,
            has_next: rows.has_next,
            total_count: rows.total_count,
        };
        Ok(Paged::of(
            MAIL_LIST,
            rows,
            |(m, _)| (m.mail.created_at.as_str(), m.seq.to_string()),
            |(_, shown)| Mail(shown),
        ))
    }

    /// The outbox for your own address: confirmation and invitation mails. Never reset
    /// mails: a reset link proves control of the mailbox, and a session (perhaps a stolen
    /// one) is not that.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn my_mail(&self, ctx: &Context<'_>) -> ApiResult<Vec<Mail>> {
        let a = Access::of(ctx);
        let me = a.person()?;
        let mut mail = Vec::new();
        for row in a.state.store.mail_to(&me.username).await? {
            if row.kind != MailKind::PasswordReset.as_str() {
                mail.push(Mail(
                    a.state.mailer.show(a.state.store.as_ref(), row).await?,
                ));
            }
        }
        Ok(mail)
    }
}
