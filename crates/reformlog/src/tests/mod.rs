//! Unit tests of the pure domain: given/when/then on decide/apply, and properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod corrections;
mod decide;
mod engine;
mod props;
mod queries;
mod seed;
mod store_props;
mod support;
