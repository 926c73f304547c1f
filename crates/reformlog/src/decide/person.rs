//! People: what their commands record and the rules their events hold (a rename not before
//! the registration).

use crate::command::Command;
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::ids::EntityKey;
use crate::payload::PersonName;
use crate::view::EntityView;

/// The events a person command records (none for a command about another entity).
pub(super) fn translate(command: &Command) -> Vec<Event> {
    use Command as C;
    use Event as E;
    match command.clone() {
        C::RegisterPerson(p) => vec![E::PersonRegistered(p)],
        C::RenamePerson(p) => vec![E::PersonRenamed(p)],
        _ => Vec::new(),
    }
}

/// The rules a person event holds beyond those of every event.
pub(super) fn check(
    key: EntityKey,
    this: Option<&EntityView>,
    event: &Event,
) -> Result<(), DomainError> {
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
