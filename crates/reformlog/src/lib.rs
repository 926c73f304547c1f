//! Administrative-reform committees, decisions and reform tasks as a bitemporal model.
//!
//! Commands go through the pure [`decide`] (invariants, typed [`DomainError`]s) and become
//! [`Event`]s, each about one entity ([`EntityKey`], one stream) and each carrying its valid
//! date. The log adds the recorded time and position ([`EventMeta`]). [`Knowledge`] folds a
//! log prefix (optionally "as known at" a position or time) and answers [`Query`]s on any
//! valid date. Corrections and retractions are new events citing what they correct.
//!
//! [`Reformlog`] puts this over the event log of `reformlog-store`: it decides commands
//! against sled read models kept beside the log, appends their events atomically with
//! optimistic revision checks, and answers the same queries from the read models, "as
//! known at" any past position or time included.
//!
//! Who sat on the committee of Decision 34 on 2022-01-15:
//!
//! ```
//! use reformlog::{CommitteeId, Date, EventId, EventMeta, Knowledge, Recorded, Seed};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/seed-decision-34.toml");
//! let seed = Seed::parse(&std::fs::read_to_string(path)?)?;
//! let mut known = Knowledge::new();
//! for command in seed.commands()? {
//!     for event in known.decide(&command)? {
//!         let meta = EventMeta {
//!             position: known.last_position() + 1,
//!             commit: known.last_position() + 1,
//!             event_id: EventId::new(),
//!             recorded_at: "2022-01-20".parse::<Date>()?.start_utc(),
//!             actor: "importer".into(),
//!             reason: Some("seed import".into()),
//!         };
//!         known.apply(Recorded { meta, event });
//!     }
//! }
//! let committee = CommitteeId::from_slug("bcd-cchc-bo-tttt")?;
//! let on: Date = "2022-01-15".parse()?;
//! let composition = known.composition(committee, on)?;
//! let head = &composition.seats[0].holders[0].person;
//! assert_eq!(head.name.as_ref().map(|n| n.as_str()), Some("Nguyễn Huy Dũng"));
//! assert_eq!(composition.holder_count(), 24 + 27);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod batch;
mod codec;
mod collate;
mod command;
mod context;
mod date;
mod decide;
mod doctype;
mod domain_error;
mod engine;
mod error;
mod event;
mod evidence;
mod idempotency;
mod ids;
mod knowledge;
mod lineage;
mod model;
#[cfg(feature = "openapi")]
mod openapi;
mod payload;
mod query;
mod readmodel;
mod reminder_feed;
mod restate;
mod seed;
mod source;
mod staged;
mod summary;
mod task_rules;
mod text;
mod text_rules;
mod view;
mod wait;

#[cfg(test)]
mod tests;

pub use codec::{decode_event, SCHEMA_VERSION};
pub use collate::collate;
pub use command::{Command, SeatSpec, SubBodySpec};
pub use context::Context;
pub use date::{Date, DateError, KnownAt, Timestamp};
pub use domain_error::DomainError;
pub use engine::{Executed, Options, Reformlog};
pub use error::{Error, OpenError};
pub use event::{Event, EventMeta, Recorded};
pub use evidence::{Evidence, EvidenceDocument, EvidenceError};
pub use ids::{
    CommitteeId, DecisionId, EntityKey, EntityKind, EventId, HoldingId, IdError, MembershipId,
    PersonId, PostId, SeatId, TaskId, UnitId,
};
pub use knowledge::{decide, Knowledge};
pub use lineage::{Succession, UnitEnding, UnitLineage};
pub use model::{Assignment, DecisionKind, Role, SeatHolder, TaskStatus, UnitKind};
pub use payload::{
    CommitteeCharter, CommitteeDissolution, CommitteeDuties, CommitteeEstablishment,
    CommitteeRenaming, DeadlineExtension, DecisionLink, DecisionRecord, MembershipEnd,
    MembershipStart, PersonName, PostAbolition, PostAppointment, PostCreation, PostDeparture,
    Retraction, SeatAbolition, SeatCreation, SeatHolderDesignation, TaskAssignment, TaskCreation,
    TaskProgress, TaskStatusChange, UnitDissolution, UnitEstablishment, UnitMerger, UnitMove,
    UnitRenaming,
};
pub use query::{
    Answer, Composition, CompositionDiff, DecisionChanges, DecisionRef, DecisionSummary,
    DiffChange, DiffEntry, ExOfficioRecord, HistoryEntry, MembershipRecord, NameFrom,
    PersonHistory, PersonRef, PositionRecord, PostRef, Query, QueryError, Reminder, ReminderAsk,
    ReminderCursor, ReminderCursorError, ReminderKind, ReminderPage, ReportCounts, ReportLine,
    ReportScope, ReportStanding, SearchHit, SeatHolding, SeatOnDate, Standing, TaskFilter,
    TaskOnDate, TaskReport, TaskWarning, TaskWarningCode, TextLink, UnitRef, DEFAULT_DUE_SOON_DAYS,
    MAX_DUE_SOON_DAYS,
};
pub use seed::{
    Origin, Seed, SeedChange, SeedCommittee, SeedDecision, SeedError, SeedHolder, SeedMove,
    SeedPerson, SeedPost, SeedReconstitution, SeedSeat, SeedSubBody, SeedTask, SeedUnit,
    Translation,
};
pub use summary::{
    CommitteeRef, EntityDetails, EntityPage, EntitySummary, ProgressReport, UnitStatus,
};
pub use text::{fold, Name, NameError};
pub use wait::Caught;

// The README's embedding examples (domain and log) are compiled and run as doc tests here, the
// one crate that depends on both, so they cannot go stale.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
