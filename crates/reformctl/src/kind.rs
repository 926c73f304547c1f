//! Entity kinds as the command line takes them (`--kind`, by category, each with its help)
//! and as the daemon's collection routes name them (`/v1/people`).

/// The kinds of entity: the domain's own, which the routes name by their category.
pub use reformlog::EntityKind as Kind;

/// `--kind`: an entity kind by its category, each value with its help.
pub(crate) fn kind_values() -> impl clap::builder::TypedValueParser<Value = Kind> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    // In the order of `Kind::ALL`.
    const HELP: [&str; 6] = [
        "An organisation unit",
        "A person",
        "A post",
        "A committee or sub-body",
        "A decision",
        "A reform task",
    ];
    let values = Kind::ALL
        .into_iter()
        .zip(HELP)
        .map(|(kind, help)| PossibleValue::new(kind.category()).help(help));
    PossibleValuesParser::new(values).try_map(|name: String| {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.category() == name)
            .ok_or("not an entity kind")
    })
}

/// The plural a kind's collection routes use (`/v1/people`).
pub(crate) fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Unit => "units",
        Kind::Person => "people",
        Kind::Post => "posts",
        Kind::Committee => "committees",
        Kind::Decision => "decisions",
        Kind::Task => "tasks",
    }
}
