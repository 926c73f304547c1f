//! Installing journaled commits in sled: records in layout 4, the commit table, the stream
//! table and the packed indexes, all of a round in one atomic batch.

use crate::codec;
use crate::commit::StagedCommit;
use crate::error::{CorruptionError, ReadError};
use crate::index::IndexOverlay;
use crate::keys;

/// The sled batch that installs `commits` (in order, continuing what `tree` holds).
pub(crate) fn batch_for(
    tree: &sled::Tree,
    commits: &[StagedCommit],
    next_stream_no: u64,
) -> Result<(sled::Batch, u64), ReadError> {
    let mut batch = sled::Batch::default();
    let mut index = IndexOverlay::default();
    let mut stream_counter = next_stream_no;
    for c in commits {
        let mut records = c.records.iter();
        for s in &c.streams {
            if s.created {
                batch.insert(keys::stream(&s.stream), &keys::u64_value(s.stream_no));
                stream_counter = stream_counter.max(s.stream_no + 1);
            }
            for _ in 0..s.events {
                let r = records.next().ok_or_else(|| CorruptionError {
                    at: format!("commit {}", c.info.number),
                    reason: "fewer records than its streams hold".into(),
                })?;
                let bytes = codec::encode_record_v4(r, &c.info.metadata)
                    .map_err(|e| CorruptionError::at_position(r.position, e))?;
                batch.insert(&keys::log(r.position), bytes);
                index.add_revision(tree, s.stream_no, r.revision, r.position)?;
                index.add_id(tree, &r.event_id, r.position)?;
            }
        }
        let entry = codec::encode_commit(&c.info).map_err(|e| CorruptionError {
            at: format!("commit {}", c.info.number),
            reason: e.to_string(),
        })?;
        batch.insert(&keys::commit(c.info.number), entry);
    }
    if stream_counter != next_stream_no {
        batch.insert(&keys::STREAM_COUNTER, &keys::u64_value(stream_counter));
    }
    index.write_into(&mut batch);
    Ok((batch, stream_counter))
}
