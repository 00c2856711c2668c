//! The mutations. Each returns its outcome as data (`StatusMessage`, `Token`), so a form
//! can show what went wrong; each change is one store transaction.

use super::types::*;
use super::{emit_change, merge_config, merge_connection, validation_error};
use crate::access::{Access, Principal};
use crate::auth::{self, TOKEN_LIFETIME_SECS};
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::mail::MailKind;
use crate::store::{
    ApiKeyRow, AppRow, ConnectionRow, IntegrationPatch, IntegrationRow, LinkEffect, OrgRow, Role,
    UserRow,
};
use crate::{clock, ids};
use async_graphql::{Context, Enum, Json, Object};

/// Failed sign-ins allowed per username in one window before `RATE_LIMITED`.
pub const MAX_FAILED_SIGN_INS: i64 = 10;
/// The window of [`MAX_FAILED_SIGN_INS`], in seconds.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;

/// What `updateConnection` does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConnectionActions {
    Update,
    Delete,
}

/// What `updateIntegration` does.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntegrationActions {
    Update,
    Enable,
    Disable,
    Delete,
}

/// Everything that writes.
#[derive(Default)]
pub struct Mutation;

fn status(r: ApiResult<StatusMessage>) -> StatusMessage {
    r.unwrap_or_else(StatusMessage::from)
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
        code: Some("OK".into()),
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

/// Counts a sign-in attempt for `username` before checking the password, so aliased,
/// batched and concurrent attempts all count; refuses once the window is used up.
async fn reserve_attempt(a: &Access<'_>, username: &str) -> ApiResult<()> {
    let count = a
        .state
        .store
        .count_login_attempt(username, clock::now().unix_timestamp(), SIGN_IN_WINDOW_SECS)
        .await?;
    if count > MAX_FAILED_SIGN_INS {
        tracing::warn!("sign-in attempts throttled for one username");
        return Err(ApiError::RateLimited);
    }
    Ok(())
}

#[Object]
impl Mutation {
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
                a.state.store.clear_login_attempts(&username).await?;
                if user.status == "locked" {
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
                    Some(u) if u.token_version == claims.ver && u.status != "locked" => {}
                    _ => return Err(ApiError::Unauthenticated),
                }
                Ok(Token {
                    success: true,
                    message: "The token is valid.".into(),
                    token: None,
                    decoded: Some(decoded(&claims)),
                    code: Some("OK".into()),
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
                    status: "pending".into(),
                    email_verified: false,
                    token_version: 0,
                    created_at: clock::rfc3339(clock::now()),
                };
                let link = a.state.mailer.link(MailKind::ConfirmEmail, &email, None);
                match a.state.store.create_user(&user, Some(&link.record)).await {
                    Err(crate::store::StoreError::Conflict) => return Err(ApiError::Conflict(
                        "An account with this email already exists; sign in or reset the password."
                            .into(),
                    )),
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
                let now = clock::rfc3339(clock::now());
                let user = a
                    .state
                    .store
                    .consume_link(
                        &auth::sha256_hex(token.trim()),
                        &[MailKind::ConfirmEmail.as_str()],
                        &now,
                        LinkEffect::ConfirmEmail,
                    )
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "token",
                            "This link is invalid, used or expired; ask for a new one.",
                        )
                    })?;
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
                if let Some(user) = a.state.store.user_by_username(&email).await? {
                    if user.status == "pending" && user.password_hash.is_some() {
                        let link = a.state.mailer.link(MailKind::ConfirmEmail, &email, None);
                        a.state.store.create_link(&user.id, &link.record).await?;
                        a.state.mailer.deliver(link);
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

    /// Sets a password with an invitation or reset link's token (completing an Auto
    /// Signup, or a reset), and signs the person in. Older tokens are revoked.
    async fn set_password(&self, ctx: &Context<'_>, token: String, password: String) -> Token {
        let a = Access::of(ctx);
        token_outcome(
            async {
                input::password("password", &password)?;
                let hash = a
                    .state
                    .passwords
                    .hash(password)
                    .await
                    .map_err(ApiError::internal)?;
                let now = clock::rfc3339(clock::now());
                let user = a
                    .state
                    .store
                    .consume_link(
                        &auth::sha256_hex(token.trim()),
                        &[
                            MailKind::Invitation.as_str(),
                            MailKind::PasswordReset.as_str(),
                        ],
                        &now,
                        LinkEffect::SetPassword(hash),
                    )
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "token",
                            "This link is invalid, used or expired; ask for a new one.",
                        )
                    })?;
                a.state.store.clear_login_attempts(&user.username).await?;
                signed_in(&a, &user, None, "Password set.")
            }
            .await,
        )
    }

    /// Mails a password reset link. Never says whether the address has an account.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let email = input::email(&email)?;
                if let Some(user) = a.state.store.user_by_username(&email).await? {
                    if user.status != "locked" {
                        let link = a.state.mailer.link(MailKind::PasswordReset, &email, None);
                        a.state.store.create_link(&user.id, &link.record).await?;
                        a.state.mailer.deliver(link);
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
                if let Some(p) = profile {
                    let p = input::profile(Some(p))?;
                    a.state.store.update_profile(&me.id, &p).await?;
                }
                if let Some(new) = new_password {
                    input::password("newPassword", &new)?;
                    let current = current_password.unwrap_or_default();
                    reserve_attempt(&a, &me.username).await?;
                    if !a
                        .state
                        .passwords
                        .verify(current, me.password_hash.clone())
                        .await
                    {
                        return Err(ApiError::invalid_field(
                            "currentPassword",
                            "The current password is wrong.",
                        ));
                    }
                    a.state.store.clear_login_attempts(&me.username).await?;
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

    /// Creates an organization with the caller as its first Owner.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        name: String,
        user_id: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let me = a.active_user()?;
                if user_id
                    .as_deref()
                    .is_some_and(|u| !u.is_empty() && u != me.id)
                {
                    return Err(ApiError::Forbidden(
                        "You can only create an organization you own yourself.",
                    ));
                }
                let name = input::name("name", &name)?;
                let org = OrgRow {
                    id: ids::new_id(),
                    name,
                    description: None,
                    enabled: true,
                    created_at: clock::rfc3339(clock::now()),
                };
                a.state.store.create_org(&org, &me.id).await?;
                Ok(StatusMessage::ok("Organization created.", Some(org.id)))
            }
            .await,
        )
    }

    /// Owners only: rename or describe the organization, add a member (an unknown email
    /// gets an invitation), remove one, change a role, or delete it. One change a call.
    #[allow(clippy::too_many_arguments)]
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        name: Option<String>,
        description: Option<String>,
        add_user: Option<MemberInput>,
        remove_user_id: Option<String>,
        set_role: Option<MemberRoleInput>,
        #[graphql(name = "delete")] delete_org: Option<bool>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                a.signed_in()?;
                let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
                a.owner_of(&org_id).await?;
                let details = name.is_some() || description.is_some();
                let changes = [
                    details,
                    add_user.is_some(),
                    remove_user_id.is_some(),
                    set_role.is_some(),
                    delete_org == Some(true),
                ];
                match changes.iter().filter(|c| **c).count() {
                    0 => return Err(ApiError::invalid("Nothing to change.")),
                    1 => {}
                    _ => return Err(ApiError::invalid(
                        "One change at a time: details, addUser, removeUserId, setRole or delete.",
                    )),
                }
                let store = &a.state.store;
                if delete_org == Some(true) {
                    store.delete_org(&org_id).await?;
                    return Ok(StatusMessage::ok("Organization deleted.", Some(org_id)));
                }
                if details {
                    let name = name.map(|n| input::name("name", &n)).transpose()?;
                    let description = description
                        .map(|d| input::text("description", &d, 2000))
                        .transpose()?;
                    store
                        .update_org(&org_id, name.as_deref(), description.as_deref())
                        .await?;
                    return Ok(StatusMessage::ok("Organization saved.", Some(org_id)));
                }
                if let Some(m) = add_user {
                    let email = input::email(&m.email).map_err(|_| {
                        ApiError::invalid_field("email", "Enter a valid email address.")
                    })?;
                    let role = m.role.unwrap_or(Role::User);
                    if let Some(user) = store.user_by_username(&email).await? {
                        match store.add_member(&org_id, &user.id, role).await {
                            Err(crate::store::StoreError::Conflict) => {
                                return Err(ApiError::Conflict(
                                    "That person is already a member.".into(),
                                ))
                            }
                            other => other?,
                        }
                        return Ok(StatusMessage::ok("Member added.", Some(user.id)));
                    }
                    // Auto Signup: a pending account and an invitation to set a password.
                    let user = UserRow {
                        id: ids::new_id(),
                        username: email.clone(),
                        password_hash: None,
                        first_name: None,
                        last_name: None,
                        company: None,
                        status: "pending".into(),
                        email_verified: false,
                        token_version: 0,
                        created_at: clock::rfc3339(clock::now()),
                    };
                    let org = store
                        .org_by_id(&org_id)
                        .await?
                        .ok_or(ApiError::NotFound("Organization"))?;
                    let link = a
                        .state
                        .mailer
                        .link(MailKind::Invitation, &email, Some(&org.name));
                    store
                        .invite_member(&org_id, &user, role, &link.record)
                        .await?;
                    a.state.mailer.deliver(link);
                    return Ok(StatusMessage::ok("Invitation sent.", Some(user.id)));
                }
                if let Some(user_id) = remove_user_id {
                    store
                        .remove_member(&org_id, &user_id)
                        .await
                        .map_err(|e| match e {
                            crate::store::StoreError::NotFound => ApiError::NotFound("Member"),
                            e => e.into(),
                        })?;
                    return Ok(StatusMessage::ok("Member removed.", Some(user_id)));
                }
                if let Some(r) = set_role {
                    store
                        .set_role(&org_id, &r.user_id, r.role)
                        .await
                        .map_err(|e| match e {
                            crate::store::StoreError::NotFound => ApiError::NotFound("Member"),
                            e => e.into(),
                        })?;
                    return Ok(StatusMessage::ok("Role changed.", Some(r.user_id)));
                }
                Err(ApiError::invalid("Nothing to change."))
            }
            .await,
        )
    }

    /// Creates a clickstream source; its id is 21 random characters.
    async fn create_application(
        &self,
        ctx: &Context<'_>,
        name: String,
        platform: String,
        org_id: String,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                a.signed_in()?;
                let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
                a.role_in(&org_id).await?;
                let app = AppRow {
                    id: ids::new_id(),
                    org_id,
                    name: input::name("name", &name)?,
                    platform: input::platform(&platform)?,
                    created_at: clock::rfc3339(clock::now()),
                };
                a.state.store.create_app(&app).await?;
                Ok(StatusMessage::ok("Source created.", Some(app.id)))
            }
            .await,
        )
    }

    /// Renames a source, changes its platform, or deletes it (with its integrations).
    async fn update_application(
        &self,
        ctx: &Context<'_>,
        app_id: String,
        name: Option<String>,
        platform: Option<String>,
        #[graphql(name = "delete")] delete_app: Option<bool>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (app, _) = a.app(&app_id).await?;
                if delete_app == Some(true) {
                    let gone = a.state.store.integrations_of_app(&app.id).await?;
                    a.state.store.delete_app(&app.id).await?;
                    for i in gone {
                        emit_change(&a, &app, &i.id, "DELETE").await;
                    }
                    return Ok(StatusMessage::ok("Source deleted.", Some(app.id)));
                }
                let name = name.map(|n| input::name("name", &n)).transpose()?;
                let platform = platform.map(|p| input::platform(&p)).transpose()?;
                if name.is_none() && platform.is_none() {
                    return Err(ApiError::invalid("Nothing to change."));
                }
                a.state
                    .store
                    .update_app(&app.id, name.as_deref(), platform.as_deref())
                    .await?;
                Ok(StatusMessage::ok("Source saved.", Some(app.id)))
            }
            .await,
        )
    }

    /// Saves credentials for a destination; `details` is validated against the connection
    /// prototype, and what is wrong comes back as `fieldErrors`.
    async fn create_connection(
        &self,
        ctx: &Context<'_>,
        integration_code: String,
        details: Json<serde_json::Value>,
        name: String,
        org_id: String,
        connection_prototype_id: String,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                a.signed_in()?;
                let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
                a.role_in(&org_id).await?;
                let name = input::name("name", &name)?;
                let dest = a.state.catalog.get(&integration_code).ok_or_else(|| {
                    ApiError::invalid_field("integrationCode", "No destination has this code.")
                })?;
                if connection_prototype_id != dest.code {
                    return Err(ApiError::invalid_field(
                        "connectionPrototypeId",
                        "This connection prototype does not belong to the destination.",
                    ));
                }
                let errors = dest.validate_connection(&details.0);
                if !errors.is_empty() {
                    return Err(validation_error(errors));
                }
                let now = clock::rfc3339(clock::now());
                let row = ConnectionRow {
                    id: ids::new_id(),
                    org_id,
                    name,
                    integration_code: dest.code.clone(),
                    connection_prototype_id,
                    details: details.0,
                    created_at: now.clone(),
                    updated_at: now,
                };
                a.state.store.create_connection(&row).await?;
                Ok(StatusMessage::ok("Connection saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Renames a connection or replaces its details (a secret left out, or sent back
    /// masked, keeps its stored value), or deletes it when no integration uses it.
    async fn update_connection(
        &self,
        ctx: &Context<'_>,
        connection_id: String,
        action: ConnectionActions,
        name: Option<String>,
        details: Option<Json<serde_json::Value>>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (row, _) = a.connection(&connection_id).await?;
                if action == ConnectionActions::Delete {
                    a.state.store.delete_connection(&row.id).await.map_err(|e| match e {
                        crate::store::StoreError::InUse => ApiError::Conflict("This connection is used by an integration; remove or re-point those first.".into()),
                        e => e.into(),
                    })?;
                    return Ok(StatusMessage::ok("Connection deleted.", Some(row.id)));
                }
                let name = name.map(|n| input::name("name", &n)).transpose()?;
                let details = match details {
                    Some(Json(new)) => {
                        let dest = a.state.catalog.get(&row.integration_code);
                        let merged = merge_connection(dest, &row.details, &new);
                        if let Some(dest) = dest {
                            let errors = dest.validate_connection(&merged);
                            if !errors.is_empty() {
                                return Err(validation_error(errors));
                            }
                        }
                        Some(merged)
                    }
                    None => None,
                };
                let now = clock::rfc3339(clock::now());
                a.state.store.update_connection(&row.id, name.as_deref(), details.as_ref(), &now).await?;
                Ok(StatusMessage::ok("Connection saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Switches a destination on for a source; `configPayload` is validated against the
    /// config prototype, and what is wrong comes back as `fieldErrors`.
    async fn create_integration(
        &self,
        ctx: &Context<'_>,
        app_id: String,
        integration_code: String,
        config_payload: Json<serde_json::Value>,
        connection_id: Option<String>,
        name: String,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (app, _) = a.app(&app_id).await?;
                let name = input::name("name", &name)?;
                let dest = a.state.catalog.get(&integration_code).ok_or_else(|| {
                    ApiError::invalid_field("integrationCode", "No destination has this code.")
                })?;
                let connection_id = connection_id.filter(|c| !c.is_empty());
                if let Some(cid) = &connection_id {
                    check_connection(&a, cid, &app, &dest.code).await?;
                }
                let errors = dest.validate_config(&config_payload.0);
                if !errors.is_empty() {
                    return Err(validation_error(errors));
                }
                let now = clock::rfc3339(clock::now());
                let row = IntegrationRow {
                    id: ids::new_id(),
                    app_id: app.id.clone(),
                    connection_id,
                    name,
                    code: dest.code.clone(),
                    config: config_payload.0,
                    enabled: true,
                    created_at: now.clone(),
                    updated_at: now,
                };
                a.state.store.create_integration(&row).await?;
                emit_change(&a, &app, &row.id, "CREATE").await;
                Ok(StatusMessage::ok("Integration saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Changes an integration (name, configPayload, connection), switches it on or off,
    /// or deletes it.
    async fn update_integration(
        &self,
        ctx: &Context<'_>,
        integration_id: String,
        action: IntegrationActions,
        name: Option<String>,
        config_payload: Option<Json<serde_json::Value>>,
        connection_id: Option<String>,
    ) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                let (row, app, _) = a.integration(&integration_id).await?;
                let now = clock::rfc3339(clock::now());
                let store = &a.state.store;
                let (patch, verb) = match action {
                    IntegrationActions::Delete => {
                        store.delete_integration(&row.id).await?;
                        emit_change(&a, &app, &row.id, "DELETE").await;
                        return Ok(StatusMessage::ok("Integration deleted.", Some(row.id)));
                    }
                    IntegrationActions::Enable => (
                        IntegrationPatch {
                            enabled: Some(true),
                            ..Default::default()
                        },
                        "ENABLE",
                    ),
                    IntegrationActions::Disable => (
                        IntegrationPatch {
                            enabled: Some(false),
                            ..Default::default()
                        },
                        "DISABLE",
                    ),
                    IntegrationActions::Update => {
                        let dest = a.state.catalog.get(&row.code);
                        let config = match config_payload {
                            Some(Json(new)) => {
                                let merged = merge_config(dest, &row.config, &new);
                                if let Some(dest) = dest {
                                    let errors = dest.validate_config(&merged);
                                    if !errors.is_empty() {
                                        return Err(validation_error(errors));
                                    }
                                }
                                Some(merged)
                            }
                            None => None,
                        };
                        let connection = match connection_id {
                            Some(c) if c.is_empty() => Some(None),
                            Some(c) => {
                                check_connection(&a, &c, &app, &row.code).await?;
                                Some(Some(c))
                            }
                            None => None,
                        };
                        let name = name.map(|n| input::name("name", &n)).transpose()?;
                        (
                            IntegrationPatch {
                                name,
                                config,
                                connection_id: connection,
                                enabled: None,
                            },
                            "UPDATE",
                        )
                    }
                };
                store.update_integration(&row.id, &patch, &now).await?;
                emit_change(&a, &app, &row.id, verb).await;
                Ok(StatusMessage::ok("Integration saved.", Some(row.id)))
            }
            .await,
        )
    }

    /// Owners only: a new API key acting as a member of the organization with `role`
    /// (default `USER`). The key is in this answer and nowhere else.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        label: String,
        role: Option<Role>,
    ) -> ApiKeyCreated {
        let a = Access::of(ctx);
        async {
            a.signed_in()?;
            let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
            a.owner_of(&org_id).await?;
            if matches!(a.auth.principal, Principal::ApiKey(_)) {
                return Err(ApiError::Forbidden(
                    "An API key cannot make other API keys.",
                ));
            }
            let key = auth::random_token();
            let row = ApiKeyRow {
                id: ids::new_id(),
                org_id,
                label: input::name("label", &label)?,
                role: role.unwrap_or(Role::User).as_str().into(),
                created_at: clock::rfc3339(clock::now()),
                last_used_at: None,
            };
            a.state
                .store
                .create_api_key(&row, &auth::sha256_hex(&key))
                .await?;
            Ok(ApiKeyCreated {
                success: true,
                message: "API key created: copy it now, it will not be shown again.".into(),
                id: Some(row.id),
                key: Some(key),
                code: Some("OK".into()),
            })
        }
        .await
        .unwrap_or_else(ApiKeyCreated::from)
    }

    /// Owners only: revokes an API key at once.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: String) -> StatusMessage {
        let a = Access::of(ctx);
        status(
            async {
                a.signed_in()?;
                let key = a
                    .state
                    .store
                    .api_key_by_id(&id)
                    .await?
                    .ok_or(ApiError::NotFound("API key"))?;
                a.owner_of(&key.org_id).await.map_err(|e| match e {
                    ApiError::NotFound(_) => ApiError::NotFound("API key"),
                    e => e,
                })?;
                a.state.store.revoke_api_key(&key.id).await?;
                Ok(StatusMessage::ok("API key revoked.", Some(key.id)))
            }
            .await,
        )
    }
}

/// A connection given to an integration must belong to the same organization and destination.
async fn check_connection(a: &Access<'_>, id: &str, app: &AppRow, code: &str) -> ApiResult<()> {
    let c = a.state.store.connection_by_id(id).await?;
    match c {
        Some(c) if c.org_id == app.org_id => {
            if c.integration_code != code {
                return Err(ApiError::invalid_field(
                    "connectionId",
                    "This connection is for another destination.",
                ));
            }
            Ok(())
        }
        _ => Err(ApiError::NotFound("Connection")),
    }
}
