//! The six call types of Segment's spec, and the collector paths that name them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the six calls of Segment's spec; the wire spelling is the lower-case word
/// (`"track"`, `"identify"`, `"page"`, `"screen"`, `"group"`, `"alias"`), exactly what an
/// event's `type` field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// Something the user did: `event` names it, `properties` describe it.
    Track,
    /// Who the user is: `userId` and `traits`.
    Identify,
    /// A web page the user saw: `name`, `category`, `properties`.
    Page,
    /// A mobile screen the user saw: `name`, `properties`.
    Screen,
    /// The user joins a company or account: `groupId` and the group's `traits`.
    Group,
    /// Two identities are one user: `previousId` becomes `userId`.
    Alias,
}

impl EventType {
    /// Every call type, in the spec's order.
    pub const ALL: [EventType; 6] = [
        EventType::Track,
        EventType::Identify,
        EventType::Page,
        EventType::Screen,
        EventType::Group,
        EventType::Alias,
    ];

    /// The wire spelling: what `type` holds and what follows `/v1/` in the long path.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Track => "track",
            EventType::Identify => "identify",
            EventType::Page => "page",
            EventType::Screen => "screen",
            EventType::Group => "group",
            EventType::Alias => "alias",
        }
    }

    /// The type a wire spelling names; `None` for anything else (the spelling is exact:
    /// `"Track"` is not a type, as Segment's API does not accept it either).
    pub fn from_wire(text: &str) -> Option<EventType> {
        EventType::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A spelling that names none of the six call types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an event type (track, identify, page, screen, group or alias)")]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EventType::from_wire(text).ok_or_else(|| UnknownEventType(text.to_owned()))
    }
}

/// What a collector path asks for: one call of a given type, or a batch of calls.
///
/// The paths are Segment's HTTP Tracking API's (`/v1/track` …, `/v1/batch`, `/v1/import`)
/// and analytics.js's short forms (`/v1/t /v1/i /v1/p /v1/s /v1/g /v1/a /v1/b`).
/// analytics.js's metrics path `/v1/m` is not a call: [`Call::from_path`] says `None` and
/// the collector answers and drops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `/v1/track`, `/v1/t`, …: the body is one event; the path gives its type.
    Single(EventType),
    /// `/v1/batch`, `/v1/b`, `/v1/import`: the body is `{ batch: [event, …], … }`.
    Batch,
}

impl Call {
    /// The call a path's last segment (what follows `/v1/`) names, or `None`.
    pub fn from_path(segment: &str) -> Option<Call> {
        let single = |kind| Some(Call::Single(kind));
        match segment {
            "batch" | "b" | "import" => Some(Call::Batch),
            "t" => single(EventType::Track),
            "i" => single(EventType::Identify),
            "p" => single(EventType::Page),
            "s" => single(EventType::Screen),
            "g" => single(EventType::Group),
            "a" => single(EventType::Alias),
            long => EventType::from_wire(long).map(Call::Single),
        }
    }
}
