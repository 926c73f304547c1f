//! Calendar dates (valid time) and recorded-time timestamps.
//!
//! `Date` wraps `time::Date` so that the public API does not tie callers to one version of
//! that crate, and so that every format (JSON, TOML, the event codec) carries it as the text
//! `YYYY-MM-DD`: stored events stay readable even if the wrapped type changes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A text that is not a calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("not a date in the form YYYY-MM-DD: {0:?}")]
    Malformed(String),
    /// The form is right but the calendar has no such day (`2022-02-30`).
    #[error("no such day: {year:04}-{month:02}-{day:02}")]
    NoSuchDay {
        /// The year given.
        year: i32,
        /// The month given.
        month: u8,
        /// The day given.
        day: u8,
    },
}

/// A day in the proleptic Gregorian calendar.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
// In JSON the `YYYY-MM-DD` text (see `Serialize` below), not the inner date's own form.
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, format = Date)
)]
pub struct Date(time::Date);

impl Date {
    /// The day `year-month-day`.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        let no_such = DateError::NoSuchDay { year, month, day };
        let m = time::Month::try_from(month).map_err(|_| no_such.clone())?;
        time::Date::from_calendar_date(year, m, day)
            .map(Self)
            .map_err(|_| no_such)
    }

    /// The year, e.g. 2022.
    pub fn year(&self) -> i32 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        u8::from(self.0.month())
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.0.day()
    }

    /// The next day; saturates at the end of the supported range.
    pub fn next_day(&self) -> Self {
        self.0.next_day().map_or(*self, Self)
    }

    /// The previous day; saturates at the start of the supported range.
    pub fn previous_day(&self) -> Self {
        self.0.previous_day().map_or(*self, Self)
    }

    /// Days since the Julian epoch; monotone in the date, so it can be a numeric key part.
    pub fn julian_day(&self) -> i32 {
        self.0.to_julian_day()
    }

    /// The day with the given Julian day number, if it is in range.
    pub fn from_julian_day(day: i32) -> Option<Self> {
        time::Date::from_julian_day(day).ok().map(Self)
    }

    /// Midnight UTC at the start of the day, handy for "as known on that day" questions.
    pub fn start_utc(&self) -> Timestamp {
        let secs = self.0.midnight().assume_utc().unix_timestamp();
        Timestamp::from_micros(secs.saturating_mul(1_000_000))
    }

    /// The largest date, used as "no end".
    pub const MAX: Date = Date(time::Date::MAX);
    /// The smallest date.
    pub const MIN: Date = Date(time::Date::MIN);
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        let bad = || DateError::Malformed(s.to_owned());
        let t = s.trim();
        let mut parts = t.splitn(3, '-');
        let (y, m, d) = match (parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d)) => (y, m, d),
            _ => return Err(bad()),
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        Self::from_ymd(year, month, day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The same text as `Display`, written on the stack: views hold many dates, and
        // `collect_str` would allocate a string for each.
        let year = self.year();
        let Ok(year) = u16::try_from(year) else {
            return s.collect_str(self);
        };
        if year > 9999 {
            return s.collect_str(self);
        }
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let (month, day) = (u16::from(self.month()), u16::from(self.day()));
        let text = [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        match std::str::from_utf8(&text) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DateVisitor)
    }
}

/// Parses the text in place, where `String::deserialize` would allocate it first.
struct DateVisitor;

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date in the form YYYY-MM-DD")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
        text.parse().map_err(E::custom)
    }
}

/// Recorded (system) time: the store's timestamp, one type for the log and the domain.
pub use reformlog_store::Timestamp;

/// "As the system knew it at": a log position or a recorded time (both inclusive).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KnownAt {
    /// As known once the log held this position (inclusive).
    Position(u64),
    /// As known at this recorded time (inclusive).
    Timestamp(Timestamp),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_prints_iso_dates() {
        let d: Date = "2022-01-14".parse().unwrap();
        assert_eq!(d.to_string(), "2022-01-14");
        assert_eq!(d.next_day().to_string(), "2022-01-15");
        assert_eq!(
            Date::from_ymd(2022, 3, 1)
                .unwrap()
                .previous_day()
                .to_string(),
            "2022-02-28"
        );
        assert!("2022-02-30".parse::<Date>().is_err());
        assert!("2022-1-5".parse::<Date>().is_err());
        assert!("20220105".parse::<Date>().is_err());
    }

    #[test]
    fn serialized_dates_are_their_display_text_in_both_codecs() {
        let dates = [
            Date::from_ymd(2022, 1, 14).unwrap(),
            Date::from_ymd(1, 2, 3).unwrap(),
            Date::from_ymd(999, 12, 31).unwrap(),
            Date::MAX,
            Date::MIN,
        ];
        for d in dates {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{d}\""));
            let bytes = reformlog_store::encode_payload(&d).unwrap();
            assert_eq!(
                bytes,
                reformlog_store::encode_payload(&d.to_string()).unwrap()
            );
            if d != Date::MIN {
                // The form parsed is YYYY-MM-DD; only the smallest date has a sign.
                assert_eq!(serde_json::from_str::<Date>(&json).unwrap(), d);
                assert_eq!(reformlog_store::decode_payload::<Date>(&bytes).unwrap(), d);
            }
        }
        let bad = reformlog_store::encode_payload(&"2022-02-30").unwrap();
        assert!(reformlog_store::decode_payload::<Date>(&bad).is_err());
        assert!(serde_json::from_str::<Date>("\"2022-1-5\"").is_err());
        assert!(serde_json::from_str::<Date>("20220105").is_err());
    }

    #[test]
    fn julian_days_order_like_dates() {
        let a: Date = "2021-12-31".parse().unwrap();
        let b: Date = "2022-01-01".parse().unwrap();
        assert_eq!(a.julian_day() + 1, b.julian_day());
        assert_eq!(Date::from_julian_day(b.julian_day()), Some(b));
    }

    #[test]
    fn timestamps_of_day_starts() {
        let d: Date = "1970-01-02".parse().unwrap();
        assert_eq!(d.start_utc().as_micros(), 86_400_000_000);
    }
}
