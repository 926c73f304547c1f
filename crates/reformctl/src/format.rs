//! The output formats of the read commands (`-o table|json|yaml|csv`), and which format a
//! parsed command line asks for, so errors can be written as JSON when it is JSON.

use clap::{Args, ValueEnum};

use crate::cli::{Cli, Command, CommitteeCommand, DecisionCommand, UnitCommand};

/// How a read command writes its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns fitted to the terminal's width.
    Table,
    /// The daemon's JSON answer; errors as one JSON object on standard error.
    Json,
    /// The daemon's answer as YAML.
    Yaml,
    /// The table's rows as CSV (with --bom for spreadsheet programs).
    Csv,
}

/// `-o FORMAT` of a read command.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct OutputArgs {
    /// The output format (default table; --json is -o json).
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
}

impl Cli {
    /// The format a read command was asked to write (`-o`), if it takes one.
    pub fn format(&self) -> Option<Format> {
        match &self.command {
            Command::Committee {
                command: CommitteeCommand::Show { output, .. },
            }
            | Command::Unit {
                command: UnitCommand::Show { output, .. },
            }
            | Command::Decision {
                command: DecisionCommand::Show { output, .. },
            }
            | Command::History { output, .. }
            | Command::Diff { output, .. }
            | Command::Search { output, .. } => output.format,
            Command::Tasks(a) => a.output.format,
            Command::Report(a) => a.output.format,
            Command::Audit(a) => a.output.format,
            Command::Tail(a) => a.output.format,
            _ => None,
        }
    }

    /// Whether errors are written as JSON: `--json`, or `-o json`.
    pub fn wants_json(&self) -> bool {
        self.global.json || self.format() == Some(Format::Json)
    }
}
