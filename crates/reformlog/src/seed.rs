//! The human-edited seed/import file (TOML): its format, and its translation into commands.
//!
//! Entities are named by slugs; `from_slug` turns each into a stable id of its kind, so
//! re-importing a file addresses the same entities. Seat slugs are scoped by committee and
//! membership ids by committee, seat and decision, so a file stays short to write. The
//! commands come out in dependency order: units, people, decisions, posts and their holders,
//! committees, reconstitutions, tasks.

use crate::command::{Command, SeatSpec, SubBodySpec};
use crate::date::Date;
use crate::ids::{
    CommitteeId, DecisionId, HoldingId, IdError, MembershipId, PersonId, PostId, SeatId, TaskId,
    UnitId,
};
use crate::model::{Assignment, DecisionKind, Role, SeatHolder, UnitKind};
use crate::text::{Name, NameError};
use serde::Deserialize;
use std::collections::HashSet;

/// Why a seed file could not be read or translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    #[error("the seed file is not valid: {0}")]
    Syntax(String),
    #[error("{kind} slug {slug:?} is used but not defined in the file")]
    UndefinedSlug { kind: &'static str, slug: String },
    #[error("{kind} slug {slug:?} is defined twice")]
    DuplicateSlug { kind: &'static str, slug: String },
    #[error("bad name: {0}")]
    Name(#[from] NameError),
    #[error("bad id: {0}")]
    Id(#[from] IdError),
}

/// A parsed seed file. See `tests/data/seed-decision-34.toml` for a commented example.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Date used where the source states none: units, people and posts are taken to exist,
    /// and holders to hold their posts, from this date.
    pub records_from: Date,
    #[serde(default)]
    pub units: Vec<SeedUnit>,
    #[serde(default)]
    pub people: Vec<SeedPerson>,
    #[serde(default)]
    pub decisions: Vec<SeedDecision>,
    #[serde(default)]
    pub posts: Vec<SeedPost>,
    #[serde(default)]
    pub committees: Vec<SeedCommittee>,
    #[serde(default)]
    pub reconstitutions: Vec<SeedReconstitution>,
    #[serde(default)]
    pub tasks: Vec<SeedTask>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUnit {
    pub slug: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<String>,
    pub established: Option<Date>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPerson {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDecision {
    pub slug: String,
    pub number: String,
    pub kind: DecisionKind,
    pub issuer: String,
    pub signer: Option<String>,
    pub signed_on: Date,
    pub in_force_on: Date,
    pub title: String,
    #[serde(default)]
    pub amends: Vec<String>,
    #[serde(default)]
    pub replaces: Vec<String>,
    #[serde(default)]
    pub repeals: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPost {
    pub slug: String,
    pub title: String,
    pub unit: Option<String>,
    #[serde(default = "one")]
    pub max_holders: u16,
    #[serde(default)]
    pub holders: Vec<SeedHolder>,
}

fn one() -> u16 {
    1
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHolder {
    pub person: String,
    pub from: Option<Date>,
    pub ended_on: Option<Date>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCommittee {
    pub slug: String,
    pub name: String,
    pub parent: Option<String>,
    pub unit: Option<String>,
    pub established: Date,
    pub decision: String,
    #[serde(default)]
    pub duties: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReconstitution {
    pub committee: String,
    pub decision: String,
    pub on: Date,
    #[serde(default)]
    pub seats: Vec<SeedSeat>,
    #[serde(default)]
    pub sub_bodies: Vec<SeedSubBody>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSubBody {
    pub committee: String,
    #[serde(default)]
    pub seats: Vec<SeedSeat>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSeat {
    pub slug: String,
    pub role: Role,
    pub holder: Option<String>,
    pub on_behalf_of: Option<String>,
    pub ex_officio: Option<String>,
    pub label: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTask {
    pub slug: String,
    pub plan: Option<String>,
    pub title: String,
    pub product: String,
    pub created: Date,
    pub deadline: Date,
    pub lead: Option<String>,
    #[serde(default)]
    pub cooperating: Vec<String>,
    pub responsible: Option<String>,
}

/// Slugs defined in the file, per kind, to catch typos before anything is recorded.
struct Defined {
    units: HashSet<String>,
    people: HashSet<String>,
    decisions: HashSet<String>,
    posts: HashSet<String>,
    committees: HashSet<String>,
}

fn collect<'a>(
    kind: &'static str,
    slugs: impl Iterator<Item = &'a String>,
) -> Result<HashSet<String>, SeedError> {
    let mut set = HashSet::new();
    for s in slugs {
        if !set.insert(s.clone()) {
            return Err(SeedError::DuplicateSlug {
                kind,
                slug: s.clone(),
            });
        }
    }
    Ok(set)
}

impl Defined {
    fn resolve(&self, kind: &'static str, slug: &str) -> Result<(), SeedError> {
        let set = match kind {
            "unit" => &self.units,
            "person" => &self.people,
            "decision" => &self.decisions,
            "post" => &self.posts,
            _ => &self.committees,
        };
        if set.contains(slug) {
            Ok(())
        } else {
            Err(SeedError::UndefinedSlug {
                kind,
                slug: slug.to_owned(),
            })
        }
    }
    fn unit(&self, slug: &str) -> Result<UnitId, SeedError> {
        self.resolve("unit", slug)?;
        Ok(UnitId::from_slug(slug)?)
    }
    fn person(&self, slug: &str) -> Result<PersonId, SeedError> {
        self.resolve("person", slug)?;
        Ok(PersonId::from_slug(slug)?)
    }
    fn decision(&self, slug: &str) -> Result<DecisionId, SeedError> {
        self.resolve("decision", slug)?;
        Ok(DecisionId::from_slug(slug)?)
    }
    fn post(&self, slug: &str) -> Result<PostId, SeedError> {
        self.resolve("post", slug)?;
        Ok(PostId::from_slug(slug)?)
    }
    fn committee(&self, slug: &str) -> Result<CommitteeId, SeedError> {
        self.resolve("committee", slug)?;
        Ok(CommitteeId::from_slug(slug)?)
    }
}

impl Seed {
    /// Parses a seed file's text.
    pub fn parse(text: &str) -> Result<Self, SeedError> {
        toml::from_str(text).map_err(|e| SeedError::Syntax(e.to_string()))
    }

    /// The id of the seat `seat` of committee `committee` (both slugs).
    pub fn seat_id(committee: &str, seat: &str) -> Result<SeatId, IdError> {
        SeatId::from_slug(&format!("{committee}/{seat}"))
    }

    /// The id of the membership a reconstitution by `decision` gives seat `seat`.
    pub fn membership_id(
        committee: &str,
        seat: &str,
        decision: &str,
    ) -> Result<MembershipId, IdError> {
        MembershipId::from_slug(&format!("{committee}/{seat}/{decision}"))
    }

    /// The commands that record everything in the file, in an order that satisfies every
    /// reference.
    pub fn commands(&self) -> Result<Vec<Command>, SeedError> {
        let d = Defined {
            units: collect("unit", self.units.iter().map(|u| &u.slug))?,
            people: collect("person", self.people.iter().map(|p| &p.slug))?,
            decisions: collect("decision", self.decisions.iter().map(|x| &x.slug))?,
            posts: collect("post", self.posts.iter().map(|p| &p.slug))?,
            committees: collect("committee", self.committees.iter().map(|c| &c.slug))?,
        };
        let mut out = Vec::new();
        // Parents before children, whatever order the file lists units in.
        let mut pending: Vec<&SeedUnit> = self.units.iter().collect();
        let mut done: HashSet<&str> = HashSet::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for u in pending {
                if u.parent.as_deref().is_some_and(|p| !done.contains(p)) {
                    rest.push(u);
                    continue;
                }
                out.push(Command::EstablishUnit {
                    unit: d.unit(&u.slug)?,
                    name: Name::new(&u.name)?,
                    kind: u.kind,
                    parent: u.parent.as_deref().map(|p| d.unit(p)).transpose()?,
                    on: u.established.unwrap_or(self.records_from),
                    decision: None,
                });
                done.insert(&u.slug);
            }
            if rest.len() == before {
                // Only an undefined (or cyclic) parent leaves units pending.
                let u = rest[0];
                let parent = u.parent.clone().unwrap_or_default();
                d.unit(&parent)?;
                return Err(SeedError::UndefinedSlug {
                    kind: "unit",
                    slug: parent,
                });
            }
            pending = rest;
        }
        for p in &self.people {
            out.push(Command::RegisterPerson {
                person: d.person(&p.slug)?,
                name: Name::new(&p.name)?,
                on: self.records_from,
            });
        }
        for x in &self.decisions {
            let refs = |v: &[String]| -> Result<Vec<DecisionId>, SeedError> {
                v.iter().map(|s| d.decision(s)).collect()
            };
            out.push(Command::RecordDecision {
                decision: d.decision(&x.slug)?,
                number: x.number.clone(),
                kind: x.kind,
                issuer: d.unit(&x.issuer)?,
                signer: x.signer.as_deref().map(|s| d.person(s)).transpose()?,
                signed_on: x.signed_on,
                in_force_on: x.in_force_on,
                title: x.title.clone(),
                amends: refs(&x.amends)?,
                replaces: refs(&x.replaces)?,
                repeals: refs(&x.repeals)?,
            });
        }
        for p in &self.posts {
            let post = d.post(&p.slug)?;
            out.push(Command::CreatePost {
                post,
                title: Name::new(&p.title)?,
                unit: p.unit.as_deref().map(|u| d.unit(u)).transpose()?,
                max_holders: p.max_holders,
                on: self.records_from,
                decision: None,
            });
            for h in &p.holders {
                out.push(Command::AppointToPost {
                    post,
                    holding: HoldingId::from_slug(&format!("{}/{}", p.slug, h.person))?,
                    person: d.person(&h.person)?,
                    from: h.from.unwrap_or(self.records_from),
                    ended_on: h.ended_on,
                    decision: None,
                });
            }
        }
        for c in &self.committees {
            out.push(Command::EstablishCommittee {
                committee: d.committee(&c.slug)?,
                name: Name::new(&c.name)?,
                parent: c.parent.as_deref().map(|p| d.committee(p)).transpose()?,
                unit: c.unit.as_deref().map(|u| d.unit(u)).transpose()?,
                on: c.established,
                decision: d.decision(&c.decision)?,
                duties: c.duties.clone(),
            });
        }
        for r in &self.reconstitutions {
            let seats = |committee: &str, seats: &[SeedSeat]| -> Result<Vec<SeatSpec>, SeedError> {
                seats
                    .iter()
                    .map(|s| {
                        Ok(SeatSpec {
                            seat: Self::seat_id(committee, &s.slug)?,
                            role: s.role,
                            on_behalf_of: s
                                .on_behalf_of
                                .as_deref()
                                .map(|u| d.unit(u))
                                .transpose()?,
                            ex_officio: s.ex_officio.as_deref().map(|p| d.post(p)).transpose()?,
                            label: s.label.clone(),
                            holder: match &s.holder {
                                Some(p) => Some(SeatHolder {
                                    membership: Self::membership_id(
                                        committee,
                                        &s.slug,
                                        &r.decision,
                                    )?,
                                    person: d.person(p)?,
                                }),
                                None => None,
                            },
                        })
                    })
                    .collect()
            };
            out.push(Command::Reconstitute {
                committee: d.committee(&r.committee)?,
                on: r.on,
                decision: d.decision(&r.decision)?,
                seats: seats(&r.committee, &r.seats)?,
                sub_bodies: r
                    .sub_bodies
                    .iter()
                    .map(|b| {
                        Ok(SubBodySpec {
                            committee: d.committee(&b.committee)?,
                            seats: seats(&b.committee, &b.seats)?,
                        })
                    })
                    .collect::<Result<_, SeedError>>()?,
            });
        }
        for t in &self.tasks {
            let assignment = match &t.lead {
                Some(lead) => Some(Assignment {
                    lead: d.unit(lead)?,
                    cooperating: t
                        .cooperating
                        .iter()
                        .map(|u| d.unit(u))
                        .collect::<Result<_, _>>()?,
                    responsible: t.responsible.as_deref().map(|p| d.person(p)).transpose()?,
                }),
                None => None,
            };
            out.push(Command::CreateTask {
                task: TaskId::from_slug(&t.slug)?,
                plan: t.plan.as_deref().map(|p| d.decision(p)).transpose()?,
                title: t.title.clone(),
                product: t.product.clone(),
                deadline: t.deadline,
                assignment,
                on: t.created,
            });
        }
        Ok(out)
    }
}
