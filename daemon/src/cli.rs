//! The command line as clap reads it: subcommands, serving flags and their environment
//! variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Deserialize;

use crate::role::Role;

/// The reformlog daemon.
#[derive(Debug, Parser)]
#[command(
    name = "reformd",
    version,
    about = "Serves reform-committee state, history and audit over HTTP"
)]
pub struct Cli {
    /// What to do; without a subcommand the daemon serves.
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Serving options (also accepted without the `serve` subcommand).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
// Parsed once at start and moved once: the size of the serving variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum CliCommand {
    /// Serve HTTP (the default).
    Serve(ServeArgs),
    /// Manage API tokens (works while the daemon runs; it reloads the token file).
    Token {
        /// The token action.
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// Token administration.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret once.
    Create {
        /// Its role.
        #[arg(long, value_enum)]
        role: Role,
        /// A unique name; recorded as the actor `token:<name>` on every change it makes.
        #[arg(long)]
        name: String,
        /// When the token stops being accepted: a date (valid through that day, UTC), an
        /// RFC 3339 time, or a duration such as 90d, 12h or 30m. Never, when left out.
        #[arg(long, value_name = "DATE|TIME|DURATION")]
        expires: Option<String>,
        /// The data folder; else `reformd --data-dir`, `REFORMD_DATA_DIR` or the config file's
        /// `data_dir`, as the daemon would serve it.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// List tokens: name, role, created, state (active, revoked, expired), expiry and last
    /// use (as the daemon last recorded it; never the secret).
    List {
        /// The data folder; else `reformd --data-dir`, `REFORMD_DATA_DIR` or the config file's
        /// `data_dir`, as the daemon would serve it.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        #[arg(long)]
        name: String,
        /// The data folder; else `reformd --data-dir`, `REFORMD_DATA_DIR` or the config file's
        /// `data_dir`, as the daemon would serve it.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Serving options as given on the command line or in the environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// A TOML file with any of the options below (snake_case keys).
    #[arg(long, env = "REFORMD_CONFIG")]
    pub config: Option<PathBuf>,
    /// The data folder (created on first start). Default: ./reformd-data
    #[arg(long, env = "REFORMD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on. Default: 127.0.0.1:8080
    #[arg(long, env = "REFORMD_BIND")]
    pub bind: Option<SocketAddr>,
    /// Load the seed case (Decision 34/QĐ-BTTTT) into the store once, if it is not there yet.
    #[arg(long, env = "REFORMD_DEMO")]
    pub demo: bool,
    /// Allow reads of state without a token.
    #[arg(long, env = "REFORMD_ANONYMOUS_READS")]
    pub anonymous_reads: bool,
    /// Log format.
    #[arg(long, env = "REFORMD_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Largest request body in bytes. Default: 1 MiB
    #[arg(long, env = "REFORMD_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Longest a request may take, in seconds (not the live feed). Default: 30
    #[arg(long, env = "REFORMD_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// sled page cache in MiB. Default: 32
    #[arg(long, env = "REFORMD_CACHE_MB")]
    pub cache_mb: Option<u64>,
    /// The IANA time zone in which a plain date means a day: `known_at=YYYY-MM-DD` is the end
    /// of that day, an audit range's dates its start and end, and "today" the default `on`.
    /// Default: Asia/Ho_Chi_Minh
    #[arg(long, env = "REFORMD_TIME_ZONE")]
    pub time_zone: Option<String>,
    /// How many days after today a change may take effect; a write dated later (a task
    /// "completed" years ahead) is refused. Default: 366
    #[arg(long, env = "REFORMD_MAX_FUTURE_DAYS")]
    pub max_future_days: Option<u32>,
    /// Connections served at once; one more is answered 503 `too-many-connections` and
    /// closed. Keep it below the process's open-file limit. Default: 512
    #[arg(long, env = "REFORMD_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a connection has to deliver a request's headers, from its opening or from the
    /// previous response; an idle kept-alive connection is closed after as long. Default: 15
    #[arg(long, env = "REFORMD_HEADER_READ_TIMEOUT_SECS")]
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds a request has to deliver its whole body; slower is answered 408. Default: 20
    #[arg(long, env = "REFORMD_BODY_READ_TIMEOUT_SECS")]
    pub body_read_timeout_secs: Option<u64>,
    /// Where online backups (`POST /v1/backup`, `reformctl backup --name`) are written, one
    /// folder each; best on another disk. Default: the data folder's `backups`
    #[arg(long, env = "REFORMD_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Keep the log's head digest in this file too, best on another disk: rewritten durably
    /// after each write, and checked at start, which refuses a store that does not extend it
    /// (rolled back, truncated or rewritten outside the daemon, e.g. an older copy of the data
    /// folder put back). Its folder must exist; a missing file is written at start.
    #[arg(long, env = "REFORMD_ANCHOR_FILE")]
    pub anchor_file: Option<PathBuf>,
    /// An origin (`https://host[:port]`) whose web pages may call the API from a browser;
    /// repeat it, or separate several by commas. Default: none (no cross-origin access)
    #[arg(
        long = "cors-origin",
        env = "REFORMD_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
}
