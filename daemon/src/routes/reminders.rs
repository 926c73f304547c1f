//! Deadline reminders for a mail or chat bridge: a page after a cursor, and a Server-Sent
//! Events stream of the same reminders as commits arrive and days begin in the daemon's
//! time zone.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::Response;
use futures_util::{FutureExt, Stream, StreamExt};
use reformlog::{
    Date, DecisionRef, PersonRef, Reminder, ReminderAsk, ReminderCursor, ReminderKind,
    ReminderPage, Timestamp, UnitRef,
};
use reformlog_api::Envelope;
use reformlog_store::{EventFilter, SubscribeFrom};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;
use crate::zone::Zone;

use super::ask::blocking;
use super::paging::{next_link, with_next};
use super::params::{parse_time_bound, Bound};
use reformlog_api::ProblemCode;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;
/// How often a quiet stream looks at the clock for a new day (a suspended host or a clock
/// change is noticed within this).
const CLOCK_CHECK: Duration = Duration::from_secs(300);

/// A cursor as the feed writes it (`r1.` the due-soon days, the time it stands at, and the last
/// reminder's day, kind, task and deadline), or nothing, which is as if absent.
const CURSOR_PATTERN: &str = concat!(
    "^(r1\\.(36[0-6]|3[0-5][0-9]|[12][0-9]{2}|[1-9]?[0-9])\\.-?[0-9]{1,18}",
    "(\\.DAY\\.(due_soon|due|overdue)\\.",
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\.DAY)?)?$"
);

/// A real calendar day, leap days included, as a pattern can say it.
const DAY_PATTERN: &str = concat!(
    "([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)",
    "|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29)"
);

fn cursor_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(CURSOR_PATTERN.replace("DAY", DAY_PATTERN)))
        .into()
}

/// Where a page of reminders starts and ends.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RemindersQuery {
    /// Continue after this cursor: the `next` of the last page, or a reminder's `cursor`.
    #[param(schema_with = cursor_schema)]
    after: Option<String>,
    /// Without a cursor: start with what became visible from this date (the start of that
    /// day in the daemon's time zone) or RFC 3339 time on; default: from the first reminder.
    #[param(schema_with = super::params::time_schema)]
    since: Option<String>,
    /// Due-soon reminders this many days before a deadline, 0 (none) to 366 (default 7). A
    /// cursor keeps the number it was made with.
    #[param(maximum = 366)]
    due_soon_days: Option<u32>,
    /// Only what had become visible by the end of this date or by this RFC 3339 time: the
    /// feed as it stood then. Default: now.
    #[param(schema_with = super::params::time_schema)]
    until: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// Where a stream of reminders starts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReminderStreamQuery {
    /// Continue after this cursor; a `Last-Event-ID` header (sent by reconnecting clients)
    /// takes precedence. Empty: as if absent.
    #[param(schema_with = cursor_schema)]
    after: Option<String>,
    /// Without a cursor: start with what became visible from this date or RFC 3339 time on;
    /// default: from the first reminder.
    #[param(schema_with = super::params::time_schema)]
    since: Option<String>,
    /// Due-soon reminders this many days before a deadline, 0 to 366 (default 7).
    #[param(maximum = 366)]
    due_soon_days: Option<u32>,
}

/// The header a reconnecting reader sends.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(
    dead_code,
    reason = "only its parameter is used: the handler reads the header"
)]
struct ResumeHeader {
    /// Resume after this cursor (a message's `id`); empty: as if absent.
    #[param(rename = "Last-Event-ID", schema_with = cursor_schema)]
    last_event_id: Option<String>,
}

/// The kinds of deadline reminder.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReminderKind)]
pub(crate) enum ReminderKindView {
    /// The deadline is at most `due_soon_days` days away and the task is open.
    DueSoon,
    /// The deadline is today and the task is open.
    Due,
    /// The deadline has passed and the task is still open.
    Overdue,
}

impl From<ReminderKind> for ReminderKindView {
    fn from(k: ReminderKind) -> Self {
        match k {
            ReminderKind::DueSoon => Self::DueSoon,
            ReminderKind::Due => Self::Due,
            ReminderKind::Overdue => Self::Overdue,
        }
    }
}

/// One reminder: a task's deadline occurrence, once, when it became visible.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReminderView {
    kind: ReminderKindView,
    /// The task's id.
    task: String,
    title: String,
    /// The deadline the reminder is about (YYYY-MM-DD).
    deadline: String,
    /// The day the reminder falls on (YYYY-MM-DD): the deadline, the day after it, or within
    /// `due_soon_days` before it.
    on: String,
    /// When it became visible (RFC 3339, UTC, microseconds): the start of `on` in the
    /// daemon's time zone, or when the record that implies it was made, if later.
    visible_at: String,
    /// The plan (id and number).
    #[schema(value_type = Option<Object>)]
    plan: Option<DecisionRef>,
    /// The lead unit on `on` (id and name).
    #[schema(value_type = Option<Object>)]
    lead: Option<UnitRef>,
    /// The responsible person on `on` (id and name).
    #[schema(value_type = Option<Object>)]
    responsible: Option<PersonRef>,
    /// Resume right after this reminder with this cursor.
    cursor: String,
}

impl ReminderView {
    fn new(r: Reminder) -> Self {
        Self {
            kind: r.kind.into(),
            task: r.task.to_string(),
            title: r.title,
            deadline: r.deadline.to_string(),
            on: r.on.to_string(),
            visible_at: r.visible_at.to_rfc3339_micros(),
            plan: r.plan,
            lead: r.lead,
            responsible: r.responsible,
            cursor: r.cursor.to_string(),
        }
    }
}

/// A page of reminders.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReminderPage)]
pub(crate) struct ReminderPageView {
    /// In the feed's order: by when each became visible, then by date, kind, task, deadline.
    reminders: Vec<ReminderView>,
    /// Pass as `after` next time: it is after the last reminder when `more`, else after
    /// everything visible by `horizon`.
    next: String,
    /// The page holds every reminder after the cursor that was visible by this time (RFC
    /// 3339, UTC, microseconds), up to the limit.
    horizon: String,
    /// More reminders visible by `horizon` follow `next`: ask again at once.
    more: bool,
}

impl ReminderPageView {
    fn new(page: ReminderPage) -> Self {
        Self {
            reminders: page.reminders.into_iter().map(ReminderView::new).collect(),
            next: page.next.to_string(),
            horizon: page.horizon.to_rfc3339_micros(),
            more: page.more,
        }
    }
}

/// The cursor in `after`, or one made from `since`, or none (from the first reminder).
fn start(
    after: Option<&str>,
    since: Option<&str>,
    days: Option<u32>,
    zone: &Zone,
) -> Result<Option<ReminderCursor>, ApiError> {
    let after = after.map(str::trim).filter(|a| !a.is_empty());
    match (after, since) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            ProblemCode::ConflictingParameters,
            "give either a cursor or since, not both",
        )),
        (Some(a), None) => a
            .parse::<ReminderCursor>()
            .map(Some)
            .map_err(|e| ApiError::bad_request(ProblemCode::InvalidCursor, e.to_string())),
        (None, Some(s)) => {
            let at = parse_time_bound("since", s, Bound::Start, zone)?;
            let days = days.unwrap_or(reformlog::DEFAULT_DUE_SOON_DAYS);
            Ok(Some(ReminderCursor::from_time(days, at)))
        }
        (None, None) => Ok(None),
    }
}

/// One page, computed off the async workers, with the read models' position read before it
/// (the page reflects at least that position).
async fn page(state: &Arc<AppState>, ask: ReminderAsk) -> Result<(ReminderPage, u64), ApiError> {
    let domain = state.domain.clone();
    let zone = state.zone.clone();
    blocking(move || {
        let position = domain.read_model_position();
        let page = domain.reminders(&ask, &|d: Date| zone.start_of_day(d))?;
        Ok((page, position))
    })
    .await
}

/// The deadline reminders (due soon, due, overdue) that became visible after the cursor, in
/// a deterministic order. A bridge that asks again with each page's `next` gets every
/// reminder exactly once, including those of tasks entered late and of deadlines corrected
/// or extended after the fact.
#[utoipa::path(
    get,
    path = "/v1/reminders",
    operation_id = "list_reminders",
    params(RemindersQuery),
    responses(
        (status = 200, description = "A page of reminders", body = Envelope<ReminderPageView>, headers(("Link" = String, description = "The next page (RFC 8288 `rel=\"next\"`), when `more`"))),
        (status = 400, description = "Invalid parameters or cursor", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
    ),
    security(("bearer" = [])),
    tag = "reminders"
)]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    ApiQuery(q): ApiQuery<RemindersQuery>,
) -> Result<Response, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidLimit,
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let after = start(
        q.after.as_deref(),
        q.since.as_deref(),
        q.due_soon_days,
        &state.zone,
    )?;
    let until = q
        .until
        .as_deref()
        .map(|u| parse_time_bound("until", u, Bound::End, &state.zone))
        .transpose()?;
    let ask = ReminderAsk {
        after,
        days: q.due_soon_days,
        until,
        limit,
    };
    let (found, position) = page(&state, ask).await?;
    let view = ReminderPageView::new(found);
    // Only a full page has a next one; `next` alone is where to ask again later.
    let link = if view.more {
        next_link(&uri, &[("after", &view.next)], &["since"])
    } else {
        None
    };
    Ok(with_next(axum::Json(Envelope::new(view, position)), link))
}

/// When the next day begins in `zone`, from now; at most [`CLOCK_CHECK`] away.
fn until_next_day(zone: &Zone) -> Duration {
    let now = Timestamp::now().as_micros();
    let next = zone
        .today()
        .and_then(|d| zone.start_of_day(d.next_day()))
        .map_or(i64::MAX, |t| t.as_micros());
    let micros = u64::try_from(next.saturating_sub(now)).unwrap_or(0);
    Duration::from_micros(micros.saturating_add(1_000)).min(CLOCK_CHECK)
}

/// A reminder as an SSE message: its JSON, and its cursor as the id a reconnecting client
/// sends back.
fn message(r: Reminder) -> SseEvent {
    let id = r.cursor.to_string();
    let json = serde_json::to_string(&ReminderView::new(r)).unwrap_or_default();
    SseEvent::default().data(json).id(id)
}

/// What the stream knows between messages.
struct Feed {
    state: Arc<AppState>,
    cursor: Option<ReminderCursor>,
    days: Option<u32>,
    /// Commits to task streams wake the feed.
    commits: futures_util::stream::BoxStream<'static, ()>,
    pending: VecDeque<SseEvent>,
    /// Something may have become visible since the last page.
    stale: bool,
    caught_up: bool,
    day: Option<Date>,
    done: bool,
}

impl Feed {
    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, Feed)> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some((Ok(e), self));
            }
            if self.done {
                return None;
            }
            if self.stale {
                self.stale = false;
                self.day = self.state.zone.today();
                let ask = ReminderAsk {
                    after: self.cursor,
                    days: self.days,
                    until: None,
                    limit: MAX_PAGE,
                };
                match page(&self.state, ask).await {
                    Ok((p, _)) => {
                        self.cursor = Some(p.next);
                        self.stale = p.more;
                        self.pending.extend(p.reminders.into_iter().map(message));
                        if !p.more && !self.caught_up {
                            self.caught_up = true;
                            let next = p.next.to_string();
                            self.pending.push_back(
                                SseEvent::default()
                                    .event("caught-up")
                                    .data(serde_json::json!({ "cursor": next }).to_string())
                                    .id(next),
                            );
                        }
                    }
                    Err(e) => {
                        self.pending
                            .push_back(SseEvent::default().event("error").data(e.detail()));
                        self.done = true;
                    }
                }
                continue;
            }
            tokio::select! {
                woke = self.commits.next() => match woke {
                    Some(()) => {
                        // One page for a burst of commits.
                        while let Some(Some(())) = self.commits.next().now_or_never() {}
                        self.stale = true;
                    }
                    None => self.done = true,
                },
                () = tokio::time::sleep(until_next_day(&self.state.zone)) => {
                    self.stale = self.state.zone.today() != self.day;
                }
            }
        }
    }
}

/// One message of the reminder feed, as a Server-Sent Events reader sees it: a reminder (no
/// `event`, JSON `data`, the cursor after it as `id`), the `caught-up` message (JSON data
/// with the cursor), or an `error` message (its text) that ends the feed.
struct ReminderMessage;

impl utoipa::PartialSchema for ReminderMessage {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let json = || text().content_media_type("application/json");
        let named = |event: &str, data: ObjectBuilder| {
            ObjectBuilder::new()
                .property("event", text().enum_values(Some([event])))
                .property("data", data)
                .required("event")
                .required("data")
        };
        let reminder = ObjectBuilder::new()
            .property("data", json())
            .property("id", text())
            .required("data")
            .required("id");
        AnyOfBuilder::new()
            .item(reminder)
            .item(named("caught-up", json()))
            .item(named("error", text()))
            .into()
    }
}

impl ToSchema for ReminderMessage {}

/// The same reminders as `GET /v1/reminders`, live: after catching up (a `caught-up`
/// message), each new one as the commit that implies it arrives or its day begins. Each
/// message's data is a reminder (kind `due_soon`, `due` or `overdue`) and its `id` the
/// cursor after it, so reconnecting with `Last-Event-ID` resumes with no gap and no repeat.
#[utoipa::path(
    get,
    path = "/v1/reminders/stream",
    operation_id = "stream_reminders",
    params(ReminderStreamQuery, ResumeHeader),
    responses(
        (status = 200, description = "text/event-stream: messages whose data is a ReminderView, then one `caught-up` message", content_type = "text/event-stream", body = ReminderMessage),
        (status = 400, description = "Invalid parameters or cursor", content_type = "application/problem+json"),
        (status = 401, description = "No valid token"),
    ),
    security(("bearer" = [])),
    tag = "reminders"
)]
pub(crate) async fn stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReminderStreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    // Checked now: the feed would find it only once it started, and end with an error message.
    if let Some(days) = q
        .due_soon_days
        .filter(|d| *d > reformlog::MAX_DUE_SOON_DAYS)
    {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidQuery,
            format!(
                "due_soon_days must be 0 to {}, not {days}",
                reformlog::MAX_DUE_SOON_DAYS
            ),
        ));
    }
    let header = match headers.get("last-event-id") {
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::bad_request(
                ProblemCode::InvalidLastEventId,
                "Last-Event-ID must be a cursor",
            )
        })?),
        None => None,
    }
    .filter(|h| !h.trim().is_empty());
    let cursor =
        match header {
            Some(h) => Some(h.trim().parse::<ReminderCursor>().map_err(|e| {
                ApiError::bad_request(ProblemCode::InvalidLastEventId, e.to_string())
            })?),
            None => start(
                q.after.as_deref(),
                q.since.as_deref(),
                q.due_soon_days,
                &state.zone,
            )?,
        };
    if let (Some(c), Some(d)) = (cursor, q.due_soon_days) {
        if c.days() != d {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidQuery,
                format!(
                    "the cursor was made for due-soon reminders {} days ahead, not {d}",
                    c.days()
                ),
            ));
        }
    }
    // Subscribed before the first page, so a commit landing meanwhile wakes the feed.
    let commits = state
        .store
        .subscribe(SubscribeFrom::Now, EventFilter::stream_categories(["task"]))
        .into_stream()
        .map(|_| ())
        .boxed();
    let feed = Feed {
        state: Arc::clone(&state),
        cursor,
        days: q.due_soon_days,
        commits,
        pending: VecDeque::new(),
        stale: true,
        caught_up: false,
        day: None,
        done: false,
    };
    let mut shutdown = state.shutdown.clone();
    let messages = futures_util::stream::unfold(feed, Feed::next).take_until(async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    });
    Ok(Sse::new(messages).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
