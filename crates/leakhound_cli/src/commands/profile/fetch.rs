//! Where profile bytes come from: a file, stdin, or a pprof HTTP endpoint.

use std::error::Error as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

/// Largest file or stdin read: far above Go's 64 MiB debug=2 cap, below what would exhaust memory.
const MAX_INPUT: u64 = 1 << 30;

/// Default `--max-body`: twice Go's 64 MiB debug=2 cap.
pub const DEFAULT_MAX_BODY: &str = "128MiB";

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

    /// The source as messages name it.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }

    /// The name used in messages and output, and the bytes. A URL's body may hold `max_body`
    /// bytes, a file or stdin 1 GiB: more is an error, never a silent cut.
    pub fn read(&self, full: bool, timeout: Duration, max_body: u64) -> Result<(String, Vec<u8>)> {
        match self {
            Source::Stdin => {
                let data = read_bounded(std::io::stdin(), MAX_INPUT).context("reading stdin")?;
                Ok(("<stdin>".to_string(), data))
            }
            Source::File(p) => {
                let context = || format!("reading {}", p.display());
                // Read to an exact-size buffer: a growing one would briefly hold twice the dump.
                let len = std::fs::metadata(p).with_context(context)?.len();
                if len > MAX_INPUT {
                    bail!("{}: {}", p.display(), too_large(MAX_INPUT));
                }
                let data = std::fs::read(p).with_context(context)?;
                Ok((p.display().to_string(), data))
            }
            Source::Url(u) => {
                let url = with_debug(u, full);
                let data = get(&url, timeout, max_body)?;
                Ok((url, data))
            }
        }
    }
}

/// Reads at most `limit` bytes; a longer input is an error naming the limit.
/// Read in fixed chunks, joined once at the end: a doubling buffer would hold up to twice the
/// limit (and copy it) before an endless stream is refused.
const CHUNK: usize = 4 << 20;

/// Reads at most `limit` bytes; a longer input is an error naming the limit. Peak memory is the
/// input (at most `limit`) plus, while joining, one copy of it.
fn read_bounded(reader: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut reader = reader.take(limit + 1);
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut total = 0usize;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        let n = (&mut reader).take(CHUNK as u64).read_to_end(&mut chunk)?;
        total += n;
        if total as u64 > limit {
            bail!("{}", too_large(limit));
        }
        let full = n == CHUNK;
        chunks.push(chunk);
        if !full {
            break;
        }
    }
    if chunks.len() == 1 {
        return Ok(chunks.pop().unwrap_or_default());
    }
    let mut data = Vec::with_capacity(total);
    for c in chunks {
        data.extend_from_slice(&c);
    }
    Ok(data)
}

fn too_large(limit: u64) -> String {
    format!(
        "more than {} MiB: not a goroutine profile, or an endless stream (--max-body raises the \
         limit for URLs)",
        limit >> 20
    )
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

fn get(url: &str, timeout: Duration, max_body: u64) -> Result<Vec<u8>> {
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
        Err(ureq::Error::Transport(t)) => {
            // ureq's Display repeats the kind inside the message ("Network Error: Network
            // Error: ..."): name the kind once, then the cause.
            let cause = t
                .source()
                .map(ToString::to_string)
                .or_else(|| t.message().map(str::to_string))
                .unwrap_or_default();
            return Err(anyhow!("{url}: {}: {cause}", t.kind()));
        }
    };
    let html = response.content_type().contains("html");
    let data = read_bounded(response.into_reader(), max_body)
        .with_context(|| format!("{url}: reading the response"))?;
    if html || data.trim_ascii_start().starts_with(b"<") {
        bail!("{url}: answered HTML, not a goroutine profile (wrong path or a login page?)");
    }
    Ok(data)
}

/// `64MiB`, `512KiB`, `1GiB`, or plain bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size such as 64MiB"))?;
    let shift = match unit {
        "" | "B" => 0,
        "KiB" => 10,
        "MiB" => 20,
        "GiB" => 30,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (KiB, MiB, GiB)")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is out of range"))
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
    fn bounded_reads() {
        let body = vec![7u8; CHUNK * 2 + 5];
        assert_eq!(read_bounded(&body[..], body.len() as u64).unwrap(), body);
        assert_eq!(
            read_bounded(&body[..CHUNK], CHUNK as u64).unwrap().len(),
            CHUNK
        );
        assert_eq!(read_bounded(&b""[..], 10).unwrap(), b"");
        let e = read_bounded(&body[..], body.len() as u64 - 1).unwrap_err();
        assert!(e.to_string().contains("more than"), "{e}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("128MiB"), Ok(128 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("1TB").is_err());
        assert!(parse_size("99999999999GiB").is_err());
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
