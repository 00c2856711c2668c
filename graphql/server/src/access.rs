//! Who is asking, and what they may touch. Every resolver goes through here first.

use crate::auth::{self, TokenError, API_KEY_PREFIX};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store::{ApiKeyRow, AppRow, ConnectionRow, IntegrationRow, Role, UserRow};
use crate::AppState;
use async_graphql::{Context, ID};
use houston_vocabulary::UserStatus;
use std::sync::Arc;

/// The caller of one request, resolved from the `authorization` header before execution.
#[derive(Clone, Debug)]
pub enum Principal {
    /// No credentials.
    Anonymous,
    /// Credentials that were refused; public operations still treat the caller as anonymous.
    Rejected(TokenError),
    /// A signed-in person (read fresh from the store for this request).
    User(UserRow),
    /// An organization's API key, acting as a member with the key's role.
    ApiKey(ApiKeyRow),
}

/// What a request brings besides its query: the caller and the `organization` header.
#[derive(Clone, Debug)]
pub struct RequestAuth {
    pub principal: Principal,
    pub org_header: Option<String>,
    /// When the credentials stop holding (the token's `exp`, or the API key's expiry),
    /// unix seconds; `None`: never, or no credentials. A subscription checks it before
    /// each event.
    pub valid_until: Option<i64>,
}

impl RequestAuth {
    /// Resolves the raw `authorization` header: a JWT (raw or `Bearer`) or `service:<key>`.
    pub async fn resolve(
        state: &AppState,
        authorization: Option<&str>,
        organization: Option<&str>,
    ) -> RequestAuth {
        let (principal, valid_until) = match authorization.map(str::trim).filter(|s| !s.is_empty())
        {
            None => (Principal::Anonymous, None),
            Some(raw) => principal_of(state, raw).await,
        };
        RequestAuth {
            principal,
            valid_until,
            org_header: organization
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        }
    }

    /// Whether the credentials have expired (by the server's clock, without the leeway a
    /// token is given when it arrives: a socket ends at the token's `exp`).
    pub fn expired(&self) -> bool {
        self.valid_until
            .is_some_and(|t| t <= clock::now().unix_timestamp())
    }
}

/// The caller `raw` names, and until when its credentials hold.
async fn principal_of(state: &AppState, raw: &str) -> (Principal, Option<i64>) {
    if let Some(key) = raw.strip_prefix(API_KEY_PREFIX) {
        let now = clock::rfc3339(clock::now());
        return match state
            .store
            .use_api_key(&auth::sha256_hex(key.trim()), &now)
            .await
        {
            Ok(Some(row)) => {
                let valid_until = row
                    .expires_at
                    .as_deref()
                    .and_then(clock::parse)
                    .map(|t| t.unix_timestamp());
                (Principal::ApiKey(row), valid_until)
            }
            Ok(None) => (Principal::Rejected(TokenError::Invalid), None),
            Err(e) => {
                tracing::error!(error = %e, "looking up an API key");
                (Principal::Rejected(TokenError::Invalid), None)
            }
        };
    }
    let jwt = raw
        .strip_prefix("Bearer ")
        .or_else(|| raw.strip_prefix("bearer "))
        .unwrap_or(raw)
        .trim();
    let claims = match state.tokens.decode(jwt) {
        Ok(c) => c,
        Err(e) => return (Principal::Rejected(e), None),
    };
    match state.store.user_by_id(&claims.sub).await {
        // A token made before the user's last logout, password change or removal is dead.
        Ok(Some(user)) if user.token_version == claims.ver && user.status != UserStatus::Locked => {
            (Principal::User(user), Some(claims.exp))
        }
        Ok(_) => (Principal::Rejected(TokenError::Invalid), None),
        Err(e) => {
            tracing::error!(error = %e, "looking up a token's user");
            (Principal::Rejected(TokenError::Invalid), None)
        }
    }
}

/// The per-request view resolvers use: the shared state plus the caller.
pub struct Access<'a> {
    pub state: &'a Arc<AppState>,
    pub auth: &'a RequestAuth,
    /// The client's address ([`crate::throttle::ClientIp`]: the peer, or what a trusted
    /// proxy says), when the request came over HTTP; `None` in-process (the desktop).
    pub client: Option<crate::throttle::ClientIp>,
}

impl<'a> Access<'a> {
    /// From a resolver's context. A schema executed without `RequestAuth` is anonymous.
    pub fn of(ctx: &Context<'a>) -> Access<'a> {
        static ANONYMOUS: RequestAuth = RequestAuth {
            principal: Principal::Anonymous,
            org_header: None,
            valid_until: None,
        };
        Access {
            state: ctx.data_unchecked::<Arc<AppState>>(),
            auth: ctx.data_opt::<RequestAuth>().unwrap_or(&ANONYMOUS),
            client: ctx.data_opt().copied(),
        }
    }

    /// The client as sign-in attempts are counted: its address, or `""` in-process.
    pub fn client_key(&self) -> String {
        self.client.map(|c| c.0.to_string()).unwrap_or_default()
    }

    fn refused(&self) -> ApiError {
        match &self.auth.principal {
            Principal::Rejected(TokenError::Expired) => ApiError::TokenExpired,
            _ => ApiError::Unauthenticated,
        }
    }

    /// A signed-in person, pending or not (for `me`, `myMail`, `logout`).
    pub fn person(&self) -> ApiResult<&'a UserRow> {
        match &self.auth.principal {
            Principal::User(u) => Ok(u),
            Principal::ApiKey(_) => Err(ApiError::Forbidden(
                "An API key acts for an organization, not for a person.",
            )),
            _ => Err(self.refused()),
        }
    }

    /// A signed-in person whose email is confirmed.
    pub fn active_user(&self) -> ApiResult<&'a UserRow> {
        let user = self.person()?;
        if user.is_active() {
            Ok(user)
        } else {
            Err(ApiError::Forbidden(
                "Confirm your email address first: open the link we mailed you.",
            ))
        }
    }

    /// Fails unless someone is signed in (a confirmed person or an API key).
    pub fn signed_in(&self) -> ApiResult<()> {
        match &self.auth.principal {
            Principal::ApiKey(_) => Ok(()),
            _ => self.active_user().map(|_| ()),
        }
    }

    /// The caller's role in `org_id`, read fresh. Not a member (or no such organization):
    /// `NOT_FOUND`, so nobody learns what exists elsewhere.
    pub async fn role_in(&self, org_id: &str) -> ApiResult<Role> {
        match &self.auth.principal {
            Principal::ApiKey(key) => {
                if key.org_id == org_id {
                    Ok(key.role)
                } else {
                    Err(ApiError::NotFound("Organization"))
                }
            }
            _ => {
                let user = self.active_user()?;
                self.state
                    .store
                    .role_of(org_id, &user.id)
                    .await?
                    .ok_or(ApiError::NotFound("Organization"))
            }
        }
    }

    /// Like [`Access::role_in`], and the role must be Owner.
    pub async fn owner_of(&self, org_id: &str) -> ApiResult<()> {
        match self.role_in(org_id).await? {
            Role::Owner => Ok(()),
            Role::User => Err(ApiError::Forbidden(
                "Only an owner of the organization can do that.",
            )),
        }
    }

    /// The first step of a resolver that acts in an organization it names: the caller is
    /// signed in, and the organization is `org_id`, or the `organization` header when
    /// `org_id` is empty (see [`Access::org_scope`]).
    pub fn named_org(&self, org_id: String) -> ApiResult<String> {
        self.signed_in()?;
        Ok(self.org_scope(Some(&org_id))?.unwrap_or(org_id))
    }

    /// The first step of a resolver whose organization is optional: the caller is signed
    /// in, and the organization is `org_id` or the header, if either is given.
    pub fn optional_org(&self, org_id: Option<&ID>) -> ApiResult<Option<String>> {
        self.signed_in()?;
        self.org_scope(org_id.map(|o| o.as_str()))
    }

    /// The organization a request acts for: the argument, else the `organization` header.
    /// Both given and different: `ORG_MISMATCH`.
    pub fn org_scope(&self, arg: Option<&str>) -> ApiResult<Option<String>> {
        match (
            arg.filter(|s| !s.is_empty()),
            self.auth.org_header.as_deref(),
        ) {
            (Some(a), Some(h)) if a != h => Err(ApiError::OrgMismatch),
            (Some(a), _) => Ok(Some(a.to_string())),
            (None, h) => Ok(h.map(str::to_string)),
        }
    }

    /// An application the caller may see, with their role in its organization.
    pub async fn app(&self, app_id: &str) -> ApiResult<(AppRow, Role)> {
        self.signed_in()?;
        let app = self
            .state
            .store
            .app_by_id(app_id)
            .await?
            .ok_or(ApiError::NotFound("Source"))?;
        let role = self
            .role_in(&app.org_id)
            .await
            .map_err(|e| hide(e, "Source"))?;
        self.org_scope(Some(&app.org_id))?;
        Ok((app, role))
    }

    /// A connection the caller may see, with their role in its organization.
    pub async fn connection(&self, id: &str) -> ApiResult<(ConnectionRow, Role)> {
        self.signed_in()?;
        let c = self
            .state
            .store
            .connection_by_id(id)
            .await?
            .ok_or(ApiError::NotFound("Connection"))?;
        let role = self
            .role_in(&c.org_id)
            .await
            .map_err(|e| hide(e, "Connection"))?;
        self.org_scope(Some(&c.org_id))?;
        Ok((c, role))
    }

    /// An integration the caller may see, with its application and the caller's role.
    pub async fn integration(&self, id: &str) -> ApiResult<(IntegrationRow, AppRow, Role)> {
        self.signed_in()?;
        let i = self
            .state
            .store
            .integration_by_id(id)
            .await?
            .ok_or(ApiError::NotFound("Integration"))?;
        let (app, role) = self
            .app(&i.app_id)
            .await
            .map_err(|e| hide(e, "Integration"))?;
        Ok((i, app, role))
    }
}

/// Another organization's object is reported as the object not found, never as forbidden.
fn hide(e: ApiError, what: &'static str) -> ApiError {
    match e {
        ApiError::NotFound(_) => ApiError::NotFound(what),
        other => other,
    }
}
