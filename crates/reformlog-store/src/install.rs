//! Installing journaled commits in sled: layout-4 records, the packed indexes, the stream
//! table and the commit table, written key by key with each commit's entry last.
//!
//! Not one `apply_batch`: sled seals and writes its io buffer twice for every batch (a
//! `pwrite` and a `sync_file_range` each), which made a batch of four small keys cost tens of
//! microseconds and put two writes beside every journal `fdatasync`. Plain inserts only fill
//! the buffer. sled recovers a prefix of its log, in insert order, so a commit whose entry is
//! there is there whole; what a crash leaves of a commit without its entry is discarded on
//! open (`discard_beyond`) and the journal installs that commit again.

use crate::codec;
use crate::commit::StagedCommit;
use crate::error::{CorruptionError, ReadError, SledResult};
use crate::index::IndexOverlay;
use crate::keys;

/// Installs `commits` (in order, continuing what `tree` holds); returns the stream counter
/// after them.
pub(crate) fn install(
    tree: &sled::Tree,
    commits: &[StagedCommit],
    next_stream_no: u64,
) -> Result<u64, ReadError> {
    let mut stream_counter = next_stream_no;
    for c in commits {
        let mut index = IndexOverlay::default();
        let mut writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(3 * c.records.len() + 2);
        let mut records = c.records.iter();
        let counter_before = stream_counter;
        for s in &c.streams {
            if s.created {
                writes.push((
                    keys::stream(&s.stream),
                    keys::u64_value(s.stream_no).to_vec(),
                ));
                stream_counter = stream_counter.max(s.stream_no + 1);
            }
            for _ in 0..s.events {
                let r = records.next().ok_or_else(|| CorruptionError {
                    at: format!("commit {}", c.info.number),
                    reason: "fewer records than its streams hold".into(),
                })?;
                let bytes = codec::encode_record_v4(r, &c.info.metadata)
                    .map_err(|e| CorruptionError::at_position(r.position, e))?;
                writes.push((keys::log(r.position).to_vec(), bytes));
                index.add_revision(tree, s.stream_no, r.revision, r.position)?;
                index.add_id(tree, &r.event_id, r.position)?;
            }
        }
        writes.extend(index.into_writes());
        if stream_counter != counter_before {
            writes.push((
                keys::STREAM_COUNTER.to_vec(),
                keys::u64_value(stream_counter).to_vec(),
            ));
        }
        let entry = codec::encode_commit(&c.info).map_err(|e| CorruptionError {
            at: format!("commit {}", c.info.number),
            reason: e.to_string(),
        })?;
        // Last: its presence says the commit is whole.
        writes.push((keys::commit(c.info.number).to_vec(), entry));
        for (k, v) in writes {
            tree.insert(k, v).storage()?;
        }
    }
    Ok(stream_counter)
}

/// Removes what a crash left of commits past the last commit entry: records after `head`
/// and the index entries pointing at them. The journal installs those commits again.
pub(crate) fn discard_beyond(tree: &sled::Tree, head: u64) -> Result<u64, ReadError> {
    let mut removed = 0;
    let beyond: Vec<(sled::IVec, sled::IVec)> = tree
        .range(keys::log(head + 1)..=keys::log(u64::MAX))
        .collect::<Result<_, _>>()
        .storage()?;
    for (key, value) in beyond {
        let Some(position) = keys::log_position(&key) else {
            continue;
        };
        if let Ok(codec::Stored::V4(r)) = codec::decode_stored(&value) {
            crate::index::forget(tree, &r.stream, r.revision, &r.event_id, position)?;
        }
        tree.remove(&key).storage()?;
        removed += 1;
    }
    Ok(removed)
}
