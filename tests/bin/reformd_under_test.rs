//! The daemon as a child process for crash tests: exactly `reformd`, built inside the test crate
//! so the tests can find and SIGKILL it.

fn main() -> std::process::ExitCode {
    reformd::main_with_args()
}
