//! The HTTP side: one thread per request, at most `max_in_flight` at once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leakhound_profile::escape_control;
use tiny_http::{Header, Request, Response, Server};

use crate::probe::{probe, target_url};
use crate::selfmetrics::SelfMetrics;
use crate::Config;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";
const OPENMETRICS_FORMAT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Prometheus sends its scrape timeout; a probe ends this much earlier so that its answer (a
/// failed probe) still arrives in time.
const SCRAPE_TIMEOUT_MARGIN: Duration = Duration::from_millis(500);

pub struct Exporter {
    server: Server,
    config: Config,
    metrics: Arc<SelfMetrics>,
    in_flight: Arc<AtomicUsize>,
}

impl Exporter {
    pub fn bind(config: Config) -> Result<Exporter, String> {
        let server = Server::http(config.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        Ok(Exporter {
            server,
            config,
            metrics: Arc::new(SelfMetrics::new()),
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The bound address (the port is chosen by the system when `listen` asked for 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server
            .server_addr()
            .to_ip()
            .expect("bound to a TCP address")
    }

    /// Serves until the process ends.
    pub fn run(self) {
        for request in self.server.incoming_requests() {
            if self.in_flight.fetch_add(1, Ordering::SeqCst) >= self.config.max_in_flight {
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
                self.metrics.rejected.inc();
                let _ = request.respond(
                    Response::from_string("too many requests in flight\n").with_status_code(503),
                );
                continue;
            }
            let config = self.config.clone();
            let metrics = Arc::clone(&self.metrics);
            let in_flight = Arc::clone(&self.in_flight);
            metrics.in_flight.inc();
            let spawned = std::thread::Builder::new()
                .name("leakhound-request".into())
                .spawn(move || {
                    handle(request, &config, &metrics);
                    metrics.in_flight.dec();
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            if let Err(e) = spawned {
                // The request went down with the closure; the client sees a closed connection.
                eprintln!("leakhound exporter: cannot start a request thread: {e}");
                self.metrics.in_flight.dec();
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

fn handle(request: Request, config: &Config, metrics: &SelfMetrics) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let known = matches!(path, "/probe" | "/metrics" | "/");
    metrics
        .requests
        .with_label_values(&[if known { path } else { "other" }])
        .inc();
    let response =
        if !matches!(request.method(), tiny_http::Method::Get) {
            text(405, "only GET is served\n".to_string())
        } else {
            match path {
            "/probe" => probe_response(&request, query, config, metrics),
            "/metrics" => text(200, metrics.render()),
            "/" => text(
                200,
                "leakhound exporter\n\nGET /probe?target=HOST:PORT[&path=/debug/pprof/goroutine]  \
                 goroutines of one target by leak site\nGET /metrics  the exporter's own metrics\n"
                    .to_string(),
            ),
            _ => text(404, "not found: try /probe?target=HOST:PORT or /metrics\n".to_string()),
        }
        };
    // The scraper may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

fn probe_response(
    request: &Request,
    query: &str,
    config: &Config,
    metrics: &SelfMetrics,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut target = None;
    let mut path = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "target" => target = Some(v.into_owned()),
            "path" => path = Some(v.into_owned()),
            _ => {}
        }
    }
    let Some(target) = target else {
        return text(400, "missing ?target=HOST:PORT\n".to_string());
    };
    let url = match target_url(&target, path.as_deref()) {
        Ok(u) => u,
        Err(e) => {
            metrics
                .probe_failures
                .with_label_values(&[e.reason()])
                .inc();
            return text(400, format!("{}\n", escape_control(&e.to_string())));
        }
    };
    let timeout = scrape_timeout(request).map_or(config.timeout, |t| t.min(config.timeout));
    let timer = metrics.probe_duration.start_timer();
    let (body, result) = probe(&url, timeout, config.top_k, config.max_body);
    timer.observe_duration();
    match &result {
        Ok(_) => metrics.probes.with_label_values(&["success"]).inc(),
        Err(e) => {
            metrics.probes.with_label_values(&["failure"]).inc();
            metrics
                .probe_failures
                .with_label_values(&[e.reason()])
                .inc();
            eprintln!(
                "leakhound exporter: probe failed: {}",
                escape_control(&e.to_string())
            );
        }
    }
    if wants_openmetrics(request) {
        // A probe holds gauges only, whose text-format lines are OpenMetrics lines too; the
        // format adds the closing `# EOF`. (`/metrics` has counters, which it names otherwise.)
        Response::from_string(body + "# EOF\n").with_header(
            Header::from_bytes("Content-Type", OPENMETRICS_FORMAT).expect("valid header"),
        )
    } else {
        text(200, body)
    }
}

/// Prometheus asks for OpenMetrics first in its `Accept` header.
fn wants_openmetrics(request: &Request) -> bool {
    request.headers().iter().any(|h| {
        h.field.equiv("Accept") && h.value.as_str().contains("application/openmetrics-text")
    })
}

/// Prometheus's `X-Prometheus-Scrape-Timeout-Seconds`, less a margin.
fn scrape_timeout(request: &Request) -> Option<Duration> {
    let h = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Prometheus-Scrape-Timeout-Seconds"))?;
    let secs: f64 = h.value.as_str().trim().parse().ok()?;
    let d = Duration::try_from_secs_f64(secs).ok()?;
    Some(
        d.saturating_sub(SCRAPE_TIMEOUT_MARGIN)
            .max(Duration::from_millis(100)),
    )
}

fn text(code: u16, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(code)
        .with_header(Header::from_bytes("Content-Type", TEXT_FORMAT).expect("valid header"))
}
