//! The `hearth` binary: parse the command line and hand off.

use clap::Parser;

fn main() -> std::process::ExitCode {
    hearth::cli::run(hearth::cli::Cli::parse())
}
