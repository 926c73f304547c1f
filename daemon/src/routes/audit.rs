//! The audit trail: one entity's history, and every change one actor recorded, filtered by
//! recorded time and by valid date.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use reformlog::{
    CommitteeId, DecisionId, EntityKey, HistoryEntry, PersonId, PostId, Query, TaskId, Timestamp,
    UnitId,
};
use reformlog_api::Envelope;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::answer_cache::AnswerKey;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;

use super::ask::ask_filtered;
use super::params::{parse_id, AuditFilter, AuditRange};
use reformlog_api::ProblemCode;

/// The routes of this module.
pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(entity_history))
        .routes(routes!(changes_by_actor))
}

/// Parameters of an entity's audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
    /// Accepted for older clients and ignored: an audit trail covers every valid date.
    #[param(ignore)]
    #[allow(dead_code)]
    on: Option<String>,
    /// Only changes recorded at or after this RFC 3339 time, or from the start of this date
    /// (YYYY-MM-DD, in the daemon's time zone).
    #[param(schema_with = super::params::time_schema)]
    recorded_from: Option<String>,
    /// Only changes recorded at or before this RFC 3339 time, or by the end of this date.
    #[param(schema_with = super::params::time_schema)]
    recorded_to: Option<String>,
    /// Only changes whose valid date (the day the change is true from) is on or after this
    /// date (YYYY-MM-DD).
    #[param(format = Date)]
    valid_from: Option<String>,
    /// Only changes whose valid date is on or before this date (YYYY-MM-DD).
    #[param(format = Date)]
    valid_to: Option<String>,
}

/// Every change to one entity: what, valid from, recorded when, by whom, citing which
/// decision, with what reason (corrections included); optionally only those recorded in a
/// time range or about valid dates in a range. A task's history is open to every role that
/// reads state; the others need the auditor or admin role.
#[utoipa::path(get, path = "/v1/history/{kind}/{id}", params(("kind" = inline(reformlog::EntityKind), Path, description = "unit, person, post, committee, decision or task"), ("id" = String, Path, description = "UUID or slug"), HistoryQuery), responses((status = 200, body = Envelope<Vec<HistoryEntry>>), (status = 400, description = "Invalid parameters"), (status = 403, description = "Auditor or admin only, except a task's history, which every role that reads state may read")), security(("bearer" = [])), tag = "audit")]
async fn entity_history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath((kind, id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Response, ApiError> {
    let entity = match kind.as_str() {
        "unit" => EntityKey::Unit(parse_id(&id, UnitId::from_uuid, UnitId::from_slug)?),
        "person" => EntityKey::Person(parse_id(&id, PersonId::from_uuid, PersonId::from_slug)?),
        "post" => EntityKey::Post(parse_id(&id, PostId::from_uuid, PostId::from_slug)?),
        "committee" => EntityKey::Committee(parse_id(
            &id,
            CommitteeId::from_uuid,
            CommitteeId::from_slug,
        )?),
        "decision" => {
            EntityKey::Decision(parse_id(&id, DecisionId::from_uuid, DecisionId::from_slug)?)
        }
        "task" => EntityKey::Task(parse_id(&id, TaskId::from_uuid, TaskId::from_slug)?),
        other => {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidKind,
                format!("unknown entity kind {other:?}"),
            ))
        }
    };
    let range = AuditRange {
        recorded_from: q.recorded_from,
        recorded_to: q.recorded_to,
        valid_from: q.valid_from,
        valid_to: q.valid_to,
    };
    let filter = AuditFilter::parse(&range, &state.zone)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    // An office follows its own tasks: whoever may read a task may read its history.
    let permission = match entity {
        EntityKey::Task(_) => Permission::ReadState,
        _ => Permission::ReadAudit,
    };
    let key = AnswerKey {
        query: Query::History { entity },
        known_at,
        filter,
    };
    ask_filtered(state, &headers, permission, key, q.min_position).await
}

/// Parameters of an actor query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ActorQuery {
    /// The principal, e.g. `token:van-phong`.
    actor: String,
    /// Only changes recorded at or after this RFC 3339 time, or from the start of this date
    /// (YYYY-MM-DD, in the daemon's time zone).
    #[param(schema_with = super::params::time_schema)]
    recorded_from: Option<String>,
    /// Only changes recorded at or before this RFC 3339 time, or by the end of this date.
    #[param(schema_with = super::params::time_schema)]
    recorded_to: Option<String>,
    /// Only changes whose valid date (the day the change is true from) is on or after this
    /// date (YYYY-MM-DD).
    #[param(format = Date)]
    valid_from: Option<String>,
    /// Only changes whose valid date is on or before this date (YYYY-MM-DD).
    #[param(format = Date)]
    valid_to: Option<String>,
    /// The earlier name of `recorded_from`.
    #[param(ignore)]
    from: Option<String>,
    /// The earlier name of `recorded_to`.
    #[param(ignore)]
    to: Option<String>,
}

/// Every change one actor recorded, optionally only those recorded in a time range or about
/// valid dates in a range (`from`/`to` are the earlier names of `recorded_from`/`recorded_to`).
#[utoipa::path(get, path = "/v1/audit/changes", params(ActorQuery), responses((status = 200, body = Envelope<Vec<HistoryEntry>>), (status = 400, description = "Invalid parameters"), (status = 403, description = "Auditor or admin only")), security(("bearer" = [])), tag = "audit")]
async fn changes_by_actor(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ActorQuery>,
) -> Result<Response, ApiError> {
    let mut range = AuditRange {
        recorded_from: q.recorded_from,
        recorded_to: q.recorded_to,
        valid_from: q.valid_from,
        valid_to: q.valid_to,
    };
    for (old, new, name) in [
        (q.from, &mut range.recorded_from, "from"),
        (q.to, &mut range.recorded_to, "to"),
    ] {
        if old.is_some() {
            if new.is_some() {
                return Err(ApiError::bad_request(
                    ProblemCode::InvalidQuery,
                    format!("give recorded_{name} or {name} (its earlier name), not both"),
                ));
            }
            *new = old;
        }
    }
    let filter = AuditFilter::parse(&range, &state.zone)?;
    // The actor index is read over the recorded range; the filter then applies both ranges.
    let from = filter
        .recorded_from
        .unwrap_or(Timestamp::from_micros(i64::MIN));
    let to = filter
        .recorded_to
        .unwrap_or(Timestamp::from_micros(i64::MAX));
    let query = Query::ChangesBy {
        actor: q.actor,
        from,
        to,
    };
    let key = AnswerKey {
        query,
        known_at: None,
        filter,
    };
    ask_filtered(state, &headers, Permission::ReadAudit, key, None).await
}
