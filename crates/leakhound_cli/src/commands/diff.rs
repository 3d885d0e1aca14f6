//! `leakhound diff OLD NEW`: two samples of one process, per group the counts, the change and
//! the growth per minute (with --interval); exit status per --fail-on.

use anyhow::Result;

use super::profile::{execute, Common, Source};

#[derive(clap::Args)]
pub struct Args {
    /// The earlier profile (file, `-` or URL).
    pub old: String,
    /// The later profile.
    pub new: String,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> Result<u8> {
    let sources = [Source::parse(&args.old)?, Source::parse(&args.new)?];
    execute(&sources, &args.common)
}
