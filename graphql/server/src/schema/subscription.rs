//! The subscription: what the original pushed on its `/broadcast` stream.

use super::integrations::ClickstreamChange;
use crate::access::{Access, Principal, RequestAuth};
use crate::error::ApiError;
use crate::AppState;
use async_graphql::{Context, Subscription as SubscriptionDerive};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use tokio_stream::wrappers::BroadcastStream;

/// Everything that pushes.
#[derive(Default)]
pub struct Subscription;

#[SubscriptionDerive]
impl Subscription {
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
                let allowed = match &auth.principal {
                    Principal::ApiKey(k) => {
                        k.org_id == change.org_id
                            && matches!(state.store.api_key_by_id(&k.id).await, Ok(Some(_)))
                    }
                    Principal::User(u) => match state.store.user_by_id(&u.id).await {
                        Ok(Some(fresh)) if fresh.token_version == u.token_version => {
                            matches!(
                                state.store.role_of(&change.org_id, &u.id).await,
                                Ok(Some(_))
                            )
                        }
                        _ => false,
                    },
                    _ => false,
                };
                allowed.then_some(change)
            }
        }))
    }
}
