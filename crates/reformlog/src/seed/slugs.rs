//! What a seed file names before it is translated: the slugs it defines, per kind, with
//! their places, and the id of the entity a command creates (for messages).

use super::Seed;
use crate::command::Command;
use crate::payload::{
    CommitteeCharter, DecisionRecord, PersonName, PostCreation, TaskCreation, UnitEstablishment,
};

/// The slugs a file defines, per kind, with their places, before any is translated: a
/// section entry may refer to one defined later in its file.
pub(super) fn definitions(seed: &Seed) -> Vec<(&'static str, &str, &'static str, usize)> {
    let mut out = Vec::new();
    let mut push = |kind, slug, section, i: usize| out.push((kind, slug, section, i + 1));
    for (i, u) in seed.units.iter().enumerate() {
        push("unit", u.slug.as_str(), "units", i);
    }
    for (i, p) in seed.people.iter().enumerate() {
        push("person", p.slug.as_str(), "people", i);
    }
    for (i, x) in seed.decisions.iter().enumerate() {
        push("decision", x.slug.as_str(), "decisions", i);
    }
    for (i, p) in seed.posts.iter().enumerate() {
        push("post", p.slug.as_str(), "posts", i);
    }
    for (i, c) in seed.committees.iter().enumerate() {
        push("committee", c.slug.as_str(), "committees", i);
    }
    for (i, t) in seed.tasks.iter().enumerate() {
        push("task", t.slug.as_str(), "tasks", i);
    }
    for (i, c) in seed.changes.iter().enumerate() {
        if let Some((kind, slug)) = c.defines() {
            push(kind, slug, "changes", i);
        }
    }
    out
}

/// The id of the entity a command creates, for naming it in messages.
pub(super) fn created_id(c: &Command) -> Option<uuid::Uuid> {
    Some(match c {
        Command::EstablishUnit(UnitEstablishment { unit, .. }) => unit.as_uuid(),
        Command::RegisterPerson(PersonName { person, .. }) => person.as_uuid(),
        Command::RecordDecision(DecisionRecord { decision, .. }) => decision.as_uuid(),
        Command::CreatePost(PostCreation { post, .. }) => post.as_uuid(),
        Command::EstablishCommittee(CommitteeCharter { committee, .. }) => committee.as_uuid(),
        Command::CreateTask(TaskCreation { task, .. }) => task.as_uuid(),
        _ => return None,
    })
}
