//! The HTTP contract between reformd and its clients: the bodies the daemon answers with, the
//! problem body every error carries, and the one table of stable problem codes.
//!
//! reformd serialises these types to answer and reformctl deserialises them to read, so a
//! shape changed here changes for both at once. Every body describes itself to the daemon's
//! OpenAPI document through utoipa; [`Envelope`] and [`Page`] are generic, and take the
//! schema of the library's answer they hold (the library's `openapi` feature gives them).
//!
//! Times in these bodies are RFC 3339 in UTC with six fractional digits
//! (`2024-03-01T08:30:00.000000Z`); dates are `YYYY-MM-DD`.

#![warn(missing_docs)]

mod envelope;
mod events;
mod problem;
mod writes;

pub use envelope::{AnsweredKnownAt, Envelope, Page};
pub use events::{EventPage, EventView};
pub use problem::{Problem, ProblemCode, PROBLEM_TYPE_PREFIX};
pub use writes::{BackupView, DigestView, VerifyView, WriteResult};
