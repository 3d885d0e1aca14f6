//! `?debug=1`: `goroutine profile: total N` (or `goroutineleak profile: total N`), then records
//! `COUNT @ 0x… 0x…`, an optional `# labels: {…}` line and `#\t0xPC\tfunc+0xOFF\tfile:line`
//! frames (tabwriter-aligned, so columns may be separated by several tabs). Leading runtime
//! frames are not printed; the `@` PCs are not symbolised here, only the `#` lines are read.

use memchr::{memchr, memmem, memrchr};

use crate::error::ParseError;
use crate::intern::Interner;
use crate::model::{Format, FrameRef, Profile, Record};
use crate::text::split_location;

/// `None` when the text is not a debug=1 profile (no `... profile: total N` line first).
pub(crate) fn parse(data: &[u8], interner: &mut Interner) -> Result<Option<Profile>, ParseError> {
    let mut lines = data
        .split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .skip_while(|(_, l)| l.iter().all(u8::is_ascii_whitespace));
    let Some((_, first)) = lines.next() else {
        return Ok(None);
    };
    let (leak_profile, total) = if let Some(rest) = first.strip_prefix(b"goroutine profile: total ")
    {
        (false, rest)
    } else if let Some(rest) = first.strip_prefix(b"goroutineleak profile: total ") {
        (true, rest)
    } else {
        return Ok(None);
    };
    let total: u64 = std::str::from_utf8(total)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| ParseError::Debug1 {
            line: 1,
            message: "total is not a number".into(),
        })?;

    let state = interner.intern(b"unknown");
    let empty = interner.intern(b"");
    let mut records: Vec<Record> = Vec::new();
    let mut open: Option<Record> = None;
    let mut sum = 0u64;
    let mut partial = None;
    for (n, line) in lines {
        if line.is_empty() {
            records.extend(open.take());
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"# labels: ") {
            if let Some(r) = open.as_mut() {
                r.labels = Some(interner.intern(rest.trim_ascii()));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"#") {
            let Some(r) = open.as_mut() else { continue };
            let mut cols = rest.split(|&c| c == b'\t').filter(|c| !c.is_empty());
            let (Some(_pc), Some(func), Some(loc)) = (cols.next(), cols.next(), cols.next()) else {
                continue;
            };
            let func = match memrchr(b'+', func) {
                Some(i) if func[i + 1..].starts_with(b"0x") => &func[..i],
                _ => func,
            };
            let (file, line_no) = split_location(loc.trim_ascii());
            r.frames.push(FrameRef {
                function: interner.intern(func),
                file: if file.is_empty() {
                    empty
                } else {
                    interner.intern(file)
                },
                line: line_no,
            });
            continue;
        }
        let Some(at) = memmem::find(line, b" @") else {
            if memchr(b'\0', line).is_some() || records.is_empty() && open.is_none() {
                return Err(ParseError::Debug1 {
                    line: n + 1,
                    message: "expected `COUNT @ 0x...`".into(),
                });
            }
            partial = Some(format!(
                "line {}: unexpected text, records after it are missing",
                n + 1
            ));
            break;
        };
        let count = std::str::from_utf8(&line[..at])
            .ok()
            .and_then(|c| c.trim().parse::<u64>().ok());
        let Some(count) = count else {
            return Err(ParseError::Debug1 {
                line: n + 1,
                message: "record count is not a number".into(),
            });
        };
        records.extend(open.take());
        sum = sum.saturating_add(count);
        open = Some(Record {
            count,
            state,
            wait_minutes: None,
            locked: 0,
            leaked: if leak_profile { count } else { 0 },
            frames: Vec::new(),
            created_by: None,
            labels: None,
            elided: false,
            ids: None,
        });
    }
    records.extend(open.take());
    if partial.is_none() && sum < total && !data.ends_with(b"\n") {
        partial = Some(format!(
            "records sum to {sum} of the {total} goroutines in the header: input is truncated"
        ));
    }
    Ok(Some(Profile {
        format: Format::Debug1,
        total,
        records,
        leak_profile,
        preamble: None,
        partial,
        time_nanos: None,
    }))
}
