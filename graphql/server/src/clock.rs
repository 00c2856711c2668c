//! The clock: the current time and the one text form every stored time takes.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current time, whole seconds, UTC.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// RFC 3339 text of `t` (`2026-11-27T10:00:00Z`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// An RFC 3339 text read back, in UTC (whole seconds); `None` when it is not one.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let t = t.to_offset(time::UtcOffset::UTC);
    Some(t.replace_nanosecond(0).unwrap_or(t))
}

/// RFC 3339 text of a unix time.
pub fn rfc3339_unix(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .map(rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_seconds_in_utc() {
        assert_eq!(now().nanosecond(), 0, "stored times compare as text");
        assert_eq!(rfc3339_unix(0), "1970-01-01T00:00:00Z");
    }
}
