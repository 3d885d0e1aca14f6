//! `leakhound watch URL`: sample a live pprof endpoint (debug=1 by default: cheap, no
//! stop-the-world dump), print the growing groups after each sample, then the full report.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Result};
use leakhound_profile::escape_control;

use super::profile::{execute, parse_duration, Common, OutputFormat, Source};

#[derive(clap::Args)]
pub struct Args {
    /// The service's pprof address: `host:port`, a base URL or a full endpoint URL.
    pub url: String,
    /// Time between samples.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub every: Duration,
    /// Number of samples.
    #[arg(long, default_value_t = 6)]
    pub samples: usize,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> Result<u8> {
    let source = Source::parse(&args.url)?;
    if !source.is_url() {
        bail!(
            "{}: watch samples a URL; for files use `leakhound profile T0 T1 ...`",
            args.url
        );
    }
    if args.samples < 2 {
        bail!("--samples must be at least 2");
    }
    let text = args.common.output_format == OutputFormat::Text;
    execute(
        &[source],
        Some((args.every, args.samples)),
        &args.common,
        &mut |a, _| {
            if !text {
                return Ok(());
            }
            let mut err = std::io::stderr().lock();
            let n = a.sources.len();
            let total = a.sources.last().map_or(0, |s| s.goroutines);
            let growing: Vec<String> = a
                .groups
                .iter()
                .filter(|g| g.growing)
                .take(3)
                .map(|g| {
                    let site = g
                        .site
                        .as_ref()
                        .map_or_else(String::new, |s| format!("{}:{}", s.file, s.line));
                    format!(
                        "{} {} ({:+})",
                        escape_control(&site),
                        g.counts.last().unwrap_or(&0),
                        g.change
                    )
                })
                .collect();
            writeln!(
                err,
                "sample {n}: {total} goroutines; growing: {}",
                if growing.is_empty() {
                    "none".into()
                } else {
                    growing.join(", ")
                }
            )?;
            Ok(())
        },
    )
}
