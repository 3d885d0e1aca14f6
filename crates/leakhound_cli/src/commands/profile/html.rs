//! `--output-format html`: one self-contained page (inline style, no script, a Content Security
//! Policy that forbids every request) with the summary, each suspect's counts as an inline SVG
//! chart, its reasons, stack, source lines and rule, and the largest other groups. Every string
//! taken from a profile or a checkout goes through `html_escape`.

use std::io::{self, Write};

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use leakhound_profile::{escape_control, Analysis, Group};

use super::reasons;
use super::render::{
    frame_text, others_shown, replica_counts, source_notes, stack_lines, StackLine,
};
use super::src::Snippet;

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem;color:#1d2430;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{margin-top:2rem;border-bottom:1px solid #d8dee8}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.2rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid #e5e9f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font:13px/1.4 ui-monospace,monospace}
pre{background:#f5f7fa;padding:.6rem .8rem;overflow-x:auto;border-radius:4px}
.suspect{border:1px solid #d8dee8;border-left:5px solid #c0392b;border-radius:4px;padding:.25rem 1rem 1rem;margin:1.25rem 0}
.suspect h3{margin:.6rem 0}.score{color:#fff;background:#c0392b;border-radius:3px;padding:0 .4rem;font-size:.85rem}
.user{font-weight:bold;color:#8e1b10}.folded{color:#6b7685}.hit{background:#fde2de;display:inline-block;width:100%}
.why{background:#fff6d6;border:1px solid #eed58a;border-radius:4px;padding:.4rem .7rem}
.summary{color:#4a5566}svg text{font:11px system-ui,sans-serif;fill:#4a5566}
";

pub fn html(out: &mut dyn Write, a: &Analysis, snippets: &[Snippet], all: bool) -> io::Result<()> {
    let suspects: Vec<&Group> = a.groups.iter().filter(|g| g.suspect).collect();
    let others: Vec<&Group> = a.groups.iter().filter(|g| !g.suspect).collect();
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>leakhound: {} leak suspect{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        suspects.len(),
        if suspects.len() == 1 { "" } else { "s" }
    )?;
    writeln!(out, "<h1>leakhound goroutine report</h1>")?;
    let latest: u64 = a.sources.last().map_or(0, |s| s.goroutines);
    writeln!(
        out,
        "<p class=\"summary\" id=\"summary\">{} source{}, {latest} goroutines in the latest, {} groups, \
         <strong>{} leak suspect{}</strong>.</p>",
        a.sources.len(),
        if a.sources.len() == 1 { "" } else { "s" },
        a.groups.len(),
        suspects.len(),
        if suspects.len() == 1 { "" } else { "s" },
    )?;
    writeln!(
        out,
        "<table><thead><tr><th>#</th><th>source</th><th>format</th><th>goroutines</th><th>notes</th></tr></thead><tbody>"
    )?;
    for (i, s) in a.sources.iter().enumerate() {
        let notes: Vec<String> = source_notes(s)
            .into_iter()
            .map(|(label, note)| match label {
                "partial" => format!("<strong>partial:</strong> {}", text(note)),
                "" => format!("<code>{}</code>", text(note)),
                _ => format!("{label} {}", text(note)).trim_end().to_string(),
            })
            .collect();
        writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            i + 1,
            text(&s.name),
            s.format,
            s.goroutines,
            notes.join("; ")
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if !a.gaps.is_empty() {
        writeln!(
            out,
            "<p>Samples that could not be read:</p>\n<ul class=\"gaps\">"
        )?;
        for gap in &a.gaps {
            writeln!(
                out,
                "<li>sample {} at {:.1} s: {}</li>",
                gap.sample,
                gap.at,
                text(&gap.error)
            )?;
        }
        writeln!(out, "</ul>")?;
    }

    writeln!(out, "<h2>Leak suspects</h2>")?;
    if suspects.is_empty() {
        writeln!(out, "<p id=\"no-suspects\">No leak suspects.</p>")?;
    }
    for (i, g) in suspects.iter().enumerate() {
        suspect(out, i + 1, g, snippets.iter().find(|s| s.group_id == g.id))?;
    }

    let shown = others_shown(others.len(), all);
    if shown > 0 {
        writeln!(out, "<h2>Other groups</h2>")?;
        writeln!(
            out,
            "<table><thead><tr><th>counts</th><th>state</th><th>site</th></tr></thead><tbody>"
        )?;
        for g in &others[..shown] {
            writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td><td><code>{}</code></td></tr>",
                text(&reasons::series(&g.counts)),
                text(&g.state),
                text(&site_text(g))
            )?;
        }
        writeln!(out, "</tbody></table>")?;
        if shown < others.len() {
            writeln!(
                out,
                "<p>… {} more groups (<code>--all</code> shows them).</p>",
                others.len() - shown
            )?;
        }
    }
    writeln!(out, "</body>\n</html>")
}

fn suspect(out: &mut dyn Write, n: usize, g: &Group, snippet: Option<&Snippet>) -> io::Result<()> {
    writeln!(
        out,
        "<section class=\"suspect\" id=\"suspect-{n}\" data-group=\"{}\">",
        attr(&g.id)
    )?;
    writeln!(
        out,
        "<h3>{n}. <code>{}</code> <span class=\"score\">score {:.2}</span></h3>",
        text(&site_text(g)),
        g.score
    )?;
    writeln!(
        out,
        "<p>{} goroutine{}{}{}{}</p>",
        g.counts.last().copied().unwrap_or(0),
        if g.counts.last() == Some(&1) { "" } else { "s" },
        // debug=1 and debug=0 print no states.
        if g.state == "unknown" {
            String::new()
        } else {
            format!(" in <em>{}</em>", text(&g.state))
        },
        g.per_minute
            .map_or_else(String::new, |r| format!(", {r:+.1} per minute")),
        g.wait_minutes
            .as_ref()
            .map_or_else(String::new, |m| format!(
                ", waiting {}..{} minutes",
                m.min, m.max
            )),
    )?;
    writeln!(out, "<ul>")?;
    for r in reasons::texts(g) {
        writeln!(out, "<li>{}</li>", text(&r))?;
    }
    writeln!(out, "</ul>")?;
    if g.counts.len() > 1 {
        chart(out, &g.counts)?;
    }
    if let Some(counts) = replica_counts(g, |r| format!("<code>{}</code>", text(r))) {
        writeln!(out, "<p>replicas: {counts}</p>")?;
    }
    if !g.labels.is_empty() {
        let labels: Vec<String> = g
            .labels
            .iter()
            .map(|l| format!("<code>{}</code>", text(l)))
            .collect();
        writeln!(out, "<p>labels: {}</p>", labels.join(" "))?;
    }
    writeln!(out, "<h4>Stack</h4>\n<pre class=\"stack\">")?;
    for line in stack_lines(g) {
        match line {
            StackLine::Folded(k) => writeln!(
                out,
                "<span class=\"folded\">  ({k} runtime/standard library frames)</span>"
            )?,
            StackLine::Frame(f, true) => writeln!(
                out,
                "<span class=\"user\">&gt; {}</span>",
                text(&frame_text(f))
            )?,
            StackLine::Frame(f, false) => writeln!(out, "  {}", text(&frame_text(f)))?,
        }
    }
    if let Some(c) = &g.created_by {
        writeln!(out, "created by {}", text(&frame_text(c)))?;
    }
    writeln!(out, "</pre>")?;
    if let Some(s) = snippet {
        writeln!(
            out,
            "<h4>Source: <code>{}:{}</code></h4>\n<pre class=\"source\">",
            text(&s.path.display().to_string()),
            s.line
        )?;
        for (num, src) in &s.lines {
            let body = format!(
                "{num:>5} | {}",
                text(&escape_control(&src.replace('\t', "    ")))
            );
            if *num == s.line {
                writeln!(out, "<span class=\"hit\">{body}</span>")?;
            } else {
                writeln!(out, "{body}")?;
            }
        }
        writeln!(out, "</pre>")?;
    }
    for f in &g.findings {
        writeln!(
            out,
            "<p class=\"why\"><strong>{} {}</strong> at line {}: {}</p>",
            text(&f.code),
            text(&f.name),
            f.line,
            text(&f.message)
        )?;
    }
    writeln!(out, "</section>")
}

/// Bars of the counts over the samples, the largest labelled; each bar has a tooltip.
fn chart(out: &mut dyn Write, counts: &[u64]) -> io::Result<()> {
    const W: f64 = 480.0;
    const H: f64 = 120.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 18.0;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = W / counts.len() as f64;
    let bar = (slot * 0.7).max(1.0);
    let values: Vec<String> = counts.iter().map(u64::to_string).collect();
    writeln!(
        out,
        "<svg class=\"chart\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-label=\"goroutines per sample: {}\">",
        values.join(", ")
    )?;
    writeln!(
        out,
        "<line x1=\"0\" y1=\"{y}\" x2=\"{W}\" y2=\"{y}\" stroke=\"#b8c1cc\"/>",
        y = H - BOTTOM
    )?;
    let label_every = counts.len().div_ceil(16);
    for (i, &c) in counts.iter().enumerate() {
        let h = (c as f64 / max) * (H - TOP - BOTTOM);
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let y = H - BOTTOM - h;
        writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"#c0392b\"><title>sample {}: {c}</title></rect>",
            i + 1
        )?;
        if i % label_every == 0 || i + 1 == counts.len() {
            let cx = x + bar / 2.0;
            writeln!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{c}</text><text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">t{}</text>",
                (y - 3.0).max(10.0),
                H - 4.0,
                i + 1
            )?;
        }
    }
    writeln!(out, "</svg>")
}

pub(super) fn site_text(g: &Group) -> String {
    g.site
        .as_ref()
        .map_or_else(|| "<runtime frames only>".to_string(), frame_text)
}
