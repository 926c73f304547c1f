//! Reform tasks on a date: of a unit or a plan, overdue, filtered, and the task report.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use reformlog::{DecisionId, PersonId, Query, ReportScope, TaskFilter, TaskStatus, UnitId};
use reformlog::{TaskOnDate, TaskReport};
use reformlog_api::Envelope;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;

use super::ask::{ask, ask_at, ask_on};
use super::params::{as_of, parse_date, parse_id, parse_on, IdPath, TimeQuery};
use reformlog_api::ProblemCode;

/// The routes of this module.
pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(task_report))
        .routes(routes!(unit_tasks))
        .routes(routes!(plan_tasks))
        .routes(routes!(filtered_tasks))
        .routes(routes!(overdue_tasks))
}

/// Parameters of a task report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// Only the tasks of this plan (UUID or slug).
    #[param(pattern = "[^\\s\\x85]")]
    plan: Option<String>,
    /// Only the tasks this unit leads on the date (UUID or slug).
    #[param(pattern = "[^\\s\\x85]")]
    unit: Option<String>,
    /// The date of the report (YYYY-MM-DD); default today in the daemon's time zone.
    #[param(format = Date)]
    on: Option<String>,
    /// Only the tasks due from this date to `on` (YYYY-MM-DD): the report over a period.
    #[param(format = Date)]
    from: Option<String>,
    /// As the system knew it at this log position, RFC 3339 time, or date; default now.
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
}

as_of!(ReportQuery, FilterQuery);

/// The task report on `on`: counts by standing (open, overdue, completed on time or late,
/// cancelled), the completion rate, and each task with its completion date and days late;
/// for one plan, the tasks one unit leads, or all tasks.
#[utoipa::path(get, path = "/v1/reports/tasks", params(ReportQuery), responses((status = 200, body = Envelope<TaskReport>), (status = 400, description = "Both plan and unit, or a period that ends before it starts"), (status = 404, description = "Unknown plan or unit")), security(("bearer" = [])), tag = "state")]
async fn task_report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let scope = match (q.plan.as_deref(), q.unit.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidScope,
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
        .map(|f| parse_date("from", f))
        .transpose()?;
    let query = Query::TaskReport { scope, on, from };
    ask_at(state, &headers, query, &q).await
}

/// Tasks a unit leads or cooperates on, on `on`.
#[utoipa::path(get, path = "/v1/units/{id}/tasks", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Envelope<Vec<TaskOnDate>>)), security(("bearer" = [])), tag = "state")]
async fn unit_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(unit): IdPath<UnitId>,
) -> Result<Response, ApiError> {
    ask_on(state, &headers, &q, |on| Query::TasksOfUnit { unit, on }).await
}

/// Tasks of a plan (a decision of type kế hoạch), on `on`.
#[utoipa::path(get, path = "/v1/decisions/{id}/tasks", params(("id" = String, Path, description = "UUID or slug"), TimeQuery), responses((status = 200, body = Envelope<Vec<TaskOnDate>>)), security(("bearer" = [])), tag = "state")]
async fn plan_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimeQuery>,
    IdPath(plan): IdPath<DecisionId>,
) -> Result<Response, ApiError> {
    ask_on(state, &headers, &q, |on| Query::TasksOfPlan { plan, on }).await
}

/// Parameters of a filtered task listing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FilterQuery {
    /// open, completed or cancelled.
    #[param(schema_with = status_schema)]
    status: Option<String>,
    /// true: only tasks open past their deadline; false: only the others.
    overdue: Option<bool>,
    /// Only tasks this unit leads or cooperates on (UUID or slug).
    #[param(pattern = "[^\\s\\x85]")]
    unit: Option<String>,
    /// With `unit`: lead (only those it leads) or cooperate (only those it cooperates on).
    #[param(schema_with = role_schema)]
    role: Option<String>,
    /// Only tasks this person is responsible for (UUID or slug).
    #[param(pattern = "[^\\s\\x85]")]
    responsible: Option<String>,
    /// Only tasks of this plan (UUID or slug).
    #[param(pattern = "[^\\s\\x85]")]
    plan: Option<String>,
    /// Only tasks whose deadline is on or after this date (YYYY-MM-DD).
    #[param(format = Date)]
    deadline_from: Option<String>,
    /// Only tasks whose deadline is on or before this date (YYYY-MM-DD).
    #[param(format = Date)]
    deadline_to: Option<String>,
    /// Only open tasks due within this many days of `on`, at most 3660.
    #[param(maximum = 3660)]
    due_within_days: Option<u32>,
    /// The date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    #[param(format = Date)]
    on: Option<String>,
    /// As the system knew it at this log position, RFC 3339 time, or date; default now.
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
}

fn status_schema() -> utoipa::openapi::schema::Schema {
    super::params::words(&["open", "completed", "cancelled"])
}

fn role_schema() -> utoipa::openapi::schema::Schema {
    super::params::words(&["lead", "cooperate"])
}

/// Tasks as they stood on `on` that every given condition keeps: status, overdue, unit
/// (and whether it leads or cooperates), responsible person, plan, deadline range, or due
/// within N days.
#[utoipa::path(get, path = "/v1/tasks/filter", params(FilterQuery), responses((status = 200, body = Envelope<Vec<TaskOnDate>>), (status = 400, description = "Invalid parameters"), (status = 404, description = "Unknown unit, person or plan")), security(("bearer" = [])), tag = "state")]
async fn filtered_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Response, ApiError> {
    if q.due_within_days.is_some_and(|d| d > MAX_DUE_WITHIN_DAYS) {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidDays,
            format!("due_within_days must be 0 to {MAX_DUE_WITHIN_DAYS}"),
        ));
    }
    let status = match q.status.as_deref() {
        None => None,
        Some("open") => Some(TaskStatus::Open),
        Some("completed") => Some(TaskStatus::Completed),
        Some("cancelled") => Some(TaskStatus::Cancelled),
        Some(other) => {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidStatus,
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
                ProblemCode::InvalidRole,
                format!("role is lead or cooperate, not {other:?}"),
            ))
        }
    };
    let date =
        |name: &str, v: &Option<String>| v.as_deref().map(|d| parse_date(name, d)).transpose();
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
    let query = Query::FilteredTasks { filter, on };
    ask_at(state, &headers, query, &q).await
}

/// Tasks past their deadline on `on` and not completed or cancelled.
#[utoipa::path(get, path = "/v1/tasks/overdue", params(OverdueQuery), responses((status = 200, body = Envelope<Vec<TaskOnDate>>), (status = 400, description = "Invalid parameters", content_type = "application/problem+json"), (status = 404, description = "Unknown unit")), security(("bearer" = [])), tag = "state")]
async fn overdue_tasks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> Result<Response, ApiError> {
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    let query = match q.unit.as_deref() {
        None => Query::OverdueTasks { on },
        // The same answer narrowed to what one unit leads or cooperates on.
        Some(u) => Query::FilteredTasks {
            filter: TaskFilter {
                overdue: Some(true),
                unit: Some(parse_id(u, UnitId::from_uuid, UnitId::from_slug)?),
                ..TaskFilter::default()
            },
            on,
        },
    };
    ask(
        state,
        &headers,
        Permission::ReadState,
        query,
        known_at,
        q.min_position,
    )
    .await
}

/// The most days ahead `due_within_days` looks: ten years, past any plan's horizon.
const MAX_DUE_WITHIN_DAYS: u32 = 3660;

/// The overdue list on a date, optionally of one unit.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct OverdueQuery {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    #[param(format = Date)]
    on: Option<String>,
    /// Answer as the system knew it at this log position, RFC 3339 time, or date.
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
    /// Answer only once the read models include this log position.
    min_position: Option<u64>,
    /// Only the tasks this unit (UUID or slug) leads or cooperates on.
    #[param(pattern = "[^\\s\\x85]")]
    unit: Option<String>,
}
