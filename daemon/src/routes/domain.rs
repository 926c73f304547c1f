//! Units, people, posts, committees, decisions and tasks: list, get, search, time-travelling
//! queries, audit queries, and commands. Handlers parse, authorize, call the library, answer.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use reformlog::{
    Answer, Command, CommitteeId, Context, Date, DecisionId, EntityKey, EntityKind, HistoryEntry,
    KnownAt, PersonId, PostId, Query, Reformlog, ReportScope, TaskFilter, TaskId, TaskStatus,
    Timestamp, UnitId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{Permission, Principal};
use crate::domain::{
    command_from_json, parse_date, parse_known_at, parse_on, parse_time_bound, Bound,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
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
        .routes(routes!(search))
        .routes(routes!(composition))
        .routes(routes!(composition_diff))
        .routes(routes!(person_history))
        .routes(routes!(decision_changes))
        .routes(routes!(unit_tasks))
        .routes(routes!(unit_lineage))
        .routes(routes!(task_report))
        .routes(routes!(filtered_tasks))
        .routes(routes!(plan_tasks))
        .routes(routes!(overdue_tasks))
        .routes(routes!(entity_history))
        .routes(routes!(changes_by_actor))
        .routes(routes!(post_commands))
        .routes(routes!(post_decision))
}

/// Time parameters every read takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimeQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    on: Option<String>,
    /// Answer as the system knew it at this log position, RFC 3339 time, or date
    /// (YYYY-MM-DD: the end of that day in the daemon's time zone); default now.
    known_at: Option<String>,
    /// Answer only once the read models include this log position (a write's
    /// `last_position`); 400 if the log has not reached it.
    min_position: Option<u64>,
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

fn id_of(raw: &str) -> Result<Uuid, String> {
    Uuid::parse_str(raw).map_err(|_| raw.to_string())
}

/// An id in a path: a UUID, or a slug that stands for the same stable id the seed files use.
fn parse_id<T>(
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
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

/// Read-your-writes across clients: answer only once the read models include `min_position`.
/// A position the log has not reached is the client's mistake (nothing can be waited for).
fn reach(domain: &Reformlog, min_position: Option<u64>) -> Result<(), ApiError> {
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

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, ApiError> {
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
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
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
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
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

async fn ask(
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

/// Which recorded changes an audit answer keeps: by when they were recorded and by the
/// valid date they are about, each end inclusive and optional.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct AuditFilter {
    recorded_from: Option<Timestamp>,
    recorded_to: Option<Timestamp>,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
}

impl AuditFilter {
    /// The filter of an audit route's parameters, checked.
    fn parse(q: &AuditRange, zone: &crate::zone::Zone) -> Result<Self, ApiError> {
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
async fn ask_filtered(
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
async fn ask_at(
    state: Arc<AppState>,
    headers: &HeaderMap,
    needed: Permission,
    query: Query,
    q: &TimeQuery,
) -> Result<Response, ApiError> {
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    ask(state, headers, needed, query, known_at, q.min_position).await
}

/// `{"answer": ..., "position": n}` straight to bytes, without an intermediate JSON tree.
fn render<T: Serialize>(answer: &T, position: u64) -> Result<axum::body::Bytes, ApiError> {
    #[derive(Serialize)]
    struct Wrapped<'a, T> {
        answer: &'a T,
        position: u64,
    }
    serde_json::to_vec(&Wrapped { answer, position })
        .map(axum::body::Bytes::from)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// Name to look for; case-, diacritic- and NFC/NFD-insensitive, `đ` matches `d`.
    q: String,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    known_at: Option<String>,
}

/// Finds people and units by name ("pham minh tien" finds Phạm Minh Tiến).
#[utoipa::path(get, path = "/v1/search", params(SearchQuery), responses((status = 200, body = Answered), (status = 400, description = "Invalid parameters")), security(("bearer" = [])), tag = "state")]
async fn search(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    if q.q.trim().is_empty() || q.q.len() > 200 {
        return Err(ApiError::bad_request(
            "invalid-search",
            "q must be 1 to 200 bytes",
        ));
    }
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    ask(
        state,
        &headers,
        Permission::ReadState,
        Query::Search { text: q.q },
        known_at,
        None,
    )
    .await
}

/// Who sat on the committee (and its sub-bodies) on `on`, as known at `known_at`; ex-officio
/// seats resolved to the post's holder that day, unit names as they were that day.
#[utoipa::path(get, path = "/v1/committees/{id}/composition", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered), (status = 404, description = "Unknown committee")), security(("bearer" = [])), tag = "state")]
async fn composition(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let committee = parse_id(&id, CommitteeId::from_uuid, CommitteeId::from_slug)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::Composition { committee, on },
        &q,
    )
    .await
}

/// Parameters of a composition diff.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// The earlier date (YYYY-MM-DD).
    from: String,
    /// The later date (YYYY-MM-DD).
    to: String,
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    known_at: Option<String>,
}

/// Who stayed, changed place, left or joined between two dates: a person in the same role for
/// the same unit (and post) in a seat a reconstitution created anew stays.
#[utoipa::path(get, path = "/v1/committees/{id}/diff", params(("id" = String, Path, description = "UUID or slug"), DiffQuery), responses((status = 200, body = Answered), (status = 400, description = "Invalid dates")), security(("bearer" = [])), tag = "state")]
async fn composition_diff(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Response, ApiError> {
    let committee = parse_id(&id, CommitteeId::from_uuid, CommitteeId::from_slug)?;
    let before = parse_date("from", &q.from)?;
    let after = parse_date("to", &q.to)?;
    if after < before {
        return Err(ApiError::bad_request(
            "invalid-range",
            "to must not be before from",
        ));
    }
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    ask(
        state,
        &headers,
        Permission::ReadState,
        Query::CompositionDiff {
            committee,
            before,
            after,
        },
        known_at,
        None,
    )
    .await
}

/// A person's names, memberships, seats held ex officio through a post, and positions over
/// time.
#[utoipa::path(get, path = "/v1/people/{id}/history", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered), (status = 404, description = "Unknown person")), security(("bearer" = [])), tag = "state")]
async fn person_history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let person = parse_id(&id, PersonId::from_uuid, PersonId::from_slug)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::PersonHistory { person },
        &q,
    )
    .await
}

/// What a decision changed: each entity it touched, before and after.
#[utoipa::path(get, path = "/v1/decisions/{id}/changes", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered), (status = 404, description = "Unknown decision")), security(("bearer" = [])), tag = "state")]
async fn decision_changes(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let decision = parse_id(&id, DecisionId::from_uuid, DecisionId::from_slug)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::DecisionChanges { decision },
        &q,
    )
    .await
}

/// A unit on `on`: its parent, sub-units, successor (once merged) and predecessors (units
/// merged into it by then); how it ends later shows only under `later`.
#[utoipa::path(get, path = "/v1/units/{id}/lineage", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered), (status = 404, description = "Unknown unit")), security(("bearer" = [])), tag = "state")]
async fn unit_lineage(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let unit = parse_id(&id, UnitId::from_uuid, UnitId::from_slug)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::UnitLineage { unit, on },
        &q,
    )
    .await
}

/// Parameters of a task report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// Only the tasks of this plan (UUID or slug).
    plan: Option<String>,
    /// Only the tasks this unit leads on the date (UUID or slug).
    unit: Option<String>,
    /// The date of the report (YYYY-MM-DD); default today in the daemon's time zone.
    on: Option<String>,
    /// Only the tasks due from this date to `on` (YYYY-MM-DD): the report over a period.
    from: Option<String>,
    /// As the system knew it at this log position, RFC 3339 time, or date; default now.
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
}

/// The task report on `on`: counts by standing (open, overdue, completed on time or late,
/// cancelled), the completion rate, and each task with its completion date and days late;
/// for one plan, the tasks one unit leads, or all tasks.
#[utoipa::path(get, path = "/v1/reports/tasks", params(ReportQuery), responses((status = 200, body = Answered), (status = 400, description = "Both plan and unit, or a period that ends before it starts"), (status = 404, description = "Unknown plan or unit")), security(("bearer" = [])), tag = "state")]
async fn task_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = match (q.plan.as_deref(), q.unit.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid-scope",
                "a report is for a plan or for a unit, not both",
            ))
        }
        (Some(p), None) => {
            ReportScope::Plan(parse_id(p, DecisionId::from_uuid, DecisionId::from_slug)?)
        }
        (None, Some(u)) => ReportScope::Unit(parse_id(u, UnitId::from_uuid, UnitId::from_slug)?),
        (None, None) => ReportScope::All,
    };
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let from = q
        .from
        .as_deref()
        .map(|f| crate::domain::parse_date("from", f))
        .transpose()?;
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    ask(
        state,
        &headers,
        Permission::ReadState,
        Query::TaskReport { scope, on, from },
        known_at,
        q.min_position,
    )
    .await
}

/// Tasks a unit leads or cooperates on, on `on`.
#[utoipa::path(get, path = "/v1/units/{id}/tasks", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered)), security(("bearer" = [])), tag = "state")]
async fn unit_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let unit = parse_id(&id, UnitId::from_uuid, UnitId::from_slug)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::TasksOfUnit { unit, on },
        &q,
    )
    .await
}

/// Tasks of a plan (a decision of type kế hoạch), on `on`.
#[utoipa::path(get, path = "/v1/decisions/{id}/tasks", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Answered)), security(("bearer" = [])), tag = "state")]
async fn plan_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let plan = parse_id(&id, DecisionId::from_uuid, DecisionId::from_slug)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::TasksOfPlan { plan, on },
        &q,
    )
    .await
}

/// Parameters of a filtered task listing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FilterQuery {
    /// open, completed or cancelled.
    status: Option<String>,
    /// true: only tasks open past their deadline; false: only the others.
    overdue: Option<bool>,
    /// Only tasks this unit leads or cooperates on (UUID or slug).
    unit: Option<String>,
    /// With `unit`: lead (only those it leads) or cooperate (only those it cooperates on).
    role: Option<String>,
    /// Only tasks this person is responsible for (UUID or slug).
    responsible: Option<String>,
    /// Only tasks of this plan (UUID or slug).
    plan: Option<String>,
    /// Only tasks whose deadline is on or after this date (YYYY-MM-DD).
    deadline_from: Option<String>,
    /// Only tasks whose deadline is on or before this date (YYYY-MM-DD).
    deadline_to: Option<String>,
    /// Only open tasks due within this many days of `on`.
    due_within_days: Option<u32>,
    /// The date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    on: Option<String>,
    /// As the system knew it at this log position, RFC 3339 time, or date; default now.
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
}

/// Tasks as they stood on `on` that every given condition keeps: status, overdue, unit
/// (and whether it leads or cooperates), responsible person, plan, deadline range, or due
/// within N days.
#[utoipa::path(get, path = "/v1/tasks/filter", params(FilterQuery), responses((status = 200, body = Answered), (status = 400, description = "Invalid parameters"), (status = 404, description = "Unknown unit, person or plan")), security(("bearer" = [])), tag = "state")]
async fn filtered_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Response, ApiError> {
    let status = match q.status.as_deref() {
        None => None,
        Some("open") => Some(TaskStatus::Open),
        Some("completed") => Some(TaskStatus::Completed),
        Some("cancelled") => Some(TaskStatus::Cancelled),
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid-status",
                format!("status is open, completed or cancelled, not {other:?}"),
            ))
        }
    };
    let leads = match q.role.as_deref() {
        None => None,
        Some("lead") => Some(true),
        Some("cooperate") => Some(false),
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid-role",
                format!("role is lead or cooperate, not {other:?}"),
            ))
        }
    };
    let date = |name: &str, v: &Option<String>| {
        v.as_deref()
            .map(|d| crate::domain::parse_date(name, d))
            .transpose()
    };
    let filter = TaskFilter {
        status,
        overdue: q.overdue,
        unit: q
            .unit
            .as_deref()
            .map(|u| parse_id(u, UnitId::from_uuid, UnitId::from_slug))
            .transpose()?,
        leads,
        responsible: q
            .responsible
            .as_deref()
            .map(|p| parse_id(p, PersonId::from_uuid, PersonId::from_slug))
            .transpose()?,
        plan: q
            .plan
            .as_deref()
            .map(|p| parse_id(p, DecisionId::from_uuid, DecisionId::from_slug))
            .transpose()?,
        deadline_from: date("deadline_from", &q.deadline_from)?,
        deadline_to: date("deadline_to", &q.deadline_to)?,
        due_within_days: q.due_within_days,
    };
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    ask(
        state,
        &headers,
        Permission::ReadState,
        Query::FilteredTasks { filter, on },
        known_at,
        q.min_position,
    )
    .await
}

/// Tasks past their deadline on `on` and not completed or cancelled.
#[utoipa::path(get, path = "/v1/tasks/overdue", params(TimeQuery), responses((status = 200, body = Answered)), security(("bearer" = [])), tag = "state")]
async fn overdue_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
) -> Result<Response, ApiError> {
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    ask_at(
        state,
        &headers,
        Permission::ReadState,
        Query::OverdueTasks { on },
        &q,
    )
    .await
}

/// The ranges an audit answer keeps, by recorded time and by valid date (each end inclusive
/// and optional), as the parameters give them.
#[derive(Debug, Default)]
struct AuditRange {
    recorded_from: Option<String>,
    recorded_to: Option<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
}

/// Parameters of an entity's audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Answer as known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
    /// that day in the daemon's time zone).
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
    /// Accepted for older clients and ignored: an audit trail covers every valid date.
    #[param(ignore)]
    #[allow(dead_code)]
    on: Option<String>,
    /// Only changes recorded at or after this RFC 3339 time, or from the start of this date
    /// (YYYY-MM-DD, in the daemon's time zone).
    recorded_from: Option<String>,
    /// Only changes recorded at or before this RFC 3339 time, or by the end of this date.
    recorded_to: Option<String>,
    /// Only changes whose valid date (the day the change is true from) is on or after this
    /// date (YYYY-MM-DD).
    valid_from: Option<String>,
    /// Only changes whose valid date is on or before this date (YYYY-MM-DD).
    valid_to: Option<String>,
}

/// Every change to one entity: what, valid from, recorded when, by whom, citing which
/// decision, with what reason (corrections included); optionally only those recorded in a
/// time range or about valid dates in a range. A task's history is open to every role that
/// reads state; the others need the auditor or admin role.
#[utoipa::path(get, path = "/v1/history/{kind}/{id}", params(("kind" = String, Path, description = "unit, person, post, committee, decision or task"), ("id" = String, Path, description = "UUID or slug"), HistoryQuery), responses((status = 200, body = Answered), (status = 400, description = "Invalid parameters"), (status = 403, description = "Auditor or admin only, except a task's history, which every role that reads state may read")), security(("bearer" = [])), tag = "audit")]
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
                "invalid-kind",
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
    let known_at = parse_known_at(q.known_at.as_deref(), &state.zone)?;
    // An office follows its own tasks: whoever may read a task may read its history.
    let permission = match entity {
        EntityKey::Task(_) => Permission::ReadState,
        _ => Permission::ReadAudit,
    };
    ask_filtered(
        state,
        &headers,
        permission,
        Query::History { entity },
        known_at,
        q.min_position,
        filter,
    )
    .await
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
    recorded_from: Option<String>,
    /// Only changes recorded at or before this RFC 3339 time, or by the end of this date.
    recorded_to: Option<String>,
    /// Only changes whose valid date (the day the change is true from) is on or after this
    /// date (YYYY-MM-DD).
    valid_from: Option<String>,
    /// Only changes whose valid date is on or before this date (YYYY-MM-DD).
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
#[utoipa::path(get, path = "/v1/audit/changes", params(ActorQuery), responses((status = 200, body = Answered), (status = 400, description = "Invalid parameters"), (status = 403, description = "Auditor or admin only")), security(("bearer" = [])), tag = "audit")]
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
                    "invalid-query",
                    format!("give recorded_{name} or {name} (its earlier name), not both"),
                ));
            }
            *new = old;
        }
    }
    let filter = AuditFilter::parse(&range, &state.zone)?;
    // The actor index is read over the recorded range; the filter then applies both ranges.
    let from = filter.recorded_from.unwrap_or(Timestamp(i64::MIN));
    let to = filter.recorded_to.unwrap_or(Timestamp(i64::MAX));
    ask_filtered(
        state,
        &headers,
        Permission::ReadAudit,
        Query::ChangesBy {
            actor: q.actor,
            from,
            to,
        },
        None,
        None,
        filter,
    )
    .await
}

/// Commands to run as one atomic change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommandBatch {
    /// Why (recorded on every event).
    reason: Option<String>,
    /// The authority, e.g. a decision number (recorded on every event).
    source: Option<String>,
    /// The library's commands, decided in order and appended together or not at all. A
    /// `record_decision` may leave out `kind` when its number tells it (`15/2024/NĐ-CP`).
    #[schema(value_type = Vec<Object>)]
    commands: Vec<serde_json::Value>,
    /// Record each change at most once: a change already recorded (the same thing created,
    /// or the same change made, by any earlier write) is skipped and listed in `skipped`; one
    /// recorded with other content is refused with 409 `change-recorded-differently`. Cannot
    /// be combined with an Idempotency-Key.
    #[serde(default)]
    skip_recorded: bool,
    /// Decide everything and append nothing: the answer (200) lists the events the write
    /// would append now.
    #[serde(default)]
    dry_run: bool,
}

/// How a write treats changes already recorded, and whether it writes at all.
#[derive(Debug, Default)]
pub(crate) struct WriteOptions {
    skip_recorded: bool,
    dry_run: bool,
}

/// A decision and the changes it makes, recorded atomically.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBatch {
    /// Why (recorded on every event).
    reason: Option<String>,
    /// The `record_decision` command; `kind` may be left out when the number tells it
    /// (`15/2024/NĐ-CP` a decree, `34/QĐ-BTTTT` a decision, `567/BTTTT-TCCB` an official
    /// letter, `67/2020/QH14` a law). The decision may take effect before it is signed.
    #[schema(value_type = Object)]
    decision: serde_json::Value,
    /// The changes the decision makes; each cites it.
    #[schema(value_type = Vec<Object>)]
    changes: Vec<serde_json::Value>,
    /// Record each change at most once: a change already recorded (the same thing created,
    /// or the same change made, by any earlier write) is skipped and listed in `skipped`; one
    /// recorded with other content is refused with 409 `change-recorded-differently`. Cannot
    /// be combined with an Idempotency-Key.
    #[serde(default)]
    skip_recorded: bool,
    /// Decide everything and append nothing: the answer (200) lists the events the write
    /// would append now.
    #[serde(default)]
    dry_run: bool,
}

/// What a write reached.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WriteResult {
    first_position: u64,
    /// Pass as `min_position` to later reads to see this write.
    last_position: u64,
    /// (stream, event type) of each event appended.
    events: Vec<(String, String)>,
    /// True when this was a retry of a write already recorded (same Idempotency-Key), or
    /// every change was already recorded (`skip_recorded`).
    deduplicated: bool,
    /// With `skip_recorded`: the indices of the commands already recorded, which this write
    /// skipped (for a decision batch, 0 is the decision and 1.. its changes).
    skipped: Vec<usize>,
    /// True for a dry run: nothing was appended.
    dry_run: bool,
}

const MAX_COMMANDS: usize = 500;

fn write_context(
    principal: &Principal,
    headers: &HeaderMap,
    reason: Option<String>,
    source: Option<String>,
) -> Result<Context, ApiError> {
    let mut ctx = Context::new(principal.principal.clone());
    ctx.reason = reason;
    ctx.source = source;
    if let Some(v) = headers.get(header::IF_MATCH) {
        let text = v.to_str().map_err(|_| {
            ApiError::bad_request("invalid-if-match", "If-Match must be a quoted revision")
        })?;
        let revision = text
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse::<u64>()
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid-if-match",
                    format!("If-Match must be an ETag this API gave, not {text:?}"),
                )
            })?;
        ctx.expected_revision = Some(revision);
    }
    if let Some(v) = headers.get("idempotency-key") {
        let key = v.to_str().map_err(|_| {
            ApiError::bad_request(
                "invalid-idempotency-key",
                "Idempotency-Key must be visible ASCII",
            )
        })?;
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::bad_request(
                "invalid-idempotency-key",
                "Idempotency-Key must be 1 to 200 characters",
            ));
        }
        // Scoped by principal so two clients cannot collide on (or probe) each other's keys.
        ctx.idempotency_key = Some(format!("{}:{key}", principal.principal));
    }
    Ok(ctx)
}

async fn execute(
    state: Arc<AppState>,
    mut ctx: Context,
    commands: Vec<Command>,
    options: WriteOptions,
) -> Result<Response, ApiError> {
    if commands.is_empty() || commands.len() > MAX_COMMANDS {
        return Err(ApiError::bad_request(
            "invalid-batch",
            format!("send 1 to {MAX_COMMANDS} commands"),
        ));
    }
    // A change may take effect up to max_future_days after today, in the daemon's zone.
    ctx.valid_until = state.zone.today().and_then(|today| {
        let days = i32::try_from(state.max_future_days).unwrap_or(i32::MAX);
        reformlog::Date::from_julian_day(today.julian_day().saturating_add(days))
    });
    if options.skip_recorded {
        if ctx.idempotency_key.is_some() {
            return Err(ApiError::bad_request(
                "invalid-options",
                "skip_recorded already makes a write safe to repeat: send it without an Idempotency-Key",
            ));
        }
        ctx.per_change = true;
    }
    let domain = state.domain.clone();
    if options.dry_run {
        let planned = blocking(move || {
            domain
                .dry_run(commands, &ctx)
                .map_err(|e| crate::naming::name_entities(&domain, e.into()))
        })
        .await?;
        let body = WriteResult {
            first_position: planned.first_position,
            last_position: planned.last_position,
            events: planned.events,
            deduplicated: planned.deduplicated,
            skipped: planned.skipped,
            dry_run: true,
        };
        return Ok((StatusCode::OK, axum::Json(body)).into_response());
    }
    let executed = blocking(move || {
        domain
            .execute_all(commands, &ctx)
            .map_err(|e| crate::naming::name_entities(&domain, e.into()))
    })
    .await?;
    if !executed.events.is_empty() && !executed.deduplicated {
        state
            .metrics
            .writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        state.metrics.events_appended.fetch_add(
            executed.last_position - executed.first_position + 1,
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    let status = if executed.deduplicated || executed.events.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = WriteResult {
        first_position: executed.first_position,
        last_position: executed.last_position,
        events: executed.events,
        deduplicated: executed.deduplicated,
        skipped: executed.skipped,
        dry_run: false,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&executed.last_position.to_string()) {
        response.headers_mut().insert("x-log-position", v);
    }
    Ok(response)
}

/// Runs the library's commands as one atomic append. `If-Match` checks the first command's
/// entity revision; `Idempotency-Key` makes a retry return the first answer.
#[utoipa::path(post, path = "/v1/commands", request_body = CommandBatch, params(("If-Match" = Option<String>, Header, description = "ETag of the first command's entity"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries no-ops")), responses((status = 201, body = WriteResult), (status = 200, description = "A retry: the first answer", body = WriteResult), (status = 400, description = "Invalid body"), (status = 409, description = "Idempotency-Key reused with another body"), (status = 412, description = "If-Match does not match"), (status = 422, description = "Refused by a domain rule")), security(("bearer" = [])), tag = "state")]
async fn post_commands(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<CommandBatch>,
) -> Result<Response, ApiError> {
    let principal = state.tokens.authorize(&headers, Permission::Write)?;
    let commands = commands_from_json("commands", batch.commands)?;
    let ctx = write_context(&principal, &headers, batch.reason, batch.source)?;
    let options = WriteOptions {
        skip_recorded: batch.skip_recorded,
        dry_run: batch.dry_run,
    };
    execute(state, ctx, commands, options).await
}

/// Each JSON command of a list as the library's, named `what[i]` in errors.
fn commands_from_json(
    what: &str,
    values: Vec<serde_json::Value>,
) -> Result<Vec<Command>, ApiError> {
    if values.len() > MAX_COMMANDS {
        return Err(ApiError::bad_request(
            "invalid-batch",
            format!("send 1 to {MAX_COMMANDS} commands"),
        ));
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| command_from_json(&format!("{what}[{i}]"), v))
        .collect()
}

/// Records a decision together with the changes it makes, atomically.
#[utoipa::path(post, path = "/v1/decisions", request_body = DecisionBatch, params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries no-ops")), responses((status = 201, body = WriteResult), (status = 200, description = "A retry: the first answer", body = WriteResult), (status = 400, description = "Invalid body"), (status = 422, description = "Refused by a domain rule")), security(("bearer" = [])), tag = "state")]
async fn post_decision(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<DecisionBatch>,
) -> Result<Response, ApiError> {
    let principal = state.tokens.authorize(&headers, Permission::Write)?;
    if batch.decision.get("record_decision").is_none() {
        return Err(ApiError::bad_request(
            "invalid-decision",
            "decision must be a record_decision command",
        ));
    }
    let decision = command_from_json("decision", batch.decision)?;
    let Command::RecordDecision { number, .. } = &decision else {
        return Err(ApiError::bad_request(
            "invalid-decision",
            "decision must be a record_decision command",
        ));
    };
    let source = Some(number.clone());
    let Command::RecordDecision { decision: id, .. } = &decision else {
        unreachable!("matched above")
    };
    let id = *id;
    let mut changes = commands_from_json("changes", batch.changes)?;
    // Each change of the batch cites its decision.
    for (i, change) in changes.iter_mut().enumerate() {
        change.cite(id).map_err(|other| {
            ApiError::bad_request(
                "change-cites-another-decision",
                format!("changes[{i}] cites decision {other}, not the batch's {id} ({number})"),
            )
        })?;
    }
    let ctx = write_context(&principal, &headers, batch.reason, source)?;
    let mut commands = Vec::with_capacity(1 + changes.len());
    commands.push(decision);
    commands.extend(changes);
    let options = WriteOptions {
        skip_recorded: batch.skip_recorded,
        dry_run: batch.dry_run,
    };
    execute(state, ctx, commands, options).await
}
