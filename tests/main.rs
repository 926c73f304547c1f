//! The integration tests: one binary, with one module per concern.

#![allow(clippy::unwrap_used)]

// Shared helpers: temporary stores and small event builders.
mod support;

// The event log (crate reformlog-store):
// appends, expected revisions, multi-stream atomicity, reads, filters, time lookup.
#[path = "store/basics.rs"]
mod store_basics;
// idempotent appends over the whole log.
#[path = "store/idempotency.rs"]
mod store_idempotency;
// model-based property tests, sequential and with racing threads.
#[path = "store/model.rs"]
mod store_model;
// subscriptions: catch-up to live with no gap or duplicate under concurrent writers.
#[path = "store/subscriptions.rs"]
mod store_subscriptions;
// durability: sync counting, group commit, traced fdatasync calls.
#[path = "store/durability.rs"]
mod store_durability;
// crash safety: SIGKILL a writing child process and check every acknowledged event, also while
// journal segments rotate and are trimmed, and in the middle of a format upgrade.
#[path = "store/crash.rs"]
mod store_crash;
// integrity: verify, tampering, kept digests; open-time format checks.
#[path = "store/integrity.rs"]
mod store_integrity;
// golden fixtures: bytes written by earlier builds must still decode.
#[path = "store/golden.rs"]
mod store_golden;
// format upgrades: a format-1 store's indexes are packed on open, interrupted or not.
#[path = "store/upgrade.rs"]
mod store_upgrade;
// truncation: sled's data file and the journal cut at seeded random offsets on stopped stores.
#[path = "store/truncation.rs"]
mod store_truncation;
// lost files: the folder deleted, moved or replaced under a running store.
#[path = "store/lost.rs"]
mod store_lost;
// disk full: a small tmpfs filled under the store, then freed.
#[path = "store/full.rs"]
mod store_full;
// commits against a model: numbers, times, metadata, lookups by position and time.
#[path = "store/commits.rs"]
mod store_commits;
// conflicts: a loser of a race sees the winner at once; waiting for a position.
#[path = "store/conflicts.rs"]
mod store_conflicts;
// snapshots taken under concurrent writers: exactly the commits up to the snapshot's head.
#[path = "store/snapshot.rs"]
mod store_snapshot;
// a store kept as a copy of another log, commit by commit: same head digest, alterations refused.
#[path = "store/replicate.rs"]
mod store_replicate;
// the anchor file: the head digest kept outside the store, checked on open.
#[path = "store/anchor.rs"]
mod store_anchor;

// The domain (crate reformlog) over the log: the Decision 34 seed case on both time axes.
#[path = "domain/seed_case.rs"]
mod domain_seed_case;

// The daemon (reformd) over real HTTP on 127.0.0.1:0: routes x roles, bad input, verification
// against a kept digest, the seed scenario, the SSE feed, SIGKILL under concurrent writes.
#[path = "daemon/mod.rs"]
mod daemon;

// reformctl end to end: a reformd child process driven by reformctl as a process: the seed
// import, composition before and after, Popolo round trip into a fresh daemon, a third-party
// Popolo file, verify (also against a kept head digest, online and offline), backup/restore,
// tail.
#[path = "cli/mod.rs"]
mod cli;

// The web page in headless chromium over WebDriver, against reformd on 127.0.0.1:0 with the seed
// case, a late entry and a correction: committees on a date and as recorded on, search, tokens,
// every page's console and security headers, screenshots under target/web-screenshots/.
#[path = "web/mod.rs"]
mod web;

// The repository's own rules: every Rust file opens with a `//!` line saying its job.
#[path = "repo/doc_lines.rs"]
mod repo_doc_lines;

// The repository's own rules: reformctl reads answers into typed bodies, not JSON pointers.
#[path = "repo/typed_answers.rs"]
mod repo_typed_answers;

// README.md as a test: every shell command it shows runs in order against the built
// binaries, and what it says a command prints is checked.
mod readme;
