//! Read commands: composition, person history, what a decision changed, composition diffs,
//! the audit trail and search, as tables fitted to the terminal, CSV, or the daemon's answer as
//! JSON or YAML.

mod audit;
mod committee;
mod decision;
mod person;
mod search;

pub(crate) use audit::audit;
pub(crate) use committee::committee_show;
pub(crate) use decision::{decision_show, diff};
pub(crate) use person::history;
pub(crate) use search::search;
