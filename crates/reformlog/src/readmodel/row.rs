//! The row format: an entity's row (positions, revision and view), a committee's membership
//! segments beside it and the tails a rebuild leaves, encoded into the entries a batch writes
//! and decoded back, tails folded in from the log.

use super::keys;
use crate::codec::decode_event;
use crate::error::Error;
use crate::ids::EntityKey;
use crate::view::{evolve, EntityView, Membership};
use reformlog_store::{decode_payload, encode_payload, CodecError, SideBytes, SideTable, Store};
use std::collections::BTreeSet;

/// One key to write (`Some` value) or remove (`None`).
pub(crate) type Entry = (Vec<u8>, Option<Vec<u8>>);

/// One entity's row: where its stream starts and ends in the log, and its current view.
#[derive(Clone, Debug)]
pub(crate) struct EntityRecord {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) revision: u64,
    pub(crate) view: Option<EntityView>,
    /// The keys of the stored tails folded into this record (not encoded): whoever writes
    /// the record removes them.
    pub(crate) tails: Vec<Vec<u8>>,
}

impl EntityRecord {
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Error> {
        let view = encode_payload(&self.view)?;
        let mut out = Vec::with_capacity(24 + view.len());
        out.extend_from_slice(&self.first.to_be_bytes());
        out.extend_from_slice(&self.last.to_be_bytes());
        out.extend_from_slice(&self.revision.to_be_bytes());
        out.extend_from_slice(&view);
        Ok(out)
    }

    /// The three positions only, without decoding the view.
    pub(crate) fn header(bytes: &[u8]) -> Result<(u64, u64, u64), Error> {
        let field = |i: usize| keys::read_u64(bytes.get(i * 8..).unwrap_or_default());
        match (field(0), field(1), field(2)) {
            (Some(f), Some(l), Some(r)) => Ok((f, l, r)),
            _ => Err(corrupt("entity record shorter than its header")),
        }
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let (first, last, revision) = Self::header(bytes)?;
        let view = decode_payload(bytes.get(24..).unwrap_or_default())?;
        Ok(Self {
            first,
            last,
            revision,
            view,
            tails: Vec::new(),
        })
    }

    /// Folds the fact events at `positions` (with their stream revisions), read from the
    /// log, into the record; those not after its last position are in it already.
    pub(crate) fn fold_tail(
        &mut self,
        store: &Store,
        positions: &[(u64, u64)],
    ) -> Result<(), Error> {
        for &(position, revision) in positions {
            if position <= self.last {
                continue;
            }
            let stored = store
                .read_event(position)?
                .ok_or_else(|| corrupt("a tail names an event the log does not hold"))?;
            let event = decode_event(&stored)?;
            self.view = evolve(self.view.take(), &event);
            self.last = position;
            self.revision = revision;
        }
        Ok(())
    }
}

/// membership segments stored beside it, and folds in its tails; and the encoded size of
/// all of it. Also returns how many memberships the segments hold.
pub(crate) fn load_row(
    store: &Store,
    tree: &SideTable,
    key: &EntityKey,
    bytes: &[u8],
) -> Result<(EntityRecord, usize, usize), Error> {
    let members = match key {
        EntityKey::Committee(_) => Some(tree.scan_prefix(keys::members_prefix(key))),
        _ => None,
    };
    let tails = tree.scan_prefix(keys::tail_prefix(key));
    decode_row(
        store,
        bytes,
        members
            .into_iter()
            .flatten()
            .map(|r| r.map(|(_, v)| v).map_err(Error::from)),
        tails.map(|r| r.map_err(Error::from)),
    )
}

/// [`load_row`] from the parts read: the segments' values and the tails, in key order.
pub(crate) fn decode_row(
    store: &Store,
    bytes: &[u8],
    members: impl Iterator<Item = Result<SideBytes, Error>>,
    tails: impl Iterator<Item = Result<(SideBytes, SideBytes), Error>>,
) -> Result<(EntityRecord, usize, usize), Error> {
    let mut record = EntityRecord::decode(bytes)?;
    let mut encoded = bytes.len();
    let mut stored_members = 0;
    if let Some(EntityView::Committee(c)) = &mut record.view {
        for value in members {
            let value = value?;
            encoded += value.len();
            let mut part: Vec<Membership> = decode_payload(&value)?;
            c.memberships.append(&mut part);
        }
        stored_members = c.memberships.len();
    }
    for item in tails {
        let (k, value) = item?;
        encoded += value.len();
        let tail = keys::decode_tail(&value).ok_or_else(|| corrupt("tail"))?;
        record.fold_tail(store, &tail)?;
        record.tails.push(k.to_vec());
    }
    Ok((record, encoded, stored_members))
}

/// Which membership segments of one committee a chunk changed.
#[derive(Default)]
pub(crate) struct Segments {
    /// Memberships stored before the chunk; every segment from the one holding the first
    /// new membership on is written.
    pub(crate) stored: usize,
    /// Segments holding a membership changed in place (ended).
    pub(crate) changed: BTreeSet<usize>,
    /// The view was refolded (a correction): every segment is written, and stored segments
    /// past the new end removed.
    pub(crate) all: bool,
}

/// Encodes one row into `out` (a committee's memberships into the segments `changes` says
/// were changed), leaving `record` as it was; returns about the size of its encoding.
pub(crate) fn encode_row(
    key: &EntityKey,
    record: &mut EntityRecord,
    changes: Option<&Segments>,
    out: &mut Vec<Entry>,
) -> Result<usize, Error> {
    // A committee's row is written without its memberships, which go to segments.
    let members = match &mut record.view {
        Some(EntityView::Committee(c)) => std::mem::take(&mut c.memberships),
        _ => Vec::new(),
    };
    let bytes = record.encode();
    if let Some(EntityView::Committee(c)) = &mut record.view {
        c.memberships = members;
    }
    let bytes = bytes?;
    let mut encoded = bytes.len();
    out.push((keys::entity(key), Some(bytes)));
    // The row now holds what its tails held.
    for tail in record.tails.drain(..) {
        out.push((tail, None));
    }
    if let EntityKey::Committee(_) = key {
        let members = members_of(&record.view).map_or(&[][..], Vec::as_slice);
        encoded += write_segments(out, key, members, changes)?;
    }
    Ok(encoded)
}

/// The memberships of a committee's view.
pub(crate) fn members_of(view: &Option<EntityView>) -> Option<&Vec<crate::view::Membership>> {
    match view {
        Some(EntityView::Committee(c)) => Some(&c.memberships),
        _ => None,
    }
}

/// Writes the membership segments of `key` the chunk changed and removes stored ones past
/// the end; returns an estimate of the encoded size of all of them (written or not), for
/// the cache.
pub(crate) fn write_segments(
    out: &mut Vec<Entry>,
    key: &EntityKey,
    members: &[crate::view::Membership],
    changes: Option<&Segments>,
) -> Result<usize, Error> {
    /// Encoded bytes of one membership, about (for the estimate only).
    const MEMBERSHIP_BYTES: usize = 96;
    let count = members.len().div_ceil(keys::SEGMENT);
    // Every committee the chunk holds has a record of changes; without one, write all.
    let all = changes.is_none_or(|c| c.all);
    let stored = changes.map_or(0, |c| c.stored);
    let written: BTreeSet<usize> = if all {
        (0..count).collect()
    } else {
        let first_new = stored / keys::SEGMENT;
        changes
            .map(|c| c.changed.iter().copied().filter(|s| *s < count))
            .into_iter()
            .flatten()
            .chain(first_new..count)
            .collect()
    };
    for s in written {
        let end = ((s + 1) * keys::SEGMENT).min(members.len());
        let part = members.get(s * keys::SEGMENT..end).unwrap_or_default();
        out.push((keys::members(key, s), Some(encode_payload(&part)?)));
    }
    if all {
        // A refolded view can have fewer memberships than were stored.
        for s in count..stored.div_ceil(keys::SEGMENT) {
            out.push((keys::members(key, s), None));
        }
    }
    Ok(members.len() * MEMBERSHIP_BYTES)
}

/// A read-model entry that is not what the read models wrote.
pub(crate) fn corrupt(what: &str) -> Error {
    Error::Codec(CodecError::Invalid(format!("read model: {what}")))
}
