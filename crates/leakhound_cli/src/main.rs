//! The `leakhound` binary: command-line definitions and glue. The work happens in the library
//! crates; each subcommand lives in its own module under `commands/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The parser allocates a tree per file from many threads; glibc's malloc was a third of the
// parse time in profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
mod config;
mod discover;
mod fixing;
mod gomod_lookup;

/// Find goroutine, timer and context leaks in Go services: in the source before they ship,
/// and in goroutine profiles once they have.
#[derive(Parser)]
#[command(name = "leakhound", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Go source for leak patterns (default path: `.`; `./...` works too).
    Check(commands::check::Args),
    /// Print the documentation of one rule, or of all rules.
    Rule(commands::rule::Args),
    /// Read goroutine profiles or dumps, group stacks and rank leak suspects.
    Profile(commands::profile::Args),
    /// Compare two goroutine profiles of the same process.
    Diff(commands::diff::Args),
    /// Sample live pprof endpoints (replicas of one service) and report stacks that keep growing.
    Watch(commands::watch::Args),
}

/// Exit status shared by every subcommand: 0 clean, 1 findings, 2 usage or I/O error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Rule(args) => commands::rule::run(args),
        Command::Profile(args) => commands::profile::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Watch(args) => commands::watch::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("leakhound: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
