//! The rules every event holds (what it names exists; it creates a new entity or changes a
//! known one), then the rules of its entity's aggregate.

use super::{committee, decision, person, post, task, unit};
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::source::Views;
use crate::view::EntityView;

/// What an aggregate's rules check an event against: the views, the key of the event's
/// entity, and that entity's view before the event.
#[derive(Clone, Copy)]
pub(super) struct Subject<'a> {
    pub(super) v: &'a dyn Views,
    pub(super) key: EntityKey,
    pub(super) this: Option<&'a EntityView>,
}

/// Checks one fact event against the views; the heart of the invariants.
pub(super) fn check(v: &dyn Views, event: &Event) -> Result<(), DomainError> {
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
        E::UnitEstablished(_)
            | E::PersonRegistered(_)
            | E::PostCreated(_)
            | E::DecisionRecorded(_)
            | E::CommitteeEstablished(_)
            | E::TaskCreated(_)
    );
    match (&this, creates) {
        (Some(_), true) => return Err(DomainError::AlreadyExists(key)),
        (None, false) => return Err(unknown(key)),
        _ => {}
    }
    let subject = Subject {
        v,
        key,
        this: this.as_deref(),
    };
    match key {
        // What a correction or retraction must hold is checked by replaying its entity.
        _ if !event.is_fact() => Ok(()),
        EntityKey::Unit(_) => unit::check(subject, event),
        EntityKey::Person(_) => person::check(subject, event),
        EntityKey::Post(_) => post::check(subject, event),
        EntityKey::Decision(_) => decision::check(subject, event),
        EntityKey::Committee(_) => committee::check(subject, event),
        EntityKey::Task(_) => task::check(subject, event),
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
