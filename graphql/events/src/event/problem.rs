//! The reasons an event is invalid: Segment's rules, each with a stable reason string.

use std::fmt;
use std::str::FromStr;

/// One broken rule. An event with problems is still an event: it is stored, counted and
/// shown with its reasons, never dropped.
///
/// The reason strings ([`Problem::as_str`]) are stable: they are stored beside the event,
/// returned by GraphQL as `Event.problems` and matched on by the window. Never rename one.
///
/// | variant | reason | rule |
/// | --- | --- | --- |
/// | [`MissingUserIdAndAnonymousId`](Problem::MissingUserIdAndAnonymousId) | `missing_user_id_and_anonymous_id` | every call needs `userId` or `anonymousId` |
/// | [`MissingEvent`](Problem::MissingEvent) | `missing_event` | a track needs `event` |
/// | [`MissingGroupId`](Problem::MissingGroupId) | `missing_group_id` | a group needs `groupId` |
/// | [`MissingPreviousId`](Problem::MissingPreviousId) | `missing_previous_id` | an alias needs `previousId` |
/// | [`DuplicateMessageId`](Problem::DuplicateMessageId) | `duplicate_message_id` | a `messageId` is used once per source |
/// | [`UnknownType`](Problem::UnknownType) | `unknown_type` | `type` is one of the six |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    /// Neither `userId` nor `anonymousId` is given (an empty string counts as not given).
    MissingUserIdAndAnonymousId,
    /// A track call without `event` (its name), or with an empty one.
    MissingEvent,
    /// A group call without `groupId`.
    MissingGroupId,
    /// An alias call without `previousId`.
    MissingPreviousId,
    /// The source already has an event with this `messageId`: a replay or a retry.
    /// Only the store can tell (it knows what came before), so [`Event::problems`]
    /// never reports it; the store adds it.
    ///
    /// [`Event::problems`]: super::Event::problems
    DuplicateMessageId,
    /// An event whose `type` is missing or none of the six: in a batch, or a single
    /// call whose body names a type that is not one (a single call without `type` takes
    /// its path's).
    UnknownType,
}

impl Problem {
    /// Every problem, in a stable order.
    pub const ALL: [Problem; 6] = [
        Problem::MissingUserIdAndAnonymousId,
        Problem::MissingEvent,
        Problem::MissingGroupId,
        Problem::MissingPreviousId,
        Problem::DuplicateMessageId,
        Problem::UnknownType,
    ];

    /// The stable reason string (snake case), as stored and as GraphQL returns it.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::MissingUserIdAndAnonymousId => "missing_user_id_and_anonymous_id",
            Problem::MissingEvent => "missing_event",
            Problem::MissingGroupId => "missing_group_id",
            Problem::MissingPreviousId => "missing_previous_id",
            Problem::DuplicateMessageId => "duplicate_message_id",
            Problem::UnknownType => "unknown_type",
        }
    }

    /// A sentence for a person reading the debugger, saying what to fix.
    pub fn description(self) -> &'static str {
        match self {
            Problem::MissingUserIdAndAnonymousId => {
                "The event has neither a userId nor an anonymousId; every call needs one of them."
            }
            Problem::MissingEvent => {
                "The track call has no event name; set `event` (for example \"Order Completed\")."
            }
            Problem::MissingGroupId => "The group call has no groupId.",
            Problem::MissingPreviousId => "The alias call has no previousId.",
            Problem::DuplicateMessageId => {
                "An event with this messageId was already received for this source (a retry or a replay)."
            }
            Problem::UnknownType => {
                "The event's type is missing or is not one of track, identify, page, screen, group, alias."
            }
        }
    }

    /// The problem a stored reason string names, or `None`.
    pub fn from_reason(reason: &str) -> Option<Problem> {
        Problem::ALL
            .into_iter()
            .find(|problem| problem.as_str() == reason)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A reason string that names no [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a known problem reason")]
pub struct UnknownReason(pub String);

impl FromStr for Problem {
    type Err = UnknownReason;

    fn from_str(reason: &str) -> Result<Self, Self::Err> {
        Problem::from_reason(reason).ok_or_else(|| UnknownReason(reason.to_owned()))
    }
}
