//! Sign-in attempts: the failures counted per username, to slow down password guessing.

use super::StoreResult;
use async_trait::async_trait;
use std::borrow::Cow;

/// Sign-in throttling.
#[async_trait]
pub trait SignIn: Send + Sync {
    /// Counts one more attempt for `username` in a window of `window_secs` starting at the
    /// first failure, and returns the count including this one.
    async fn count_login_attempt(
        &self,
        username: &str,
        now: i64,
        window_secs: i64,
    ) -> StoreResult<i64>;
    /// Forgets the attempts of `username` (after a successful sign-in).
    async fn clear_login_attempts(&self, username: &str) -> StoreResult<()>;
}

/// The key of a username's sign-in attempts: the username, with any U+0000 (which no
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
            "INSERT INTO login_failures (username, failures, window_start) \
             VALUES ($1,$2,$3) ON CONFLICT (username) DO NOTHING",
        )
        .bind(login_key(&f.username))
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
            now: i64,
            window_secs: i64,
        ) -> StoreResult<i64> {
            // One statement: the conflicting row is locked while it is updated, so attempts
            // from any number of servers at once are all counted.
            let count: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (username, failures, window_start) \
                 VALUES ($1, 1, $2) \
                 ON CONFLICT (username) DO UPDATE SET \
                   failures = CASE WHEN login_failures.window_start + $3 <= $2 THEN 1 \
                                   ELSE login_failures.failures + 1 END, \
                   window_start = CASE WHEN login_failures.window_start + $3 <= $2 THEN $2 \
                                       ELSE login_failures.window_start END \
                 RETURNING failures",
            )
            .bind(login_key(username))
            .bind(now)
            .bind(window_secs)
            .fetch_one(&self.pool)
            .await?;
            Ok(count)
        }

        async fn clear_login_attempts(&self, username: &str) -> StoreResult<()> {
            sqlx::query("DELETE FROM login_failures WHERE username = $1")
                .bind(login_key(username))
                .execute(&self.pool)
                .await?;
            Ok(())
        }
    }
}
