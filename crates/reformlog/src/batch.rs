//! Deciding a list of commands into the appends of one commit: the optimistic check, each
//! command on the state the earlier ones leave, event ids by the idempotency scheme, and the
//! events grouped by stream.

use crate::command::Command;
use crate::context::Context;
use crate::decide::decide_with;
use crate::error::Error;
use crate::event::Event;
use crate::idempotency::{fingerprint, Keys};
use crate::ids::{EntityKey, EventId};
use crate::readmodel::RmSource;
use crate::source::Source;
use crate::staged::Staged;
use reformlog_store::ExpectedRevision;

/// The events decided for one append: per touched stream, in first-appearance order, the
/// revision decide saw and the (id, event) pairs.
pub(crate) struct Decided {
    pub(crate) appends: Vec<StreamEvents>,
}

/// One touched stream: its entity, the revision decide saw, and the (command index, id,
/// event) triples.
pub(crate) type StreamEvents = (EntityKey, ExpectedRevision, Vec<(usize, EventId, Event)>);

pub(crate) fn decide_on(
    base: &RmSource<'_>,
    head: u64,
    commands: &[Command],
    skip: &[bool],
    ctx: &Context,
    keys: &Keys,
) -> Result<Decided, Error> {
    if let (Some(expected), Some(first)) = (ctx.expected_revision, commands.first()) {
        if let Some(main) = first.main_entity(base) {
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
    for (i, command) in commands.iter().enumerate() {
        if skip.get(i).copied().unwrap_or(false) {
            continue;
        }
        let events = decide_with(&staged, command).map_err(|e| match keys {
            // Say which change of the list was refused.
            Keys::Changes(_) if commands.len() > 1 => Error::Refused {
                index: i,
                source: e,
            },
            _ => e.into(),
        })?;
        if let Some(until) = ctx.valid_until {
            if let Some(late) = events.iter().find(|e| e.valid_from() > until) {
                return Err(Error::BeyondHorizon {
                    index: i,
                    date: late.valid_from(),
                    until,
                });
            }
        }
        for (j, event) in events.into_iter().enumerate() {
            let id = match keys {
                Keys::Changes(_) => keys.event_id(i, j as u64),
                _ => keys.event_id(i, index),
            };
            index += 1;
            staged.stage(id, &event, &ctx.actor);
            let key = event.entity();
            match appends.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, list)) => list.push((i, id, event)),
                None => {
                    let expected = match base.revision(&key) {
                        Some(r) => ExpectedRevision::Exact(r),
                        None => ExpectedRevision::NoStream,
                    };
                    appends.push((key, expected, vec![(i, id, event)]));
                }
            }
        }
    }
    let mut written: Vec<(usize, &Event)> = appends
        .iter()
        .flat_map(|(_, _, list)| list.iter().map(|(i, _, e)| (*i, e)))
        .collect();
    written.sort_by_key(|(i, _)| *i);
    crate::lineage::check_write(&staged, written).map_err(|(i, e)| match keys {
        Keys::Changes(_) if commands.len() > 1 => Error::Refused {
            index: i,
            source: e,
        },
        _ => e.into(),
    })?;
    Ok(Decided { appends })
}

/// The idempotency scheme `ctx` asks for.
pub(crate) fn keys_for(commands: &[Command], ctx: &Context) -> Result<Keys, Error> {
    match (&ctx.idempotency_key, ctx.per_change) {
        (Some(_), true) => Err(Error::Options(
            "an idempotency key and per-change keys cannot be used together",
        )),
        (Some(key), false) => Ok(Keys::Request {
            key: key.clone(),
            print: fingerprint(commands)?,
        }),
        (None, true) => Ok(Keys::Changes(
            commands
                .iter()
                .map(|c| Ok((c.change_key()?, fingerprint(std::slice::from_ref(c))?)))
                .collect::<Result<_, Error>>()?,
        )),
        (None, false) => Ok(Keys::None),
    }
}
