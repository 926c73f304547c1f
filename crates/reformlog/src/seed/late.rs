//! Decisions recorded after a change: a `[[decisions]]` entry whose issuer or signer a
//! `[[changes]]` entry of the same file establishes waits for that change, and the section
//! entries that would cite it before then are refused by name.

use super::{Seed, SeedError};
use std::collections::HashMap;

/// For each decision that must wait, the index of the `[[changes]]` entry after which it is
/// recorded: the last of the changes that define its issuer or signer.
pub(super) fn late_decisions(seed: &Seed) -> HashMap<&str, usize> {
    let defined_by_change = |kind: &str, slug: &str| {
        seed.changes
            .iter()
            .rposition(|c| c.defines() == Some((kind, slug)))
    };
    let mut late = HashMap::new();
    for x in &seed.decisions {
        let issuer = defined_by_change("unit", &x.issuer);
        let signer = x
            .signer
            .as_deref()
            .and_then(|s| defined_by_change("person", s));
        if let Some(after) = issuer.max(signer) {
            late.insert(x.slug.as_str(), after);
        }
    }
    late
}

/// Refuses `cited` (a decision slug an entry of a section recorded before the changes
/// names) when it is one of the `late` decisions: that entry would cite a decision not yet
/// recorded.
pub(super) fn check_cited(
    late: &HashMap<&str, usize>,
    cited: &str,
    change_at: impl Fn(usize) -> String,
) -> Result<(), SeedError> {
    match late.get(cited) {
        None => Ok(()),
        Some(&after) => Err(SeedError::DecisionRecordedLater {
            decision: cited.to_owned(),
            after: change_at(after),
        }),
    }
}
