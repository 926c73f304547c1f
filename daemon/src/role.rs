//! Roles and what each may do: the permissions routes ask for, and which role allows which.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a token may do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads of current and historical state.
    Viewer,
    /// Reads of state, the audit trail (entity history, changes by actor) and the event log.
    Auditor,
    /// Reads of state and writes.
    Editor,
    /// Everything, including integrity verification.
    Admin,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        })
    }
}

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Permission {
    ReadState,
    ReadAudit,
    Write,
    Administer,
}

impl Permission {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Permission::ReadState => "reading state",
            Permission::ReadAudit => "reading the audit trail",
            Permission::Write => "writing",
            Permission::Administer => "administration",
        }
    }
}

impl Role {
    /// Every role (a test keeps it in step with the enum's variants).
    pub(crate) const ALL: [Role; 4] = [Role::Viewer, Role::Auditor, Role::Editor, Role::Admin];

    pub(crate) fn allows(self, p: Permission) -> bool {
        match p {
            Permission::ReadState => true,
            Permission::ReadAudit => matches!(self, Role::Auditor | Role::Admin),
            Permission::Write => matches!(self, Role::Editor | Role::Admin),
            Permission::Administer => self == Role::Admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn every_role_is_in_the_list_of_all() {
        assert_eq!(
            <Role as clap::ValueEnum>::value_variants(),
            Role::ALL.as_slice()
        );
    }
}
