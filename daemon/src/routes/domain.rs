//! Units, people, posts, committees, decisions and tasks listed and got on a date, and what
//! every state route shares: time parameters, asking the library (cached, filtered, waiting
//! for a position), rendering answers. The other families merge their routes here.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reformlog::{
    Answer, CommitteeId, Date, DecisionId, EntityKey, EntityKind, HistoryEntry, KnownAt, PersonId,
    PostId, Query, Reformlog, TaskId, Timestamp, UnitId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Permission;
use crate::domain::{parse_date, parse_on, parse_time_bound, Bound};
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::ApiError;
use crate::state::AppState;

/// How long a read waits for `min_position` to be reached before giving up.
const MIN_POSITION_WAIT: Duration = Duration::from_secs(5);
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(list_units))
        .routes(routes!(get_unit))
        .routes(routes!(list_people))
        .routes(routes!(get_person))
        .routes(routes!(list_posts))
        .routes(routes!(get_post))
        .routes(routes!(list_committees))
        .routes(routes!(get_committee))
        .routes(routes!(list_decisions))
        .routes(routes!(get_decision))
        .routes(routes!(list_tasks))
        .routes(routes!(get_task))
        .merge(super::questions::routes())
        .merge(super::tasks::routes())
        .merge(super::audit::routes())
        .merge(super::writes::routes())
}

/// Time parameters every read takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimeQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    pub(crate) on: Option<String>,
    /// Answer as the system knew it at this log position, RFC 3339 time, or date
    /// (YYYY-MM-DD: the end of that day in the daemon's time zone); default now.
    pub(crate) known_at: Option<String>,
    /// Answer only once the read models include this log position (a write's
    /// `last_position`); 400 if the log has not reached it.
    pub(crate) min_position: Option<u64>,
}

/// Time parameters and a page of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    on: Option<String>,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone); default now.
    known_at: Option<String>,
    /// Answer only once the read models include this log position (a write's
    /// `last_position`); 400 if the log has not reached it.
    min_position: Option<u64>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page of entities.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntityPage {
    #[schema(value_type = Vec<Object>)]
    items: Vec<serde_json::Value>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// An answer and the log position it reflects.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Answered {
    /// The answer (shape depends on the route).
    #[schema(value_type = Object)]
    answer: serde_json::Value,
    /// The read models' log position the answer was computed from.
    position: u64,
}

pub(crate) fn id_of(raw: &str) -> Result<Uuid, String> {
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
        Err(slug) => {
            from_slug(&slug).map_err(|e| ApiError::bad_request("invalid-id", e.to_string()))
        }
    }
}

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
        return Err(ApiError::bad_request(
            "position-not-reached",
            format!("the log ends at position {head}; {min} has not been written"),
        ));
    }
    let deadline = std::time::Instant::now() + MIN_POSITION_WAIT;
    while domain.catch_up()? < min {
        if std::time::Instant::now() >= deadline {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "read-model-behind",
                format!("the read models have not reached position {min} yet"),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

pub(crate) fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(e.to_string()))
}

async fn list_kind(
    state: Arc<AppState>,
    headers: HeaderMap,
    q: ListQuery,
    kind: EntityKind,
) -> Result<axum::Json<EntityPage>, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            "invalid-limit",
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(Uuid::parse_str(c).map_err(|_| {
            ApiError::bad_request("invalid-cursor", "cursor is not one this API gave")
        })?),
    };
    let domain = state.domain.clone();
    let min = q.min_position;
    blocking(move || {
        reach(&domain, min)?;
        let page = domain.list_page(kind, on, known_at, after, limit)?;
        Ok(axum::Json(EntityPage {
            items: page.items.iter().map(json).collect::<Result<_, _>>()?,
            next_cursor: page.next.map(|id| id.to_string()),
        }))
    })
    .await
}

async fn get_kind(
    state: Arc<AppState>,
    headers: HeaderMap,
    q: TimeQuery,
    key: EntityKey,
) -> Result<Response, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    let domain = state.domain.clone();
    let min = q.min_position;
    blocking(move || {
        reach(&domain, min)?;
        let entity = domain
            .entity(key, on, known_at)?
            .ok_or_else(|| ApiError::not_found(format!("no {} {}", key.category(), key)))?;
        let revision = domain.revision(key)?;
        let mut response = axum::Json(json(&entity)?).into_response();
        if let Some(r) = revision {
            // The stream revision is the entity's version: send it back in If-Match to change
            // the entity only if nobody else has since.
            if let Ok(v) = HeaderValue::from_str(&format!("\"{r}\"")) {
                response.headers_mut().insert(header::ETAG, v);
            }
        }
        Ok(response)
    })
    .await
}

/// The documented list and get handlers of one entity kind. utoipa needs the route as a literal
/// on each handler, so the macro takes it as one.
macro_rules! entity_routes {
    ($list:ident, $get:ident, $list_path:literal, $get_path:literal, $what:literal,
     $kind:expr, $id:ty, $key:path) => {
        #[doc = concat!("Every ", $what, " that exists by `on` (as known at `known_at`), a page at a time.")]
        #[utoipa::path(get, path = $list_path, params(ListQuery),
            responses((status = 200, body = EntityPage), (status = 400, description = "Invalid parameters"),
                      (status = 401, description = "No valid token")),
            security(("bearer" = [])), tag = "state")]
        async fn $list(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            ApiQuery(q): ApiQuery<ListQuery>,
        ) -> Result<axum::Json<EntityPage>, ApiError> {
            list_kind(state, headers, q, $kind).await
        }

        #[doc = concat!("One ", $what, " as it stood on `on`; the ETag is its stream revision.")]
        #[utoipa::path(get, path = $get_path,
            params(("id" = String, Path, description = "UUID or slug"), TimeQuery),
            responses((status = 200, description = "The entity on the date"), (status = 404, description = "Unknown")),
            security(("bearer" = [])), tag = "state")]
        async fn $get(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            ApiPath(id): ApiPath<String>,
            ApiQuery(q): ApiQuery<TimeQuery>,
        ) -> Result<Response, ApiError> {
            let id = parse_id(&id, <$id>::from_uuid, <$id>::from_slug)?;
            get_kind(state, headers, q, $key(id)).await
        }
    };
}

entity_routes!(
    list_units,
    get_unit,
    "/v1/units",
    "/v1/units/{id}",
    "organisation unit",
    EntityKind::Unit,
    UnitId,
    EntityKey::Unit
);
entity_routes!(
    list_people,
    get_person,
    "/v1/people",
    "/v1/people/{id}",
    "person",
    EntityKind::Person,
    PersonId,
    EntityKey::Person
);
entity_routes!(
    list_posts,
    get_post,
    "/v1/posts",
    "/v1/posts/{id}",
    "post",
    EntityKind::Post,
    PostId,
    EntityKey::Post
);
entity_routes!(
    list_committees,
    get_committee,
    "/v1/committees",
    "/v1/committees/{id}",
    "committee or sub-body",
    EntityKind::Committee,
    CommitteeId,
    EntityKey::Committee
);
entity_routes!(
    list_decisions,
    get_decision,
    "/v1/decisions",
    "/v1/decisions/{id}",
    "decision",
    EntityKind::Decision,
    DecisionId,
    EntityKey::Decision
);
entity_routes!(
    list_tasks,
    get_task,
    "/v1/tasks",
    "/v1/tasks/{id}",
    "reform task",
    EntityKind::Task,
    TaskId,
    EntityKey::Task
);

pub(crate) async fn ask(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    query: Query,
    known_at: Option<KnownAt>,
    min_position: Option<u64>,
) -> Result<Response, ApiError> {
    let all = AuditFilter::default();
    ask_filtered(state, headers, needed, query, known_at, min_position, all).await
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
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuditFilter {
    pub(crate) recorded_from: Option<Timestamp>,
    pub(crate) recorded_to: Option<Timestamp>,
    pub(crate) valid_from: Option<Date>,
    pub(crate) valid_to: Option<Date>,
}

impl AuditFilter {
    /// The filter of an audit route's parameters, checked.
    pub(crate) fn parse(q: &AuditRange, zone: &crate::zone::Zone) -> Result<Self, ApiError> {
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
                    "invalid-range",
                    "recorded_to must not be before recorded_from",
                ));
            }
        }
        if let (Some(a), Some(b)) = (f.valid_from, f.valid_to) {
            if b < a {
                return Err(ApiError::bad_request(
                    "invalid-range",
                    "valid_to must not be before valid_from",
                ));
            }
        }
        Ok(f)
    }

    fn keeps(&self, e: &HistoryEntry) -> bool {
        self.recorded_from.is_none_or(|t| e.recorded_at >= t)
            && self.recorded_to.is_none_or(|t| e.recorded_at <= t)
            && self.valid_from.is_none_or(|d| e.valid_from >= d)
            && self.valid_to.is_none_or(|d| e.valid_from <= d)
    }
}

/// [`ask`], keeping only the changes `filter` keeps of a history answer.
pub(crate) async fn ask_filtered(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    query: Query,
    known_at: Option<KnownAt>,
    min_position: Option<u64>,
    filter: AuditFilter,
) -> Result<Response, ApiError> {
    state.tokens.authorize(headers, needed)?;
    let key = format!("{query:?}|{known_at:?}|{filter:?}");
    if min_position.is_none() {
        // A repeated question answers from the cache without a trip to the blocking pool.
        let position = state.domain.read_model_position();
        if let Some(hit) = state.answers.get(position, &key) {
            return Ok(([(header::CONTENT_TYPE, "application/json")], hit).into_response());
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
        let mut answer = domain.query(&query, known_at)?;
        if let Answer::History(entries) = &mut answer {
            entries.retain(|e| filter.keeps(e));
        }
        let bytes = match &answer {
            Answer::Composition(a) => render(a, position)?,
            Answer::PersonHistory(a) => render(a, position)?,
            Answer::DecisionChanges(a) => render(a, position)?,
            Answer::CompositionDiff(a) => render(a, position)?,
            Answer::Tasks(a) => render(a, position)?,
            Answer::History(a) => render(a, position)?,
            Answer::Search(a) => render(a, position)?,
            Answer::UnitLineage(a) => render(a, position)?,
            Answer::TaskReport(a) => render(a, position)?,
            other => render(other, position)?,
        };
        cache.answers.put(position, key, bytes.clone());
        Ok(bytes)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// [`ask`] with the known-at and minimum position a [`TimeQuery`] gives.
pub(crate) async fn ask_at(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    query: Query,
    q: &TimeQuery,
) -> Result<Response, ApiError> {
    let known_at = state.known_at(q.known_at.as_deref())?;
    ask(state, headers, needed, query, known_at, q.min_position).await
}

/// `{"answer": ..., "position": n}` straight to bytes, without an intermediate JSON tree.
pub(crate) fn render<T: Serialize>(
    answer: &T,
    position: u64,
) -> Result<axum::body::Bytes, ApiError> {
    #[derive(Serialize)]
    struct Wrapped<'a, T> {
        answer: &'a T,
        position: u64,
    }
    serde_json::to_vec(&Wrapped { answer, position })
        .map(axum::body::Bytes::from)
        .map_err(|e| ApiError::internal(e.to_string()))
}
