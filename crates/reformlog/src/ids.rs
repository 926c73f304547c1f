//! Identifier newtypes for every kind of entity, the key that names an entity's stream, and
//! the kinds of entity (one stream category each).
//!
//! Ids are UUIDs rather than text slugs so that read-model keys are fixed-width (16 bytes) and
//! sort as raw bytes. People still write slugs in seed files: `from_slug` maps a slug to a
//! stable UUIDv5 per entity kind, so the same slug always names the same entity and two kinds
//! never collide. Fresh ids from `new` are UUIDv7 (time-ordered).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Namespace for slug-derived ids; fixed forever because changing it would re-key every
/// imported entity.
const SLUG_NAMESPACE: Uuid = Uuid::from_bytes([
    0x6b, 0x2f, 0x1e, 0x0a, 0x3c, 0x55, 0x4d, 0x8e, 0x9a, 0x41, 0x7d, 0x02, 0xc3, 0x9e, 0x5f, 0x11,
]);

/// A text that is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The text is not a UUID in any of its usual forms.
    #[error("not a UUID: {0:?}")]
    NotUuid(String),
    /// A slug is empty, so no id can be derived from it.
    #[error("empty slug")]
    EmptySlug,
    /// The text is not `<kind>-<uuid>`, e.g. `unit-0190b0c1-…`.
    #[error("not an entity key (expected `<category>-<uuid>`): {0:?}")]
    NotEntityKey(String),
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(
            feature = "openapi",
            derive(utoipa::ToSchema),
            schema(value_type = String, format = Uuid)
        )]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The stable id that a human-written slug stands for.
            pub fn from_slug(slug: &str) -> Result<Self, IdError> {
                let slug = slug.trim();
                if slug.is_empty() {
                    return Err(IdError::EmptySlug);
                }
                let name = format!("{}:{}", $kind, slug);
                Ok(Self(Uuid::new_v5(&SLUG_NAMESPACE, name.as_bytes())))
            }

            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// The 16 big-endian bytes, for keys.
            pub const fn to_bytes(&self) -> [u8; 16] {
                *self.0.as_bytes()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| IdError::NotUuid(s.to_owned()))
            }
        }
    };
}

id_type!(
    /// An organisation unit (ministry, department, authority, ...).
    UnitId, "unit"
);
id_type!(
    /// A person.
    PersonId, "person"
);
id_type!(
    /// A post: a named position that exists apart from its holder.
    PostId, "post"
);
id_type!(
    /// A committee or one of its sub-bodies.
    CommitteeId, "committee"
);
id_type!(
    /// A decision, plan or notice.
    DecisionId, "decision"
);
id_type!(
    /// A reform task.
    TaskId, "task"
);
id_type!(
    /// A seat on a committee.
    SeatId, "seat"
);
id_type!(
    /// One person's tenure in one seat.
    MembershipId, "membership"
);
id_type!(
    /// One person's tenure in one post.
    HoldingId, "holding"
);
id_type!(
    /// The id the event store gave an event; corrections cite it.
    EventId, "event"
);

/// An enum of one variant per entity kind holding that kind's id, in key order (only ever
/// appended: the binary form is the variant index); the key and its two serialized forms
/// list the kinds once, here.
macro_rules! entity_key_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident) => {
        $(#[$meta])*
        $vis enum $name {
            /// A unit, by its id.
            Unit(UnitId),
            /// A person, by their id.
            Person(PersonId),
            /// A post, by its id.
            Post(PostId),
            /// A committee or sub-body, by its id.
            Committee(CommitteeId),
            /// A decision (any legal document), by its id.
            Decision(DecisionId),
            /// A task, by its id.
            Task(TaskId),
        }
    };
}

entity_key_enum!(
    /// The entity (and so the stream) an event belongs to. Every event belongs to exactly one.
    ///
    /// In human-readable formats (JSON, TOML) it reads `{"kind": "unit", "id": "<uuid>"}`; in
    /// the positional payload codec, which cannot read tagged enums, it is a plain enum.
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
    pub enum EntityKey
);

entity_key_enum!(
    /// The human-readable form of [`EntityKey`].
    #[derive(Serialize, Deserialize)]
    #[serde(
        tag = "kind",
        content = "id",
        rename_all = "snake_case",
        deny_unknown_fields,
        rename = "EntityKey"
    )]
    enum TaggedKey
);

entity_key_enum!(
    /// The binary form of [`EntityKey`]: variant index, then the id. Variants are only ever
    /// appended, as for events.
    #[derive(Serialize, Deserialize)]
    #[serde(rename = "EntityKey")]
    enum PlainKey
);

macro_rules! convert_key {
    ($from:ident => $to:ident) => {
        impl From<$from> for $to {
            fn from(k: $from) -> Self {
                match k {
                    $from::Unit(id) => $to::Unit(id),
                    $from::Person(id) => $to::Person(id),
                    $from::Post(id) => $to::Post(id),
                    $from::Committee(id) => $to::Committee(id),
                    $from::Decision(id) => $to::Decision(id),
                    $from::Task(id) => $to::Task(id),
                }
            }
        }
    };
}
convert_key!(EntityKey => TaggedKey);
convert_key!(TaggedKey => EntityKey);
convert_key!(EntityKey => PlainKey);
convert_key!(PlainKey => EntityKey);

impl Serialize for EntityKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            TaggedKey::from(*self).serialize(s)
        } else {
            PlainKey::from(*self).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for EntityKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            TaggedKey::deserialize(d).map(Self::from)
        } else {
            PlainKey::deserialize(d).map(Self::from)
        }
    }
}

impl EntityKey {
    /// The stream category, also the prefix of the stream name.
    pub const fn category(&self) -> &'static str {
        match self {
            Self::Unit(_) => "unit",
            Self::Person(_) => "person",
            Self::Post(_) => "post",
            Self::Committee(_) => "committee",
            Self::Decision(_) => "decision",
            Self::Task(_) => "task",
        }
    }

    /// The raw UUID of the entity.
    pub const fn uuid(&self) -> Uuid {
        match self {
            Self::Unit(id) => id.as_uuid(),
            Self::Person(id) => id.as_uuid(),
            Self::Post(id) => id.as_uuid(),
            Self::Committee(id) => id.as_uuid(),
            Self::Decision(id) => id.as_uuid(),
            Self::Task(id) => id.as_uuid(),
        }
    }

    /// The stream name `<category>-<uuid>`.
    pub fn stream_name(&self) -> String {
        format!("{}-{}", self.category(), self.uuid())
    }

    /// Parses a stream name made by [`EntityKey::stream_name`].
    pub fn from_stream_name(s: &str) -> Result<Self, IdError> {
        let bad = || IdError::NotEntityKey(s.to_owned());
        let (cat, rest) = s.split_once('-').ok_or_else(bad)?;
        let uuid = Uuid::parse_str(rest).map_err(|_| bad())?;
        Ok(match cat {
            "unit" => Self::Unit(UnitId(uuid)),
            "person" => Self::Person(PersonId(uuid)),
            "post" => Self::Post(PostId(uuid)),
            "committee" => Self::Committee(CommitteeId(uuid)),
            "decision" => Self::Decision(DecisionId(uuid)),
            "task" => Self::Task(TaskId(uuid)),
            _ => return Err(bad()),
        })
    }
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stream_name())
    }
}

/// The kinds of entity, one stream category each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// An administrative unit (stream `unit-…`).
    Unit,
    /// A person (stream `person-…`).
    Person,
    /// A post (stream `post-…`).
    Post,
    /// A committee or sub-body (stream `committee-…`).
    Committee,
    /// A decision or other legal document (stream `decision-…`).
    Decision,
    /// A reform task (stream `task-…`).
    Task,
}

impl EntityKind {
    /// Every kind, in key order.
    pub const ALL: [EntityKind; 6] = [
        Self::Unit,
        Self::Person,
        Self::Post,
        Self::Committee,
        Self::Decision,
        Self::Task,
    ];

    /// The kind of an entity key.
    pub fn of(key: &EntityKey) -> Self {
        match key {
            EntityKey::Unit(_) => Self::Unit,
            EntityKey::Person(_) => Self::Person,
            EntityKey::Post(_) => Self::Post,
            EntityKey::Committee(_) => Self::Committee,
            EntityKey::Decision(_) => Self::Decision,
            EntityKey::Task(_) => Self::Task,
        }
    }

    /// The key of the entity of this kind with this id.
    pub fn key(self, id: Uuid) -> EntityKey {
        match self {
            Self::Unit => EntityKey::Unit(UnitId::from_uuid(id)),
            Self::Person => EntityKey::Person(PersonId::from_uuid(id)),
            Self::Post => EntityKey::Post(PostId::from_uuid(id)),
            Self::Committee => EntityKey::Committee(CommitteeId::from_uuid(id)),
            Self::Decision => EntityKey::Decision(DecisionId::from_uuid(id)),
            Self::Task => EntityKey::Task(TaskId::from_uuid(id)),
        }
    }

    /// The stream category, e.g. `committee`.
    pub fn category(self) -> &'static str {
        self.key(Uuid::nil()).category()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn slugs_are_stable_and_kind_scoped() {
        let a = UnitId::from_slug("cuc-tin-hoc-hoa").unwrap();
        let b = UnitId::from_slug(" cuc-tin-hoc-hoa ").unwrap();
        assert_eq!(a, b);
        let p = PersonId::from_slug("cuc-tin-hoc-hoa").unwrap();
        assert_ne!(a.as_uuid(), p.as_uuid());
        assert_eq!(UnitId::from_slug(""), Err(IdError::EmptySlug));
    }

    #[test]
    fn stream_names_round_trip() {
        let key = EntityKey::Committee(CommitteeId::new());
        let name = key.stream_name();
        assert!(name.starts_with("committee-"));
        assert_eq!(EntityKey::from_stream_name(&name).unwrap(), key);
        assert!(EntityKey::from_stream_name("nothing-here").is_err());
    }
}
