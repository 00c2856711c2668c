//! Stored events for `eventReceived`: the collector records a request's events through
//! [`EventFeed::record`], which stores them, then delivers them to this server's
//! subscribers and, when the store's database is shared (PostgreSQL), tells every other
//! server on it.
//!
//! - **Group commit**: one writer task stores the requests; whatever requests are waiting
//!   when it starts a transaction go into that one transaction (each answered only after
//!   it commits). Concurrent requests then share one write lock, one commit, one look-up
//!   of seen message ids and one retention pass per source, instead of queueing for
//!   SQLite's single writer one by one; on PostgreSQL they share one commit's flush.
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

use crate::store::{EventRequest, EventRow, NewEvent, Retention, Store, StoreError, StoreResult};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{broadcast, mpsc, oneshot};

/// How many requests' events a slow subscriber may fall behind before it misses some.
const BACKLOG: usize = 1024;

/// How many requests may wait for the writer before a new one waits to be queued.
const QUEUE: usize = 256;

/// The writer stops adding waiting requests to a transaction once it holds this many
/// events (two of the largest batches), so that one transaction stays short.
const GROUP_EVENTS: usize = 5_000;

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
    /// Requests for the writer task, which ends when this value is dropped.
    queue: mpsc::Sender<Pending>,
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
        let (queue, requests) = mpsc::channel(QUEUE);
        tokio::spawn(write(requests, store.clone(), retention, local.clone()));
        Ok(EventFeed {
            local,
            origin,
            store,
            retention,
            watchers,
            relay,
            queue,
        })
    }

    /// How many events a source keeps.
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Stores one request's events for the source `app_id` of `org_id` (at most one
    /// transaction, see [`crate::store::Events::record_requests`]; the writer may store
    /// other requests' in the same one), then publishes them. Answers once they are
    /// committed. A failure to tell the other servers is logged: the events are stored.
    pub async fn record(
        &self,
        org_id: &str,
        app_id: &str,
        events: impl Into<Vec<NewEvent>>,
    ) -> StoreResult<Vec<Arc<EventRow>>> {
        let (done, answer) = oneshot::channel();
        let pending = Pending {
            org_id: org_id.to_string(),
            app_id: app_id.to_string(),
            events: events.into(),
            done,
        };
        // Either fails only when the writer has stopped (the runtime shutting down).
        let stopped = || StoreError::Database(sqlx::Error::WorkerCrashed);
        self.queue.send(pending).await.map_err(|_| stopped())?;
        let rows = answer.await.map_err(|_| stopped())??;
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

/// One request's events waiting for the writer, and where its answer goes.
struct Pending {
    org_id: String,
    app_id: String,
    events: Vec<NewEvent>,
    done: oneshot::Sender<StoreResult<Vec<Arc<EventRow>>>>,
}

/// Stores the requests of `queue`: each time, every request waiting (up to
/// [`GROUP_EVENTS`] events) in one transaction, then publishes each here, in the order
/// they were committed, and answers it. A transaction that fails is tried again one request
/// at a time, so that one request's failure is its own.
async fn write(
    mut queue: mpsc::Receiver<Pending>,
    store: Arc<dyn Store>,
    retention: Retention,
    local: broadcast::Sender<Arc<StoredEvents>>,
) {
    while let Some(first) = queue.recv().await {
        let mut events = first.events.len();
        let mut group = vec![first];
        while events < GROUP_EVENTS {
            let Ok(next) = queue.try_recv() else { break };
            events += next.events.len();
            group.push(next);
        }
        let outcomes = match store_group(&*store, &group, retention).await {
            Ok(outcomes) => outcomes,
            Err(_) if group.len() > 1 => {
                let mut outcomes = Vec::with_capacity(group.len());
                for pending in &group {
                    outcomes.push(
                        store_group(&*store, std::slice::from_ref(pending), retention)
                            .await
                            .and_then(|mut one| one.pop().unwrap_or(Err(StoreError::NotFound))),
                    );
                }
                outcomes
            }
            Err(e) => vec![Err(e)],
        };
        for (pending, outcome) in group.into_iter().zip(outcomes) {
            let outcome = outcome.map(|rows| rows.into_iter().map(Arc::new).collect::<Vec<_>>());
            if let Ok(rows) = &outcome {
                if !rows.is_empty() {
                    // No receiver is not an error: nobody is listening.
                    let _ = local.send(Arc::new(StoredEvents {
                        org_id: pending.org_id,
                        app_id: pending.app_id,
                        rows: rows.clone(),
                    }));
                }
            }
            // The request may have gone (its client hung up): its events are stored.
            let _ = pending.done.send(outcome);
        }
    }
}

/// The requests of `group` in one transaction.
async fn store_group(
    store: &dyn Store,
    group: &[Pending],
    retention: Retention,
) -> StoreResult<Vec<StoreResult<Vec<EventRow>>>> {
    let requests: Vec<EventRequest<'_>> = group
        .iter()
        .map(|p| EventRequest {
            app_id: &p.app_id,
            events: &p.events,
        })
        .collect();
    store.record_requests(&requests, retention).await
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
