//! An event's four times and the correction of the device's clock skew.
//!
//! Segment's spec ("Common fields", *Timestamps*) gives every call four times:
//!
//! - `originalTimestamp`: the device's clock when the call was made. Libraries that run
//!   on a device (analytics.js, analytics-node, analytics-python) send this time **in the
//!   field `timestamp`**; Segment moves it to `originalTimestamp` and computes its own
//!   `timestamp`. A sender may also send `originalTimestamp` itself.
//! - `sentAt`: the device's clock when the request left it (set per request or per batch).
//! - `receivedAt`: the server's clock when the request arrived. `sentAt` and `receivedAt`
//!   are taken to be the same instant, so their difference is the device's clock skew.
//! - `timestamp`: when the call happened, corrected for that skew:
//!   `receivedAt − (sentAt − originalTimestamp)`.
//!
//! [`Timing::of`] reads them this way:
//!
//! - The **device time** is `originalTimestamp` when the payload has one (not `null`),
//!   else `timestamp`.
//! - When both `sentAt` and the device time are readable, `timestamp` is corrected
//!   ([`TimestampBasis::Corrected`]). An event queued offline for an hour therefore keeps
//!   its hour: only the gap between the device's and the server's clocks is removed.
//! - Else a readable `timestamp` is taken as given, and failing that a readable
//!   `originalTimestamp` ([`TimestampBasis::Given`]): there is nothing to correct it with.
//! - Else the event happened when it arrived: `receivedAt` ([`TimestampBasis::Received`]).
//!
//! Times are read as RFC 3339 (`2026-12-01T14:00:00.123Z`, `…+01:00`, any number of
//! fractional digits), which is what every Segment library sends. A time that cannot be
//! read is **ignored**, as Segment ignores it: the event stays valid, the rules above fall
//! back, and [`Timing::unreadable`] names the field so the debugger can say why. The sent
//! text is never thrown away (see [`Event::stamp`](super::Event::stamp)). A correction
//! that would leave the years 0000–9999 is ignored the same way.
//!
//! Times are written in UTC, RFC 3339 with milliseconds: `2026-12-01T14:00:00.123Z`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::Event;

/// Where an event's `timestamp` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampBasis {
    /// `receivedAt − (sentAt − device time)`: the device's time, corrected for its skew.
    Corrected,
    /// The sender's `timestamp` (or, lacking it, `originalTimestamp`), taken as given:
    /// the payload had no readable `sentAt` to correct it with.
    Given,
    /// No readable time was sent: the event is taken to have happened when it arrived.
    Received,
}

/// The times of one event, as [`Timing::of`] reads and corrects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// When the event happened, corrected for the device's clock skew.
    pub timestamp: OffsetDateTime,
    /// Which rule gave [`Timing::timestamp`].
    pub basis: TimestampBasis,
    /// When the server received it (the caller's clock).
    pub received_at: OffsetDateTime,
    /// The device's clock at the call (`originalTimestamp`, else the sent `timestamp`).
    pub device_time: Option<OffsetDateTime>,
    /// The device's clock when it sent the request.
    pub sent_at: Option<OffsetDateTime>,
    /// Time fields that were given (not `null`) but could not be read, by wire name
    /// (`"timestamp"`, `"originalTimestamp"`, `"sentAt"`), in that order.
    pub unreadable: Vec<&'static str>,
}

impl Timing {
    /// Reads the times of `event`, received at `received_at`, and corrects its
    /// `timestamp` (the rules are in this module's documentation).
    pub fn of(event: &Event, received_at: OffsetDateTime) -> Timing {
        let mut unreadable = Vec::new();
        let mut read = |field: &'static str| -> Option<OffsetDateTime> {
            let value = event
                .payload()
                .get(field)
                .filter(|value| !value.is_null())?;
            let time = value.as_str().and_then(parse_time);
            if time.is_none() {
                unreadable.push(field);
            }
            time
        };
        let given = read("timestamp");
        let original = read("originalTimestamp");
        let sent_at = read("sentAt");
        let has_original = event
            .payload()
            .get("originalTimestamp")
            .is_some_and(|value| !value.is_null());
        let device_time = if has_original { original } else { given };

        let corrected = match (device_time, sent_at) {
            (Some(device), Some(sent)) => correct(device, sent, received_at),
            _ => None,
        };
        let (timestamp, basis) = match (corrected, given.or(original)) {
            (Some(corrected), _) => (corrected, TimestampBasis::Corrected),
            (None, Some(given)) => (given, TimestampBasis::Given),
            (None, None) => (received_at, TimestampBasis::Received),
        };
        Timing {
            timestamp,
            basis,
            received_at,
            device_time,
            sent_at,
            unreadable,
        }
    }
}

/// `received_at − (sent_at − device)`, or `None` when it overflows or leaves the years
/// 0000–9999 (which RFC 3339 cannot write).
fn correct(
    device: OffsetDateTime,
    sent_at: OffsetDateTime,
    received_at: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let skew = sent_at - device;
    received_at
        .checked_sub(skew)
        .filter(|time| (0..=9999).contains(&time.year()))
}

/// Reads an RFC 3339 time (any offset, any number of fractional digits); `None` when the
/// text is not one.
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Writes a time in UTC, RFC 3339 with exactly three fractional digits (milliseconds,
/// truncated), e.g. `2026-12-01T14:00:00.123Z`: the form every stored time takes.
pub fn format_time(time: OffsetDateTime) -> String {
    // Both steps fail only for years outside 0000–9999, which no time read or corrected
    // here has; seconds since the epoch keep such a time readable rather than panicking.
    time.checked_to_offset(UtcOffset::UTC)
        .and_then(|utc| {
            utc.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| time.unix_timestamp().to_string())
}
