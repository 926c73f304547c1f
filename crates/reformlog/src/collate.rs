//! Vietnamese collation: the order in which listings of names (search results, sub-bodies,
//! the posts a person holds) are given.
//!
//! The order is that of Vietnamese dictionaries, as CLDR's `vi` collation gives it: letters
//! first (`a ă â b c d đ e ê … o ô ơ … u ư …`, so "Đ" comes after every "D"), then tones
//! (none, huyền, hỏi, ngã, sắc, nặng), then case; runs of digits compare by their value, so
//! "Tổ viên 6" comes before "Tổ viên 14". Names that collate as equal (say, the same text
//! in another Unicode normal form) fall back to code-point order, so the order is total.

use icu_collator::options::CollatorOptions;
use icu_collator::preferences::CollationNumericOrdering;
use icu_collator::{CollatorBorrowed, CollatorPreferences};
use std::cmp::Ordering;
use std::sync::LazyLock;

/// The `vi` collator with numeric ordering, from the data compiled into the crate; `None`
/// only if that data lacked it, in which case names fall back to code-point order.
static VIETNAMESE: LazyLock<Option<CollatorBorrowed<'static>>> = LazyLock::new(|| {
    let mut prefs = CollatorPreferences::from(icu_locale_core::locale!("vi"));
    prefs.numeric_ordering = Some(CollationNumericOrdering::True);
    CollatorBorrowed::try_new(prefs, CollatorOptions::default()).ok()
});

/// Compares two names in Vietnamese alphabetical order (see the module documentation).
pub fn collate(a: &str, b: &str) -> Ordering {
    match VIETNAMESE.as_ref() {
        Some(c) => c.compare(a, b).then_with(|| a.cmp(b)),
        None => a.cmp(b),
    }
}

/// A key whose byte order is [`collate`]'s order up to ties, which compare as equal keys
/// (break them by the names' bytes, as `collate` does): sorting many names by their keys
/// collates each name once instead of once per comparison.
pub(crate) fn sort_key(name: &str) -> Vec<u8> {
    let mut key = Vec::new();
    match VIETNAMESE.as_ref() {
        Some(c) => {
            let Ok(()) = c.write_sort_key_to(name, &mut key);
        }
        None => key.extend_from_slice(name.as_bytes()),
    }
    key
}

#[cfg(test)]
mod tests {
    use super::collate;
    use std::cmp::Ordering;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        v.sort_by(|a, b| collate(a, b));
        v
    }

    #[test]
    fn units_of_the_seed_case_sort_as_in_a_vietnamese_list() {
        // Code-point order puts "Tin" first: "ầ" is U+1EA7.
        assert_eq!(
            collate("Cục Tần số Vô tuyến điện", "Cục Tin học hóa"),
            Ordering::Less
        );
        assert_eq!(
            sorted(&["Cục Tin học hóa", "Cục Báo chí", "Cục Tần số Vô tuyến điện"]),
            ["Cục Báo chí", "Cục Tần số Vô tuyến điện", "Cục Tin học hóa"]
        );
    }

    #[test]
    fn sort_keys_order_names_as_collate_does() {
        let names = [
            "Tổ viên 14",
            "Tổ viên 6",
            "Đỗ Công Anh",
            "Duy",
            "Em",
            "Nhiệm vụ 10",
            "Nhiệm vụ 9",
            "nhiệm vụ 9",
            "Cục Tần số Vô tuyến điện",
            "Cục Tin học hóa",
            "Cục Tin học hóa",
            "A\u{0300}",
            "\u{00C0}",
        ];
        for a in names {
            for b in names {
                let by_key = super::sort_key(a)
                    .cmp(&super::sort_key(b))
                    .then_with(|| a.cmp(b));
                assert_eq!(by_key, collate(a, b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn d_with_stroke_is_a_letter_after_d() {
        assert_eq!(collate("Duy", "Đa"), Ordering::Less);
        assert_eq!(collate("Dũng", "Đỗ Công Anh"), Ordering::Less);
        assert_eq!(collate("Đỗ Công Anh", "Em"), Ordering::Less);
        assert_eq!(
            sorted(&["Đỗ Công Anh", "Nguyễn Huy Dũng", "Dương", "Em"]),
            ["Dương", "Đỗ Công Anh", "Em", "Nguyễn Huy Dũng"]
        );
    }

    #[test]
    fn letters_with_marks_are_letters_of_their_own() {
        assert_eq!(
            sorted(&["ư", "u", "ơ", "ô", "o", "ê", "e", "â", "ă", "a"]),
            ["a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư"]
        );
        // A letter decides before a tone does: "ăn" after every "a…".
        assert_eq!(collate("ạy", "ăn"), Ordering::Less);
    }

    #[test]
    fn tones_sort_as_in_vietnamese_dictionaries() {
        // ngang, huyền, hỏi, ngã, sắc, nặng.
        assert_eq!(
            sorted(&["mạ", "má", "mã", "mả", "mà", "ma"]),
            ["ma", "mà", "mả", "mã", "má", "mạ"]
        );
        // Tones weigh less than letters: "mạ" before "mai".
        assert_eq!(collate("mạ", "mai"), Ordering::Less);
    }

    #[test]
    fn numbers_in_names_sort_by_value() {
        assert_eq!(
            sorted(&[
                "Tổ viên 5",
                "Tổ viên 14",
                "Tổ viên 19",
                "Tổ viên 20",
                "Tổ viên 6"
            ]),
            [
                "Tổ viên 5",
                "Tổ viên 6",
                "Tổ viên 14",
                "Tổ viên 19",
                "Tổ viên 20"
            ]
        );
    }

    #[test]
    fn the_order_is_total() {
        let nfc = "Phạm Minh Tiến";
        let nfd = "Pha\u{323}m Minh Tie\u{302}\u{301}n";
        assert_ne!(collate(nfc, nfd), Ordering::Equal);
        assert_eq!(collate(nfc, nfd), collate(nfd, nfc).reverse());
        assert_eq!(collate(nfc, nfc), Ordering::Equal);
    }
}
