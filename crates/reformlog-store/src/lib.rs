//! An append-only, hash-chained, durable event log on sled, with no knowledge of any domain:
//! each append is one commit, acknowledged by one `fdatasync` of the store's journal.
//!
//! ```
//! use reformlog_store::{ExpectedRevision, Metadata, NewEvent, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path())?;
//! let event = NewEvent::new("CommitteeEstablished", 1, b"{}".to_vec(), Metadata::by("clerk"));
//! let outcome = store.append("committee-bcd", ExpectedRevision::NoStream, vec![event])?;
//! assert_eq!(outcome.last_position, 1);
//! assert!(store.verify()?.is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Every public item is documented; CI's warnings-as-errors keeps it so.
#![warn(missing_docs)]
// sled is this crate's engine and nobody else's: the workspace's clippy configuration
// disallows its types and constructors everywhere, and this crate, the one place that may
// name them, allows them (no public signature here takes or returns one).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

mod anchor;
mod append;
mod chain;
mod codec;
mod commit;
mod contention;
mod error;
#[cfg(test)]
mod golden;
mod hash;
mod header;
mod health;
mod index;
mod install;
mod installer;
mod journal;
mod keys;
mod migrate;
mod open;
mod persist;
mod read;
mod record;
mod replicate;
mod round;
mod side;
mod snapshot;
mod stats;
mod store;
mod subscription;
mod upcast;
mod verify;

pub use append::{AppendOutcome, BulkImportFlushedAtEnd, ExpectedRevision, StreamAppend};
pub use chain::HeadDigest;
pub use codec::{decode_payload, encode_payload};
pub use commit::{Commit, CommitInfo};
pub use error::{
    AppendError, CodecError, CorruptionError, LogHead, OpenError, ReadError, ReplicateError,
    SnapshotError, StorageError,
};
pub use hash::Hash;
pub use health::WriteHealth;
pub use journal::TornTail;
pub use open::create_private_file;
pub use read::{Direction, EventFilter, LogPage};
pub use record::{
    stream_category, Metadata, NewEvent, RecordedEvent, Timestamp, MAX_EVENT_TYPE_BYTES,
    MAX_PAYLOAD_BYTES, MAX_RECORD_BYTES, MAX_STREAM_ID_BYTES,
};
pub use side::{SideBatch, SideBytes, SideIter, SideTable};
pub use snapshot::Snapshot;
pub use stats::StoreStats;
pub use store::{Recovery, Store, StoreConfig};
pub use subscription::{SubscribeFrom, Subscription, SubscriptionMessage};
pub use upcast::Upcaster;
pub use verify::{BreakKind, ChainBreak, VerifyReport};

/// Entry points for fuzzing, format tests and the other backend: raw record bytes, the record
/// hash, and the checks shared by both backends.
#[doc(hidden)]
pub mod raw {
    pub use crate::append::validate as validate_appends;
    pub use crate::chain::record_hash;
    pub use crate::codec::decode_record_v4_bytes;
    pub use crate::codec::encode_record_v4_bytes;
    pub use crate::codec::{decode_record_bytes, encode_record_bytes};
    pub use crate::replicate::check_records as check_recorded_commit;
}
