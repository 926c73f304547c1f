//! The daemon as a child process for crash tests: exactly `reformd`, built inside the test crate
//! so the tests can find and SIGKILL it.

use clap::Parser;

fn main() -> Result<(), reformd::CliError> {
    reformd::run_cli(reformd::Cli::parse())
}
