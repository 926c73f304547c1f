//! Sources that link to a decision's published text rather than name a decision: exported from
//! the decision's links, imported as `LinkDecision` on the decision their record cites, each
//! link once however many records carry it.

use std::collections::{HashMap, HashSet};

use reformlog::{Command, Date, DecisionId, DecisionLink, TextLink};

use super::commands::opt_date;
use super::error::PopoloError;
use super::ids::{membership_key, Ids, Kind};
use super::{Document, Link, DECISION_URN};

/// Whether a source links to a text rather than citing one of reformlog's decision URNs.
pub(super) fn is_text_link(l: &Link) -> bool {
    !l.url.starts_with(DECISION_URN)
}

/// Whether a link can be a decision's: an http(s) URL written without spaces (the domain
/// checks the rest, a host among it).
fn is_web(l: &Link) -> bool {
    let lower = l.url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !l.url.chars().any(char::is_whitespace)
}

/// Why a record's link was not kept, as the notes say it.
const CITING_NONE: &str = "source link citing no decision";
const NOT_WEB: &str = "source that is neither a decision nor an http(s) link";

/// Whether a source says it is about the record's end ("ended by ...").
fn about_the_end(l: &Link) -> bool {
    l.note.as_deref().unwrap_or("").starts_with("ended by")
}

/// A decision's links as Popolo sources.
pub(crate) fn sources_of(links: &[TextLink]) -> impl Iterator<Item = Link> + '_ {
    links.iter().map(|l| Link {
        url: l.url.clone(),
        note: l.note.clone(),
    })
}

/// The text links of a document, each on its decision, and the records with a link not kept
/// (collection, record id, why).
pub(super) struct Found {
    pub commands: Vec<Command>,
    pub unplaced: Vec<(&'static str, String, &'static str)>,
}

/// Every text link of `doc` as the command that links its decision: an event's sources link
/// the event; another record's, the decision it cites (its end decision for a source "ended
/// by ..."). Filed under the decision's signing day when the file has the decision, else the
/// record's start.
pub(super) fn link_commands(doc: &Document, ids: &Ids) -> Result<Found, PopoloError> {
    let mut signed: HashMap<DecisionId, Date> = HashMap::new();
    for e in &doc.events {
        let what = format!("event {}", e.id);
        let on = opt_date(&format!("{what} signed_on"), e.signed_on.as_deref())?;
        let on = match on {
            Some(on) => on,
            None => super::commands::date(&format!("{what} start_date"), Some(&e.start_date))?,
        };
        signed.insert(DecisionId::from_uuid(ids.own(Kind::Event, &e.id)), on);
    }
    let mut commands = Vec::new();
    let mut unplaced = Vec::new();
    let mut seen: HashSet<(DecisionId, String)> = HashSet::new();
    let mut add = |decision: DecisionId, fallback: Option<Date>, l: &Link| -> bool {
        let Some(on) = signed.get(&decision).copied().or(fallback) else {
            return false;
        };
        if seen.insert((decision, l.url.clone())) {
            commands.push(Command::LinkDecision(DecisionLink {
                decision,
                url: l.url.clone(),
                note: l.note.clone(),
                on,
            }));
        }
        true
    };
    for e in &doc.events {
        let decision = DecisionId::from_uuid(ids.own(Kind::Event, &e.id));
        for l in e.sources.iter().filter(|l| is_text_link(l)) {
            if is_web(l) {
                add(decision, None, l);
            } else {
                unplaced.push(("events", e.id.clone(), NOT_WEB));
            }
        }
    }
    // (kind, id, start, sources, decision_id, end_decision_id) of every other record.
    type Record<'d> = (
        &'static str,
        String,
        Option<&'d str>,
        &'d [Link],
        Option<&'d str>,
        Option<&'d str>,
    );
    let mut records: Vec<Record<'_>> = Vec::new();
    for o in &doc.organizations {
        let start = o.founding_date.as_deref();
        records.push((
            "organizations",
            o.id.clone(),
            start,
            &o.sources,
            o.decision_id.as_deref(),
            None,
        ));
    }
    for p in &doc.posts {
        records.push((
            "posts",
            p.id.clone(),
            p.start_date.as_deref(),
            &p.sources,
            p.decision_id.as_deref(),
            p.end_decision_id.as_deref(),
        ));
    }
    for m in &doc.memberships {
        records.push((
            "memberships",
            membership_key(m),
            m.start_date.as_deref(),
            &m.sources,
            m.decision_id.as_deref(),
            m.end_decision_id.as_deref(),
        ));
    }
    for (kind, id, start, sources, decision_id, end_decision_id) in records {
        if !sources.iter().any(is_text_link) {
            continue;
        }
        let what = format!("{} {id}", kind.trim_end_matches('s'));
        let start = opt_date(&format!("{what} start"), start)?;
        let starts = ids.cited(&what, decision_id, sources)?;
        let ends = ids.end_cited(&what, end_decision_id)?;
        for l in sources.iter().filter(|l| is_text_link(l)) {
            let decision = if about_the_end(l) { ends } else { starts };
            let why = if !is_web(l) {
                Some(NOT_WEB)
            } else if !decision.is_some_and(|d| add(d, start, l)) {
                Some(CITING_NONE)
            } else {
                None
            };
            if let Some(why) = why {
                unplaced.push((kind, id.clone(), why));
            }
        }
    }
    Ok(Found { commands, unplaced })
}
