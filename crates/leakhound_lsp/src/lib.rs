//! `leakhound server`: a Language Server Protocol server over stdio. Open Go files get
//! leakhound's diagnostics as they are edited (the package's other files are read from disk),
//! hovers show a finding's rule documentation, and code actions offer the rule's fix, a
//! `//nolint` comment and every safe fix of the file at once.
//!
//! Built on rust-analyzer's `lsp-server` and `lsp-types`: a synchronous loop on one thread
//! fits a check that takes milliseconds, with no async runtime to carry.

mod actions;
mod analysis;
mod convert;
mod server;
mod transport;

pub use server::serve;

/// Serves one client on stdin and stdout until it sends `exit`. Returns whether it asked for
/// `shutdown` first: the protocol wants exit status 0 then, and 1 otherwise.
pub fn run_stdio() -> anyhow::Result<bool> {
    let (connection, threads) = transport::stdio();
    let clean = serve(&connection)?;
    drop(connection);
    threads.join()?;
    Ok(clean)
}
