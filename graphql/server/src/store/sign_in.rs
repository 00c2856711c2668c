//! Sign-in attempts: the failures counted per username and client, to slow down password
//! guessing without letting one client's guesses lock the account's owner out.

use super::StoreResult;
use async_trait::async_trait;
use std::borrow::Cow;

/// Sign-in throttling.
#[async_trait]
pub trait SignIn: Send + Sync {
    /// Counts one more attempt for `username` from `client` in a window of `window_secs`
    /// starting at the first failure, and returns the count including this one. Counters
    /// whose window ended before `now` are pruned on the way.
    async fn count_login_attempt(
        &self,
        username: &str,
        client: &str,
        now: i64,
        window_secs: i64,
    ) -> StoreResult<i64>;
    /// Forgets the attempts of `username` from `client` (after a successful sign-in).
    async fn clear_login_attempts(&self, username: &str, client: &str) -> StoreResult<()>;
}

/// The key of a username's (or a client's) sign-in attempts: the text as given, with any U+0000 (which no
/// account has, but anyone may type, and PostgreSQL text cannot hold) replaced so that it
/// can be stored and counted on both databases alike.
pub(super) fn login_key(username: &str) -> Cow<'_, str> {
    if super::storable(username) {
        Cow::Borrowed(username)
    } else {
        Cow::Owned(username.replace('\0', "\u{FFFD}"))
    }
}

for_each_backend! {
    use crate::store::LoginFailureRecord;

    /// A counter copied by `import`. A username counted with a U+0000 in it is counted
    /// under the name `count_login_attempt` gives it; two such names may meet as one.
    pub(crate) async fn insert_login_failure<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        f: &LoginFailureRecord,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO login_failures (username, client, failures, window_start) \
             VALUES ($1,$2,$3,$4) ON CONFLICT (username, client) DO NOTHING",
        )
        .bind(login_key(&f.username))
        .bind(login_key(&f.client))
        .bind(f.failures)
        .bind(f.window_start)
        .execute(db)
        .await?;
        Ok(())
    }

    #[async_trait]
    impl SignIn for Backend {
        async fn count_login_attempt(
            &self,
            username: &str,
            client: &str,
            now: i64,
            window_secs: i64,
        ) -> StoreResult<i64> {
            // Anyone may type any username: without pruning, one row per name ever typed.
            sqlx::query("DELETE FROM login_failures WHERE window_start <= $1")
                .bind(now - window_secs)
                .execute(&self.pool)
                .await?;
            // One statement: the conflicting row is locked while it is updated, so attempts
            // from any number of servers at once are all counted.
            let count: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (username, client, failures, window_start) \
                 VALUES ($1, $4, 1, $2) \
                 ON CONFLICT (username, client) DO UPDATE SET \
                   failures = CASE WHEN login_failures.window_start + $3 <= $2 THEN 1 \
                                   ELSE login_failures.failures + 1 END, \
                   window_start = CASE WHEN login_failures.window_start + $3 <= $2 THEN $2 \
                                       ELSE login_failures.window_start END \
                 RETURNING failures",
            )
            .bind(login_key(username))
            .bind(now)
            .bind(window_secs)
            .bind(login_key(client))
            .fetch_one(&self.pool)
            .await?;
            Ok(count)
        }

        async fn clear_login_attempts(&self, username: &str, client: &str) -> StoreResult<()> {
            sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
                .bind(login_key(username))
                .bind(login_key(client))
                .execute(&self.pool)
                .await?;
            Ok(())
        }
    }
}
