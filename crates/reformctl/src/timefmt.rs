//! Times as people read them: microseconds since the epoch as RFC 3339 in UTC. (Dates that
//! people type are sent as typed: the daemon reads them in its time zone.)

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's
/// algorithm).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microseconds_read_as_utc() {
        assert_eq!(micros_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            micros_rfc3339(1_642_118_399_999_999),
            "2022-01-13T23:59:59.999999Z"
        );
        assert_eq!(micros_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    }
}
