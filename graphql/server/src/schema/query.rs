//! The queries.

use super::types::*;
use crate::access::{Access, Principal};
use crate::error::{ApiError, ApiResult};
use crate::store::Role;
use crate::AppState;
use async_graphql::{Context, Object, ID};
use std::sync::Arc;

/// Everything that reads.
#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// A liveness answer with the server's version.
    async fn healthcheck(&self) -> String {
        format!("houston-server {} ok", env!("CARGO_PKG_VERSION"))
    }

    /// The signed-in person (pending or not); `null` for API keys and anonymous callers.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let a = Access::of(ctx);
        match &a.auth.principal {
            Principal::ApiKey(_) => Ok(None),
            _ => Ok(Some(User(a.person()?.clone()))),
        }
    }

    /// Yourself, or members of organizations you share, optionally one by id or email.
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

    /// Organizations: one by `orgId` (or the `organization` header), those of a member
    /// you share them with by `userId`, or all of yours. Always a list.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        user_id: Option<String>,
        org_id: Option<ID>,
    ) -> ApiResult<Vec<Organization>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let scope = a.org_scope(org_id.as_ref().map(|o| o.as_str()))?;
        if let Some(org_id) = scope {
            let role = a.role_in(&org_id).await?;
            let Some(row) = a.state.store.org_by_id(&org_id).await? else {
                return Err(ApiError::NotFound("Organization"));
            };
            if let Some(uid) = &user_id {
                if a.state.store.role_of(&org_id, uid).await?.is_none() {
                    return Ok(Vec::new());
                }
            }
            return Ok(vec![Organization { row, role }]);
        }
        let me = a.active_user()?;
        let mut out = Vec::new();
        for row in a.state.store.orgs_of_user(&me.id).await? {
            let role = a
                .state
                .store
                .role_of(&row.id, &me.id)
                .await?
                .unwrap_or(Role::User);
            if let Some(uid) = &user_id {
                if a.state.store.role_of(&row.id, uid).await?.is_none() {
                    continue;
                }
            }
            out.push(Organization { row, role });
        }
        Ok(out)
    }

    /// One organization (deprecated: use `organizations(orgId:)`).
    #[graphql(deprecation = "use organizations(orgId:)")]
    async fn organization(
        &self,
        ctx: &Context<'_>,
        org_id: String,
    ) -> ApiResult<Option<Organization>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
        let role = a.role_in(&org_id).await?;
        let row = a
            .state
            .store
            .org_by_id(&org_id)
            .await?
            .ok_or(ApiError::NotFound("Organization"))?;
        Ok(Some(Organization { row, role }))
    }

    /// Sources: one by `appId`, or those of an organization (the argument or the header).
    async fn applications(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        app_id: Option<String>,
    ) -> ApiResult<Vec<Application>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let scope = a.org_scope(org_id.as_ref().map(|o| o.as_str()))?;
        if let Some(app_id) = app_id {
            let (row, role) = match a.app(&app_id).await {
                Ok(found) => found,
                Err(ApiError::NotFound(_)) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            if scope.as_deref().is_some_and(|o| o != row.org_id) {
                return Ok(Vec::new());
            }
            return Ok(vec![Application {
                row,
                role,
                prefetched: None,
            }]);
        }
        let org_id = scope.ok_or_else(|| {
            ApiError::invalid(
                "Say which organization: an orgId argument or an organization header.",
            )
        })?;
        let role = a.role_in(&org_id).await?;
        // What the selection asks of every source is read once for all of them.
        let wants = ctx.look_ahead();
        let mut known = Prefetched::default();
        if wants.field("organization").exists() {
            known.org = a.state.store.org_by_id(&org_id).await?;
        }
        if wants.field("clickstream").exists() {
            let rows = a.state.store.integrations_of_org(&org_id).await?;
            known.integrations = Some(Prefetched::group_integrations(rows));
        }
        let known = Arc::new(known);
        Ok(a.state
            .store
            .apps_of_org(&org_id)
            .await?
            .into_iter()
            .map(|row| Application {
                row,
                role,
                prefetched: Some(known.clone()),
            })
            .collect())
    }

    /// One source (deprecated: use `applications(appId:)`).
    #[graphql(deprecation = "use applications(appId:)")]
    async fn application(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Application>> {
        let (row, role) = Access::of(ctx).app(&id).await?;
        Ok(Some(Application {
            row,
            role,
            prefetched: None,
        }))
    }

    /// The event router's lookup of one source and its integrations.
    async fn sources(&self, ctx: &Context<'_>, id: String) -> ApiResult<Vec<Application>> {
        let a = Access::of(ctx);
        match a.app(&id).await {
            Ok((row, role)) => Ok(vec![Application {
                row,
                role,
                prefetched: None,
            }]),
            Err(ApiError::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// One saved connection.
    async fn connection(
        &self,
        ctx: &Context<'_>,
        connection_id: String,
    ) -> ApiResult<Option<ConnectionConfig>> {
        let (row, role) = Access::of(ctx).connection(&connection_id).await?;
        Ok(Some(ConnectionConfig { row, role }))
    }

    /// An organization's connections, optionally for one connection prototype.
    async fn org_connections(
        &self,
        ctx: &Context<'_>,
        org_id: String,
        connection_prototype: Option<ID>,
    ) -> ApiResult<Vec<ConnectionConfig>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let org_id = a.org_scope(Some(&org_id))?.unwrap_or(org_id);
        let role = a.role_in(&org_id).await?;
        Ok(a.state
            .store
            .connections_of_org(&org_id, connection_prototype.as_ref().map(|c| c.as_str()))
            .await?
            .into_iter()
            .map(|row| ConnectionConfig { row, role })
            .collect())
    }

    /// The destination catalog. `search` matches names and codes, case-insensitively.
    async fn clickstream_prototypes<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        code: Option<String>,
        platform: Option<String>,
        search: Option<String>,
    ) -> Vec<ClickstreamPrototype<'ctx>> {
        let state = ctx.data_unchecked::<Arc<AppState>>();
        state
            .catalog
            .find(code.as_deref(), platform.as_deref(), search.as_deref())
            .into_iter()
            .map(ClickstreamPrototype)
            .collect()
    }

    /// The catalog (deprecated alias of `clickstreamPrototypes`).
    #[graphql(deprecation = "use clickstreamPrototypes")]
    async fn integrations<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        code: Option<String>,
        platform: Option<String>,
    ) -> Vec<ClickstreamPrototype<'ctx>> {
        let state = ctx.data_unchecked::<Arc<AppState>>();
        state
            .catalog
            .find(code.as_deref(), platform.as_deref(), None)
            .into_iter()
            .map(ClickstreamPrototype)
            .collect()
    }

    /// Integrations of one source, or of every source of an organization.
    async fn clickstream_configs(
        &self,
        ctx: &Context<'_>,
        app_id: Option<String>,
        org_id: Option<ID>,
    ) -> ApiResult<Vec<ClickstreamConfig>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let scope = a.org_scope(org_id.as_ref().map(|o| o.as_str()))?;
        if let Some(app_id) = app_id {
            let (app, role) = a.app(&app_id).await?;
            if scope.as_deref().is_some_and(|o| o != app.org_id) {
                return Err(ApiError::NotFound("Source"));
            }
            return Ok(a
                .state
                .store
                .integrations_of_app(&app.id)
                .await?
                .into_iter()
                .map(|row| ClickstreamConfig {
                    row,
                    role,
                    prefetched: None,
                })
                .collect());
        }
        let org_id = scope.ok_or_else(|| {
            ApiError::invalid("Say which source or organization: appId, orgId or the header.")
        })?;
        let role = a.role_in(&org_id).await?;
        // Every integration's source and connection are read once for all of them.
        let wants = ctx.look_ahead();
        let mut known = Prefetched::default();
        if wants.field("application").exists() {
            let apps = a.state.store.apps_of_org(&org_id).await?;
            known.apps = apps.into_iter().map(|r| (r.id.clone(), r)).collect();
        }
        if wants.field("connection").exists() {
            let connections = a.state.store.connections_of_org(&org_id, None).await?;
            known.connections = connections.into_iter().map(|r| (r.id.clone(), r)).collect();
        }
        let known = Arc::new(known);
        Ok(a.state
            .store
            .integrations_of_org(&org_id)
            .await?
            .into_iter()
            .map(|row| ClickstreamConfig {
                row,
                role,
                prefetched: Some(known.clone()),
            })
            .collect())
    }

    /// An organization's API keys (Owners only).
    async fn api_keys(&self, ctx: &Context<'_>, org_id: ID) -> ApiResult<Vec<ApiKey>> {
        let a = Access::of(ctx);
        a.signed_in()?;
        let org_id = a.org_scope(Some(&org_id))?.unwrap_or_default();
        a.owner_of(&org_id).await?;
        Ok(a.state
            .store
            .api_keys_of_org(&org_id)
            .await?
            .into_iter()
            .map(ApiKey)
            .collect())
    }

    /// The outbox for your own address: confirmation, invitation and reset mails.
    async fn my_mail(&self, ctx: &Context<'_>) -> ApiResult<Vec<Mail>> {
        let a = Access::of(ctx);
        let me = a.person()?;
        Ok(a.state
            .store
            .mail_to(&me.username)
            .await?
            .into_iter()
            .map(Mail)
            .collect())
    }
}
