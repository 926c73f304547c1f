//! Idempotency: event ids derived from keys, command fingerprints, and the per-change keys
//! that let a change be recorded at most once whoever sends it again.
//!
//! Two schemes share one namespace. A request key (HTTP `Idempotency-Key`) covers a whole
//! list of commands: a retry returns the first answer. A change key covers one command: a
//! change already recorded is skipped, whatever request it came in, so a clerk can import a
//! file again after adding to it and only what is new is written.

use crate::command::Command;
use crate::error::Error;
use crate::payload::{
    CommitteeCharter, DecisionRecord, MembershipStart, PersonName, PostAppointment, PostCreation,
    TaskCreation, TaskProgress, UnitEstablishment,
};
use reformlog_store::{encode_payload, RecordedEvent, Store};
use uuid::Uuid;

/// Namespace of the ids derived from idempotency keys and of command fingerprints; fixed
/// forever, since changing it would make retries of old requests look new.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_bytes([
    0x2c, 0x8d, 0x47, 0x91, 0x0b, 0x3e, 0x4f, 0x62, 0xa5, 0x19, 0x6e, 0xd4, 0x70, 0x88, 0x13, 0xfb,
]);

/// Metadata keys written with idempotent events, so a retry can be told from a conflict.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency_key";
pub(crate) const COMMAND_FINGERPRINT: &str = "command_fingerprint";
pub(crate) const CHANGE_KEY: &str = "change_key";

pub(crate) fn derived_uuid(key: &str, part: &str) -> Uuid {
    // The NUL separator cannot occur in the part, so (key, part) pairs never collide.
    Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{key}\0{part}").as_bytes())
}

pub(crate) fn derived_event_id(key: &str, index: u64) -> crate::ids::EventId {
    crate::ids::EventId::from_uuid(derived_uuid(key, &index.to_string()))
}

/// A stable digest of a command list (UUIDv5 over its payload encoding, see [`Printed`]).
pub(crate) fn fingerprint(commands: &[Command]) -> Result<String, Error> {
    let printed: Vec<Printed<'_>> = commands.iter().map(Printed::of).collect();
    let bytes = encode_payload(&printed)?;
    Ok(Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, &bytes).to_string())
}

/// A command as its fingerprint encodes it. A progress report that cites no documents is
/// encoded as before schema 3, its evidence a plain optional text: a change an older build
/// recorded keeps its key and fingerprint, so importing the same file again skips it.
enum Printed<'a> {
    Current(&'a Command),
    /// `Command::ReportProgress` with no documents, laid out as builds before evidence
    /// documents did: the evidence its note alone.
    Progress(&'a TaskProgress),
}

/// `ReportProgress`'s place among `Command`'s variants (the codec encodes variants by it);
/// variants are only ever appended, so it never changes.
const REPORT_PROGRESS_VARIANT: u32 = 26;

impl<'a> Printed<'a> {
    fn of(command: &'a Command) -> Self {
        match command {
            Command::ReportProgress(p) if p.evidence.documents.is_empty() => Printed::Progress(p),
            other => Printed::Current(other),
        }
    }
}

impl serde::Serialize for Printed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStructVariant;
        match self {
            Printed::Current(c) => c.serialize(s),
            Printed::Progress(p) => {
                let mut v = s.serialize_struct_variant(
                    "Command",
                    REPORT_PROGRESS_VARIANT,
                    "ReportProgress",
                    6,
                )?;
                v.serialize_field("task", &p.task)?;
                v.serialize_field("percent", &p.percent)?;
                v.serialize_field("note", &p.note)?;
                v.serialize_field("evidence", &p.evidence.note)?;
                v.serialize_field("on", &p.on)?;
                v.serialize_field("decision", &p.decision)?;
                v.end()
            }
        }
    }
}

/// The events stored under `key` (its derived ids 0, 1, ...), in log order, if the first
/// exists. A first event whose fingerprint differs from `print` is a conflict: the key was
/// used for something else.
pub(crate) fn recorded_under(
    store: &Store,
    key: &str,
    print: &str,
) -> Result<Option<Vec<RecordedEvent>>, Error> {
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
    Ok(Some(found))
}

/// How one `execute_all` call is made idempotent.
#[derive(Clone, Debug)]
pub(crate) enum Keys {
    /// Every event id is fresh.
    None,
    /// One request key (already scoped) and the fingerprint of the whole command list.
    Request { key: String, print: String },
    /// One change key and fingerprint per command.
    Changes(Vec<(String, String)>),
}

impl Keys {
    /// The id of the `index`-th event of the `command`-th command (`index` counted over the
    /// whole request for a request key, within the command for change keys).
    pub(crate) fn event_id(&self, command: usize, index: u64) -> crate::ids::EventId {
        match self {
            Keys::None => crate::ids::EventId::new(),
            Keys::Request { key, .. } => derived_event_id(key, index),
            Keys::Changes(keys) => match keys.get(command) {
                Some((key, _)) => derived_event_id(key, index),
                None => crate::ids::EventId::new(),
            },
        }
    }
}

/// Which commands of a list are already recorded under their change keys. A change key used
/// with other content is [`Error::ChangeConflict`], naming the command's index.
pub(crate) fn recorded_changes(
    store: &Store,
    keys: &[(String, String)],
) -> Result<Vec<bool>, Error> {
    keys.iter()
        .enumerate()
        .map(
            |(index, (key, print))| match recorded_under(store, key, print) {
                Ok(found) => Ok(found.is_some()),
                Err(Error::IdempotencyConflict { key }) => {
                    Err(Error::ChangeConflict { index, key })
                }
                Err(e) => Err(e),
            },
        )
        .collect()
}

impl Command {
    /// The key under which this change is recorded at most once (see
    /// [`crate::Context::with_change_keys`]).
    ///
    /// A command that brings something into being is keyed by what it creates (the unit, the
    /// person, the seat, the membership, the holding, the task; a reconstitution by its
    /// committee, decision and date): sent again with other content, it is a conflict rather
    /// than a second creation or a silent skip. Any other command is keyed by its content, so
    /// the same change sent twice is recorded once and a different one is a new change.
    pub fn change_key(&self) -> Result<String, Error> {
        use Command as C;
        let key = match self {
            C::EstablishUnit(UnitEstablishment { unit, .. }) => format!("unit:{unit}:established"),
            C::RegisterPerson(PersonName { person, .. }) => format!("person:{person}:registered"),
            C::CreatePost(PostCreation { post, .. }) => format!("post:{post}:created"),
            C::AppointToPost(PostAppointment { holding, .. }) => {
                format!("holding:{holding}:started")
            }
            C::RecordDecision(DecisionRecord { decision, .. }) => {
                format!("decision:{decision}:recorded")
            }
            C::EstablishCommittee(CommitteeCharter { committee, .. }) => {
                format!("committee:{committee}:established")
            }
            C::CreateSeat { spec, .. } => format!("seat:{}:created", spec.seat),
            C::StartMembership(MembershipStart { membership, .. })
            | C::ReplaceSeatHolder { membership, .. }
            | C::MoveMember { membership, .. } => format!("membership:{membership}:started"),
            C::Reconstitute {
                committee,
                decision,
                on,
                ..
            } => format!("committee:{committee}:reconstituted:{decision}:{on}"),
            C::CreateTask(TaskCreation { task, .. }) => format!("task:{task}:created"),
            _ => format!("content:{}", fingerprint(std::slice::from_ref(self))?),
        };
        Ok(format!("change:{key}"))
    }
}
