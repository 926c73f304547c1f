//! The embedding API: `Reformlog` decides commands against the read models, appends their
//! events atomically with optimistic revision checks, keeps the read models current and
//! answers queries on both time axes.

use crate::api_error::{Error, OpenError};
use crate::codec::to_new_event;
use crate::command::Command;
use crate::date::{Date, KnownAt};
use crate::decide::decide_with;
use crate::error::DomainError;
use crate::event::Event;
use crate::ids::{EntityKey, EventId};
use crate::query::{Answer, Query};
use crate::readmodel::{ReadModel, RmSource};
use crate::seed::Seed;
use crate::source::Source;
use crate::staged::Staged;
use crate::summary::{EntityKind, EntitySummary};
use reformlog_store::{
    encode_payload, AppendError, ExpectedRevision, Metadata, StoreConfig, StreamAppend, Timestamp,
};
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

/// Namespace of the ids derived from idempotency keys and of command fingerprints; fixed
/// forever, since changing it would make retries of old requests look new.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_bytes([
    0x2c, 0x8d, 0x47, 0x91, 0x0b, 0x3e, 0x4f, 0x62, 0xa5, 0x19, 0x6e, 0xd4, 0x70, 0x88, 0x13, 0xfb,
]);

/// Metadata keys written with idempotent events, so a retry can be told from a conflict.
const IDEMPOTENCY_KEY: &str = "idempotency_key";
const COMMAND_FINGERPRINT: &str = "command_fingerprint";

/// How to open a [`Reformlog`].
#[derive(Clone, Debug)]
pub struct Options {
    path: PathBuf,
    cache_capacity: Option<u64>,
}

impl Options {
    /// Defaults for the store in the folder `path` (created when missing).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            cache_capacity: None,
        }
    }

    /// sled's page cache size in bytes (shared by the log and the read models).
    pub fn cache_capacity(mut self, bytes: u64) -> Self {
        self.cache_capacity = Some(bytes);
        self
    }
}

/// Who asks, why, and the caller's concurrency and retry conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The principal making the change (a user or a service account).
    pub actor: String,
    /// Why, in words.
    pub reason: Option<String>,
    /// The authority or document the change rests on.
    pub source: Option<String>,
    /// Groups the events of one business operation; one is made up when absent.
    pub correlation_id: Option<Uuid>,
    /// Optional optimistic check: the stream of the (first) command's main entity must be at
    /// this revision (HTTP `If-Match`).
    pub expected_revision: Option<u64>,
    /// Optional: event ids are derived from this key, so a retried command is a no-op
    /// (HTTP `Idempotency-Key`); the same key with a different command is
    /// [`Error::IdempotencyConflict`].
    pub idempotency_key: Option<String>,
}

impl Context {
    /// A context naming only the actor.
    pub fn new(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            ..Self::default()
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn with_correlation_id(mut self, id: Uuid) -> Self {
        self.correlation_id = Some(id);
        self
    }

    pub fn with_expected_revision(mut self, revision: u64) -> Self {
        self.expected_revision = Some(revision);
        self
    }

    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
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
    /// True when the events were stored by an earlier call with the same idempotency key.
    pub deduplicated: bool,
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
        let idempotency = match &ctx.idempotency_key {
            Some(key) => Some((key.clone(), fingerprint(&commands)?)),
            None => None,
        };
        let correlation_id = ctx.correlation_id.unwrap_or_else(|| match &idempotency {
            Some((key, _)) => derived_uuid(key, "correlation"),
            None => Uuid::now_v7(),
        });
        let mut metadata = Metadata {
            actor: ctx.actor.clone(),
            reason: ctx.reason.clone(),
            source: ctx.source.clone(),
            correlation_id: Some(correlation_id),
            ..Metadata::default()
        };
        if let Some((key, print)) = &idempotency {
            metadata = metadata
                .with_extra(IDEMPOTENCY_KEY, key.clone())
                .with_extra(COMMAND_FINGERPRINT, print.clone());
        }

        let main = {
            let _read = self.rm.read();
            let source = RmSource::new(&self.rm, self.rm.checkpoint());
            let main = main_entity(&commands[0], &source);
            source.finish()?;
            main
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
            if let Some((key, print)) = &idempotency {
                if let Some(done) = self.replayed(key, print)? {
                    return Ok(done);
                }
            }
            self.rm.catch_up()?;
            let (head, decided) = self.decide_all(&commands, ctx, idempotency.as_ref())?;
            if decided.appends.is_empty() {
                return Ok(Executed {
                    first_position: head,
                    last_position: head,
                    events: Vec::new(),
                    deduplicated: false,
                });
            }
            let mut appends = Vec::with_capacity(decided.appends.len());
            let mut events = Vec::new();
            for (key, expected, list) in &decided.appends {
                let stream = key.stream_name();
                let mut new_events = Vec::with_capacity(list.len());
                for (id, event) in list {
                    events.push((stream.clone(), event.type_name().to_owned()));
                    new_events.push(to_new_event(*id, event, &metadata)?);
                }
                appends.push(StreamAppend::new(stream, *expected, new_events));
            }
            match self.rm.store.append_multi(appends) {
                Ok(outcome) => {
                    self.rm.catch_up()?;
                    return Ok(Executed {
                        first_position: outcome.first_position,
                        last_position: outcome.last_position,
                        events,
                        deduplicated: outcome.deduplicated,
                    });
                }
                // Another writer changed a touched stream (or, with an idempotency key, stored
                // the same request): decide again; the replay check above settles the latter.
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

    /// Decides every command on the read models at their checkpoint.
    fn decide_all(
        &self,
        commands: &[Command],
        ctx: &Context,
        idempotency: Option<&(String, String)>,
    ) -> Result<(u64, Decided), Error> {
        let _read = self.rm.read();
        let head = self.rm.checkpoint();
        let base = RmSource::new(&self.rm, head);
        let result = decide_on(&base, head, commands, ctx, idempotency);
        // A storage error inside a lookup reads as "absent", which can turn into a domain
        // error; report the storage error instead.
        base.finish()?;
        Ok((head, result?))
    }

    /// With an idempotency key already used: the original outcome, or a conflict.
    fn replayed(&self, key: &str, print: &str) -> Result<Option<Executed>, Error> {
        let store = &self.rm.store;
        let Some(first) = store.find_event(derived_event_id(key, 0).as_uuid())? else {
            return Ok(None);
        };
        if first
            .metadata
            .extra
            .get(COMMAND_FINGERPRINT)
            .map(String::as_str)
            != Some(print)
        {
            return Err(Error::IdempotencyConflict {
                key: key.to_owned(),
            });
        }
        let mut found = vec![first];
        for i in 1.. {
            match store.find_event(derived_event_id(key, i).as_uuid())? {
                Some(e) => found.push(e),
                None => break,
            }
        }
        found.sort_by_key(|e| e.position);
        self.rm.catch_up()?;
        Ok(Some(Executed {
            first_position: found.first().map_or(0, |e| e.position),
            last_position: found.last().map_or(0, |e| e.position),
            events: found
                .into_iter()
                .map(|e| (e.stream, e.event_type))
                .collect(),
            deduplicated: true,
        }))
    }

    /// See `ReadModel::spill_always`.
    #[cfg(test)]
    pub(crate) fn spill_always(&self) {
        self.rm.spill_always();
    }

    /// Answers `query` as known now (`None`) or as known at a past position or time.
    /// Brings the read models up to the log first (one atomic load when nothing is new).
    pub fn query(&self, query: &Query, known_at: Option<KnownAt>) -> Result<Answer, Error> {
        let answer = self.with_source(known_at, |s| crate::query::answer(s, query))?;
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

    /// Loads a seed file's commands in one atomic append, once: event ids derive from the
    /// seed's content, so loading it again appends nothing. Returns how many events this
    /// call appended (0 when the seed was loaded already).
    pub fn load_seed(&self, seed: &Seed, ctx: &Context) -> Result<u64, Error> {
        let commands = seed.commands()?;
        let key = format!("seed:{}", fingerprint(&commands)?);
        let ctx = Context {
            idempotency_key: Some(key),
            expected_revision: None,
            ..ctx.clone()
        };
        let done = self.execute_all(commands, &ctx)?;
        Ok(if done.deduplicated {
            0
        } else {
            done.events.len() as u64
        })
    }

    /// Runs `f` on the read models as known at `known_at`, once they hold everything the
    /// log held when the call started.
    fn with_source<T>(
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
                Some(KnownAt::Timestamp(t)) => self
                    .rm
                    .store
                    .position_at_or_before(Timestamp::from_micros(t.micros()))?
                    .min(checkpoint),
            };
            let source = RmSource::new(&self.rm, bound);
            let out = f(&source);
            source.finish()?;
            return Ok(out);
        }
    }
}

/// The events decided for one append: per touched stream, in first-appearance order, the
/// revision decide saw and the (id, event) pairs.
struct Decided {
    appends: Vec<StreamEvents>,
}

/// One touched stream: its entity, the revision decide saw, and the (id, event) pairs.
type StreamEvents = (EntityKey, ExpectedRevision, Vec<(EventId, Event)>);

fn decide_on(
    base: &RmSource<'_>,
    head: u64,
    commands: &[Command],
    ctx: &Context,
    idempotency: Option<&(String, String)>,
) -> Result<Decided, Error> {
    if let (Some(expected), Some(first)) = (ctx.expected_revision, commands.first()) {
        if let Some(main) = main_entity(first, base) {
            let actual = base.revision(&main);
            if actual != Some(expected) {
                return Err(Error::RevisionMismatch {
                    entity: main.stream_name(),
                    expected,
                    actual,
                });
            }
        }
    }
    let mut staged = Staged::new(base, head);
    let mut appends: Vec<StreamEvents> = Vec::new();
    let mut index = 0u64;
    for command in commands {
        for event in decide_with(&staged, command)? {
            let id = match idempotency {
                Some((key, _)) => derived_event_id(key, index),
                None => EventId::new(),
            };
            index += 1;
            staged.stage(id, &event, &ctx.actor);
            let key = event.entity();
            match appends.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, list)) => list.push((id, event)),
                None => {
                    let expected = match base.revision(&key) {
                        Some(r) => ExpectedRevision::Exact(r),
                        None => ExpectedRevision::NoStream,
                    };
                    appends.push((key, expected, vec![(id, event)]));
                }
            }
        }
    }
    Ok(Decided { appends })
}

/// The entity a command is chiefly about: the one `If-Match` refers to.
fn main_entity(command: &Command, s: &dyn Source) -> Option<EntityKey> {
    use crate::command::Command as C;
    Some(match command {
        C::EstablishUnit { unit, .. }
        | C::RenameUnit { unit, .. }
        | C::MoveUnit { unit, .. }
        | C::MergeUnit { unit, .. }
        | C::DissolveUnit { unit, .. } => EntityKey::Unit(*unit),
        C::RegisterPerson { person, .. } | C::RenamePerson { person, .. } => {
            EntityKey::Person(*person)
        }
        C::CreatePost { post, .. }
        | C::AppointToPost { post, .. }
        | C::EndPostHolding { post, .. }
        | C::AbolishPost { post, .. } => EntityKey::Post(*post),
        C::RecordDecision { decision, .. } => EntityKey::Decision(*decision),
        C::EstablishCommittee { committee, .. }
        | C::RenameCommittee { committee, .. }
        | C::SetDuties { committee, .. }
        | C::CreateSeat { committee, .. }
        | C::AbolishSeat { committee, .. }
        | C::StartMembership { committee, .. }
        | C::EndMembership { committee, .. }
        | C::ReplaceSeatHolder { committee, .. }
        | C::MoveMember { committee, .. }
        | C::Reconstitute { committee, .. }
        | C::DissolveCommittee { committee, .. } => EntityKey::Committee(*committee),
        C::CreateTask { task, .. }
        | C::AssignTask { task, .. }
        | C::ExtendDeadline { task, .. }
        | C::ReportProgress { task, .. }
        | C::CompleteTask { task, .. }
        | C::CancelTask { task, .. }
        | C::ReopenTask { task, .. } => EntityKey::Task(*task),
        C::Correct { target, .. } | C::Retract { target } => s.entity_of_event(*target)?,
    })
}

fn derived_uuid(key: &str, part: &str) -> Uuid {
    // The NUL separator cannot occur in the part, so (key, part) pairs never collide.
    Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{key}\0{part}").as_bytes())
}

fn derived_event_id(key: &str, index: u64) -> EventId {
    EventId::from_uuid(derived_uuid(key, &index.to_string()))
}

/// A stable digest of a command list (UUIDv5 over its payload encoding).
fn fingerprint(commands: &[Command]) -> Result<String, Error> {
    let bytes = encode_payload(&commands)?;
    Ok(Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, &bytes).to_string())
}
