//! Golden bytes of every structure the store writes: the store header, the keys, record
//! layout 4 (with and without metadata of its own), the record hash, the commit-table entry,
//! a journal frame and segment header, and the anchor file. Decoding older bytes is tested
//! on whole stores (`tests/store/golden.rs`); this pins what today's build writes, so a change
//! to any of them fails here instead of producing a store older builds misread.
//!
//! A changed layout is a new format version, read beside the old one: never edit a line of
//! `tests/fixtures/store-layouts.hex`. A new structure gets a new name in [`Layout`] and its
//! line from `cargo test -p reformlog-store append_new_layout_fixture_lines -- --ignored`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::chain::{record_hash, HeadDigest};
use crate::codec;
use crate::commit::{CommitInfo, StagedCommit, StagedStream};
use crate::hash::Hash;
use crate::header::Header;
use crate::keys;
use crate::record::{Metadata, RecordedEvent, Timestamp};

/// `name hex` lines, one per [`Layout`].
const FIXTURE: &str = include_str!("../../../tests/fixtures/store-layouts.hex");

/// Every structure pinned. No wildcard in [`Layout::bytes`]: a new one does not compile until
/// it says how its bytes are made.
#[derive(Clone, Copy, Debug)]
enum Layout {
    StoreHeader,
    KeyHeader,
    KeyStreamCounter,
    KeyLegacyCommits,
    KeyRecord,
    KeyRevisionChunk,
    KeyIdBucket,
    KeyStream,
    KeyCommit,
    RecordV4OwnMetadata,
    RecordV4CommitMetadata,
    RecordHash,
    CommitEntry,
    JournalFrame,
    JournalSegmentHeader,
    AnchorFile,
}

const ALL: [Layout; 16] = [
    Layout::StoreHeader,
    Layout::KeyHeader,
    Layout::KeyStreamCounter,
    Layout::KeyLegacyCommits,
    Layout::KeyRecord,
    Layout::KeyRevisionChunk,
    Layout::KeyIdBucket,
    Layout::KeyStream,
    Layout::KeyCommit,
    Layout::RecordV4OwnMetadata,
    Layout::RecordV4CommitMetadata,
    Layout::RecordHash,
    Layout::CommitEntry,
    Layout::JournalFrame,
    Layout::JournalSegmentHeader,
    Layout::AnchorFile,
];

fn commit_metadata() -> Metadata {
    Metadata::by("editor:van-phong-bo").with_source("34/QĐ-BTTTT")
}

fn commit_info() -> CommitInfo {
    CommitInfo {
        number: 7,
        first_position: 41,
        last_position: 42,
        recorded_at: Timestamp::from_micros(1_642_000_000_123_456),
        metadata: commit_metadata(),
    }
}

/// The commit's two records: the first with the commit's metadata, the second with its own.
fn records() -> Vec<RecordedEvent> {
    let info = commit_info();
    let mut extra = BTreeMap::new();
    extra.insert("decision".to_owned(), "34/QĐ-BTTTT".to_owned());
    let own = Metadata {
        actor: "editor:van-phong-bo".to_owned(),
        reason: Some("Kiện toàn Ban chỉ đạo cải cách hành chính".to_owned()),
        source: Some("34/QĐ-BTTTT".to_owned()),
        correlation_id: Some(Uuid::from_u128(7)),
        causation_id: Some(Uuid::from_u128(8)),
        extra,
    };
    let mut prev = Hash([0x11; 32]);
    let mut out = Vec::new();
    for (i, (stream, revision, event_type, metadata, payload)) in [
        (
            "committee-bcd-cchc-btttt",
            3,
            "MembershipStarted",
            commit_metadata(),
            "Trưởng ban: Nguyễn Huy Dũng",
        ),
        ("person-do-cong-anh", 0, "PersonRenamed", own, "Đỗ Công Anh"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = RecordedEvent {
            position: info.first_position + i as u64,
            commit: info.number,
            stream: stream.to_owned(),
            revision,
            event_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0041 + i as u128),
            event_type: event_type.to_owned(),
            schema_version: 3,
            recorded_at: info.recorded_at,
            metadata,
            payload: payload.as_bytes().to_vec(),
            prev_hash: prev,
            hash: Hash::ZERO,
        };
        r.hash = record_hash(&r);
        prev = r.hash;
        out.push(r);
    }
    out
}

fn staged() -> StagedCommit {
    StagedCommit {
        info: commit_info(),
        prev_hash: Hash([0x11; 32]),
        streams: vec![
            StagedStream {
                stream: "committee-bcd-cchc-btttt".to_owned(),
                stream_no: 2,
                created: false,
                first_revision: 3,
                events: 1,
            },
            StagedStream {
                stream: "person-do-cong-anh".to_owned(),
                stream_no: 5,
                created: true,
                first_revision: 0,
                events: 1,
            },
        ],
        records: records(),
    }
}

fn event_id() -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0041)
}

impl Layout {
    fn name(self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// The bytes today's build writes for this structure's sample.
    fn bytes(self) -> Vec<u8> {
        match self {
            Layout::StoreHeader => Header::current().encode(),
            Layout::KeyHeader => keys::HEADER.to_vec(),
            Layout::KeyStreamCounter => keys::STREAM_COUNTER.to_vec(),
            Layout::KeyLegacyCommits => keys::LEGACY_COMMITS.to_vec(),
            Layout::KeyRecord => keys::log(42).to_vec(),
            Layout::KeyRevisionChunk => keys::revision_chunk(3, 130).to_vec(),
            Layout::KeyIdBucket => keys::id_bucket(&event_id()).to_vec(),
            Layout::KeyStream => keys::stream("committee-bcd-cchc-btttt"),
            Layout::KeyCommit => keys::commit(7).to_vec(),
            Layout::RecordV4OwnMetadata => {
                codec::encode_record_v4(&records()[1], &commit_metadata()).unwrap()
            }
            Layout::RecordV4CommitMetadata => {
                codec::encode_record_v4(&records()[0], &commit_metadata()).unwrap()
            }
            Layout::RecordHash => records()[1].hash.0.to_vec(),
            Layout::CommitEntry => codec::encode_commit(&commit_info()).unwrap(),
            Layout::JournalFrame => {
                let mut out = Vec::new();
                crate::journal::encode_frame(&staged(), &mut out).unwrap();
                out
            }
            Layout::JournalSegmentHeader => {
                // A new store's first segment starts at commit 0, position 0 and the zero
                // hash, so its header is the same in every run.
                let dir = tempfile::tempdir().unwrap();
                drop(crate::Store::open(dir.path()).unwrap());
                let segment = dir
                    .path()
                    .join(crate::journal::FOLDER)
                    .join("00000000000000000001.wal");
                let bytes = std::fs::read(segment).unwrap();
                bytes[..crate::journal::HEADER_BYTES].to_vec()
            }
            Layout::AnchorFile => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("head.anchor");
                let digest = HeadDigest {
                    position: 42,
                    hash: records()[1].hash,
                };
                crate::anchor::write(&path, &digest).unwrap();
                std::fs::read(path).unwrap()
            }
        }
    }

    /// Reads the pinned bytes back: what an open of a store holding them finds.
    fn check_decodes(self, bytes: &[u8]) {
        match self {
            Layout::StoreHeader => assert_eq!(Header::decode(bytes), Some(Header::current())),
            Layout::KeyRecord => assert_eq!(keys::log_position(bytes), Some(42)),
            Layout::KeyCommit => assert_eq!(keys::commit_number(bytes), Some(7)),
            Layout::KeyRevisionChunk => assert_eq!(keys::chunk_first_revision(bytes), Some(128)),
            Layout::RecordV4OwnMetadata | Layout::RecordV4CommitMetadata => {
                let which = usize::from(matches!(self, Layout::RecordV4OwnMetadata));
                let want = &records()[which];
                let codec::Stored::V4(stored) = codec::decode_stored(bytes).unwrap() else {
                    panic!("{} is not layout 4", self.name());
                };
                let got = stored.complete(want.position, &commit_info(), want.prev_hash);
                assert_eq!(&got, want);
            }
            Layout::CommitEntry => {
                assert_eq!(codec::decode_commit(7, bytes).unwrap(), commit_info());
            }
            Layout::JournalFrame => {
                let body = &bytes[12..];
                assert_eq!(
                    u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize,
                    body.len()
                );
                assert_eq!(codec::decode_frame(body).unwrap(), staged());
            }
            Layout::AnchorFile => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("head.anchor");
                std::fs::write(&path, bytes).unwrap();
                let digest = crate::anchor::read(&path).unwrap().unwrap();
                assert_eq!((digest.position, digest.hash), (42, records()[1].hash));
            }
            Layout::KeyHeader
            | Layout::KeyStreamCounter
            | Layout::KeyLegacyCommits
            | Layout::KeyIdBucket
            | Layout::KeyStream
            | Layout::RecordHash
            | Layout::JournalSegmentHeader => {}
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn fixture() -> Vec<(&'static str, &'static str)> {
    FIXTURE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once(' ').unwrap())
        .collect()
}

#[test]
fn every_stored_structure_keeps_its_bytes() {
    let lines = fixture();
    let names: Vec<String> = ALL.iter().map(|l| l.name()).collect();
    let pinned: Vec<&str> = lines.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        pinned, names,
        "tests/fixtures/store-layouts.hex holds other structures than `ALL`: a new structure \
         gets its line from `cargo test -p reformlog-store append_new_layout_fixture_lines -- \
         --ignored`; a line is never edited or removed"
    );
    for (layout, (name, pinned)) in ALL.iter().zip(&lines) {
        assert_eq!(
            hex(&layout.bytes()),
            *pinned,
            "`{name}` is written differently: a stored layout changed. Stores written before \
             would be misread; a new layout needs a new format version, read beside this one"
        );
        layout.check_decodes(&unhex(pinned));
    }
}

/// Appends the lines of structures the fixture does not hold yet; the lines it holds are never
/// rewritten (`cargo test -p reformlog-store append_new_layout_fixture_lines -- --ignored`).
#[test]
#[ignore = "writes a committed fixture"]
fn append_new_layout_fixture_lines() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/store-layouts.hex"
    );
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut out: Vec<String> = old
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    for layout in ALL.iter().skip(out.len()) {
        out.push(format!("{} {}", layout.name(), hex(&layout.bytes())));
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}
