//! The evidence a progress report cites: documents named by number, title, link and the
//! SHA-256 of their file (the files themselves stay outside the log), and free text.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// What a progress report offers as evidence. Empty when it offers none.
///
/// In JSON and TOML a plain string is also accepted, as the note: what schemas 1 and 2 kept.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// Free text, e.g. "công văn số 1"; all a report could say before documents were named.
    pub note: Option<String>,
    /// The documents cited, in the order given.
    pub documents: Vec<EvidenceDocument>,
}

/// One document cited as evidence. The log keeps what names the document and, when a file
/// was given, its hash, so anyone holding a copy can check it is the one cited.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceDocument {
    /// The document's number, e.g. `123/BC-BTTTT`.
    #[serde(default)]
    pub number: Option<String>,
    /// The document's title.
    #[serde(default)]
    pub title: Option<String>,
    /// Where the document can be read: an `http` or `https` URL.
    #[serde(default)]
    pub link: Option<String>,
    /// SHA-256 of the document's file: 64 lowercase hexadecimal digits.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// Why evidence was refused. `document` counts from 0 in the order given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// A document has neither a number nor a title.
    #[error("evidence document {document} needs a number or a title")]
    Unnamed {
        /// The document's place in the list, from 0.
        document: usize,
    },
    /// A text field is given but holds only white space.
    #[error("evidence {field} is blank: give text or leave it out")]
    Blank {
        /// The blank field: `note`, or a document's number or title.
        field: String,
    },
    /// A document's link is not an `http` or `https` URL.
    #[error("evidence document {document}'s link {link:?} is not an http(s) URL: {reason}")]
    BadLink {
        /// The document's place in the list, from 0.
        document: usize,
        /// The link given.
        link: String,
        /// Why it was refused.
        reason: String,
    },
    /// A document's `sha256` is not 64 lowercase hexadecimal digits.
    #[error(
        "evidence document {document}'s sha256 {hash:?} is not 64 lowercase hexadecimal digits"
    )]
    BadHash {
        /// The document's place in the list, from 0.
        document: usize,
        /// The hash given.
        hash: String,
    },
}

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(|t| t.trim().is_empty())
}

/// Whether `link` is an absolute `http`/`https` URL with a host, written without spaces
/// (the URL parser would silently drop surrounding and embedded whitespace); `Err` says why
/// not. Evidence links and decision links are held to the same rule.
pub(crate) fn check_url(link: &str) -> Result<url::Url, String> {
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains spaces or control characters".to_owned());
    }
    let url = url::Url::parse(link).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("the scheme is {:?}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it names no host".to_owned());
    }
    Ok(url)
}

fn check_link(document: usize, link: &str) -> Result<(), EvidenceError> {
    check_url(link)
        .map(drop)
        .map_err(|reason| EvidenceError::BadLink {
            document,
            link: link.to_owned(),
            reason,
        })
}

/// Whether `hash` is a SHA-256 digest as this format writes it.
pub(crate) fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Evidence {
    /// Evidence that is only a note (what reports said before documents).
    pub fn note(text: impl Into<String>) -> Self {
        Self {
            note: Some(text.into()),
            documents: Vec::new(),
        }
    }

    /// No note and no documents.
    pub fn is_empty(&self) -> bool {
        self.note.is_none() && self.documents.is_empty()
    }

    /// Every document named by a number or title, no blank text, links http(s) URLs, hashes
    /// well-formed.
    pub fn check(&self) -> Result<(), EvidenceError> {
        if blank(&self.note) {
            return Err(EvidenceError::Blank {
                field: "note".to_owned(),
            });
        }
        for (i, d) in self.documents.iter().enumerate() {
            for (field, text) in [
                ("number", &d.number),
                ("title", &d.title),
                ("link", &d.link),
            ] {
                if blank(text) {
                    return Err(EvidenceError::Blank {
                        field: format!("document {i}'s {field}"),
                    });
                }
            }
            if d.number.is_none() && d.title.is_none() {
                return Err(EvidenceError::Unnamed { document: i });
            }
            if let Some(link) = &d.link {
                check_link(i, link)?;
            }
            if let Some(hash) = &d.sha256 {
                if !is_sha256_hex(hash) {
                    return Err(EvidenceError::BadHash {
                        document: i,
                        hash: hash.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The text of the note and documents, for size estimates.
    pub(crate) fn text_len(&self) -> usize {
        let len = |t: &Option<String>| t.as_ref().map_or(0, String::len);
        len(&self.note)
            + self
                .documents
                .iter()
                .map(|d| len(&d.number) + len(&d.title) + len(&d.link) + len(&d.sha256))
                .sum::<usize>()
    }
}

/// The fields, as the payload codec lays them out (in order) and as maps give them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    documents: Vec<EvidenceDocument>,
}

impl From<Fields> for Evidence {
    fn from(f: Fields) -> Self {
        Self {
            note: f.note,
            documents: f.documents,
        }
    }
}

/// Takes a map (the fields), a string (the note) or null (none) from a self-describing
/// format; the payload codec, which is not one, reads the fields in order.
struct EvidenceVisitor;

impl<'de> Visitor<'de> for EvidenceVisitor {
    type Value = Evidence;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("evidence: {note, documents}, a string (the note) or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Evidence, E> {
        Ok(Evidence::note(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Evidence, E> {
        Ok(Evidence::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Evidence, E> {
        Ok(Evidence::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Evidence, D::Error> {
        d.deserialize_any(EvidenceVisitor)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Evidence, A::Error> {
        Fields::deserialize(de::value::MapAccessDeserializer::new(map)).map(Evidence::from)
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            d.deserialize_any(EvidenceVisitor)
        } else {
            Fields::deserialize(d).map(Evidence::from)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc(number: &str) -> EvidenceDocument {
        EvidenceDocument {
            number: Some(number.to_owned()),
            ..EvidenceDocument::default()
        }
    }

    fn with(d: EvidenceDocument) -> Evidence {
        Evidence {
            note: None,
            documents: vec![d],
        }
    }

    #[test]
    fn a_document_needs_a_number_or_a_title() {
        assert_eq!(
            with(EvidenceDocument {
                link: Some("https://mic.gov.vn/".to_owned()),
                ..EvidenceDocument::default()
            })
            .check(),
            Err(EvidenceError::Unnamed { document: 0 })
        );
        let titled = EvidenceDocument {
            title: Some("Báo cáo kết quả".to_owned()),
            ..EvidenceDocument::default()
        };
        assert_eq!(with(titled).check(), Ok(()));
        assert_eq!(with(doc("123/BC-BTTTT")).check(), Ok(()));
        let blank_title = EvidenceDocument {
            title: Some("  ".to_owned()),
            ..doc("123/BC-BTTTT")
        };
        assert!(matches!(
            with(blank_title).check(),
            Err(EvidenceError::Blank { field }) if field == "document 0's title"
        ));
        assert!(matches!(
            Evidence::note(" ").check(),
            Err(EvidenceError::Blank { .. })
        ));
    }

    #[test]
    fn a_link_is_an_http_or_https_url_with_a_host() {
        let link = |l: &str| {
            with(EvidenceDocument {
                link: Some(l.to_owned()),
                ..doc("1/BC")
            })
            .check()
        };
        assert_eq!(link("https://mic.gov.vn/bao-cao/1.pdf"), Ok(()));
        assert_eq!(link("http://10.0.0.7:8080/vb?id=1"), Ok(()));
        for bad in [
            "mic.gov.vn/1.pdf",
            "ftp://mic.gov.vn/1.pdf",
            "file:///tmp/1.pdf",
            "javascript:alert(1)",
            "https://",
            " https://mic.gov.vn/",
            "https://mic.gov.vn/a b",
            "https://mic.gov.vn/\n",
        ] {
            assert!(
                matches!(link(bad), Err(EvidenceError::BadLink { document: 0, .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_hash_is_64_lowercase_hex_digits() {
        let hash = |h: &str| {
            with(EvidenceDocument {
                sha256: Some(h.to_owned()),
                ..doc("1/BC")
            })
            .check()
        };
        let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hash(good), Ok(()));
        for bad in [
            &good[..63],
            &format!("{good}0"),
            &good.to_uppercase(),
            &good.replace('b', "g"),
            "",
        ] {
            assert!(
                matches!(hash(bad), Err(EvidenceError::BadHash { document: 0, .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn json_takes_the_fields_a_string_as_the_note_or_null() {
        let e: Evidence = serde_json::from_str(r#""công văn số 1""#).unwrap();
        assert_eq!(e, Evidence::note("công văn số 1"));
        let e: Evidence = serde_json::from_str("null").unwrap();
        assert!(e.is_empty());
        let e: Evidence =
            serde_json::from_str(r#"{"documents": [{"number": "123/BC-BTTTT"}]}"#).unwrap();
        assert_eq!(e, with(doc("123/BC-BTTTT")));
        assert!(serde_json::from_str::<Evidence>(r#"{"docs": []}"#).is_err());
        assert!(serde_json::from_str::<Evidence>("12").is_err());
        let back: Evidence = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn the_payload_codec_keeps_every_field() {
        let e = Evidence {
            note: Some("công văn số 1".to_owned()),
            documents: vec![EvidenceDocument {
                number: Some("123/BC-BTTTT".to_owned()),
                title: Some("Báo cáo".to_owned()),
                link: Some("https://mic.gov.vn/1.pdf".to_owned()),
                sha256: Some("ab".repeat(32)),
            }],
        };
        let bytes = reformlog_store::encode_payload(&e).unwrap();
        let back: Evidence = reformlog_store::decode_payload(&bytes).unwrap();
        assert_eq!(back, e);
    }
}
