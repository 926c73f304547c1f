//! The daemon as a child process for crash tests: exactly `reformd`, built inside the test crate
//! so the tests can find and SIGKILL it.

use clap::Parser;

fn main() -> std::process::ExitCode {
    match reformd::run_cli(reformd::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reformd: {}", reformd::describe_error(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}
