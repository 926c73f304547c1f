//! The one error type of reformctl, and the exit code each kind of failure maps to.

use std::path::PathBuf;

/// Exit codes, documented in `reformctl --help` and the README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Anything not listed below (I/O on local files, unexpected answers).
    pub const FAILURE: u8 = 1;
    /// The command line itself is wrong (clap also uses 2).
    pub const USAGE: u8 = 2;
    /// An input file is invalid; nothing was sent.
    pub const INVALID_INPUT: u8 = 3;
    /// The daemon refused the request (4xx: bad request, no permission, rule violation).
    pub const REFUSED: u8 = 4;
    /// The daemon could not be reached, or failed (5xx); or a PostgreSQL database could not
    /// be reached, or failed.
    pub const UNAVAILABLE: u8 = 5;
    /// Integrity: verification found a break (or corruption that keeps the store from
    /// opening), the log does not extend a kept head digest, or a restored store does not
    /// match its backup.
    pub const INTEGRITY: u8 = 6;
    /// The store is in use (a running daemon holds it), so an offline command cannot open it.
    pub const STORE_BUSY: u8 = 7;
}

/// Why a reformctl command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The daemon answered with an RFC 9457 problem (or another non-success status).
    #[error("the daemon refused the request ({status} {code}): {detail}")]
    Refused {
        status: u16,
        code: String,
        detail: String,
        /// The index of the command of the write the refusal is about, when it names one.
        change: Option<usize>,
    },
    /// The daemon asks for a token and none was sent (its 401 challenge names no error).
    #[error("no token was sent and the daemon needs one ({status} {code}): give --token, set REFORMCTL_TOKEN, or put `token` or `token_file` in the config file (`reformd token create` makes one)")]
    TokenMissing { status: u16, code: String },
    /// The daemon refused the token that was sent (`error="invalid_token"`: mistyped,
    /// revoked, expired, or another daemon's).
    #[error("the daemon refused the token ({status} {code}): {detail}")]
    TokenRefused {
        status: u16,
        code: String,
        detail: String,
    },
    /// The daemon answered 5xx.
    #[error("the daemon failed ({status} {code}): {detail}")]
    ServerFailed {
        status: u16,
        code: String,
        detail: String,
    },
    /// No connection to the daemon.
    #[error("cannot reach the daemon at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The daemon answered something this build does not understand.
    #[error("unexpected answer from the daemon: {0}")]
    BadAnswer(String),
    /// An input file is invalid.
    #[error("{file}: {reason}")]
    InvalidInput { file: String, reason: String },
    /// A name or id given on the command line does not pick exactly one entity.
    #[error("{0}")]
    NotFound(String),
    /// The command line is inconsistent in a way clap cannot express.
    #[error("{0}")]
    Usage(String),
    /// The configuration file is unreadable or invalid.
    #[error("configuration {path}: {reason}")]
    Config { path: PathBuf, reason: String },
    /// A local file or folder could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The store could not be opened or read.
    #[error("store {path}: {reason}")]
    Store { path: PathBuf, reason: String },
    /// A PostgreSQL database could not be reached or failed (the URL is named without its
    /// password).
    #[error("database {target}: {reason}")]
    Database { target: String, reason: String },
    /// Another process (a running reformd) holds the store.
    #[error("store {0} is in use (is reformd running on it? stop it, or use the online command)")]
    StoreBusy(PathBuf),
    /// Verification found a break or a log that does not extend a kept digest, or a restore
    /// does not reproduce its backup.
    #[error("{0}")]
    Integrity(String),
    /// Writing to standard output failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused { .. }
            | Error::TokenMissing { .. }
            | Error::TokenRefused { .. }
            | Error::NotFound(_) => exit::REFUSED,
            Error::ServerFailed { .. } | Error::Unreachable { .. } | Error::Database { .. } => {
                exit::UNAVAILABLE
            }
            Error::InvalidInput { .. } => exit::INVALID_INPUT,
            Error::Usage(_) | Error::Config { .. } => exit::USAGE,
            Error::StoreBusy(_) => exit::STORE_BUSY,
            Error::Integrity(_) => exit::INTEGRITY,
            Error::BadAnswer(_) | Error::Io { .. } | Error::Store { .. } | Error::Output(_) => {
                exit::FAILURE
            }
        }
    }

    /// A stable name for this kind of failure: the daemon's problem code when the daemon
    /// refused or failed, else reformctl's own (`not-found`, `usage`, `unreachable`, ...).
    pub fn code(&self) -> &str {
        match self {
            Error::Refused { code, .. }
            | Error::ServerFailed { code, .. }
            | Error::TokenMissing { code, .. }
            | Error::TokenRefused { code, .. } => code,
            Error::Unreachable { .. } => "unreachable",
            Error::BadAnswer(_) => "bad-answer",
            Error::InvalidInput { .. } => "invalid-input",
            Error::NotFound(_) => "not-found",
            Error::Usage(_) => "usage",
            Error::Config { .. } => "config",
            Error::Io { .. } => "io",
            Error::Store { .. } => "store",
            Error::Database { .. } => "database",
            Error::StoreBusy(_) => "store-busy",
            Error::Integrity(_) => "integrity",
            Error::Output(_) => "output",
        }
    }

    /// The HTTP status the daemon answered with, when the failure is its answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Refused { status, .. }
            | Error::ServerFailed { status, .. }
            | Error::TokenMissing { status, .. }
            | Error::TokenRefused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error as the one JSON object `-o json` writes on standard error:
    /// `{"error": {"code", "message", "status"}}`, `status` null when no daemon answered.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"error": {
            "code": self.code(),
            "message": self.to_string(),
            "status": self.status(),
        }})
    }

    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            what,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn input(file: impl Into<String>, reason: impl ToString) -> Self {
        Error::InvalidInput {
            file: file.into(),
            reason: reason.to_string(),
        }
    }
}
