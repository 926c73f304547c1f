//! The demo data: the seed case (Decision 34/QĐ-BTTTT and the 2021 reform plans it names),
//! loaded into the store on `--demo`.

use reformlog::{Context, Reformlog, Seed};

/// The seed case (Decision 34/QĐ-BTTTT), shared with the integration tests.
const DEMO_SEED: &str = include_str!("../../tests/data/seed-decision-34.toml");
const DEMO_PLANS: &str = include_str!("../../tests/data/seed-plans-2021.toml");

/// Loads the seed case (Decision 34 and the 2021 reform plans the article names); a no-op
/// for what is already in the store (each change is recorded once).
pub(crate) fn load_demo(domain: &Reformlog) -> Result<u64, String> {
    let seed = Seed::parse(DEMO_SEED).map_err(|e| e.to_string())?;
    let plans = Seed::parse(DEMO_PLANS).map_err(|e| e.to_string())?;
    let ctx =
        Context::new("system:demo").with_reason("demo data: Decision 34/QĐ-BTTTT (seed case)");
    domain
        .load_seeds(&[&seed, &plans], &ctx)
        .map_err(|e| e.to_string())
}
