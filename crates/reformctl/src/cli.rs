//! The command line as clap definitions: every command, flag and environment variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::format::{Format, OutputArgs};
use crate::kind::kind_values;
pub(crate) use crate::kind::plural;
pub use crate::kind::Kind;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other failure (local files, unexpected answers)
  2  usage error, or an invalid configuration file
  3  an input file is invalid (nothing was sent)
  4  the daemon refused the request (4xx), or a name matched nothing
  5  the daemon (or a PostgreSQL database) cannot be reached, or it failed (5xx)
  6  integrity: verify found a break or the log does not extend --expect-head, a
     restore does not match its backup, or a migration target holds another log
  7  the store is in use by a running daemon (offline commands)

The daemon's URL and token come from --url/--token, else REFORMCTL_URL/REFORMCTL_TOKEN, else
the config file (--config, REFORMCTL_CONFIG, or ~/.config/reformctl/config.toml) with keys
`url`, `token` or `token_file`. The default URL is http://127.0.0.1:8080.

Logging goes to standard error: --log-level LEVEL (off, error, warn, info, debug, trace), else
RUST_LOG (a tracing filter such as `reformctl=debug`), else warn. --log-level wins over
RUST_LOG, as flags win over the environment everywhere else.";

/// The reformlog command line: talks to a running reformd over HTTP, and handles a stopped
/// store offline (verify, backup, restore).
#[derive(Debug, Parser)]
#[command(name = "reformctl", version, about, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// Connection and output options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The daemon's base URL, e.g. http://127.0.0.1:8080.
    #[arg(long, global = true, env = "REFORMCTL_URL")]
    pub url: Option<String>,
    /// The bearer token (`reformd token create` prints one).
    #[arg(long, global = true, env = "REFORMCTL_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A TOML file with `url` and `token` (or `token_file`).
    #[arg(long, global = true, env = "REFORMCTL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the daemon's JSON answer instead of a table (for scripts), and errors as one
    /// JSON object on standard error; the same as `-o json` on the read commands.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars or informational messages on standard error.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Start CSV output with the UTF-8 byte-order mark, without which some spreadsheet
    /// programs read Vietnamese text in the system's legacy code page (-o csv, --csv, export
    /// memberships).
    #[arg(long, global = true)]
    pub bom: bool,
    /// How much reformctl logs on standard error (each request to the daemon at debug).
    /// Given, it wins over RUST_LOG; without either, warn.
    #[arg(long, global = true, value_name = "LEVEL", value_parser = ["off", "error", "warn", "info", "debug", "trace"])]
    pub log_level: Option<String>,
}

/// The time coordinates of a read.
#[derive(Debug, Clone, Default, Args)]
pub struct TimeArgs {
    /// The valid date asked about (YYYY-MM-DD); default today in the daemon's time zone.
    #[arg(long)]
    pub on: Option<String>,
    /// As the system knew it at this log position, RFC 3339 time, or date (YYYY-MM-DD: the
    /// end of that day in the daemon's time zone, by default Asia/Ho_Chi_Minh); default now.
    #[arg(long, value_name = "POSITION|TIME|DATE")]
    pub known_at: Option<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import decisions, units, people, posts, committees and tasks (TOML or JSON in the seed
    /// format), Popolo JSON, and a plan's tasks from a spreadsheet (CSV, XLSX); one decision
    /// with its changes is one atomic write, and re-running the same import changes nothing.
    Import(ImportArgs),
    /// Committees: composition on a date.
    Committee {
        /// The committee action.
        #[command(subcommand)]
        command: CommitteeCommand,
    },
    /// Units: one on a date, with its parent, sub-units, successor and predecessors.
    Unit {
        /// The unit action.
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// Decisions: what one changed.
    Decision {
        /// The decision action.
        #[command(subcommand)]
        command: DecisionCommand,
    },
    /// A person's committee seats (memberships, and seats held ex officio through a post) and
    /// positions over time.
    History {
        /// The person: UUID, slug or name.
        person: String,
        /// As known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
        /// that day in the daemon's time zone).
        #[arg(long, value_name = "POSITION|TIME|DATE")]
        known_at: Option<String>,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Who stayed, changed place, left or joined a committee between two dates.
    Diff {
        /// The committee: UUID, slug or name.
        committee: String,
        /// The earlier date (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// The later date (YYYY-MM-DD).
        #[arg(long)]
        to: String,
        /// As known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
        /// that day in the daemon's time zone).
        #[arg(long, value_name = "POSITION|TIME|DATE")]
        known_at: Option<String>,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Reform tasks of a unit, of a plan, or overdue on a date.
    Tasks(TasksArgs),
    /// Report a task's progress on a date, citing an evidence document (its number, title,
    /// link, and the SHA-256 of a file given with --evidence-file, hashed here: the file is not
    /// sent); the same report sent again is recorded once.
    Progress(ProgressArgs),
    /// The task report on a date: counts by standing, the completion rate, each task with its
    /// completion date and days late; for a plan, a unit, or everything.
    Report(ReportArgs),
    /// The audit trail: every change to one entity, or every change by one actor; optionally
    /// only those recorded in a time range (--recorded-from/--recorded-to) or about valid
    /// dates in a range (--valid-from/--valid-to) (auditor or admin token).
    Audit(AuditArgs),
    /// Find people, units, posts and committees by name (case- and diacritic-insensitive).
    Search {
        /// The name or part of it, e.g. "pham minh tien".
        text: String,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Follow the live event feed; resumes after a disconnect without gaps or repeats.
    Tail(TailArgs),
    /// Export the log (JSON Lines), memberships (CSV) or Popolo JSON.
    Export(ExportArgs),
    /// Verify the hash chain: through the daemon (admin token), or offline on a stopped store.
    Verify(VerifyArgs),
    /// Back up a stopped store into a folder (checked before it reports success).
    Backup(BackupArgs),
    /// Restore a backup into an empty data folder, then check it verifies with the same head.
    Restore(RestoreArgs),
    /// Copy the log between a stopped sled store and PostgreSQL, either way, commit for
    /// commit, then check the copy's chain and head digest; a copy that stopped is continued.
    MigrateStore(crate::migrate::MigrateStoreArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into a folder.
    Man {
        /// Write reformctl.1 and reformctl-COMMAND.1 here instead of printing.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

/// `reformctl import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import, in order: `.toml` or `.json` in the seed format, Popolo `.json`, a
    /// log export, or a plan's tasks as a spreadsheet (`.csv`, `.xlsx`) after the seed files
    /// that define its plan, units and people.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The plan of a spreadsheet's tasks (a decision the files before it record: slug,
    /// number such as 1234/KH-BTTTT, or UUID); not needed when they record only one plan, or
    /// when the sheet has a "Kế hoạch" (plan) column.
    #[arg(long)]
    pub plan: Option<String>,
    /// The worksheet to read in an XLSX workbook; needed only when several hold a task table.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Popolo files only: the decision their committees, seats and memberships cite when
    /// they cite none: one of the file's events, by its number (34/QĐ-BTTTT) or id, or the
    /// UUID of a decision an earlier file of the import records.
    #[arg(long, value_name = "DECISION")]
    pub cite: Option<String>,
    /// Print what would change, as a diff against the daemon's state, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The reason recorded on every event (part of the idempotency key).
    #[arg(long, default_value = "import")]
    pub reason: String,
}

/// `reformctl committee ...`.
#[derive(Debug, Subcommand)]
pub enum CommitteeCommand {
    /// Who sat on the committee (and its sub-bodies) on a date.
    Show {
        /// The committee: UUID, slug or name.
        committee: String,
        /// Date and knowledge time.
        #[command(flatten)]
        time: TimeArgs,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `reformctl unit ...`.
#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// The unit on a date: name, status, parent, sub-units, successor, predecessors.
    Show {
        /// The unit: UUID, slug or name.
        unit: String,
        /// Date and knowledge time.
        #[command(flatten)]
        time: TimeArgs,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `reformctl decision ...`.
#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// The decision's record and every change it made.
    Show {
        /// The decision: UUID, slug or number (e.g. 34/QĐ-BTTTT).
        decision: String,
        /// As known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of
        /// that day in the daemon's time zone).
        #[arg(long, value_name = "POSITION|TIME|DATE")]
        known_at: Option<String>,
        /// Output format.
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `reformctl tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Tasks a unit leads or cooperates on (UUID, slug or name).
    #[arg(long)]
    pub unit: Option<String>,
    /// With --unit: only those it leads (lead) or cooperates on (cooperate).
    #[arg(long, requires = "unit", value_parser = ["lead", "cooperate"])]
    pub role: Option<String>,
    /// Tasks of a plan (a decision: UUID, slug or number).
    #[arg(long)]
    pub plan: Option<String>,
    /// Tasks past their deadline and not completed.
    #[arg(long)]
    pub overdue: bool,
    /// Only tasks in this status.
    #[arg(long, value_parser = ["open", "completed", "cancelled"])]
    pub status: Option<String>,
    /// Only tasks this person is responsible for (UUID, slug or name).
    #[arg(long)]
    pub responsible: Option<String>,
    /// Only tasks whose deadline is on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub deadline_from: Option<String>,
    /// Only tasks whose deadline is on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub deadline_to: Option<String>,
    /// Only open tasks due within this many days of --on.
    #[arg(long)]
    pub due_within: Option<u32>,
    /// Spreadsheet output instead of a table.
    #[command(flatten)]
    pub sheet: SheetArgs,
    /// Date and knowledge time.
    #[command(flatten)]
    pub time: TimeArgs,
    /// Output format.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Output for spreadsheets, shared by listings and reports.
#[derive(Debug, Clone, Default, Args)]
pub struct SheetArgs {
    /// Write CSV (UTF-8) instead of a table: the same as `-o csv`.
    #[arg(long, conflicts_with_all = ["xlsx", "format"])]
    pub csv: bool,
    /// No byte-order mark, which is what CSV is without --bom: this flag changes nothing and
    /// is kept so scripts written when the mark was the default still run.
    #[arg(long, hide = true)]
    pub no_bom: bool,
    /// Write an XLSX workbook to this file instead of a table (dates as date cells).
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    pub xlsx: Option<PathBuf>,
}

/// `reformctl progress`.
#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// The task: UUID, slug or title.
    pub task: String,
    /// How far the task is, 0 to 100.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub percent: u8,
    /// The date the report speaks for (YYYY-MM-DD).
    #[arg(long)]
    pub on: String,
    /// What was done.
    #[arg(long, default_value = "")]
    pub note: String,
    /// The decision that ordered the change (UUID, slug or number), if one did.
    #[arg(long)]
    pub decision: Option<String>,
    /// Evidence as free text, e.g. "công văn số 1".
    #[arg(long)]
    pub evidence_note: Option<String>,
    /// The evidence document's number, e.g. 123/BC-BTTTT.
    #[arg(long)]
    pub evidence_number: Option<String>,
    /// The evidence document's title.
    #[arg(long)]
    pub evidence_title: Option<String>,
    /// Where the evidence document can be read (an http or https URL).
    #[arg(long)]
    pub evidence_link: Option<String>,
    /// The evidence document's file: its SHA-256 is computed here and sent; the file is not.
    #[arg(long, value_name = "FILE")]
    pub evidence_file: Option<PathBuf>,
    /// The reason recorded on the event.
    #[arg(long, default_value = "progress report")]
    pub reason: String,
}

/// `reformctl report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only the tasks of this plan (a decision: UUID, slug or number).
    #[arg(long, conflicts_with = "unit")]
    pub plan: Option<String>,
    /// Only the tasks this unit leads (UUID, slug or name).
    #[arg(long)]
    pub unit: Option<String>,
    /// Only the tasks due from this date (YYYY-MM-DD) to --on: the report over a period.
    #[arg(long)]
    pub from: Option<String>,
    /// Spreadsheet output instead of a table.
    #[command(flatten)]
    pub sheet: SheetArgs,
    /// Date and knowledge time.
    #[command(flatten)]
    pub time: TimeArgs,
    /// Output format.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `reformctl audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The kind of entity whose history to show (with --entity).
    #[arg(long, value_parser = kind_values(), requires = "entity")]
    pub kind: Option<Kind>,
    /// The entity: UUID, slug or name.
    #[arg(long, requires = "kind", conflicts_with = "actor")]
    pub entity: Option<String>,
    /// The actor, e.g. token:van-phong.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only changes recorded at or after this time (when the system learned of them): RFC
    /// 3339, or YYYY-MM-DD for the start of that day in the daemon's time zone.
    #[arg(long, alias = "from", value_name = "TIME|DATE")]
    pub recorded_from: Option<String>,
    /// Only changes recorded at or before this time: RFC 3339, or YYYY-MM-DD for the end of
    /// that day in the daemon's time zone.
    #[arg(long, alias = "to", value_name = "TIME|DATE")]
    pub recorded_to: Option<String>,
    /// Only changes whose valid date (the day the change is true from in the world) is on or
    /// after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Only changes whose valid date is on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub valid_to: Option<String>,
    /// As known at this log position, RFC 3339 time, or date (YYYY-MM-DD: the end of that
    /// day in the daemon's time zone), with --entity.
    #[arg(long, value_name = "POSITION|TIME|DATE", conflicts_with = "actor")]
    pub known_at: Option<String>,
    /// Output format.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `reformctl tail`.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// First position to show; default: only events appended from now on.
    #[arg(long)]
    pub from: Option<u64>,
    /// Keep the last position seen in this file, and resume after it when it exists.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Comma-separated stream categories to keep (unit, person, post, committee, decision, task);
    /// `task` alone is open to every token that reads state, the rest needs an auditor token.
    #[arg(long)]
    pub categories: Option<String>,
    /// Comma-separated event types to keep.
    #[arg(long)]
    pub types: Option<String>,
    /// Stop once the feed has caught up with the log instead of following it.
    #[arg(long)]
    pub until_caught_up: bool,
    /// Output format: a line per event, JSON Lines, a YAML document per event, or CSV rows.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The whole log, one event per line (JSON Lines), with hashes (auditor or admin token).
    Log,
    /// Every committee membership over time, as CSV.
    Memberships,
    /// Persons, organizations, posts and memberships as Popolo JSON (plus decisions as events).
    Popolo,
}

/// `reformctl export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub format: ExportFormat,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The date whose names the export uses (default: the latest names).
    #[arg(long)]
    pub on: Option<String>,
}

/// `reformctl verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verify a stopped store directly instead of asking the daemon.
    #[arg(long, requires = "data_dir")]
    pub offline: bool,
    /// The daemon's data folder (the store is its `store` subfolder).
    #[arg(long, env = "REFORMD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Also check that the log still extends a head digest kept earlier: `POSITION:HEX64`
    /// (the position of the then last record and its hash), or a file whose first non-empty
    /// line holds one (`POSITION:HEX64` or `POSITION HEX64`). A log rewritten or cut back
    /// below it is an integrity failure (exit 6).
    #[arg(long, value_name = "DIGEST|FILE")]
    pub expect_head: Option<String>,
}

/// `reformctl backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Back up the running daemon instead (admin token): it writes a backup of this name into
    /// its backup folder (`reformd --backup-dir`) at one commit while writes go on, verifies
    /// it, and answers with its path and head digest.
    #[arg(long, conflicts_with = "output")]
    pub name: Option<String>,
    /// The stopped daemon's data folder.
    #[arg(long, env = "REFORMD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The backup folder to create from a stopped store (must not exist yet).
    #[arg(long, short, required_unless_present = "name")]
    pub output: Option<PathBuf>,
}

/// `reformctl restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup folder made by `reformctl backup`.
    pub backup: PathBuf,
    /// The data folder to restore into; its `store` subfolder must not exist or be empty.
    #[arg(long, env = "REFORMD_DATA_DIR")]
    pub data_dir: PathBuf,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::CommandFactory;

    fn audit(args: &[&str]) -> Result<AuditArgs, clap::Error> {
        let mut argv = vec!["reformctl", "audit"];
        argv.extend(args);
        match Cli::try_parse_from(argv)?.command {
            Command::Audit(a) => Ok(a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn audit_names_recorded_time_and_valid_time_apart() {
        let a = audit(&[
            "--actor",
            "token:van-phong",
            "--recorded-from",
            "2026-01-01",
            "--recorded-to",
            "2026-12-31T23:59:59Z",
            "--valid-from",
            "2022-01-01",
            "--valid-to",
            "2022-12-31",
        ])
        .unwrap();
        assert_eq!(a.recorded_from.as_deref(), Some("2026-01-01"));
        assert_eq!(a.recorded_to.as_deref(), Some("2026-12-31T23:59:59Z"));
        assert_eq!(a.valid_from.as_deref(), Some("2022-01-01"));
        assert_eq!(a.valid_to.as_deref(), Some("2022-12-31"));
        // An actor alone is enough now; an entity takes the same ranges.
        assert!(audit(&["--actor", "token:van-phong"]).is_ok());
        let e = audit(&[
            "--kind",
            "person",
            "--entity",
            "pham-minh-tien",
            "--valid-from",
            "2022-01-01",
        ])
        .unwrap();
        assert_eq!(e.valid_from.as_deref(), Some("2022-01-01"));
        // known_at is about an entity's trail, not an actor's changes.
        assert!(audit(&["--actor", "x", "--known-at", "2022-01-20"]).is_err());
    }

    #[test]
    fn audit_keeps_from_and_to_as_hidden_names_of_the_recorded_range() {
        let a = audit(&["--actor", "x", "--from", "2022-01-01", "--to", "2022-12-31"]).unwrap();
        assert_eq!(a.recorded_from.as_deref(), Some("2022-01-01"));
        assert_eq!(a.recorded_to.as_deref(), Some("2022-12-31"));
        let mut cli = Cli::command();
        let help = cli
            .find_subcommand_mut("audit")
            .unwrap()
            .render_long_help()
            .to_string();
        for shown in [
            "--recorded-from",
            "--recorded-to",
            "--valid-from",
            "--valid-to",
        ] {
            assert!(help.contains(shown), "{help}");
        }
        assert!(
            !help.contains("--from ") && !help.contains("--to "),
            "{help}"
        );
    }
}
