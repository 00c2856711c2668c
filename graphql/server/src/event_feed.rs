//! Stored events for `eventReceived`: the collector records a request's events through
//! [`EventFeed::record`], which stores them, then delivers them to this server's
//! subscribers and, when the store's database is shared (PostgreSQL), tells every other
//! server on it.
//!
//! - **Here**: one broadcast of [`StoredEvents`] (a request's events behind an `Arc`), so a
//!   request costs one send however many subscribers there are; each subscriber keeps the
//!   batches of its own source by comparing ids, without touching the store.
//! - **Elsewhere**: a `NOTIFY` payload is small (PostgreSQL refuses 8,000 bytes, one event
//!   may be 32 KB), so a notice names the source and the range of `seq` it stored. Each
//!   other server reads that range once, and only when one of its subscribers watches
//!   that source, then broadcasts it like its own. Notices that come back with this
//!   server's id are dropped: its subscribers already have them.
//!
//! Retention may delete a range before another server reads it (a source keeping very few
//! events); those events are then not delivered there, as they are no longer stored.

use crate::store::{EventRow, NewEvent, Retention, Store, StoreResult};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// How many requests' events a slow subscriber may fall behind before it misses some.
const BACKLOG: usize = 1024;

/// One request's events as stored, for one source.
#[derive(Debug)]
pub struct StoredEvents {
    pub org_id: String,
    pub app_id: String,
    /// In the order they were sent.
    pub rows: Vec<Arc<EventRow>>,
}

/// Events as they travel between servers: which source, which `seq`s.
#[derive(Serialize, Deserialize)]
struct Notice {
    /// The server that stored them.
    origin: String,
    org_id: String,
    app_id: String,
    first_seq: i64,
    last_seq: i64,
}

/// How many subscribers of this server watch each source.
type Watchers = Arc<Mutex<HashMap<String, usize>>>;

/// Where stored events are recorded, published and heard.
pub struct EventFeed {
    local: broadcast::Sender<Arc<StoredEvents>>,
    /// This server's id, random for each [`EventFeed`].
    origin: String,
    store: Arc<dyn Store>,
    retention: Retention,
    watchers: Watchers,
    /// The task that relays other servers' notices, stopped with this value.
    relay: Option<tokio::task::AbortHandle>,
}

/// A subscriber's interest in one source; dropping it ends the interest.
pub struct Watch {
    app_id: String,
    watchers: Watchers,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut watchers = self.watchers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = watchers.get_mut(&self.app_id) {
            *n -= 1;
            if *n == 0 {
                watchers.remove(&self.app_id);
            }
        }
    }
}

impl EventFeed {
    /// Events recorded through `store`, kept as `retention` says; also hears those other
    /// servers store when the database is shared. Listening has begun when this returns.
    pub async fn open(store: Arc<dyn Store>, retention: Retention) -> StoreResult<EventFeed> {
        let (local, _) = broadcast::channel(BACKLOG);
        let origin = crate::ids::new_id();
        let watchers = Watchers::default();
        let relay = match store.listen_events().await? {
            None => None,
            Some(notices) => {
                let task = tokio::spawn(relay(
                    notices,
                    local.clone(),
                    origin.clone(),
                    store.clone(),
                    watchers.clone(),
                ));
                Some(task.abort_handle())
            }
        };
        Ok(EventFeed {
            local,
            origin,
            store,
            retention,
            watchers,
            relay,
        })
    }

    /// How many events a source keeps.
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Stores one request's events for the source `app_id` of `org_id` (one transaction,
    /// see [`crate::store::Events::record_events`]), then publishes them. A failure to
    /// tell the other servers is logged: the events are stored.
    pub async fn record(
        &self,
        org_id: &str,
        app_id: &str,
        events: &[NewEvent],
    ) -> StoreResult<Vec<Arc<EventRow>>> {
        let rows: Vec<Arc<EventRow>> = self
            .store
            .record_events(app_id, events, self.retention)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(rows);
        };
        let notice = Notice {
            origin: self.origin.clone(),
            org_id: org_id.to_string(),
            app_id: app_id.to_string(),
            first_seq: first.seq,
            last_seq: last.seq,
        };
        // No receiver is not an error: nobody is listening.
        let _ = self.local.send(Arc::new(StoredEvents {
            org_id: org_id.to_string(),
            app_id: app_id.to_string(),
            rows: rows.clone(),
        }));
        match serde_json::to_string(&notice) {
            Ok(payload) => {
                if let Err(e) = self.store.publish_events(&payload).await {
                    tracing::warn!(error = %e, "could not tell the other servers about events");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not encode an events notice"),
        }
        Ok(rows)
    }

    /// Every request's events from now on (each subscriber keeps its source's), and the
    /// interest in `app_id` that makes this server read what other servers store for it.
    pub fn subscribe(&self, app_id: &str) -> (broadcast::Receiver<Arc<StoredEvents>>, Watch) {
        *self
            .watchers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(app_id.to_string())
            .or_insert(0) += 1;
        let watch = Watch {
            app_id: app_id.to_string(),
            watchers: self.watchers.clone(),
        };
        (self.local.subscribe(), watch)
    }
}

/// Relays other servers' notices: reads each watched range once and broadcasts it.
async fn relay(
    mut notices: crate::store::ChangeStream,
    local: broadcast::Sender<Arc<StoredEvents>>,
    me: String,
    store: Arc<dyn Store>,
    watchers: Watchers,
) {
    while let Some(payload) = notices.next().await {
        let notice = match serde_json::from_str::<Notice>(&payload) {
            // Ours: already delivered when it was stored.
            Ok(n) if n.origin == me => continue,
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "ignoring a malformed events notice");
                continue;
            }
        };
        let watched = watchers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&notice.app_id);
        if !watched {
            continue;
        }
        match store
            .events_in(&notice.app_id, notice.first_seq, notice.last_seq)
            .await
        {
            Ok(rows) if !rows.is_empty() => {
                let _ = local.send(Arc::new(StoredEvents {
                    org_id: notice.org_id,
                    app_id: notice.app_id,
                    rows: rows.into_iter().map(Arc::new).collect(),
                }));
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read events another server stored"),
        }
    }
}

impl Drop for EventFeed {
    fn drop(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }
}
