//! The daemon's use of the domain library: demo data, event JSON, commands from JSON (a
//! decision's kind told by its number), parsing of time parameters.

use reformlog::{
    Command, Context, Date, DateError, DecisionKind, KnownAt, Reformlog, Seed, Timestamp,
};
use reformlog_store::RecordedEvent;
use serde_json::Value;

use crate::problem::ApiError;
use crate::zone::Zone;

/// The seed case (Decision 34/QĐ-BTTTT), shared with the integration tests.
const DEMO_SEED: &str = include_str!("../../tests/data/seed-decision-34.toml");
const DEMO_PLANS: &str = include_str!("../../tests/data/seed-plans-2021.toml");

/// Loads the seed case (Decision 34 and the 2021 reform plans the article names); a no-op
/// for what is already in the store (each change is recorded once).
pub(crate) fn load_demo(domain: &Reformlog) -> Result<u64, String> {
    let seed = Seed::parse(DEMO_SEED).map_err(|e| e.to_string())?;
    let plans = Seed::parse(DEMO_PLANS).map_err(|e| e.to_string())?;
    let ctx =
        Context::new("system:demo").with_reason("demo data: Decision 34/QĐ-BTTTT (seed case)");
    domain
        .load_seeds(&[&seed, &plans], &ctx)
        .map_err(|e| e.to_string())
}

/// The domain event inside a stored record as JSON, or `null` for a payload this build does
/// not know.
pub(crate) fn event_json(e: &RecordedEvent) -> serde_json::Value {
    reformlog::decode_event(e)
        .ok()
        .and_then(|ev| serde_json::to_value(ev).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The library's command in `value` (`at` names it in errors, e.g. `commands[2]`). A
/// `record_decision` without `kind` (or with `null`) takes the kind its number tells
/// (`15/2024/NĐ-CP` a decree); a number that does not tell it is a 400 asking for `kind`.
pub(crate) fn command_from_json(at: &str, mut value: Value) -> Result<Command, ApiError> {
    if let Some(fields) = value
        .get_mut("record_decision")
        .and_then(Value::as_object_mut)
    {
        if fields.get("kind").is_none_or(Value::is_null) {
            // Without a number the command is refused below for that, not for its kind.
            if let Some(number) = fields.get("number").and_then(Value::as_str) {
                let kind = DecisionKind::from_number(number).ok_or_else(|| {
                    let kinds: Vec<&str> = DecisionKind::ALL.iter().map(|k| k.as_str()).collect();
                    ApiError::bad_request(
                        "decision-kind-needed",
                        format!(
                            "{at}: the kind of decision {number:?} cannot be told from its \
                             number; give `kind`, one of {}",
                            kinds.join(", ")
                        ),
                    )
                })?;
                fields.insert("kind".into(), Value::String(kind.as_str().into()));
            }
        }
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request("invalid-body", format!("{at}: {e}")))
}

/// `on=YYYY-MM-DD`; today in the daemon's time zone when absent.
pub(crate) fn parse_on(on: Option<&str>, zone: &Zone) -> Result<Date, ApiError> {
    match on {
        None => zone
            .today()
            .ok_or_else(|| ApiError::internal("today is not a date the domain can hold")),
        Some(s) => parse_date("on", s),
    }
}

/// A `YYYY-MM-DD` parameter.
pub(crate) fn parse_date(name: &str, s: &str) -> Result<Date, ApiError> {
    s.parse::<Date>().map_err(|e| {
        ApiError::bad_request(
            "invalid-date",
            format!("{name} must be a real calendar date as YYYY-MM-DD ({s:?}: {e})"),
        )
    })
}

/// A plain date, `Ok(None)` when `s` is not shaped like one, an error when it is but names
/// no day (`2022-02-30`).
fn plain_date(name: &str, code: &'static str, s: &str) -> Result<Option<Date>, ApiError> {
    match s.parse::<Date>() {
        Ok(d) => Ok(Some(d)),
        Err(DateError::Malformed(_)) => Ok(None),
        Err(e) => Err(ApiError::bad_request(code, format!("{name}: {e}"))),
    }
}

/// `known_at=`: a log position (digits), an RFC 3339 time, or a date `YYYY-MM-DD`, which
/// means the end of that day (its last microsecond) in the daemon's time zone. The engine
/// resolves a position to the end of the commit holding it and a time to the last commit
/// recorded by then, so every form answers as of a whole commit.
pub(crate) fn parse_known_at(
    known_at: Option<&str>,
    zone: &Zone,
) -> Result<Option<KnownAt>, ApiError> {
    let Some(s) = known_at else {
        return Ok(None);
    };
    let invalid = |why: String| {
        ApiError::bad_request(
            "invalid-known-at",
            format!(
                "known_at must be a log position (digits), an RFC 3339 time \
                 (2022-01-20T08:00:00+07:00) or a date (YYYY-MM-DD: the end of that day in \
                 {zone}); {why}"
            ),
        )
    };
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let p = s
            .parse::<u64>()
            .map_err(|_| invalid(format!("position out of range: {s:?}")))?;
        return Ok(Some(KnownAt::Position(p)));
    }
    match s.parse::<Date>() {
        Ok(date) => {
            return zone
                .end_of_day(date)
                .map(|t| Some(KnownAt::Timestamp(t)))
                .ok_or_else(|| invalid(format!("{date} ends past the times the log can hold")));
        }
        Err(DateError::Malformed(_)) => {}
        Err(e) => return Err(invalid(e.to_string())),
    }
    Timestamp::parse_rfc3339(s)
        .map(|t| Some(KnownAt::Timestamp(t)))
        .ok_or_else(|| invalid(format!("not {s:?}")))
}

/// Which end of a recorded-time range a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Start,
    End,
}

/// One end of a recorded-time range: an RFC 3339 time, or a date `YYYY-MM-DD` meaning the
/// start (or, for the end, the last microsecond) of that day in the daemon's time zone.
pub(crate) fn parse_time_bound(
    name: &str,
    s: &str,
    bound: Bound,
    zone: &Zone,
) -> Result<Timestamp, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "invalid-time",
            format!(
                "{name} must be an RFC 3339 time or a date (YYYY-MM-DD, a day in {zone}), not \
                 {s:?}"
            ),
        )
    };
    if let Some(date) = plain_date(name, "invalid-time", s)? {
        let t = match bound {
            Bound::Start => zone.start_of_day(date),
            Bound::End => zone.end_of_day(date),
        };
        return t.ok_or_else(invalid);
    }
    Timestamp::parse_rfc3339(s).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn utc(t: Timestamp) -> String {
        t.to_rfc3339()
    }

    fn known(s: &str, zone: &Zone) -> Result<Option<KnownAt>, ApiError> {
        parse_known_at(Some(s), zone)
    }

    #[test]
    fn known_at_is_a_position_a_time_or_the_end_of_a_day_in_the_zone() {
        let hcm = Zone::default();
        assert_eq!(known("42", &hcm).unwrap(), Some(KnownAt::Position(42)));
        assert_eq!(parse_known_at(None, &hcm).unwrap(), None);
        let Some(KnownAt::Timestamp(t)) = known("2022-01-20T08:00:00+07:00", &hcm).unwrap() else {
            panic!("not a time")
        };
        assert_eq!(utc(t), "2022-01-20T01:00:00Z");
        let Some(KnownAt::Timestamp(t)) = known("2022-01-20", &hcm).unwrap() else {
            panic!("not a time")
        };
        assert_eq!(utc(t), "2022-01-20T16:59:59.999999Z");
        // The same date in another zone ends at another instant.
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let Some(KnownAt::Timestamp(t)) = known("2022-07-20", &berlin).unwrap() else {
            panic!("not a time")
        };
        assert_eq!(utc(t), "2022-07-20T21:59:59.999999Z");
    }

    #[test]
    fn a_bad_known_at_is_a_typed_400_naming_the_three_forms() {
        let hcm = Zone::default();
        for bad in [
            "",
            "soon",
            "-3",
            "2022-02-30",
            "2022-1-20",
            "2022-01-20T25:00:00Z",
            "99999999999999999999999",
            "9999-12-31",
        ] {
            let e = known(bad, &hcm).unwrap_err();
            assert_eq!(e.status(), axum::http::StatusCode::BAD_REQUEST, "{bad:?}");
            assert_eq!(e.code(), "invalid-known-at", "{bad:?}");
            let text = format!("{e:?}");
            for form in ["log position", "RFC 3339", "YYYY-MM-DD", "Asia/Ho_Chi_Minh"] {
                assert!(text.contains(form), "{bad:?}: {text}");
            }
        }
    }

    #[test]
    fn a_range_end_is_a_time_or_the_start_or_end_of_a_day_in_the_zone() {
        let hcm = Zone::default();
        let start = parse_time_bound("recorded_from", "2022-01-01", Bound::Start, &hcm).unwrap();
        let end = parse_time_bound("recorded_to", "2022-12-31", Bound::End, &hcm).unwrap();
        assert_eq!(utc(start), "2021-12-31T17:00:00Z");
        assert_eq!(utc(end), "2022-12-31T16:59:59.999999Z");
        let t = parse_time_bound("recorded_to", "2022-03-01T00:00:00Z", Bound::End, &hcm);
        assert_eq!(utc(t.unwrap()), "2022-03-01T00:00:00Z");
        for bad in ["2022-02-30", "last week", "9999-12-31"] {
            let e = parse_time_bound("recorded_to", bad, Bound::End, &hcm).unwrap_err();
            assert_eq!(e.code(), "invalid-time", "{bad:?}");
        }
    }

    #[test]
    fn a_decision_without_kind_takes_it_from_its_number() {
        let decision = |kind: Option<Value>, number: &str| {
            let mut fields = serde_json::json!({
                "decision": uuid::Uuid::nil(), "number": number,
                "issuer": uuid::Uuid::nil(), "signer": null,
                "signed_on": "2024-03-02", "in_force_on": "2024-03-01",
                "title": "(Giả định) Nghị định thử", "amends": [], "replaces": [], "repeals": []
            });
            if let Some(k) = kind {
                fields["kind"] = k;
            }
            serde_json::json!({ "record_decision": fields })
        };
        let kind_of = |v: Value| match command_from_json("commands[0]", v).unwrap() {
            Command::RecordDecision { kind, .. } => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind_of(decision(None, "15/2024/NĐ-CP")),
            DecisionKind::Decree
        );
        assert_eq!(
            kind_of(decision(Some(Value::Null), "34/QĐ-BTTTT")),
            DecisionKind::Decision
        );
        assert_eq!(
            kind_of(decision(Some("report".into()), "15/2024/NĐ-CP")),
            DecisionKind::Report
        );
        let e = command_from_json("commands[3]", decision(None, "HYPOTHETICAL")).unwrap_err();
        assert_eq!(e.code(), "decision-kind-needed");
        assert!(format!("{e:?}").contains("commands[3]"));
        // A kind that is not one is the body's error, not a derivation.
        let e = command_from_json("decision", decision(Some("memo".into()), "15/2024/NĐ-CP"))
            .unwrap_err();
        assert_eq!(e.code(), "invalid-body");
        // Other commands pass through untouched.
        let other = serde_json::json!({ "register_person": {
            "person": uuid::Uuid::nil(), "name": "Thành viên 17", "on": "2022-02-01" } });
        assert!(matches!(
            command_from_json("commands[0]", other).unwrap(),
            Command::RegisterPerson { .. }
        ));
    }
}
