//! Decisions: what recording one records (number and title trimmed) and the rules it holds.

use crate::command::Command;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::payload::DecisionRecord;

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
pub(super) fn check(event: &Event) -> Result<(), DomainError> {
    // A decision may take effect before the day it is signed (retroactive effect); the
    // answers about it say so.
    if let Event::DecisionRecorded(DecisionRecord { number, title, .. }) = event {
        if number.is_empty() {
            return Err(DomainError::Empty("decision number"));
        }
        if title.is_empty() {
            return Err(DomainError::Empty("decision title"));
        }
    }
    Ok(())
}
