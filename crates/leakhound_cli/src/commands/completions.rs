//! `leakhound completions SHELL`: a completion script for bash, zsh, fish, elvish or
//! PowerShell, generated from the same clap definitions the binary parses.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

#[derive(clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

pub fn run(args: Args) -> Result<u8> {
    let mut command = crate::Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "leakhound",
        &mut std::io::stdout().lock(),
    );
    Ok(crate::EXIT_CLEAN)
}
