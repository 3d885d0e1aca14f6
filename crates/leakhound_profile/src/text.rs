//! debug=2 tracebacks and crash, SIGQUIT and test-failure dumps: one line-oriented state machine.
//!
//! States: `Outside` (text that is not a stack: preambles, CI logs, `go test` chatter, register
//! dumps; passed over), `Stack` (inside a goroutine: function lines, their `\tfile:line` lines,
//! elision notes, `created by`) and `Ancestors` (`[originating from goroutine N]:` blocks of
//! `GODEBUG=tracebackancestors`, read past). A header line opens a goroutine from any state; a
//! blank line, a goleak `]` or a line that is not stack syntax closes it. A prefix printed
//! before the first header (CI timestamps, `go test` indentation) is stripped from the lines
//! that follow it.

use memchr::{memchr, memmem, memrchr};
use rustc_hash::FxHashMap;

use crate::intern::{Interner, Sym};
use crate::model::{Format, FrameRef, Profile, Record};

/// Go's `/debug/pprof/goroutine?debug=2` writer stops at this size without saying so.
const PPROF_DEBUG2_CAP: usize = 64 << 20;

/// What a goroutine header says.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    pub id: u64,
    pub state: &'a [u8],
    pub minutes: Option<u32>,
    pub locked: bool,
    pub leaked: bool,
    pub labels: Option<&'a [u8]>,
}

/// Per-goroutine scratch space, reused so that parsing allocates per distinct stack only.
#[derive(Default)]
struct Current {
    open: bool,
    id: u64,
    state: Sym,
    minutes: Option<u32>,
    locked: bool,
    leaked: bool,
    labels: Option<Sym>,
    frames: Vec<FrameRef>,
    pending: Option<Sym>,
    created: Option<FrameRef>,
    pending_created: Option<Sym>,
    elided: bool,
}

struct Builder<'i> {
    interner: &'i mut Interner,
    records: Vec<Record>,
    index: FxHashMap<Vec<u32>, usize>,
    key: Vec<u32>,
    total: u64,
    leaked_any: bool,
}

impl Builder<'_> {
    fn finish(&mut self, cur: &mut Current) {
        if !cur.open {
            return;
        }
        cur.open = false;
        if let Some(function) = cur.pending.take() {
            // A function line whose location line never came: keep the frame without a file.
            let file = self.interner.intern(b"");
            cur.frames.push(FrameRef {
                function,
                file,
                line: 0,
            });
        }
        self.total += 1;
        self.leaked_any |= cur.leaked;
        let key = &mut self.key;
        key.clear();
        key.push(cur.state.0);
        key.push(cur.labels.map_or(0, |s| s.0 + 1));
        key.push(u32::from(cur.elided));
        match cur.created {
            Some(c) => key.extend([c.function.0 + 1, c.file.0, c.line]),
            None => key.extend([0, 0, 0]),
        }
        for f in &cur.frames {
            key.extend([f.function.0, f.file.0, f.line]);
        }
        let idx = match self.index.get(key.as_slice()) {
            Some(&idx) => idx,
            None => {
                self.records.push(Record {
                    count: 0,
                    state: cur.state,
                    wait_minutes: None,
                    locked: 0,
                    leaked: 0,
                    frames: cur.frames.clone(),
                    created_by: cur.created,
                    labels: cur.labels,
                    elided: cur.elided,
                    ids: None,
                });
                self.index.insert(key.clone(), self.records.len() - 1);
                self.records.len() - 1
            }
        };
        let r = &mut self.records[idx];
        r.count += 1;
        r.locked += u64::from(cur.locked);
        r.leaked += u64::from(cur.leaked);
        if let Some(m) = cur.minutes {
            r.wait_minutes = Some(match r.wait_minutes {
                Some((lo, hi)) => (lo.min(m), hi.max(m)),
                None => (m, m),
            });
        }
        r.ids = Some(r.ids.map_or((cur.id, cur.id), |(lo, hi)| {
            (lo.min(cur.id), hi.max(cur.id))
        }));
    }

    fn open(&mut self, cur: &mut Current, h: &Header) {
        self.finish(cur);
        cur.open = true;
        cur.id = h.id;
        cur.state = self.interner.intern(h.state);
        cur.minutes = h.minutes;
        cur.locked = h.locked;
        cur.leaked = h.leaked;
        cur.labels = h.labels.map(|l| self.interner.intern(l));
        cur.frames.clear();
        cur.pending = None;
        cur.created = None;
        cur.pending_created = None;
        cur.elided = false;
    }
}

#[derive(PartialEq, Eq)]
enum State {
    Outside,
    Stack,
    Ancestors,
}

/// Parses text holding goroutine tracebacks; `None` when it holds no goroutine header at all.
pub(crate) fn parse(data: &[u8], interner: &mut Interner) -> Option<Profile> {
    let mut b = Builder {
        interner,
        records: Vec::new(),
        index: FxHashMap::default(),
        key: Vec::with_capacity(64),
        total: 0,
        leaked_any: false,
    };
    let mut cur = Current::default();
    let mut state = State::Outside;
    let mut prefix_len = 0usize;
    let mut first_header_at: Option<usize> = None;
    let mut preamble: Option<String> = None;
    let mut cut: Option<String> = None;
    let mut pos = 0usize;

    while pos < data.len() {
        let (end, next) = match memchr(b'\n', &data[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (data.len(), data.len()),
        };
        let raw = &data[pos..end];
        let line_start = pos;
        // A last line without a newline may be cut anywhere: in a header, in a function name.
        let unterminated = end == data.len();
        pos = next;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = if prefix_len > 0 && state != State::Outside {
            &raw[prefix_len.min(raw.len())..]
        } else {
            raw
        };

        if state != State::Outside {
            if line.is_empty() || line == b"]" {
                b.finish(&mut cur);
                state = State::Outside;
                continue;
            }
            if line[0] == b'\t' {
                if state == State::Stack {
                    file_line(&mut b, &mut cur, &line[1..]);
                }
                continue;
            }
            if let Some(h) = header_at_start(line) {
                b.open(&mut cur, &h);
                state = State::Stack;
                continue;
            }
            if let Some(rest) = line.strip_prefix(b"created by ") {
                if state == State::Stack {
                    let name = match memmem::find(rest, b" in goroutine ") {
                        Some(i) => &rest[..i],
                        None => rest,
                    };
                    cur.pending = None;
                    cur.pending_created = Some(b.interner.intern(name));
                }
                continue;
            }
            if line.starts_with(b"...") && memmem::find(line, b"elided").is_some() {
                cur.elided = true;
                continue;
            }
            if line.starts_with(b"[originating from goroutine ") {
                state = State::Ancestors;
                continue;
            }
            if line.starts_with(b"non-Go function") {
                continue;
            }
            if let Some(function) = function_name(line) {
                if state == State::Stack {
                    if let Some(prev) = cur.pending.take() {
                        let file = b.interner.intern(b"");
                        cur.frames.push(FrameRef {
                            function: prev,
                            file,
                            line: 0,
                        });
                    }
                    cur.pending = Some(b.interner.intern(function));
                }
                continue;
            }
            // Not stack syntax: the goroutine is over; the line is ordinary text, unless it is
            // where the input was cut.
            if unterminated {
                cut = Some(format!(
                    "input ends inside a line of goroutine {}: the dump is truncated",
                    cur.id
                ));
            }
            b.finish(&mut cur);
            state = State::Outside;
        }

        // Outside a goroutine: look for a header, at the start or after a prefix.
        if let Some(h) = header_at_start(raw) {
            first_header_at.get_or_insert(line_start);
            prefix_len = 0;
            b.open(&mut cur, &h);
            state = State::Stack;
            continue;
        }
        if let Some((offset, h)) = header_anywhere(raw) {
            first_header_at.get_or_insert(line_start);
            prefix_len = offset;
            b.open(&mut cur, &h);
            state = State::Stack;
            continue;
        }
        let header_start = raw.starts_with(b"goroutine ") || b"goroutine ".starts_with(raw);
        if unterminated && first_header_at.is_some() && !raw.is_empty() && header_start {
            cut = Some("input ends inside a goroutine header: the dump is truncated".to_string());
        }
        if first_header_at.is_none() && preamble.is_none() {
            preamble = preamble_line(raw);
        }
    }

    let first_header_at = first_header_at?;
    let mut partial = cut;
    if cur.open {
        let incomplete = cur.pending.is_some()
            || cur.pending_created.is_some()
            || !data.ends_with(b"\n")
            || (cur.frames.is_empty() && state == State::Stack);
        if incomplete {
            partial = Some(format!(
                "input ends inside goroutine {}: the dump is truncated, its last goroutine is incomplete",
                cur.id
            ));
        }
    }
    b.finish(&mut cur);
    if data.len() == PPROF_DEBUG2_CAP {
        partial = Some(
            "input is exactly 64 MiB, where /debug/pprof/goroutine?debug=2 silently truncates: \
             goroutines after the cut are missing"
                .to_string(),
        );
    }
    let format = if first_header_at == 0 {
        Format::Debug2
    } else {
        Format::Dump
    };
    Some(Profile {
        format,
        total: b.total,
        records: b.records,
        leak_profile: false,
        preamble,
        partial,
        time_nanos: None,
    })
}

fn file_line(b: &mut Builder, cur: &mut Current, content: &[u8]) {
    let (file, line) = split_location(content);
    if let Some(function) = cur.pending.take() {
        let file = b.interner.intern(file);
        cur.frames.push(FrameRef {
            function,
            file,
            line,
        });
    } else if let Some(function) = cur.pending_created.take() {
        let file = b.interner.intern(file);
        cur.created = Some(FrameRef {
            function,
            file,
            line,
        });
    }
}

/// Splits `path/file.go:LINE +0xOFF fp=... sp=... pc=...` at the last colon (paths may hold
/// colons: Windows drives).
pub(crate) fn split_location(content: &[u8]) -> (&[u8], u32) {
    let Some(colon) = memrchr(b':', content) else {
        return (content, 0);
    };
    let digits = &content[colon + 1..];
    let mut line: u32 = 0;
    let mut n = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            break;
        }
        line = line.saturating_mul(10).saturating_add(u32::from(c - b'0'));
        n += 1;
    }
    if n == 0 {
        return (content, 0);
    }
    (&content[..colon], line)
}

/// `pkg.(*T).Method[...](args)` → `pkg.(*T).Method[...]`: the argument list starts at the last
/// `(`, since argument words never hold parentheses.
fn function_name(line: &[u8]) -> Option<&[u8]> {
    if line.last() != Some(&b')') || line[0] == b' ' {
        return None;
    }
    let open = memrchr(b'(', line)?;
    if open == 0 {
        return None;
    }
    Some(&line[..open])
}

fn preamble_line(line: &[u8]) -> Option<String> {
    const MARKERS: [&[u8]; 6] = [
        b"panic: ",
        b"fatal error: ",
        b"SIGQUIT: quit",
        b"found unexpected goroutines",
        b"blocked goroutines remain",
        b"fatal: morestack",
    ];
    let hit = MARKERS.iter().any(|m| memmem::find(line, m).is_some())
        || (line.starts_with(b"SIG") && memmem::find(line, b": ").is_some());
    hit.then(|| String::from_utf8_lossy(line).trim().to_string())
}

fn header_at_start(line: &[u8]) -> Option<Header<'_>> {
    let rest = line.strip_prefix(b"goroutine ")?;
    if !rest.first()?.is_ascii_digit() {
        return None;
    }
    parse_runtime_header(rest)
}

/// A header after a prefix: a CI timestamp, `go test` indentation, or goleak's
/// `[Goroutine N in state S, with F on top of the stack:`.
fn header_anywhere(line: &[u8]) -> Option<(usize, Header<'_>)> {
    for at in memmem::find_iter(line, b"oroutine ") {
        if at == 0 {
            continue;
        }
        let start = at - 1;
        let rest = &line[at + 9..];
        if !rest.first().is_some_and(u8::is_ascii_digit) {
            continue;
        }
        if line[start] == b'g' {
            if let Some(h) = parse_runtime_header(rest) {
                return Some((start, h));
            }
        } else if line[start] == b'G' {
            if let Some(h) = parse_goleak_header(rest) {
                // goleak prints its stacks as a Go slice: `[Goroutine 7 ...` for the first, then
                // ` Goroutine 8 ...`. The separator is not part of the prefix the frame lines
                // share (`go test` indentation, or nothing).
                let offset = if start > 0 && matches!(line[start - 1], b'[' | b' ') {
                    start - 1
                } else {
                    start
                };
                return Some((offset, h));
            }
        }
    }
    None
}

/// After `goroutine `: `ID[ gp=… m=… mp=…] [STATUS...]:[ LABELS]`.
pub(crate) fn parse_runtime_header(rest: &[u8]) -> Option<Header<'_>> {
    let (id, after) = parse_u64(rest)?;
    let open = memchr(b'[', after)?;
    // Between the id and the bracket only ` gp=… m=… mp=…` decorations are allowed.
    if !after[..open]
        .iter()
        .all(|&c| c != b'[' && c != b']' && c != b'\n')
        || after[0] != b' '
    {
        return None;
    }
    let body = &after[open + 1..];
    let close = bracket_end(body)?;
    let mut h = parse_status(&body[..close]);
    h.id = id;
    let mut tail = &body[close + 1..];
    // Go 1.27 prints labels between the bracket and the colon: `[chan send] {k: "v"}:`.
    if let Some(braced) = tail.strip_prefix(b" ") {
        if braced.first() == Some(&b'{') {
            let end = bracket_end(braced).filter(|&e| braced[e] == b'}')?;
            h.labels = Some(&braced[..=end]);
            tail = &braced[end + 1..];
        }
    }
    let tail = trim(tail.strip_prefix(b":")?);
    if tail.first() == Some(&b'{') {
        h.labels = Some(tail);
    } else if !tail.is_empty() {
        return None;
    }
    Some(h)
}

/// After `Goroutine `: `ID in state STATUS, with F on top of the stack:` (uber-go/goleak).
fn parse_goleak_header(rest: &[u8]) -> Option<Header<'_>> {
    let (id, after) = parse_u64(rest)?;
    let status = after.strip_prefix(b" in state ")?;
    let with = memmem::rfind(status, b", with ")?;
    if !status.ends_with(b"on top of the stack:") {
        return None;
    }
    let mut h = parse_status(&status[..with]);
    h.id = id;
    Some(h)
}

/// Index of the `]` that closes the status (or of the `}` that closes a label set starting
/// at `body[0]`), skipping nested braces and quoted label text.
fn bracket_end(body: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, &c) in body.iter().enumerate() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' if depth > 0 => in_str = true,
            b'{' => depth += 1,
            b'}' if depth == 1 && body[0] == b'{' => return Some(i),
            b'}' => depth = depth.saturating_sub(1),
            b']' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// `chan receive (nil chan) (leaked), 3 minutes, locked to thread, synctest bubble 1 labels:{…}`.
fn parse_status(mut s: &[u8]) -> Header<'_> {
    let mut h = Header::default();
    if let Some(at) = memmem::find(s, b"labels:{") {
        h.labels = Some(trim(&s[at + 7..]));
        s = trim(&s[..at]);
        if let Some(stripped) = s.strip_suffix(b",") {
            s = stripped;
        }
    }
    let mut parts = s.split(|&c| c == b',').map(trim);
    let mut status = parts.next().unwrap_or_default();
    loop {
        if let Some(x) = status.strip_suffix(b" (scan)") {
            status = x;
        } else if let Some(x) = status.strip_suffix(b" (leaked)") {
            status = x;
            h.leaked = true;
        } else {
            break;
        }
    }
    h.state = status;
    for part in parts {
        if let Some(n) = part.strip_suffix(b" minutes") {
            h.minutes = parse_u64(n).map(|(v, _)| u32::try_from(v).unwrap_or(u32::MAX));
        } else if part == b"locked to thread" {
            h.locked = true;
        }
        // Other decorations (`synctest bubble N`, future ones) do not change the grouping.
    }
    h
}

fn parse_u64(s: &[u8]) -> Option<(u64, &[u8])> {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 19 {
        return None;
    }
    let v = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
    Some((v, &s[n..]))
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str) -> Header<'_> {
        header_at_start(line.as_bytes()).expect(line)
    }

    #[test]
    fn header_variants() {
        let h = header("goroutine 7 [chan receive, 12 minutes, locked to thread]:");
        assert_eq!(
            (h.id, h.state, h.minutes, h.locked),
            (7, &b"chan receive"[..], Some(12), true)
        );
        let h = header("goroutine 1 gp=0xc000002380 m=0 mp=0x5a3f60 [running]:");
        assert_eq!(h.state, b"running");
        let h = header("goroutine 1 gp=0xc000002380 m=nil [select (no cases)]:");
        assert_eq!(h.state, b"select (no cases)");
        let h = header("goroutine 37 [chan send (durable), synctest bubble 1]:");
        assert_eq!(h.state, b"chan send (durable)");
        let h = header("goroutine 9 [chan send (leaked)]:");
        assert!(h.leaked);
        assert_eq!(h.state, b"chan send");
        let h = header(r#"goroutine 9 [select, 2 minutes labels:{"a":"x]:", "b":"y"}]:"#);
        assert_eq!((h.state, h.minutes), (&b"select"[..], Some(2)));
        assert_eq!(h.labels, Some(&br#"{"a":"x]:", "b":"y"}"#[..]));
        let h = header(r#"goroutine 9 [select]: {"pool": "compute"}"#);
        assert_eq!(h.labels, Some(&br#"{"pool": "compute"}"#[..]));
        let h = header(r#"goroutine 22 [chan send] {evil: "a]:\"b", pool: compute}:"#);
        assert_eq!((h.id, h.state), (22, &b"chan send"[..]));
        assert_eq!(h.labels, Some(&br#"{evil: "a]:\"b", pool: compute}"#[..]));
        let h = header("goroutine 4 [semacquire (scan)]:");
        assert_eq!(h.state, b"semacquire");
        assert!(header_at_start(b"goroutine profile: total 4").is_none());
        assert!(header_at_start(b"goroutine 4 [select] junk").is_none());
    }

    #[test]
    fn locations_split_at_the_last_colon() {
        assert_eq!(
            split_location(b"C:/src/a.go:12 +0x1f"),
            (&b"C:/src/a.go"[..], 12)
        );
        assert_eq!(
            split_location(b"a.go:7 +0x1 fp=0x1 sp=0x2 pc=0x3"),
            (&b"a.go"[..], 7)
        );
        assert_eq!(
            split_location(b"a.go:99999999999999"),
            (&b"a.go"[..], u32::MAX)
        );
    }

    #[test]
    fn goleak_header() {
        let (at, h) = header_anywhere(
            b"        [Goroutine 8 in state chan receive, with main.f on top of the stack:",
        )
        .unwrap();
        assert_eq!((at, h.id, h.state), (8, 8, &b"chan receive"[..]));
    }
}
