//! The hash chain: the canonical byte layout each record's hash covers, and the head digest.
//!
//! The layout is written by hand rather than taken from the storage codec so that a client in
//! any language can recompute a hash from the documented fields, and so that replacing the
//! codec never changes a hash.

use serde::{Deserialize, Serialize};

use crate::hash::Hash;
use crate::record::{NewEvent, RecordedEvent, Timestamp};

/// Domain separation: a record hash can never collide with a hash of some other structure.
const RECORD_DOMAIN: &[u8] = b"reformlog/record/v1\0";

/// The last position of the log and its hash. A party that keeps a digest can later check that
/// the log still extends it (`Store::verify_extends`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadDigest {
    /// The position of the last record.
    pub position: u64,
    /// The hash of the last record.
    pub hash: Hash,
}

/// Computes the hash of a record from every field but `hash` itself.
///
/// Layout (all integers big-endian; `str`/`bytes` are a u32 length then the bytes; an optional
/// field is one byte 0 or 1, then the value when 1):
/// domain tag `reformlog/record/v1\0`, position u64, stream str, revision u64, event id 16 bytes,
/// event type str, schema version u32, recorded-at i64 micros, actor str, reason opt str,
/// source opt str, correlation id opt 16 bytes, causation id opt 16 bytes, extra count u32 then
/// each key str and value str in key order, payload bytes, previous hash 32 bytes.
pub fn record_hash(r: &RecordedEvent) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(RECORD_DOMAIN);
    h.update(&r.position.to_be_bytes());
    put_bytes(&mut h, r.stream.as_bytes());
    h.update(&r.revision.to_be_bytes());
    h.update(r.event_id.as_bytes());
    put_bytes(&mut h, r.event_type.as_bytes());
    h.update(&r.schema_version.to_be_bytes());
    h.update(&r.recorded_at.as_micros().to_be_bytes());
    let m = &r.metadata;
    put_bytes(&mut h, m.actor.as_bytes());
    put_opt(&mut h, m.reason.as_deref().map(str::as_bytes), true);
    put_opt(&mut h, m.source.as_deref().map(str::as_bytes), true);
    put_opt(
        &mut h,
        m.correlation_id.as_ref().map(|u| &u.as_bytes()[..]),
        false,
    );
    put_opt(
        &mut h,
        m.causation_id.as_ref().map(|u| &u.as_bytes()[..]),
        false,
    );
    put_len(&mut h, m.extra.len());
    for (k, v) in &m.extra {
        put_bytes(&mut h, k.as_bytes());
        put_bytes(&mut h, v.as_bytes());
    }
    put_bytes(&mut h, &r.payload);
    h.update(&r.prev_hash.0);
    Hash(*h.finalize().as_bytes())
}

fn put_len(h: &mut blake3::Hasher, len: usize) {
    // Lengths are bounded far below u32::MAX by the record size limit; saturating keeps the
    // function total without a panic path.
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    h.update(&len.to_be_bytes());
}

fn put_bytes(h: &mut blake3::Hasher, bytes: &[u8]) {
    put_len(h, bytes.len());
    h.update(bytes);
}

fn put_opt(h: &mut blake3::Hasher, value: Option<&[u8]>, length_prefixed: bool) {
    match value {
        None => {
            h.update(&[0]);
        }
        Some(v) => {
            h.update(&[1]);
            if length_prefixed {
                put_bytes(h, v);
            } else {
                h.update(v);
            }
        }
    }
}

impl RecordedEvent {
    /// `event` recorded at `position` of commit `commit` as revision `revision` of `stream`,
    /// chained after `prev_hash`: the record every backend of the log writes for it, its hash
    /// computed here so that they all chain alike.
    pub fn chained(
        event: &NewEvent,
        stream: &str,
        position: u64,
        commit: u64,
        revision: u64,
        recorded_at: Timestamp,
        prev_hash: Hash,
    ) -> Self {
        let mut record = RecordedEvent {
            position,
            commit,
            stream: stream.to_owned(),
            revision,
            event_id: event.id,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            recorded_at,
            metadata: event.metadata.clone(),
            payload: event.payload.clone(),
            prev_hash,
            hash: prev_hash,
        };
        record.hash = record_hash(&record);
        record
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_round_trips() {
        let h = Hash([0xab; 32]);
        assert_eq!(Hash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(Hash::from_hex("zz"), None);
        assert_eq!(Hash::from_hex(&"g".repeat(64)), None);
    }
}
