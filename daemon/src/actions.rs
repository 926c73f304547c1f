//! The command line's actions: serve until SIGINT/SIGTERM, or manage tokens.

use std::path::PathBuf;

use crate::cli::{Cli, CliCommand, ServeArgs, TokenCommand};
use crate::config::ServeConfig;
use crate::server::{init_tracing, run, App};

/// Errors of the command line, for `main` to print.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// An error and its causes on one line: "outer: inner: root".
pub fn describe_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        // thiserror's `transparent` and `#[error("...: {0}")]` often repeat the cause already.
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The whole `reformd` binary: the command line parsed and run, a failure reported on one
/// readable line with its whole cause chain (not a Debug dump).
pub fn main_with_args() -> std::process::ExitCode {
    match run_cli(<Cli as clap::Parser>::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reformd: {}", describe_error(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs what the command line asks for.
pub fn run_cli(cli: Cli) -> Result<(), CliError> {
    // Everything the daemon and its token commands create (the store's files, the token
    // file, backups) is for its owner only.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    match cli.command {
        Some(CliCommand::Token { command }) => token(command, &cli.serve),
        Some(CliCommand::Serve(args)) => serve(&args),
        None => serve(&cli.serve),
    }
}

/// The data folder a token command works on: its own `--data-dir`, else the one the daemon
/// would serve from (`reformd --data-dir D token …` or `REFORMD_DATA_DIR`, then the config
/// file's `data_dir`, then the default), so a token lands where the daemon looks for it.
/// Only `data_dir` is read from the file: a token command does not judge the serving options.
fn token_data_dir(own: Option<PathBuf>, serve: &ServeArgs) -> Result<PathBuf, CliError> {
    if let Some(dir) = own.or_else(|| serve.data_dir.clone()) {
        return Ok(dir);
    }
    if let Some(path) = &serve.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        match table.get("data_dir") {
            Some(toml::Value::String(dir)) => return Ok(PathBuf::from(dir)),
            Some(_) => return Err(format!("{}: data_dir must be a string", path.display()).into()),
            None => {}
        }
    }
    Ok(PathBuf::from(crate::config::DEFAULT_DATA_DIR))
}

fn token(command: TokenCommand, serve: &ServeArgs) -> Result<(), CliError> {
    match command {
        TokenCommand::Create {
            role,
            name,
            expires,
            data_dir,
        } => {
            let now = time::OffsetDateTime::now_utc();
            let expires = expires
                .map(|e| crate::tokens::parse_expiry(&e, now))
                .transpose()?;
            let data_dir = token_data_dir(data_dir, serve)?;
            let secret = crate::tokens::create_token_expiring(&data_dir, &name, role, expires)?;
            eprintln!("created token {name:?} with role {role}; it is shown only once:");
            println!("{secret}");
        }
        TokenCommand::List { data_dir } => {
            let data_dir = token_data_dir(data_dir, serve)?;
            println!("name\trole\tcreated\tstate\texpires\tlast used");
            for t in crate::tokens::list_tokens(&data_dir)? {
                let state = match (t.revoked, t.expired) {
                    (true, _) => "revoked",
                    (false, true) => "expired",
                    (false, false) => "active",
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.name,
                    t.role,
                    t.created_at,
                    state,
                    t.expires_at.as_deref().unwrap_or("never"),
                    t.last_used.as_deref().unwrap_or("never"),
                );
            }
        }
        TokenCommand::Revoke { name, data_dir } => {
            let data_dir = token_data_dir(data_dir, serve)?;
            crate::tokens::revoke_token(&data_dir, &name)?;
            eprintln!("revoked token {name:?}; the daemon refuses it from its next request");
        }
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let config = ServeConfig::resolve(args)?;
    init_tracing(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // Queries run on the blocking pool; tokio's default of 512 threads lets a burst of
        // clients grow memory (a stack and a malloc arena per thread) far past what two
        // cores can use. Past this many, requests queue.
        .max_blocking_threads(32)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let bind = config.bind;
        let data_dir = config.data_dir.clone();
        let app = tokio::task::spawn_blocking(move || App::open(config)).await??;
        let listener = tokio::net::TcpListener::bind(bind).await?;
        // Tests and supervisors read this line to learn the port when binding to port 0.
        println!("listening on http://{}", listener.local_addr()?);
        tracing::info!(address = %listener.local_addr()?, data_dir = %data_dir.display(), "reformd listening");
        run(listener, app, shutdown_signal()).await?;
        Ok(())
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
