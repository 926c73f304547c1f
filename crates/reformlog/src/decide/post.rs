//! Posts: the rules their events hold (holders within the post's limit at every moment, a
//! holding ended once, no abolition while someone holds it); their commands record their
//! payloads unchanged.

use super::check::Subject;
use super::dates::{ends_after, unit_alive};
use crate::domain_error::DomainError;
use crate::event::Event;
use crate::payload::{PostAbolition, PostAppointment, PostCreation, PostDeparture};
use crate::view::{covers, overlaps, EntityView};

/// The rules a post event holds beyond those of every event.
pub(super) fn check(subject: Subject<'_>, event: &Event) -> Result<(), DomainError> {
    let Subject { v, key, this } = subject;
    use Event as E;
    match event {
        E::PostCreated(PostCreation {
            unit,
            max_holders,
            on,
            ..
        }) => {
            if *max_holders == 0 {
                return Err(DomainError::NoHolders);
            }
            if let Some(u) = unit {
                unit_alive(v, *u, *on)?;
            }
        }
        E::PostHolderAppointed(PostAppointment {
            post,
            holding,
            person,
            from,
            ended_on,
            ..
        }) => {
            ends_after(*from, *ended_on)?;
            let p = this
                .and_then(EntityView::as_post)
                .ok_or(DomainError::UnknownPost(*post))?;
            if !p.alive_on(*from) {
                return Err(DomainError::Ended {
                    entity: key,
                    on: *from,
                });
            }
            if p.holdings.iter().any(|h| h.id == *holding) {
                return Err(DomainError::HoldingExists(*holding));
            }
            let overlapping: Vec<_> = p
                .holdings
                .iter()
                .filter(|h| overlaps(h.from, h.ended_on, *from, *ended_on))
                .collect();
            if overlapping.iter().any(|h| h.person == *person) {
                return Err(DomainError::AlreadyHoldsPost {
                    person: *person,
                    post: *post,
                });
            }
            // Most holders at once within the new tenure: the count only rises at a start.
            let starts = std::iter::once(*from)
                .chain(overlapping.iter().map(|h| h.from).filter(|d| *d > *from));
            let peak = starts
                .map(|d| {
                    overlapping
                        .iter()
                        .filter(|h| covers(h.from, h.ended_on, d))
                        .count()
                })
                .max()
                .unwrap_or(0);
            if peak + 1 > usize::from(p.max_holders) {
                return Err(DomainError::PostFull {
                    post: *post,
                    max: p.max_holders,
                    from: *from,
                });
            }
        }
        E::PostHolderLeft(PostDeparture {
            post,
            holding,
            ended_on,
            ..
        }) => {
            let p = this
                .and_then(EntityView::as_post)
                .ok_or(DomainError::UnknownPost(*post))?;
            let h = p.holdings.iter().find(|h| h.id == *holding).ok_or(
                DomainError::UnknownHolding {
                    post: *post,
                    holding: *holding,
                },
            )?;
            ends_after(h.from, Some(*ended_on))?;
            if h.ended_on.is_some_and(|e| e <= *ended_on) {
                return Err(DomainError::AlreadyEnded { entity: key });
            }
        }
        E::PostAbolished(PostAbolition { on, .. }) => {
            if let Some(p) = this.and_then(EntityView::as_post) {
                if p.abolished_on.is_some() {
                    return Err(DomainError::AlreadyEnded { entity: key });
                }
                ends_after(p.created_on, Some(*on))?;
                if p.holdings
                    .iter()
                    .any(|h| h.ended_on.is_none_or(|e| e > *on))
                {
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
