//! `leakhound server`: the language server, for editors (see the README for Neovim, Helix and
//! VS Code set-ups).

use anyhow::{anyhow, Context, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Talk LSP over stdin and stdout: the only transport, accepted because clients pass it.
    #[arg(long = "stdio")]
    _stdio: bool,
}

pub fn run(_args: Args) -> Result<u8> {
    // Checks walk deep trees (a long `+` or `else if` chain) recursively, as `check`'s workers
    // do on their large stacks; the main thread's stack is too small for the deepest file Go takes.
    let shutdown_first = std::thread::Builder::new()
        .name("server".into())
        .stack_size(64 << 20)
        .spawn(leakhound_lsp::run_stdio)
        .context("cannot start the server thread")?
        .join()
        .map_err(|_| anyhow!("the server thread panicked"))??;
    // The protocol's exit status: 0 after `shutdown`, 1 for an `exit` without one.
    Ok(if shutdown_first { crate::EXIT_CLEAN } else { 1 })
}
