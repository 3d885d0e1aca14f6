//! Where profile bytes come from: a file, stdin, or a pprof HTTP endpoint.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

/// Largest body read from a file, stdin or URL: well above Go's 64 MiB debug=2 cap.
const MAX_INPUT: u64 = 1 << 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    /// Full URL without the `debug` parameter decided yet.
    Url(String),
}

impl Source {
    pub fn parse(s: &str) -> Result<Source> {
        if s == "-" {
            return Ok(Source::Stdin);
        }
        if let Some(rest) = s.strip_prefix("http://") {
            return Ok(Source::Url(endpoint(rest)));
        }
        if s.starts_with("https://") {
            bail!("{s}: https is not supported; reach the pprof port over http (e.g. kubectl port-forward)");
        }
        if Path::new(s).exists() {
            return Ok(Source::File(PathBuf::from(s)));
        }
        if looks_like_host_port(s) {
            return Ok(Source::Url(endpoint(s)));
        }
        bail!("{s}: no such file, and not a URL or host:port")
    }

    pub fn is_url(&self) -> bool {
        matches!(self, Source::Url(_))
    }

    /// The name used in messages and output, and the bytes.
    pub fn read(&self, full: bool, timeout: Duration) -> Result<(String, Vec<u8>)> {
        match self {
            Source::Stdin => {
                let mut data = Vec::new();
                std::io::stdin()
                    .take(MAX_INPUT)
                    .read_to_end(&mut data)
                    .context("reading stdin")?;
                Ok(("<stdin>".to_string(), data))
            }
            Source::File(p) => {
                let data = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                Ok((p.display().to_string(), data))
            }
            Source::Url(u) => {
                let url = with_debug(u, full);
                let data = get(&url, timeout)?;
                Ok((url, data))
            }
        }
    }
}

fn looks_like_host_port(s: &str) -> bool {
    let hostport = s.split('/').next().unwrap_or(s);
    match hostport.rsplit_once(':') {
        Some((host, port)) => {
            !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && host.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || b == b'.'
                        || b == b'-'
                        || b == b'['
                        || b == b']'
                        || b == b':'
                })
        }
        None => false,
    }
}

/// `host:port` or a base URL means its goroutine endpoint; a full endpoint path is kept.
fn endpoint(rest: &str) -> String {
    let (path_part, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let (host, path) = match path_part.split_once('/') {
        Some((h, p)) => (h, format!("/{p}")),
        None => (path_part, String::new()),
    };
    let path = match path.trim_end_matches('/') {
        "" => "/debug/pprof/goroutine".to_string(),
        "/debug/pprof" => "/debug/pprof/goroutine".to_string(),
        p => p.to_string(),
    };
    match query {
        Some(q) => format!("http://{host}{path}?{q}"),
        None => format!("http://{host}{path}"),
    }
}

/// debug=1 unless the URL already says, or `--full` asks for debug=2.
fn with_debug(url: &str, full: bool) -> String {
    if url.contains("debug=") {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}debug={}", if full { 2 } else { 1 })
}

fn get(url: &str, timeout: Duration) -> Result<Vec<u8>> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build();
    let response = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let hint = if code == 404 {
                " (is net/http/pprof registered on this server?)"
            } else {
                ""
            };
            bail!("{url}: HTTP {code} {}{hint}", r.status_text());
        }
        Err(ureq::Error::Transport(t)) => return Err(anyhow!("{url}: {t}")),
    };
    let html = response.content_type().contains("html");
    let mut data = Vec::new();
    response
        .into_reader()
        .take(MAX_INPUT)
        .read_to_end(&mut data)
        .with_context(|| format!("{url}: reading the response"))?;
    if html || data.trim_ascii_start().starts_with(b"<") {
        bail!("{url}: answered HTML, not a goroutine profile (wrong path or a login page?)");
    }
    Ok(data)
}

/// `500ms`, `10s`, `2m`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as 500ms, 10s or 2m"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert_eq!(
            Source::parse("localhost:6060").unwrap(),
            Source::Url("http://localhost:6060/debug/pprof/goroutine".into())
        );
        assert_eq!(
            Source::parse("http://10.0.0.1:6060/").unwrap(),
            Source::Url("http://10.0.0.1:6060/debug/pprof/goroutine".into())
        );
        assert_eq!(
            Source::parse("http://h:1/debug/pprof/goroutineleak").unwrap(),
            Source::Url("http://h:1/debug/pprof/goroutineleak".into())
        );
        assert!(Source::parse("no-such-file.txt").is_err());
        assert_eq!(
            with_debug("http://h:1/debug/pprof/goroutine", false),
            "http://h:1/debug/pprof/goroutine?debug=1"
        );
        assert_eq!(
            with_debug("http://h:1/debug/pprof/goroutine", true),
            "http://h:1/debug/pprof/goroutine?debug=2"
        );
        assert_eq!(
            with_debug("http://h:1/x?debug=0", true),
            "http://h:1/x?debug=0"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("1e400").is_err());
    }
}
