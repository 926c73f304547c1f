//! The key layout of the store's one sled tree. Every numeric key part is fixed-width big-endian,
//! so sled's byte order is numeric order.
//!
//! | prefix | key                                  | value                        |
//! |--------|--------------------------------------|------------------------------|
//! | `0x00` | (none)                               | store header                 |
//! | `0x01` | (none)                               | next stream number, u64      |
//! | `0x10` | position u64                         | record (version byte + body) |
//! | `0x20` | stream number u64, revision u64      | position u64                 |
//! | `0x30` | event id, 16 bytes                   | position u64                 |
//! | `0x40` | stream id, UTF-8 (last part, unbounded) | stream number u64         |

/// The sled tree that holds the log and its indexes. One tree, so that one `apply_batch`
/// writes a record and all its index entries atomically, including across a crash.
pub(crate) const LOG_TREE: &str = "reformlog.log.v1";

pub(crate) const HEADER: [u8; 1] = [0x00];
pub(crate) const STREAM_COUNTER: [u8; 1] = [0x01];
const LOG: u8 = 0x10;
const REVISION: u8 = 0x20;
const EVENT_ID: u8 = 0x30;
const STREAM: u8 = 0x40;

pub(crate) fn log(position: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = LOG;
    k[1..].copy_from_slice(&position.to_be_bytes());
    k
}

/// The position a log key names, if it is a log key.
pub(crate) fn log_position(key: &[u8]) -> Option<u64> {
    match key {
        [LOG, rest @ ..] => Some(u64::from_be_bytes(rest.try_into().ok()?)),
        _ => None,
    }
}

pub(crate) fn revision(stream_no: u64, revision: u64) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = REVISION;
    k[1..9].copy_from_slice(&stream_no.to_be_bytes());
    k[9..].copy_from_slice(&revision.to_be_bytes());
    k
}

/// The revision a revision-index key names.
pub(crate) fn revision_of(key: &[u8]) -> Option<u64> {
    match key {
        [REVISION, rest @ ..] if rest.len() == 16 => {
            Some(u64::from_be_bytes(rest[8..].try_into().ok()?))
        }
        _ => None,
    }
}

pub(crate) fn event_id(id: &uuid::Uuid) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = EVENT_ID;
    k[1..].copy_from_slice(id.as_bytes());
    k
}

pub(crate) fn stream(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + name.len());
    k.push(STREAM);
    k.extend_from_slice(name.as_bytes());
    k
}

pub(crate) fn u64_value(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

/// Reads a u64 value; `None` when the bytes are not exactly eight.
pub(crate) fn read_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_sort_numerically() {
        let positions = [1u64, 2, 9, 10, 11, 255, 256, 65_536, u64::MAX];
        for pair in positions.windows(2) {
            assert!(log(pair[0]) < log(pair[1]), "{pair:?}");
        }
        for p in positions {
            assert_eq!(log_position(&log(p)), Some(p));
        }
    }

    #[test]
    fn revision_keys_group_by_stream_then_sort_by_revision() {
        assert!(revision(1, u64::MAX) < revision(2, 0));
        assert!(revision(1, 9) < revision(1, 10));
        assert_eq!(revision_of(&revision(3, 10)), Some(10));
    }
}
