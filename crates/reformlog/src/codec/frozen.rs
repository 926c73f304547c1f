//! The event layout payload schemas 1 and 2 store alike, frozen: their shared variants listed
//! once, in stored order, and expanded by each schema's module into its enum and its upcast.
//!
//! Schemas 1 and 2 are both frozen, so sharing this list between them never moves a stored
//! byte. A variant whose shape has not changed since they were written names today's payload
//! struct ([`crate::payload`]): the codec lays a newtype variant out as the struct variant it
//! was, so the struct reads those bytes for as long as its shape stays. The frozen layouts
//! follow the payload structs' edits, then, and are frozen on change: before a payload struct
//! that a frozen schema names changes shape, its old shape is copied here (or into the schema
//! module) under its own name, as the task events that changed already are. The golden
//! fixtures of schemas 1 and 2 fail the moment one changes without that copy.

// The types the frozen variants name, for the schema modules that expand them.
pub(super) use crate::date::Date;
pub(super) use crate::ids::{DecisionId, EventId, TaskId};
pub(super) use crate::model::Assignment;
pub(super) use crate::payload::{
    CommitteeDissolution, CommitteeDuties, CommitteeEstablishment, CommitteeRenaming,
    DecisionRecord, MembershipEnd, MembershipStart, PersonName, PostAbolition, PostAppointment,
    PostCreation, PostDeparture, Retraction, SeatAbolition, SeatCreation, SeatHolderDesignation,
    TaskCreation, UnitDissolution, UnitEstablishment, UnitMerger, UnitMove, UnitRenaming,
};

/// A frozen correction: the event it replaces, in the same frozen schema.
#[derive(serde::Deserialize)]
pub(crate) struct Correction<E> {
    pub(super) target: EventId,
    pub(super) corrected: Box<E>,
}

/// An event enum a frozen correction is upcast into.
pub(crate) trait Corrects: Sized {
    fn correcting(target: EventId, corrected: Box<Self>) -> Self;
}

impl Corrects for crate::event::Event {
    fn correcting(target: EventId, corrected: Box<Self>) -> Self {
        Self::Corrected { target, corrected }
    }
}

/// One frozen schema's event enum, each variant holding its payload in stored order, and its
/// upcast into the next schema: a variant given without a conversion moves its payload over
/// unchanged, one given with `=> |payload| expression` becomes that expression.
macro_rules! frozen_schema {
    (
        $(#[$meta:meta])*
        $name:ident into $next:ident {
            $( $variant:ident($payload:ty) $(=> |$bind:ident| $upcast:expr)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Deserialize)]
        pub(crate) enum $name {
            $( $variant($payload), )*
        }

        impl From<$name> for $next {
            fn from(e: $name) -> Self {
                match e {
                    $( $name::$variant(p) => frozen_schema!(@upcast $next::$variant p $($bind $upcast)?), )*
                }
            }
        }
    };
    (@upcast $next:ident :: $variant:ident $p:ident) => {
        $next::$variant($p)
    };
    (@upcast $next:ident :: $variant:ident $p:ident $bind:ident $upcast:expr) => {{
        let $bind = $p;
        $upcast
    }};
}

/// Schema 1 or 2: the variants both store alike, around the place they differ, the task
/// events after `TaskCreated` (schema 2 adds their decision), given in `tasks` as
/// `frozen_schema!` variants, each with a trailing comma. `Corrected` nests an event of its
/// own schema, upcast with it.
macro_rules! schema_1_or_2 {
    (
        $(#[$meta:meta])*
        $name:ident into $next:ident {
            tasks { $($tasks:tt)* }
        }
    ) => {
        frozen_schema! {
            $(#[$meta])*
            $name into $next {
                UnitEstablished(UnitEstablishment),
                UnitRenamed(UnitRenaming),
                UnitMoved(UnitMove),
                UnitMerged(UnitMerger),
                UnitDissolved(UnitDissolution),
                PersonRegistered(PersonName),
                PersonRenamed(PersonName),
                PostCreated(PostCreation),
                PostHolderAppointed(PostAppointment),
                PostHolderLeft(PostDeparture),
                PostAbolished(PostAbolition),
                DecisionRecorded(DecisionRecord),
                CommitteeEstablished(CommitteeEstablishment),
                CommitteeRenamed(CommitteeRenaming),
                DutiesSet(CommitteeDuties),
                SeatCreated(SeatCreation),
                SeatAbolished(SeatAbolition),
                MembershipStarted(MembershipStart),
                MembershipEnded(MembershipEnd),
                CommitteeDissolved(CommitteeDissolution),
                TaskCreated(TaskCreation),
                $($tasks)*
                Corrected(Correction<$name>) => |c| {
                    $next::correcting(c.target, Box::new($next::from(*c.corrected)))
                },
                Retracted(Retraction),
                SeatHolderDesignated(SeatHolderDesignation),
            }
        }
    };
}
