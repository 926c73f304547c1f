//! The read-model key layout: one side table, one prefix byte per table, fixed-width
//! big-endian parts so that byte order is numeric order and a prefix scan is one lookup.
//!
//! | prefix | key | value |
//! | --- | --- | --- |
//! | `0x00 0x01` | — | checkpoint: last log position applied (u64) |
//! | `0x00 0x02` | — | layout version (u32) |
//! | `0x01` | entity key (17) | first position, last position, last revision (3 × u64), then the view (payload codec; a committee's without its memberships) |
//! | `0x02` | committee entity key (17), segment (u32) | memberships `[32 × segment, 32 × (segment + 1))` of the committee's view (payload codec) |
//! | `0x03` | entity key (17), first position of the entry (u64) | a tail: (position u64, revision u64) of fact events of the entity's stream not yet folded into its row |
//! | `0x10` | parent committee (16), first position of the batch (u64) | child committees (16 each) |
//! | `0x11` | person (16), first position of the batch (u64) | committees (16 each) |
//! | `0x12` | person (16), first position of the batch (u64) | posts (16 each) |
//! | `0x13` | unit (16), first position of the batch (u64) | tasks (16 each) |
//! | `0x14` | plan decision (16), first position of the batch (u64) | tasks (16 each) |
//! | `0x15` | decision (16), citing entity key (17): an entity with an event citing it, or a decision amending, replacing or repealing it | — |
//! | `0x18` | post (16), first position of the batch (u64) | committees with a seat that goes with the post (16 each) |
//! | `0x16` | folded name (UTF-8), `0xFF`, entity key (17) | — |
//! | `0x17` | actor length (u16), actor, first recorded_at (i64, sign-flipped), first position (u64) | runs of (position u64, recorded_at i64) |
//!
//! A committee's memberships grow with its history, so they are kept in segments of a fixed
//! number beside its row: a batch rewrites only the segments its events changed, not every
//! membership the committee ever had.
//!
//! A rebuild does not read a row back from the tree to fold one more event into it: it
//! notes the event's position in a tail instead (see `chunk`), and whoever loads the row
//! folds the tail's events, read from the log, into it. Positions not after the row's last
//! position are already in it and skipped; a writer that writes the row removes the tails.
//!
//! The two-UUID relation tables (`0x10`–`0x14`, `0x18`) hold one entry per source and batch of
//! applied events, listing the targets the batch related to it (sorted, unique within the
//! entry; an entry of a later batch may repeat a target): a rebuild writes one key per
//! source and batch instead of one per pair.
//!
//! An entity key is 17 bytes: the kind byte (unit 1, person 2, post 3, committee 4,
//! decision 5, task 6) and the 16 UUID bytes, so one kind's entities are one prefix.

use crate::ids::EntityKind;
use crate::ids::{CommitteeId, DecisionId, EntityKey, PersonId, PostId, TaskId, UnitId};
use uuid::Uuid;

/// Bumped when the layout or the stored view format changes; a read model written with
/// another version is rebuilt on open.
/// 4: the post → committees table (`0x18`).
/// 5: a seat's designations of who of its post's holders sits.
/// 6: a decision is cited by the decisions that amend, replace or repeal it (`0x15`).
/// 7: a progress report's evidence with its documents.
/// 8: a decision's links to its published text.
pub(crate) const LAYOUT_VERSION: u32 = 8;

pub(crate) const CHECKPOINT: [u8; 2] = [0x00, 0x01];
pub(crate) const VERSION: [u8; 2] = [0x00, 0x02];

pub(crate) const ENTITY: u8 = 0x01;
pub(crate) const MEMBERS: u8 = 0x02;
pub(crate) const TAIL: u8 = 0x03;
pub(crate) const CHILDREN: u8 = 0x10;
pub(crate) const PERSON_COMMITTEES: u8 = 0x11;
pub(crate) const PERSON_POSTS: u8 = 0x12;
pub(crate) const UNIT_TASKS: u8 = 0x13;
pub(crate) const PLAN_TASKS: u8 = 0x14;
pub(crate) const CITING: u8 = 0x15;
pub(crate) const NAMES: u8 = 0x16;
pub(crate) const ACTOR: u8 = 0x17;
pub(crate) const POST_COMMITTEES: u8 = 0x18;

/// Ends the variable-length name part of a name key; never a byte of UTF-8.
const NAME_END: u8 = 0xFF;

pub(crate) const ENTITY_KEY_LEN: usize = 17;

pub(crate) fn kind_byte(key: &EntityKey) -> u8 {
    kind_byte_of(EntityKind::of(key))
}

pub(crate) fn kind_byte_of(kind: EntityKind) -> u8 {
    match kind {
        EntityKind::Unit => 1,
        EntityKind::Person => 2,
        EntityKind::Post => 3,
        EntityKind::Committee => 4,
        EntityKind::Decision => 5,
        EntityKind::Task => 6,
    }
}

pub(crate) fn entity_key_bytes(key: &EntityKey) -> [u8; ENTITY_KEY_LEN] {
    let mut out = [0u8; ENTITY_KEY_LEN];
    out[0] = kind_byte(key);
    out[1..].copy_from_slice(key.uuid().as_bytes());
    out
}

pub(crate) fn parse_entity_key(bytes: &[u8]) -> Option<EntityKey> {
    let (&kind, rest) = bytes.split_first()?;
    let uuid = Uuid::from_slice(rest).ok()?;
    Some(match kind {
        1 => EntityKey::Unit(UnitId::from_uuid(uuid)),
        2 => EntityKey::Person(PersonId::from_uuid(uuid)),
        3 => EntityKey::Post(PostId::from_uuid(uuid)),
        4 => EntityKey::Committee(CommitteeId::from_uuid(uuid)),
        5 => EntityKey::Decision(DecisionId::from_uuid(uuid)),
        6 => EntityKey::Task(TaskId::from_uuid(uuid)),
        _ => return None,
    })
}

/// `[ENTITY][entity key]`.
pub(crate) fn entity(key: &EntityKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + ENTITY_KEY_LEN);
    out.push(ENTITY);
    out.extend_from_slice(&entity_key_bytes(key));
    out
}

/// Memberships per segment of a committee's view.
pub(crate) const SEGMENT: usize = 32;

/// `[MEMBERS][entity key]`: every membership segment of one committee.
pub(crate) fn members_prefix(key: &EntityKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + ENTITY_KEY_LEN + 4);
    out.push(MEMBERS);
    out.extend_from_slice(&entity_key_bytes(key));
    out
}

/// `[MEMBERS][entity key][segment]`.
pub(crate) fn members(key: &EntityKey, segment: usize) -> Vec<u8> {
    let mut out = members_prefix(key);
    out.extend_from_slice(&(segment as u32).to_be_bytes());
    out
}

/// `[TAIL][entity key]`: every tail of one entity.
pub(crate) fn tail_prefix(key: &EntityKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + ENTITY_KEY_LEN + 8);
    out.push(TAIL);
    out.extend_from_slice(&entity_key_bytes(key));
    out
}

/// `[TAIL][entity key][first position]`.
pub(crate) fn tail(key: &EntityKey, first_position: u64) -> Vec<u8> {
    let mut out = tail_prefix(key);
    out.extend_from_slice(&first_position.to_be_bytes());
    out
}

/// `[ENTITY][kind]`: every entity of one kind.
pub(crate) fn entity_kind_prefix(kind_byte: u8) -> [u8; 2] {
    [ENTITY, kind_byte]
}

/// `[table][a]`: the prefix of every relation entry of `a`.
pub(crate) fn relation_prefix(table: u8, a: Uuid) -> [u8; 17] {
    let mut out = [0u8; 17];
    out[0] = table;
    out[1..].copy_from_slice(a.as_bytes());
    out
}

/// `[table][a][first position]`: the relation entry of `a` written by the batch starting at
/// `first_position`.
pub(crate) fn relation_entry(prefix: &[u8; 17], first_position: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(25);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&first_position.to_be_bytes());
    out
}

/// The targets of a relation entry, as written by [`encode_targets`]; `None` when the value
/// is not a whole number of UUIDs.
pub(crate) fn decode_targets(value: &[u8]) -> Option<impl Iterator<Item = Uuid> + '_> {
    if !value.len().is_multiple_of(16) {
        return None;
    }
    Some(
        value
            .chunks_exact(16)
            .filter_map(|c| Uuid::from_slice(c).ok()),
    )
}

/// A relation entry's value: the targets' bytes, one after another.
pub(crate) fn encode_targets(targets: &[Uuid]) -> Vec<u8> {
    let mut out = Vec::with_capacity(targets.len() * 16);
    for t in targets {
        out.extend_from_slice(t.as_bytes());
    }
    out
}

/// `[CITING][decision][entity key]`.
pub(crate) fn citing(decision: DecisionId, entity: &EntityKey) -> Vec<u8> {
    let prefix = relation_prefix(CITING, decision.as_uuid());
    let mut out = Vec::with_capacity(prefix.len() + ENTITY_KEY_LEN);
    out.extend_from_slice(&prefix);
    out.extend_from_slice(&entity_key_bytes(entity));
    out
}

/// The entity of a citing key.
pub(crate) fn citing_target(key: &[u8]) -> Option<EntityKey> {
    key.get(17..).and_then(parse_entity_key)
}

/// `[NAMES][folded name][0xFF][entity key]`.
pub(crate) fn name(folded: &str, entity: &EntityKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + folded.len() + ENTITY_KEY_LEN);
    out.push(NAMES);
    out.extend_from_slice(folded.as_bytes());
    out.push(NAME_END);
    out.extend_from_slice(&entity_key_bytes(entity));
    out
}

/// The folded name and entity of a name key.
pub(crate) fn parse_name(key: &[u8]) -> Option<(&str, EntityKey)> {
    let body = key.get(1..)?;
    let split = body.len().checked_sub(ENTITY_KEY_LEN + 1)?;
    if body.get(split) != Some(&NAME_END) {
        return None;
    }
    let name = std::str::from_utf8(body.get(..split)?).ok()?;
    Some((name, parse_entity_key(body.get(split + 1..)?)?))
}

/// Signed microseconds as big-endian bytes that sort like the numbers.
fn time_bytes(micros: i64) -> [u8; 8] {
    ((micros as u64) ^ (1 << 63)).to_be_bytes()
}

/// `[ACTOR][len][actor]`: every run of one actor. Actors longer than a u16 can count are
/// cut (the run entries still name every event exactly).
pub(crate) fn actor_prefix(actor: &str) -> Vec<u8> {
    let bytes = actor.as_bytes();
    let len = bytes.len().min(usize::from(u16::MAX));
    let mut out = Vec::with_capacity(3 + len + 16);
    out.push(ACTOR);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(&bytes[..len]);
    out
}

/// `[ACTOR][len][actor][recorded_at][position]`: one run of the actor's events starting at
/// this event.
pub(crate) fn actor_run(actor: &str, recorded_at: i64, position: u64) -> Vec<u8> {
    let mut out = actor_prefix(actor);
    out.extend_from_slice(&time_bytes(recorded_at));
    out.extend_from_slice(&position.to_be_bytes());
    out
}

/// The first key of the actor's runs starting at or after `recorded_at`.
pub(crate) fn actor_from(actor: &str, recorded_at: i64) -> Vec<u8> {
    let mut out = actor_prefix(actor);
    out.extend_from_slice(&time_bytes(recorded_at));
    out
}

/// Encodes a run's (position, recorded_at) pairs: as [`encode_tail`] does, the time's two's
/// complement bits as the second number.
pub(crate) fn encode_run(entries: &[(u64, i64)]) -> Vec<u8> {
    let pairs: Vec<(u64, u64)> = entries.iter().map(|&(p, at)| (p, at as u64)).collect();
    encode_tail(&pairs)
}

/// Decodes a run; `None` when the value is not a whole number of pairs.
pub(crate) fn decode_run(bytes: &[u8]) -> Option<Vec<(u64, i64)>> {
    let pairs = decode_tail(bytes)?;
    Some(pairs.into_iter().map(|(p, at)| (p, at as i64)).collect())
}

/// Encodes (u64, u64) pairs, 16 big-endian bytes each: a tail's (position, revision).
pub(crate) fn encode_tail(entries: &[(u64, u64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 16);
    for (a, b) in entries {
        out.extend_from_slice(&a.to_be_bytes());
        out.extend_from_slice(&b.to_be_bytes());
    }
    out
}

/// Decodes what [`encode_tail`] wrote; `None` when the value is not a whole number of pairs.
pub(crate) fn decode_tail(bytes: &[u8]) -> Option<Vec<(u64, u64)>> {
    if !bytes.len().is_multiple_of(16) {
        return None;
    }
    bytes
        .chunks_exact(16)
        .map(|c| Some((read_u64(c)?, read_u64(c.get(8..)?)?)))
        .collect()
}

pub(crate) fn u64_bytes(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

pub(crate) fn read_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_round_trip_and_sort_numerically() {
        let k = EntityKey::Committee(CommitteeId::new());
        assert_eq!(parse_entity_key(&entity_key_bytes(&k)), Some(k));
        let prefix = relation_prefix(PERSON_POSTS, Uuid::nil());
        assert!(relation_entry(&prefix, 1) < relation_entry(&prefix, 256));
        assert!(relation_entry(&prefix, 9).starts_with(&prefix));
        let targets = [k.uuid(), Uuid::nil()];
        let back: Vec<Uuid> = decode_targets(&encode_targets(&targets)).unwrap().collect();
        assert_eq!(back, targets);
        assert!(decode_targets(&[0; 15]).is_none());
        assert!(members(&k, 1) < members(&k, 300));
        assert!(members(&k, 7).starts_with(&members_prefix(&k)));
        assert!(tail(&k, 2) < tail(&k, 256));
        assert!(tail(&k, 9).starts_with(&tail_prefix(&k)));
        let n = name("pham minh tien", &k);
        assert_eq!(parse_name(&n), Some(("pham minh tien", k)));
        assert!(time_bytes(-5) < time_bytes(3));
        assert!(actor_run("a", 1, 9) < actor_run("a", 2, 1));
        assert!(actor_run("a", i64::MAX, 0) < actor_run("ab", i64::MIN, 0));
        let run = [(3, -1), (9, 7)];
        assert_eq!(decode_run(&encode_run(&run)).unwrap(), run);
        // The stored form: position then time, each 8 big-endian bytes.
        let stored = [3u64.to_be_bytes(), (-1i64).to_be_bytes()].concat();
        assert_eq!(encode_run(&run[..1]), stored);
        let tail = [(3, 1), (9, 2)];
        assert_eq!(decode_tail(&encode_tail(&tail)).unwrap(), tail);
        assert!(decode_tail(&[0; 17]).is_none());
    }
}
