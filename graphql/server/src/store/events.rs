//! Events: what the collector stores for a source, its retention, and the hourly counts
//! behind lifetime totals and reports.
//!
//! Rows are plain: the collector turns a received [`houston_events::event::Event`] into a
//! [`NewEvent`] (type, name and ids as strings, its problems as their stable reason
//! strings, the payload as JSON text), so the store knows nothing of Segment's rules but
//! one: a `messageId` the source has seen before makes the event invalid with
//! [`Problem::DuplicateMessageId`], because only the store knows what it has seen.
//!
//! - **At most one transaction per request**: [`Events::record_requests`] writes every
//!   event of one or several requests (the collector's writer merges those that arrive
//!   together, see [`crate::event_feed`]), their hourly counts and the retention that
//!   follows, or nothing.
//! - **Duplicates**: the first event of a `messageId` for a source is stored with
//!   `first_seen` set, and only such rows are unique (`first_seen` is NULL on the others,
//!   and NULLs never collide in a unique index on either database), so a replay is stored
//!   too, as invalid. A replay of a `messageId` whose every row retention has deleted is
//!   new again: the store remembers what it keeps.
//! - **Order and cursors**: `seq` grows with every event stored (SQLite's AUTOINCREMENT,
//!   PostgreSQL's identity); newest first is `seq DESC`, and a page's cursor is the `seq`
//!   of its last row, which stays meaningful whatever is added before it or deleted.
//! - **Retention** ([`Retention`]): in each transaction, each source keeps its newest
//!   `max_events` and nothing received more than `max_age` ago, both deleted by index
//!   ranges. Counts (`event_counts`) are never touched by it.
//! - **Counts**: per source, hour (its start, UTC, `YYYY-MM-DDTHH:00:00Z`, of `receivedAt`:
//!   the server's clock, which every event has), type and validity. Reports read only
//!   them, and bucket the hours by day, ISO week (from Monday) or month in Rust, so that
//!   the calendar arithmetic is one piece of code on both databases.

use super::{StoreError, StoreResult};
use async_trait::async_trait;
use houston_events::event::{format_time, Problem};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use time::{Duration, OffsetDateTime, Time};

/// How many events a source keeps: its newest `max_events`, none received more than
/// `max_age` ago (whichever keeps fewer). API.md's default: 10,000 and 30 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub max_events: i64,
    pub max_age: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_events: 10_000,
            max_age: Duration::days(30),
        }
    }
}

/// An event to store, as the collector read it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// The `messageId` (the collector assigns one when absent).
    pub message_id: String,
    /// `track`, `identify`, `page`, … (as received; an unknown type is one of `problems`).
    pub event_type: String,
    /// The track's `event` or the page's or screen's `name`.
    pub event: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// The server's clock when the request arrived.
    pub received_at: OffsetDateTime,
    /// The corrected `timestamp`, when there is one.
    pub timestamp: Option<OffsetDateTime>,
    /// The stable reasons it breaks Segment's rules ([`Problem::as_str`]); empty when valid.
    /// The store adds `duplicate_message_id` itself.
    pub problems: Vec<String>,
    /// The event as received, JSON text.
    pub payload: String,
}

/// One request's events for the source `app_id`, as [`Events::record_requests`] stores
/// them.
#[derive(Clone, Copy, Debug)]
pub struct EventRequest<'a> {
    pub app_id: &'a str,
    pub events: &'a [NewEvent],
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// Its place in the order events were stored: the paging cursor.
    pub seq: i64,
    pub message_id: String,
    pub event_type: String,
    pub event: Option<String>,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// RFC 3339, UTC, milliseconds ([`format_time`]).
    pub received_at: String,
    pub timestamp: Option<String>,
    /// True when `problems` is empty.
    pub valid: bool,
    pub problems: Vec<String>,
    pub payload: String,
}

/// The filters of [`Events::events_page`]; `None` filters nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub valid: Option<bool>,
    /// Part of the event name, a user id, the anonymous id or the message id; ASCII letters
    /// match in either case.
    pub search: Option<String>,
}

/// One page of a source's events, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct EventPage {
    pub rows: Vec<EventRow>,
    pub has_next: bool,
    /// Every event the filters match, on any page.
    pub total_count: i64,
}

/// A number of events of one type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeCount {
    pub event_type: String,
    pub count: i64,
}

/// A source's events counted since it was created (retention does not lower them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub total: i64,
    pub valid: i64,
    pub invalid: i64,
    /// By type name, valid and invalid together.
    pub by_type: Vec<TypeCount>,
}

/// The length of a report's buckets (UTC; a week starts on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Hour,
    Day,
    Week,
    Month,
}

/// One source's events in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventBucket {
    /// The period's start, `YYYY-MM-DDTHH:00:00Z`.
    pub start: String,
    pub app_id: String,
    pub total: i64,
    pub invalid: i64,
    /// By type name.
    pub by_type: Vec<TypeCount>,
}

/// An event as stored with its source and whether it was the first of its `messageId`:
/// what a dump copies, `seq` included (cursors survive a migration).
#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    pub app_id: String,
    pub first_seen: bool,
    pub event: EventRow,
}

/// One hourly counter as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCountRecord {
    pub app_id: String,
    pub hour: String,
    pub event_type: String,
    pub valid: bool,
    pub count: i64,
}

/// Events and their counts.
#[async_trait]
pub trait Events: Send + Sync {
    /// Stores several requests' events in one transaction: for each request, each event
    /// of its source (invalid with `duplicate_message_id` added when the source has seen
    /// its `messageId`, earlier in the same transaction included), then the hourly counts,
    /// then `retention` once for each source. Returns, for each request in order, its
    /// events as stored in the order given, or `NotFound` when its source does not exist
    /// (nothing stored for it, the others stored). On a failure (`Err`) nothing of any
    /// request is stored.
    async fn record_requests(
        &self,
        requests: &[EventRequest<'_>],
        retention: Retention,
    ) -> StoreResult<Vec<StoreResult<Vec<EventRow>>>>;
    /// Stores one request's events for the source `app_id` in one transaction (see
    /// [`Events::record_requests`]). `NotFound` when the source does not exist; on any
    /// failure nothing is stored.
    async fn record_events(
        &self,
        app_id: &str,
        events: &[NewEvent],
        retention: Retention,
    ) -> StoreResult<Vec<EventRow>> {
        self.record_requests(&[EventRequest { app_id, events }], retention)
            .await?
            .pop()
            .unwrap_or(Err(StoreError::NotFound))
    }
    /// At most `first` of the source's events matching `filter`, newest first, after the
    /// cursor `after` (a row's `seq`).
    async fn events_page(
        &self,
        app_id: &str,
        first: i64,
        after: Option<i64>,
        filter: &EventFilter,
    ) -> StoreResult<EventPage>;
    /// The source's events numbered `first_seq` to `last_seq` (both included) that are
    /// still kept, oldest first: what another server stored, for `eventReceived`.
    async fn events_in(
        &self,
        app_id: &str,
        first_seq: i64,
        last_seq: i64,
    ) -> StoreResult<Vec<EventRow>>;
    /// The source's events counted since it was created.
    async fn lifetime_counts(&self, app_id: &str) -> StoreResult<EventCounts>;
    /// The sources' events by `period`, over the hours that start at or after `from`'s
    /// hour and before `to` (unbounded when `None`), ordered by start then source. Periods
    /// without events have no bucket.
    async fn event_report(
        &self,
        app_ids: &[String],
        period: Period,
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
    ) -> StoreResult<Vec<EventBucket>>;
}

/// The start of the hour `t` falls in, UTC.
fn hour_start(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_time(Time::from_hms(t.hour(), 0, 0).unwrap_or(Time::MIDNIGHT))
}

/// How hours and period starts are written: `YYYY-MM-DDTHH:00:00Z`.
fn format_hour(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:00:00Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour()
    )
}

/// The start of the period of `period` that the hour `hour` (as stored) falls in.
fn period_start(hour: &str, period: Period) -> String {
    let Ok(t) = OffsetDateTime::parse(hour, &time::format_description::well_known::Rfc3339) else {
        // Every hour is written by `format_hour`; keep a foreign one as its own bucket.
        return hour.to_string();
    };
    let day = t.replace_time(Time::MIDNIGHT);
    let start = match period {
        Period::Hour => t,
        Period::Day => day,
        Period::Week => day - Duration::days(i64::from(t.weekday().number_days_from_monday())),
        Period::Month => day.replace_day(1).unwrap_or(day),
    };
    format_hour(start)
}

/// The `LIKE` pattern of a search: its ASCII letters lowered (as SQL's `LOWER` does on
/// both databases with byte-order text), `\`, `%` and `_` escaped, anywhere in the value.
pub(super) fn search_pattern(search: &str) -> String {
    let mut p = String::with_capacity(search.len() + 2);
    p.push('%');
    for c in search.to_ascii_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// `s` as it can be stored on both databases: PostgreSQL text cannot hold U+0000, which
/// a sender may put in any string, so it becomes U+FFFD on both alike.
fn storable_text(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
}

/// A stored list of problems (a JSON array of strings); anything else reads as none.
fn problems_from(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// An event as it will be stored, and whether it is the first of its `messageId` for its
/// source.
struct StoredRow {
    event: EventRow,
    first_seen: bool,
}

/// `e` as it will be stored (its number still 0), given `seen`, the message ids its source
/// has: a replay is invalid with [`Problem::DuplicateMessageId`]; `seen` gains its id.
fn stored_row(e: &NewEvent, seen: &mut HashSet<String>) -> StoredRow {
    let message_id = storable_text(&e.message_id);
    let first_seen = !seen.contains(&message_id);
    if first_seen {
        seen.insert(message_id.clone());
    }
    let mut problems = e.problems.clone();
    if !first_seen {
        problems.push(Problem::DuplicateMessageId.as_str().to_string());
    }
    StoredRow {
        event: EventRow {
            seq: 0,
            message_id,
            event_type: storable_text(&e.event_type),
            event: e.event.as_deref().map(storable_text),
            user_id: e.user_id.as_deref().map(storable_text),
            anonymous_id: e.anonymous_id.as_deref().map(storable_text),
            received_at: format_time(e.received_at),
            timestamp: e.timestamp.map(format_time),
            valid: problems.is_empty(),
            problems,
            payload: e.payload.clone(),
        },
        first_seen,
    }
}

/// Rows per multi-row statement: 12 values each stays far below both databases' limits
/// on bound parameters.
const CHUNK: usize = 500;

/// The columns of an [`EventRow`], in its order.
pub(crate) const EVENT_COLUMNS: &str = "seq, message_id, type, event, user_id, anonymous_id, \
     received_at, timestamp, valid, problems, payload";

/// The filters of a page: `$1` the source, `$2` the type, `$3` validity, `$4` the search
/// pattern.
const EVENT_FILTER: &str = "app_id = $1 \
     AND (CAST($2 AS TEXT) IS NULL OR type = $2) \
     AND (CAST($3 AS BOOLEAN) IS NULL OR valid = $3) \
     AND (CAST($4 AS TEXT) IS NULL \
          OR LOWER(COALESCE(event, '')) LIKE $4 ESCAPE '\\' \
          OR LOWER(COALESCE(user_id, '')) LIKE $4 ESCAPE '\\' \
          OR LOWER(COALESCE(anonymous_id, '')) LIKE $4 ESCAPE '\\' \
          OR LOWER(message_id) LIKE $4 ESCAPE '\\')";

/// Adds `by` to the count of `key`.
fn add<K: Ord>(map: &mut BTreeMap<K, i64>, key: K, by: i64) {
    *map.entry(key).or_insert(0) += by;
}

/// A map of counts by type as a list, by type name.
fn type_counts(by_type: BTreeMap<String, i64>) -> Vec<TypeCount> {
    by_type
        .into_iter()
        .map(|(event_type, count)| TypeCount { event_type, count })
        .collect()
}

for_each_backend! {
    use sqlx::{QueryBuilder, Row};

    /// An event row read back.
    pub(crate) fn event_from(r: &DbRow) -> sqlx::Result<EventRow> {
        Ok(EventRow {
            seq: r.try_get("seq")?,
            message_id: r.try_get("message_id")?,
            event_type: r.try_get("type")?,
            event: r.try_get("event")?,
            user_id: r.try_get("user_id")?,
            anonymous_id: r.try_get("anonymous_id")?,
            received_at: r.try_get("received_at")?,
            timestamp: r.try_get("timestamp")?,
            valid: r.try_get("valid")?,
            problems: problems_from(&r.try_get::<String, _>("problems")?),
            payload: r.try_get("payload")?,
        })
    }

    /// Every event, oldest first, with its source and `first_seen`: for `export`.
    pub(crate) async fn all_events<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
    ) -> sqlx::Result<Vec<EventRecord>> {
        let sql = format!("SELECT app_id, first_seen, {EVENT_COLUMNS} FROM events ORDER BY seq");
        sqlx::query(&sql)
            .fetch_all(db)
            .await?
            .iter()
            .map(|r| {
                Ok(EventRecord {
                    app_id: r.try_get("app_id")?,
                    first_seen: r.try_get::<Option<bool>, _>("first_seen")?.is_some(),
                    event: event_from(r)?,
                })
            })
            .collect()
    }

    /// Every hourly counter, in key order: for `export`.
    pub(crate) async fn all_event_counts<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
    ) -> sqlx::Result<Vec<EventCountRecord>> {
        Ok(sqlx::query_as::<_, (String, String, String, bool, i64)>(
            "SELECT app_id, hour, type, valid, count FROM event_counts \
             ORDER BY app_id, hour, type, valid",
        )
        .fetch_all(db)
        .await?
        .into_iter()
        .map(
            |(app_id, hour, event_type, valid, count)| EventCountRecord {
                app_id,
                hour,
                event_type,
                valid,
                count,
            },
        )
        .collect())
    }

    /// An event copied by `import`, with its `seq`. Afterwards `import` runs
    /// `Backend::EVENTS_SEQ_RESUME`, so that new events are numbered after it.
    pub(crate) async fn insert_event_record<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        e: &EventRecord,
    ) -> sqlx::Result<()> {
        let r = &e.event;
        sqlx::query(
            "INSERT INTO events (seq, app_id, message_id, type, event, user_id, anonymous_id, \
             received_at, timestamp, valid, problems, payload, first_seen) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
        )
        .bind(r.seq)
        .bind(&e.app_id)
        .bind(&r.message_id)
        .bind(&r.event_type)
        .bind(&r.event)
        .bind(&r.user_id)
        .bind(&r.anonymous_id)
        .bind(&r.received_at)
        .bind(&r.timestamp)
        .bind(r.valid)
        .bind(serde_json::to_string(&r.problems).unwrap_or_else(|_| "[]".into()))
        .bind(&r.payload)
        .bind(e.first_seen.then_some(true))
        .execute(db)
        .await?;
        Ok(())
    }

    /// An hourly counter copied by `import`.
    pub(crate) async fn insert_event_count<'c>(
        db: impl sqlx::Executor<'c, Database = Db>,
        c: &EventCountRecord,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO event_counts (app_id, hour, type, valid, count) \
             VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(&c.app_id)
        .bind(&c.hour)
        .bind(&c.event_type)
        .bind(c.valid)
        .bind(c.count)
        .execute(db)
        .await?;
        Ok(())
    }

    #[async_trait]
    impl Events for Backend {
        async fn record_requests(
            &self,
            requests: &[EventRequest<'_>],
            retention: Retention,
        ) -> StoreResult<Vec<StoreResult<Vec<EventRow>>>> {
            let mut tx = self.write_events().await?;
            // One transaction of a source at a time: what it has seen stays what it has
            // seen until this one commits (on SQLite the write lock already does that).
            // Sources are locked in one order, so that two servers' transactions never
            // wait for each other in a cycle.
            let sources: BTreeSet<&str> = requests
                .iter()
                .map(|r| r.app_id)
                .filter(|id| crate::store::storable(id))
                .collect();
            let mut existing = HashSet::new();
            for &app_id in &sources {
                Backend::lock(&mut tx, Lock::Source(app_id)).await?;
                let exists: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM applications WHERE id = $1")
                        .bind(app_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_some() {
                    existing.insert(app_id);
                }
            }

            // The message ids each source already has, looked up a chunk at a time.
            let mut seen: HashMap<&str, HashSet<String>> = HashMap::new();
            for &app_id in &existing {
                let ids: Vec<String> = requests
                    .iter()
                    .filter(|r| r.app_id == app_id)
                    .flat_map(|r| r.events.iter().map(|e| storable_text(&e.message_id)))
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                let found = seen.entry(app_id).or_default();
                for chunk in ids.chunks(CHUNK) {
                    let mut q = QueryBuilder::<Db>::new(
                        "SELECT DISTINCT message_id FROM events WHERE app_id = ",
                    );
                    q.push_bind(app_id).push(" AND message_id IN (");
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(id.as_str());
                    }
                    q.push(")");
                    let rows: Vec<String> = q.build_query_scalar().fetch_all(&mut *tx).await?;
                    found.extend(rows);
                }
            }

            // Each event as it will be stored, request after request, and the counts it
            // adds.
            let mut rows = Vec::new();
            let mut outcomes = Vec::with_capacity(requests.len());
            let mut counts: BTreeMap<(&str, String, String, bool), i64> = BTreeMap::new();
            for request in requests {
                let app_id = request.app_id;
                let Some(seen) = seen.get_mut(app_id) else {
                    outcomes.push(None);
                    continue;
                };
                outcomes.push(Some(rows.len()..rows.len() + request.events.len()));
                for e in request.events {
                    let row = stored_row(e, seen);
                    add(
                        &mut counts,
                        (
                            app_id,
                            format_hour(hour_start(e.received_at)),
                            row.event.event_type.clone(),
                            row.event.valid,
                        ),
                        1,
                    );
                    rows.push((app_id, row));
                }
            }

            // Many rows a statement; the numbers come back in the order of the rows.
            for chunk in rows.chunks_mut(CHUNK) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO events (app_id, message_id, type, event, user_id, \
                     anonymous_id, received_at, timestamp, valid, problems, payload, \
                     first_seen) ",
                );
                q.push_values(chunk.iter(), |mut b, (app_id, r)| {
                    let e = &r.event;
                    b.push_bind(*app_id)
                        .push_bind(e.message_id.as_str())
                        .push_bind(e.event_type.as_str())
                        .push_bind(e.event.as_deref())
                        .push_bind(e.user_id.as_deref())
                        .push_bind(e.anonymous_id.as_deref())
                        .push_bind(e.received_at.as_str())
                        .push_bind(e.timestamp.as_deref())
                        .push_bind(e.valid)
                        .push_bind(
                            serde_json::to_string(&e.problems).unwrap_or_else(|_| "[]".into()),
                        )
                        .push_bind(e.payload.as_str())
                        .push_bind(r.first_seen.then_some(true));
                });
                let seqs = Backend::insert_events(&mut tx, q, chunk.len()).await?;
                for ((_, r), seq) in chunk.iter_mut().zip(seqs) {
                    r.event.seq = seq;
                }
            }

            // Every counter the transaction adds to, in one statement a chunk (keys are
            // distinct, which PostgreSQL's ON CONFLICT DO UPDATE asks of one statement).
            let counts: Vec<_> = counts.into_iter().collect();
            for chunk in counts.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO event_counts (app_id, hour, type, valid, count) ",
                );
                q.push_values(chunk, |mut b, ((app_id, hour, event_type, valid), n)| {
                    b.push_bind(*app_id)
                        .push_bind(hour.as_str())
                        .push_bind(event_type.as_str())
                        .push_bind(*valid)
                        .push_bind(*n);
                });
                q.push(
                    " ON CONFLICT (app_id, hour, type, valid) \
                     DO UPDATE SET count = event_counts.count + excluded.count",
                );
                q.build().execute(&mut *tx).await?;
            }

            // Retention, once a source, by the (app_id, seq) and (app_id, received_at)
            // indexes: the newest `max_events` stay, then nothing older than `max_age`.
            let cutoff = format_time(
                OffsetDateTime::now_utc()
                    .checked_sub(retention.max_age)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            );
            for &app_id in &existing {
                sqlx::query(
                    "DELETE FROM events WHERE app_id = $1 AND seq <= \
                     (SELECT seq FROM events WHERE app_id = $1 \
                      ORDER BY seq DESC LIMIT 1 OFFSET $2)",
                )
                .bind(app_id)
                .bind(retention.max_events.max(0))
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM events WHERE app_id = $1 AND received_at < $2")
                    .bind(app_id)
                    .bind(&cutoff)
                    .execute(&mut *tx)
                    .await?;
            }

            tx.commit().await?;
            self.events_committed();
            let mut rows = rows.into_iter().map(|(_, r)| r.event);
            Ok(outcomes
                .into_iter()
                .map(|range| match range {
                    Some(range) => Ok(rows.by_ref().take(range.len()).collect()),
                    None => Err(StoreError::NotFound),
                })
                .collect())
        }

        async fn events_page(
            &self,
            app_id: &str,
            first: i64,
            after: Option<i64>,
            filter: &EventFilter,
        ) -> StoreResult<EventPage> {
            let first = first.max(0);
            let pattern = filter.search.as_deref().map(search_pattern);
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE {EVENT_FILTER} \
                 AND (CAST($5 AS BIGINT) IS NULL OR seq < $5) \
                 ORDER BY seq DESC LIMIT $6"
            );
            let mut rows = sqlx::query(&sql)
                .bind(app_id)
                .bind(&filter.event_type)
                .bind(filter.valid)
                .bind(&pattern)
                .bind(after)
                .bind(first + 1)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(event_from)
                .collect::<sqlx::Result<Vec<_>>>()?;
            let has_next = rows.len() as i64 > first;
            rows.truncate(first as usize);
            let total_count: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events WHERE {EVENT_FILTER}"))
                    .bind(app_id)
                    .bind(&filter.event_type)
                    .bind(filter.valid)
                    .bind(&pattern)
                    .fetch_one(&self.pool)
                    .await?;
            Ok(EventPage {
                rows,
                has_next,
                total_count,
            })
        }

        async fn events_in(
            &self,
            app_id: &str,
            first_seq: i64,
            last_seq: i64,
        ) -> StoreResult<Vec<EventRow>> {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events \
                 WHERE app_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq"
            );
            Ok(sqlx::query(&sql)
                .bind(app_id)
                .bind(first_seq)
                .bind(last_seq)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(event_from)
                .collect::<sqlx::Result<Vec<_>>>()?)
        }

        async fn lifetime_counts(&self, app_id: &str) -> StoreResult<EventCounts> {
            let rows = sqlx::query_as::<_, (String, bool, i64)>(
                "SELECT type, valid, CAST(SUM(count) AS BIGINT) FROM event_counts \
                 WHERE app_id = $1 GROUP BY type, valid",
            )
            .bind(app_id)
            .fetch_all(&self.pool)
            .await?;
            let mut counts = EventCounts::default();
            let mut by_type = BTreeMap::new();
            for (event_type, valid, n) in rows {
                counts.total += n;
                if valid {
                    counts.valid += n;
                } else {
                    counts.invalid += n;
                }
                add(&mut by_type, event_type, n);
            }
            counts.by_type = type_counts(by_type);
            Ok(counts)
        }

        async fn event_report(
            &self,
            app_ids: &[String],
            period: Period,
            from: Option<OffsetDateTime>,
            to: Option<OffsetDateTime>,
        ) -> StoreResult<Vec<EventBucket>> {
            if app_ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::<Db>::new(
                "SELECT app_id, hour, type, valid, count FROM event_counts WHERE app_id IN (",
            );
            let mut list = q.separated(", ");
            for id in app_ids {
                list.push_bind(id.as_str());
            }
            q.push(")");
            if let Some(from) = from {
                q.push(" AND hour >= ")
                    .push_bind(format_hour(hour_start(from)));
            }
            if let Some(to) = to {
                // The hours that start before `to`: its own hour too when it falls inside.
                let (op, bound) = if hour_start(to) == to {
                    (" AND hour < ", to)
                } else {
                    (" AND hour <= ", hour_start(to))
                };
                q.push(op).push_bind(format_hour(hour_start(bound)));
            }
            let rows: Vec<(String, String, String, bool, i64)> =
                q.build_query_as().fetch_all(&self.pool).await?;

            type Sums = (i64, i64, BTreeMap<String, i64>);
            let mut buckets: BTreeMap<(String, String), Sums> = BTreeMap::new();
            for (app_id, hour, event_type, valid, n) in rows {
                let sums = buckets
                    .entry((period_start(&hour, period), app_id))
                    .or_default();
                sums.0 += n;
                if !valid {
                    sums.1 += n;
                }
                add(&mut sums.2, event_type, n);
            }
            Ok(buckets
                .into_iter()
                .map(|((start, app_id), (total, invalid, by_type))| EventBucket {
                    start,
                    app_id,
                    total,
                    invalid,
                    by_type: type_counts(by_type),
                })
                .collect())
        }
    }
}
