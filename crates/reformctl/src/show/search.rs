//! `search NAME`: entities whose names match, with the name that matched.

use std::io::Write;

use crate::answer::{arr, emit, s, write_table, Output};
use crate::client::Client;
use crate::error::Error;
use crate::table::Table;

/// `search NAME`.
pub(crate) fn search(
    client: &Client,
    out: &mut dyn Write,
    text: &str,
    o: &Output,
) -> Result<(), Error> {
    let v = client.get("/v1/search", &[("q", Some(text))])?;
    if emit(out, o, &v)? {
        return Ok(());
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
    if t.is_empty() && o.is_table() {
        writeln!(out, "nothing matches {text:?}")?;
        return Ok(());
    }
    write_table(out, o, &t)
}
