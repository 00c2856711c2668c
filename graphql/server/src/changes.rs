//! Integration changes for `clickstreamChanged`: a broadcast inside this process and, when
//! the store's database is shared (PostgreSQL), a notice to every other server on it.
//!
//! A change is delivered here at once and published through the store with this server's
//! id; notices that come back with our own id are dropped, so each server's subscribers
//! hear every change exactly once, wherever it was made.

use crate::schema::ClickstreamChange;
use crate::store::{Store, StoreResult};
use futures_util::StreamExt;
use houston_vocabulary::ChangeAction;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

/// How many changes a slow subscriber may fall behind before it misses some.
const BACKLOG: usize = 256;

/// A change as it travels between servers.
#[derive(Serialize, Deserialize)]
struct Notice {
    /// The server that made the change.
    origin: String,
    org_id: String,
    app_id: String,
    integration_id: String,
    action: ChangeAction,
}

/// Where changes are published and heard.
pub struct Changes {
    local: broadcast::Sender<ClickstreamChange>,
    /// This server's id, random for each [`Changes`].
    origin: String,
    store: Arc<dyn Store>,
    /// The task that relays other servers' notices, stopped with this value.
    relay: Option<tokio::task::AbortHandle>,
}

impl Changes {
    /// Changes through `store`: also hears those of other servers when the store is shared.
    /// Listening has begun when this returns.
    pub async fn open(store: Arc<dyn Store>) -> StoreResult<Changes> {
        let (local, _) = broadcast::channel(BACKLOG);
        let origin = crate::ids::new_id();
        let relay = match store.listen_changes().await? {
            None => None,
            Some(mut notices) => {
                let (tx, me) = (local.clone(), origin.clone());
                let task = tokio::spawn(async move {
                    while let Some(payload) = notices.next().await {
                        match serde_json::from_str::<Notice>(&payload) {
                            // Ours: already delivered when it was made.
                            Ok(n) if n.origin == me => {}
                            Ok(n) => {
                                // No receiver is not an error: nobody is listening.
                                let _ = tx.send(ClickstreamChange {
                                    app_id: n.app_id,
                                    integration_id: n.integration_id,
                                    action: n.action,
                                    org_id: n.org_id,
                                });
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "ignoring a malformed change notice")
                            }
                        }
                    }
                });
                Some(task.abort_handle())
            }
        };
        Ok(Changes {
            local,
            origin,
            store,
            relay,
        })
    }

    /// A receiver of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ClickstreamChange> {
        self.local.subscribe()
    }

    /// Delivers `change` to this server's subscribers, then tells the other servers. A
    /// failure to tell them is logged: the change itself is already committed.
    pub async fn publish(&self, change: ClickstreamChange) {
        let notice = Notice {
            origin: self.origin.clone(),
            org_id: change.org_id.clone(),
            app_id: change.app_id.clone(),
            integration_id: change.integration_id.clone(),
            action: change.action,
        };
        let _ = self.local.send(change);
        match serde_json::to_string(&notice) {
            Ok(payload) => {
                if let Err(e) = self.store.publish_change(&payload).await {
                    tracing::warn!(error = %e, "could not tell the other servers about a change");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not encode a change notice"),
        }
    }
}

impl Drop for Changes {
    fn drop(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }
}
