//! The `cedu` command: parse the command line and hand over to the library.

fn main() -> std::process::ExitCode {
    cedu::cli::main()
}
