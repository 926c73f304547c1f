//! The `reformd` binary: parses the command line and hands it to the library.

fn main() -> std::process::ExitCode {
    reformd::main_with_args()
}
