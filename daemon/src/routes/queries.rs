//! Questions about state on a date: search, a committee's composition and diffs, a person's
//! history, what a decision changed, a unit's lineage.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use reformlog::{CommitteeId, DecisionId, PersonId, Query, UnitId};
use reformlog::{
    Composition, CompositionDiff, DecisionChanges, PersonHistory, SearchHit, UnitLineage,
};
use reformlog_api::Envelope;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::state::AppState;

use super::ask::{ask_at, ask_on, ask_state};
use super::examples;
use super::params::{parse_date, IdPath, TimeQuery};
use reformlog_api::ProblemCode;

/// The routes of this module.
pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(composition))
        .routes(routes!(composition_diff))
        .routes(routes!(person_history))
        .routes(routes!(decision_changes))
        .routes(routes!(unit_lineage))
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// Name to look for; case-, diacritic- and NFC/NFD-insensitive, `đ` matches `d`.
    #[param(pattern = "[^\\s\\x85]", max_length = 200)]
    q: String,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
}

/// Finds people and units by name ("pham minh tien" finds Phạm Minh Tiến).
#[utoipa::path(get, path = "/v1/search", params(SearchQuery), responses((status = 200, body = Envelope<Vec<SearchHit>>), (status = 400, description = "Invalid parameters")), security(("bearer" = [])), tag = "state")]
async fn search(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    if q.q.trim().is_empty() || q.q.chars().count() > 200 {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidSearch,
            "q must be 1 to 200 characters, not all blank",
        ));
    }
    let known_at = q.known_at.as_deref();
    ask_state(state, &headers, Query::Search { text: q.q }, known_at, None).await
}

/// Who sat on the committee (and its sub-bodies) on `on`, as known at `known_at`; ex-officio
/// seats resolved to the post's holder that day, unit names as they were that day.
#[utoipa::path(get, path = "/v1/committees/{id}/composition", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, description = "The composition on the date (the example keeps one seat of each body)", body = Envelope<Composition>, example = examples::composition), (status = 404, description = "Unknown committee")), security(("bearer" = [])), tag = "state")]
async fn composition(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(committee): IdPath<CommitteeId>,
) -> Result<Response, ApiError> {
    ask_on(state, &headers, &q, |on| Query::Composition {
        committee,
        on,
    })
    .await
}

/// Parameters of a composition diff.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// The earlier date (YYYY-MM-DD).
    #[param(format = Date)]
    from: String,
    /// The later date (YYYY-MM-DD).
    #[param(format = Date)]
    to: String,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
}

/// Who stayed, changed place, left or joined between two dates: a person in the same role for
/// the same unit (and post) in a seat a reconstitution created anew stays.
#[utoipa::path(get, path = "/v1/committees/{id}/diff", params(("id" = String, Path, description = "UUID or slug"), DiffQuery), responses((status = 200, body = Envelope<CompositionDiff>), (status = 400, description = "Invalid dates")), security(("bearer" = [])), tag = "state")]
async fn composition_diff(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DiffQuery>,
    IdPath(committee): IdPath<CommitteeId>,
) -> Result<Response, ApiError> {
    let before = parse_date("from", &q.from)?;
    let after = parse_date("to", &q.to)?;
    if after < before {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidRange,
            "to must not be before from",
        ));
    }
    let query = Query::CompositionDiff {
        committee,
        before,
        after,
    };
    ask_state(state, &headers, query, q.known_at.as_deref(), None).await
}

/// A person's names, memberships, seats held ex officio through a post, and positions over
/// time.
#[utoipa::path(get, path = "/v1/people/{id}/history", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Envelope<PersonHistory>), (status = 404, description = "Unknown person")), security(("bearer" = [])), tag = "state")]
async fn person_history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(person): IdPath<PersonId>,
) -> Result<Response, ApiError> {
    ask_at(state, &headers, Query::PersonHistory { person }, &q).await
}

/// What a decision changed: each entity it touched, before and after.
#[utoipa::path(get, path = "/v1/decisions/{id}/changes", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Envelope<DecisionChanges>), (status = 404, description = "Unknown decision")), security(("bearer" = [])), tag = "state")]
async fn decision_changes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(decision): IdPath<DecisionId>,
) -> Result<Response, ApiError> {
    ask_at(state, &headers, Query::DecisionChanges { decision }, &q).await
}

/// A unit on `on`: its parent, sub-units, successor (once merged) and predecessors (units
/// merged into it by then); how it ends later shows only under `later`.
#[utoipa::path(get, path = "/v1/units/{id}/lineage", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Envelope<UnitLineage>), (status = 404, description = "Unknown unit")), security(("bearer" = [])), tag = "state")]
async fn unit_lineage(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(unit): IdPath<UnitId>,
) -> Result<Response, ApiError> {
    ask_on(state, &headers, &q, |on| Query::UnitLineage { unit, on }).await
}
