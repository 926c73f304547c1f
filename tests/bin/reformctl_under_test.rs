//! reformctl as a child process for the end-to-end tests: exactly the `reformctl` binary,
//! built inside the test crate so the tests can find it.

fn main() -> std::process::ExitCode {
    reformctl::main_entry()
}
