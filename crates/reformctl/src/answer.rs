//! Reading the daemon's JSON answers and writing them out: the output format asked for (`-o`,
//! `--json`) and the JSON and YAML forms (written from the reply as received), the reply read
//! into the API's typed bodies, one entity's answer on a date, a dash for a blank, role labels
//! and ranks, task warnings, the log position answered at, an evidence document on one line.
//! Shared by every read command.

use std::io::Write;

use reformlog::{EvidenceDocument, Name, TaskWarning};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cli::{plural, Format, GlobalArgs, Kind, TimeArgs};
use crate::client::Client;
use crate::error::Error;
use crate::resolve::resolve;
use crate::table::Table;

/// How a read command writes its answer: the format, and whether CSV starts with the UTF-8
/// byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Output {
    pub(crate) format: Format,
    pub(crate) bom: bool,
}

impl Output {
    /// `-o` when given, else `--json`, else a table; `--json` with another `-o` is a usage
    /// error rather than a guess.
    pub(crate) fn resolve(global: &GlobalArgs, asked: Option<Format>) -> Result<Self, Error> {
        let format = match (asked, global.json) {
            (Some(f), true) if f != Format::Json => {
                return Err(Error::Usage(format!(
                    "--json asks for JSON but -o asks for {}; give one of them",
                    format_name(f)
                )))
            }
            (Some(f), _) => f,
            (None, true) => Format::Json,
            (None, false) => Format::Table,
        };
        Ok(Self {
            format,
            bom: global.bom,
        })
    }

    /// Whether the table form was asked for.
    pub(crate) fn is_table(&self) -> bool {
        self.format == Format::Table
    }

    /// Whether CSV was asked for.
    pub(crate) fn is_csv(&self) -> bool {
        self.format == Format::Csv
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Yaml => "yaml",
        Format::Csv => "csv",
    }
}

/// Writes the daemon's reply `v` as JSON or YAML when one of those was asked for, and says
/// whether it did; the table and CSV forms are the caller's.
pub(crate) fn emit(out: &mut dyn Write, o: &Output, v: &Value) -> Result<bool, Error> {
    match o.format {
        Format::Json => print_json(out, v)?,
        Format::Yaml => print_yaml(out, v)?,
        Format::Table | Format::Csv => return Ok(false),
    }
    Ok(true)
}

/// `v` as one YAML document.
pub(crate) fn print_yaml(out: &mut dyn Write, v: &Value) -> Result<(), Error> {
    let text = serde_norway::to_string(v).map_err(|e| Error::BadAnswer(e.to_string()))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// An answer that is not a table (a unit's lineage) as CSV: one `field,value` row per value
/// in it, the field named by its JSON pointer below the answer.
pub(crate) fn fields_csv(out: &mut dyn Write, bom: bool, v: &Value) -> Result<(), Error> {
    fn walk(path: &str, v: &Value, rows: &mut Vec<[String; 2]>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    walk(&format!("{path}/{k}"), x, rows);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{path}/{i}"), x, rows);
                }
            }
            Value::Null => rows.push([path.to_owned(), String::new()]),
            Value::String(s) => rows.push([path.to_owned(), s.clone()]),
            other => rows.push([path.to_owned(), other.to_string()]),
        }
    }
    let mut rows = Vec::new();
    walk("", v, &mut rows);
    let header = ["field".to_owned(), "value".to_owned()];
    crate::table::write_csv(out, bom, &header, rows)
}

/// Writes `table` in the form asked for: CSV, or aligned text.
pub(crate) fn write_table(out: &mut dyn Write, o: &Output, table: &Table) -> Result<(), Error> {
    if o.is_csv() {
        table.write_csv(out, o.bom)
    } else {
        write!(out, "{}", table.render())?;
        Ok(())
    }
}

/// How a role reads in a decision.
pub(crate) fn role_label(role: &str) -> &str {
    match role {
        "head" => "Trưởng ban",
        "standing_deputy_head" => "Phó Trưởng ban thường trực",
        "deputy_head" => "Phó Trưởng ban",
        "member" => "Thành viên",
        "group_leader" => "Tổ trưởng",
        "deputy_group_leader" => "Tổ phó",
        "group_member" => "Tổ viên",
        "secretary" => "Thư ký",
        other => other,
    }
}

/// A role's rank in the order of [`reformlog::Role`]: head first, secretary last.
pub(crate) fn role_rank(role: &str) -> usize {
    const ORDER: [&str; 8] = [
        "head",
        "standing_deputy_head",
        "deputy_head",
        "member",
        "group_leader",
        "deputy_group_leader",
        "group_member",
        "secretary",
    ];
    ORDER.iter().position(|r| *r == role).unwrap_or(ORDER.len())
}

/// The daemon's reply read into its typed body; a reply of another shape is a bad answer.
/// A value this build does not know (a role or a kind a newer daemon added) is said to be
/// that, with the way out, since it is no fault of the daemon's.
pub(crate) fn decode<T: DeserializeOwned>(v: &Value) -> Result<T, Error> {
    T::deserialize(v).map_err(|e| {
        let e = e.to_string();
        if e.starts_with("unknown variant") {
            Error::BadAnswer(format!(
                "the daemon answered with a value reformctl {} does not know ({e}): the \
                 daemon is newer; upgrade reformctl, or read the answer as sent with -o json",
                env!("CARGO_PKG_VERSION")
            ))
        } else {
            Error::BadAnswer(format!("an answer of an unexpected shape: {e}"))
        }
    })
}

/// How a value of one of the library's unit enums (a role, a status, a kind) is written in
/// the API: its serde name, `deputy_head` or `completed_late`.
pub(crate) fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .ok()
        .and_then(|json| serde_json::from_str::<String>(&json).ok())
        .unwrap_or_default()
}

/// For a `bool` member of a probe struct that says whether a JSON object has a member of
/// that name, whatever its value (`null` too); `#[serde(default)]` makes it `false` when absent.
pub(crate) fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// The text of an optional name, empty when absent.
pub(crate) fn name_of(n: Option<&Name>) -> &str {
    n.map_or("", Name::as_str)
}

pub(crate) fn or_dash(text: &str) -> String {
    if text.is_empty() {
        crate::table::DASH.into()
    } else {
        text.into()
    }
}

pub(crate) fn print_json(out: &mut dyn Write, v: &Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Error::BadAnswer(e.to_string()))?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// The daemon's reply about the entity of `kind` that `entity` names (UUID, slug or name),
/// from its route `/v1/<kinds>/<id>/<route>` on the date and knowledge time asked; `None`
/// once written out as JSON or YAML.
pub(crate) fn read_on(
    client: &Client,
    out: &mut dyn Write,
    (kind, entity, route): (Kind, &str, &str),
    time: &TimeArgs,
    o: &Output,
) -> Result<Option<Value>, Error> {
    let id = resolve(client, kind, entity)?;
    let path = format!("/v1/{}/{id}/{route}", plural(kind));
    let v = client.get(
        &path,
        &[
            ("on", time.on.as_deref()),
            ("known_at", time.known_at.as_deref()),
        ],
    )?;
    if emit(out, o, &v)? {
        return Ok(None);
    }
    Ok(Some(v))
}

/// The line closing a read's table: the log position the reply was answered at.
pub(crate) fn write_position(out: &mut dyn Write, position: u64) -> Result<(), Error> {
    writeln!(out, "(as known at log position {position})")?;
    Ok(())
}

/// One line per warning the daemon gave about these tasks, each a title and its warnings:
/// `warning: TITLE: MESSAGE [CODE]` (what makes the assignment or plan doubtful on the date).
pub(crate) fn write_warnings<'a>(
    out: &mut dyn Write,
    tasks: impl IntoIterator<Item = (&'a str, &'a [TaskWarning])>,
) -> Result<(), Error> {
    for (title, warnings) in tasks {
        for w in warnings {
            writeln!(out, "warning: {title}: {} [{}]", w.message, wire(&w.code))?;
        }
    }
    Ok(())
}

/// A document on one line: number, title in quotes, link, and the start of its hash.
pub(crate) fn document_line(d: &EvidenceDocument) -> String {
    let mut parts = Vec::new();
    parts.extend(d.number.clone());
    parts.extend(d.title.as_ref().map(|t| format!("\"{t}\"")));
    parts.extend(d.link.clone());
    parts.extend(d.sha256.as_ref().map(|h| format!("sha256 {h}")));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn global(json: bool) -> GlobalArgs {
        GlobalArgs {
            url: None,
            token: None,
            config: None,
            json,
            quiet: true,
            bom: false,
            log_level: None,
        }
    }

    #[test]
    fn a_role_a_newer_daemon_added_says_so_and_how_to_read_it_anyway() {
        let newer = decode::<reformlog::Role>(&serde_json::json!("honorary_member"));
        let Err(Error::BadAnswer(text)) = newer else {
            panic!("{newer:?}");
        };
        assert!(
            text.contains("honorary_member") && text.contains("newer"),
            "{text}"
        );
        assert!(text.contains("-o json"), "{text}");
        let shape = decode::<reformlog::Role>(&serde_json::json!(7));
        let Err(Error::BadAnswer(text)) = shape else {
            panic!("{shape:?}");
        };
        assert!(text.contains("unexpected shape"), "{text}");
        assert_eq!(
            decode::<reformlog::Role>(&serde_json::json!("deputy_head")).unwrap(),
            reformlog::Role::DeputyHead
        );
    }

    #[test]
    fn json_is_an_alias_of_o_json_and_contradicting_it_is_a_usage_error() {
        let f = |json, asked| Output::resolve(&global(json), asked).map(|o| o.format);
        assert_eq!(f(false, None).unwrap(), Format::Table);
        assert_eq!(f(true, None).unwrap(), Format::Json);
        assert_eq!(f(true, Some(Format::Json)).unwrap(), Format::Json);
        assert_eq!(f(false, Some(Format::Yaml)).unwrap(), Format::Yaml);
        let err = f(true, Some(Format::Csv)).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    }

    #[test]
    fn yaml_and_field_rows_carry_the_whole_answer() {
        let v = serde_json::json!({"answer": {"name": "Cục Tin học hóa", "parent": null,
            "sub_units": [{"name": "Phòng 1"}]}, "position": 83});
        let o = Output {
            format: Format::Yaml,
            bom: false,
        };
        let mut out = Vec::new();
        assert!(emit(&mut out, &o, &v).unwrap());
        let back: Value = serde_norway::from_slice(&out).unwrap();
        assert_eq!(back, v);
        let mut csv = Vec::new();
        fields_csv(&mut csv, false, &v).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(
            text,
            "field,value\n/answer/name,Cục Tin học hóa\n/answer/parent,\n/answer/sub_units/0/name,Phòng 1\n/position,83\n"
        );
        let table = Output {
            format: Format::Table,
            bom: false,
        };
        assert!(!emit(&mut Vec::new(), &table, &v).unwrap());
    }
}
