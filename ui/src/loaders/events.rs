//! A source's events: the newest stored, the live watch, test events, lifetime counts and
//! reports by period.

use houston_client::{
    application_lifetime_events, event_report, events, ApplicationLifetimeEvents, EventReport,
    Events, WatchLink,
};
use serde::Deserialize;
use serde_json::Value;

use crate::api::{self, ApiError, EventWatch, Watch};

/// The most events the debugger keeps.
pub const KEPT: usize = 500;

/// One event as the debugger shows it (the fields of `events` and `eventReceived`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    /// The messageId.
    pub id: String,
    /// track, identify, page, screen, group or alias (or what was sent).
    #[serde(rename = "type")]
    pub kind: String,
    /// A track's event, a page's or screen's name.
    pub event: Option<String>,
    /// The user id.
    pub user_id: Option<String>,
    /// The anonymous id.
    pub anonymous_id: Option<String>,
    /// When the server received it (RFC 3339).
    pub received_at: String,
    /// When it happened, corrected for the device's clock.
    pub timestamp: Option<String>,
    /// Whether it follows Segment's rules.
    pub valid: bool,
    /// Why not, as stable reasons.
    #[serde(default)]
    pub problems: Vec<String>,
    /// The event as stored.
    pub payload: Value,
}

impl EventRow {
    /// Whether `needle` (lower case) is in its name, user ids or message id.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || [
                Some(&self.id),
                self.event.as_ref(),
                self.user_id.as_ref(),
                self.anonymous_id.as_ref(),
            ]
            .into_iter()
            .flatten()
            .any(|text| text.to_lowercase().contains(needle))
    }
}

/// A generated event type (any with the same fields) as an [`EventRow`].
fn row<T: serde::Serialize>(event: &T) -> Option<EventRow> {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
}

/// The newest stored events of `app_id`, newest first.
pub async fn newest(app_id: String, org: Option<String>) -> Result<Vec<EventRow>, ApiError> {
    let variables = events::Variables {
        app_id,
        first: Some(100),
        after: None,
        type_: None,
        search: None,
        valid: None,
    };
    let data = api::run::<Events>(variables, org).await?;
    Ok(data.events.nodes.iter().filter_map(row).collect())
}

/// What a watch hands the page: an event, how events reach it, or why the watch ended.
pub enum Arrival {
    /// An event just stored.
    Event(Box<EventRow>),
    /// How events reach the page now, for a person (empty when live).
    Link(String),
    /// The watch ended.
    Ended(String),
}

/// What the debugger says about `link`: nothing while events arrive as they are stored.
pub fn link_notice(link: &WatchLink) -> String {
    match link {
        WatchLink::Live => String::new(),
        WatchLink::Reconnecting { why, retry_in_ms } => format!(
            "Reconnecting to the server in {:.1} s ({why}); events stored meanwhile will follow.",
            *retry_in_ms as f64 / 1000.0
        ),
        WatchLink::Polling { why, every_ms } => format!(
            "Not live: the server's WebSocket could not be opened ({why}), so its newest events are read every {} s.",
            every_ms / 1000
        ),
    }
}

/// Watches `app_id`'s events as they are stored; the watch ends when the answer is dropped.
pub async fn watch(
    app_id: String,
    org: Option<String>,
    mut on_arrival: impl FnMut(Arrival) + 'static,
) -> Result<Watch, ApiError> {
    api::watch_events(&app_id, org, move |message| match message {
        EventWatch::Event(event) => {
            if let Ok(event) = serde_json::from_value(event) {
                on_arrival(Arrival::Event(Box::new(event)));
            }
        }
        EventWatch::Link(link) => on_arrival(Arrival::Link(link_notice(&link))),
        EventWatch::Error(error) => on_arrival(Arrival::Ended(error.message)),
    })
    .await
}

/// What the composer sends.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestEvent {
    /// The call: track, identify, page, screen, group or alias.
    pub kind: String,
    /// A track's event name, a page's or screen's name, a group's id or an alias's
    /// previous id.
    pub name: String,
    /// The user id (an anonymous id is made when empty).
    pub user_id: String,
    /// Properties (traits for identify and group), as JSON text.
    pub properties: String,
}

impl TestEvent {
    /// The event's JSON as an SDK would post it, or what is wrong with the form.
    pub fn to_json(&self, anonymous_id: &str) -> Result<Value, String> {
        let properties: Value = if self.properties.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&self.properties)
                .map_err(|e| format!("The properties are not JSON: {e}"))?
        };
        if !properties.is_object() {
            return Err("The properties must be a JSON object.".to_owned());
        }
        let mut event = serde_json::Map::new();
        event.insert("type".into(), Value::String(self.kind.clone()));
        let name = self.name.trim();
        let (name_field, bag) = match self.kind.as_str() {
            "track" => ("event", "properties"),
            "page" | "screen" => ("name", "properties"),
            "identify" => ("", "traits"),
            "group" => ("groupId", "traits"),
            "alias" => ("previousId", ""),
            other => return Err(format!("Unknown type {other:?}.")),
        };
        if !name_field.is_empty() && !name.is_empty() {
            event.insert(name_field.into(), Value::String(name.to_owned()));
        }
        if !bag.is_empty() {
            event.insert(bag.into(), properties);
        }
        let user_id = self.user_id.trim();
        if user_id.is_empty() {
            event.insert("anonymousId".into(), Value::String(anonymous_id.to_owned()));
        } else {
            event.insert("userId".into(), Value::String(user_id.to_owned()));
        }
        event.insert(
            "context".into(),
            serde_json::json!({ "library": { "name": "houston-desktop", "version": env!("CARGO_PKG_VERSION") } }),
        );
        Ok(Value::Object(event))
    }
}

/// Sends `event` to `app_id`'s collector.
pub async fn send(app_id: String, event: Value) -> Result<(), ApiError> {
    api::send_test_event(&app_id, &event).await
}

/// Lifetime counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lifetime {
    /// Every event ever received.
    pub total: u64,
    /// Those invalid.
    pub invalid: u64,
    /// By type, as the server orders them.
    pub by_type: Vec<(String, u64)>,
}

impl Lifetime {
    /// Adds `other` (another source's counts).
    pub fn add(&mut self, other: &Lifetime) {
        self.total += other.total;
        self.invalid += other.invalid;
        for (kind, count) in &other.by_type {
            match self.by_type.iter_mut().find(|(k, _)| k == kind) {
                Some((_, n)) => *n += count,
                None => self.by_type.push((kind.clone(), *count)),
            }
        }
    }

    /// The share of invalid events, in percent.
    pub fn invalid_percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.invalid as f64 * 100.0 / self.total as f64
        }
    }
}

/// `app_id`'s lifetime counts.
pub async fn lifetime(app_id: String, org: Option<String>) -> Result<Lifetime, ApiError> {
    let data = api::run::<ApplicationLifetimeEvents>(
        application_lifetime_events::Variables { app_id },
        org,
    )
    .await?;
    let counts = data.application_lifetime_events;
    Ok(Lifetime {
        total: counts.total.max(0) as u64,
        invalid: counts.invalid.max(0) as u64,
        by_type: counts
            .by_type
            .into_iter()
            .map(|t| (t.type_, t.count.max(0) as u64))
            .collect(),
    })
}

/// The periods a report is counted by.
pub const PERIODS: [(&str, &str); 4] = [
    ("HOUR", "Hour"),
    ("DAY", "Day"),
    ("WEEK", "Week"),
    ("MONTH", "Month"),
];

/// One period of a report, every source of the report summed.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// Where the period starts (RFC 3339, UTC).
    pub start: String,
    /// Events in it.
    pub total: u64,
    /// Invalid events in it.
    pub invalid: u64,
    /// By type.
    pub by_type: Vec<(String, u64)>,
}

/// The report of a source (`app_id`) or of the organization `org_id`, per `period`
/// (`HOUR`, `DAY`, `WEEK`, `MONTH`) from `from` on, periods in order.
pub async fn report(
    org_id: Option<String>,
    app_id: Option<String>,
    period: &str,
    from: Option<String>,
) -> Result<Vec<Bucket>, ApiError> {
    let period = match period {
        "HOUR" => event_report::TimePeriods::HOUR,
        "WEEK" => event_report::TimePeriods::WEEK,
        "MONTH" => event_report::TimePeriods::MONTH,
        _ => event_report::TimePeriods::DAY,
    };
    let variables = event_report::Variables {
        org_id: org_id.clone(),
        app_id,
        period,
        from,
        to: None,
    };
    let data = api::run::<EventReport>(variables, org_id).await?;
    let mut buckets: Vec<Bucket> = Vec::new();
    for bucket in data.event_report.buckets {
        let by_type: Vec<(String, u64)> = bucket
            .by_type
            .into_iter()
            .map(|t| (t.type_, t.count.max(0) as u64))
            .collect();
        let sum = Lifetime {
            total: bucket.total.max(0) as u64,
            invalid: bucket.invalid.max(0) as u64,
            by_type,
        };
        match buckets.iter_mut().find(|b| b.start == bucket.start) {
            Some(b) => {
                let mut merged = Lifetime {
                    total: b.total,
                    invalid: b.invalid,
                    by_type: std::mem::take(&mut b.by_type),
                };
                merged.add(&sum);
                b.total = merged.total;
                b.invalid = merged.invalid;
                b.by_type = merged.by_type;
            }
            None => buckets.push(Bucket {
                start: bucket.start,
                total: sum.total,
                invalid: sum.invalid,
                by_type: sum.by_type,
            }),
        }
    }
    buckets.sort_by(|a, b| a.start.cmp(&b.start));
    Ok(buckets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_composer_writes_each_call_as_segment_s_spec_names_it() {
        let track = TestEvent {
            kind: "track".into(),
            name: "Order Completed".into(),
            user_id: "u1".into(),
            properties: r#"{"total": 3}"#.into(),
        };
        let event = track.to_json("anon").unwrap();
        assert_eq!(event["event"], "Order Completed");
        assert_eq!(event["userId"], "u1");
        assert_eq!(event["properties"], json!({"total": 3}));
        assert!(event.get("anonymousId").is_none());

        let identify = TestEvent {
            kind: "identify".into(),
            properties: r#"{"email": "a@b.c"}"#.into(),
            ..TestEvent::default()
        };
        let event = identify.to_json("anon").unwrap();
        assert_eq!(event["traits"]["email"], "a@b.c");
        assert_eq!(event["anonymousId"], "anon");

        let bad = TestEvent {
            kind: "track".into(),
            properties: "[1]".into(),
            ..TestEvent::default()
        };
        assert!(bad.to_json("a").is_err());
        let bad = TestEvent {
            kind: "track".into(),
            properties: "{".into(),
            ..TestEvent::default()
        };
        assert!(bad.to_json("a").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn search_matches_names_ids_and_message_ids_only() {
        let row: EventRow = serde_json::from_value(json!({
            "id": "m-1", "type": "track", "event": "Signed Up", "userId": "ada",
            "anonymousId": null, "receivedAt": "2026-12-01T10:00:00Z", "timestamp": null,
            "valid": true, "problems": [], "payload": {"properties": {"plan": "pro"}}
        }))
        .unwrap();
        assert!(row.matches("signed"));
        assert!(row.matches("ada"));
        assert!(row.matches("m-1"));
        assert!(row.matches(""));
        assert!(!row.matches("pro"));
    }
}
