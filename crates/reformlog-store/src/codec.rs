//! The one module that names bincode: the frozen configuration, record bytes, payload helpers.
//!
//! bincode is not self-describing (fields by position, variants by index), so the stored layout
//! is a private struct here, versioned by the byte in front of it, and never reordered. A new
//! layout gets a new version byte and a decoder beside the old one.

use bincode::config::{self, BigEndian, Configuration, Fixint, Limit};
use bincode::error::DecodeError;
use bincode::{Decode, Encode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::chain::Hash;
use crate::error::CodecError;
use crate::record::{Metadata, RecordedEvent, Timestamp, MAX_RECORD_BYTES};

/// Named in the store header, so a store written with another configuration is refused.
pub(crate) const CODEC_NAME: &str = "bincode-2.0.1/standard/big-endian/fixint";

/// The version byte in front of every stored record.
pub(crate) const RECORD_FORMAT_V1: u8 = 1;

/// The decode limit: no corrupted length can make a decode allocate more than this.
const DECODE_LIMIT: usize = 1 << 20;
const _: () = assert!(DECODE_LIMIT > MAX_RECORD_BYTES);

/// Frozen: changing any part of this changes every stored byte.
const CONFIG: Configuration<BigEndian, Fixint, Limit<DECODE_LIMIT>> = config::standard()
    .with_big_endian()
    .with_fixed_int_encoding()
    .with_limit::<DECODE_LIMIT>();

/// Record layout version 1. Field order is the format: append-only, never reorder.
#[derive(Encode, Decode)]
struct RecordV1 {
    position: u64,
    stream: String,
    revision: u64,
    event_id: [u8; 16],
    event_type: String,
    schema_version: u32,
    recorded_at: i64,
    actor: String,
    reason: Option<String>,
    source: Option<String>,
    correlation_id: Option<[u8; 16]>,
    causation_id: Option<[u8; 16]>,
    extra: Vec<(String, String)>,
    payload: Vec<u8>,
    prev_hash: [u8; 32],
    hash: [u8; 32],
}

/// Encodes a record with its version byte.
pub(crate) fn encode_record(r: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    let m = &r.metadata;
    let v1 = RecordV1 {
        position: r.position,
        stream: r.stream.clone(),
        revision: r.revision,
        event_id: *r.event_id.as_bytes(),
        event_type: r.event_type.clone(),
        schema_version: r.schema_version,
        recorded_at: r.recorded_at.as_micros(),
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
        payload: r.payload.clone(),
        prev_hash: r.prev_hash.0,
        hash: r.hash.0,
    };
    let mut out = Vec::with_capacity(128 + r.payload.len());
    out.push(RECORD_FORMAT_V1);
    bincode::encode_into_std_write(&v1, &mut out, CONFIG)
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Decodes a record; every malformed, truncated or oversized input is an error.
pub(crate) fn decode_record(bytes: &[u8]) -> Result<RecordedEvent, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Truncated)?;
    if version != RECORD_FORMAT_V1 {
        return Err(CodecError::UnknownRecordFormat(version));
    }
    let (v1, used): (RecordV1, usize) =
        bincode::decode_from_slice(body, CONFIG).map_err(map_decode_error)?;
    if used != body.len() {
        return Err(CodecError::TrailingBytes(body.len() - used));
    }
    // The encoder writes keys in strictly ascending order; anything else is not a record this
    // store wrote, and accepting it would let one record have two byte forms.
    if v1.extra.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(CodecError::Invalid(
            "metadata keys not in strictly ascending order".into(),
        ));
    }
    let extra = v1.extra.into_iter().collect();
    Ok(RecordedEvent {
        position: v1.position,
        stream: v1.stream,
        revision: v1.revision,
        event_id: Uuid::from_bytes(v1.event_id),
        event_type: v1.event_type,
        schema_version: v1.schema_version,
        recorded_at: Timestamp::from_micros(v1.recorded_at),
        metadata: Metadata {
            actor: v1.actor,
            reason: v1.reason,
            source: v1.source,
            correlation_id: v1.correlation_id.map(Uuid::from_bytes),
            causation_id: v1.causation_id.map(Uuid::from_bytes),
            extra,
        },
        payload: v1.payload,
        prev_hash: Hash(v1.prev_hash),
        hash: Hash(v1.hash),
    })
}

/// Decodes raw record bytes as stored (for fuzzing and golden-fixture tests).
pub fn decode_record_bytes(bytes: &[u8]) -> Result<RecordedEvent, CodecError> {
    decode_record(bytes)
}

/// Encodes a record as it would be stored (for golden-fixture tests).
pub fn encode_record_bytes(record: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    encode_record(record)
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
