//! The outbox as its recipients read it: `myMail`, `mailPage` and the `Mail` type.

use super::paging::{not_a_cursor, page_of, Paged};
use super::scalars::Date;
use crate::access::Access;
use crate::error::ApiResult;
use crate::mail::MailKind;
use crate::store::MailRow;
use async_graphql::{Context, Object};

/// A mail the server sent (or would have sent).
pub struct Mail(pub MailRow);

#[Object]
impl Mail {
    async fn id(&self) -> &str {
        &self.0.id
    }
    async fn to(&self) -> &str {
        &self.0.to_address
    }
    /// `CONFIRM_EMAIL`, `INVITATION` or `PASSWORD_RESET`.
    async fn kind(&self) -> &str {
        self.0.kind.as_str()
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The token of the link in the body, while the link is usable and the server that
    /// composed it runs: links are kept in its memory only, never stored.
    async fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
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
        Ok(Paged::of(
            MAIL_LIST,
            rows,
            |m| (m.mail.created_at.as_str(), m.seq.to_string()),
            |m| Mail(a.state.mailer.reveal(m.mail)),
        ))
    }

    /// The outbox for your own address: confirmation and invitation mails. Never reset
    /// mails: a reset link proves control of the mailbox, and a session (perhaps a stolen
    /// one) is not that.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn my_mail(&self, ctx: &Context<'_>) -> ApiResult<Vec<Mail>> {
        let a = Access::of(ctx);
        let me = a.person()?;
        Ok(a.state
            .store
            .mail_to(&me.username)
            .await?
            .into_iter()
            .filter(|m| m.kind != MailKind::PasswordReset.as_str())
            .map(|m| Mail(a.state.mailer.reveal(m)))
            .collect())
    }
}
