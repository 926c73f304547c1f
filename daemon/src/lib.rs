//! reformd: one tokio process that owns a reformlog store and serves state, history and audit
//! over HTTP. `run(listener, app, shutdown)` is the entry point; tests bind `127.0.0.1:0`.

// Every public item is documented; CI's warnings-as-errors keeps it so.
#![warn(missing_docs)]

mod actions;
mod answer_cache;
mod auth;
mod backup;
mod body_deadline;
mod cli;
mod codings;
mod conditional;
mod config;
mod cors;
mod demo;
mod extract;
mod gate;
mod listen;
mod metrics;
mod naming;
mod problem;
mod role;
mod routes;
mod server;
mod state;
mod timeout;
mod tokens;
mod views;
mod web;
mod zone;

pub use actions::{describe_error, main_with_args, run_cli, CliError};
pub use cli::{Cli, CliCommand, LogFormat, ServeArgs, TokenCommand};
pub use config::ServeConfig;
pub use problem::ApiError;
pub use role::Role;
pub use server::{init_tracing, openapi_json, run, App, StartError};
pub use tokens::{
    create_private_dir, create_token, create_token_expiring, list_tokens, parse_expiry,
    revoke_token, TokenError, TokenInfo, TOKEN_FILE,
};
pub use zone::{Zone, ZoneError, DEFAULT_TIME_ZONE};
