//! Importing a log export (`reformctl export log`, JSON Lines): each event restated as the
//! command that records it, grouped by the commit it was recorded in, with corrections and
//! retractions pointed at their targets' ids in the new store.

use std::collections::HashMap;

use reformlog::{Command, Event, EventId, Origin};
use serde::Deserialize;

use crate::batch::Item;
use crate::error::Error;

/// The part of one exported line that the import reads.
#[derive(Deserialize)]
struct Line {
    position: u64,
    commit: u64,
    event_id: EventId,
    data: Option<Event>,
}

/// The members of a log export's line that tell it from other JSON.
#[derive(serde::Deserialize)]
struct LogLine {
    #[serde(default, deserialize_with = "crate::answer::present")]
    event_type: bool,
    #[serde(default, deserialize_with = "crate::answer::present")]
    data: bool,
}

/// Whether `text` looks like a log export: JSON Lines whose first line has an `event_type`.
pub(crate) fn is_log(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<LogLine>(l).ok())
        .is_some_and(|v| v.event_type && v.data)
}

/// The commands that record the export's events again, each with its line, and the commit
/// each came from.
pub(crate) fn load_log(file: &str, text: &str) -> Result<(Vec<Item>, Vec<u64>), Error> {
    let mut items = Vec::new();
    let mut commits = Vec::new();
    // The id each exported event gets in the store it is imported into.
    let mut ids: HashMap<EventId, EventId> = HashMap::new();
    let mut last = 0;
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let origin = Origin {
            file: file.to_owned(),
            line: Some(n + 1),
            section: "log",
            index: items.len() + 1,
        };
        let at = origin.to_string();
        let line: Line = serde_json::from_str(raw)
            .map_err(|e| Error::input(at.clone(), format!("not a line of a log export: {e}")))?;
        if line.position <= last {
            return Err(Error::input(
                at,
                format!(
                    "position {} after {last}: a log export lists positions in order",
                    line.position
                ),
            ));
        }
        last = line.position;
        let Some(event) = line.data else {
            return Err(Error::input(
                at,
                "an event this build does not know (its data is null); import with the build that exported it",
            ));
        };
        let mut command = Command::restating(&event);
        if let Command::Correct { target, .. } | Command::Retract { target } = &mut command {
            *target = *ids.get(target).ok_or_else(|| {
                Error::input(
                    at.clone(),
                    format!("corrects or retracts event {target}, which comes before the export's first line"),
                )
            })?;
        }
        let new = command
            .change_event_id(0)
            .map_err(|e| Error::input(at.clone(), e))?;
        ids.insert(line.event_id, new);
        commits.push(line.commit);
        items.push(Item { origin, command });
    }
    Ok((items, commits))
}
