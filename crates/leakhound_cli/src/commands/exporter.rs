//! `leakhound exporter`: serve Prometheus metrics about goroutine profiles (`/probe?target=`
//! in the blackbox_exporter style, `/metrics` for itself). The server is `leakhound_exporter`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use leakhound_exporter::{Config, Exporter, DEFAULT_TOP_K};

use super::profile::parse_duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on. Loopback by default: a probe fetches any URL it is given, so
    /// expose it only where Prometheus alone can reach it.
    #[arg(long, default_value = "127.0.0.1:9464", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Sites exported per probe, by goroutine count; the rest are summed into `site="other"`.
    #[arg(long, default_value_t = DEFAULT_TOP_K, value_name = "K")]
    pub top: usize,
    /// Longest time a probe may take (Prometheus's scrape timeout, when shorter, wins).
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub timeout: Duration,
    /// Largest profile read from a target, in MiB.
    #[arg(long, default_value_t = 8, value_name = "MIB")]
    pub max_body_mib: u64,
    /// Requests handled at once; more are answered 503 at once.
    #[arg(long, default_value_t = 128, value_name = "N")]
    pub max_in_flight: usize,
}

pub fn run(args: Args) -> Result<u8> {
    if args.top == 0 {
        bail!("--top must be at least 1");
    }
    if args.max_in_flight == 0 {
        bail!("--max-in-flight must be at least 1");
    }
    let exporter = Exporter::bind(Config {
        listen: args.listen,
        top_k: args.top,
        timeout: args.timeout,
        max_body: args.max_body_mib.saturating_mul(1 << 20),
        max_in_flight: args.max_in_flight,
    })
    .map_err(|e| anyhow!(e))?;
    // Tests and scripts read the address (the port, with `--listen 127.0.0.1:0`) from here.
    println!("listening on http://{}", exporter.local_addr());
    exporter.run();
    Ok(crate::EXIT_CLEAN)
}
