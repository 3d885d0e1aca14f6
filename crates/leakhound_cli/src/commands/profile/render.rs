//! The terminal view: a table of groups (suspects first), then each suspect in detail. Every
//! string from a profile goes through `escape_control`.

use std::io::{self, Write};

use leakhound_profile::{escape_control as esc, Analysis, Frame, Group, Reason, Source};

use super::reasons;
use super::src::Snippet;

/// Non-suspect groups shown without `--all`.
const OTHERS_SHOWN: usize = 10;

pub fn text(out: &mut dyn Write, a: &Analysis, snippets: &[Snippet], all: bool) -> io::Result<()> {
    for (i, s) in a.sources.iter().enumerate() {
        let mut line = format!(
            "source {}: {} ({}, {} goroutines",
            i + 1,
            esc(&s.name),
            s.format,
            s.goroutines
        );
        if let Some(t) = &s.taken_at {
            line.push_str(&format!(", taken {t}"));
        }
        if s.leak_profile {
            line.push_str(", goroutineleak profile");
        }
        line.push(')');
        writeln!(out, "{line}")?;
        if let Some(p) = &s.preamble {
            writeln!(out, "  {}", esc(p))?;
        }
        if let Some(p) = &s.partial {
            writeln!(out, "  PARTIAL: {}", esc(p))?;
        }
    }
    for gap in &a.gaps {
        writeln!(
            out,
            "gap: sample {} @{:.1}s: {}",
            gap.sample,
            gap.at,
            esc(&gap.error)
        )?;
    }
    let suspects: Vec<&Group> = a.groups.iter().filter(|g| g.suspect).collect();
    let others: Vec<&Group> = a.groups.iter().filter(|g| !g.suspect).collect();
    let shown = others_shown(others.len(), all);
    writeln!(out)?;
    let multi = a.sources.len() > 1;
    let count_header = if multi { "COUNTS" } else { "COUNT" };
    let rows: Vec<[String; 6]> = suspects
        .iter()
        .chain(&others[..shown])
        .map(|g| {
            [
                if g.suspect {
                    format!("{:.2}", g.score)
                } else {
                    "-".to_string()
                },
                reasons::counts_cell(&g.counts),
                if multi {
                    format!("{:+}", g.change)
                } else {
                    format!("{:.1}%", g.share * 100.0)
                },
                g.per_minute
                    .map_or_else(|| "-".to_string(), |r| format!("{r:+.1}")),
                esc(&g.state).into_owned(),
                g.site.as_ref().map_or_else(
                    || "<runtime frames only>".to_string(),
                    |s| esc(&frame_text(s)).into_owned(),
                ),
            ]
        })
        .collect();
    let header = [
        "SCORE",
        count_header,
        if multi { "CHANGE" } else { "SHARE" },
        "/MIN",
        "STATE",
        "SITE",
    ];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let print_row = |out: &mut dyn Write, cells: [&str; 6]| -> io::Result<()> {
        let mut line = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 5 {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    print_row(out, header)?;
    for r in &rows {
        print_row(out, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]])?;
    }
    if shown < others.len() {
        writeln!(
            out,
            "... {} more groups (--all shows them)",
            others.len() - shown
        )?;
    }

    if suspects.is_empty() {
        writeln!(out, "\nno leak suspects")?;
    }
    let unclear: Vec<&Group> = others
        .iter()
        .copied()
        .filter(|g| g.reasons.contains(&Reason::NeedsFullSnapshot))
        .collect();
    if let Some(g) = unclear.first() {
        writeln!(
            out,
            "\nnote: {} large group(s) stayed the same size, parked (largest {} at {}): pools, or \
             leaks that stopped growing; this format has no goroutine ids, one --full snapshot \
             tells them apart",
            unclear.len(),
            g.counts.last().unwrap_or(&0),
            g.site
                .as_ref()
                .map_or_else(String::new, |s| esc(&frame_text(s)).into_owned())
        )?;
    }
    for (i, g) in suspects.iter().enumerate() {
        writeln!(
            out,
            "\nsuspect {} (score {:.2}, id {})",
            i + 1,
            g.score,
            g.id
        )?;
        for r in reasons::texts(g) {
            writeln!(out, "  - {}", esc(&r))?;
        }
        if g.states.len() > 1 {
            let states: Vec<String> = g
                .states
                .iter()
                .map(|(s, n)| format!("{} {n}", esc(s)))
                .collect();
            writeln!(out, "  states: {}", states.join(", "))?;
        }
        if let Some(m) = &g.wait_minutes {
            writeln!(out, "  waiting: {}..{} minutes", m.min, m.max)?;
        }
        if !g.labels.is_empty() {
            let labels: Vec<String> = g.labels.iter().map(|l| esc(l).into_owned()).collect();
            writeln!(out, "  labels: {}", labels.join(" "))?;
        }
        if let Some(counts) = replica_counts(g, |r| esc(r).into_owned()) {
            writeln!(out, "  replicas: {counts}")?;
        }
        if let Some(id) = g.example_goroutine {
            writeln!(out, "  example: goroutine {id}")?;
        }
        writeln!(out, "  stack:")?;
        for line in stack_lines(g) {
            match line {
                StackLine::Folded(n) => {
                    writeln!(out, "      ({n} runtime/standard library frames)")?;
                }
                StackLine::Frame(f, user) => {
                    let mark = if user { ">" } else { " " };
                    writeln!(out, "    {mark} {}", esc(&frame_text(f)))?;
                }
            }
        }
        if let Some(c) = &g.created_by {
            writeln!(out, "    created by {}", esc(&frame_text(c)))?;
        }
        if let Some(s) = snippets.iter().find(|s| s.group_id == g.id) {
            writeln!(
                out,
                "  source: {}:{}",
                esc(&s.path.display().to_string()),
                s.line
            )?;
            for (n, text) in &s.lines {
                let mark = if *n == s.line { ">" } else { " " };
                writeln!(out, "  {mark}{n:>5} | {}", esc(text))?;
            }
        }
        for f in &g.findings {
            writeln!(
                out,
                "  why: {} {} at line {}: {}",
                f.code,
                esc(&f.name),
                f.line,
                esc(&f.message)
            )?;
        }
    }
    Ok(())
}

pub(super) fn frame_text(f: &Frame) -> String {
    format!("{} {}:{}", f.function, f.file, f.line)
}

/// What the reports note beside a source, as (label, text): `taken` and its time, a
/// goroutineleak profile, a dump's first line (no label), `partial` and why.
pub(super) fn source_notes(s: &Source) -> Vec<(&'static str, &str)> {
    let mut notes = Vec::new();
    if let Some(t) = &s.taken_at {
        notes.push(("taken", t.as_str()));
    }
    if s.leak_profile {
        notes.push(("goroutineleak profile", ""));
    }
    if let Some(p) = &s.preamble {
        notes.push(("", p.as_str()));
    }
    if let Some(p) = &s.partial {
        notes.push(("partial", p.as_str()));
    }
    notes
}

/// A group's count per replica (`a 10, b 12`), each replica's name through `escape`; `None`
/// when the series is of one replica.
pub(super) fn replica_counts(g: &Group, escape: impl Fn(&str) -> String) -> Option<String> {
    if g.replicas.is_empty() {
        return None;
    }
    let counts: Vec<String> = g
        .replicas
        .iter()
        .map(|r| format!("{} {}", escape(&r.replica), r.count))
        .collect();
    Some(counts.join(", "))
}

/// How many non-suspect groups a report lists.
pub(super) fn others_shown(others: usize, all: bool) -> usize {
    if all {
        others
    } else {
        others.min(OTHERS_SHOWN)
    }
}

/// One line of a suspect's stack as every report shows it: user frames (the site marked),
/// runs of runtime and standard library frames folded into a count.
pub(super) enum StackLine<'a> {
    Frame(&'a Frame, bool),
    Folded(usize),
}

pub(super) fn stack_lines(g: &Group) -> Vec<StackLine<'_>> {
    let user = g.top_user_frame.as_ref();
    let mut lines = Vec::new();
    let mut folded = 0;
    for f in &g.frames {
        if f.stdlib && Some(f) != user {
            folded += 1;
            continue;
        }
        if folded > 0 {
            lines.push(StackLine::Folded(folded));
            folded = 0;
        }
        lines.push(StackLine::Frame(f, Some(f) == user));
    }
    if folded > 0 {
        lines.push(StackLine::Folded(folded));
    }
    lines
}
