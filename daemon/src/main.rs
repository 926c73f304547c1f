//! The `reformd` binary: parses the command line and hands it to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    match reformd::run_cli(reformd::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One readable line with the whole cause chain, not a Debug dump.
            eprintln!("reformd: {}", reformd::describe_error(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}
