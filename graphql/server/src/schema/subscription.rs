//! The subscriptions: what the original pushed on its `/broadcast` stream
//! (`clickstreamChanged`), merged with each concept's own (`eventReceived`).

use super::integrations::ClickstreamChange;
use crate::access::{Access, Principal, RequestAuth};
use crate::error::ApiError;
use crate::AppState;
use async_graphql::{Context, MergedSubscription, Subscription as SubscriptionDerive};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
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
    /// Changes to the integrations of one source (`appId`) or of every source you can see.
    async fn clickstream_changed(
        &self,
        ctx: &Context<'_>,
        app_id: Option<String>,
    ) -> Result<impl Stream<Item = ClickstreamChange>, ApiError> {
        let a = Access::of(ctx);
        a.signed_in()?;
        if let Some(app_id) = &app_id {
            a.app(app_id).await?;
        }
        let state: Arc<AppState> = a.state.clone();
        let auth: RequestAuth = a.auth.clone();
        let rx = state.changes.subscribe();
        Ok(BroadcastStream::new(rx).filter_map(move |change| {
            let state = state.clone();
            let auth = auth.clone();
            let app_id = app_id.clone();
            async move {
                let change = change.ok()?;
                if app_id.as_deref().is_some_and(|id| id != change.app_id) {
                    return None;
                }
                // Membership is read again for every event: a member removed since the
                // subscription started hears nothing more.
                let allowed = may_read(&state, &auth, &change.org_id).await;
                allowed.then_some(change)
            }
        }))
    }
}

/// Whether the caller of a subscription may still read `org_id`'s data: the key still
/// exists and is of that organization, or the person's session is still valid and they
/// are still a member.
pub(super) async fn may_read(state: &AppState, auth: &RequestAuth, org_id: &str) -> bool {
    match &auth.principal {
        Principal::ApiKey(k) => {
            k.org_id == org_id && matches!(state.store.api_key_by_id(&k.id).await, Ok(Some(_)))
        }
        Principal::User(u) => match state.store.user_by_id(&u.id).await {
            Ok(Some(fresh)) if fresh.token_version == u.token_version => {
                matches!(state.store.role_of(org_id, &u.id).await, Ok(Some(_)))
            }
            _ => false,
        },
        _ => false,
    }
}
