//! Decision kinds in Vietnamese: each kind's name and abbreviation, and the kind a document
//! number tells (`15/2024/NĐ-CP` is a decree).
//!
//! A Vietnamese document number is `NUMBER[/YEAR]/SYMBOL`, where the symbol starts with the
//! document type's code and goes on with the issuer (`NĐ-CP`, `QĐ-BTTTT`, `TT-BTTTT`). Two
//! kinds carry no type code: an official letter (công văn) is numbered by issuer and drafting
//! unit (`567/BTTTT-TCCB`), and a law by the legislature and its term (`67/2020/QH14`). Party
//! documents put the code before the slash (`18-NQ/TW`).

use crate::model::DecisionKind;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

impl DecisionKind {
    /// Every kind, in declaration order.
    pub const ALL: [DecisionKind; 12] = [
        DecisionKind::Decision,
        DecisionKind::Plan,
        DecisionKind::Notice,
        DecisionKind::Law,
        DecisionKind::Resolution,
        DecisionKind::Decree,
        DecisionKind::Directive,
        DecisionKind::Circular,
        DecisionKind::OfficialLetter,
        DecisionKind::Guidance,
        DecisionKind::Report,
        DecisionKind::Other,
    ];

    /// The kind's name as written in JSON and in seed files (`official_letter`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            DecisionKind::Decision => "decision",
            DecisionKind::Plan => "plan",
            DecisionKind::Notice => "notice",
            DecisionKind::Law => "law",
            DecisionKind::Resolution => "resolution",
            DecisionKind::Decree => "decree",
            DecisionKind::Directive => "directive",
            DecisionKind::Circular => "circular",
            DecisionKind::OfficialLetter => "official_letter",
            DecisionKind::Guidance => "guidance",
            DecisionKind::Report => "report",
            DecisionKind::Other => "other",
        }
    }

    /// The document type's Vietnamese name, e.g. "Nghị định".
    pub const fn vietnamese_name(&self) -> &'static str {
        match self {
            DecisionKind::Decision => "Quyết định",
            DecisionKind::Plan => "Kế hoạch",
            DecisionKind::Notice => "Thông báo",
            DecisionKind::Law => "Luật",
            DecisionKind::Resolution => "Nghị quyết",
            DecisionKind::Decree => "Nghị định",
            DecisionKind::Directive => "Chỉ thị",
            DecisionKind::Circular => "Thông tư",
            DecisionKind::OfficialLetter => "Công văn",
            DecisionKind::Guidance => "Hướng dẫn",
            DecisionKind::Report => "Báo cáo",
            DecisionKind::Other => "Văn bản khác",
        }
    }

    /// The usual abbreviation: the type code in document numbers (NĐ, QĐ, TT, ...), and CV
    /// for an official letter, whose numbers carry no type code. `None` for a law (its number
    /// names the legislature instead) and for other documents.
    pub const fn abbreviation(&self) -> Option<&'static str> {
        match self {
            DecisionKind::Decision => Some("QĐ"),
            DecisionKind::Plan => Some("KH"),
            DecisionKind::Notice => Some("TB"),
            DecisionKind::Law => None,
            DecisionKind::Resolution => Some("NQ"),
            DecisionKind::Decree => Some("NĐ"),
            DecisionKind::Directive => Some("CT"),
            DecisionKind::Circular => Some("TT"),
            DecisionKind::OfficialLetter => Some("CV"),
            DecisionKind::Guidance => Some("HD"),
            DecisionKind::Report => Some("BC"),
            DecisionKind::Other => None,
        }
    }

    /// The kind a document number tells, or `None` when the number does not make it clear.
    ///
    /// Case, diacritics and their absence, NFC or NFD, and spaces or dashes typed in other
    /// ways do not matter (`nd-cp`, `NĐ - CP` and `NĐ–CP` are the same), and a leading
    /// "Số" is skipped:
    ///
    /// - a type code after the number (and year): `15/2024/NĐ-CP` a decree, `34/QĐ-BTTTT` a
    ///   decision, `01/CT-TTg` a directive, `12/2023/TT-BTTTT` a circular, `88/NQ-CP` a
    ///   resolution, `1234/KH-BTTTT` a plan, `45/TB-VPCP` a notice, `HD` guidance, `BC` a
    ///   report; joint circulars and resolutions (`TTLT`, `NQLT`) too; the codes of other
    ///   types (`KL`, `CTr`, `ĐA`, `TTr`, `CĐ`, `PL`, `QC`, `QyĐ`, `BB`, `HĐ`) are `Other`;
    /// - the same code before the slash, as in party documents: `18-NQ/TW`;
    /// - a law: a year and the National Assembly's term as the whole symbol, `67/2020/QH14`.
    ///   The Assembly numbers its resolutions the same way, so give the kind for those;
    /// - an official letter: a plain number and an issuer-unit symbol without a type code or
    ///   year, `567/BTTTT-TCCB`.
    ///
    /// The code is read from the number alone, so an issuer whose abbreviation is also a type
    /// code reads as that type (a tax department's `123/CT-TTHT` reads as a directive).
    pub fn from_number(number: &str) -> Option<DecisionKind> {
        let text = normalize(number);
        let segments: Vec<&str> = text.split('/').collect();
        let (first, rest) = segments.split_first()?;
        let (symbol, middle) = rest.split_last()?;
        if segments.iter().any(|s| s.is_empty()) {
            return None;
        }
        // Party documents: `18-NQ/TW`, the code between number and issuer.
        if let Some((num, code)) = first.split_once('-') {
            if is_digits(num) && middle.is_empty() {
                if let Some(kind) = kind_of_code(code) {
                    return symbol.split('-').all(is_word).then_some(kind);
                }
            }
        }
        if !first.bytes().any(|b| b.is_ascii_digit()) || !first.chars().all(is_number_char) {
            return None;
        }
        let has_year = match middle {
            [] => false,
            [year] if year.len() == 4 && is_digits(year) => true,
            _ => return None,
        };
        let tokens: Vec<&str> = symbol.split('-').collect();
        if !tokens.iter().all(|t| is_word(t)) {
            return None;
        }
        let code = tokens[0];
        if let Some(kind) = kind_of_code(code) {
            return Some(kind);
        }
        if tokens.len() == 1 && has_year && is_assembly_term(code) {
            return Some(DecisionKind::Law);
        }
        if !has_year && tokens.len() >= 2 && is_digits(first) {
            return Some(DecisionKind::OfficialLetter);
        }
        None
    }
}

/// Upper case without diacritics, except that every form of đ becomes `Đ` (it tells hợp
/// đồng, HĐ, from hướng dẫn, HD); dashes as `-`; no spaces; without a leading "Số".
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            // đ, Đ, and the look-alike eth that old Vietnamese encodings convert to.
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('Đ'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => out.push('-'),
            '\u{FF0F}' | '\u{2044}' | '\u{2215}' => out.push('/'),
            c => out.extend(c.to_uppercase()),
        }
    }
    let trimmed = out.trim_start();
    let without_so = ["SO", "NO."].iter().find_map(|p| {
        let rest = trimmed.strip_prefix(p)?;
        let next = rest.chars().next()?;
        (next == ':' || next == '.' || next.is_whitespace())
            .then(|| rest.trim_start_matches([':', '.']))
    });
    without_so
        .unwrap_or(trimmed)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A letter or digit of a symbol: ASCII upper case, digits and `Đ`.
fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == 'Đ')
}

/// A document's own number: digits, perhaps with letters (`15A`) or dots and dashes.
fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == 'Đ'
}

/// `QH14`: the National Assembly and its term.
fn is_assembly_term(code: &str) -> bool {
    code.strip_prefix("QH").is_some_and(is_digits)
}

/// The kind of a type code (upper case, `Đ` kept).
fn kind_of_code(code: &str) -> Option<DecisionKind> {
    // Hợp đồng and công điện are told from hướng dẫn and a plain "CD" by their đ.
    if code == "HĐ" || code == "CĐ" {
        return Some(DecisionKind::Other);
    }
    let plain = code.replace('Đ', "D");
    Some(match plain.as_str() {
        "QD" => DecisionKind::Decision,
        "KH" => DecisionKind::Plan,
        "TB" => DecisionKind::Notice,
        "NQ" | "NQLT" => DecisionKind::Resolution,
        "ND" => DecisionKind::Decree,
        "CT" => DecisionKind::Directive,
        "TT" | "TTLT" => DecisionKind::Circular,
        "HD" => DecisionKind::Guidance,
        "BC" => DecisionKind::Report,
        "KL" | "CTR" | "DA" | "TTR" | "CD" | "PL" | "QC" | "QYD" | "BB" => DecisionKind::Other,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use DecisionKind as K;

    #[test]
    fn the_common_numbers_tell_their_kind() {
        for (number, kind) in [
            ("15/2024/NĐ-CP", K::Decree),
            ("34/QĐ-BTTTT", K::Decision),
            ("01/CT-TTg", K::Directive),
            ("12/2023/TT-BTTTT", K::Circular),
            ("88/NQ-CP", K::Resolution),
            ("1234/KH-BTTTT", K::Plan),
            ("45/TB-VPCP", K::Notice),
            ("567/BTTTT-TCCB", K::OfficialLetter),
            ("12/HD-BTTTT", K::Guidance),
            ("230/BC-BTTTT", K::Report),
            ("67/2020/QH14", K::Law),
            ("01/2015/TTLT-BTTTT-BNV", K::Circular),
            ("05/NQLT-CP-TWMTTQVN", K::Resolution),
            ("18-NQ/TW", K::Resolution),
            ("35-CT/TW", K::Directive),
            ("09-KL/TW", K::Other),
            ("120/KL-TW", K::Other),
            ("02/CĐ-TTg", K::Other),
            ("15/HĐ-BTTTT", K::Other),
            ("1291/QĐ-TTg", K::Decision),
            ("28/2018/QĐ-TTg", K::Decision),
        ] {
            assert_eq!(DecisionKind::from_number(number), Some(kind), "{number}");
        }
    }

    #[test]
    fn diacritics_case_spacing_and_dashes_do_not_matter() {
        for number in [
            "15/2024/ND-CP",
            "15/2024/nđ-cp",
            "15/2024/nd-cp",
            "  15 / 2024 / NĐ - CP ",
            "15/2024/NĐ\u{2013}CP",
            "15/2024/N\u{00D0}-CP",
            "Số 15/2024/NĐ-CP",
            "số: 15/2024/NĐ-CP",
            "So: 15/2024/ND-CP",
        ] {
            assert_eq!(
                DecisionKind::from_number(number),
                Some(K::Decree),
                "{number}"
            );
        }
        let nfd: String = "34/QĐ-BTTTT".nfd().collect();
        assert_eq!(DecisionKind::from_number(&nfd), Some(K::Decision));
        assert_eq!(DecisionKind::from_number("34/qd-btttt"), Some(K::Decision));
        assert_eq!(DecisionKind::from_number("34/Qđ-BTTTT"), Some(K::Decision));
    }

    #[test]
    fn unclear_numbers_tell_nothing() {
        for number in [
            "",
            "   ",
            "34",
            "QĐ-BTTTT",
            "/QĐ-BTTTT",
            "34/",
            "34//QĐ-BTTTT",
            "45/VPCP",
            "12/2023/XYZ-ABC",
            "12/2023/BTTTT-TCCB",
            "51/QH14",
            "1211/2016/UBTVQH13",
            "34/QĐ-BTTTT/thêm",
            "1/2/3/4",
            "34/Q Đ?-BTTTT",
            "abc/def-ghi",
            "số",
            "34/QĐ-",
            "34/-BTTTT",
        ] {
            assert_eq!(DecisionKind::from_number(number), None, "{number:?}");
        }
    }

    #[test]
    fn names_and_abbreviations() {
        assert_eq!(K::Decree.vietnamese_name(), "Nghị định");
        assert_eq!(K::OfficialLetter.vietnamese_name(), "Công văn");
        assert_eq!(K::Decree.abbreviation(), Some("NĐ"));
        assert_eq!(K::Law.abbreviation(), None);
        // `as_str` is the serde name.
        for kind in DecisionKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert!(!kind.vietnamese_name().is_empty());
        }
    }

    /// Issuers as they appear after a type code.
    const ISSUERS: [&str; 8] = [
        "CP", "TTg", "BTTTT", "BNV", "UBND", "HĐND", "VPCP", "BCĐCCHC",
    ];

    /// Every kind with a type code, and its code.
    fn coded() -> Vec<(DecisionKind, &'static str)> {
        DecisionKind::ALL
            .iter()
            .filter(|k| !matches!(k, K::OfficialLetter | K::Law | K::Other))
            .filter_map(|k| k.abbreviation().map(|a| (*k, a)))
            .collect()
    }

    /// Writes a number the way people do: maybe lower case, without diacritics, NFD.
    fn as_typed(number: &str, style: u8) -> String {
        match style % 4 {
            0 => number.to_owned(),
            1 => number.to_lowercase(),
            2 => crate::text::fold(number).to_uppercase(),
            _ => number.nfd().collect(),
        }
    }

    proptest! {
        #[test]
        fn a_type_code_tells_its_kind(
            which in 0usize..9,
            n in 1u32..100_000,
            year in proptest::option::of(1990u32..2100),
            issuer in proptest::sample::select(&ISSUERS[..]),
            unit in proptest::option::of(proptest::sample::select(&ISSUERS[..])),
            style in any::<u8>(),
        ) {
            let (kind, code) = coded()[which % coded().len()];
            let mut number = n.to_string();
            if let Some(y) = year {
                number.push_str(&format!("/{y}"));
            }
            number.push_str(&format!("/{code}-{issuer}"));
            if let Some(u) = unit {
                number.push_str(&format!("-{u}"));
            }
            let typed = as_typed(&number, style);
            prop_assert_eq!(DecisionKind::from_number(&typed), Some(kind), "{}", typed);
        }

        #[test]
        fn an_issuer_and_unit_without_a_code_is_an_official_letter(
            n in 1u32..100_000,
            issuer in proptest::sample::select(&["BTTTT", "VPCP", "BNV", "TTg", "UBND"][..]),
            unit in proptest::sample::select(&["TCCB", "KSTT", "VP", "KGVX", "CCHC"][..]),
            style in any::<u8>(),
        ) {
            let typed = as_typed(&format!("{n}/{issuer}-{unit}"), style);
            prop_assert_eq!(
                DecisionKind::from_number(&typed),
                Some(K::OfficialLetter),
                "{}",
                typed
            );
        }

        #[test]
        fn a_number_of_the_assembly_is_a_law(n in 1u32..200, year in 1990u32..2100, term in 9u32..20) {
            let number = format!("{n}/{year}/QH{term}");
            prop_assert_eq!(DecisionKind::from_number(&number), Some(K::Law));
        }

        #[test]
        fn any_text_parses_without_panicking(text in any::<String>()) {
            let _ = DecisionKind::from_number(&text);
        }

        #[test]
        fn any_slashed_text_parses_without_panicking(
            parts in proptest::collection::vec("[0-9A-Za-zĐđ\\- ]{0,6}", 0..5),
        ) {
            let _ = DecisionKind::from_number(&parts.join("/"));
        }
    }
}
