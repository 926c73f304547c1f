//! One readable line per command, naming entities by the names the import itself gives them,
//! for dry-run diffs and validation messages.

use std::collections::HashMap;

use reformlog::{
    Command, CommitteeCharter, DecisionRecord, MembershipEnd, MembershipStart, PersonName,
    PostAppointment, PostCreation, SeatAbolition, SeatSpec, TaskCreation, UnitDissolution,
    UnitEstablishment, UnitMerger, UnitRenaming,
};
use uuid::Uuid;

use crate::answer::role_label;

/// Names of the entities that commands create, by id.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names(HashMap<Uuid, String>);

impl Names {
    /// Collects the names the commands give.
    pub(crate) fn from_commands<'a>(commands: impl Iterator<Item = &'a Command>) -> Self {
        let mut m = HashMap::new();
        for c in commands {
            let (id, name) = match c {
                Command::EstablishUnit(UnitEstablishment { unit, name, .. }) => {
                    (unit.as_uuid(), name.to_string())
                }
                Command::RegisterPerson(PersonName { person, name, .. }) => {
                    (person.as_uuid(), name.to_string())
                }
                Command::CreatePost(PostCreation { post, title, .. }) => {
                    (post.as_uuid(), title.to_string())
                }
                Command::RecordDecision(DecisionRecord {
                    decision, number, ..
                }) => (decision.as_uuid(), number.clone()),
                Command::EstablishCommittee(CommitteeCharter {
                    committee, name, ..
                }) => (committee.as_uuid(), name.to_string()),
                Command::CreateTask(TaskCreation { task, title, .. }) => {
                    (task.as_uuid(), title.clone())
                }
                _ => continue,
            };
            m.entry(id).or_insert(name);
        }
        Self(m)
    }

    fn of(&self, id: Uuid) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| {
            let text = id.to_string();
            format!("#{}", text.get(..8).unwrap_or(&text))
        })
    }
}

/// A title without names (for errors, where only the command is at hand).
pub(crate) fn command_title(c: &Command) -> String {
    command_title_named(c, &Names::from_commands(std::iter::once(c)))
}

fn seat_line(spec: &SeatSpec, names: &Names) -> String {
    let mut line = format!("seat {}", role_label(&role_text(spec)));
    if let Some(label) = &spec.label {
        line.push_str(&format!(" ({label})"));
    }
    if let Some(u) = spec.on_behalf_of {
        line.push_str(&format!(" for {}", names.of(u.as_uuid())));
    }
    if let Some(p) = spec.ex_officio {
        line.push_str(&format!(", ex officio {}", names.of(p.as_uuid())));
    }
    match &spec.holder {
        Some(h) => line.push_str(&format!(": {}", names.of(h.person.as_uuid()))),
        None if spec.ex_officio.is_none() => line.push_str(": (vacant)"),
        None => {}
    }
    line
}

fn role_text(spec: &SeatSpec) -> String {
    crate::answer::wire(&spec.role)
}

/// The first line describing a command.
pub(crate) fn command_title_named(c: &Command, n: &Names) -> String {
    match c {
        Command::EstablishUnit(UnitEstablishment { unit, on, .. }) => {
            format!("unit {} established {on}", n.of(unit.as_uuid()))
        }
        Command::RenameUnit(UnitRenaming { unit, name, on, .. }) => {
            format!("unit {} renamed {name} on {on}", n.of(unit.as_uuid()))
        }
        Command::DissolveUnit(UnitDissolution { unit, on, .. }) => {
            format!("unit {} dissolved {on}", n.of(unit.as_uuid()))
        }
        Command::MergeUnit(UnitMerger { unit, into, on, .. }) => {
            format!(
                "unit {} merged into {} on {on}",
                n.of(unit.as_uuid()),
                n.of(into.as_uuid())
            )
        }
        Command::RegisterPerson(PersonName { person, on, .. }) => {
            format!("person {} registered {on}", n.of(person.as_uuid()))
        }
        Command::RenamePerson(PersonName { person, name, on }) => {
            format!("person {} renamed {name} on {on}", n.of(person.as_uuid()))
        }
        Command::CreatePost(PostCreation { post, on, .. }) => {
            format!("post {} created {on}", n.of(post.as_uuid()))
        }
        Command::AppointToPost(PostAppointment {
            post,
            person,
            from,
            ended_on,
            ..
        }) => format!(
            "{} holds {} from {from}{}",
            n.of(person.as_uuid()),
            n.of(post.as_uuid()),
            ended_on.map(|e| format!(" until {e}")).unwrap_or_default()
        ),
        Command::RecordDecision(DecisionRecord {
            number,
            title,
            signed_on,
            in_force_on,
            ..
        }) => {
            format!("decision {number} \"{title}\", signed {signed_on}, in force {in_force_on}")
        }
        Command::EstablishCommittee(CommitteeCharter { committee, on, .. }) => {
            format!("committee {} established {on}", n.of(committee.as_uuid()))
        }
        Command::CreateSeat {
            committee,
            spec,
            on,
            ..
        } => {
            format!(
                "{} in {} from {on}",
                seat_line(spec, n),
                n.of(committee.as_uuid())
            )
        }
        Command::StartMembership(MembershipStart {
            committee,
            person,
            from,
            ended_on,
            ..
        }) => format!(
            "{} joins {} from {from}{}",
            n.of(person.as_uuid()),
            n.of(committee.as_uuid()),
            ended_on.map(|e| format!(" until {e}")).unwrap_or_default()
        ),
        Command::EndMembership(MembershipEnd {
            committee,
            membership,
            ended_on,
            ..
        }) => format!(
            "membership #{} in {} ends {ended_on}",
            membership.as_uuid().to_string().get(..8).unwrap_or(""),
            n.of(committee.as_uuid())
        ),
        Command::AbolishSeat(SeatAbolition {
            committee,
            ended_on,
            ..
        }) => format!("a seat of {} ends {ended_on}", n.of(committee.as_uuid())),
        Command::Reconstitute {
            committee,
            on,
            seats,
            sub_bodies,
            ..
        } => format!(
            "{} reconstituted on {on}: {} seats, {} sub-bodies",
            n.of(committee.as_uuid()),
            seats.len(),
            sub_bodies.len()
        ),
        Command::CreateTask(TaskCreation { task, deadline, .. }) => {
            format!("task {} due {deadline}", n.of(task.as_uuid()))
        }
        other => serde_json::to_string(other)
            .ok()
            .and_then(|json| {
                serde_json::from_str::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(
                    &json,
                )
                .ok()
            })
            .and_then(|m| m.into_keys().next())
            .unwrap_or_else(|| "command".into())
            .replace('_', " "),
    }
}

/// The title and, for a reconstitution, one line per seat.
pub(crate) fn command_lines(c: &Command, n: &Names) -> Vec<String> {
    let mut lines = vec![command_title_named(c, n)];
    if let Command::Reconstitute {
        seats, sub_bodies, ..
    } = c
    {
        lines.extend(seats.iter().map(|s| format!("  {}", seat_line(s, n))));
        for b in sub_bodies {
            lines.push(format!(
                "  sub-body {}: {} seats",
                n.of(b.committee.as_uuid()),
                b.seats.len()
            ));
            lines.extend(b.seats.iter().map(|s| format!("    {}", seat_line(s, n))));
        }
    }
    lines
}
