//! Units, people, posts, committees, decisions and tasks: listed a page at a time and got
//! one by one, on a date, as known at a position or time.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use reformlog::EntitySummary;
use reformlog::{CommitteeId, DecisionId, EntityKey, EntityKind, PersonId, PostId, TaskId, UnitId};
use reformlog_api::{Envelope, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::conditional::StableTag;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;

use super::ask::{blocking, envelope, reach};
use super::examples;
use super::paging::{next_link, with_next};
use super::params::{parse_id, parse_on, ListQuery, TimeQuery};
use super::summaries::{
    CommitteeEntity, DecisionEntity, PersonEntity, PostEntity, TaskEntity, UnitEntity,
};
use reformlog_api::ProblemCode;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// The routes of this module.
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
}

async fn list_kind(
    state: Arc<AppState>,
    headers: HeaderMap,
    uri: Uri,
    q: ListQuery,
    kind: EntityKind,
) -> Result<Response, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let on = parse_on(q.on.as_deref(), &state.zone)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidLimit,
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(Uuid::parse_str(c).map_err(|_| {
            ApiError::bad_request(
                ProblemCode::InvalidCursor,
                "cursor is not one this API gave",
            )
        })?),
    };
    let domain = state.domain.clone();
    let min = q.min_position;
    blocking(move || {
        reach(&domain, min)?;
        // Read before answering: the page reflects at least this position.
        let position = domain.read_model_position();
        let page = domain.list_page(kind, on, known_at, after, limit)?;
        let next_cursor = page.next.map(|id| id.to_string());
        let link = next_cursor
            .as_deref()
            .and_then(|c| next_link(&uri, &[("cursor", c)], &[]));
        let page = Page {
            items: page.items,
            next_cursor,
        };
        Ok(with_next(
            axum::Json(envelope(page, position, known_at)),
            link,
        ))
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
    let dated = q.on.is_some();
    let known_at = state.known_at(q.known_at.as_deref())?;
    let domain = state.domain.clone();
    let min = q.min_position;
    blocking(move || {
        reach(&domain, min)?;
        // Read before answering: the answer reflects at least this position.
        let position = domain.read_model_position();
        let entity = domain
            .entity(key, on, known_at)?
            .ok_or_else(|| ApiError::not_found(format!("no {} {}", key.category(), key)))?;
        let revision = domain.revision(key)?;
        let mut response = axum::Json(envelope(entity, position, known_at)).into_response();
        if let Some(r) = revision {
            // The stream revision is the entity's version: sent back in If-Match, it changes
            // the entity only if nobody else has since. The answer also says the position it
            // was read at, so the tag names both: the same tag is the same bytes.
            if let Ok(v) = HeaderValue::from_str(&format!("\"{r}-{position}\"")) {
                response.headers_mut().insert(header::ETAG, v);
                if dated {
                    // A revision seen on a given date is one view for good; today's view
                    // moves with the calendar, so it is never answered 304.
                    response.extensions_mut().insert(StableTag);
                }
            }
        }
        Ok(response)
    })
    .await
}

/// The documented list and get handlers of one entity kind. utoipa needs the route as a literal
/// on each handler, so the macro takes it as one; `$answer` is the schema of the kind's
/// summary and `$example` a real one.
macro_rules! entity_routes {
    ($list:ident, $get:ident, $list_path:literal, $get_path:literal, $what:literal,
     $kind:expr, $id:ty, $key:path, $answer:ident, $example:ident) => {
        #[doc = concat!("Every ", $what, " that exists by `on` (as known at `known_at`), a page at a time.")]
        #[utoipa::path(get, path = $list_path, params(ListQuery),
            responses((status = 200, body = Envelope<Page<EntitySummary>>, headers(("Link" = String, description = "The next page (RFC 8288 `rel=\"next\"`), when there is one"))), (status = 400, description = "Invalid parameters"),
                      (status = 401, description = "No valid token")),
            security(("bearer" = [])), tag = "state")]
        async fn $list(
            State(state): State<Arc<AppState>>,
            headers: HeaderMap,
            uri: Uri,
            ApiQuery(q): ApiQuery<ListQuery>,
        ) -> Result<Response, ApiError> {
            list_kind(state, headers, uri, q, $kind).await
        }

        #[doc = concat!("One ", $what, " as it stood on `on`, in the answer envelope; the ETag is its stream revision.")]
        #[utoipa::path(get, path = $get_path,
            params(("id" = String, Path, description = "UUID or slug"), TimeQuery),
            responses((status = 200, description = "The entity on the date", body = Envelope<$answer>, example = examples::$example), (status = 404, description = "Unknown")),
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
    EntityKey::Unit,
    UnitEntity,
    unit
);
entity_routes!(
    list_people,
    get_person,
    "/v1/people",
    "/v1/people/{id}",
    "person",
    EntityKind::Person,
    PersonId,
    EntityKey::Person,
    PersonEntity,
    person
);
entity_routes!(
    list_posts,
    get_post,
    "/v1/posts",
    "/v1/posts/{id}",
    "post",
    EntityKind::Post,
    PostId,
    EntityKey::Post,
    PostEntity,
    post
);
entity_routes!(
    list_committees,
    get_committee,
    "/v1/committees",
    "/v1/committees/{id}",
    "committee or sub-body",
    EntityKind::Committee,
    CommitteeId,
    EntityKey::Committee,
    CommitteeEntity,
    committee
);
entity_routes!(
    list_decisions,
    get_decision,
    "/v1/decisions",
    "/v1/decisions/{id}",
    "decision",
    EntityKind::Decision,
    DecisionId,
    EntityKey::Decision,
    DecisionEntity,
    decision
);
entity_routes!(
    list_tasks,
    get_task,
    "/v1/tasks",
    "/v1/tasks/{id}",
    "reform task",
    EntityKind::Task,
    TaskId,
    EntityKey::Task,
    TaskEntity,
    task
);
