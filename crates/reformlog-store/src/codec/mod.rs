//! The one module that names bincode: the frozen configurations, record, commit and journal
//! frame bytes, payload helpers.
//!
//! bincode is not self-describing (fields by position, variants by index), so every stored
//! layout is a private struct here, versioned by the byte in front of it, and never reordered.
//! A new layout gets a new version byte and a decoder beside the old one.

use bincode::config::{self, BigEndian, Configuration, Fixint, Limit};
use bincode::error::DecodeError;
use bincode::{Decode, Encode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::commit::CommitInfo;
use crate::error::CodecError;
use crate::hash::Hash;
use crate::record::{Metadata, RecordedEvent, Timestamp, MAX_RECORD_BYTES};

/// Named in the store header, so a store written with another configuration is refused.
pub(crate) const CODEC_NAME: &str = "bincode-2.0.1/standard/big-endian/fixint";

/// The version byte in front of a record written by store formats 1 to 3.
pub(crate) const RECORD_FORMAT_V1: u8 = 1;
/// The version byte in front of a record written by store format 4.
pub(crate) const RECORD_FORMAT_V4: u8 = 4;

/// The decode limit: no corrupted length can make a decode allocate more than this.
const DECODE_LIMIT: usize = 1 << 20;
const _: () = assert!(DECODE_LIMIT > MAX_RECORD_BYTES);

/// Frozen: changing any part of this changes every stored byte of payloads and v1 records.
const CONFIG: Configuration<BigEndian, Fixint, Limit<DECODE_LIMIT>> = config::standard()
    .with_big_endian()
    .with_fixed_int_encoding()
    .with_limit::<DECODE_LIMIT>();

/// Frozen: the layouts of format 4 (records, commits) use variable-length integers, which take
/// one byte for the small numbers that fill a record.
const VARINT: Configuration<BigEndian, config::Varint, Limit<DECODE_LIMIT>> = config::standard()
    .with_big_endian()
    .with_variable_int_encoding()
    .with_limit::<DECODE_LIMIT>();

/// The same encoding for journal frames, which hold whole commits. A frame's checksum is
/// checked before it is decoded, so the larger limit is reached only by a commit that big.
const VARINT_FRAME: Configuration<BigEndian, config::Varint, Limit<FRAME_DECODE_LIMIT>> =
    config::standard()
        .with_big_endian()
        .with_variable_int_encoding()
        .with_limit::<FRAME_DECODE_LIMIT>();

/// A journal frame holds a whole commit, which may be far larger than one record.
pub(crate) const FRAME_DECODE_LIMIT: usize = 1 << 30;

mod frame;
pub(crate) use frame::{decode_commit, decode_frame, encode_commit, encode_frame};

/// The event's own fields, in the order both record layouts store them. bincode writes a
/// struct as its fields in order with nothing around them, so a layout holding this struct
/// stores exactly these fields in its place.
#[derive(Encode, Decode)]
struct EventV1 {
    stream: String,
    revision: u64,
    event_id: [u8; 16],
    event_type: String,
    schema_version: u32,
}

impl EventV1 {
    fn of(r: &RecordedEvent) -> Self {
        Self {
            stream: r.stream.clone(),
            revision: r.revision,
            event_id: *r.event_id.as_bytes(),
            event_type: r.event_type.clone(),
            schema_version: r.schema_version,
        }
    }
}

/// Record layout version 1. Field order is the format: append-only, never reorder.
#[derive(Encode, Decode)]
struct RecordV1 {
    position: u64,
    event: EventV1,
    recorded_at: i64,
    /// The metadata's fields, inline: bincode writes a struct as its fields in order, with
    /// nothing around them, so this is the layout 4 metadata's field list, not a new field.
    metadata: MetadataV4,
    payload: Vec<u8>,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// Encodes a record with its version byte.
pub(crate) fn encode_record(r: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    let v1 = RecordV1 {
        position: r.position,
        event: EventV1::of(r),
        recorded_at: r.recorded_at.as_micros(),
        metadata: MetadataV4::from_metadata(&r.metadata),
        payload: r.payload.clone(),
        prev_hash: r.prev_hash.0,
        hash: r.hash.0,
    };
    encode_versioned(&v1, RECORD_FORMAT_V1, CONFIG, 128 + r.payload.len())
}

/// `value` encoded with `config` behind the version byte `version`.
fn encode_versioned<T: Encode, C: config::Config>(
    value: &T,
    version: u8,
    config: C,
    capacity: usize,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(capacity);
    out.push(version);
    bincode::encode_into_std_write(value, &mut out, config)
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// `body` decoded whole with `config`: trailing bytes are an error.
fn decode_whole<T: Decode<()>, C: config::Config>(body: &[u8], config: C) -> Result<T, CodecError> {
    let (value, used): (T, usize) =
        bincode::decode_from_slice(body, config).map_err(map_decode_error)?;
    if used != body.len() {
        return Err(CodecError::TrailingBytes(body.len() - used));
    }
    Ok(value)
}

/// The value after the version byte `version`, decoded whole with `config`.
fn decode_versioned<T: Decode<()>, C: config::Config>(
    bytes: &[u8],
    version: u8,
    config: C,
) -> Result<T, CodecError> {
    let (&found, body) = bytes.split_first().ok_or(CodecError::Truncated)?;
    if found != version {
        return Err(CodecError::UnknownRecordFormat(found));
    }
    decode_whole(body, config)
}

/// Decodes a record; every malformed, truncated or oversized input is an error.
pub(crate) fn decode_record(bytes: &[u8]) -> Result<RecordedEvent, CodecError> {
    let v1: RecordV1 = decode_versioned(bytes, RECORD_FORMAT_V1, CONFIG)?;
    let metadata = v1.metadata.into_metadata()?;
    Ok(RecordedEvent {
        position: v1.position,
        // Stores before format 4 did not mark commits; an upgrade makes each of their events
        // a commit of its own, numbered as its position.
        commit: v1.position,
        stream: v1.event.stream,
        revision: v1.event.revision,
        event_id: Uuid::from_bytes(v1.event.event_id),
        event_type: v1.event.event_type,
        schema_version: v1.event.schema_version,
        recorded_at: Timestamp::from_micros(v1.recorded_at),
        metadata,
        payload: v1.payload,
        prev_hash: Hash(v1.prev_hash),
        hash: Hash(v1.hash),
    })
}

/// Metadata as format 4 stores it (in a commit entry, or in a record that differs from its
/// commit's). Field order is the format.
#[derive(Encode, Decode, Clone, PartialEq, Eq)]
struct MetadataV4 {
    actor: String,
    reason: Option<String>,
    source: Option<String>,
    correlation_id: Option<[u8; 16]>,
    causation_id: Option<[u8; 16]>,
    extra: Vec<(String, String)>,
}

impl MetadataV4 {
    fn from_metadata(m: &Metadata) -> Self {
        Self {
            actor: m.actor.clone(),
            reason: m.reason.clone(),
            source: m.source.clone(),
            correlation_id: m.correlation_id.map(|u| *u.as_bytes()),
            causation_id: m.causation_id.map(|u| *u.as_bytes()),
            extra: m
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    fn into_metadata(self) -> Result<Metadata, CodecError> {
        // The encoder writes keys in strictly ascending order; anything else is not a record
        // this store wrote, and accepting it would let one record have two byte forms.
        if self.extra.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(CodecError::Invalid(
                "metadata keys not in strictly ascending order".into(),
            ));
        }
        Ok(Metadata {
            actor: self.actor,
            reason: self.reason,
            source: self.source,
            correlation_id: self.correlation_id.map(Uuid::from_bytes),
            causation_id: self.causation_id.map(Uuid::from_bytes),
            extra: self.extra.into_iter().collect(),
        })
    }
}

/// Record layout version 4. The position is the key, the recorded-at time and (usually) the
/// metadata are the commit's, and the previous hash is the previous record's hash, so none of
/// them is stored again. The record's own hash follows the body as 32 raw bytes, so a reader
/// can take a record's hash without decoding it. Field order is the format.
#[derive(Encode, Decode)]
struct RecordV4 {
    commit: u64,
    event: EventV1,
    /// `None`: the commit's metadata.
    metadata: Option<MetadataV4>,
    payload: Vec<u8>,
}

/// A record as format 4 stores it, before the commit and the previous record supply the rest.
pub(crate) struct StoredV4 {
    pub(crate) commit: u64,
    pub(crate) stream: String,
    pub(crate) revision: u64,
    pub(crate) event_id: Uuid,
    pub(crate) event_type: String,
    pub(crate) schema_version: u32,
    pub(crate) metadata: Option<Metadata>,
    pub(crate) payload: Vec<u8>,
    pub(crate) hash: Hash,
}

impl StoredV4 {
    /// The whole record, given its position, its commit and the previous record's hash.
    pub(crate) fn complete(
        self,
        position: u64,
        commit: &CommitInfo,
        prev_hash: Hash,
    ) -> RecordedEvent {
        RecordedEvent {
            position,
            commit: self.commit,
            stream: self.stream,
            revision: self.revision,
            event_id: self.event_id,
            event_type: self.event_type,
            schema_version: self.schema_version,
            recorded_at: commit.recorded_at,
            metadata: self.metadata.unwrap_or_else(|| commit.metadata.clone()),
            payload: self.payload,
            prev_hash,
            hash: self.hash,
        }
    }
}

/// Encodes a record in layout 4; its metadata is stored only when it differs from the
/// commit's.
pub(crate) fn encode_record_v4(
    r: &RecordedEvent,
    commit_metadata: &Metadata,
) -> Result<Vec<u8>, CodecError> {
    let v4 = RecordV4 {
        commit: r.commit,
        event: EventV1::of(r),
        metadata: (r.metadata != *commit_metadata).then(|| MetadataV4::from_metadata(&r.metadata)),
        payload: r.payload.clone(),
    };
    let mut out = encode_versioned(&v4, RECORD_FORMAT_V4, VARINT, 96 + r.payload.len())?;
    out.extend_from_slice(&r.hash.0);
    Ok(out)
}

/// The stored hash of a record of either layout, without decoding the rest of it.
pub(crate) fn record_hash_of(bytes: &[u8]) -> Result<Hash, CodecError> {
    match bytes.first() {
        Some(&RECORD_FORMAT_V4) | Some(&RECORD_FORMAT_V1) if bytes.len() > 33 => {
            let mut h = [0u8; 32];
            h.copy_from_slice(&bytes[bytes.len() - 32..]);
            Ok(Hash(h))
        }
        Some(&v) if v != RECORD_FORMAT_V4 && v != RECORD_FORMAT_V1 => {
            Err(CodecError::UnknownRecordFormat(v))
        }
        _ => Err(CodecError::Truncated),
    }
}

/// A stored record of either layout: a v1 record is whole by itself; a v4 record still needs
/// its commit and the previous hash.
pub(crate) enum Stored {
    V1(RecordedEvent),
    V4(StoredV4),
}

/// Decodes a stored record of either layout; every malformed input is an error.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<Stored, CodecError> {
    match bytes.first() {
        None => Err(CodecError::Truncated),
        Some(&RECORD_FORMAT_V1) => decode_record(bytes).map(Stored::V1),
        Some(&RECORD_FORMAT_V4) => {
            let body = &bytes[1..];
            if body.len() < 32 {
                return Err(CodecError::Truncated);
            }
            let (body, hash) = body.split_at(body.len() - 32);
            let v4: RecordV4 = decode_whole(body, VARINT)?;
            let mut h = [0u8; 32];
            h.copy_from_slice(hash);
            Ok(Stored::V4(StoredV4 {
                commit: v4.commit,
                stream: v4.event.stream,
                revision: v4.event.revision,
                event_id: Uuid::from_bytes(v4.event.event_id),
                event_type: v4.event.event_type,
                schema_version: v4.event.schema_version,
                metadata: v4.metadata.map(MetadataV4::into_metadata).transpose()?,
                payload: v4.payload,
                hash: Hash(h),
            }))
        }
        Some(&v) => Err(CodecError::UnknownRecordFormat(v)),
    }
}

/// Decodes raw record bytes as stored (for fuzzing and golden-fixture tests).
pub fn decode_record_bytes(bytes: &[u8]) -> Result<RecordedEvent, CodecError> {
    decode_record(bytes)
}

/// Encodes a record as it would be stored (for golden-fixture tests).
pub fn encode_record_bytes(record: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    encode_record(record)
}

/// Encodes a record in layout 4 as a commit of its own would store it, its metadata being the
/// commit's (for benchmarks: the bytes the store writes for a one-event commit).
pub fn encode_record_v4_bytes(record: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    encode_record_v4(record, &record.metadata)
}

/// Decodes a layout-4 record's stored bytes alone, without its commit or the record before it
/// (for benchmarks: the decoding work of a read, without the lookups). What layout 4 does not
/// store is left empty: position 0, recorded-at 0, previous hash zero, and default metadata
/// when the record uses its commit's. A layout-1 record is refused.
pub fn decode_record_v4_bytes(bytes: &[u8]) -> Result<RecordedEvent, CodecError> {
    match decode_stored(bytes)? {
        Stored::V4(s) => Ok(RecordedEvent {
            position: 0,
            commit: s.commit,
            stream: s.stream,
            revision: s.revision,
            event_id: s.event_id,
            event_type: s.event_type,
            schema_version: s.schema_version,
            recorded_at: Timestamp::from_micros(0),
            metadata: s.metadata.unwrap_or_default(),
            payload: s.payload,
            prev_hash: Hash([0; 32]),
            hash: s.hash,
        }),
        Stored::V1(_) => Err(CodecError::UnknownRecordFormat(RECORD_FORMAT_V1)),
    }
}

fn map_decode_error(e: DecodeError) -> CodecError {
    match e {
        DecodeError::UnexpectedEnd { .. } => CodecError::Truncated,
        DecodeError::LimitExceeded => CodecError::TooLarge,
        other => CodecError::Invalid(other.to_string()),
    }
}

/// Encodes a payload value with the store's frozen configuration (serde path).
///
/// Callers keep their payload types free of `#[serde(flatten)]`, `skip`, `tag` and `untagged`:
/// the format is positional and those attributes lose data in it.
pub fn encode_payload<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(value, CONFIG).map_err(|e| CodecError::Encode(e.to_string()))
}

/// Decodes a payload written by [`encode_payload`]; trailing bytes are an error.
pub fn decode_payload<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, used) =
        bincode::serde::decode_from_slice(bytes, CONFIG).map_err(map_decode_error)?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample() -> RecordedEvent {
        RecordedEvent {
            position: 7,
            commit: 7,
            stream: "committee-bcd".into(),
            revision: 2,
            event_id: Uuid::from_u128(42),
            event_type: "MembershipStarted".into(),
            schema_version: 1,
            recorded_at: Timestamp::from_micros(1_650_000_000_000_000),
            metadata: Metadata::by("editor:vp").with_reason("Quyết định 34"),
            payload: vec![1, 2, 3],
            prev_hash: Hash([1; 32]),
            hash: Hash([2; 32]),
        }
    }

    #[test]
    fn round_trip() {
        let r = sample();
        assert_eq!(decode_record(&encode_record(&r).unwrap()).unwrap(), r);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode_record(&sample()).unwrap();
        for n in 0..bytes.len() {
            assert!(
                decode_record(&bytes[..n]).is_err(),
                "prefix of {n} bytes decoded"
            );
        }
    }

    #[test]
    fn huge_length_is_refused_without_allocating() {
        let mut bytes = encode_record(&sample()).unwrap();
        // The stream length field follows the version byte and the position.
        bytes[9..17].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(decode_record(&bytes).is_err());
    }

    #[test]
    fn unsorted_or_duplicate_metadata_keys_are_refused() {
        let mut r = sample();
        r.metadata.extra.insert("a".into(), "1".into());
        r.metadata.extra.insert("b".into(), "2".into());
        let bytes = encode_record(&r).unwrap();
        // Each key is a u64 length 1 then the letter; find both and swap or duplicate them.
        let find = |k: u8| {
            let pattern = [0, 0, 0, 0, 0, 0, 0, 1, k];
            bytes.windows(9).position(|w| w == pattern).unwrap() + 8
        };
        let (ka, kb) = (find(b'a'), find(b'b'));
        let mut swapped = bytes.clone();
        swapped[ka] = b'b';
        swapped[kb] = b'a';
        assert!(matches!(
            decode_record(&swapped),
            Err(CodecError::Invalid(_))
        ));
        let mut duplicated = bytes;
        duplicated[kb] = b'a';
        assert!(matches!(
            decode_record(&duplicated),
            Err(CodecError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_version_is_named() {
        let mut bytes = encode_record(&sample()).unwrap();
        bytes[0] = 9;
        assert!(matches!(
            decode_record(&bytes),
            Err(CodecError::UnknownRecordFormat(9))
        ));
    }
}
