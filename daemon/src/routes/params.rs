//! The parameters state routes share, parsed and checked: ids or slugs in paths, the valid
//! date `on`, `known_at` (a position, a time or the end of a day), the minimum position, and
//! the recorded-time and valid-date ranges of audit answers.

use reformlog::{
    CommitteeId, Date, DateError, DecisionId, HistoryEntry, KnownAt, PersonId, PostId, TaskId,
    Timestamp, UnitId,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::extract::{from_parts, ApiPath};
use crate::problem::ApiError;
use crate::zone::Zone;
use reformlog_api::ProblemCode;

/// Time parameters every read takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimeQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    #[param(format = Date)]
    pub(crate) on: Option<String>,
    /// Answer as the system knew it at this log position, RFC 3339 time, or date
    /// (YYYY-MM-DD: the end of that day in the daemon's time zone); default now.
    #[param(schema_with = known_at_schema)]
    pub(crate) known_at: Option<String>,
    /// Answer only once the read models include this log position (a write's
    /// `last_position`); 409 if the log has not reached it.
    pub(crate) min_position: Option<u64>,
}

/// The read-time parameters of a route's query: the known-at asked and the minimum position.
pub(crate) trait AsOf {
    fn known_at(&self) -> Option<&str>;
    fn min_position(&self) -> Option<u64>;
}

/// [`AsOf`] for query structs with `known_at` and `min_position` fields.
macro_rules! as_of {
    ($($query:ty),*) => {$(
        impl $crate::routes::params::AsOf for $query {
            fn known_at(&self) -> Option<&str> {
                self.known_at.as_deref()
            }
            fn min_position(&self) -> Option<u64> {
                self.min_position
            }
        }
    )*};
}
pub(crate) use as_of;
as_of!(TimeQuery);

/// Time parameters and a page of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    #[param(format = Date)]
    pub(crate) on: Option<String>,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone); default now.
    #[param(schema_with = known_at_schema)]
    pub(crate) known_at: Option<String>,
    /// Answer only once the read models include this log position (a write's
    /// `last_position`); 409 if the log has not reached it.
    pub(crate) min_position: Option<u64>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub(crate) limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[param(format = Uuid)]
    pub(crate) cursor: Option<String>,
}

/// `known_at`'s three forms, so a client (or a generator of requests) can tell them apart
/// from text the daemon refuses.
pub(crate) fn known_at_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let text = || ObjectBuilder::new().schema_type(Type::String);
    AnyOfBuilder::new()
        .item(
            text()
                .pattern(Some(POSITION_PATTERN))
                .description(Some("a log position")),
        )
        .item(text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(text().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
        .build()
        .into()
}

/// One end of a recorded-time range (`recorded_from`, `since`, …): a date or an RFC 3339 time.
pub(crate) fn time_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let text = || ObjectBuilder::new().schema_type(Type::String);
    AnyOfBuilder::new()
        .item(text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(text().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
        .build()
        .into()
}

/// A text parameter that takes one of a few words.
pub(crate) fn words(words: &[&str]) -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.iter().copied()))
        .into()
}

/// A log position written out: digits, no more than an `int64` always holds.
const POSITION_PATTERN: &str = "^[0-9]{1,18}$";

/// A path's id: a UUID, or a slug, which is any text but blanks. Rust's white space, which
/// a slug is trimmed of, also holds U+0085, which a pattern's `\\s` does not.
const ID_PATTERN: &str = "[^\\s\\x85]";

/// Says what every `{id}` of a path takes, since [`IdPath`] reads them all alike, and that a
/// header parameter is text or absent, never null.
pub(crate) fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        let operations = [item.get.as_mut(), item.post.as_mut()];
        for op in operations.into_iter().flatten() {
            for p in op.parameters.iter_mut().flatten() {
                if p.parameter_in == ParameterIn::Path && p.name == "id" {
                    let id = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(ID_PATTERN));
                    p.schema = Some(id.into());
                }
                // A header is sent or not; it has no null.
                if p.parameter_in == ParameterIn::Header {
                    if let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() {
                        if let SchemaType::Array(types) = &o.schema_type {
                            if let [one] = types
                                .iter()
                                .filter(|t| **t != Type::Null)
                                .collect::<Vec<_>>()[..]
                            {
                                o.schema_type = SchemaType::Type(one.clone());
                            }
                        }
                    }
                }
            }
        }
    }
}

fn id_of(raw: &str) -> Result<Uuid, String> {
    Uuid::parse_str(raw).map_err(|_| raw.to_string())
}

/// An id in a path: a UUID, or a slug that stands for the same stable id the seed files use.
pub(crate) fn parse_id<T>(
    raw: &str,
    from_uuid: fn(Uuid) -> T,
    from_slug: fn(&str) -> Result<T, reformlog::IdError>,
) -> Result<T, ApiError> {
    match id_of(raw) {
        Ok(u) => Ok(from_uuid(u)),
        Err(slug) => from_slug(&slug)
            .map_err(|e| ApiError::bad_request(ProblemCode::InvalidId, e.to_string())),
    }
}

/// The id types a path may name, each parsed by [`parse_id`].
pub(crate) trait PathId: Sized {
    fn parse(raw: &str) -> Result<Self, ApiError>;
}

macro_rules! path_ids {
    ($($id:ty),*) => {$(
        impl PathId for $id {
            fn parse(raw: &str) -> Result<Self, ApiError> {
                parse_id(raw, <$id>::from_uuid, <$id>::from_slug)
            }
        }
    )*};
}
path_ids!(UnitId, PersonId, PostId, CommitteeId, DecisionId, TaskId);

/// The one id (UUID or slug) in a route's path, parsed as a `T`. Handlers take it after their
/// query parameters, so a request wrong in both is told about the parameters first.
#[derive(Debug)]
pub(crate) struct IdPath<T>(pub(crate) T);

from_parts!(IdPath<T: [PathId]>, |parts, state| {
    let ApiPath(raw) = ApiPath::<String>::from_request_parts(parts, state).await?;
    T::parse(&raw).map(IdPath)
});

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
            ProblemCode::InvalidDate,
            format!("{name} must be a real calendar date as YYYY-MM-DD ({s:?}: {e})"),
        )
    })
}

/// A plain date, `Ok(None)` when `s` is not shaped like one, an error when it is but names
/// no day (`2022-02-30`).
fn plain_date(name: &str, code: ProblemCode, s: &str) -> Result<Option<Date>, ApiError> {
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
            ProblemCode::InvalidKnownAt,
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
            ProblemCode::InvalidTime,
            format!(
                "{name} must be an RFC 3339 time or a date (YYYY-MM-DD, a day in {zone}), not \
                 {s:?}"
            ),
        )
    };
    if let Some(date) = plain_date(name, ProblemCode::InvalidTime, s)? {
        let t = match bound {
            Bound::Start => zone.start_of_day(date),
            Bound::End => zone.end_of_day(date),
        };
        return t.ok_or_else(invalid);
    }
    Timestamp::parse_rfc3339(s).ok_or_else(invalid)
}

/// The ranges an audit answer keeps, by recorded time and by valid date (each end inclusive
/// and optional), as the parameters give them.
#[derive(Debug, Default)]
pub(crate) struct AuditRange {
    pub(crate) recorded_from: Option<String>,
    pub(crate) recorded_to: Option<String>,
    pub(crate) valid_from: Option<String>,
    pub(crate) valid_to: Option<String>,
}

/// Which recorded changes an audit answer keeps: by when they were recorded and by the
/// valid date they are about, each end inclusive and optional.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AuditFilter {
    pub(crate) recorded_from: Option<Timestamp>,
    pub(crate) recorded_to: Option<Timestamp>,
    pub(crate) valid_from: Option<Date>,
    pub(crate) valid_to: Option<Date>,
}

impl AuditFilter {
    /// The filter of an audit route's parameters, checked.
    pub(crate) fn parse(q: &AuditRange, zone: &Zone) -> Result<Self, ApiError> {
        let time = |name, s: &Option<String>, bound| {
            s.as_deref()
                .map(|s| parse_time_bound(name, s, bound, zone))
                .transpose()
        };
        let date = |name, s: &Option<String>| s.as_deref().map(|s| parse_date(name, s)).transpose();
        let f = Self {
            recorded_from: time("recorded_from", &q.recorded_from, Bound::Start)?,
            recorded_to: time("recorded_to", &q.recorded_to, Bound::End)?,
            valid_from: date("valid_from", &q.valid_from)?,
            valid_to: date("valid_to", &q.valid_to)?,
        };
        if let (Some(a), Some(b)) = (f.recorded_from, f.recorded_to) {
            if b < a {
                return Err(ApiError::bad_request(
                    ProblemCode::InvalidRange,
                    "recorded_to must not be before recorded_from",
                ));
            }
        }
        if let (Some(a), Some(b)) = (f.valid_from, f.valid_to) {
            if b < a {
                return Err(ApiError::bad_request(
                    ProblemCode::InvalidRange,
                    "valid_to must not be before valid_from",
                ));
            }
        }
        Ok(f)
    }

    pub(crate) fn keeps(&self, e: &HistoryEntry) -> bool {
        self.recorded_from.is_none_or(|t| e.recorded_at >= t)
            && self.recorded_to.is_none_or(|t| e.recorded_at <= t)
            && self.valid_from.is_none_or(|d| e.valid_from >= d)
            && self.valid_to.is_none_or(|d| e.valid_from <= d)
    }
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
}
