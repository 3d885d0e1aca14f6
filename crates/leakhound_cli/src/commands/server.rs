//! `leakhound server`: the language server, for editors (see the README for Neovim, Helix and
//! VS Code set-ups).

use anyhow::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Talk LSP over stdin and stdout: the only transport, accepted because clients pass it.
    #[arg(long = "stdio")]
    _stdio: bool,
}

pub fn run(_args: Args) -> Result<u8> {
    let shutdown_first = leakhound_lsp::run_stdio()?;
    // The protocol's exit status: 0 after `shutdown`, 1 for an `exit` without one.
    Ok(if shutdown_first { crate::EXIT_CLEAN } else { 1 })
}
