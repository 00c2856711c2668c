//! The subscriptions: what the original pushed on its `/broadcast` stream
//! (`clickstreamChanged`), merged with each concept's own (`eventReceived`), and the
//! check both make before each event they deliver ([`Standing`]).

use super::integrations::ClickstreamChange;
use crate::access::{Access, Principal, RequestAuth};
use crate::error::ApiError;
use crate::socket::RECHECK;
use crate::AppState;
use async_graphql::{Context, MergedSubscription, Subscription as SubscriptionDerive, ID};
use futures_util::{Stream, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio_stream::wrappers::BroadcastStream;

// Everything that pushes. (A plain comment: on a merged root a doc comment would become
// the root type's description, which the published SDL has never had.)
#[derive(MergedSubscription, Default)]
pub struct Subscription(ClickstreamSubscription, super::events::EventsSubscription);

/// Integration changes.
#[derive(Default)]
pub struct ClickstreamSubscription;

#[SubscriptionDerive]
impl ClickstreamSubscription {
    /// Changes to the sources and integrations of one source (`appId`), of one organization
    /// (`orgId`, or the `organization` header), or of every source you can see (in the
    /// organizations you belong to when you subscribe).
    async fn clickstream_changed(
        &self,
        ctx: &Context<'_>,
        app_id: Option<String>,
        org_id: Option<ID>,
    ) -> Result<impl Stream<Item = Result<ClickstreamChange, ApiError>>, ApiError> {
        let a = Access::of(ctx);
        let org = a.optional_org(org_id.as_ref())?;
        let orgs = match (&app_id, org, &a.auth.principal) {
            (Some(app_id), _, _) => vec![a.app(app_id).await?.0.org_id],
            (None, Some(org), _) => {
                a.role_in(&org).await?;
                vec![org]
            }
            (None, None, Principal::ApiKey(key)) => vec![key.org_id.clone()],
            (None, None, _) => {
                let me = a.active_user()?;
                let orgs = a.state.store.orgs_of_user(&me.id).await?;
                orgs.into_iter().map(|o| o.id).collect()
            }
        };
        let watching = Watching {
            changes: BroadcastStream::new(a.state.changes.subscribe()),
            app_id,
            orgs,
            standing: Standing::new(a.state.clone(), a.auth.clone()),
        };
        Ok(futures_util::stream::unfold(watching, |mut w| async move {
            w.next().await.map(|change| (change, w))
        }))
    }
}

/// One `clickstreamChanged` subscriber's state.
struct Watching {
    changes: BroadcastStream<ClickstreamChange>,
    /// The one source watched, if any.
    app_id: Option<String>,
    /// The organizations heard: a change elsewhere is dropped without touching the store.
    orgs: Vec<String>,
    standing: Standing,
}

impl Watching {
    /// The next change to deliver; an error ends the subscription (after it is sent), and
    /// so does losing every organization watched.
    async fn next(&mut self) -> Option<Result<ClickstreamChange, ApiError>> {
        if self.standing.ended {
            return None;
        }
        loop {
            let change = match self.changes.next().await? {
                Ok(change) => change,
                // Fell behind: what was missed is in the queries.
                Err(_) => continue,
            };
            if !self.orgs.contains(&change.org_id)
                || self.app_id.as_deref().is_some_and(|id| id != change.app_id)
            {
                continue;
            }
            match self.standing.admits(&change.org_id).await {
                Ok(true) => return Some(Ok(change)),
                Ok(false) => {
                    self.orgs.retain(|o| *o != change.org_id);
                    if self.orgs.is_empty() {
                        return None;
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// What a subscriber knows of its caller, checked before each event it would deliver:
/// the credentials' expiry at every event (no store read), the account or key and the
/// membership of the event's organization read again once what was read is [`RECHECK`]
/// old. Changes and events of organizations a subscriber does not watch never come here.
pub(super) struct Standing {
    state: Arc<AppState>,
    auth: RequestAuth,
    /// When the membership of each organization was last read and held.
    checked: HashMap<String, Instant>,
    /// Set once the credentials were found dead: the subscription ends.
    pub(super) ended: bool,
}

impl Standing {
    pub(super) fn new(state: Arc<AppState>, auth: RequestAuth) -> Standing {
        Standing {
            state,
            auth,
            checked: HashMap::new(),
            ended: false,
        }
    }

    /// Whether the caller may hear an event of `org_id`: `Ok(false)` when no longer a
    /// member; an error when the credentials no longer hold (expired, signed out,
    /// disabled, removed, key revoked), which ends the subscription.
    pub(super) async fn admits(&mut self, org_id: &str) -> Result<bool, ApiError> {
        let result = self.check(org_id).await;
        self.ended = result.is_err();
        result
    }

    async fn check(&mut self, org_id: &str) -> Result<bool, ApiError> {
        if self.auth.expired() {
            return Err(ApiError::TokenExpired);
        }
        if self
            .checked
            .get(org_id)
            .is_some_and(|t| t.elapsed() < RECHECK)
        {
            return Ok(true);
        }
        self.state.sockets.count_recheck();
        let member = member(&self.state, &self.auth, org_id).await?;
        if member {
            self.checked.insert(org_id.to_string(), Instant::now());
        } else {
            self.checked.remove(org_id);
        }
        Ok(member)
    }
}

/// Read from the store: whether the caller is still a member of `org_id` (the key is of
/// it, or the person belongs to it); an error when the key is gone, or the person's
/// tokens were revoked (a sign-out, a new password) or the account disabled or removed.
async fn member(state: &AppState, auth: &RequestAuth, org_id: &str) -> Result<bool, ApiError> {
    match &auth.principal {
        Principal::ApiKey(k) => match state.store.api_key_by_id(&k.id).await? {
            Some(fresh) => Ok(fresh.org_id == org_id),
            None => Err(ApiError::Unauthenticated),
        },
        Principal::User(u) => match state.store.user_by_id(&u.id).await? {
            Some(fresh) if fresh.token_version == u.token_version && fresh.is_active() => {
                Ok(state.store.role_of(org_id, &u.id).await?.is_some())
            }
            _ => Err(ApiError::Unauthenticated),
        },
        Principal::Anonymous | Principal::Rejected(_) => Err(ApiError::Unauthenticated),
    }
}
