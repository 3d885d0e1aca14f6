//! `leakhound watch URL...`: sample live pprof endpoints (debug=1 by default: cheap, no
//! stop-the-world dump), print progress after each sample on stderr, then the full report.
//! Several URLs are replicas of one service; `--samples 0` watches until interrupted, reporting
//! over a rolling window.

use std::time::Duration;

use anyhow::{bail, Result};

use super::profile::{live, parse_duration, Common, Live, Plan, Source, DEFAULT_SAMPLES};

#[derive(clap::Args)]
pub struct Args {
    /// The service's pprof address: `host:port`, a base URL or a full endpoint URL; several for
    /// replicas of one service.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// Time between samples.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub every: Duration,
    /// Number of samples; 0 samples until interrupted (SIGINT or SIGTERM print the report).
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    pub samples: usize,
    #[command(flatten)]
    pub live: Live,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> Result<u8> {
    let sources: Vec<Source> = args
        .urls
        .iter()
        .map(|u| Source::parse(u))
        .collect::<Result<_>>()?;
    if let Some(file) = sources.iter().find(|s| !s.is_url()) {
        bail!(
            "{}: watch samples URLs; for files use `leakhound profile T0 T1 ...`",
            file.name()
        );
    }
    if args.samples == 1 {
        bail!("--samples must be 0 (until interrupted) or at least 2");
    }
    if args.live.window < 2 {
        bail!("--window must be at least 2");
    }
    let plan = Plan {
        every: args.every,
        samples: args.samples,
        window: args.live.window,
    };
    live(&sources, &plan, &args.common)
}
