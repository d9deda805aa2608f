//! Timestamps as ECHO writes them: UTC, millisecond precision, `2016-11-27T15:59:10.513Z`.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset, macros::format_description};

/// A point in time, stored as milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("[{0}] is not an xs:dateTime such as 2016-11-27T15:59:10.513Z")]
pub struct InvalidTimestamp(pub String);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    pub fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    /// Parses an xs:dateTime; a value without a zone is taken as UTC.
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        let trimmed = text.trim();
        OffsetDateTime::parse(trimmed, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(&format!("{trimmed}Z"), &Rfc3339))
            .map(Self::from_datetime)
            .map_err(|_| InvalidTimestamp(text.to_owned()))
    }

    /// The ECHO wire form, e.g. `2016-11-27T15:59:10.513Z`.
    pub fn to_echo_string(self) -> String {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        self.datetime()
            .format(&format)
            .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
    }

    fn from_datetime(datetime: OffsetDateTime) -> Self {
        let nanos = datetime.to_offset(UtcOffset::UTC).unix_timestamp_nanos();
        Timestamp(i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX))
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_echo_form() {
        let t = Timestamp::parse("2016-11-27T15:59:10.513Z").unwrap();
        assert_eq!(t.to_echo_string(), "2016-11-27T15:59:10.513Z");
        let offset = Timestamp::parse("2016-11-27T10:59:10-05:00").unwrap();
        assert_eq!(offset.to_echo_string(), "2016-11-27T15:59:10.000Z");
        assert!(Timestamp::parse("2016-13-27T15:59:10Z").is_err());
    }
}
