//! The `reformd` binary: parses the command line and hands it to the library.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    reformd::run_cli(reformd::Cli::parse()).map_err(anyhow::Error::from_boxed)
}
