//! The exporter's own metrics, served at `/metrics`: requests, probe results and durations,
//! requests turned away, and the process (CPU, memory, threads, file descriptors).

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct SelfMetrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub probes: IntCounterVec,
    pub probe_failures: IntCounterVec,
    pub rejected: IntCounter,
    pub in_flight: IntGauge,
    pub probe_duration: Histogram,
}

impl SelfMetrics {
    pub fn new() -> SelfMetrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "leakhound_exporter_requests_total",
                "HTTP requests by path.",
            ),
            &["path"],
        )
        .expect("valid metric");
        let probes = IntCounterVec::new(
            Opts::new("leakhound_exporter_probes_total", "Probes by result."),
            &["result"],
        )
        .expect("valid metric");
        let probe_failures = IntCounterVec::new(
            Opts::new(
                "leakhound_exporter_probe_failures_total",
                "Failed probes by reason.",
            ),
            &["reason"],
        )
        .expect("valid metric");
        let rejected = IntCounter::new(
            "leakhound_exporter_rejected_total",
            "Requests answered 503 because max-in-flight requests were running.",
        )
        .expect("valid metric");
        let in_flight = IntGauge::new(
            "leakhound_exporter_in_flight_requests",
            "Requests being handled.",
        )
        .expect("valid metric");
        let probe_duration = Histogram::with_opts(
            HistogramOpts::new(
                "leakhound_exporter_probe_duration_seconds",
                "Time per probe, fetch and parse.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(probes.clone()),
            Box::new(probe_failures.clone()),
            Box::new(rejected.clone()),
            Box::new(in_flight.clone()),
            Box::new(probe_duration.clone()),
            Box::new(prometheus::process_collector::ProcessCollector::for_self()),
        ] {
            registry.register(c).expect("each metric registered once");
        }
        SelfMetrics {
            registry,
            requests,
            probes,
            probe_failures,
            rejected,
            in_flight,
            probe_duration,
        }
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("writing to a Vec");
        String::from_utf8(out).expect("the encoder writes UTF-8")
    }
}
