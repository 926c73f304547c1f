//! The date rules several aggregates share: an end after the start, a unit alive on a date.

use crate::date::Date;
use crate::domain_error::DomainError;
use crate::ids::{EntityKey, UnitId};
use crate::source::Views;

/// An end, when there is one, after the start.
pub(super) fn ends_after(from: Date, ended_on: Option<Date>) -> Result<(), DomainError> {
    match ended_on {
        Some(e) if e <= from => Err(DomainError::EndsBeforeStart { from, ended_on: e }),
        _ => Ok(()),
    }
}

/// A unit that exists on `on`: established by then and not yet merged or dissolved.
pub(super) fn unit_alive(v: &dyn Views, id: UnitId, on: Date) -> Result<(), DomainError> {
    let key = EntityKey::Unit(id);
    let view = v.view(&key).ok_or(DomainError::UnknownUnit(id))?;
    match view.as_unit() {
        Some(u) if u.alive_on(on) => Ok(()),
        Some(u) if on < u.established_on => Err(DomainError::BeforeStart { entity: key, on }),
        _ => Err(DomainError::Ended { entity: key, on }),
    }
}
