//! One probe: fetch a target's `?debug=1` goroutine profile within the timeout and the byte
//! budget, group it by leak site, and describe the top K sites as Prometheus gauges.

use std::io::Read;
use std::time::{Duration, Instant};

use leakhound_profile::{analyze, parse, GroupBy, Interner, Limits, Options};
use prometheus::{Encoder, Gauge, GaugeVec, Opts, Registry, TextEncoder};
use thiserror::Error;

/// Label values longer than this are cut: a hostile profile can name a function with megabytes.
const MAX_LABEL: usize = 256;

/// Why a probe failed; `reason()` is the `reason` label of the exporter's failure counter.
#[derive(Debug, Error)]
pub enum ProbeError {
    #[error("{0}")]
    BadTarget(String),
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: timed out after {secs:.1}s")]
    Timeout { url: String, secs: f64 },
    #[error("{url}: HTTP {code}")]
    Status { url: String, code: u16 },
    #[error("{url}: body exceeds {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: {source}")]
    Parse {
        url: String,
        source: leakhound_profile::ParseError,
    },
}

impl ProbeError {
    pub fn reason(&self) -> &'static str {
        match self {
            ProbeError::BadTarget(_) => "bad_target",
            ProbeError::Transport { .. } => "transport",
            ProbeError::Timeout { .. } => "timeout",
            ProbeError::Status { .. } => "http_status",
            ProbeError::TooLarge { .. } => "too_large",
            ProbeError::Parse { .. } => "not_a_profile",
        }
    }
}

/// The profile URL for `target` (`host:port` or `http://host:port`) and `path` (default
/// `/debug/pprof/goroutine`), always asking for debug=1.
pub fn target_url(target: &str, path: Option<&str>) -> Result<String, ProbeError> {
    let host = target.strip_prefix("http://").unwrap_or(target);
    let host = host.strip_suffix('/').unwrap_or(host);
    let valid_host = !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        });
    if !valid_host {
        return Err(ProbeError::BadTarget(format!(
            "target {target:?}: expected host:port or http://host:port"
        )));
    }
    let path = path.unwrap_or("/debug/pprof/goroutine");
    if !path.starts_with('/') || path.contains(['?', '#']) || path.chars().any(char::is_control) {
        return Err(ProbeError::BadTarget(format!(
            "path {path:?}: expected an absolute path without a query"
        )));
    }
    Ok(format!("http://{host}{path}?debug=1"))
}

/// Fetches the profile at `url`: at most `max_body` bytes, all within `timeout`.
pub fn fetch(url: &str, timeout: Duration, max_body: u64) -> Result<Vec<u8>, ProbeError> {
    let start = Instant::now();
    let agent = ureq::AgentBuilder::new()
        .timeout(timeout)
        // A profile endpoint does not redirect; following would let a target send us elsewhere.
        .redirects(0)
        .build();
    let timed_out = || start.elapsed() >= timeout;
    let transport = |message: String| {
        if timed_out() {
            ProbeError::Timeout {
                url: url.to_string(),
                secs: timeout.as_secs_f64(),
            }
        } else {
            ProbeError::Transport {
                url: url.to_string(),
                message,
            }
        }
    };
    let response = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => {
            return Err(ProbeError::Status {
                url: url.to_string(),
                code,
            })
        }
        Err(ureq::Error::Transport(t)) => return Err(transport(t.to_string())),
    };
    if response.status() != 200 {
        return Err(ProbeError::Status {
            url: url.to_string(),
            code: response.status(),
        });
    }
    let mut data = Vec::new();
    response
        .into_reader()
        .take(max_body + 1)
        .read_to_end(&mut data)
        .map_err(|e| transport(format!("reading the body: {e}")))?;
    if data.len() as u64 > max_body {
        return Err(ProbeError::TooLarge {
            url: url.to_string(),
            limit: max_body,
        });
    }
    Ok(data)
}

/// Goroutine counts by site, cut to the top K.
#[derive(Debug, PartialEq)]
pub struct SiteSeries {
    /// `[site, function, wait]` label values and the count, largest first.
    pub top: Vec<([String; 3], u64)>,
    /// Goroutines at every site beyond the top K.
    pub other: u64,
    /// Distinct sites in the profile.
    pub sites: usize,
    /// All goroutines in the profile.
    pub total: u64,
}

/// Parses `data` and groups it by site. A site is `file:line` of the first user frame; stacks
/// with no user frame are named by their top frame.
pub fn site_series(
    data: &[u8],
    top_k: usize,
    max_body: u64,
) -> Result<SiteSeries, leakhound_profile::ParseError> {
    let mut interner = Interner::new();
    let limits = Limits {
        max_decompressed: usize::try_from(max_body).unwrap_or(usize::MAX),
    };
    let profile = parse(data, &mut interner, limits)?;
    let total = profile.total;
    let opts = Options {
        group_by: GroupBy::Site,
        ..Options::default()
    };
    let analysis = analyze(&[profile], &["probe".to_string()], &interner, &opts);
    let mut by_labels: std::collections::HashMap<[String; 3], u64> =
        std::collections::HashMap::new();
    for g in &analysis.groups {
        let frame = g.site.as_ref().or(g.frames.first());
        let (site, function) = match frame {
            Some(f) => (format!("{}:{}", f.file, f.line), f.function.clone()),
            None => ("unknown".to_string(), String::new()),
        };
        let key = [cut(site), cut(function), cut(g.state.clone())];
        *by_labels.entry(key).or_default() += g.counts.last().copied().unwrap_or(0);
    }
    let mut rows: Vec<([String; 3], u64)> = by_labels.into_iter().collect();
    rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let sites = rows.len();
    let other = rows.iter().skip(top_k).map(|r| r.1).sum();
    rows.truncate(top_k);
    Ok(SiteSeries {
        top: rows,
        other,
        sites,
        total,
    })
}

fn cut(mut s: String) -> String {
    if s.len() > MAX_LABEL {
        let mut end = MAX_LABEL;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Runs one probe and renders its metrics in the Prometheus text format. The error, if any, is
/// returned beside the text (which then says `leakhound_probe_success 0`).
pub fn probe(
    url: &str,
    timeout: Duration,
    top_k: usize,
    max_body: u64,
) -> (String, Result<SiteSeries, ProbeError>) {
    let start = Instant::now();
    let mut bytes = None;
    let result = fetch(url, timeout, max_body).and_then(|data| {
        bytes = Some(data.len());
        site_series(&data, top_k, max_body).map_err(|source| ProbeError::Parse {
            url: url.to_string(),
            source,
        })
    });
    let text = render(&result, bytes, start.elapsed());
    (text, result)
}

fn gauge(registry: &Registry, name: &str, help: &str, value: f64) {
    let g = Gauge::with_opts(Opts::new(name, help)).expect("valid metric name");
    g.set(value);
    registry
        .register(Box::new(g))
        .expect("each name registered once");
}

fn render(
    result: &Result<SiteSeries, ProbeError>,
    bytes: Option<usize>,
    elapsed: Duration,
) -> String {
    let registry = Registry::new();
    gauge(
        &registry,
        "leakhound_probe_success",
        "Whether the target's goroutine profile was fetched and parsed.",
        if result.is_ok() { 1.0 } else { 0.0 },
    );
    gauge(
        &registry,
        "leakhound_probe_duration_seconds",
        "Time the probe took, fetch and parse.",
        elapsed.as_secs_f64(),
    );
    if let Some(b) = bytes {
        gauge(
            &registry,
            "leakhound_profile_bytes",
            "Size of the profile the target answered.",
            b as f64,
        );
    }
    if let Ok(s) = result {
        gauge(
            &registry,
            "leakhound_goroutines_total",
            "Goroutines in the target's profile.",
            s.total as f64,
        );
        gauge(
            &registry,
            "leakhound_sites",
            "Distinct sites in the profile; the top K are exported, the rest are summed as site other.",
            s.sites as f64,
        );
        let per_site = GaugeVec::new(
            Opts::new(
                "leakhound_goroutines",
                "Goroutines parked at a site (first user frame), by function and wait state.",
            ),
            &["site", "function", "wait"],
        )
        .expect("valid metric");
        for (labels, count) in &s.top {
            per_site
                .with_label_values(&[&labels[0], &labels[1], &labels[2]])
                .set(*count as f64);
        }
        per_site
            .with_label_values(&["other", "", ""])
            .set(s.other as f64);
        registry
            .register(Box::new(per_site))
            .expect("registered once");
    }
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut out)
        .expect("writing to a Vec");
    String::from_utf8(out).expect("the encoder writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debug1(stacks: &[(u64, &str, &str, u32)]) -> Vec<u8> {
        let total: u64 = stacks.iter().map(|s| s.0).sum();
        let mut s = format!("goroutine profile: total {total}\n");
        for (i, (n, func, file, line)) in stacks.iter().enumerate() {
            s.push_str(&format!(
                "{n} @ 0x1 0x{i:x}\n#\t0x1\truntime.gopark+0x1\t/go/src/runtime/proc.go:1\n#\t0x2\t{func}+0x1\t{file}:{line}\n\n"
            ));
        }
        s.into_bytes()
    }

    #[test]
    fn top_k_and_other() {
        let data = debug1(&[
            (500, "main.leak.func1", "/app/main.go", 10),
            (7, "main.small", "/app/main.go", 20),
            (3, "main.tiny", "/app/main.go", 30),
        ]);
        let s = site_series(&data, 2, 1 << 20).unwrap();
        assert_eq!(s.total, 510);
        assert_eq!(s.sites, 3);
        assert_eq!(s.other, 3);
        assert_eq!(s.top.len(), 2);
        assert_eq!(s.top[0].0[0], "/app/main.go:10");
        assert_eq!(s.top[0].0[1], "main.leak.func1");
        assert_eq!(s.top[0].1, 500);
    }

    #[test]
    fn cardinality_is_bounded_whatever_the_target_sends() {
        let stacks: Vec<(u64, String, u32)> = (0..5000u32)
            .map(|i| (1 + u64::from(i % 7), format!("main.f{i}"), i + 1))
            .collect();
        let refs: Vec<(u64, &str, &str, u32)> = stacks
            .iter()
            .map(|(n, f, l)| (*n, f.as_str(), "/app/x.go", *l))
            .collect();
        let s = site_series(&debug1(&refs), 50, 1 << 30).unwrap();
        let text = render(&Ok(s), Some(1), Duration::ZERO);
        let series = text
            .lines()
            .filter(|l| l.starts_with("leakhound_goroutines{"))
            .count();
        assert_eq!(series, 51, "50 sites and other");
        let exported: u64 = text
            .lines()
            .filter(|l| l.starts_with("leakhound_goroutines{"))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        let total: u64 = refs.iter().map(|r| r.0).sum();
        assert_eq!(exported, total, "other holds the rest");
    }

    #[test]
    fn hostile_names_are_escaped_and_cut() {
        let long = format!("main.{}", "x".repeat(10_000));
        let data = debug1(&[
            (5, "main.evil\"} 1 fake_metric{a=\"", "/app/a\\b.go", 1),
            (4, &long, "/app/main.go", 2),
        ]);
        let s = site_series(&data, 50, 1 << 20).unwrap();
        let text = render(&Ok(s), Some(data.len()), Duration::ZERO);
        assert!(
            !text.lines().any(|l| l.starts_with("fake_metric")),
            "{text}"
        );
        assert!(
            text.contains(r#"function="main.evil\"} 1 fake_metric{a=\""#),
            "{text}"
        );
        assert!(text.contains(r#"site="/app/a\\b.go:1""#), "{text}");
        assert!(text.lines().all(|l| l.len() < 1024), "label values are cut");
        let newline = SiteSeries {
            top: vec![(["a.go:1\nfake 1".into(), "f".into(), "w".into()], 1)],
            other: 0,
            sites: 1,
            total: 1,
        };
        let text = render(&Ok(newline), None, Duration::ZERO);
        assert!(text.contains(r#"site="a.go:1\nfake 1""#), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("fake")), "{text}");
    }

    #[test]
    fn targets() {
        assert_eq!(
            target_url("127.0.0.1:6060", None).unwrap(),
            "http://127.0.0.1:6060/debug/pprof/goroutine?debug=1"
        );
        assert_eq!(
            target_url("http://svc:80/", Some("/x/goroutine")).unwrap(),
            "http://svc:80/x/goroutine?debug=1"
        );
        assert!(target_url("file:///etc/passwd", None).is_err());
        assert!(target_url("h:1/a?b", None).is_err());
        assert!(target_url("h:1", Some("/p?debug=2")).is_err());
        assert!(target_url("", None).is_err());
    }

    #[test]
    fn failed_probe_says_success_zero() {
        let err = Err(ProbeError::BadTarget("x".into()));
        let text = render(&err, None, Duration::from_millis(3));
        assert!(text.contains("leakhound_probe_success 0"), "{text}");
        assert!(!text.contains("leakhound_goroutines{"), "{text}");
    }
}
