//! Times as people type and read them: RFC 3339 in UTC, or a bare date meaning its start (or,
//! for the end of a range, its end).

use crate::error::Error;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Microseconds since the Unix epoch as RFC 3339 UTC with microseconds.
pub(crate) fn micros_rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// A `YYYY-MM-DD` date becomes the start of that day (or its last microsecond when `end`);
/// anything else is passed on as RFC 3339 for the daemon to check.
pub(crate) fn as_rfc3339(text: &str, end: bool) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Usage(
            "a time is required (RFC 3339 or YYYY-MM-DD)".into(),
        ));
    }
    if let Ok(date) = text.parse::<reformlog::Date>() {
        let day = days_from_civil(
            i64::from(date.year()),
            i64::from(date.month()),
            i64::from(date.day()),
        );
        let micros = day * 86_400_000_000 + if end { 86_400_000_000 - 1 } else { 0 };
        return Ok(micros_rfc3339(micros));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_become_day_bounds() {
        assert_eq!(
            as_rfc3339("2022-01-14", false).unwrap(),
            "2022-01-14T00:00:00.000000Z"
        );
        assert_eq!(
            as_rfc3339("2022-01-14", true).unwrap(),
            "2022-01-14T23:59:59.999999Z"
        );
        assert_eq!(micros_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            as_rfc3339("2024-02-29T10:00:00Z", false).unwrap(),
            "2024-02-29T10:00:00Z"
        );
    }
}
