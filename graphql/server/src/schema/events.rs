//! Events in GraphQL: a source's `events` (paged, newest first), its lifetime counts
//! (`applicationLifetimeEvents`), reports by period (`eventReport`), and the live
//! `eventReceived` subscription. Whoever may read the source may read its events; another
//! organization's source is `NOT_FOUND`.

use super::paging::{cursor, page_size, position, PageInfo};
use super::scalars::Date;
use super::subscription::Standing;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::event_feed::{StoredEvents, Watch};
use crate::store::{self, EventFilter, EventRow};
use async_graphql::{Context, Enum, Json, Object, SimpleObject, Subscription, ID};
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio_stream::wrappers::BroadcastStream;

/// The list name inside `events` cursors.
const EVENTS_LIST: &str = "events";

/// An event as the collector stored it.
pub struct Event(pub Arc<EventRow>);

#[Object]
impl Event {
    /// The `messageId` (assigned by the server when the sender gave none).
    async fn id(&self) -> &str {
        &self.0.message_id
    }
    /// `track`, `identify`, `page`, `screen`, `group`, `alias` (or what was sent).
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The track's `event`, or the page's or screen's `name`.
    async fn event(&self) -> Option<&str> {
        self.0.event.as_deref()
    }
    async fn user_id(&self) -> Option<&str> {
        self.0.user_id.as_deref()
    }
    async fn anonymous_id(&self) -> Option<&str> {
        self.0.anonymous_id.as_deref()
    }
    /// When the server received it (its own clock).
    async fn received_at(&self) -> Date {
        Date(self.0.received_at.clone())
    }
    /// When it happened, corrected for the device's clock.
    async fn timestamp(&self) -> Option<Date> {
        self.0.timestamp.clone().map(Date)
    }
    /// False when it breaks Segment's rules (see `problems`).
    async fn valid(&self) -> bool {
        self.0.valid
    }
    /// The stable reasons it is invalid (`missing_user_id_and_anonymous_id`, …).
    async fn problems(&self) -> &[String] {
        &self.0.problems
    }
    /// The event as received.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.payload).unwrap_or(serde_json::Value::Null))
    }
}

/// A page of a source's events, newest first.
#[derive(SimpleObject)]
pub struct EventPage {
    pub nodes: Vec<Event>,
    pub page_info: PageInfo,
    /// Every event the filters match, on any page.
    pub total_count: i64,
}

/// A number of events of one type.
#[derive(SimpleObject)]
pub struct TypeCount {
    #[graphql(name = "type")]
    pub event_type: String,
    pub count: i64,
}

fn type_counts(counts: Vec<store::TypeCount>) -> Vec<TypeCount> {
    counts
        .into_iter()
        .map(|c| TypeCount {
            event_type: c.event_type,
            count: c.count,
        })
        .collect()
}

/// A source's events counted since it was created; retention never lowers them.
#[derive(SimpleObject)]
pub struct EventCounts {
    pub total: i64,
    pub valid: i64,
    pub invalid: i64,
    pub by_type: Vec<TypeCount>,
}

/// The length of a report's buckets (UTC; a week starts on Monday).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimePeriods {
    Hour,
    Day,
    Week,
    Month,
}

impl From<TimePeriods> for store::Period {
    fn from(p: TimePeriods) -> Self {
        match p {
            TimePeriods::Hour => store::Period::Hour,
            TimePeriods::Day => store::Period::Day,
            TimePeriods::Week => store::Period::Week,
            TimePeriods::Month => store::Period::Month,
        }
    }
}

/// One source's events in one period.
#[derive(SimpleObject)]
pub struct EventBucket {
    /// The period's start.
    pub start: Date,
    pub app_id: String,
    pub total: i64,
    pub invalid: i64,
    pub by_type: Vec<TypeCount>,
}

/// Events by period: a bucket per period and source that has events.
#[derive(SimpleObject)]
pub struct EventReportResponse {
    pub period: TimePeriods,
    /// By start, then source.
    pub buckets: Vec<EventBucket>,
}

/// A `Date` argument as a time.
fn instant(arg: &str, date: Option<Date>) -> ApiResult<Option<OffsetDateTime>> {
    date.map(|d| {
        OffsetDateTime::parse(&d.0, &time::format_description::well_known::Rfc3339)
            .map_err(|_| ApiError::invalid_field(arg, format!("{arg} is not a date.")))
    })
    .transpose()
}

/// The queries about events.
#[derive(Default)]
pub struct EventsQuery;

#[Object]
impl EventsQuery {
    /// A source's events, newest first; `search` matches the event name, user ids and
    /// message id.
    #[graphql(complexity = "super::limits::page(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn events(
        &self,
        ctx: &Context<'_>,
        app_id: String,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "type")] event_type: Option<String>,
        search: Option<String>,
        valid: Option<bool>,
    ) -> ApiResult<EventPage> {
        let a = Access::of(ctx);
        let (app, _) = a.app(&app_id).await?;
        let first = page_size(first)?;
        let after = after
            .filter(|c| !c.is_empty())
            .map(|c| position(EVENTS_LIST, &c))
            .transpose()?;
        let filter = EventFilter {
            event_type: event_type.filter(|t| !t.is_empty()),
            valid,
            search: search.filter(|s| !s.is_empty()),
        };
        let page = a
            .state
            .store
            .events_page(&app.id, first, after, &filter)
            .await?;
        Ok(EventPage {
            page_info: PageInfo {
                has_next_page: page.has_next,
                end_cursor: page.rows.last().map(|r| cursor(EVENTS_LIST, r.seq)),
            },
            nodes: page.rows.into_iter().map(|r| Event(Arc::new(r))).collect(),
            total_count: page.total_count,
        })
    }

    /// A source's events counted since it was created, by type and validity.
    async fn application_lifetime_events(
        &self,
        ctx: &Context<'_>,
        app_id: String,
    ) -> ApiResult<EventCounts> {
        let a = Access::of(ctx);
        let (app, _) = a.app(&app_id).await?;
        let counts = a.state.store.lifetime_counts(&app.id).await?;
        Ok(EventCounts {
            total: counts.total,
            valid: counts.valid,
            invalid: counts.invalid,
            by_type: type_counts(counts.by_type),
        })
    }

    /// Events by hour, day, week or month (UTC), of one source (`appId`) or of every
    /// source of an organization (the argument or the header), over `from` to `to`.
    async fn event_report(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        app_id: Option<String>,
        period: TimePeriods,
        from: Option<Date>,
        to: Option<Date>,
    ) -> ApiResult<EventReportResponse> {
        let a = Access::of(ctx);
        let scope = a.optional_org(org_id.as_ref())?;
        let (from, to) = (instant("from", from)?, instant("to", to)?);
        let app_ids = match app_id {
            Some(app_id) => {
                let (app, _) = a.app(&app_id).await?;
                if scope.as_deref().is_some_and(|o| o != app.org_id) {
                    return Err(ApiError::NotFound("Source"));
                }
                vec![app.id]
            }
            None => {
                let org_id = scope.ok_or_else(|| {
                    ApiError::invalid(
                        "Say which organization or source: an orgId or appId argument, or an \
                         organization header.",
                    )
                })?;
                a.role_in(&org_id).await?;
                a.state
                    .store
                    .apps_of_org(&org_id)
                    .await?
                    .into_iter()
                    .map(|app| app.id)
                    .collect()
            }
        };
        let buckets = a
            .state
            .store
            .event_report(&app_ids, period.into(), from, to)
            .await?;
        Ok(EventReportResponse {
            period,
            buckets: buckets
                .into_iter()
                .map(|b| EventBucket {
                    start: Date(b.start),
                    app_id: b.app_id,
                    total: b.total,
                    invalid: b.invalid,
                    by_type: type_counts(b.by_type),
                })
                .collect(),
        })
    }
}

/// The subscription about events.
#[derive(Default)]
pub struct EventsSubscription;

#[Subscription]
impl EventsSubscription {
    /// Each event of the source as it is stored, wherever it was received: the live
    /// debugger.
    async fn event_received(
        &self,
        ctx: &Context<'_>,
        app_id: String,
    ) -> Result<impl Stream<Item = Result<Option<Event>, ApiError>>, ApiError> {
        let a = Access::of(ctx);
        let (app, _) = a.app(&app_id).await?;
        let (rx, watch) = a.state.events.subscribe(&app.id);
        let listening = Listening {
            batches: BroadcastStream::new(rx),
            _watch: watch,
            app_id: app.id,
            org_id: app.org_id,
            standing: Standing::new(a.state.clone(), a.auth.clone()),
            pending: VecDeque::new(),
        };
        Ok(futures_util::stream::unfold(
            listening,
            |mut l| async move {
                // Nullable on the wire, as API.md writes it; never null in fact.
                let next = l.next().await?;
                Some((next.map(|row| Some(Event(row))), l))
            },
        ))
    }
}

/// One `eventReceived` subscriber's state.
struct Listening {
    batches: BroadcastStream<Arc<StoredEvents>>,
    /// Keeps this server reading what other servers store for the source.
    _watch: Watch,
    app_id: String,
    org_id: String,
    /// The caller's right to the source, checked before each event.
    standing: Standing,
    /// The rest of the batch being delivered.
    pending: VecDeque<Arc<EventRow>>,
}

impl Listening {
    /// The next event of the source; `None` ends the subscription (the caller lost the
    /// right to the source), and so does an error, once sent (the credentials no longer
    /// hold).
    async fn next(&mut self) -> Option<Result<Arc<EventRow>, ApiError>> {
        if self.standing.ended {
            return None;
        }
        loop {
            if let Some(row) = self.pending.pop_front() {
                // Each event is checked: a batch may outlive the token that heard it.
                return match self.standing.admits(&self.org_id).await {
                    Ok(true) => Some(Ok(row)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                };
            }
            let batch = match self.batches.next().await? {
                Ok(batch) => batch,
                // Fell behind: what was missed is in `events`.
                Err(_) => continue,
            };
            // Another source's: dropped without touching the store.
            if batch.app_id != self.app_id {
                continue;
            }
            self.pending.extend(batch.rows.iter().cloned());
        }
    }
}
