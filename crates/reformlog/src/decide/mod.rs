//! `decide`: turns a command into events after checking every invariant against what is
//! known, without any I/O.
//!
//! Each event a command yields is checked against the state as left by the events before
//! it in the same command (an overlay), so a reconstitution is validated as a whole. A
//! correction or retraction is validated by replaying the entity's stream with the change in
//! place, checking every event again in recording order.
//!
//! Each aggregate's file holds what its commands record and the rules its events hold; this
//! file routes a command by the entity it is about, `check` an event by the entity it
//! changes.

mod check;
mod committee;
mod correction;
mod dates;
mod decision;
mod overlay;
mod person;
mod post;
mod task;
mod unit;

use crate::command::Command;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::payload::{UnitDissolution, UnitMerger};
use crate::source::Source;
use overlay::Overlay;

/// [`decide_with`] for a write of this one command: also refuses a dependant it leaves
/// attached to a unit past the unit's end (the whole-write rule of
/// [`crate::lineage::check_write`], which a list of commands runs once after all of them).
pub(crate) fn decide_write(
    state: &dyn Source,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    let events = decide_with(state, command)?;
    let mut overlay = Overlay::new(state);
    for e in &events {
        overlay.evolve(e);
    }
    crate::lineage::check_write(&overlay, events.iter().map(|e| (0, e))).map_err(|(_, e)| e)?;
    Ok(events)
}

pub(crate) fn decide_with(
    state: &dyn Source,
    command: &Command,
) -> Result<Vec<Event>, DomainError> {
    match command {
        Command::Correct { target, corrected } => {
            correction::correct(state, *target, Some(corrected))
        }
        Command::Retract { target } => correction::correct(state, *target, None),
        Command::MergeUnit(UnitMerger { unit, on, .. })
        | Command::DissolveUnit(UnitDissolution { unit, on, .. }) => {
            let events = checked(state, translate(state, command)?)?;
            crate::lineage::check_ending(state, *unit, *on)?;
            Ok(events)
        }
        other => {
            let events = checked(state, translate(state, other)?)?;
            for e in &events {
                crate::task_rules::check_responsible(state, e)?;
            }
            Ok(events)
        }
    }
}

/// `events` once each holds on the state the earlier ones leave.
fn checked(state: &dyn Source, events: Vec<Event>) -> Result<Vec<Event>, DomainError> {
    let mut overlay = Overlay::new(state);
    for e in &events {
        crate::text_rules::check_event(e)?;
        check::check(&overlay, e)?;
        overlay.evolve(e);
    }
    Ok(events)
}

/// The events `command` records, before any check: its payload as its one event when it says
/// no more than that, else what its aggregate makes of it.
fn translate(state: &dyn Source, command: &Command) -> Result<Vec<Event>, DomainError> {
    if let Some(event) = command.recorded_unchanged() {
        return Ok(vec![event]);
    }
    Ok(match command.entity() {
        Some(EntityKey::Decision(_)) => decision::translate(command),
        Some(EntityKey::Committee(_)) => committee::translate(state, command)?,
        Some(EntityKey::Task(_)) => task::translate(state, command)?,
        // Units, people and posts record every command unchanged; a correction or retraction
        // is decided by `correction::correct`.
        Some(EntityKey::Unit(_) | EntityKey::Person(_) | EntityKey::Post(_)) | None => Vec::new(),
    })
}
