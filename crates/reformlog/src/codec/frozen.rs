//! The event layout payload schemas 1 and 2 store alike, frozen: their shared variants listed
//! once, in stored order, and expanded by each schema's module into its enum and its upcast.
//!
//! Schemas 1 and 2 are both frozen, so sharing this list between them never moves a stored
//! byte. Today's [`Event`](crate::event::Event) repeats most of these variants and is
//! deliberately not built from them, nor they from it: the current enum changes with each new
//! schema, and a frozen layout that followed its edits would stop reading the bytes it was
//! written with. The copy is the frozen bytes' guarantee.

// The types the frozen variants name, for the schema modules that expand them.
pub(super) use crate::date::Date;
pub(super) use crate::ids::{
    CommitteeId, DecisionId, EntityKey, EventId, HoldingId, MembershipId, PersonId, PostId, SeatId,
    TaskId, UnitId,
};
pub(super) use crate::model::{Assignment, DecisionKind, Role, UnitKind};
pub(super) use crate::text::Name;

/// One frozen schema's event enum, its fields in stored order, and its upcast into the next
/// schema: a variant given without a conversion moves its fields over unchanged, one given
/// with `=> expression` becomes that expression, its fields bound by name.
macro_rules! frozen_schema {
    (
        $(#[$meta:meta])*
        $name:ident into $next:ident {
            $( $variant:ident { $($field:ident : $ty:ty),* $(,)? } $(=> $upcast:expr)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Deserialize)]
        pub(crate) enum $name {
            $( $variant { $($field: $ty),* }, )*
        }

        impl From<$name> for $next {
            fn from(e: $name) -> Self {
                match e {
                    $(
                        $name::$variant { $($field),* } =>
                            frozen_schema!(@upcast $next::$variant { $($field),* } $($upcast)?),
                    )*
                }
            }
        }
    };
    (@upcast $next:ident :: $variant:ident { $($field:ident),* }) => {
        $next::$variant { $($field),* }
    };
    (@upcast $next:ident :: $variant:ident { $($field:ident),* } $upcast:expr) => {
        $upcast
    };
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
                UnitEstablished {
                    unit: UnitId,
                    name: Name,
                    kind: UnitKind,
                    parent: Option<UnitId>,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                UnitRenamed {
                    unit: UnitId,
                    name: Name,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                UnitMoved {
                    unit: UnitId,
                    parent: Option<UnitId>,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                UnitMerged {
                    unit: UnitId,
                    into: UnitId,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                UnitDissolved {
                    unit: UnitId,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                PersonRegistered {
                    person: PersonId,
                    name: Name,
                    on: Date,
                },
                PersonRenamed {
                    person: PersonId,
                    name: Name,
                    on: Date,
                },
                PostCreated {
                    post: PostId,
                    title: Name,
                    unit: Option<UnitId>,
                    max_holders: u16,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                PostHolderAppointed {
                    post: PostId,
                    holding: HoldingId,
                    person: PersonId,
                    from: Date,
                    ended_on: Option<Date>,
                    decision: Option<DecisionId>,
                },
                PostHolderLeft {
                    post: PostId,
                    holding: HoldingId,
                    ended_on: Date,
                    decision: Option<DecisionId>,
                },
                PostAbolished {
                    post: PostId,
                    on: Date,
                    decision: Option<DecisionId>,
                },
                DecisionRecorded {
                    decision: DecisionId,
                    number: String,
                    kind: DecisionKind,
                    issuer: UnitId,
                    signer: Option<PersonId>,
                    signed_on: Date,
                    in_force_on: Date,
                    title: String,
                    amends: Vec<DecisionId>,
                    replaces: Vec<DecisionId>,
                    repeals: Vec<DecisionId>,
                },
                CommitteeEstablished {
                    committee: CommitteeId,
                    name: Name,
                    parent: Option<CommitteeId>,
                    unit: Option<UnitId>,
                    on: Date,
                    decision: DecisionId,
                },
                CommitteeRenamed {
                    committee: CommitteeId,
                    name: Name,
                    on: Date,
                    decision: DecisionId,
                },
                DutiesSet {
                    committee: CommitteeId,
                    duties: Vec<String>,
                    on: Date,
                    decision: DecisionId,
                },
                SeatCreated {
                    committee: CommitteeId,
                    seat: SeatId,
                    role: Role,
                    on_behalf_of: Option<UnitId>,
                    ex_officio: Option<PostId>,
                    label: Option<String>,
                    from: Date,
                    ended_on: Option<Date>,
                    decision: DecisionId,
                },
                SeatAbolished {
                    committee: CommitteeId,
                    seat: SeatId,
                    ended_on: Date,
                    decision: DecisionId,
                },
                MembershipStarted {
                    committee: CommitteeId,
                    membership: MembershipId,
                    seat: SeatId,
                    person: PersonId,
                    from: Date,
                    ended_on: Option<Date>,
                    decision: DecisionId,
                },
                MembershipEnded {
                    committee: CommitteeId,
                    membership: MembershipId,
                    ended_on: Date,
                    decision: DecisionId,
                },
                CommitteeDissolved {
                    committee: CommitteeId,
                    on: Date,
                    decision: DecisionId,
                },
                TaskCreated {
                    task: TaskId,
                    plan: Option<DecisionId>,
                    title: String,
                    product: String,
                    deadline: Date,
                    assignment: Option<Assignment>,
                    on: Date,
                },
                $($tasks)*
                Corrected {
                    target: EventId,
                    corrected: Box<$name>,
                } => $next::Corrected {
                    target,
                    corrected: Box::new($next::from(*corrected)),
                },
                Retracted {
                    target: EventId,
                    entity: EntityKey,
                    on: Date,
                },
                SeatHolderDesignated {
                    committee: CommitteeId,
                    seat: SeatId,
                    person: PersonId,
                    on: Date,
                    decision: DecisionId,
                },
            }
        }
    };
}
