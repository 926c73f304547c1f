//! Warnings on answers about an open task: what on the date asked about, as known then,
//! makes its assignment or its plan doubtful: a responsible person without a post in the lead
//! unit, a lead unit that has ended, a plan that was repealed.

use super::refs::{decision_ref, person_ref, unit_ref, DecisionRef, PersonRef, UnitRef};
use crate::date::Date;
use crate::ids::{DecisionId, EntityKey, PersonId, UnitId};
use crate::model::TaskStatus;
use crate::source::Source;
use crate::view::{covers, EntityView, TaskView};
use serde::{Deserialize, Serialize};

/// Why a warning was raised.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TaskWarningCode {
    /// The responsible person held a post in the lead unit and no longer does.
    ResponsibleLeftLeadUnit,
    /// The responsible person holds no post in the lead unit and has held none by the date
    /// (or their posts are not on record).
    ResponsibleNotInLeadUnit,
    /// The lead unit was dissolved.
    LeadUnitDissolved,
    /// The lead unit was merged into another, its successor.
    LeadUnitMerged,
    /// The task's plan was repealed by a later decision.
    PlanRepealed,
}

/// One warning: a stable code, a sentence naming what it is about, and those things' ids.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskWarning {
    /// Why the warning was raised; stable, for programs.
    pub code: TaskWarningCode,
    /// A Vietnamese sentence naming what the warning is about, for people.
    pub message: String,
    /// The responsible person, for the responsible-person warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// The lead unit, for the lead-unit and responsible-person warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitRef>,
    /// The unit the lead unit was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<UnitRef>,
    /// The repealed plan, for `plan-repealed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<DecisionRef>,
    /// The decision that repealed the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionRef>,
    /// When the cause took effect: the day the person left, the unit ended, the repeal came
    /// into force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
}

impl TaskWarning {
    fn new(code: TaskWarningCode, message: String) -> Self {
        Self {
            code,
            message,
            person: None,
            unit: None,
            successor: None,
            plan: None,
            decision: None,
            since: None,
        }
    }
}

/// How a person stands to a unit on a date, through the posts of that unit they hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum UnitTie {
    /// Holds a post of the unit on the date.
    Holds,
    /// Held one, the last ending on this date (on or before the date asked about).
    Left(Date),
    /// Holds none and has held none by the date.
    Never,
}

/// `person`'s tie to `unit` on `on`, from the holdings of the unit's posts.
pub(crate) fn unit_tie(s: &dyn Source, person: PersonId, unit: UnitId, on: Date) -> UnitTie {
    let mut left: Option<Date> = None;
    for key in s.posts_of_person(person) {
        let Some(view) = s.view(&key) else { continue };
        let Some(post) = view.as_post().filter(|p| p.unit == Some(unit)) else {
            continue;
        };
        for h in post.holdings.iter().filter(|h| h.person == person) {
            if covers(h.from, h.ended_on, on) {
                return UnitTie::Holds;
            }
            if let Some(end) = h.ended_on.filter(|e| h.from <= on && *e <= on) {
                left = Some(left.map_or(end, |l| l.max(end)));
            }
        }
    }
    left.map_or(UnitTie::Never, UnitTie::Left)
}

fn shown<T: std::fmt::Display>(name: Option<&crate::text::Name>, id: T) -> String {
    name.map_or_else(|| id.to_string(), |n| n.as_str().to_owned())
}

/// The decisions in force by `on` that repeal `plan`, by date then id.
fn repealed_by(s: &dyn Source, plan: DecisionId, on: Date) -> Vec<(Date, DecisionId)> {
    let mut out: Vec<(Date, DecisionId)> = s
        .citing(plan)
        .into_iter()
        .filter_map(|k| match k {
            EntityKey::Decision(r) => {
                let view = s.header(&k)?;
                let d = &view.as_decision()?.record;
                (d.repeals.contains(&plan) && d.in_force_on <= on).then_some((d.in_force_on, r))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The warnings about task `t` on `on`; none unless it is open then.
pub(crate) fn task_warnings(s: &dyn Source, t: &TaskView, on: Date) -> Vec<TaskWarning> {
    if t.status_on(on) != Some(TaskStatus::Open) {
        return Vec::new();
    }
    let a = t.assignments.at(on);
    warnings_for(
        s,
        a.map(|a| a.lead),
        a.and_then(|a| a.responsible),
        t.plan,
        on,
    )
}

/// The warnings about an open task with this lead unit and responsible person on `on`, of
/// this plan: what [`task_warnings`] says, for callers that hold only a task's facts.
pub(crate) fn warnings_for(
    s: &dyn Source,
    lead: Option<crate::ids::UnitId>,
    responsible: Option<PersonId>,
    plan: Option<crate::ids::DecisionId>,
    on: Date,
) -> Vec<TaskWarning> {
    use TaskWarningCode as C;
    let mut out = Vec::new();
    if let Some(lead_id) = lead {
        let unit = unit_ref(s, lead_id, on);
        let unit_name = shown(unit.name.as_ref(), lead_id);
        if let Some(p) = responsible {
            let person = person_ref(s, p, on);
            let person_name = shown(person.name.as_ref(), p);
            let (code, message, since) = match unit_tie(s, p, lead_id, on) {
                UnitTie::Holds => (None, String::new(), None),
                UnitTie::Left(left) => (
                    Some(C::ResponsibleLeftLeadUnit),
                    format!(
                        "{person_name} is responsible for the task but left their post in \
                         the lead unit {unit_name} on {left}"
                    ),
                    Some(left),
                ),
                UnitTie::Never => (
                    Some(C::ResponsibleNotInLeadUnit),
                    format!(
                        "{person_name} is responsible for the task but holds no post in the \
                         lead unit {unit_name} on {on}"
                    ),
                    None,
                ),
            };
            if let Some(code) = code {
                out.push(TaskWarning {
                    person: Some(person),
                    unit: Some(unit.clone()),
                    since,
                    ..TaskWarning::new(code, message)
                });
            }
        }
        let lead = s.header(&EntityKey::Unit(lead_id));
        let end = lead
            .as_deref()
            .and_then(EntityView::as_unit)
            .and_then(|u| u.end.clone())
            .filter(|e| e.on <= on);
        if let Some(end) = end {
            let w = match end.merged_into {
                Some(into) => {
                    let successor = unit_ref(s, into, on);
                    let message = format!(
                        "the lead unit {unit_name} was merged into {} on {}; reassign the task",
                        shown(successor.name.as_ref(), into),
                        end.on
                    );
                    TaskWarning {
                        successor: Some(successor),
                        ..TaskWarning::new(C::LeadUnitMerged, message)
                    }
                }
                None => TaskWarning::new(
                    C::LeadUnitDissolved,
                    format!(
                        "the lead unit {unit_name} was dissolved on {}; reassign the task",
                        end.on
                    ),
                ),
            };
            out.push(TaskWarning {
                unit: Some(unit),
                since: Some(end.on),
                ..w
            });
        }
    }
    if let Some(p) = plan {
        let plan = decision_ref(s, p);
        for (from, r) in repealed_by(s, p, on) {
            let by = decision_ref(s, r);
            let message = format!(
                "the plan {} was repealed by {}, in force from {from}",
                plan.number.clone().unwrap_or_else(|| p.to_string()),
                by.number.clone().unwrap_or_else(|| r.to_string()),
            );
            out.push(TaskWarning {
                plan: Some(plan.clone()),
                decision: Some(by),
                since: Some(from),
                ..TaskWarning::new(C::PlanRepealed, message)
            });
        }
    }
    out
}
