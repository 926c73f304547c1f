//! The embedding API: `Reformlog` decides commands against the read models, appends their
//! events atomically with optimistic revision checks, keeps the read models current and
//! answers queries on both time axes.

use crate::batch::{decide_on, keys_for, Decided};
use crate::codec::to_new_event;
use crate::command::Command;
use crate::context::Context;
use crate::date::{Date, KnownAt};
use crate::domain_error::DomainError;
use crate::error::{Error, OpenError};
use crate::idempotency::{
    derived_uuid, fingerprint, recorded_changes, recorded_under, Keys, CHANGE_KEY,
    COMMAND_FINGERPRINT, IDEMPOTENCY_KEY,
};
use crate::ids::EntityKey;
use crate::ids::EntityKind;
use crate::query::answers::{answer, Answer, Query};
use crate::readmodel::{ReadModel, RmSource};
use crate::seed::Seed;
use crate::source::Source;
use crate::summary::EntitySummary;
use reformlog_store::{AppendError, Metadata, StoreConfig, StreamAppend};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// How often `execute` decides again when another writer changed a stream it touches
/// between its decision and its append.
const MAX_ATTEMPTS: usize = 8;

/// Writers of the same main entity in this process take turns on one of these locks, so they
/// do not keep invalidating each other's decisions; writers of different entities still
/// append concurrently and share the log's group commit.
const WRITE_STRIPES: usize = 64;

/// How to open a [`Reformlog`].
#[derive(Clone, Debug)]
pub struct Options {
    path: PathBuf,
    cache_capacity: Option<u64>,
    anchor_file: Option<PathBuf>,
}

impl Options {
    /// Defaults for the store in the folder `path` (created when missing).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            cache_capacity: None,
            anchor_file: None,
        }
    }

    /// sled's page cache size in bytes (shared by the log and the read models).
    pub fn cache_capacity(mut self, bytes: u64) -> Self {
        self.cache_capacity = Some(bytes);
        self
    }

    /// Keeps the log's head digest in this file too, checked on open
    /// (`reformlog_store::StoreConfig::anchor_file`).
    pub fn anchor_file(mut self, path: impl AsRef<Path>) -> Self {
        self.anchor_file = Some(path.as_ref().to_path_buf());
        self
    }
}

/// What an `execute` appended (or found appended already).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Executed {
    /// Position of the first event; with no events, the head the command was decided on.
    pub first_position: u64,
    /// Position of the last event.
    pub last_position: u64,
    /// (stream, event type) of every event, in log order.
    pub events: Vec<(String, String)>,
    /// True when the events were stored by an earlier call with the same idempotency key, or
    /// every command was already recorded under its change key.
    pub deduplicated: bool,
    /// With [`Context::per_change`]: the indices of the commands found already recorded and
    /// skipped.
    pub skipped: Vec<usize>,
}

impl Executed {
    /// A write that appends nothing at `head`: a dry run's plan (`events`), or a write whose
    /// every command was skipped or changed nothing; a repeat when every command was skipped.
    fn not_appended(
        head: u64,
        events: Vec<(String, String)>,
        skipped: Vec<usize>,
        commands: usize,
    ) -> Self {
        Executed {
            first_position: head,
            last_position: head,
            events,
            deduplicated: !skipped.is_empty() && skipped.len() == commands,
            skipped,
        }
    }
}

/// The domain over its event log: decide, append, project, answer.
///
/// Who sat on the steering committee of Decision 34 on 2022-01-15:
///
/// ```
/// use reformlog::{Answer, CommitteeId, Context, Query, Reformlog, Seed};
///
/// let dir = tempfile::tempdir()?;
/// let log = Reformlog::open(dir.path())?;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/seed-decision-34.toml");
/// let seed = Seed::parse(&std::fs::read_to_string(path)?)?;
/// log.load_seed(&seed, &Context::new("importer").with_reason("seed import"))?;
///
/// let committee = CommitteeId::from_slug("bcd-cchc-bo-tttt")?;
/// let query = Query::Composition { committee, on: "2022-01-15".parse()? };
/// let Answer::Composition(composition) = log.query(&query, None)? else { unreachable!() };
/// for seat in &composition.seats {
///     for holder in &seat.holders {
///         let name = holder.person.name.as_ref().map_or("?", |n| n.as_str());
///         println!("{:?}: {name}", seat.role);
///     }
/// }
/// let head = &composition.seats[0].holders[0].person;
/// assert_eq!(head.name.as_ref().map(|n| n.as_str()), Some("Nguyễn Huy Dũng"));
/// assert_eq!(composition.holder_count(), 24 + 27); // with the 27-member working group
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Reformlog {
    rm: Arc<ReadModel>,
    stripes: Arc<[Mutex<()>; WRITE_STRIPES]>,
}

impl fmt::Debug for Reformlog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reformlog")
            .field("store", &self.rm.store)
            .field("read_model_position", &self.rm.checkpoint())
            .finish()
    }
}

impl Reformlog {
    /// Opens (or creates) the store in the folder `path` and brings the read models up to
    /// date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(Options::new(path))
    }

    /// Opens with explicit options.
    pub fn open_with(options: Options) -> Result<Self, OpenError> {
        let mut config = StoreConfig::new(&options.path);
        if let Some(bytes) = options.cache_capacity {
            config = config.cache_capacity(bytes);
        }
        if let Some(file) = &options.anchor_file {
            config = config.anchor_file(file);
        }
        let store = config.open()?;
        let rm = ReadModel::open(store)?;
        rm.catch_up()?;
        Ok(Self {
            rm: Arc::new(rm),
            stripes: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
        })
    }

    /// The event log underneath.
    pub fn store(&self) -> &reformlog_store::Store {
        &self.rm.store
    }

    /// Decides `command`, appends its events atomically and updates the read models before
    /// returning.
    ///
    /// Every touched stream is appended with the revision `decide` saw
    /// (`ExpectedRevision::Exact`, or `NoStream` for a new entity); when another writer got
    /// there first, the command is decided again on the new state, a few times at most.
    pub fn execute(&self, command: Command, ctx: &Context) -> Result<Executed, Error> {
        self.execute_all(vec![command], ctx)
    }

    /// Decides several commands in sequence (each on the state the earlier ones leave) and
    /// appends all their events in one atomic append.
    ///
    /// Within the append, events are grouped by stream in the order each stream first
    /// appears, as the log stores one stream's events of an append together.
    /// `ctx.expected_revision` applies to the first command's main entity.
    pub fn execute_all(&self, commands: Vec<Command>, ctx: &Context) -> Result<Executed, Error> {
        if commands.is_empty() {
            return Err(DomainError::Empty("the list of commands").into());
        }
        if let Some(reason) = &ctx.reason {
            crate::text_rules::check_free_text("reason", reason, true)?;
        }
        if let Some(source) = &ctx.source {
            crate::text_rules::check_free_text("source", source, false)?;
        }
        let keys = keys_for(&commands, ctx)?;
        let correlation_id = ctx.correlation_id.unwrap_or_else(|| match &keys {
            Keys::Request { key, .. } => derived_uuid(key, "correlation"),
            _ => Uuid::now_v7(),
        });
        let mut metadata = Metadata {
            actor: ctx.actor.clone(),
            reason: ctx.reason.clone(),
            source: ctx.source.clone(),
            correlation_id: Some(correlation_id),
            ..Metadata::default()
        };
        if let Keys::Request { key, print } = &keys {
            metadata = metadata
                .with_extra(IDEMPOTENCY_KEY, key.clone())
                .with_extra(COMMAND_FINGERPRINT, print.clone());
        }
        // With change keys, each command's events carry that command's key.
        let metadata_of = |command: usize| match &keys {
            Keys::Changes(list) => match list.get(command) {
                Some((key, print)) => metadata
                    .clone()
                    .with_extra(CHANGE_KEY, key.clone())
                    .with_extra(COMMAND_FINGERPRINT, print.clone()),
                None => metadata.clone(),
            },
            _ => metadata.clone(),
        };

        let main = {
            let _read = self.rm.read();
            RmSource::with(&self.rm, self.rm.checkpoint(), |source| {
                commands[0].main_entity(source)
            })?
        };
        let _turn = main.map(|key| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            key.hash(&mut h);
            let stripe = &self.stripes[(h.finish() % WRITE_STRIPES as u64) as usize];
            stripe.lock().unwrap_or_else(PoisonError::into_inner)
        });

        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(done) = self.replayed(&keys, ctx)? {
                self.apply_recorded();
                return Ok(done);
            }
            let (skipped, head, decided) = self.decide_all(&commands, ctx, &keys)?;
            if decided.appends.is_empty() {
                return Ok(Executed::not_appended(
                    head,
                    Vec::new(),
                    skipped,
                    commands.len(),
                ));
            }
            let mut appends = Vec::with_capacity(decided.appends.len());
            let mut events = Vec::new();
            for (key, expected, list) in &decided.appends {
                let stream = key.stream_name();
                let mut new_events = Vec::with_capacity(list.len());
                for (command, id, event) in list {
                    events.push((stream.clone(), event.type_name().to_owned()));
                    new_events.push(to_new_event(*id, event, &metadata_of(*command))?);
                }
                appends.push(StreamAppend::new(stream, *expected, new_events));
            }
            match self.rm.store.append_multi(appends) {
                Ok(outcome) => {
                    self.apply_recorded();
                    return Ok(Executed {
                        first_position: outcome.first_position,
                        last_position: outcome.last_position,
                        events,
                        deduplicated: outcome.deduplicated,
                        skipped,
                    });
                }
                // Another writer changed a touched stream (or, with an idempotency key, stored
                // the same request or change): decide again; the checks above settle the latter.
                Err(
                    AppendError::WrongExpectedRevision { .. }
                    | AppendError::EventIdConflict { .. }
                    | AppendError::PartialDuplicate { .. },
                ) if attempt < MAX_ATTEMPTS => {
                    // Back off a little more each time, so that writers from elsewhere (other
                    // stripes, or the store used directly) get out of each other's way.
                    std::thread::sleep(std::time::Duration::from_micros(200 << attempt));
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Brings the read models up to a write the log holds. The write is recorded whatever
    /// happens here, so a failure (sled out of space for the read models, say) must not be
    /// reported as the write's: every later read catches up first and fails the same way
    /// until it can, so no answer leaves the write out.
    fn apply_recorded(&self) {
        let _ = self.rm.catch_up();
    }

    /// Decides `commands` as [`Reformlog::execute_all`] would, and appends nothing: the
    /// answer lists the events a write would append now (positions are the current head) and,
    /// with [`Context::per_change`], the commands already recorded.
    pub fn dry_run(&self, commands: Vec<Command>, ctx: &Context) -> Result<Executed, Error> {
        if commands.is_empty() {
            return Err(DomainError::Empty("the list of commands").into());
        }
        let keys = keys_for(&commands, ctx)?;
        if let Some(done) = self.replayed(&keys, ctx)? {
            return Ok(done);
        }
        let (skipped, head, decided) = self.decide_all(&commands, ctx, &keys)?;
        let events = decided
            .appends
            .iter()
            .flat_map(|(key, _, list)| {
                let stream = key.stream_name();
                list.iter()
                    .map(move |(_, _, event)| (stream.clone(), event.type_name().to_owned()))
            })
            .collect();
        Ok(Executed::not_appended(
            head,
            events,
            skipped,
            commands.len(),
        ))
    }

    /// With a request key already used: the original outcome, or a conflict. The same key
    /// with another reason or source is another request too: answering it as a retry would
    /// drop the new text without a word.
    fn replayed(&self, keys: &Keys, ctx: &Context) -> Result<Option<Executed>, Error> {
        let Keys::Request { key, print } = keys else {
            return Ok(None);
        };
        let found = recorded_under(&self.rm.store, key, print)?;
        if let Some(first) = found.as_ref().and_then(|f| f.first()) {
            if first.metadata.reason != ctx.reason || first.metadata.source != ctx.source {
                return Err(Error::IdempotencyConflict { key: key.clone() });
            }
        }
        Ok(found.map(|found| Executed {
            first_position: found.first().map_or(0, |e| e.position),
            last_position: found.last().map_or(0, |e| e.position),
            events: found
                .into_iter()
                .map(|e| (e.stream, e.event_type))
                .collect(),
            deduplicated: true,
            skipped: Vec::new(),
        }))
    }

    /// Decides every command not already recorded (with change keys, those are skipped) on
    /// the read models caught up to the log: the skipped commands' indices, the checkpoint
    /// decided at, and what to append.
    fn decide_all(
        &self,
        commands: &[Command],
        ctx: &Context,
        keys: &Keys,
    ) -> Result<(Vec<usize>, u64, Decided), Error> {
        let skip = match keys {
            Keys::Changes(list) => recorded_changes(&self.rm.store, list)?,
            _ => vec![false; commands.len()],
        };
        let skipped = (0..commands.len()).filter(|&i| skip[i]).collect();
        self.rm.catch_up()?;
        let _read = self.rm.read();
        let head = self.rm.checkpoint();
        // A storage error inside a lookup reads as "absent", which can turn into a domain
        // error; `with` reports the storage error instead.
        let result = RmSource::with(&self.rm, head, |base| {
            decide_on(base, head, commands, &skip, ctx, keys)
        })?;
        Ok((skipped, head, result?))
    }

    /// See `ReadModel::spill_always`.
    #[cfg(test)]
    pub(crate) fn spill_always(&self) {
        self.rm.spill_always();
    }

    /// Answers `query` as known now (`None`) or as known at a past position or time.
    /// Brings the read models up to the log first (one atomic load when nothing is new).
    pub fn query(&self, query: &Query, known_at: Option<KnownAt>) -> Result<Answer, Error> {
        let answer = self.with_source(known_at, |s| answer(s, query))?;
        Ok(answer?)
    }

    /// One entity as it stood on `on`, as known now or at `known_at`; `None` when it was
    /// not known.
    pub fn entity(
        &self,
        key: EntityKey,
        on: Date,
        known_at: Option<KnownAt>,
    ) -> Result<Option<EntitySummary>, Error> {
        self.with_source(known_at, |s| crate::summary::summary(s, key, on))
    }

    /// Every entity of `kind` that had been established, registered, created or signed by
    /// `on` (including those ended since: see `active`), as known now or at `known_at`.
    pub fn list(
        &self,
        kind: EntityKind,
        on: Date,
        known_at: Option<KnownAt>,
    ) -> Result<Vec<EntitySummary>, Error> {
        self.with_source(known_at, |s| crate::summary::list(s, kind, on))
    }

    /// One page of [`Reformlog::list`]: up to `limit` entities with ids after `after`, in id
    /// order, reading only what the page needs.
    pub fn list_page(
        &self,
        kind: EntityKind,
        on: Date,
        known_at: Option<KnownAt>,
        after: Option<Uuid>,
        limit: usize,
    ) -> Result<crate::summary::EntityPage, Error> {
        self.with_source(known_at, |s| {
            crate::summary::list_page(s, kind, on, after, limit)
        })
    }

    /// The last revision of the entity's stream in the log (for `ETag` / `If-Match`);
    /// `None` when it does not exist.
    pub fn revision(&self, key: EntityKey) -> Result<Option<u64>, Error> {
        Ok(self.rm.store.stream_revision(&key.stream_name())?)
    }

    /// The last log position applied to the read models.
    pub fn read_model_position(&self) -> u64 {
        self.rm.checkpoint()
    }

    /// Applies everything in the log past the checkpoint; returns the new checkpoint.
    pub fn catch_up(&self) -> Result<u64, Error> {
        self.rm.catch_up()
    }

    /// Drops the read models and rebuilds them from position 1. Queries wait meanwhile.
    pub fn rebuild(&self) -> Result<(), Error> {
        self.rm.rebuild()
    }

    /// Loads a seed file's commands in one atomic append, each change once: event ids derive
    /// from change keys, so loading it again appends nothing, and loading it after adding to
    /// it appends only what was added. Returns how many events this call appended (0 when
    /// the seed was loaded already).
    pub fn load_seed(&self, seed: &Seed, ctx: &Context) -> Result<u64, Error> {
        self.load_seeds(&[seed], ctx)
    }

    /// Loads several seed files as one whole, in order (an entity two of them define
    /// identically is one entity; see [`crate::Translation`]), in one atomic append, each
    /// change once. Returns how many events this call appended.
    pub fn load_seeds(&self, seeds: &[&Seed], ctx: &Context) -> Result<u64, Error> {
        let mut t = crate::seed::Translation::new();
        let mut commands = Vec::new();
        for (i, seed) in seeds.iter().enumerate() {
            let own = seed.commands_in(&format!("seed {}", i + 1), &mut t)?;
            // Stores loaded before change keys existed hold a seed under one key of its own.
            let print = fingerprint(&own)?;
            let whole = format!("seed:{print}");
            if recorded_under(&self.rm.store, &whole, &print)?.is_none() {
                commands.extend(own);
            }
        }
        if commands.is_empty() {
            return Ok(0);
        }
        let ctx = Context {
            idempotency_key: None,
            per_change: true,
            expected_revision: None,
            ..ctx.clone()
        };
        let done = self.execute_all(commands, &ctx)?;
        Ok(done.events.len() as u64)
    }

    /// Runs `f` on the read models as known at `known_at`, once they hold everything the
    /// log held when the call started.
    pub(crate) fn with_source<T>(
        &self,
        known_at: Option<KnownAt>,
        f: impl FnOnce(&dyn Source) -> T,
    ) -> Result<T, Error> {
        let target = self.rm.store.head_position();
        loop {
            self.rm.catch_up()?;
            let _read = self.rm.read();
            let checkpoint = self.rm.checkpoint();
            if checkpoint < target {
                // A rebuild reset the read models after our catch-up; wait for it.
                continue;
            }
            let bound = match known_at {
                None => checkpoint,
                // A commit is seen whole or not at all.
                Some(KnownAt::Position(p)) => self.rm.store.known_at_position(p.min(checkpoint))?,
                Some(KnownAt::Timestamp(t)) => {
                    self.rm.store.position_at_or_before(t)?.min(checkpoint)
                }
            };
            return RmSource::with(&self.rm, bound, |source| f(source));
        }
    }
}
