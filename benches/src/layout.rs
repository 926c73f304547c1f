//! The baselines' bytes: the store's layout-4 record and commit entry for an event, written
//! without the store.

use super::workload::mix;
use reformlog_store::{CodecError, Hash, Metadata, NewEvent, RecordedEvent, Timestamp};

/// The record bytes the store writes for this event at this place in the log (layout 4), in
/// commit number `commit` whose metadata is `commit_metadata`, with a stand-in hash (layout 4
/// stores neither the position, which is the key, nor the time or the previous hash, so only the
/// hash stands in, and it is 32 bytes like the real one).
///
/// A record whose metadata is its commit's stores none; one whose metadata differs (most events
/// of a bulk commit, since the workload varies actor and reason) stores its own, as the store
/// does. `raw::encode_record_v4_bytes` gives the first form; the second is made from it here by
/// putting the metadata in, and [`Bulk::new`](crate::Bulk::new) checks its first batch with the store's decoder.
pub fn record_bytes(
    position: u64,
    commit: u64,
    stream: &str,
    revision: u64,
    e: &NewEvent,
    commit_metadata: &Metadata,
) -> Result<Vec<u8>, CodecError> {
    let record = RecordedEvent {
        position,
        commit,
        stream: stream.to_string(),
        revision,
        event_id: e.id,
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        recorded_at: Timestamp::from_micros(1_750_000_000_000_000 + position as i64),
        metadata: e.metadata.clone(),
        payload: e.payload.clone(),
        prev_hash: Hash(hash_like(position.wrapping_sub(1))),
        hash: Hash(hash_like(position)),
    };
    let mut bytes = reformlog_store::raw::encode_record_v4_bytes(&record)?;
    if e.metadata != *commit_metadata {
        // Layout 4's fields before the metadata: version byte, commit, stream, revision, event
        // id, event type, schema version; then the metadata as an option, here `None` (0).
        let at = 1
            + varint_len(commit)
            + varint_len(stream.len() as u64)
            + stream.len()
            + varint_len(revision)
            + 16
            + varint_len(e.event_type.len() as u64)
            + e.event_type.len()
            + varint_len(u64::from(e.schema_version));
        if bytes.get(at) != Some(&0) {
            return Err(CodecError::Invalid(
                "layout 4 changed: no empty metadata where the benchmark expects it".into(),
            ));
        }
        let mut own = vec![1u8];
        put_metadata(&mut own, &e.metadata);
        bytes.splice(at..=at, own);
    }
    Ok(bytes)
}

/// The commit-table entry the store writes for a commit (layout 1 of commit entries: version
/// byte, first and last position, recorded-at time, metadata), for the raw sled diagnostics
/// that write the store's entries without the store.
pub fn commit_entry_bytes(
    first_position: u64,
    last_position: u64,
    recorded_at: i64,
    metadata: &Metadata,
) -> Vec<u8> {
    let mut out = vec![1u8];
    put_varint(&mut out, first_position);
    put_varint(&mut out, last_position);
    // bincode's variable-length signed integers are zigzag-encoded.
    put_varint(&mut out, ((recorded_at << 1) ^ (recorded_at >> 63)) as u64);
    put_metadata(&mut out, metadata);
    out
}

/// Bytes of `v` as a bincode variable-length integer (the store's layout-4 encoding).
fn varint_len(v: u64) -> usize {
    match v {
        0..=250 => 1,
        251..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// `v` as a bincode variable-length integer, big-endian past the marker byte.
fn put_varint(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=250 => out.push(v as u8),
        251..=0xffff => {
            out.push(251);
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(252);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        _ => {
            out.push(253);
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Metadata as layout 4 stores it: actor, reason, source, correlation and causation ids, then
/// the extra pairs in key order.
fn put_metadata(out: &mut Vec<u8>, m: &Metadata) {
    put_str(out, &m.actor);
    for text in [&m.reason, &m.source] {
        match text {
            None => out.push(0),
            Some(t) => {
                out.push(1);
                put_str(out, t);
            }
        }
    }
    for id in [m.correlation_id, m.causation_id] {
        match id {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                out.extend_from_slice(id.as_bytes());
            }
        }
    }
    put_varint(out, m.extra.len() as u64);
    for (k, v) in &m.extra {
        put_str(out, k);
        put_str(out, v);
    }
}

/// 32 bytes that look random, standing in for a hash the baselines do not compute.
fn hash_like(x: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(x ^ ((i as u64) << 56)).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn varints_match_their_lengths() {
        for v in [0, 250, 251, 65_535, 65_536, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
        }
    }
}
