//! A committee's timeline: each date its record or a sub-body's changed, with the decision
//! cited, so a page can draw the committee's life with its decisions marked. Only dates and
//! decision numbers, which every reader sees in compositions anyway; who recorded what stays
//! in the audit routes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use reformlog::{
    Answer, CommitteeId, Date, DecisionRef, EntityDetails, EntityKey, EntityKind, KnownAt, Query,
    Standing,
};
use reformlog_api::Envelope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::role::Permission;
use crate::state::AppState;

use super::ask::{blocking, envelope, reach};
use super::params::IdPath;

/// The routes of this module.
pub(crate) fn routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(timeline))
}

/// Parameters of a timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TimelineQuery {
    /// Answer as the system knew it at this log position, RFC 3339 time, or date
    /// (YYYY-MM-DD: the end of that day in the daemon's time zone); default now.
    #[param(schema_with = super::params::known_at_schema)]
    known_at: Option<String>,
    /// Answer only once the read models include this log position; 400 if the log has not
    /// reached it.
    min_position: Option<u64>,
}

/// One dated change: the day it took effect, the body it changed, the decision it cites.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Mark {
    /// The valid date of the change (YYYY-MM-DD).
    #[schema(value_type = String)]
    on: Date,
    /// The decision cited, if any.
    #[schema(value_type = Option<Object>)]
    decision: Option<DecisionRef>,
    /// The committee or sub-body changed.
    #[schema(value_type = String)]
    committee: CommitteeId,
}

/// A committee's marks, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Timeline {
    /// The committee asked about.
    #[schema(value_type = String)]
    committee: CommitteeId,
    /// Every (date, decision, body) a change in force is about; corrected and retracted
    /// changes leave their correction's date, not theirs.
    marks: Vec<Mark>,
}

/// The dates a committee's record or one of its sub-bodies' changed, each with the decision
/// it cites: the committee's life on a time axis.
#[utoipa::path(get, path = "/v1/committees/{id}/timeline", params(("id" = String, Path, description = "UUID or slug"), TimelineQuery), responses((status = 200, body = Envelope<Timeline>), (status = 404, description = "Unknown committee")), security(("bearer" = [])), tag = "state")]
async fn timeline(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TimelineQuery>,
    IdPath(committee): IdPath<CommitteeId>,
) -> Result<Json<Envelope<Timeline>>, ApiError> {
    state.tokens.authorize(&headers, Permission::ReadState)?;
    let known_at = state.known_at(q.known_at.as_deref())?;
    let domain = state.domain.clone();
    let min = q.min_position;
    blocking(move || {
        reach(&domain, min)?;
        let position = domain.read_model_position();
        let answer = marks_of(&domain, committee, known_at)?;
        Ok(Json(envelope(answer, position, known_at)))
    })
    .await
}

fn marks_of(
    domain: &reformlog::Reformlog,
    committee: CommitteeId,
    known_at: Option<KnownAt>,
) -> Result<Timeline, ApiError> {
    // Every committee ever established, once: a sub-body names its parent, whenever it sat.
    let mut children: BTreeMap<CommitteeId, Vec<CommitteeId>> = BTreeMap::new();
    for summary in domain.list(EntityKind::Committee, Date::MAX, known_at)? {
        if let EntityDetails::Committee {
            parent: Some(parent),
            ..
        } = summary.details
        {
            children
                .entry(parent.id)
                .or_default()
                .push(CommitteeId::from_uuid(summary.id));
        }
    }
    // Keyed in the order the marks are listed: by date, then decision, then body.
    let mut marks = BTreeMap::new();
    let mut bodies = vec![committee];
    let mut seen = BTreeSet::from([committee]);
    while let Some(body) = bodies.pop() {
        let history = domain.query(
            &Query::History {
                entity: EntityKey::Committee(body),
            },
            known_at,
        )?;
        let Answer::History(entries) = history else {
            return Err(ApiError::internal("a history question got another answer"));
        };
        for entry in entries {
            if matches!(
                entry.standing,
                Standing::Effective | Standing::Correction(_)
            ) {
                let key = (
                    entry.valid_from,
                    entry.decision.as_ref().map(|d| d.id),
                    body,
                );
                marks.entry(key).or_insert(Mark {
                    on: entry.valid_from,
                    decision: entry.decision,
                    committee: body,
                });
            }
        }
        for sub in children.get(&body).into_iter().flatten() {
            if seen.insert(*sub) {
                bodies.push(*sub);
            }
        }
    }
    Ok(Timeline {
        committee,
        marks: marks.into_values().collect(),
    })
}
