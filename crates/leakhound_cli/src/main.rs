//! The `leakhound` binary: command-line definitions and glue. The work happens in the library
//! crates; each subcommand lives in its own module under `commands/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
// `check` reads leakhound.toml through the crate it shares with the language server.
use leakhound_config as config;

// The parser allocates a tree per file from many threads; glibc's malloc was a third of the
// parse time in profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
mod discover;
mod fixing;
mod gomod_lookup;
mod newcode;

/// Find goroutine, timer, context and lock leaks in Go services: in the source before they ship,
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
    /// Run the language server (LSP over stdio) for editors.
    Server(commands::server::Args),
    /// Serve Prometheus metrics about goroutine profiles: `/probe?target=HOST:PORT`, `/metrics`.
    Exporter(commands::exporter::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::Args),
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
        Command::Server(args) => commands::server::run(args),
        Command::Exporter(args) => commands::exporter::run(args),
        Command::Completions(args) => commands::completions::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`leakhound check | head -1`): nothing is wrong, stop quietly.
        Err(err)
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(EXIT_CLEAN)
        }
        Err(err) => {
            eprintln!("leakhound: error: {}", for_terminal(&format!("{err:#}")));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Text from files and file names, made safe to print: control characters (a terminal escape
/// sequence in a go.mod or a file name) are shown escaped instead of acting on the terminal.
pub fn for_terminal(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::for_terminal("go.mod: bad \u{1b}[31mred\u{7}\r"),
            "go.mod: bad \\u{1b}[31mred\\u{7}\\r"
        );
    }
}
