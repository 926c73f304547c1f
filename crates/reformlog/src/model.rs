//! The small vocabulary types shared by commands, events and answers.

use crate::ids::{PersonId, UnitId};
use serde::{Deserialize, Serialize};

/// What kind of organisation unit this is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnitKind {
    /// Bộ.
    Ministry,
    /// Vụ.
    Department,
    /// Cục.
    Authority,
    /// Văn phòng.
    Office,
    /// Thanh tra.
    Inspectorate,
    /// Trung tâm.
    Centre,
    /// Any other kind of body.
    Other,
}

/// The role of a committee seat.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// Trưởng ban.
    Head,
    /// Phó Trưởng ban thường trực.
    StandingDeputyHead,
    /// Phó Trưởng ban.
    DeputyHead,
    /// Thành viên / Ủy viên.
    Member,
    /// Tổ trưởng.
    GroupLeader,
    /// Tổ phó.
    DeputyGroupLeader,
    /// Tổ viên.
    GroupMember,
    /// Thư ký.
    Secretary,
}

impl Role {
    /// Roles that at most one seat of a committee may have on any date.
    pub const fn is_sole(&self) -> bool {
        matches!(
            self,
            Self::Head | Self::StandingDeputyHead | Self::GroupLeader
        )
    }
}

/// The type of a legal document (Vietnamese names, abbreviations and the kind a document
/// number tells are in `doctype`).
///
/// Stored events encode a variant by its position: the first three keep theirs, and new
/// kinds are only ever added at the end.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecisionKind {
    /// Quyết định (QĐ).
    Decision,
    /// Kế hoạch (KH): reform tasks are grouped under plans.
    Plan,
    /// Thông báo (TB).
    Notice,
    /// Luật, passed by the National Assembly (numbered like `67/2020/QH14`).
    Law,
    /// Nghị quyết (NQ), joint ones (NQLT) included.
    Resolution,
    /// Nghị định (NĐ).
    Decree,
    /// Chỉ thị (CT).
    Directive,
    /// Thông tư (TT), joint ones (TTLT) included.
    Circular,
    /// Công văn: numbered by issuer and drafting unit, with no type code (`567/BTTTT-TCCB`).
    OfficialLetter,
    /// Hướng dẫn (HD).
    Guidance,
    /// Báo cáo (BC).
    Report,
    /// Any other document type (kết luận, chương trình, đề án, tờ trình, công điện, ...).
    Other,
}

/// Where a reform task stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not yet completed or cancelled.
    Open,
    /// Done.
    Completed,
    /// Called off.
    Cancelled,
}

/// Who carries out a task.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The unit that leads the task.
    pub lead: UnitId,
    /// Units that cooperate with the lead; never the lead itself.
    pub cooperating: Vec<UnitId>,
    /// The person responsible, who should hold a post in the lead unit.
    pub responsible: Option<PersonId>,
}

/// The initial holder of a seat created by a reconstitution or a seat creation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Debug)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeatHolder {
    /// The id of the membership the holder starts.
    pub membership: crate::ids::MembershipId,
    /// The person who takes the seat.
    pub person: PersonId,
}
