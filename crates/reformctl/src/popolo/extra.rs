//! What an imported document carries that the import does not keep, as notes: fields with no
//! place in reformlog (by collection and name, with how many records have them), names with no
//! date, identifiers of other schemes, and links in the sources of records that cite no
//! decision to keep them on.

use std::collections::BTreeMap;

use super::{Document, Extra, Identifier, NUMBER_SCHEME, SCHEME};

/// The records of one collection that carry something not kept, by what: (count, first id).
#[derive(Default)]
struct Tally(BTreeMap<String, (usize, String)>);

impl Tally {
    fn add(&mut self, what: String, id: &str) {
        let entry = self.0.entry(what).or_insert_with(|| (0, id.to_string()));
        entry.0 += 1;
    }

    fn extra(&mut self, extra: &Extra, id: &str) {
        for field in extra.keys() {
            self.add(format!("field {field:?}"), id);
        }
    }

    fn identifiers(&mut self, identifiers: &[Identifier], id: &str, own: &[&str]) {
        for i in identifiers {
            let scheme = i.scheme.as_deref().unwrap_or("");
            if !own.contains(&scheme) {
                self.add(format!("identifier of scheme {scheme:?}"), id);
            }
        }
    }

    /// The records of this collection with a link not kept: a link is kept on a decision, so
    /// a record that names none, or a source that is no web link, has nowhere to keep it.
    fn unplaced(&mut self, collection: &str, unplaced: &[(&'static str, String, &'static str)]) {
        for (_, id, why) in unplaced.iter().filter(|(c, _, _)| *c == collection) {
            self.add((*why).to_string(), id);
        }
    }
}

/// One note per thing `doc` carries that the import does not keep.
pub(crate) fn not_kept(
    doc: &Document,
    unplaced: &[(&'static str, String, &'static str)],
) -> Vec<String> {
    let mut notes: Vec<String> = doc
        .extra
        .keys()
        .map(|k| format!("Popolo: {k:?} is not read"))
        .collect();
    let mut all: Vec<(&str, Tally)> = Vec::new();
    let mut t = Tally::default();
    for p in &doc.persons {
        t.extra(&p.extra, &p.id);
        t.identifiers(&p.identifiers, &p.id, &[SCHEME]);
        if p.other_names.iter().any(|n| n.start_date.is_none()) {
            t.add("other name without a start_date".into(), &p.id);
        }
    }
    all.push(("persons", t));
    let mut t = Tally::default();
    for o in &doc.organizations {
        t.extra(&o.extra, &o.id);
        t.identifiers(&o.identifiers, &o.id, &[SCHEME]);
    }
    t.unplaced("organizations", unplaced);
    all.push(("organizations", t));
    let mut t = Tally::default();
    for p in &doc.posts {
        t.extra(&p.extra, &p.id);
    }
    t.unplaced("posts", unplaced);
    all.push(("posts", t));
    let mut t = Tally::default();
    for m in &doc.memberships {
        let id = super::ids::membership_key(m);
        t.extra(&m.extra, &id);
    }
    t.unplaced("memberships", unplaced);
    all.push(("memberships", t));
    let mut t = Tally::default();
    for e in &doc.events {
        t.extra(&e.extra, &e.id);
        t.identifiers(&e.identifiers, &e.id, &[SCHEME, NUMBER_SCHEME, ""]);
    }
    t.unplaced("events", unplaced);
    all.push(("events", t));
    for (collection, tally) in all {
        for (what, (count, first)) in tally.0 {
            notes.push(format!(
                "Popolo {collection}: {what} not kept ({count} records, first {first:?})"
            ));
        }
    }
    notes
}
