//! Asking the library from a handler: off the async workers, once the read models include
//! a minimum position, through the answer cache, rendered as `{"answer": …, "position": n}`
//! with the `known_at` asked, when one was.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use reformlog::{Answer, Caught, Date, KnownAt, Query, Reformlog};
use reformlog_api::{AnsweredKnownAt, Envelope};
use serde::Serialize;

use crate::answer_cache::AnswerKey;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;

use super::params::{parse_on, AsOf, AuditFilter, TimeQuery};

/// How long a read waits for `min_position` to be reached before giving up.
const MIN_POSITION_WAIT: Duration = Duration::from_secs(5);

/// Runs blocking library work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

/// Read-your-writes across clients: answer only once the read models include `min_position`.
/// A position the log has not reached is the client's mistake (nothing can be waited for).
pub(crate) fn reach(domain: &Reformlog, min_position: Option<u64>) -> Result<(), ApiError> {
    let Some(min) = min_position else {
        return Ok(());
    };
    let head = domain.store().head_position();
    if min > head {
        return Err(ApiError::position_not_reached(format!(
            "the log ends at position {head}; {min} has not been written"
        )));
    }
    match domain.wait_for(min, MIN_POSITION_WAIT)? {
        Caught::Reached { .. } => Ok(()),
        _ => Err(ApiError::read_model_behind(min)),
    }
}

/// Answers `query` for a caller allowed `needed`, as known at `known_at`, once the read
/// models include `min_position`.
pub(crate) async fn ask(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    query: Query,
    known_at: Option<KnownAt>,
    min_position: Option<u64>,
) -> Result<Response, ApiError> {
    let filter = AuditFilter::default();
    let key = AnswerKey {
        query,
        known_at,
        filter,
    };
    ask_filtered(state, headers, needed, key, min_position).await
}

/// A question any reader may ask, as known at the `known_at` parameter given, once the read
/// models include `min_position`.
pub(crate) async fn ask_state(
    state: Arc<AppState>,
    headers: &HeaderMap,
    query: Query,
    known_at: Option<&str>,
    min_position: Option<u64>,
) -> Result<Response, ApiError> {
    let known_at = state.known_at(known_at)?;
    ask(
        state,
        headers,
        Permission::ReadState,
        query,
        known_at,
        min_position,
    )
    .await
}

/// [`ask_state`] with the known-at and minimum position a route's query gives.
pub(crate) async fn ask_at(
    state: Arc<AppState>,
    headers: &HeaderMap,
    query: Query,
    q: &impl AsOf,
) -> Result<Response, ApiError> {
    ask_state(state, headers, query, q.known_at(), q.min_position()).await
}

/// [`ask_at`] for the question `query` builds for the valid date `on` of a [`TimeQuery`].
pub(crate) async fn ask_on(
    state: Arc<AppState>,
    headers: &HeaderMap,
    q: &TimeQuery,
    query: impl FnOnce(Date) -> Query,
) -> Result<Response, ApiError> {
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(state, headers, query(on), q).await
}

/// [`ask`] for the question, known-at and kept changes of `key`: a history answer keeps
/// only the changes its filter keeps.
pub(crate) async fn ask_filtered(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    key: AnswerKey,
    min_position: Option<u64>,
) -> Result<Response, ApiError> {
    state.tokens.authorize(headers, needed)?;
    if min_position.is_none() {
        // A repeated question answers from the cache without a trip to the blocking pool.
        let position = state.domain.read_model_position();
        if let Some(hit) = state.answers.get(position, &key) {
            return Ok(json_response(hit));
        }
    }
    let domain = state.domain.clone();
    let cache = Arc::clone(&state);
    let body = blocking(move || {
        reach(&domain, min_position)?;
        // Read before answering: the answer reflects at least this position, and nothing
        // reads this position again once the read models have moved past it.
        let position = domain.read_model_position();
        if let Some(hit) = cache.answers.get(position, &key) {
            return Ok(hit);
        }
        let mut answer = domain.query(&key.query, key.known_at)?;
        if let Answer::History(entries) = &mut answer {
            entries.retain(|e| key.filter.keeps(e));
        }
        let bytes = render_answer(&answer, position, key.known_at)?;
        cache.answers.put(position, key, bytes.clone());
        Ok(bytes)
    })
    .await?;
    Ok(json_response(body))
}

fn json_response(body: axum::body::Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer without the enum's tag, as each route documents it.
fn render_answer(
    answer: &Answer,
    position: u64,
    known_at: Option<KnownAt>,
) -> Result<axum::body::Bytes, ApiError> {
    let at = (position, known_at);
    match answer {
        Answer::Composition(a) => render(a, at),
        Answer::PersonHistory(a) => render(a, at),
        Answer::DecisionChanges(a) => render(a, at),
        Answer::CompositionDiff(a) => render(a, at),
        Answer::Tasks(a) => render(a, at),
        Answer::History(a) => render(a, at),
        Answer::Search(a) => render(a, at),
        Answer::UnitLineage(a) => render(a, at),
        Answer::TaskReport(a) => render(a, at),
        other => render(other, at),
    }
}

/// An answer at `position`, as known at `known_at` when the request gave one.
pub(crate) fn envelope<T>(answer: T, position: u64, known_at: Option<KnownAt>) -> Envelope<T> {
    Envelope {
        known_at: known_at.map(|k| match k {
            KnownAt::Position(p) => AnsweredKnownAt::Position(p),
            KnownAt::Timestamp(t) => AnsweredKnownAt::Time(t.to_rfc3339_micros()),
        }),
        ..Envelope::new(answer, position)
    }
}

/// The answer envelope straight to bytes, without an intermediate JSON tree.
fn render<T: Serialize>(
    answer: &T,
    (position, known_at): (u64, Option<KnownAt>),
) -> Result<axum::body::Bytes, ApiError> {
    serde_json::to_vec(&envelope(answer, position, known_at))
        .map(axum::body::Bytes::from)
        .map_err(|e| ApiError::internal(e.to_string()))
}
