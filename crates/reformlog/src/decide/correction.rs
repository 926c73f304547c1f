//! Corrections and retractions: the change is validated by replaying the entity's stream with
//! it in place, every event checked again in recording order.

use super::check::check;
use super::overlay::Overlay;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EventId;
use crate::payload::Retraction;
use crate::source::Source;
use crate::view::{effective_events, fact_statuses, FactStatus};

/// Validates a correction (`Some`) or retraction (`None`) of `target`.
pub(super) fn correct(
    state: &dyn Source,
    target: EventId,
    corrected: Option<&Event>,
) -> Result<Vec<Event>, DomainError> {
    let entity = state
        .entity_of_event(target)
        .ok_or(DomainError::UnknownEvent(target))?;
    let raw = state.stream(&entity);
    let original = raw
        .iter()
        .find(|r| r.meta.event_id == target)
        .ok_or(DomainError::UnknownEvent(target))?;
    if !original.event.is_fact() {
        return Err(DomainError::NotAFact(target));
    }
    if let Some(FactStatus::Retracted { .. }) = fact_statuses(&raw).get(&target) {
        return Err(DomainError::AlreadyRetracted(target));
    }
    let current = effective_events(&raw);
    if let Some(new) = corrected {
        crate::text_rules::check_event(new)?;
        if !new.is_fact() || new.type_name() != original.event.type_name() {
            return Err(DomainError::KindMismatch {
                expected: original.event.type_name(),
                found: new.type_name(),
            });
        }
        if new.entity() != entity {
            return Err(DomainError::EntityMismatch {
                expected: entity,
                found: new.entity(),
            });
        }
        if current.iter().any(|(id, e)| *id == target && e == new) {
            return Err(DomainError::NoChange);
        }
    }
    // Replay the entity from nothing with the change in place; other entities stay as known.
    let mut overlay = Overlay::new(state);
    overlay.changed.insert(entity, None);
    for (id, e) in &current {
        let e = if *id == target {
            match corrected {
                Some(new) => new,
                None => continue,
            }
        } else {
            e
        };
        check(&overlay, e).map_err(|cause| DomainError::Inconsistent {
            entity,
            cause: Box::new(cause),
        })?;
        overlay.evolve(e);
    }
    if let Some(new) = corrected {
        // A corrected assignment is held to the rule; a correction leaving it as it was is not.
        let before = current
            .iter()
            .find(|(id, _)| *id == target)
            .and_then(|(_, e)| crate::task_rules::assignment_of(e));
        if crate::task_rules::assignment_of(new) != before {
            crate::task_rules::check_responsible(state, new)?;
        }
    }
    Ok(vec![match corrected {
        Some(new) => Event::Corrected {
            target,
            corrected: Box::new(new.clone()),
        },
        None => Event::Retracted(Retraction {
            target,
            entity,
            on: original.event.valid_from(),
        }),
    }])
}
