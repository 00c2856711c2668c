//! Clickstream sources (called applications on the wire): `applications`, `application`
//! and the event router's `sources`; creating, renaming and deleting a source; the
//! `Application` type.

use super::integrations::{emit_change, ClickstreamConfig};
use super::organizations::Organization;
use super::paging::{page_of, Paged};
use super::prefetch::Prefetched;
use super::scalars::Date;
use super::status::{status, StatusMessage};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::input;
use crate::store::{AppRow, Role};
use crate::{clock, ids};
use async_graphql::{Context, Object, ID};
use houston_vocabulary::ChangeAction;
use std::sync::Arc;

/// A clickstream source: analytics.js, server, analytics-android or analytics-ios.
pub struct Application {
    pub row: AppRow,
    pub role: Role,
    /// What the list this source came in already read (see [`Prefetched`]).
    pub prefetched: Option<Arc<Prefetched>>,
}

#[Object]
impl Application {
    /// 21 characters of `A-Za-z0-9_-`: the write key the SDKs send.
    async fn id(&self) -> &str {
        &self.row.id
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn platform(&self) -> &str {
        &self.row.platform
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        let known = self.prefetched.as_ref().and_then(|p| p.org.as_ref());
        if let Some(row) = known.filter(|o| o.id == self.row.org_id) {
            return Ok(Organization {
                row: row.clone(),
                role: self.role,
            });
        }
        Organization::load(&Access::of(ctx), &self.row.org_id, self.role).await
    }
    /// The destinations switched on for this source.
    #[graphql(complexity = "super::limits::store_list(false, child_complexity)")]
    async fn clickstream(&self, ctx: &Context<'_>) -> ApiResult<Vec<ClickstreamConfig>> {
        let known = self
            .prefetched
            .as_ref()
            .and_then(|p| p.integrations.as_ref());
        let rows = match known {
            Some(by_app) => by_app.get(&self.row.id).cloned().unwrap_or_default(),
            None => {
                let a = Access::of(ctx);
                a.state.store.integrations_of_app(&self.row.id).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|row| ClickstreamConfig {
                row,
                role: self.role,
                prefetched: self.prefetched.clone(),
            })
            .collect())
    }
    async fn created_at(&self) -> Date {
        Date(self.row.created_at.clone())
    }
}

impl Application {
    /// A source found on its own, with nothing read ahead.
    fn alone((row, role): (AppRow, Role)) -> Application {
        Application {
            row,
            role,
            prefetched: None,
        }
    }
}

/// The list name inside `applicationPage` cursors.
const APPLICATIONS_LIST: &str = "applications";

/// The queries about sources.
#[derive(Default)]
pub struct SourcesQuery;

#[Object]
impl SourcesQuery {
    /// Sources: one by `appId`, or those of an organization (the argument or the header).
    #[graphql(complexity = "super::limits::store_list(app_id.is_some(), child_complexity)")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        app_id: Option<String>,
    ) -> ApiResult<Vec<Application>> {
        let a = Access::of(ctx);
        let scope = a.optional_org(org_id.as_ref())?;
        if let Some(app_id) = app_id {
            let Some(app) = found(a.app(&app_id).await)?.map(Application::alone) else {
                return Ok(Vec::new());
            };
            if scope.as_deref().is_some_and(|o| o != app.row.org_id) {
                return Ok(Vec::new());
            }
            return Ok(vec![app]);
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

    /// An organization's sources (the argument or the header) a page at a time, by name
    /// then id; `search` is part of the name (either case), `platform` one platform.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn application_page(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        platform: Option<String>,
    ) -> ApiResult<Paged<Application>> {
        let a = Access::of(ctx);
        let org_id = a.optional_org(org_id.as_ref())?.ok_or_else(|| {
            ApiError::invalid(
                "Say which organization: an orgId argument or an organization header.",
            )
        })?;
        let role = a.role_in(&org_id).await?;
        let page = page_of(APPLICATIONS_LIST, first, after, search)?;
        let platform = platform.filter(|p| !p.is_empty());
        let rows = a
            .state
            .store
            .apps_page(&org_id, &page, platform.as_deref())
            .await?;
        Ok(Paged::of(
            APPLICATIONS_LIST,
            rows,
            |r| (r.name.as_str(), r.id.clone()),
            |row| Application::alone((row, role)),
        ))
    }

    /// One source (deprecated: use `applications(appId:)`).
    #[graphql(deprecation = "use applications(appId:)")]
    async fn application(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Application>> {
        let found = Access::of(ctx).app(&id).await?;
        Ok(Some(Application::alone(found)))
    }

    /// The event router's lookup of one source and its integrations.
    #[graphql(complexity = "super::limits::store_list(true, child_complexity)")]
    async fn sources(&self, ctx: &Context<'_>, id: String) -> ApiResult<Vec<Application>> {
        let app = found(Access::of(ctx).app(&id).await)?;
        Ok(app.map(Application::alone).into_iter().collect())
    }
}

/// A lookup whose `NOT_FOUND` answers an empty list rather than an error.
fn found<T>(lookup: ApiResult<T>) -> ApiResult<Option<T>> {
    match lookup {
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The mutations about sources.
#[derive(Default)]
pub struct SourcesMutation;

#[Object]
impl SourcesMutation {
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
                let org_id = a.named_org(org_id)?;
                a.role_in(&org_id).await?;
                let app = AppRow {
                    id: ids::new_id(),
                    org_id,
                    name: input::name("name", &name)?,
                    platform: input::platform(&platform)?,
                    created_at: clock::rfc3339(clock::now()),
                };
                a.state.store.create_app(&app).await?;
                emit_change(&a, &app, "", ChangeAction::Create).await;
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
                        emit_change(&a, &app, &i.id, ChangeAction::Delete).await;
                    }
                    emit_change(&a, &app, "", ChangeAction::Delete).await;
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
                emit_change(&a, &app, "", ChangeAction::Update).await;
                Ok(StatusMessage::ok("Source saved.", Some(app.id)))
            }
            .await,
        )
    }
}
