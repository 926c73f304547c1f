//! reformctl: the command line an office clerk or a script uses instead of curl. It talks to a
//! running reformd over HTTP (import, committee composition, histories, diffs, tasks, audit,
//! search, the live feed, exports, verification) and handles a stopped store directly
//! (offline verification, backup, restore, and copying the log to and from PostgreSQL). `run` is the entry point; `main_entry` adds
//! argument parsing and exit codes for binaries.

mod answer;
mod backup;
mod batch;
mod cli;
mod client;
mod describe;
mod dry_run;
mod error;
mod export;
mod format;
mod import;
mod integrity;
mod kind;
mod lineage;
mod migrate;
mod popolo;
mod progress;
mod replay;
mod report;
mod resolve;
mod sheet;
mod show;
mod table;
mod tail;
mod task_progress;
mod tasks;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

pub use cli::{
    AuditArgs, BackupArgs, Cli, Command, CommitteeCommand, DecisionCommand, ExportArgs,
    ExportFormat, Format, GlobalArgs, ImportArgs, Kind, OutputArgs, RestoreArgs, SheetArgs,
    TailArgs, TasksArgs, TimeArgs, UnitCommand, VerifyArgs,
};
pub use client::{Client, Endpoint, WriteResult};
pub use error::{exit, Error};
pub use migrate::MigrateStoreArgs;
pub use popolo::{Document as PopoloDocument, DECISION_URN};
pub use table::{width as display_width, Table};

/// Runs one parsed command line, writing results to standard output.
pub fn run(cli: Cli) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(cli, &mut out)
}

/// Runs one parsed command line, writing results to `out` (messages and progress go to
/// standard error).
pub fn run_to(cli: Cli, out: &mut dyn Write) -> Result<(), Error> {
    let g = &cli.global;
    let progress = progress::Progress::new(g.quiet);
    let client = || Client::new(Endpoint::resolve(g)?);
    let o = |asked: &OutputArgs| answer::Output::resolve(g, asked.format);
    match &cli.command {
        Command::Import(args) => import::run(&client()?, out, args, g.json, &progress),
        Command::Committee {
            command:
                CommitteeCommand::Show {
                    committee,
                    time,
                    output,
                },
        } => show::committee_show(&client()?, out, committee, time, &o(output)?),
        Command::Unit {
            command: UnitCommand::Show { unit, time, output },
        } => lineage::unit_show(&client()?, out, unit, time, &o(output)?),
        Command::Decision {
            command:
                DecisionCommand::Show {
                    decision,
                    known_at,
                    output,
                },
        } => show::decision_show(&client()?, out, decision, known_at.as_deref(), &o(output)?),
        Command::History {
            person,
            known_at,
            output,
        } => show::history(&client()?, out, person, known_at.as_deref(), &o(output)?),
        Command::Diff {
            committee,
            from,
            to,
            known_at,
            output,
        } => show::diff(
            &client()?,
            out,
            committee,
            (from, to),
            known_at.as_deref(),
            &o(output)?,
        ),
        Command::Tasks(args) => tasks::run(&client()?, out, args, &o(&args.output)?),
        Command::Progress(args) => task_progress::run(&client()?, out, args, g.json),
        Command::Report(args) => report::run(&client()?, out, args, &o(&args.output)?),
        Command::Audit(args) => show::audit(&client()?, out, args, &o(&args.output)?),
        Command::Search { text, output } => show::search(&client()?, out, text, &o(output)?),
        Command::Tail(args) => {
            let output = o(&args.output)?;
            let streaming = Client::streaming(Endpoint::resolve(g)?)?;
            tail::run(&streaming, out, args, &output, &progress)
        }
        Command::Export(args) => match &args.output {
            None => export::run(&client()?, out, args, g.bom, &progress),
            Some(path) => {
                // Write beside the target and rename, so a failed export leaves no half file.
                let tmp = path.with_extension("partial");
                let file =
                    std::fs::File::create(&tmp).map_err(|e| Error::io("cannot write", &tmp, e))?;
                let mut w = std::io::BufWriter::new(file);
                export::run(&client()?, &mut w, args, g.bom, &progress)?;
                w.flush()?;
                drop(w);
                std::fs::rename(&tmp, path).map_err(|e| Error::io("cannot write", path, e))
            }
        },
        Command::Verify(args) => {
            // Checked before the store or the daemon is touched: a bad digest is a usage error.
            let kept = args
                .expect_head
                .as_deref()
                .map(integrity::expected_head)
                .transpose()?;
            match (args.offline, &args.data_dir) {
                (true, Some(dir)) => integrity::verify_offline(out, dir, kept.as_ref(), &progress),
                (true, None) => Err(Error::Usage("--offline needs --data-dir".into())),
                (false, _) => {
                    integrity::verify_online(&client()?, out, g.json, kept.as_ref(), &progress)
                }
            }
        }
        Command::Backup(args) => match (&args.name, &args.output, &args.data_dir) {
            (Some(name), _, _) => {
                // No overall timeout: a backup's length grows with the log.
                let streaming = Client::streaming(Endpoint::resolve(g)?)?;
                backup::backup_online(&streaming, out, name, g.json)
            }
            (None, Some(output), Some(dir)) => backup::backup(out, dir, output, &progress),
            (None, _, _) => Err(Error::Usage(
                "give --data-dir DIR -o BACKUP to back up a stopped store, or --name NAME to have the running daemon write one".into(),
            )),
        },
        Command::Restore(args) => backup::restore(out, &args.backup, &args.data_dir, &progress),
        Command::MigrateStore(args) => migrate::run(out, args, g.json, &progress),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "reformctl", out);
            Ok(())
        }
        Command::Man { out_dir } => man(out, out_dir.as_deref()),
    }
}

/// The man page (to `out`), or one page per command into a folder.
fn man(out: &mut dyn Write, dir: Option<&std::path::Path>) -> Result<(), Error> {
    let cmd = Cli::command();
    let Some(dir) = dir else {
        clap_mangen::Man::new(cmd).render(out)?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut pages = vec![(String::from("reformctl"), cmd.clone())];
    for sub in cmd.get_subcommands() {
        pages.push((format!("reformctl-{}", sub.get_name()), sub.clone()));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut file =
            std::fs::File::create(&path).map_err(|e| Error::io("cannot write", &path, e))?;
        clap_mangen::Man::new(page)
            .title(name.to_uppercase())
            .render(&mut file)?;
    }
    Ok(())
}

/// Parses the process's arguments, runs them, prints any error as one line on standard error,
/// and returns the documented exit code.
pub fn main_entry() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && asks_for_json(std::env::args_os().skip(1)) => {
            // clap's first line says what is wrong; the rest is usage help for people.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            let usage = Error::Usage(first.trim_start_matches("error: ").to_owned());
            eprintln!("{}", usage.to_json());
            return ExitCode::from(exit::USAGE);
        }
        Err(e) => {
            // Help and version are successes; everything else is a usage error (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let json = cli.wants_json();
    init_logging(cli.global.log_level.as_deref());
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early (`| head`) is not a failure of the command.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                eprintln!("{}", e.to_json());
            } else {
                eprintln!("reformctl: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// Logs on standard error: `--log-level` when given, else `RUST_LOG`, else warnings only.
/// A `RUST_LOG` that is not a filter is said once and otherwise ignored.
fn init_logging(level: Option<&str>) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => match std::env::var("RUST_LOG") {
            Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(&text).unwrap_or_else(|e| {
                eprintln!(
                    "reformctl: RUST_LOG={text:?} is not a log filter ({e}); logging warnings only"
                );
                EnvFilter::new("warn")
            }),
            _ => EnvFilter::new("warn"),
        },
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Whether a command line clap could not parse still asks for JSON (`--json`, `-o json`,
/// `--output json`), so a script gets its usage error as JSON too.
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().enumerate().any(|(i, a)| {
        let next_is_json = args.get(i + 1).is_some_and(|n| n == "json");
        a == "--json"
            || a == "-ojson"
            || a == "--output=json"
            || ((a == "-o" || a == "--output") && next_is_json)
    })
}
