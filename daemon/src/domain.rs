//! The daemon's use of the domain library: demo data, event JSON, commands from JSON (a
//! decision's kind told by its number), parsing of time parameters.

use reformlog::{Command, Context, Date, DecisionKind, KnownAt, Reformlog, Seed, Timestamp};
use reformlog_store::RecordedEvent;
use serde_json::Value;

use crate::problem::ApiError;

/// The seed case (Decision 34/QĐ-BTTTT), shared with the integration tests.
const DEMO_SEED: &str = include_str!("../../tests/data/seed-decision-34.toml");

/// Loads the seed case; a no-op when it is already in the store (its event ids are derived
/// from the seed's content).
pub(crate) fn load_demo(domain: &Reformlog) -> Result<u64, String> {
    let seed = Seed::parse(DEMO_SEED).map_err(|e| e.to_string())?;
    let ctx =
        Context::new("system:demo").with_reason("demo data: Decision 34/QĐ-BTTTT (seed case)");
    domain.load_seed(&seed, &ctx).map_err(|e| e.to_string())
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

/// `on=YYYY-MM-DD`; today (UTC) when absent.
pub(crate) fn parse_on(on: Option<&str>) -> Result<Date, ApiError> {
    match on {
        None => {
            let today = time::OffsetDateTime::now_utc().date();
            Date::from_ymd(today.year(), u8::from(today.month()), today.day())
                .map_err(|e| ApiError::internal(e.to_string()))
        }
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

/// `known_at=`: a log position (digits) or an RFC 3339 time.
pub(crate) fn parse_known_at(known_at: Option<&str>) -> Result<Option<KnownAt>, ApiError> {
    let Some(s) = known_at else {
        return Ok(None);
    };
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let p = s.parse::<u64>().map_err(|_| {
            ApiError::bad_request("invalid-known-at", format!("position out of range: {s:?}"))
        })?;
        return Ok(Some(KnownAt::Position(p)));
    }
    parse_time("known_at", s).map(|t| Some(KnownAt::Timestamp(t)))
}

/// An RFC 3339 time parameter.
pub(crate) fn parse_time(name: &str, s: &str) -> Result<Timestamp, ApiError> {
    crate::views::parse_rfc3339(s)
        .map(|t| Timestamp(t.as_micros()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid-known-at",
                format!("{name} must be a log position or an RFC 3339 time, not {s:?}"),
            )
        })
}
