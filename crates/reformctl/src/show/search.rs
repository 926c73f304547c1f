//! `search NAME`: entities whose names match, with the name that matched.

use std::io::Write;

use reformlog::SearchHit;
use reformlog_api::Envelope;

use crate::answer::{decode, emit, write_table, Output};
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
    let reply: Envelope<Vec<SearchHit>> = decode(&v)?;
    let mut t = Table::new(&["KIND", "NAME", "MATCHED", "ID"]);
    for h in &reply.answer {
        t.row(vec![
            h.entity.category().into(),
            h.name.to_string(),
            if h.matched == h.name {
                String::new()
            } else {
                h.matched.to_string()
            },
            h.entity.uuid().to_string(),
        ]);
    }
    if t.is_empty() && o.is_table() {
        writeln!(out, "nothing matches {text:?}")?;
        return Ok(());
    }
    write_table(out, o, &t)
}
