//! The read models: per-entity views and secondary indexes in one side table of the store,
//! kept up to date from the log behind a checkpoint, and read through [`crate::source`].
//!
//! Writers of the table are serialised by one lock and each chunk of events is one batch
//! (views, indexes and checkpoint together), written while holding the gate exclusively, so
//! a reader holding the gate shared sees the table exactly as of the checkpoint it reads.
//! A rebuild writes as it goes while the checkpoint stays 0 (which hides all of it from
//! readers) and marks the table complete with the checkpoint in its last batch.
//!
//! Files, lowest first (each uses only those before it): `keys` the key layout, `row` the
//! row format, `index` the index entries an event adds, `cache` the caches, `tasks` the task
//! table, `spill` a rebuild's spills, `state` the [`ReadModel`] and its lookups, `chunk` the
//! changes of a run of events, `rebuild` catching up and rebuilding, `source` the
//! [`crate::source::Source`] over all of it.

mod cache;
mod chunk;
mod index;
mod keys;
mod rebuild;
mod row;
mod source;
mod spill;
mod state;
mod tasks;

pub(crate) use cache::IdHash;
pub(crate) use source::RmSource;
pub(crate) use state::ReadModel;
