//! Events as Segment's spec defines them.
//!
//! # The model
//!
//! An [`Event`] **is its JSON payload**: the object the sender sent, kept whole (a
//! `serde_json::Map`), because the payload is what gets stored, shown in the debugger and
//! handed to destinations, and nothing the sender sent may be lost. The typed view is a
//! set of accessors over that payload ([`Event::event_type`], [`Event::user_id`],
//! [`Event::context`], …), not a second copy that could drift from it.
//!
//! The life of an event in the collector, in order:
//!
//! 1. [`parse_body`] (or [`parse_request`], from bytes) turns a request body into
//!    events: one for `/v1/track` and its siblings (the path gives the type when the
//!    body has none), many for `/v1/batch` (the batch's `context`,
//!    `integrations` and `sentAt` apply to each event). It refuses only what is not an
//!    event at all or breaks a [limit](MAX_EVENT_BYTES): a [`BodyError`], answered `400`.
//! 2. [`Event::assign_message_id`] gives an id to an event that came without one (the
//!    caller makes the id: there is no randomness here).
//! 3. [`Event::stamp`] writes `receivedAt` (the caller's clock: there is no clock here)
//!    and the `timestamp` corrected for the device's clock skew (see [`Timing`]).
//! 4. [`Event::problems`] lists the rules the event breaks ([`Problem`], each with a
//!    stable reason string). An event with problems is **still an event**: it is stored
//!    as invalid with its reasons. Validation never fails; it returns a list.
//!    The store adds [`Problem::DuplicateMessageId`] when the source has seen the
//!    `messageId` before.
//!
//! # Ids given as numbers
//!
//! Segment accepts `userId`, `anonymousId`, `groupId`, `previousId` and `messageId` as
//! numbers and turns them into strings. Here the payload keeps what was sent (a number
//! stays a number in the stored JSON) and the accessors return the string: `42` reads as
//! `"42"`, `4.5` as `"4.5"`. An empty string, `null`, or any other JSON type (a boolean,
//! an object) counts as absent, so `{"userId": ""}` breaks the rule that an event needs a
//! `userId` or an `anonymousId`.
//!
//! Nothing here does IO, reads a clock or draws a random number: it builds for
//! `wasm32-unknown-unknown`, so the window and the server apply the same rules.

mod body;
mod kind;
mod problem;
mod timing;

#[cfg(test)]
mod tests;

pub use body::{
    parse_body, parse_request, Body, BodyError, MAX_BATCH_EVENTS, MAX_EVENT_BYTES,
    MAX_REQUEST_BYTES,
};
pub use kind::{Call, EventType, UnknownEventType};
pub use problem::{Problem, UnknownReason};
pub use timing::{format_time, parse_time, TimestampBasis, Timing};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// One call of Segment's spec: the payload as sent, with typed accessors over it.
///
/// Field names are the wire's (`userId`, `messageId`, …). The accessors never fail: a
/// field that is absent or of the wrong JSON type reads as `None`.
///
/// It serializes as its payload (a JSON object) and deserializes from any JSON object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Event {
    payload: Map<String, Value>,
}

impl Event {
    /// An event over a payload, taken as it is (no field is required to build one; the
    /// rules are checked by [`Event::problems`]).
    pub fn from_payload(payload: Map<String, Value>) -> Event {
        Event { payload }
    }

    /// The payload: what gets stored and shown.
    pub fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }

    /// The payload, taken out as a JSON object.
    pub fn into_payload(self) -> Value {
        Value::Object(self.payload)
    }

    /// `type`: which of the six calls this is; `None` when missing or not one of them.
    pub fn event_type(&self) -> Option<EventType> {
        self.text("type").and_then(EventType::from_wire)
    }

    /// `messageId`: the sender's id for this event, unique per source (retries reuse it).
    pub fn message_id(&self) -> Option<String> {
        self.id("messageId")
    }

    /// `userId`: the user's id in the sender's own database.
    pub fn user_id(&self) -> Option<String> {
        self.id("userId")
    }

    /// `anonymousId`: the id of a user not yet known (analytics.js keeps it in a cookie).
    pub fn anonymous_id(&self) -> Option<String> {
        self.id("anonymousId")
    }

    /// `groupId` (group): the company or account the user joins.
    pub fn group_id(&self) -> Option<String> {
        self.id("groupId")
    }

    /// `previousId` (alias): the identity that `userId` replaces.
    pub fn previous_id(&self) -> Option<String> {
        self.id("previousId")
    }

    /// `event` (track): the name of what the user did, e.g. `"Order Completed"`;
    /// `None` when missing or empty.
    pub fn event_name(&self) -> Option<&str> {
        self.text("event")
    }

    /// `name` (page, screen): the page's or screen's name, e.g. `"Pricing"`.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }

    /// `category` (page): the page's category, e.g. `"Docs"`.
    pub fn category(&self) -> Option<&str> {
        self.text("category")
    }

    /// The name the debugger and the stored `event` column show: `event` for a track,
    /// `name` for a page or a screen, nothing for the other calls.
    pub fn label(&self) -> Option<&str> {
        match self.event_type()? {
            EventType::Track => self.event_name(),
            EventType::Page | EventType::Screen => self.name(),
            EventType::Identify | EventType::Group | EventType::Alias => None,
        }
    }

    /// `properties` (track, page, screen).
    pub fn properties(&self) -> Option<&Map<String, Value>> {
        self.object("properties")
    }

    /// `traits` (identify: the user's; group: the group's).
    pub fn traits(&self) -> Option<&Map<String, Value>> {
        self.object("traits")
    }

    /// `context`: what the library knows about the device, page, campaign, IP …
    pub fn context(&self) -> Option<&Map<String, Value>> {
        self.object("context")
    }

    /// `integrations`: which destinations get the event (`{"All": false, "Mixpanel": true}`).
    pub fn integrations(&self) -> Option<&Map<String, Value>> {
        self.object("integrations")
    }

    /// `timestamp`, read as a time; `None` when missing or unreadable. Once the event is
    /// [stamped](Event::stamp) this is the corrected time.
    pub fn timestamp(&self) -> Option<OffsetDateTime> {
        self.time("timestamp")
    }

    /// `originalTimestamp`: the device's clock when the call was made.
    pub fn original_timestamp(&self) -> Option<OffsetDateTime> {
        self.time("originalTimestamp")
    }

    /// `sentAt`: the device's clock when the request left it.
    pub fn sent_at(&self) -> Option<OffsetDateTime> {
        self.time("sentAt")
    }

    /// `receivedAt`: the server's clock when the request arrived (set by [`Event::stamp`]).
    pub fn received_at(&self) -> Option<OffsetDateTime> {
        self.time("receivedAt")
    }

    /// Gives the event `message_id` when it has none (absent, `null` or `""`); says
    /// whether it did. The caller makes the id (the collector draws a random one).
    pub fn assign_message_id(&mut self, message_id: impl Into<String>) -> bool {
        if self.message_id().is_some() {
            return false;
        }
        self.payload
            .insert("messageId".to_owned(), Value::String(message_id.into()));
        true
    }

    /// The rules this event breaks, in [`Problem::ALL`]'s order; empty when it is valid.
    ///
    /// [`Problem::DuplicateMessageId`] is never in this list: only the store knows which
    /// ids came before.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.user_id().is_none() && self.anonymous_id().is_none() {
            problems.push(Problem::MissingUserIdAndAnonymousId);
        }
        match self.event_type() {
            Some(EventType::Track) if self.event_name().is_none() => {
                problems.push(Problem::MissingEvent)
            }
            Some(EventType::Group) if self.group_id().is_none() => {
                problems.push(Problem::MissingGroupId)
            }
            Some(EventType::Alias) if self.previous_id().is_none() => {
                problems.push(Problem::MissingPreviousId)
            }
            Some(_) => {}
            None => problems.push(Problem::UnknownType),
        }
        problems
    }

    /// Whether the event breaks none of the rules [`Event::problems`] checks.
    pub fn is_valid(&self) -> bool {
        self.problems().is_empty()
    }

    /// Writes `receivedAt` and the corrected `timestamp` into the payload, as Segment
    /// does, and returns the times it used (see [`Timing`] for the formula).
    ///
    /// When the sender gave a `timestamp` but no `originalTimestamp`, its `timestamp` (the
    /// device's time) moves to `originalTimestamp` before `timestamp` is replaced, so the
    /// sent value survives. When it gave both, `originalTimestamp` is the device's time
    /// and its `timestamp` is replaced, as Segment replaces it. A `receivedAt` in the body
    /// is the sender's guess and is replaced by `received_at`; `sentAt` is kept as sent.
    pub fn stamp(&mut self, received_at: OffsetDateTime) -> Timing {
        let timing = Timing::of(self, received_at);
        let sent = self
            .payload
            .get("timestamp")
            .filter(|value| !value.is_null());
        if !self.payload.contains_key("originalTimestamp") {
            if let Some(sent) = sent.cloned() {
                self.payload.insert("originalTimestamp".to_owned(), sent);
            }
        }
        self.payload.insert(
            "timestamp".to_owned(),
            Value::String(format_time(timing.timestamp)),
        );
        self.payload.insert(
            "receivedAt".to_owned(),
            Value::String(format_time(timing.received_at)),
        );
        timing
    }

    /// A string field, `None` when missing, empty or not a string.
    fn text(&self, field: &str) -> Option<&str> {
        match self.payload.get(field) {
            Some(Value::String(text)) if !text.is_empty() => Some(text),
            _ => None,
        }
    }

    /// An id field: a non-empty string, or a number written as a string.
    fn id(&self, field: &str) -> Option<String> {
        match self.payload.get(field)? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    fn object(&self, field: &str) -> Option<&Map<String, Value>> {
        self.payload.get(field)?.as_object()
    }

    fn time(&self, field: &str) -> Option<OffsetDateTime> {
        self.payload
            .get(field)?
            .as_str()
            .and_then(timing::parse_time)
    }
}
