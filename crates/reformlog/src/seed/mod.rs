//! The human-edited seed/import file (TOML or JSON): its format, and its translation into
//! commands.
//!
//! Entities are named by slugs; `from_slug` turns each into a stable id of its kind, so
//! re-importing a file addresses the same entities. Seat slugs are scoped by committee and
//! membership ids by committee, seat and decision, so a file stays short to write. Format 1
//! holds sections of entities (units, people, decisions, posts and their holders,
//! committees, reconstitutions, tasks), translated in that dependency order; format 2 adds
//! `[[changes]]`, dated entries applied in file order after the sections.

mod change_commands;
mod changes;
mod context;
mod late;
mod refs;
mod sections;
mod slugs;

pub use changes::{SeedChange, SeedMove};
pub use context::{Origin, Translation};
pub use sections::{
    SeedCommittee, SeedDecision, SeedHolder, SeedPerson, SeedPost, SeedReconstitution, SeedSeat,
    SeedSubBody, SeedTask, SeedUnit,
};

use crate::command::Command;
use crate::date::Date;
use crate::ids::{DecisionId, HoldingId, IdError, MembershipId, SeatId};
use crate::model::DecisionKind;
use crate::payload::{
    CommitteeCharter, DecisionLink, DecisionRecord, PersonName, PostAppointment, PostCreation,
    TaskCreation, UnitEstablishment,
};
use crate::text::{Name, NameError};
use context::{header_lines, Defined, SHEET_ROW};
pub(crate) use refs::Refs;
use serde::Deserialize;
use slugs::{created_id, definitions};
use std::collections::HashSet;

/// Why a seed file could not be read or translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The text is not a valid seed file (TOML syntax, an unknown key, a wrong type); the parser's
    /// message.
    #[error("the seed file is not valid: {0}")]
    Syntax(String),
    /// A reference names a slug that no file of the import defines.
    #[error("{kind} slug {slug:?} is used but not defined in the file (nor in an earlier file of the import)")]
    UndefinedSlug {
        /// What the slug should name: `unit`, `person`, `decision`, `post`, `committee`, `seat` or
        /// `task`.
        kind: &'static str,
        /// The slug.
        slug: String,
    },
    /// The same slug is defined twice.
    #[error("{kind} slug {slug:?} is defined twice")]
    DuplicateSlug {
        /// What the slug names.
        kind: &'static str,
        /// The slug.
        slug: String,
    },
    /// One slug is defined twice with different content, in one file or across the import's files.
    #[error("{kind} slug {slug:?} {reason}: first at {first}, again at {second}")]
    Redefined {
        /// What the slug names: `unit`, `person`, `decision`, `post`, `committee` or `task`.
        kind: &'static str,
        /// The slug.
        slug: String,
        /// How the two definitions differ ("is defined twice", "is defined differently in two
        /// files").
        reason: String,
        /// Where it is first defined (file, line, section, index).
        first: String,
        /// Where it is defined again.
        second: String,
    },
    /// A change ends or moves something no file of the import opens (a holding, a membership).
    #[error("nothing to end or move: {what}")]
    NothingOpen {
        /// What was looked for, in words.
        what: String,
    },
    /// The file's `format` is neither 1 nor 2.
    #[error("format {0} is not known; this version reads formats 1 and 2")]
    UnknownFormat(u32),
    /// A format 1 file has `[[changes]]` entries.
    #[error("[[changes]] entries need `format = 2` at the top of the file")]
    ChangesNeedFormat2,
    /// A section entry cites a decision recorded only after a later change establishes its issuer
    /// or signer.
    #[error(
        "decision {decision:?} is recorded after {after}, which establishes its issuer or signer; \
         an entry citing it must be a [[changes]] entry after that one"
    )]
    DecisionRecordedLater {
        /// The slug of the decision cited.
        decision: String,
        /// The `[[changes]]` entry after which it is recorded.
        after: String,
    },
    /// A decision's `kind` is absent and its number does not tell it.
    #[error("decision {number:?}: the kind cannot be told from the number; give `kind`")]
    KindUnknown {
        /// The decision's number.
        number: String,
    },
    /// A name is empty or holds characters no name may hold.
    #[error("bad name: {0}")]
    Name(#[from] NameError),
    /// A slug does not make a valid id.
    #[error("bad id: {0}")]
    Id(#[from] IdError),
    /// Any of the above, at the entry that caused it.
    #[error("{at}: {error}")]
    At {
        /// Where the entry is.
        at: Origin,
        /// What is wrong with it.
        error: Box<SeedError>,
    },
    /// A `[[decisions]]` entry gives `url_note` but no `url`.
    #[error("url_note is given without a url: give the link it describes, or leave both out")]
    NoteWithoutUrl,
}

/// A parsed seed file. See `tests/data/seed-decision-34.toml` for a commented example.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The format version: 1 (the default) or 2 (adds `[[changes]]`).
    pub format: Option<u32>,
    /// Date used where the source states none: units, people and posts are taken to exist,
    /// and holders to hold their posts, from this date.
    pub records_from: Date,
    /// Format 1's `[[units]]`: ministries, departments, authorities and other bodies.
    #[serde(default)]
    pub units: Vec<SeedUnit>,
    /// `[[people]]`: the people the file names.
    #[serde(default)]
    pub people: Vec<SeedPerson>,
    /// `[[decisions]]`: the legal documents the file cites (decisions, plans, decrees, …).
    #[serde(default)]
    pub decisions: Vec<SeedDecision>,
    /// `[[posts]]`: positions such as "Thứ trưởng", with their holders.
    #[serde(default)]
    pub posts: Vec<SeedPost>,
    /// `[[committees]]`: committees and their sub-bodies, each established by a decision.
    #[serde(default)]
    pub committees: Vec<SeedCommittee>,
    /// `[[reconstitutions]]`: whole compositions of a committee from a date ("kiện toàn").
    #[serde(default)]
    pub reconstitutions: Vec<SeedReconstitution>,
    /// `[[tasks]]`: reform tasks, each usually in a plan.
    #[serde(default)]
    pub tasks: Vec<SeedTask>,
    /// Format 2: dated changes, applied in file order after the sections.
    #[serde(default)]
    pub changes: Vec<SeedChange>,
    /// The line of each entry's table header, per section, when parsed from TOML.
    #[serde(skip)]
    lines: Vec<(&'static str, Vec<usize>)>,
    /// Read from a spreadsheet: `lines` are its rows.
    #[serde(skip)]
    rows: bool,
}

const SECTIONS: [&str; 8] = [
    "units",
    "people",
    "decisions",
    "posts",
    "committees",
    "reconstitutions",
    "tasks",
    "changes",
];

impl Seed {
    /// Parses a seed file's text (TOML).
    pub fn parse(text: &str) -> Result<Self, SeedError> {
        let mut seed: Seed = toml::from_str(text).map_err(|e| SeedError::Syntax(e.to_string()))?;
        seed.lines = SECTIONS
            .iter()
            .map(|section| (*section, header_lines(text, section)))
            .collect();
        Ok(seed)
    }

    /// Tasks read from a spreadsheet, each with its row: translated as a format 1 file of
    /// `[[tasks]]`, each entry named in messages by its row (`FILE, row 7`), where `FILE` is
    /// the name given to [`Seed::translate`].
    pub fn from_rows(records_from: Date, rows: Vec<(usize, SeedTask)>) -> Self {
        let (lines, tasks) = rows.into_iter().unzip();
        Seed {
            format: Some(1),
            records_from,
            units: Vec::new(),
            people: Vec::new(),
            decisions: Vec::new(),
            posts: Vec::new(),
            committees: Vec::new(),
            reconstitutions: Vec::new(),
            tasks,
            changes: Vec::new(),
            lines: vec![("tasks", lines)],
            rows: true,
        }
    }

    /// The id of the seat `seat` of committee `committee` (both slugs).
    pub fn seat_id(committee: &str, seat: &str) -> Result<SeatId, IdError> {
        SeatId::from_slug(&format!("{committee}/{seat}"))
    }

    /// The id of the membership a reconstitution (or an appointment, a replacement, a move)
    /// by `decision` gives seat `seat`.
    pub fn membership_id(
        committee: &str,
        seat: &str,
        decision: &str,
    ) -> Result<MembershipId, IdError> {
        MembershipId::from_slug(&format!("{committee}/{seat}/{decision}"))
    }

    /// The commands that record everything in the file, in an order that satisfies every
    /// reference: the file on its own.
    pub fn commands(&self) -> Result<Vec<Command>, SeedError> {
        self.commands_in("", &mut Translation::new())
    }

    /// The commands of this file (named `file` in messages) as one of several translated
    /// with `t`, in order: what an earlier file defined identically is not repeated, and
    /// references may name what an earlier file defined.
    pub fn commands_in(&self, file: &str, t: &mut Translation) -> Result<Vec<Command>, SeedError> {
        Ok(self
            .translate(file, t)?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    /// As [`Seed::commands_in`], each command with the entry it comes from.
    pub fn translate(
        &self,
        file: &str,
        t: &mut Translation,
    ) -> Result<Vec<(Origin, Command)>, SeedError> {
        match self.format.unwrap_or(1) {
            1 if !self.changes.is_empty() => return Err(SeedError::ChangesNeedFormat2),
            1 | 2 => {}
            other => return Err(SeedError::UnknownFormat(other)),
        }
        let origin = |section: &'static str, index: usize| Origin {
            file: file.to_owned(),
            line: self
                .lines
                .iter()
                .find(|(s, _)| *s == section)
                .and_then(|(_, lines)| lines.get(index).copied()),
            section: if self.rows { SHEET_ROW } else { section },
            index: index + 1,
        };
        // Every slug this file defines, checked for duplicates, then visible to every entry.
        let mut refs = Refs {
            defined: t.defined_slugs(),
        };
        let mut seen: std::collections::HashMap<(&'static str, &str), Origin> =
            std::collections::HashMap::new();
        for (kind, slug, section, index) in definitions(self) {
            let here = origin(section, index - 1);
            if let Some(first) = seen.get(&(kind, slug)) {
                return Err(SeedError::Redefined {
                    kind,
                    slug: slug.to_owned(),
                    reason: "is defined twice".to_owned(),
                    first: first.to_string(),
                    second: here.to_string(),
                });
            }
            seen.insert((kind, slug), here);
            refs.defined.insert((kind, slug.to_owned()));
        }

        let mut out = Vec::new();
        let mut emit = |t: &mut Translation,
                        at: Origin,
                        entity: Option<(&'static str, &str)>,
                        commands: Result<Vec<Command>, SeedError>|
         -> Result<(), SeedError> {
            let wrap = |error: SeedError| SeedError::At {
                at: at.clone(),
                error: Box::new(error),
            };
            let commands = commands.map_err(wrap)?;
            let key = match entity {
                // By id, not slug: a task named by its id in one file (a sheet reformctl
                // exported) and by its slug in another is one entity.
                Some((kind, slug)) => match commands.first().and_then(created_id) {
                    Some(id) => format!("{kind}:{id}"),
                    None => format!("{kind}:{slug}"),
                },
                None => commands
                    .iter()
                    .map(|c| c.change_key().map_err(|e| SeedError::Syntax(e.to_string())))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(wrap)?
                    .join("+"),
            };
            let (kind, slug) = entity.unwrap_or(("change", ""));
            match t.define(kind, &key, slug, &at, &commands).map_err(wrap)? {
                Defined::Again => {}
                Defined::New => {
                    if let Some((kind, slug)) = entity {
                        if let Some(id) = commands.first().and_then(created_id) {
                            t.name(id, kind, slug);
                        }
                    }
                    for c in &commands {
                        t.follow(c);
                    }
                    out.extend(commands.into_iter().map(|c| (at.clone(), c)));
                }
            }
            Ok(())
        };

        // Parents before children, whatever order the file lists units in.
        let mut pending: Vec<(usize, &SeedUnit)> = self.units.iter().enumerate().collect();
        let mut done: HashSet<&str> = HashSet::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for (i, u) in pending {
                let parent_pending = u
                    .parent
                    .as_deref()
                    .is_some_and(|p| !done.contains(p) && self.units.iter().any(|x| x.slug == p));
                if parent_pending {
                    rest.push((i, u));
                    continue;
                }
                let command = (|| {
                    Ok(vec![Command::EstablishUnit(UnitEstablishment {
                        unit: refs.unit(&u.slug)?,
                        name: Name::new(&u.name)?,
                        kind: u.kind,
                        parent: u.parent.as_deref().map(|p| refs.unit(p)).transpose()?,
                        on: u.established.unwrap_or(self.records_from),
                        decision: None,
                    })])
                })();
                emit(t, origin("units", i), Some(("unit", &u.slug)), command)?;
                done.insert(&u.slug);
            }
            if rest.len() == before {
                // Only a cycle of parents leaves units pending.
                let (i, u) = rest[0];
                return Err(SeedError::At {
                    at: origin("units", i),
                    error: Box::new(SeedError::UndefinedSlug {
                        kind: "unit",
                        slug: u.parent.clone().unwrap_or_default(),
                    }),
                });
            }
            pending = rest;
        }
        for (i, p) in self.people.iter().enumerate() {
            let command = (|| {
                Ok(vec![Command::RegisterPerson(PersonName {
                    person: refs.person(&p.slug)?,
                    name: Name::new(&p.name)?,
                    on: self.records_from,
                })])
            })();
            emit(t, origin("people", i), Some(("person", &p.slug)), command)?;
        }
        let late = late::late_decisions(self);
        let change_at = |i: usize| origin("changes", i).to_string();
        let mut deferred: Vec<(usize, usize, Result<Vec<Command>, SeedError>)> = Vec::new();
        for (i, x) in self.decisions.iter().enumerate() {
            let cited = x.amends.iter().chain(&x.replaces).chain(&x.repeals);
            for c in cited {
                late::check_cited(&late, c, change_at).map_err(|error| SeedError::At {
                    at: origin("decisions", i),
                    error: Box::new(error),
                })?;
            }
            let command = (|| {
                let list = |v: &[String]| -> Result<Vec<DecisionId>, SeedError> {
                    v.iter().map(|s| refs.decision(s)).collect()
                };
                let decision = refs.decision(&x.slug)?;
                let mut list = vec![Command::RecordDecision(DecisionRecord {
                    decision,
                    number: x.number.clone(),
                    kind: match x.kind {
                        Some(kind) => kind,
                        None => DecisionKind::from_number(&x.number).ok_or_else(|| {
                            SeedError::KindUnknown {
                                number: x.number.clone(),
                            }
                        })?,
                    },
                    issuer: refs.unit(&x.issuer)?,
                    signer: x.signer.as_deref().map(|s| refs.person(s)).transpose()?,
                    signed_on: x.signed_on,
                    in_force_on: x.in_force_on,
                    title: x.title.clone(),
                    amends: list(&x.amends)?,
                    replaces: list(&x.replaces)?,
                    repeals: list(&x.repeals)?,
                })];
                match (&x.url, &x.url_note) {
                    (Some(url), note) => list.push(Command::LinkDecision(DecisionLink {
                        decision,
                        url: url.clone(),
                        note: note.clone(),
                        on: x.signed_on,
                    })),
                    (None, Some(_)) => return Err(SeedError::NoteWithoutUrl),
                    (None, None) => {}
                }
                Ok(list)
            })();
            match late.get(x.slug.as_str()) {
                Some(&after) => deferred.push((after, i, command)),
                None => emit(
                    t,
                    origin("decisions", i),
                    Some(("decision", &x.slug)),
                    command,
                )?,
            }
        }
        let early = |section: &'static str, i: usize, cited: &str| {
            late::check_cited(&late, cited, change_at).map_err(|error| SeedError::At {
                at: origin(section, i),
                error: Box::new(error),
            })
        };
        for (i, p) in self.posts.iter().enumerate() {
            let mut holdings = HashSet::new();
            let commands = (|| {
                let post = refs.post(&p.slug)?;
                let mut list = vec![Command::CreatePost(PostCreation {
                    post,
                    title: Name::new(&p.title)?,
                    unit: p.unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                    max_holders: p.max_holders,
                    on: self.records_from,
                    decision: None,
                })];
                for h in &p.holders {
                    let from = h.from.unwrap_or(self.records_from);
                    let mut holding = HoldingId::from_slug(&format!("{}/{}", p.slug, h.person))?;
                    if !holdings.insert(holding) {
                        holding = HoldingId::from_slug(&format!("{}/{}/{from}", p.slug, h.person))?;
                    }
                    list.push(Command::AppointToPost(PostAppointment {
                        post,
                        holding,
                        person: refs.person(&h.person)?,
                        from,
                        ended_on: h.ended_on,
                        decision: None,
                    }));
                }
                Ok(list)
            })();
            emit(t, origin("posts", i), Some(("post", &p.slug)), commands)?;
        }
        for (i, c) in self.committees.iter().enumerate() {
            early("committees", i, &c.decision)?;
            let command = (|| {
                Ok(vec![Command::EstablishCommittee(CommitteeCharter {
                    committee: refs.committee(&c.slug)?,
                    name: Name::new(&c.name)?,
                    parent: c.parent.as_deref().map(|p| refs.committee(p)).transpose()?,
                    unit: c.unit.as_deref().map(|u| refs.unit(u)).transpose()?,
                    on: c.established,
                    decision: refs.decision(&c.decision)?,
                    duties: c.duties.clone(),
                })])
            })();
            emit(
                t,
                origin("committees", i),
                Some(("committee", &c.slug)),
                command,
            )?;
        }
        for (i, r) in self.reconstitutions.iter().enumerate() {
            early("reconstitutions", i, &r.decision)?;
            let command = refs
                .reconstitution(&r.committee, &r.decision, r.on, &r.seats, &r.sub_bodies)
                .map(|c| vec![c]);
            emit(t, origin("reconstitutions", i), None, command)?;
        }
        for (i, task) in self.tasks.iter().enumerate() {
            if let Some(plan) = &task.plan {
                early("tasks", i, plan)?;
            }
            let command = (|| {
                Ok(vec![Command::CreateTask(TaskCreation {
                    task: refs.task(&task.slug)?,
                    plan: task.plan.as_deref().map(|p| refs.decision(p)).transpose()?,
                    title: task.title.clone(),
                    product: task.product.clone(),
                    deadline: task.deadline,
                    assignment: match &task.lead {
                        Some(lead) => {
                            Some(refs.assignment(lead, &task.cooperating, &task.responsible)?)
                        }
                        None => None,
                    },
                    on: task.created,
                })])
            })();
            emit(t, origin("tasks", i), Some(("task", &task.slug)), command)?;
        }
        for (i, change) in self.changes.iter().enumerate() {
            // The change sees what the earlier ones left open.
            let commands = change.commands(&refs, t);
            emit(t, origin("changes", i), change.defines(), commands)?;
            for (_, d, command) in deferred.iter_mut().filter(|(after, _, _)| *after == i) {
                let command = std::mem::replace(command, Ok(Vec::new()));
                let x = &self.decisions[*d];
                emit(
                    t,
                    origin("decisions", *d),
                    Some(("decision", &x.slug)),
                    command,
                )?;
            }
        }
        Ok(out)
    }
}
