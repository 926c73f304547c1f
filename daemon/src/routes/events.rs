//! The global log: pages by position or time, and a Server-Sent Events feed that resumes from
//! `Last-Event-ID` with no gap or duplicate; task events alone for every reader of state, the
//! rest for auditors.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::Response;
use futures_util::{Stream, StreamExt};
use reformlog_api::Envelope;
use reformlog_store::{Direction, EventFilter, SubscribeFrom, SubscriptionMessage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;
use crate::views::EventPage;

use super::ask::blocking;
use super::paging::{next_link, with_next};
use reformlog_api::ProblemCode;

const MAX_PAGE: usize = 1000;

/// Which part of the log to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsQuery {
    /// First position to read (inclusive). Going backward, the newest position to read.
    from: Option<u64>,
    /// Start at the first event recorded at or after this RFC 3339 time instead.
    #[param(format = DateTime)]
    since: Option<String>,
    /// `forward` (default) or `backward`.
    #[param(schema_with = direction_schema)]
    direction: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
    /// Comma-separated event type names to keep.
    types: Option<String>,
    /// Comma-separated stream categories (e.g. `committee,task`) to keep; `task` alone opens
    /// the log to every role that reads state.
    categories: Option<String>,
}

/// A position parameter, which the document says is an `int64`: the store counts in `u64`,
/// but a client reading the document cannot send more, so more is a mistake.
fn position(name: &str, value: Option<u64>) -> Result<Option<u64>, ApiError> {
    match value {
        Some(p) if i64::try_from(p).is_err() => Err(ApiError::bad_request(
            ProblemCode::InvalidPosition,
            format!("{name} must be a log position, 0 to {}", i64::MAX),
        )),
        _ => Ok(value),
    }
}

fn direction_schema() -> utoipa::openapi::schema::Schema {
    super::params::words(&["forward", "backward"])
}

/// What reading a part of the log needs: a part holding only task events is open to every
/// role that reads tasks, as a task's history is; anything else is the audit trail.
fn needed(categories: &[String]) -> Permission {
    if !categories.is_empty() && categories.iter().all(|c| c == "task") {
        Permission::ReadState
    } else {
        Permission::ReadAudit
    }
}

fn split(list: Option<&String>) -> Vec<String> {
    list.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

/// Pages through the global log.
#[utoipa::path(
    get,
    path = "/v1/events",
    params(EventsQuery),
    responses(
        (status = 200, description = "A page of events; `position` is the log's head when it was read, as the page's `head`", body = Envelope<EventPage>, headers(("Link" = String, description = "The next page (RFC 8288 `rel=\"next\"`), when there is one"))),
        (status = 400, description = "Invalid parameters", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
        (status = 403, description = "Role may not read the audit trail (every role that reads state may read `categories=task`)"),
    ),
    security(("bearer" = [])),
    tag = "events"
)]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let categories = split(q.categories.as_ref());
    state.tokens.authorize(&headers, needed(&categories))?;
    position("from", q.from)?;
    let direction = match q.direction.as_deref() {
        None | Some("forward") => Direction::Forward,
        Some("backward") => Direction::Backward,
        Some(other) => {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidDirection,
                format!("direction must be forward or backward, not {other:?}"),
            ))
        }
    };
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidLimit,
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    if q.from.is_some() && q.since.is_some() {
        return Err(ApiError::bad_request(
            ProblemCode::ConflictingParameters,
            "give either from or since, not both",
        ));
    }
    let filter = EventFilter {
        event_types: split(q.types.as_ref()),
        stream_categories: categories,
    };
    let store = state.store.clone();
    let page = blocking(move || {
        let from = match &q.since {
            Some(s) => {
                let t = reformlog_store::Timestamp::parse_rfc3339(s).ok_or_else(|| {
                    ApiError::bad_request(
                        ProblemCode::InvalidTime,
                        format!("not an RFC 3339 time: {s:?}"),
                    )
                })?;
                match store.position_at_or_after(t)? {
                    Some(p) => Some(p),
                    // Nothing that recent: an empty page that ends at the head.
                    None => Some(store.head_position() + 1),
                }
            }
            None => q.from,
        };
        Ok(store.read_all(from, direction, limit, &filter)?)
    })
    .await?;
    // The next page starts at a position, whether this one was asked by position or time.
    let link = page
        .next
        .and_then(|n| next_link(&uri, &[("from", &n.to_string())], &["since"]));
    let position = page.head;
    let page = EventPage {
        next: page.next,
        head: page.head,
        events: page
            .events
            .into_iter()
            .map(crate::views::event_view)
            .collect(),
    };
    Ok(with_next(axum::Json(Envelope::new(page, position)), link))
}

/// Where a live feed starts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedQuery {
    /// First position to send (inclusive); default: only events appended from now on. A
    /// `Last-Event-ID` header (sent by reconnecting clients) takes precedence.
    from: Option<u64>,
    /// Comma-separated stream categories to keep; `task` alone opens the feed to every role
    /// that reads state.
    categories: Option<String>,
    /// Comma-separated event type names to keep.
    types: Option<String>,
    /// Send each event's position (its `id`) with an empty object as its data, nothing of
    /// what it records: open to every role that reads state when no `categories` or `types`
    /// filter is given, for a page that reads its answers again when the log moves.
    positions_only: Option<bool>,
}

/// A live Server-Sent Events feed of the log. Each event's `id` is its position; reconnecting
/// with `Last-Event-ID` resumes right after it, with no gap and no duplicate.
#[utoipa::path(
    get,
    path = "/v1/events/stream",
    params(FeedQuery, ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this position")),
    responses(
        (status = 200, description = "text/event-stream of events", content_type = "text/event-stream"),
        (status = 400, description = "Invalid parameters", content_type = "application/problem+json"),
        (status = 409, description = "`Last-Event-ID`/`from` past the log's end (`position-not-reached`)", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
        (status = 403, description = "Role may not read the audit trail (every role that reads state may read `categories=task`)"),
    ),
    security(("bearer" = [])),
    tag = "events"
)]
pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let categories = split(q.categories.as_ref());
    let positions_only = q.positions_only.unwrap_or(false);
    // Bare positions tell a reader only that the log moved. Filtered, they would tell which
    // kinds of change happened when, which is the audit trail's to tell.
    let unfiltered = categories.is_empty() && q.types.as_deref().is_none_or(str::is_empty);
    let permission = if positions_only && unfiltered {
        Permission::ReadState
    } else {
        needed(&categories)
    };
    state.tokens.authorize(&headers, permission)?;
    position("from", q.from)?;
    let from = match headers.get("last-event-id") {
        Some(v) => {
            let id = v
                .to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        ProblemCode::InvalidLastEventId,
                        "Last-Event-ID must be a log position",
                    )
                })?;
            SubscribeFrom::After(id)
        }
        None => match q.from {
            Some(0) | None => SubscribeFrom::Now,
            Some(p) => SubscribeFrom::After(p - 1),
        },
    };
    // Resuming after a position the log has not reached would wait for it silently and
    // then skip everything before it: refuse it before the stream starts.
    if let SubscribeFrom::After(after) = from {
        let head = state.store.head_position();
        if after > head {
            return Err(ApiError::position_not_reached(format!(
                "the log ends at position {head}; resuming after {after} would skip what is \
                     written up to it"
            )));
        }
    }
    let filter = EventFilter {
        event_types: split(q.types.as_ref()),
        stream_categories: categories,
    };
    let mut shutdown = state.shutdown.clone();
    let events = state
        .store
        .subscribe(from, filter)
        .into_stream()
        .map(move |msg| {
            Ok(match msg {
                Ok(SubscriptionMessage::Event(e)) if positions_only => {
                    SseEvent::default().id(e.position.to_string()).data("{}")
                }
                Ok(SubscriptionMessage::Event(e)) => {
                    let id = e.position.to_string();
                    let json =
                        serde_json::to_string(&crate::views::event_view(e)).unwrap_or_default();
                    SseEvent::default().id(id).data(json)
                }
                Ok(SubscriptionMessage::CaughtUp { position }) => SseEvent::default()
                    .event("caught-up")
                    .data(format!("{{\"position\":{position}}}")),
                Ok(SubscriptionMessage::FellBehind { last_seen, .. }) => {
                    SseEvent::default().comment(format!("catching up after {last_seen}"))
                }
                Ok(_) => SseEvent::default().comment("unknown message"),
                Err(e) => SseEvent::default().event("error").data(e.to_string()),
            })
        })
        // End the stream when the daemon shuts down, so graceful shutdown is not held open.
        .take_until(async move {
            let _ = shutdown.wait_for(|stopping| *stopping).await;
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
