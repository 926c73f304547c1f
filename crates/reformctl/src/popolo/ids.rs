//! The ids of an imported document: any string id mapped to a UUID (kept when it is one,
//! else a UUIDv5 under a fixed namespace per kind), references checked against what the file
//! defines, and the decision each record cites (its own, or the import-wide `--cite`).

use std::collections::{BTreeMap, HashMap};

use reformlog::DecisionId;
use uuid::Uuid;

use super::error::PopoloError;
use super::{Document, Identifier, Link, Membership, DECISION_URN, NUMBER_SCHEME, SCHEME};

/// The kinds of Popolo record, each with its own id namespace: units and committees are both
/// organizations, seats and unit posts both posts, post holdings and seat memberships both
/// memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Person,
    Organization,
    Post,
    Membership,
    Event,
}

impl Kind {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organization => "organization",
            Self::Post => "post",
            Self::Membership => "membership",
            Self::Event => "event",
        }
    }

    /// The namespace a string id of this kind is hashed under. Fixed forever: re-importing a
    /// file gives the ids an earlier import gave.
    fn namespace(self) -> Uuid {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("urn:reformlog:popolo:{}", self.name()).as_bytes(),
        )
    }

    /// The UUID a string id of this kind maps to: itself when it is a UUID, so an exported
    /// document imports under the ids it was exported with.
    pub(crate) fn map(self, raw: &str) -> Uuid {
        Uuid::parse_str(raw).unwrap_or_else(|_| Uuid::new_v5(&self.namespace(), raw.as_bytes()))
    }
}

/// A record's own id: reformlog's identifier when it carries one, else its `id` mapped.
fn own(kind: Kind, raw: &str, identifiers: &[Identifier]) -> Uuid {
    identifiers
        .iter()
        .filter(|i| i.scheme.as_deref() == Some(SCHEME))
        .find_map(|i| Uuid::parse_str(&i.identifier).ok())
        .unwrap_or_else(|| kind.map(raw))
}

/// The string a membership without an id is known by: its person, place and start, which
/// stay the same when the file is imported again.
pub(crate) fn membership_key(m: &Membership) -> String {
    match &m.id {
        Some(id) => id.clone(),
        None => format!(
            "{}|{}|{}|{}",
            m.person_id,
            m.organization_id.as_deref().unwrap_or(""),
            m.post_id.as_deref().unwrap_or(""),
            m.start_date.as_deref().unwrap_or("")
        ),
    }
}

/// Whether `text` names the decision `number` as a whole: not as the end of a longer number
/// (`134/QĐ-BTTTT` does not name `34/QĐ-BTTTT`) nor the start of one.
fn names_number(text: &str, number: &str) -> bool {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '-');
    !number.is_empty()
        && text.match_indices(number).any(|(at, _)| {
            let before = text.get(..at).and_then(|t| t.chars().next_back());
            let after = text.get(at + number.len()..).and_then(|t| t.chars().next());
            !part(before) && !part(after)
        })
}

/// What the document defines, and the decision `--cite` names.
pub(crate) struct Ids {
    defined: HashMap<(Kind, String), Uuid>,
    /// A decision's number -> its id.
    numbers: BTreeMap<String, Uuid>,
    cite: Option<DecisionId>,
}

impl Ids {
    /// The ids `doc` defines, refused when two records of one kind share one or resolve to
    /// one UUID, and the decision `cite` names (an event of the file by id, number or
    /// reformlog identifier, or any UUID, which an earlier file of the import may record).
    pub(crate) fn new(doc: &Document, cite: Option<&str>) -> Result<Self, PopoloError> {
        let mut ids = Self {
            defined: HashMap::new(),
            numbers: BTreeMap::new(),
            cite: None,
        };
        // Which record of a kind each UUID was first given to: two different ids may resolve
        // to one UUID (one's reformlog identifier, the other's id), which would make them one
        // record.
        let mut owners: HashMap<(Kind, Uuid), String> = HashMap::new();
        let mut define = |kind: Kind, raw: &str, uuid: Uuid| {
            if ids.defined.insert((kind, raw.to_string()), uuid).is_some() {
                return Err(PopoloError::Duplicate {
                    kind: kind.name(),
                    id: raw.to_string(),
                });
            }
            match owners.insert((kind, uuid), raw.to_string()) {
                Some(first) => Err(PopoloError::SameUuid {
                    kind: kind.name(),
                    first,
                    second: raw.to_string(),
                    uuid,
                }),
                None => Ok(()),
            }
        };
        for p in &doc.persons {
            define(
                Kind::Person,
                &p.id,
                own(Kind::Person, &p.id, &p.identifiers),
            )?;
        }
        for o in &doc.organizations {
            let uuid = own(Kind::Organization, &o.id, &o.identifiers);
            define(Kind::Organization, &o.id, uuid)?;
        }
        for p in &doc.posts {
            define(Kind::Post, &p.id, Kind::Post.map(&p.id))?;
        }
        for m in &doc.memberships {
            let key = membership_key(m);
            define(Kind::Membership, &key, Kind::Membership.map(&key))?;
        }
        for e in &doc.events {
            define(Kind::Event, &e.id, own(Kind::Event, &e.id, &e.identifiers))?;
        }
        for e in &doc.events {
            let uuid = own(Kind::Event, &e.id, &e.identifiers);
            for i in e
                .identifiers
                .iter()
                .filter(|i| i.scheme.as_deref() == Some(NUMBER_SCHEME) || i.scheme.is_none())
            {
                ids.numbers.insert(i.identifier.clone(), uuid);
            }
        }
        if let Some(c) = cite {
            let found = ids
                .defined
                .get(&(Kind::Event, c.to_string()))
                .or_else(|| ids.numbers.get(c))
                .copied()
                .or_else(|| Uuid::parse_str(c).ok())
                .ok_or_else(|| PopoloError::UnknownCite(c.to_string()))?;
            ids.cite = Some(DecisionId::from_uuid(found));
        }
        Ok(ids)
    }

    /// The id of a record the file defines.
    pub(crate) fn own(&self, kind: Kind, raw: &str) -> Uuid {
        self.defined
            .get(&(kind, raw.to_string()))
            .copied()
            .unwrap_or_else(|| kind.map(raw))
    }

    /// The id a reference names: a record of the file, or a UUID (an earlier file of the
    /// import may define it; validation checks it is known).
    pub(crate) fn to(
        &self,
        kind: Kind,
        what: &str,
        field: &'static str,
        raw: &str,
    ) -> Result<Uuid, PopoloError> {
        if let Some(uuid) = self.defined.get(&(kind, raw.to_string())) {
            return Ok(*uuid);
        }
        Uuid::parse_str(raw).map_err(|_| PopoloError::Dangling {
            what: what.to_string(),
            field,
            id: raw.to_string(),
            kind: kind.name(),
        })
    }

    /// An optional reference.
    pub(crate) fn to_opt<T>(
        &self,
        kind: Kind,
        what: &str,
        field: &'static str,
        raw: Option<&str>,
        id: fn(Uuid) -> T,
    ) -> Result<Option<T>, PopoloError> {
        raw.map(|r| self.to(kind, what, field, r).map(id))
            .transpose()
    }

    /// The decision a record cites itself: its `decision_id`, else a source citing one of
    /// reformlog's decision URNs, else a source whose note or link names the number of one
    /// of the file's events ("Quyết định 34/QĐ-BTTTT"); a source that ends the record
    /// ("ended by ...") cites nothing here.
    pub(crate) fn cited(
        &self,
        what: &str,
        explicit: Option<&str>,
        sources: &[Link],
    ) -> Result<Option<DecisionId>, PopoloError> {
        let starting: Vec<&Link> = sources
            .iter()
            .filter(|l| !l.note.as_deref().unwrap_or("").starts_with("ended by"))
            .collect();
        let urn = || {
            starting
                .iter()
                .find_map(|l| l.url.strip_prefix(DECISION_URN))
        };
        if let Some(raw) = explicit.or_else(urn) {
            return self
                .to(Kind::Event, what, "decision", raw)
                .map(|u| Some(DecisionId::from_uuid(u)));
        }
        let mut named: Vec<(&str, Uuid)> = Vec::new();
        for l in &starting {
            for (number, id) in &self.numbers {
                let text = [l.note.as_deref().unwrap_or(""), l.url.as_str()];
                if text.iter().any(|t| names_number(t, number)) && !named.iter().any(|n| n.1 == *id)
                {
                    named.push((number, *id));
                }
            }
        }
        match named.as_slice() {
            [] => Ok(None),
            [(_, id)] => Ok(Some(DecisionId::from_uuid(*id))),
            [(a, _), (b, _), ..] => Err(PopoloError::invalid(
                what,
                format!("its sources name two decisions ({a}, {b}); give its decision_id"),
            )),
        }
    }

    /// The decision a record that needs one cites: its own, else the import-wide `--cite`.
    pub(crate) fn decision(
        &self,
        what: &str,
        explicit: Option<&str>,
        sources: &[Link],
    ) -> Result<DecisionId, PopoloError> {
        self.cited(what, explicit, sources)?
            .or(self.cite)
            .ok_or_else(|| PopoloError::NoDecision {
                what: what.to_string(),
            })
    }

    /// The decision an end cites itself (`end_decision_id`).
    pub(crate) fn end_cited(
        &self,
        what: &str,
        explicit: Option<&str>,
    ) -> Result<Option<DecisionId>, PopoloError> {
        self.to_opt(
            Kind::Event,
            what,
            "end_decision_id",
            explicit,
            DecisionId::from_uuid,
        )
    }

    /// The import-wide `--cite`, for an end that needs a decision and cites none.
    pub(crate) fn cite(&self) -> Option<DecisionId> {
        self.cite
    }
}

#[cfg(test)]
mod tests {
    use super::names_number;

    #[test]
    fn a_number_is_named_only_as_a_whole() {
        assert!(names_number("Quyết định 34/QĐ-BTTTT", "34/QĐ-BTTTT"));
        assert!(names_number("34/QĐ-BTTTT (2022)", "34/QĐ-BTTTT"));
        assert!(!names_number("Quyết định 134/QĐ-BTTTT", "34/QĐ-BTTTT"));
        assert!(!names_number("34/QĐ-BTTTT-A", "34/QĐ-BTTTT"));
        assert!(!names_number("Quyết định", ""));
    }
}
