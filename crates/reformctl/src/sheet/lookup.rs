//! What a sheet's cells may name: the units, people and decisions the import's earlier files
//! define, found by slug, by any name the files give them (case- and diacritic-insensitive),
//! by a decision's number, or by id.

use reformlog::{
    fold, Command, Date, DecisionKind, DecisionRecord, PersonName, Translation, UnitEstablishment,
    UnitRenaming,
};
use uuid::Uuid;

/// One entity an earlier file defines.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) slug: String,
    id: Uuid,
    /// Its names (a decision: its number), in the files' order.
    names: Vec<String>,
}

/// A decision an earlier file records, with what a task citing it as its plan needs.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    pub(crate) entry: Entry,
    pub(crate) kind: DecisionKind,
    pub(crate) in_force_on: Date,
}

impl Decision {
    pub(crate) fn number(&self) -> &str {
        self.entry.names.first().map(String::as_str).unwrap_or("")
    }
}

/// The entities of the import so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    units: Vec<Entry>,
    people: Vec<Entry>,
    decisions: Vec<Decision>,
}

fn add_name(list: &mut Vec<Entry>, t: &Translation, id: Uuid, name: &str) {
    if let Some(e) = list.iter_mut().find(|e| e.id == id) {
        if !e.names.iter().any(|n| n == name) {
            e.names.push(name.to_owned());
        }
        return;
    }
    // Entities without a slug (read from Popolo or a log export) cannot be named by a sheet.
    if let Some((_, slug)) = t.slug_of(id) {
        list.push(Entry {
            slug: slug.to_owned(),
            id,
            names: vec![name.to_owned()],
        });
    }
}

impl Known {
    /// Collects what `commands` (the earlier files' commands) define, with the slugs `t`
    /// knows them by.
    pub(crate) fn new<'a>(commands: impl Iterator<Item = &'a Command>, t: &Translation) -> Self {
        let mut k = Known::default();
        for c in commands {
            match c {
                Command::EstablishUnit(UnitEstablishment { unit, name, .. })
                | Command::RenameUnit(UnitRenaming { unit, name, .. }) => {
                    add_name(&mut k.units, t, unit.as_uuid(), name.as_str())
                }
                Command::RegisterPerson(PersonName { person, name, .. })
                | Command::RenamePerson(PersonName { person, name, .. }) => {
                    add_name(&mut k.people, t, person.as_uuid(), name.as_str())
                }
                Command::RecordDecision(DecisionRecord {
                    decision,
                    number,
                    kind,
                    in_force_on,
                    ..
                }) => {
                    let mut list = Vec::new();
                    add_name(&mut list, t, decision.as_uuid(), number);
                    k.decisions.extend(list.into_iter().map(|entry| Decision {
                        entry,
                        kind: *kind,
                        in_force_on: *in_force_on,
                    }));
                }
                _ => {}
            }
        }
        k
    }

    /// The slug of the unit `written` names.
    pub(crate) fn unit(&self, written: &str) -> Result<&str, String> {
        find(&self.units, written, "unit", fold).map(|e| e.slug.as_str())
    }

    /// The slug of the person `written` names.
    pub(crate) fn person(&self, written: &str) -> Result<&str, String> {
        find(&self.people, written, "person", fold).map(|e| e.slug.as_str())
    }

    /// The decision `written` names (slug, number or id), which must be a plan.
    pub(crate) fn plan(&self, written: &str) -> Result<&Decision, String> {
        let entries: Vec<Entry> = self.decisions.iter().map(|d| d.entry.clone()).collect();
        let found = find(&entries, written, "decision", number_key)?;
        let d = self
            .decisions
            .iter()
            .find(|d| d.entry.id == found.id)
            .ok_or_else(|| format!("no decision {written:?}"))?;
        if d.kind != DecisionKind::Plan {
            return Err(format!(
                "{written:?} is decision {}, of kind {:?}, not a plan",
                d.number(),
                d.kind
            ));
        }
        Ok(d)
    }

    /// The plans the import's files record.
    pub(crate) fn plans(&self) -> Vec<&Decision> {
        self.decisions
            .iter()
            .filter(|d| d.kind == DecisionKind::Plan)
            .collect()
    }
}

/// A decision number's key: folded and without spaces, so "1234 / KH-BTTTT" is
/// "1234/KH-BTTTT".
fn number_key(number: &str) -> String {
    fold(number).replace(' ', "")
}

/// By slug, by id, then by name: one entity, or why not.
fn find<'a>(
    list: &'a [Entry],
    written: &str,
    kind: &str,
    key: fn(&str) -> String,
) -> Result<&'a Entry, String> {
    let written = written.trim();
    if let Some(e) = list.iter().find(|e| e.slug == written) {
        return Ok(e);
    }
    if let Ok(id) = Uuid::try_parse(written) {
        if let Some(e) = list.iter().find(|e| e.id == id) {
            return Ok(e);
        }
    }
    let wanted = key(written);
    let matching: Vec<&Entry> = list
        .iter()
        .filter(|e| e.names.iter().any(|n| key(n) == wanted))
        .collect();
    // Folding may make two names alike ("Tổ" and "Tô"): the one written exactly wins.
    let exact: Vec<&Entry> = matching
        .iter()
        .copied()
        .filter(|e| e.names.iter().any(|n| n.trim() == written))
        .collect();
    match (matching.as_slice(), exact.as_slice()) {
        ([one], _) | (_, [one]) => Ok(one),
        ([], _) => Err(format!(
            "no {kind} of this import is named {written:?} (by slug or name); the seed files given before the sheet define them"
        )),
        (several, _) => Err(format!(
            "{written:?} names {} {kind}s: {}; write the slug",
            several.len(),
            several
                .iter()
                .map(|e| format!(
                    "{:?} ({})",
                    e.slug,
                    e.names.first().map(String::as_str).unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entry(slug: &str, names: &[&str]) -> Entry {
        Entry {
            slug: slug.into(),
            id: Uuid::now_v7(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    #[test]
    fn a_unit_is_found_by_slug_name_or_folded_name_and_an_ambiguous_one_is_refused() {
        let units = vec![
            entry("cuc-tin-hoc-hoa", &["Cục Tin học hóa"]),
            entry("van-phong-bo", &["Văn phòng Bộ"]),
            entry("vu-a", &["Vụ Tổ"]),
            entry("vu-b", &["Vụ Tô"]),
        ];
        let slug = |w: &str| find(&units, w, "unit", fold).map(|e| e.slug.clone());
        assert_eq!(slug("van-phong-bo").unwrap(), "van-phong-bo");
        assert_eq!(slug(" Văn phòng Bộ ").unwrap(), "van-phong-bo");
        // The old and the new placement of the tone mark fold alike.
        assert_eq!(slug("Cục Tin học hoá").unwrap(), "cuc-tin-hoc-hoa");
        assert_eq!(slug("CUC TIN HOC HOA").unwrap(), "cuc-tin-hoc-hoa");
        assert_eq!(slug("Vụ Tô").unwrap(), "vu-b");
        let e = slug("Vu To").unwrap_err();
        assert!(e.contains("names 2 units") && e.contains("\"vu-a\""), "{e}");
        let e = slug("Vụ Không Có").unwrap_err();
        assert!(e.contains("no unit"), "{e}");
        let id = units[1].id.to_string();
        assert_eq!(slug(&id).unwrap(), "van-phong-bo");
    }

    #[test]
    fn a_decision_number_matches_without_spaces_or_case() {
        let list = vec![entry("kh-1", &["1234/KH-BTTTT"])];
        assert!(find(&list, "1234 / kh-btttt", "decision", number_key).is_ok());
        assert!(find(&list, "1235/KH-BTTTT", "decision", number_key).is_err());
    }
}
