//! The daemon's time zone: where a plain date in `known_at` or an audit range starts and
//! ends, and which day is today.

use jiff::tz::TimeZone;
use reformlog::{Date, Timestamp};

/// The zone reformd uses unless configured otherwise (UTC+7, no daylight saving time).
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// A time zone name that is not in the time zone database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneError {
    /// No zone of this name.
    #[error("unknown time zone {0:?}: give an IANA name such as Asia/Ho_Chi_Minh or UTC")]
    Unknown(String),
}

/// An IANA time zone, from the time zone database built into reformd (the host's tzdata is
/// not read, so every host answers alike).
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone of an IANA name (any ASCII case), e.g. `Asia/Ho_Chi_Minh`, `Europe/Berlin`,
    /// `UTC`.
    pub fn named(name: &str) -> Result<Zone, ZoneError> {
        let unknown = || ZoneError::Unknown(name.to_owned());
        if name.trim().is_empty() {
            return Err(unknown());
        }
        let tz = jiff::tz::db().get(name.trim()).map_err(|_| unknown())?;
        let name = tz.iana_name().unwrap_or(name.trim()).to_owned();
        Ok(Zone { name, tz })
    }

    /// The zone's IANA name as the database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first microsecond of `date` in this zone; `None` past the range times can have.
    pub(crate) fn start_of_day(&self, date: Date) -> Option<Timestamp> {
        let start = self.day_start(civil(date)?)?;
        Some(Timestamp::from_micros(start))
    }

    /// The last microsecond of `date` in this zone: the one before the next day starts (so
    /// a day that daylight saving time shortens or lengthens is still whole).
    pub(crate) fn end_of_day(&self, date: Date) -> Option<Timestamp> {
        let next = civil(date)?.tomorrow().ok()?;
        let start = self.day_start(next)?;
        Some(Timestamp::from_micros(start.checked_sub(1)?))
    }

    /// Today's date in this zone.
    pub(crate) fn today(&self) -> Option<Date> {
        let now = jiff::Timestamp::now()
            .to_zoned_datetime(self.tz.clone())
            .date();
        let month = u8::try_from(now.month()).ok()?;
        let day = u8::try_from(now.day()).ok()?;
        Date::from_ymd(i32::from(now.year()), month, day).ok()
    }

    /// Microseconds since the epoch at which `day` starts here.
    fn day_start(&self, day: jiff::civil::Date) -> Option<i64> {
        let start = day
            .to_zoned_datetime(self.tz.clone())
            .ok()?
            .start_of_day()
            .ok()?;
        Some(start.timestamp().as_microsecond())
    }
}

impl Default for Zone {
    /// `Asia/Ho_Chi_Minh`.
    fn default() -> Self {
        Zone::named(DEFAULT_TIME_ZONE).unwrap_or_else(|_| Zone {
            // The built-in database always has it; the same rule as a fixed offset otherwise.
            name: DEFAULT_TIME_ZONE.to_owned(),
            tz: TimeZone::fixed(jiff::tz::offset(7)),
        })
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The same day as jiff's civil date.
fn civil(date: Date) -> Option<jiff::civil::Date> {
    let year = i16::try_from(date.year()).ok()?;
    let month = i8::try_from(date.month()).ok()?;
    let day = i8::try_from(date.day()).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// RFC 3339 of a timestamp, for readable expectations.
    fn utc(t: Timestamp) -> String {
        jiff::Timestamp::from_microsecond(t.as_micros())
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_default_is_ho_chi_minh_city_at_utc_plus_7() {
        let z = Zone::default();
        assert_eq!(z.name(), "Asia/Ho_Chi_Minh");
        assert_eq!(
            utc(z.end_of_day(d("2022-01-20")).unwrap()),
            "2022-01-20T16:59:59.999999Z"
        );
        assert_eq!(
            utc(z.start_of_day(d("2022-01-20")).unwrap()),
            "2022-01-19T17:00:00Z"
        );
    }

    #[test]
    fn names_are_iana_names_in_any_case() {
        assert_eq!(Zone::named("asia/ho_chi_minh").unwrap(), Zone::default());
        assert_eq!(Zone::named("UTC").unwrap().name(), "UTC");
        for bad in ["", "  ", "Asia/Hanoi City", "+07:00", "Mars/Olympus_Mons"] {
            assert_eq!(
                Zone::named(bad).unwrap_err(),
                ZoneError::Unknown(bad.to_owned())
            );
        }
    }

    #[test]
    fn days_shortened_or_lengthened_by_daylight_saving_time_stay_whole() {
        let ny = Zone::named("America/New_York").unwrap();
        // Winter (UTC-5), summer (UTC-4), and the 23- and 25-hour days between.
        assert_eq!(
            utc(ny.end_of_day(d("2024-01-15")).unwrap()),
            "2024-01-16T04:59:59.999999Z"
        );
        assert_eq!(
            utc(ny.end_of_day(d("2024-07-15")).unwrap()),
            "2024-07-16T03:59:59.999999Z"
        );
        let len = |day: &str| {
            ny.end_of_day(d(day)).unwrap().as_micros() + 1
                - ny.start_of_day(d(day)).unwrap().as_micros()
        };
        assert_eq!(len("2024-03-10"), 23 * 3_600_000_000);
        assert_eq!(len("2024-11-03"), 25 * 3_600_000_000);
        // Chile moves its clocks at midnight: 2022-09-11 began at 01:00.
        let santiago = Zone::named("America/Santiago").unwrap();
        assert_eq!(
            utc(santiago.end_of_day(d("2022-09-10")).unwrap()),
            "2022-09-11T03:59:59.999999Z"
        );
        assert_eq!(
            santiago.start_of_day(d("2022-09-11")).unwrap().as_micros(),
            santiago.end_of_day(d("2022-09-10")).unwrap().as_micros() + 1
        );
    }

    #[test]
    fn the_ends_of_the_calendar_do_not_panic() {
        for name in [
            "Asia/Ho_Chi_Minh",
            "Pacific/Pago_Pago",
            "Pacific/Kiritimati",
        ] {
            let z = Zone::named(name).unwrap();
            for day in [Date::MIN, Date::MAX, d("0000-01-01"), d("9999-12-31")] {
                let _ = z.end_of_day(day);
                let _ = z.start_of_day(day);
            }
        }
        assert!(Zone::default().end_of_day(d("9999-12-31")).is_none());
        assert!(Zone::default().today().is_some());
    }
}
