//! People: the rules their events hold (a rename not before the registration); their
//! commands record their payloads unchanged.

use super::check::Subject;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::payload::PersonName;
use crate::view::EntityView;

/// The rules a person event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    let Subject { key, this, .. } = subject;
    use Event as E;
    match event {
        E::PersonRegistered(_) => {}
        E::PersonRenamed(PersonName { on, .. }) => {
            if let Some(p) = this.and_then(EntityView::as_person) {
                if *on < p.registered_on {
                    return Err(DomainError::BeforeStart {
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
