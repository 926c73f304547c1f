//! `search NAME`: entities whose names match, with the name that matched.

use std::io::Write;

use crate::answer::{arr, print_json, s};
use crate::client::Client;
use crate::error::Error;
use crate::table::Table;

/// `search NAME`.
pub(crate) fn search(
    client: &Client,
    out: &mut dyn Write,
    text: &str,
    json: bool,
) -> Result<(), Error> {
    let v = client.get("/v1/search", &[("q", Some(text))])?;
    if json {
        return print_json(out, &v);
    }
    let mut t = Table::new(&["KIND", "NAME", "MATCHED", "ID"]);
    for h in arr(&v, "/answer") {
        let matched = s(h, "/matched");
        t.row(vec![
            s(h, "/entity/kind").into(),
            s(h, "/name").into(),
            if matched == s(h, "/name") {
                String::new()
            } else {
                matched.into()
            },
            s(h, "/entity/id").into(),
        ]);
    }
    if t.is_empty() {
        writeln!(out, "nothing matches {text:?}")?;
    } else {
        write!(out, "{}", t.render())?;
    }
    Ok(())
}
