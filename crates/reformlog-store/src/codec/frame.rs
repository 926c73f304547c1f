//! Commit-table entries and journal frame bodies (a whole commit each), in their frozen
//! layouts.

use bincode::{Decode, Encode};
use uuid::Uuid;

use super::{decode_versioned, encode_versioned, MetadataV4, VARINT, VARINT_FRAME};
use crate::commit::{CommitInfo, StagedCommit, StagedStream};
use crate::error::CodecError;
use crate::hash::Hash;
use crate::record::{RecordedEvent, Timestamp};

/// The version byte in front of a commit-table entry.
const COMMIT_FORMAT_V1: u8 = 1;
/// The version byte in front of a journal frame body.
const FRAME_FORMAT_V1: u8 = 1;

/// A commit-table entry, layout 1. Field order is the format.
#[derive(Encode, Decode)]
struct CommitV1 {
    first_position: u64,
    last_position: u64,
    recorded_at: i64,
    metadata: MetadataV4,
}

/// Encodes a commit-table entry (the commit number is its key).
pub(crate) fn encode_commit(c: &CommitInfo) -> Result<Vec<u8>, CodecError> {
    let v = CommitV1 {
        first_position: c.first_position,
        last_position: c.last_position,
        recorded_at: c.recorded_at.as_micros(),
        metadata: MetadataV4::from_metadata(&c.metadata),
    };
    encode_versioned(&v, COMMIT_FORMAT_V1, VARINT, 96)
}

/// Decodes commit `number`'s table entry.
pub(crate) fn decode_commit(number: u64, bytes: &[u8]) -> Result<CommitInfo, CodecError> {
    let v: CommitV1 = decode_versioned(bytes, COMMIT_FORMAT_V1, VARINT)?;
    if v.last_position < v.first_position {
        return Err(CodecError::Invalid("commit ends before it starts".into()));
    }
    Ok(CommitInfo {
        number,
        first_position: v.first_position,
        last_position: v.last_position,
        recorded_at: Timestamp::from_micros(v.recorded_at),
        metadata: v.metadata.into_metadata()?,
    })
}

/// One stream's events in a journal frame. Field order is the format.
#[derive(Encode, Decode)]
struct FrameStreamV1 {
    stream: String,
    stream_no: u64,
    created: bool,
    first_revision: u64,
    events: Vec<FrameEventV1>,
}

/// One event in a journal frame. Field order is the format.
#[derive(Encode, Decode)]
struct FrameEventV1 {
    event_id: [u8; 16],
    event_type: String,
    schema_version: u32,
    metadata: Option<MetadataV4>,
    payload: Vec<u8>,
    hash: [u8; 32],
}

/// A journal frame body: one whole commit, enough to install it again. Field order is the
/// format.
#[derive(Encode, Decode)]
struct FrameV1 {
    commit: u64,
    first_position: u64,
    recorded_at: i64,
    metadata: MetadataV4,
    prev_hash: [u8; 32],
    streams: Vec<FrameStreamV1>,
}

/// Encodes a staged commit as a journal frame body (with its version byte).
pub(crate) fn encode_frame(c: &StagedCommit) -> Result<Vec<u8>, CodecError> {
    let mut streams: Vec<FrameStreamV1> = Vec::with_capacity(c.streams.len());
    let mut records = c.records.iter();
    for s in &c.streams {
        let mut events = Vec::with_capacity(s.events);
        for _ in 0..s.events {
            let r = records.next().ok_or_else(|| {
                CodecError::Encode("commit has fewer records than its streams".into())
            })?;
            events.push(FrameEventV1 {
                event_id: *r.event_id.as_bytes(),
                event_type: r.event_type.clone(),
                schema_version: r.schema_version,
                metadata: (r.metadata != c.info.metadata)
                    .then(|| MetadataV4::from_metadata(&r.metadata)),
                payload: r.payload.clone(),
                hash: r.hash.0,
            });
        }
        streams.push(FrameStreamV1 {
            stream: s.stream.clone(),
            stream_no: s.stream_no,
            created: s.created,
            first_revision: s.first_revision,
            events,
        });
    }
    let frame = FrameV1 {
        commit: c.info.number,
        first_position: c.info.first_position,
        recorded_at: c.info.recorded_at.as_micros(),
        metadata: MetadataV4::from_metadata(&c.info.metadata),
        prev_hash: c.prev_hash.0,
        streams,
    };
    encode_versioned(&frame, FRAME_FORMAT_V1, VARINT_FRAME, 256)
}

/// Decodes a journal frame body back into the commit it holds.
pub(crate) fn decode_frame(bytes: &[u8]) -> Result<StagedCommit, CodecError> {
    let f: FrameV1 = decode_versioned(bytes, FRAME_FORMAT_V1, VARINT_FRAME)?;
    let metadata = f.metadata.into_metadata()?;
    let recorded_at = Timestamp::from_micros(f.recorded_at);
    let mut position = f.first_position;
    let mut prev = Hash(f.prev_hash);
    let mut streams = Vec::with_capacity(f.streams.len());
    let mut records = Vec::new();
    for s in f.streams {
        if s.events.is_empty() {
            return Err(CodecError::Invalid("a stream with no events".into()));
        }
        streams.push(StagedStream {
            stream: s.stream.clone(),
            stream_no: s.stream_no,
            created: s.created,
            first_revision: s.first_revision,
            events: s.events.len(),
        });
        for (i, e) in s.events.into_iter().enumerate() {
            let record = RecordedEvent {
                position,
                commit: f.commit,
                stream: s.stream.clone(),
                revision: s.first_revision + i as u64,
                event_id: Uuid::from_bytes(e.event_id),
                event_type: e.event_type,
                schema_version: e.schema_version,
                recorded_at,
                metadata: match e.metadata {
                    Some(m) => m.into_metadata()?,
                    None => metadata.clone(),
                },
                payload: e.payload,
                prev_hash: prev,
                hash: Hash(e.hash),
            };
            prev = record.hash;
            records.push(record);
            position += 1;
        }
    }
    if records.is_empty() {
        return Err(CodecError::Invalid("a commit with no events".into()));
    }
    Ok(StagedCommit {
        info: CommitInfo {
            number: f.commit,
            first_position: f.first_position,
            last_position: position - 1,
            recorded_at,
            metadata,
        },
        prev_hash: Hash(f.prev_hash),
        streams,
        records,
    })
}
