//! Unit tests of the pure domain: given/when/then on decide/apply, and properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Each change recorded at most once under its change key.
mod change_keys;
mod corrections;
mod decide;
// Links to a decision's published text: recorded, refused twice, shown, corrected.
mod decision_links;
// Which holder of a multi-holder post sits in an ex-officio seat, by decision.
mod designation;
mod diffs;
mod engine;
mod evidence;
// Golden payloads of every event variant, schemas 1 and 2.
mod golden_events;
// Every command's payload bytes, fingerprint and change key, pinned.
mod golden_commands;
// Every event variant keeps its place (its stored number); a new one needs a fixture line.
mod golden_event_places;
// A synthetic 25-year history in format 2 files: store and brute-force fold agree.
mod history25;
// Unit lineage: mergers, successors, sub-units per date.
mod lineage;
// The `openapi` feature's schemas against the JSON answers really serialise to.
#[cfg(feature = "openapi")]
mod openapi;
mod order;
mod props;
mod queries;
// The reminder feed polled at random horizons against a brute-force model.
mod reminder_props;
// Deadline reminders: due soon, due, overdue as days pass and records arrive; cursors.
mod reminders;
// Every event restated as its command replays event for event.
mod restate;
// The task report: counts, rate, days late, on both time axes.
mod report;
mod seed;
// Format 2 of the seed file: change entries, several files as one.
mod seed_v2;
mod serde_names;
mod store_props;
mod support;
// Task rules beyond status: plan, product, units, responsible, deadline, completion.
mod task_rules;
mod tenure;
// Warnings on task answers: responsible person, lead unit, repealed plan.
mod warnings;
// Waiting for the read models to reach a position: woken by the write, or timed out.
mod wait_for;
// "As known at" inside one atomic write sees the whole write, by position and by time.
mod whole_commits;
// Decision payloads written by earlier builds decode to the same kinds.
mod golden;
