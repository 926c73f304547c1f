//! The text rules every new event keeps: each name has a visible character, and no free-text
//! field holds a control character (line breaks only in multi-line fields) or an invisible
//! formatting character that would make two texts look alike.
//!
//! Checked on events as they are decided, not when they are decoded: a store written before
//! a rule existed must still be read.

use crate::domain_error::DomainError;
use crate::event::Event;
use crate::payload::{
    CommitteeDuties, CommitteeEstablishment, CommitteeRenaming, DecisionLink, DecisionRecord,
    PersonName, PostCreation, SeatCreation, TaskCreation, TaskProgress, UnitEstablishment,
    UnitRenaming,
};
use crate::text::Name;

/// Characters that render as nothing or reorder what follows: zero-width spaces and joiners,
/// directional marks, embeddings, overrides and isolates, word joiners and invisible
/// operators, the byte-order mark, the soft hyphen.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// `text` as a field of the given kind: `multiline` admits line breaks and tabs.
pub(crate) fn check_free_text(
    field: &'static str,
    text: &str,
    multiline: bool,
) -> Result<(), DomainError> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if let Some(c) = text
        .chars()
        .find(|&c| (c.is_control() && !allowed(c)) || invisible(c))
    {
        return Err(DomainError::BadCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(())
}

/// A name: no invisible formatting character, and at least one letter or digit.
pub(crate) fn check_name(field: &'static str, name: &Name) -> Result<(), DomainError> {
    check_free_text(field, name.as_str(), false)?;
    if !name.as_str().chars().any(char::is_alphanumeric) {
        return Err(DomainError::NoVisibleCharacter { field });
    }
    Ok(())
}

/// Every name and free text `event` carries.
pub(crate) fn check_event(event: &Event) -> Result<(), DomainError> {
    use Event as E;
    match event {
        E::UnitEstablished(UnitEstablishment { name, .. })
        | E::UnitRenamed(UnitRenaming { name, .. }) => check_name("unit name", name),
        E::PersonRegistered(PersonName { name, .. })
        | E::PersonRenamed(PersonName { name, .. }) => check_name("person name", name),
        E::PostCreated(PostCreation { title, .. }) => check_name("post title", title),
        E::CommitteeEstablished(CommitteeEstablishment { name, .. })
        | E::CommitteeRenamed(CommitteeRenaming { name, .. }) => check_name("committee name", name),
        E::DecisionRecorded(DecisionRecord { number, title, .. }) => {
            check_free_text("decision number", number, false)?;
            check_free_text("decision title", title, false)
        }
        E::DutiesSet(CommitteeDuties { duties, .. }) => duties
            .iter()
            .try_for_each(|d| check_free_text("duty", d, true)),
        E::SeatCreated(SeatCreation { label, .. }) => label
            .as_deref()
            .map_or(Ok(()), |l| check_free_text("seat label", l, false)),
        E::TaskCreated(TaskCreation { title, product, .. }) => {
            check_free_text("task title", title, false)?;
            check_free_text("task product", product, true)
        }
        E::TaskProgressReported(TaskProgress { note, evidence, .. }) => {
            check_free_text("progress note", note, true)?;
            if let Some(n) = &evidence.note {
                check_free_text("evidence note", n, true)?;
            }
            for d in &evidence.documents {
                for (field, text) in [
                    ("evidence document number", &d.number),
                    ("evidence document title", &d.title),
                    ("evidence document link", &d.link),
                ] {
                    if let Some(t) = text {
                        check_free_text(field, t, false)?;
                    }
                }
            }
            Ok(())
        }
        E::DecisionLinked(DecisionLink { note, .. }) => note
            .as_deref()
            .map_or(Ok(()), |n| check_free_text("decision link note", n, false)),
        E::Corrected { corrected, .. } => check_event(corrected),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_need_a_visible_character_and_free_text_no_hidden_one() {
        let name = |s: &str| Name::new(s).unwrap();
        assert!(check_name("person name", &name("Nguyễn Mạnh Hùng")).is_ok());
        assert!(check_name("unit name", &name("Cục Tần số vô tuyến điện")).is_ok());
        assert_eq!(
            check_name("person name", &name("\u{200B}")),
            Err(DomainError::BadCharacter {
                field: "person name",
                code: 0x200B
            })
        );
        assert_eq!(
            check_name("person name", &name("-- . --")),
            Err(DomainError::NoVisibleCharacter {
                field: "person name"
            })
        );
        assert!(check_free_text("decision number", "34/QĐ-BTTTT", false).is_ok());
        assert!(check_free_text("decision number", "34/QĐ\u{0007}", false).is_err());
        assert!(check_free_text("decision title", "dòng 1\ndòng 2", false).is_err());
        assert!(check_free_text("progress note", "dòng 1\r\ndòng 2\tx", true).is_ok());
        assert!(check_free_text("progress note", "a\u{202E}b", true).is_err());
        assert!(check_free_text("progress note", "a\u{0000}b", true).is_err());
    }
}
