//! `codeclimate`: the Code Climate issue subset that GitLab's Code Quality report reads
//! (`artifacts:reports:codequality`). GitLab needs a relative path and a fingerprint that is
//! unique per finding and stable across commits to tell new findings from fixed ones.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::fingerprint::fingerprints;
use crate::source::{self, relative_path};
use crate::{Diagnostic, Severity, SourceLookup};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    engine_name: &'a str,
    check_name: &'a str,
    description: String,
    categories: [&'a str; 1],
    severity: &'a str,
    fingerprint: String,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: LineRange,
}

#[derive(Serialize)]
struct LineRange {
    begin: usize,
    end: usize,
}

pub(crate) fn render(
    diagnostics: &[Diagnostic],
    sources: &dyn SourceLookup,
    base: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut lines = source::Lines::new(sources);
    let prints = fingerprints(diagnostics, &mut lines, base);
    let issues: Vec<_> = diagnostics
        .iter()
        .zip(prints)
        .map(|(d, fingerprint)| Issue {
            kind: "issue",
            engine_name: "leakhound",
            check_name: d.code,
            description: format!("{} {}: {}", d.code, d.name, d.message),
            categories: ["Bug Risk"],
            severity: match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            },
            fingerprint,
            location: IssueLocation {
                path: relative_path(&d.filename, base).into_owned(),
                lines: LineRange {
                    begin: d.location.row,
                    end: d.end_location.row.max(d.location.row),
                },
            },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
