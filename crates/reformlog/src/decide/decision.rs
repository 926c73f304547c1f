//! Decisions: what recording one records (number and title trimmed) and the rules its events
//! hold, a link to its published text among them.

use super::check::Subject;
use crate::command::Command;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::payload::{DecisionLink, DecisionRecord};

/// The events a decision command records (none for a command about another entity).
pub(super) fn translate(command: &Command) -> Vec<Event> {
    match command.clone() {
        Command::RecordDecision(d) => vec![Event::DecisionRecorded(DecisionRecord {
            number: d.number.trim().to_owned(),
            title: d.title.trim().to_owned(),
            ..d
        })],
        _ => Vec::new(),
    }
}

/// The rules a decision event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    match event {
        // A decision may take effect before the day it is signed (retroactive effect); the
        // answers about it say so.
        Event::DecisionRecorded(DecisionRecord { number, title, .. }) => {
            if number.is_empty() {
                return Err(DomainError::Empty("decision number"));
            }
            if title.is_empty() {
                return Err(DomainError::Empty("decision title"));
            }
            Ok(())
        }
        Event::DecisionLinked(link) => check_link(subject, link),
        _ => Ok(()),
    }
}

/// A link is an http(s) URL with a host, its note not blank, and new to the decision: two
/// spellings the URL parser reads as one address are the same link.
fn check_link(subject: Subject<'_>, link: &DecisionLink) -> Result<(), DomainError> {
    let url =
        crate::evidence::check_url(&link.url).map_err(|reason| DomainError::BadDecisionLink {
            url: link.url.clone(),
            reason,
        })?;
    if link.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(DomainError::Empty("decision link note"));
    }
    let known = subject.this.and_then(|v| v.as_decision());
    let same = |other: &DecisionLink| url::Url::parse(&other.url).is_ok_and(|u| u == url);
    if known.is_some_and(|d| d.links.iter().any(same)) {
        return Err(DomainError::DuplicateDecisionLink {
            decision: link.decision,
            url: link.url.clone(),
        });
    }
    Ok(())
}
