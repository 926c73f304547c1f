//! Slugs resolved to ids against what an import's files define, and the seats, assignments
//! and reconstitutions built from them.

use super::{Seed, SeedError, SeedSeat, SeedSubBody};
use crate::command::{Command, SeatSpec, SubBodySpec};
use crate::date::Date;
use crate::ids::{CommitteeId, DecisionId, PersonId, PostId, TaskId, UnitId};
use crate::model::{Assignment, SeatHolder};
use std::collections::HashSet;

/// Resolves the slugs of entries against what this file and the earlier ones define.
pub(crate) struct Refs {
    pub(super) defined: HashSet<(&'static str, String)>,
}

impl Refs {
    fn resolve(&self, kind: &'static str, slug: &str) -> Result<(), SeedError> {
        if self.defined.contains(&(kind, slug.to_owned())) {
            Ok(())
        } else {
            Err(SeedError::UndefinedSlug {
                kind,
                slug: slug.to_owned(),
            })
        }
    }
    pub(crate) fn unit(&self, slug: &str) -> Result<UnitId, SeedError> {
        self.resolve("unit", slug)?;
        Ok(UnitId::from_slug(slug)?)
    }
    pub(crate) fn person(&self, slug: &str) -> Result<PersonId, SeedError> {
        self.resolve("person", slug)?;
        Ok(PersonId::from_slug(slug)?)
    }
    pub(crate) fn decision(&self, slug: &str) -> Result<DecisionId, SeedError> {
        self.resolve("decision", slug)?;
        Ok(DecisionId::from_slug(slug)?)
    }
    pub(crate) fn post(&self, slug: &str) -> Result<PostId, SeedError> {
        self.resolve("post", slug)?;
        Ok(PostId::from_slug(slug)?)
    }
    pub(crate) fn committee(&self, slug: &str) -> Result<CommitteeId, SeedError> {
        self.resolve("committee", slug)?;
        Ok(CommitteeId::from_slug(slug)?)
    }
    /// A task slug written as a UUID is that task's id: a task sheet exported by reformctl
    /// names its tasks so, and importing it again then names the same tasks.
    pub(crate) fn task(&self, slug: &str) -> Result<TaskId, SeedError> {
        self.resolve("task", slug)?;
        let written = slug.trim();
        match uuid::Uuid::try_parse(written) {
            // Only the hyphenated form, as reformctl writes ids: no code is mistaken for one.
            Ok(id) if written.len() == 36 => Ok(TaskId::from_uuid(id)),
            _ => Ok(TaskId::from_slug(slug)?),
        }
    }

    pub(crate) fn assignment(
        &self,
        lead: &str,
        cooperating: &[String],
        responsible: &Option<String>,
    ) -> Result<Assignment, SeedError> {
        Ok(Assignment {
            lead: self.unit(lead)?,
            cooperating: cooperating
                .iter()
                .map(|u| self.unit(u))
                .collect::<Result<_, _>>()?,
            responsible: responsible.as_deref().map(|p| self.person(p)).transpose()?,
        })
    }

    /// A seat of `committee` created by `decision`, with its first holder.
    pub(crate) fn seat_spec(
        &self,
        committee: &str,
        decision: &str,
        s: &SeedSeat,
    ) -> Result<SeatSpec, SeedError> {
        Ok(SeatSpec {
            seat: Seed::seat_id(committee, &s.slug)?,
            role: s.role,
            on_behalf_of: s
                .on_behalf_of
                .as_deref()
                .map(|u| self.unit(u))
                .transpose()?,
            ex_officio: s.ex_officio.as_deref().map(|p| self.post(p)).transpose()?,
            label: s.label.clone(),
            holder: match &s.holder {
                Some(p) => Some(SeatHolder {
                    membership: Seed::membership_id(committee, &s.slug, decision)?,
                    person: self.person(p)?,
                }),
                None => None,
            },
        })
    }

    pub(crate) fn reconstitution(
        &self,
        committee: &str,
        decision: &str,
        on: Date,
        seats: &[SeedSeat],
        sub_bodies: &[SeedSubBody],
    ) -> Result<Command, SeedError> {
        let specs = |body: &str, seats: &[SeedSeat]| -> Result<Vec<SeatSpec>, SeedError> {
            seats
                .iter()
                .map(|s| self.seat_spec(body, decision, s))
                .collect()
        };
        Ok(Command::Reconstitute {
            committee: self.committee(committee)?,
            on,
            decision: self.decision(decision)?,
            seats: specs(committee, seats)?,
            sub_bodies: sub_bodies
                .iter()
                .map(|b| {
                    Ok(SubBodySpec {
                        committee: self.committee(&b.committee)?,
                        seats: specs(&b.committee, &b.seats)?,
                    })
                })
                .collect::<Result<_, SeedError>>()?,
        })
    }
}
