//! Units: the rules their events hold (alive on the date, no cycle of parents, an end after
//! the start and after every other change); their commands record their payloads unchanged.

use super::check::Subject;
use super::dates::{ends_after, unit_alive};
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::payload::{UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming};
use crate::view::EntityView;

/// The rules a unit event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    let Subject { v, key, this } = subject;
    use Event as E;
    match event {
        E::UnitEstablished(UnitEstablishment {
            parent: Some(p),
            on,
            ..
        }) => unit_alive(v, *p, *on)?,
        E::UnitRenamed(UnitRenaming { unit, on, .. }) => unit_alive(v, *unit, *on)?,
        E::UnitMoved(UnitMove {
            unit, parent, on, ..
        }) => {
            unit_alive(v, *unit, *on)?;
            if let Some(p) = parent {
                unit_alive(v, *p, *on)?;
                // Walk up from the new parent; meeting the unit itself means a cycle.
                let mut cursor = Some(*p);
                let mut steps = 0;
                while let Some(c) = cursor {
                    if c == *unit || steps > 256 {
                        return Err(DomainError::UnitCycle {
                            unit: *unit,
                            parent: *p,
                        });
                    }
                    steps += 1;
                    cursor = v
                        .view(&EntityKey::Unit(c))
                        .and_then(|u| u.as_unit().and_then(|u| u.parents.at(*on).copied()))
                        .flatten();
                }
            }
        }
        E::UnitMerged(UnitMerger { unit, on, .. })
        | E::UnitDissolved(UnitDissolution { unit, on, .. }) => {
            if let E::UnitMerged(UnitMerger { into, .. }) = event {
                if into == unit {
                    return Err(DomainError::MergeIntoSelf(*unit));
                }
                unit_alive(v, *into, *on)?;
            }
            unit_alive(v, *unit, *on)?;
            if let Some(u) = this.and_then(EntityView::as_unit) {
                if u.end.is_some() {
                    return Err(DomainError::AlreadyEnded { entity: key });
                }
                ends_after(u.established_on, Some(*on))?;
                if u.last_change() >= *on {
                    return Err(DomainError::LaterChanges {
                        entity: key,
                        on: *on,
                    });
                }
            }
        }
        _ => {}
    }
    Ok(())
}
