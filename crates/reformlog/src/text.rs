//! NFC-normalised names and the search fold (case, diacritics, NFC/NFD, đ → d).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A text that cannot be a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The text is empty once white space is trimmed.
    #[error("a name cannot be empty")]
    Empty,
    /// The text holds a control character (shown escaped).
    #[error("a name cannot contain control characters: {0:?}")]
    ControlCharacter(String),
}

/// A human name (of a person, unit, post or committee), stored NFC-normalised with runs of
/// whitespace collapsed, so that the same name typed in NFC or NFD compares equal.
///
/// The text is shared, not owned: answers copy the names of every holder, unit and post
/// they mention out of cached views, and a copy is then a reference count, not an
/// allocation. Serialised as a plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<str>);

impl Name {
    /// Normalises and validates `text`.
    pub fn new(text: &str) -> Result<Self, NameError> {
        if text.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter(text.to_owned()));
        }
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if joined.is_empty() {
            return Err(NameError::Empty);
        }
        Ok(Self(joined.nfc().collect::<String>().into()))
    }

    /// The name as NFC text, white space runs collapsed to one space.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The search key of this name.
    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

impl TryFrom<String> for Name {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        Self::try_from(s.as_str())
    }
}

impl TryFrom<&str> for Name {
    type Error = NameError;
    fn try_from(s: &str) -> Result<Self, NameError> {
        // Every stored name (events, read-model views) went through `new` already, so on
        // decode the text is nearly always in normal form: check that without allocating,
        // and only normalise when it is not. Same result as `new` either way.
        if is_normal(s) {
            Ok(Self(s.into()))
        } else {
            Self::new(s)
        }
    }
}

/// A name's text: something besides white space, and no control character, as
/// [`Name::new`] requires.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Name {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A human name (of a person, unit, post or committee), stored NFC-normalised \
                 with runs of white space collapsed: not blank, no control characters.",
            ))
            .pattern(Some(
                r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Name {}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than `String` first: a decoder that can lend the text (bincode
        // over a stored view) then costs one allocation per name instead of two.
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name, E> {
                Name::try_from(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Whether `new` would return `text` unchanged: no control characters, single ASCII spaces
/// between words and none at either end, NFC.
fn is_normal(text: &str) -> bool {
    let mut previous_space = true;
    for c in text.chars() {
        if c.is_control() {
            return false;
        }
        if c.is_whitespace() {
            if c != ' ' || previous_space {
                return false;
            }
            previous_space = true;
        } else {
            previous_space = false;
        }
    }
    // Ends with a word (which also rules out the empty text).
    !previous_space && unicode_normalization::is_nfc(text)
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0.as_ref().to_owned()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// The search key of a text: lower case, no diacritics, đ/Đ as d, single spaces.
///
/// Decomposing first makes NFC and NFD input fold alike; đ has no decomposition in Unicode
/// (it is a letter with a stroke, not a letter plus a mark), so it is mapped by hand.
pub fn fold(text: &str) -> String {
    // Lower-casing first: some capitals lower-case to a letter plus a combining mark (İ),
    // which the decomposition step must then see and drop.
    let lower: String = text.chars().flat_map(char::to_lowercase).collect();
    let stripped: String = lower
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `haystack`'s folded form contains the folded `needle`.
pub(crate) fn folded_contains(haystack_folded: &str, needle_folded: &str) -> bool {
    !needle_folded.is_empty() && haystack_folded.contains(needle_folded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Phạm Minh Tiến"), "pham minh tien");
        assert_eq!(fold("Đỗ Công Anh"), "do cong anh");
        assert_eq!(fold("  Nguyễn   Huy Dũng "), "nguyen huy dung");
        assert_eq!(fold("Cục Tin học hóa"), "cuc tin hoc hoa");
    }

    #[test]
    fn nfd_input_equals_nfc_input() {
        let nfc = "Nguyễn Phú Tiến";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(Name::new(nfc).unwrap(), Name::new(&nfd).unwrap());
        assert_eq!(fold(nfc), fold(&nfd));
    }

    #[test]
    fn rejects_empty_and_control_names() {
        assert_eq!(Name::new("   "), Err(NameError::Empty));
        assert!(matches!(
            Name::new("a\u{0}b"),
            Err(NameError::ControlCharacter(_))
        ));
    }

    #[test]
    fn decoding_normalises_like_new() {
        for text in [
            "Phạm Minh Tiến",
            " a",
            "a ",
            "a  b",
            "a\u{3000}b",
            "",
            "  ",
            "a\tb",
        ] {
            let nfd: String = text.nfd().collect();
            for t in [text.to_owned(), nfd] {
                assert_eq!(Name::try_from(t.clone()), Name::new(&t), "{t:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn decoding_agrees_with_new(s in "[ a\u{0301}\u{3000}\t\u{1ea1}e\u{0}]{0,12}") {
            prop_assert_eq!(Name::try_from(s.clone()), Name::new(&s));
        }

        #[test]
        fn fold_is_idempotent_and_form_agnostic(s in "\\PC{0,24}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            let nfd: String = s.nfd().collect();
            let nfc: String = s.nfc().collect();
            prop_assert_eq!(fold(&nfd), fold(&nfc));
        }

        #[test]
        fn fold_leaves_no_marks_or_stroked_d(s in "\\PC{0,24}") {
            let f = fold(&s);
            prop_assert!(!f.chars().any(|c| is_combining_mark(c) || c == 'đ'));
        }
    }
}
