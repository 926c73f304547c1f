//! `decide`: turns a command into events after checking every invariant against what is
//! known, without any I/O.
//!
//! Each event a command yields is checked against the state as left by the events before
//! it in the same command (an overlay), so a reconstitution is validated as a whole. A
//! correction or retraction is validated by replaying the entity's stream with the change in
//! place, checking every event again in recording order.
//!
//! Each aggregate's file holds what its commands record and the rules its events hold; this
//! file routes a command by the entity it is about and an event by the entity it changes.

mod committee;
mod correction;
mod decision;
mod person;
mod post;
mod task;
mod unit;

use crate::command::Command;
use crate::date::Date;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::{EntityKey, UnitId};
use crate::source::{Source, ViewRef, Views};
use crate::view::{evolve, EntityView};
use std::collections::HashMap;

/// Views of a base with some entities replaced by scratch versions.
struct Overlay<'a> {
    base: &'a dyn Views,
    changed: HashMap<EntityKey, Option<EntityView>>,
}

impl<'a> Overlay<'a> {
    fn new(base: &'a dyn Views) -> Self {
        Self {
            base,
            changed: HashMap::new(),
        }
    }

    fn evolve(&mut self, event: &Event) {
        let key = event.entity();
        let current = match self.changed.remove(&key) {
            Some(v) => v,
            None => self.base.view(&key).map(ViewRef::into_owned),
        };
        self.changed.insert(key, evolve(current, event));
    }
}

impl Views for Overlay<'_> {
    fn view(&self, key: &EntityKey) -> Option<ViewRef<'_>> {
        match self.changed.get(key) {
            Some(v) => v.as_ref().map(ViewRef::Borrowed),
            None => self.base.view(key),
        }
    }
}

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
        Command::MergeUnit { unit, on, .. } | Command::DissolveUnit { unit, on, .. } => {
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
        check(&overlay, e)?;
        overlay.evolve(e);
    }
    Ok(events)
}

/// The events `command` records, before any check.
fn translate(state: &dyn Source, command: &Command) -> Result<Vec<Event>, DomainError> {
    Ok(match command.entity() {
        Some(EntityKey::Unit(_)) => unit::translate(command),
        Some(EntityKey::Person(_)) => person::translate(command),
        Some(EntityKey::Post(_)) => post::translate(command),
        Some(EntityKey::Decision(_)) => decision::translate(command),
        Some(EntityKey::Committee(_)) => committee::translate(state, command)?,
        Some(EntityKey::Task(_)) => task::translate(state, command)?,
        // A correction or retraction is decided by `correction::correct`.
        None => Vec::new(),
    })
}

/// Checks one fact event against the views; the heart of the invariants.
fn check(v: &dyn Views, event: &Event) -> Result<(), DomainError> {
    use Event as E;
    let key = event.entity();
    for r in event.references() {
        if v.view(&r).is_none() {
            return Err(unknown(r));
        }
    }
    let this = v.view(&key);
    let creates = matches!(
        event,
        E::UnitEstablished { .. }
            | E::PersonRegistered { .. }
            | E::PostCreated { .. }
            | E::DecisionRecorded { .. }
            | E::CommitteeEstablished { .. }
            | E::TaskCreated { .. }
    );
    match (&this, creates) {
        (Some(_), true) => return Err(DomainError::AlreadyExists(key)),
        (None, false) => return Err(unknown(key)),
        _ => {}
    }
    let this = this.as_deref();
    match key {
        // What a correction or retraction must hold is checked by replaying its entity.
        _ if !event.is_fact() => Ok(()),
        EntityKey::Unit(_) => unit::check(v, key, this, event),
        EntityKey::Person(_) => person::check(key, this, event),
        EntityKey::Post(_) => post::check(v, key, this, event),
        EntityKey::Decision(_) => decision::check(event),
        EntityKey::Committee(_) => committee::check(v, key, event),
        EntityKey::Task(_) => task::check(v, key, this, event),
    }
}

fn unknown(key: EntityKey) -> DomainError {
    match key {
        EntityKey::Unit(id) => DomainError::UnknownUnit(id),
        EntityKey::Person(id) => DomainError::UnknownPerson(id),
        EntityKey::Post(id) => DomainError::UnknownPost(id),
        EntityKey::Committee(id) => DomainError::UnknownCommittee(id),
        EntityKey::Decision(id) => DomainError::UnknownDecision(id),
        EntityKey::Task(id) => DomainError::UnknownTask(id),
    }
}

fn ends_after(from: Date, ended_on: Option<Date>) -> Result<(), DomainError> {
    match ended_on {
        Some(e) if e <= from => Err(DomainError::EndsBeforeStart { from, ended_on: e }),
        _ => Ok(()),
    }
}

/// A unit that exists on `on`: established by then and not yet merged or dissolved.
fn unit_alive(v: &dyn Views, id: UnitId, on: Date) -> Result<(), DomainError> {
    let key = EntityKey::Unit(id);
    let view = v.view(&key).ok_or(DomainError::UnknownUnit(id))?;
    match view.as_unit() {
        Some(u) if u.alive_on(on) => Ok(()),
        Some(u) if on < u.established_on => Err(DomainError::BeforeStart { entity: key, on }),
        _ => Err(DomainError::Ended { entity: key, on }),
    }
}
