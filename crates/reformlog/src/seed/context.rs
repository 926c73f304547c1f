//! What a translation of seed files knows as it goes, file after file: the entities each
//! file defined (and where), and which memberships and post holdings are open, so a later
//! change can name a seat or a person instead of an id.

use super::SeedError;
use crate::command::Command;
use crate::ids::{CommitteeId, HoldingId, MembershipId, PersonId, PostId, SeatId};
use crate::payload::{
    CommitteeDissolution, MembershipEnd, MembershipStart, PostAbolition, PostAppointment,
    PostDeparture, SeatAbolition,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Where in the files an entry is: the file, its line when it can be told, and the entry's
/// place in its section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file's name as the caller gave it (empty for text given without one).
    pub file: String,
    /// The 1-based line of the entry's table header, when the file has one per entry.
    pub line: Option<usize>,
    /// The section, e.g. `units` or `changes`.
    pub section: &'static str,
    /// The entry's 1-based place in its section.
    pub index: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file.is_empty() {
            "the file"
        } else {
            self.file.as_str()
        };
        match self.line {
            // A spreadsheet's rows are what its reader sees, and the file names its sheet.
            Some(line) if self.section == SHEET_ROW => write!(f, "{file}, row {line}"),
            Some(line) => write!(f, "{file}:{line} ({} #{})", self.section, self.index),
            None => write!(f, "{file} ({} #{})", self.section, self.index),
        }
    }
}

/// The section of an entry read from a spreadsheet row (`Seed::from_rows`).
pub(crate) const SHEET_ROW: &str = "row";

/// An entry's definition: where it was, and the commands that record it.
#[derive(Clone, Debug)]
struct Definition {
    origin: Origin,
    commands: Vec<Command>,
}

/// The state of a translation across files.
///
/// Give the same `Translation` to [`crate::Seed::commands_in`] for every file of one
/// import, in order: an entity defined identically in two files is recorded once, one
/// defined differently is an error naming both places, and a change in a later file may
/// name what an earlier one recorded.
#[derive(Clone, Debug, Default)]
pub struct Translation {
    defined: BTreeMap<String, Definition>,
    slugs: HashSet<(&'static str, String)>,
    /// Open personal memberships: (committee, seat) to (membership, person).
    seats: HashMap<(CommitteeId, SeatId), (MembershipId, PersonId)>,
    /// Seats per committee, for reconstitutions and dissolutions.
    committee_seats: HashMap<CommitteeId, Vec<SeatId>>,
    /// Open post holdings: (post, person) to holding.
    holdings: HashMap<(PostId, PersonId), HoldingId>,
    /// Holding ids used so far, so a second holding of the same post gets a new one.
    used_holdings: HashSet<HoldingId>,
    /// Membership ids used so far, so a second change to one seat by one decision gets a
    /// new one.
    used_memberships: HashSet<MembershipId>,
    /// Every slug seen per kind, to name ids in messages by what the clerk wrote.
    names: HashMap<uuid::Uuid, (&'static str, String)>,
}

/// What `define` found.
pub(crate) enum Defined {
    /// The first definition: record it.
    New,
    /// The same definition again: recorded already.
    Again,
}

impl Translation {
    /// An empty translation: nothing defined yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that the entry at `origin` records `commands`, known by `key` (its entity's
    /// kind and slug, or its changes' keys).
    pub(crate) fn define(
        &mut self,
        kind: &'static str,
        key: &str,
        slug: &str,
        origin: &Origin,
        commands: &[Command],
    ) -> Result<Defined, SeedError> {
        if let Some(first) = self.defined.get(key) {
            if first.commands == commands {
                return Ok(Defined::Again);
            }
            let reason = if first.origin.file == origin.file {
                "is recorded twice, differently".to_owned()
            } else {
                "is defined differently in two files".to_owned()
            };
            return Err(SeedError::Redefined {
                kind,
                slug: if slug.is_empty() {
                    key.to_owned()
                } else {
                    slug.to_owned()
                },
                reason,
                first: first.origin.to_string(),
                second: origin.to_string(),
            });
        }
        if !slug.is_empty() {
            self.slugs.insert((kind, slug.to_owned()));
        }
        self.defined.insert(
            key.to_owned(),
            Definition {
                origin: origin.clone(),
                commands: commands.to_vec(),
            },
        );
        Ok(Defined::New)
    }

    /// The entity slugs earlier files defined, per kind.
    pub(crate) fn defined_slugs(&self) -> HashSet<(&'static str, String)> {
        self.slugs.clone()
    }

    /// The kind and slug the files gave the entity `id`, when one of them defined it.
    pub fn slug_of(&self, id: uuid::Uuid) -> Option<(&'static str, &str)> {
        self.names
            .get(&id)
            .map(|(kind, slug)| (*kind, slug.as_str()))
    }

    /// Remembers the slug behind an id, for messages.
    pub(crate) fn name(&mut self, id: uuid::Uuid, kind: &'static str, slug: &str) {
        self.names.insert(id, (kind, slug.to_owned()));
    }

    /// `text` with every id this translation made replaced by the slug the files gave it, so
    /// that a message about an entity names it as the clerk wrote it.
    pub fn describe(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (id, (kind, slug)) in &self.names {
            let id = id.to_string();
            if out.contains(&id) {
                // Stream names read `committee-<id>`; a bare id stands after its kind's word.
                out = out
                    .replace(&format!("{kind}-{id}"), &format!("{kind} \"{slug}\""))
                    .replace(&id, &format!("\"{slug}\""));
            }
        }
        out
    }

    /// The open membership of a seat.
    pub(crate) fn holder_of(&self, committee: CommitteeId, seat: SeatId) -> Option<MembershipId> {
        self.seats.get(&(committee, seat)).map(|(m, _)| *m)
    }

    /// The open membership of a person in a committee.
    pub(crate) fn membership_of(
        &self,
        committee: CommitteeId,
        person: PersonId,
    ) -> Option<(SeatId, MembershipId)> {
        self.seats
            .iter()
            .find(|((c, _), (_, p))| *c == committee && *p == person)
            .map(|((_, s), (m, _))| (*s, *m))
    }

    /// The open holding of a post by a person.
    pub(crate) fn holding_of(&self, post: PostId, person: PersonId) -> Option<HoldingId> {
        self.holdings.get(&(post, person)).copied()
    }

    /// A holding id not used yet for this post and person: the first one's slug is
    /// `post/person` (as format 1 files make it), later ones add the start date.
    pub(crate) fn new_holding(
        &self,
        post_slug: &str,
        person_slug: &str,
        from: crate::date::Date,
    ) -> Result<HoldingId, SeedError> {
        let first = HoldingId::from_slug(&format!("{post_slug}/{person_slug}"))?;
        if !self.used_holdings.contains(&first) {
            return Ok(first);
        }
        Ok(HoldingId::from_slug(&format!(
            "{post_slug}/{person_slug}/{from}"
        ))?)
    }

    /// A membership id not used yet: `committee/seat/decision` (as reconstitutions make
    /// them), or with the date and the person added when the decision changed the seat
    /// before.
    pub(crate) fn new_membership(
        &self,
        committee: &str,
        seat: &str,
        decision: &str,
        on: crate::date::Date,
        person: &str,
    ) -> Result<MembershipId, SeedError> {
        let first = super::Seed::membership_id(committee, seat, decision)?;
        if !self.used_memberships.contains(&first) {
            return Ok(first);
        }
        Ok(MembershipId::from_slug(&format!(
            "{committee}/{seat}/{decision}/{on}/{person}"
        ))?)
    }

    /// Follows a command's effect on open memberships and holdings.
    pub(crate) fn follow(&mut self, command: &Command) {
        use Command as C;
        self.note_memberships(command);
        match command {
            C::AppointToPost(PostAppointment {
                post,
                holding,
                person,
                ended_on,
                ..
            }) => {
                self.used_holdings.insert(*holding);
                if ended_on.is_none() {
                    self.holdings.insert((*post, *person), *holding);
                }
            }
            C::EndPostHolding(PostDeparture { post, holding, .. }) => {
                self.holdings
                    .retain(|(p, _), h| !(*p == *post && *h == *holding));
            }
            C::AbolishPost(PostAbolition { post, .. }) => {
                self.holdings.retain(|(p, _), _| p != post)
            }
            C::CreateSeat {
                committee, spec, ..
            } => {
                self.committee_seats
                    .entry(*committee)
                    .or_default()
                    .push(spec.seat);
                if let Some(h) = &spec.holder {
                    self.seats
                        .insert((*committee, spec.seat), (h.membership, h.person));
                }
            }
            C::AbolishSeat(SeatAbolition {
                committee, seat, ..
            }) => {
                self.seats.remove(&(*committee, *seat));
            }
            C::StartMembership(MembershipStart {
                committee,
                membership,
                seat,
                person,
                ended_on: None,
                ..
            }) => {
                self.seats
                    .insert((*committee, *seat), (*membership, *person));
            }
            C::EndMembership(MembershipEnd {
                committee,
                membership,
                ..
            }) => self
                .seats
                .retain(|(c, _), (m, _)| !(*c == *committee && *m == *membership)),
            C::ReplaceSeatHolder {
                committee,
                seat,
                membership,
                person,
                ..
            } => {
                self.seats
                    .insert((*committee, *seat), (*membership, *person));
            }
            C::MoveMember {
                committee,
                from_membership,
                to_seat,
                membership,
                ..
            } => {
                let person = self
                    .seats
                    .iter()
                    .find(|(_, (m, _))| m == from_membership)
                    .map(|(_, (_, p))| *p);
                self.seats.retain(|_, (m, _)| m != from_membership);
                if let Some(person) = person {
                    self.seats
                        .insert((*committee, *to_seat), (*membership, person));
                }
            }
            C::Reconstitute {
                committee,
                seats,
                sub_bodies,
                ..
            } => {
                let bodies = std::iter::once((*committee, seats))
                    .chain(sub_bodies.iter().map(|b| (b.committee, &b.seats)));
                for (body, specs) in bodies {
                    self.seats.retain(|(c, _), _| *c != body);
                    let list = self.committee_seats.entry(body).or_default();
                    for spec in specs {
                        list.push(spec.seat);
                        if let Some(h) = &spec.holder {
                            self.seats
                                .insert((body, spec.seat), (h.membership, h.person));
                        }
                    }
                }
            }
            C::DissolveCommittee(CommitteeDissolution { committee, .. }) => {
                self.seats.retain(|(c, _), _| c != committee);
            }
            _ => {}
        }
    }
}

impl Translation {
    fn note_memberships(&mut self, command: &Command) {
        use Command as C;
        match command {
            C::CreateSeat { spec, .. } => {
                self.used_memberships
                    .extend(spec.holder.as_ref().map(|h| h.membership));
            }
            C::StartMembership(MembershipStart { membership, .. })
            | C::ReplaceSeatHolder { membership, .. }
            | C::MoveMember { membership, .. } => {
                self.used_memberships.insert(*membership);
            }
            C::Reconstitute {
                seats, sub_bodies, ..
            } => {
                let specs = seats.iter().chain(sub_bodies.iter().flat_map(|b| &b.seats));
                self.used_memberships
                    .extend(specs.filter_map(|s| s.holder.as_ref().map(|h| h.membership)));
            }
            _ => {}
        }
    }
}

/// The 1-based line of each `[[section]]` table header in `text`, in order.
pub(crate) fn header_lines(text: &str, section: &str) -> Vec<usize> {
    let header = format!("[[{section}]]");
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_start();
            line.strip_prefix(header.as_str()).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.is_empty() || rest.starts_with('#')
            })
        })
        .map(|(i, _)| i + 1)
        .collect()
}
