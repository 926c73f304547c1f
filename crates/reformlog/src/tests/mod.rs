//! Unit tests of the pure domain: given/when/then on decide/apply, and properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corrections;
mod decide;
mod diffs;
mod engine;
mod order;
mod props;
mod queries;
mod seed;
mod store_props;
mod support;
mod tenure;
// "As known at" inside one atomic write sees the whole write, by position and by time.
mod whole_commits;
