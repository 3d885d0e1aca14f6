//! `--output-format markdown`: the report as CommonMark/GFM, to paste into a post-mortem or a
//! ticket. Strings from a profile are either inside a code fence longer than any run of
//! backticks they hold, or have every character that Markdown or inline HTML would act on
//! backslash-escaped, so a hostile function name stays text.

use std::io::{self, Write};

use leakhound_profile::{escape_control, Analysis, Group};

use super::html::site_text;
use super::reasons;
use super::render::{
    frame_text, others_shown, replica_counts, source_notes, stack_lines, StackLine,
};
use super::src::Snippet;

pub fn markdown(
    out: &mut dyn Write,
    a: &Analysis,
    snippets: &[Snippet],
    all: bool,
) -> io::Result<()> {
    let suspects: Vec<&Group> = a.groups.iter().filter(|g| g.suspect).collect();
    let others: Vec<&Group> = a.groups.iter().filter(|g| !g.suspect).collect();
    writeln!(out, "# leakhound goroutine report\n")?;
    writeln!(
        out,
        "{} source(s), {} groups, **{} leak suspect(s)**.\n",
        a.sources.len(),
        a.groups.len(),
        suspects.len()
    )?;
    writeln!(out, "| # | source | format | goroutines | notes |")?;
    writeln!(out, "| ---: | --- | --- | ---: | --- |")?;
    for (i, s) in a.sources.iter().enumerate() {
        let notes: Vec<String> = source_notes(s)
            .into_iter()
            .map(|(label, note)| match label {
                "partial" => format!("**partial:** {}", md(note)),
                _ => format!("{label} {}", md(note)).trim_start().to_string(),
            })
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            md(&s.name),
            s.format,
            s.goroutines,
            notes.join("; ")
        )?;
    }
    for gap in &a.gaps {
        writeln!(
            out,
            "\n- gap: sample {} at {:.1} s could not be read: {}",
            gap.sample,
            gap.at,
            md(&gap.error)
        )?;
    }
    writeln!(out, "\n## Leak suspects\n")?;
    if suspects.is_empty() {
        writeln!(out, "No leak suspects.")?;
    }
    for (i, g) in suspects.iter().enumerate() {
        suspect(out, i + 1, g, snippets.iter().find(|s| s.group_id == g.id))?;
    }
    let shown = others_shown(others.len(), all);
    if shown > 0 {
        writeln!(out, "\n## Other groups\n")?;
        writeln!(out, "| counts | state | site |")?;
        writeln!(out, "| ---: | --- | --- |")?;
        for g in &others[..shown] {
            writeln!(
                out,
                "| {} | {} | {} |",
                reasons::series(&g.counts),
                md(&g.state),
                md(&site_text(g))
            )?;
        }
        if shown < others.len() {
            writeln!(
                out,
                "\n… {} more groups (`--all` shows them).",
                others.len() - shown
            )?;
        }
    }
    Ok(())
}

fn suspect(out: &mut dyn Write, n: usize, g: &Group, snippet: Option<&Snippet>) -> io::Result<()> {
    writeln!(
        out,
        "### {n}. {} (score {:.2})\n",
        md(&site_text(g)),
        g.score
    )?;
    let mut facts = vec![
        format!("state: {}", md(&g.state)),
        format!("counts: {}", reasons::series(&g.counts)),
    ];
    if let Some(r) = g.per_minute {
        facts.push(format!("{r:+.1} per minute"));
    }
    if let Some(m) = &g.wait_minutes {
        facts.push(format!("waiting {}..{} minutes", m.min, m.max));
    }
    if let Some(counts) = replica_counts(g, md) {
        facts.push(format!("replicas: {counts}"));
    }
    writeln!(out, "{}\n", facts.join(" · "))?;
    for r in reasons::texts(g) {
        writeln!(out, "- {}", md(&r))?;
    }
    for f in &g.findings {
        writeln!(
            out,
            "- **why: {} {}** at line {}: {}",
            md(&f.code),
            md(&f.name),
            f.line,
            md(&f.message)
        )?;
    }
    let mut stack = String::new();
    for line in stack_lines(g) {
        match line {
            StackLine::Folded(k) => {
                stack.push_str(&format!("    ({k} runtime/standard library frames)\n"));
            }
            StackLine::Frame(f, user) => {
                let mark = if user { ">" } else { " " };
                stack.push_str(&format!("  {mark} {}\n", escape_control(&frame_text(f))));
            }
        }
    }
    if let Some(c) = &g.created_by {
        stack.push_str(&format!(
            "  created by {}\n",
            escape_control(&frame_text(c))
        ));
    }
    writeln!(out, "\nStack:\n")?;
    fenced(out, "text", &stack)?;
    if let Some(s) = snippet {
        writeln!(
            out,
            "Source {}:{}:\n",
            md(&s.path.display().to_string()),
            s.line
        )?;
        let mut body = String::new();
        for (num, src) in &s.lines {
            let mark = if *num == s.line { ">" } else { " " };
            body.push_str(&format!(
                "{mark}{num:>5} | {}\n",
                escape_control(&src.replace('\t', "    "))
            ));
        }
        fenced(out, "go", &body)?;
    }
    Ok(())
}

/// A fenced block whose fence is longer than any run of backticks in `body`.
fn fenced(out: &mut dyn Write, lang: &str, body: &str) -> io::Result<()> {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    writeln!(out, "{fence}{lang}\n{body}{fence}\n")
}

/// Text safe in a Markdown paragraph or table cell: control characters made visible, and
/// every character that could start emphasis, code, a link, inline HTML, an entity or a cell
/// boundary escaped with a backslash.
fn md(s: &str) -> String {
    let s = escape_control(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '|'
                | '#'
                | '!'
                | '~'
                | '&'
                | '{'
                | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(
            md("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(md("main.(*T).f"), "main.(\\*T).f");
        // A newline becomes a visible escape, itself escaped so that it renders as typed.
        assert_eq!(md("x\ny"), r"x\\u\{a\}y");
        let mut out = Vec::new();
        fenced(&mut out, "text", "a ```` b\n").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("`````text\n"), "{text}");
        assert!(text.ends_with("\n`````\n\n"), "{text}");
    }
}
