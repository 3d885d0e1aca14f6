//! A Prometheus exporter for goroutine profiles, in the style of the blackbox_exporter:
//! Prometheus discovers and schedules targets, stores the series and fires the alerts; each
//! scrape of `GET /probe?target=host:port` fetches that target's `?debug=1` goroutine profile,
//! groups it by leak site and answers the top K sites as gauges. `GET /metrics` describes the
//! exporter itself. The exporter keeps no state between probes.
//!
//! The server is `tiny_http`: blocking, like the `ureq` client the probes use, with a thread per
//! request and no async runtime to carry for one endpoint. Every probe is bounded in time (the
//! probe timeout, or Prometheus's scrape timeout when shorter), in bytes (`max_body`) and in
//! number (`max_in_flight`; beyond it requests get a 503 at once), so a slow, dead or hostile
//! target costs one failed probe and never the exporter.

mod probe;
mod selfmetrics;
mod server;

pub use probe::{probe, site_series, target_url, ProbeError, SiteSeries};
pub use server::Exporter;

use std::net::SocketAddr;
use std::time::Duration;

/// Sites exported per probe unless `--top` says otherwise.
pub const DEFAULT_TOP_K: usize = 50;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// Sites exported by count; the rest are summed into `site="other"`.
    pub top_k: usize,
    /// Longest a probe may take, connection and body included.
    pub timeout: Duration,
    /// Largest profile body read from a target.
    pub max_body: u64,
    /// Requests handled at once; more get a 503 at once.
    pub max_in_flight: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            top_k: DEFAULT_TOP_K,
            timeout: Duration::from_secs(10),
            max_body: 8 << 20,
            max_in_flight: 128,
        }
    }
}
