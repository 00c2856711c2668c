//! People and their sign-in: `me` and `users`; signing in and out, signing up, confirming
//! an email, setting and resetting a password, editing a profile; the `User` and `Token`
//! answers.

use super::invitations;
use super::scalars::Date;
use super::status::{status, StatusMessage};
use crate::access::{Access, Principal};
use crate::auth::{self, TOKEN_LIFETIME_SECS};
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::mail::MailKind;
use crate::store::{LinkEffect, UserRow};
use crate::throttle;
use crate::{clock, ids};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use houston_vocabulary::{ErrorCode, UserStatus};

/// Failed sign-ins allowed per username and client in one window before `RATE_LIMITED`.
pub const MAX_FAILED_SIGN_INS: i64 = 10;
/// The window of [`MAX_FAILED_SIGN_INS`], in seconds.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;

/// The claims of a token, as the original clients read them.
#[derive(SimpleObject, Clone, Debug)]
pub struct DecodedToken {
    /// The user id.
    pub id: String,
    pub iat: Date,
    pub exp: Date,
    #[graphql(name = "sU")]
    pub s_u: bool,
}

/// The outcome of the token mutations.
#[derive(SimpleObject, Clone, Debug)]
pub struct Token {
    pub success: bool,
    pub message: String,
    /// The JWT to send in the `authorization` header.
    pub token: Option<String>,
    pub decoded: Option<DecodedToken>,
    /// A stable machine code, as in `StatusMessage`.
    pub code: Option<String>,
}

impl From<ApiError> for Token {
    fn from(e: ApiError) -> Self {
        Token {
            success: false,
            message: e.message(),
            token: None,
            decoded: None,
            code: Some(e.code().into()),
        }
    }
}

/// An email address of a user.
#[derive(SimpleObject, Clone, Debug)]
pub struct Email {
    pub address: String,
    pub verified: bool,
    pub primary: bool,
}

/// A person's name and company.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct UserProfile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// A profile to set; absent fields keep their value.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UserProfileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
}

/// A person with an account.
pub struct User(pub UserRow);

#[Object]
impl User {
    async fn id(&self) -> &str {
        &self.0.id
    }
    /// The email the person signs in with.
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn emails(&self) -> Vec<Email> {
        vec![Email {
            address: self.0.username.clone(),
            verified: self.0.email_verified,
            primary: true,
        }]
    }
    async fn profile(&self) -> UserProfile {
        UserProfile {
            first_name: self.0.first_name.clone(),
            last_name: self.0.last_name.clone(),
            company: self.0.company.clone(),
        }
    }
    /// `pending` until the email is confirmed, then `active`; or `locked`.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    async fn created_at(&self) -> Date {
        Date(self.0.created_at.clone())
    }
}

/// The queries about people.
#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in person (pending or not); `null` for API keys and anonymous callers.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let a = Access::of(ctx);
        match &a.auth.principal {
            Principal::ApiKey(_) => Ok(None),
            _ => Ok(Some(User(a.person()?.clone()))),
        }
    }

    /// Yourself, or members of organizations you share, optionally one by id or email.
    #[graphql(
        complexity = "super::limits::store_list(user_id.is_some() || email.is_some(), child_complexity)"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        user_id: Option<String>,
        email: Option<String>,
    ) -> ApiResult<Vec<User>> {
        let a = Access::of(ctx);
        let me = a.active_user()?;
        let email = email.map(|e| e.trim().to_lowercase());
        Ok(a.state
            .store
            .users_sharing_orgs(&me.id)
            .await?
            .into_iter()
            .filter(|u| user_id.as_deref().is_none_or(|id| u.id == id))
            .filter(|u| email.as_deref().is_none_or(|e| u.username == e))
            .map(User)
            .collect())
    }
}

fn token_outcome(r: ApiResult<Token>) -> Token {
    r.unwrap_or_else(Token::from)
}

/// Makes the `Token` answer for a signed-in user.
fn signed_in(a: &Access<'_>, user: &UserRow, days: Option<i32>, message: &str) -> ApiResult<Token> {
    let lifetime = TOKEN_LIFETIME_SECS * i64::from(days.unwrap_or(1));
    let (token, claims) = a
        .state
        .tokens
        .issue(&user.id, user.token_version, lifetime)
        .map_err(ApiError::internal)?;
    Ok(Token {
        success: true,
        message: message.to_string(),
        token: Some(token),
        decoded: Some(decoded(&claims)),
        code: Some(ErrorCode::Ok.into()),
    })
}

fn decoded(c: &auth::Claims) -> DecodedToken {
    DecodedToken {
        id: c.sub.clone(),
        iat: Date(clock::rfc3339_unix(c.iat)),
        exp: Date(clock::rfc3339_unix(c.exp)),
        s_u: c.su,
    }
}

/// Counts a sign-in attempt for `username` from the caller's client before checking the
/// password, so aliased, batched and concurrent attempts all count; refuses once the
/// window is used up. Per client: another client's guesses never lock the owner out.
async fn reserve_attempt(a: &Access<'_>, username: &str) -> ApiResult<()> {
    let count = a
        .state
        .store
        .count_login_attempt(
            username,
            &a.client_key(),
            clock::now().unix_timestamp(),
            SIGN_IN_WINDOW_SECS,
        )
        .await?;
    if count > MAX_FAILED_SIGN_INS {
        tracing::warn!("sign-in attempts throttled for one username");
        return Err(ApiError::RateLimited);
    }
    Ok(())
}

/// The mutations about people and their sign-in.
#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Signs in: a JWT that expires 24 hours after it is made (`duration` in days, 1 to 7).
    /// With `orgId`, fails unless the user belongs to that organization.
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
        org_id: Option<String>,
        duration: Option<i32>,
    ) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                if let Some(d) = duration {
                    if !(1..=7).contains(&d) {
                        return Err(ApiError::invalid_field(
                            "duration",
                            "The duration is a number of days from 1 to 7.",
                        ));
                    }
                }
                let username = username.trim().to_lowercase();
                if username.is_empty()
                    || username.len() > input::MAX_EMAIL
                    || password.len() > input::MAX_PASSWORD
                {
                    return Err(ApiError::Unauthenticated);
                }
                reserve_attempt(&a, &username).await?;
                let user = a.state.store.user_by_username(&username).await?;
                let hash = user.as_ref().and_then(|u| u.password_hash.clone());
                if !a.state.passwords.verify(password, hash).await {
                    return Err(ApiError::InvalidInput(
                        "Wrong email or password.".into(),
                        Vec::new(),
                    ));
                }
                let user = user.ok_or(ApiError::Unauthenticated)?;
                a.state
                    .store
                    .clear_login_attempts(&username, &a.client_key())
                    .await?;
                if user.status == UserStatus::Locked {
                    return Err(ApiError::Forbidden("This account is locked."));
                }
                if let Some(org) = org_id.filter(|o| !o.is_empty()) {
                    if a.state.store.role_of(&org, &user.id).await?.is_none() {
                        return Err(ApiError::NotFound("Organization"));
                    }
                }
                signed_in(&a, &user, duration, "Signed in.")
            }
            .await,
        )
    }

    /// Checks a token: `success` and its claims when it is valid and not revoked.
    async fn verify_token(&self, ctx: &Context<'_>, token: String) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                let claims = a.state.tokens.decode(token.trim()).map_err(|e| match e {
                    auth::TokenError::Expired => ApiError::TokenExpired,
                    auth::TokenError::Invalid => ApiError::Unauthenticated,
                })?;
                match a.state.store.user_by_id(&claims.sub).await? {
                    Some(u) if u.token_version == claims.ver && u.status != UserStatus::Locked => {}
                    _ => return Err(ApiError::Unauthenticated),
                }
                Ok(Token {
                    success: true,
                    message: "The token is valid.".into(),
                    token: None,
                    decoded: Some(decoded(&claims)),
                    code: Some(ErrorCode::Ok.into()),
                })
            }
            .await,
        )
    }

    /// Revokes every token the caller holds.
    async fn logout(&self, ctx: &Context<'_>) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let me = a.person()?;
                a.state.store.revoke_tokens(&me.id).await?;
                Ok(StatusMessage::ok(
                    "Signed out everywhere.",
                    Some(me.id.clone()),
                ))
            }
            .await,
        )
    }

    /// Self Signup: the account is `pending` until its email is confirmed through the
    /// mailed link; the answer signs the person in meanwhile.
    async fn create_new_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        profile: Option<UserProfileInput>,
    ) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                let email = input::email(&email)?;
                input::password("password", &password)?;
                let profile = input::profile(profile)?;
                throttle::may_mail(&a, &email)?;
                // The cheap check first: a taken address costs no hash. (The insert below
                // still answers CONFLICT when two sign-ups race for one address.)
                if a.state.store.user_by_username(&email).await?.is_some() {
                    return Err(taken());
                }
                let hash = a
                    .state
                    .passwords
                    .hash(password)
                    .await
                    .map_err(ApiError::internal)?;
                let user = UserRow {
                    id: ids::new_id(),
                    username: email.clone(),
                    password_hash: Some(hash),
                    first_name: profile.first_name,
                    last_name: profile.last_name,
                    company: profile.company,
                    status: UserStatus::Pending,
                    email_verified: false,
                    token_version: 0,
                    created_at: clock::rfc3339(clock::now()),
                };
                let link = a.state.mailer.link(MailKind::ConfirmEmail, &email, None);
                match a.state.store.create_user(&user, Some(&link.record)).await {
                    Err(crate::store::StoreError::Conflict) => return Err(taken()),
                    other => other?,
                }
                a.state.mailer.deliver(link);
                signed_in(
                    &a,
                    &user,
                    None,
                    "Account created: confirm your email with the link we sent.",
                )
            }
            .await,
        )
    }

    /// Confirms an email with the mailed link's token, and signs the person in.
    async fn confirm_email(&self, ctx: &Context<'_>, token: String) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                let user = use_link(
                    &a,
                    &token,
                    &[MailKind::ConfirmEmail],
                    LinkEffect::ConfirmEmail,
                )
                .await?;
                signed_in(&a, &user, None, "Email confirmed.")
            }
            .await,
        )
    }

    /// Mails a new confirmation link to a pending account. The answer is the same whether
    /// or not the address has one.
    async fn resend_confirmation(&self, ctx: &Context<'_>, email: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let email = input::email(&email)?;
                throttle::may_mail(&a, &email)?;
                if let Some(user) = a.state.store.user_by_username(&email).await? {
                    if user.status == UserStatus::Pending && user.password_hash.is_some() {
                        mail_link(&a, &user, MailKind::ConfirmEmail).await?;
                    }
                }
                Ok(StatusMessage::ok(
                    "If that address waits for confirmation, a new link is on its way.",
                    None,
                ))
            }
            .await,
        )
    }

    /// Sets a password with an invitation or reset link's token, and signs the person in.
    /// An invitation's link makes the invited address's account (when it has none) and
    /// accepts the invitation; a reset's revokes older tokens.
    async fn set_password(&self, ctx: &Context<'_>, token: String, password: String) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                input::password("password", &password)?;
                // An invitation's link is the invitation's own; a reset's is the account's.
                const KINDS: [MailKind; 1] = [MailKind::PasswordReset];
                // A made-up or spent link costs no hash: look it up, then hash, then consume
                // it (atomically, so a concurrent use still finds it used).
                let invitation = invitations::invitation_link_is_live(&a, &token).await?;
                if !invitation && !link_is_live(&a, &token, &KINDS).await? {
                    return Err(bad_link());
                }
                let hash = a
                    .state
                    .passwords
                    .hash(password)
                    .await
                    .map_err(ApiError::internal)?;
                let user = if invitation {
                    // The invited address has no account: accepting makes it, confirmed
                    // (the link came to that mailbox), with this password.
                    let new = UserRow {
                        id: ids::new_id(),
                        username: String::new(),
                        password_hash: Some(hash),
                        first_name: None,
                        last_name: None,
                        company: None,
                        status: UserStatus::Active,
                        email_verified: true,
                        token_version: 0,
                        created_at: clock::rfc3339(clock::now()),
                    };
                    invitations::accept_with_new_account(&a, &token, &new).await?
                } else {
                    use_link(&a, &token, &KINDS, LinkEffect::SetPassword(hash)).await?
                };
                a.state
                    .store
                    .clear_login_attempts(&user.username, &a.client_key())
                    .await?;
                signed_in(&a, &user, None, "Password set.")
            }
            .await,
        )
    }

    /// Mails a password reset link. Never says whether the address has an account.
    ///
    /// Asked by a session signed in as that very account, it needs `currentPassword` too
    /// (as `updateUser` does): a stolen session must not turn into a stolen account. Asked
    /// anonymously (someone who forgot the password), the link goes to the mailbox only;
    /// `myMail` never shows reset mail.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
        current_password: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let email = input::email(&email)?;
                if let Principal::User(me) = &a.auth.principal {
                    if me.username == email {
                        check_current_password(&a, me, current_password).await?;
                    }
                }
                throttle::may_mail(&a, &email)?;
                if let Some(user) = a.state.store.user_by_username(&email).await? {
                    if user.status != UserStatus::Locked {
                        mail_link(&a, &user, MailKind::PasswordReset).await?;
                    }
                }
                Ok(StatusMessage::ok(
                    "If that address has an account, a reset link is on its way.",
                    None,
                ))
            }
            .await,
        )
    }

    /// Edits your profile, and changes your password when given the current one (which
    /// revokes every token, this one included: sign in again).
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        profile: Option<UserProfileInput>,
        current_password: Option<String>,
        new_password: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let me = a.active_user()?;
                // Every check before any change: a wrong current password saves nothing.
                let profile = profile.map(|p| input::profile(Some(p))).transpose()?;
                if let Some(new) = &new_password {
                    input::password("newPassword", new)?;
                    check_current_password(&a, me, current_password).await?;
                }
                if let Some(p) = &profile {
                    a.state.store.update_profile(&me.id, p).await?;
                }
                if let Some(new) = new_password {
                    let hash = a
                        .state
                        .passwords
                        .hash(new)
                        .await
                        .map_err(ApiError::internal)?;
                    a.state.store.change_password(&me.id, &hash).await?;
                    return Ok(StatusMessage::ok(
                        "Password changed: sign in again.",
                        Some(me.id.clone()),
                    ));
                }
                Ok(StatusMessage::ok("Profile saved.", Some(me.id.clone())))
            }
            .await,
        )
    }
}

/// Checks the signed-in person's current password (counted as a sign-in attempt, so it
/// cannot be guessed faster than signing in): INVALID_INPUT on `currentPassword` when it is
/// missing or wrong.
async fn check_current_password(
    a: &Access<'_>,
    me: &UserRow,
    current: Option<String>,
) -> ApiResult<()> {
    let current = current.unwrap_or_default();
    if current.len() > input::MAX_PASSWORD {
        return Err(wrong_password());
    }
    reserve_attempt(a, &me.username).await?;
    if !a
        .state
        .passwords
        .verify(current, me.password_hash.clone())
        .await
    {
        return Err(wrong_password());
    }
    a.state
        .store
        .clear_login_attempts(&me.username, &a.client_key())
        .await?;
    Ok(())
}

fn wrong_password() -> ApiError {
    ApiError::invalid_field("currentPassword", "The current password is wrong.")
}

fn taken() -> ApiError {
    ApiError::Conflict(
        "An account with this email already exists; sign in or reset the password.".into(),
    )
}

fn bad_link() -> ApiError {
    ApiError::invalid_field(
        "token",
        "This link is invalid, used or expired; ask for a new one.",
    )
}

/// Whether the link whose token the person pasted is unused, unexpired and of one of
/// `kinds`: a read, to check before any expensive work.
async fn link_is_live(a: &Access<'_>, token: &str, kinds: &[MailKind]) -> ApiResult<bool> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let now = clock::rfc3339(clock::now());
    Ok(a.state
        .store
        .link_is_live(&auth::sha256_hex(token.trim()), &kinds, &now)
        .await?)
}

/// Consumes a mailed link of one of `kinds` (its token as the person pasted it) and applies
/// `effect`: the user it was for, or INVALID_INPUT on `token` when it is unknown, used or
/// expired.
async fn use_link(
    a: &Access<'_>,
    token: &str,
    kinds: &[MailKind],
    effect: LinkEffect,
) -> ApiResult<UserRow> {
    let now = clock::rfc3339(clock::now());
    a.state
        .store
        .consume_link(&auth::sha256_hex(token.trim()), kinds, &now, effect)
        .await?
        .ok_or_else(bad_link)
}

/// Mails `user` a new link of `kind` (recorded with the user, then delivered).
async fn mail_link(a: &Access<'_>, user: &UserRow, kind: MailKind) -> ApiResult<()> {
    let link = a.state.mailer.link(kind, &user.username, None);
    a.state.store.create_link(&user.id, &link.record).await?;
    a.state.mailer.deliver(link);
    Ok(())
}
