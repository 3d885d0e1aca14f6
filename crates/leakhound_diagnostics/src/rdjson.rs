//! `rdjson`: reviewdog's Diagnostic Format (`reviewdog -f=rdjson`), one JSON object. Columns are
//! UTF-8 byte columns, as that format specifies, and only safe fixes become suggestions, since
//! reviewdog offers them as one-click commits.

use std::io::{self, Write};

use serde::Serialize;

use crate::{Applicability, Diagnostic, Location, Severity};

#[derive(Serialize)]
struct Report<'a> {
    source: Source<'a>,
    diagnostics: Vec<RdDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct RdDiagnostic<'a> {
    message: &'a str,
    location: RdLocation<'a>,
    severity: &'a str,
    code: Code<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
}

#[derive(Serialize)]
struct RdLocation<'a> {
    path: &'a str,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Code<'a> {
    value: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    range: Range,
    text: &'a str,
}

#[derive(Serialize)]
struct RelatedLocation<'a> {
    message: &'a str,
    location: RdLocation<'a>,
}

fn range(start: Location, end: Location) -> Range {
    Range {
        start: Position {
            line: start.row,
            column: start.column,
        },
        end: Position {
            line: end.row,
            column: end.column,
        },
    }
}

pub(crate) fn render(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = diagnostics
        .iter()
        .map(|d| RdDiagnostic {
            message: &d.message,
            location: RdLocation {
                path: &d.filename,
                range: range(d.location, d.end_location),
            },
            severity: match d.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "WARNING",
                Severity::Info => "INFO",
            },
            code: Code {
                value: d.code,
                url: &d.url,
            },
            suggestions: d
                .fix
                .iter()
                .filter(|fix| fix.applicability == Applicability::Safe)
                .flat_map(|fix| &fix.edits)
                .map(|e| Suggestion {
                    range: range(e.location, e.end_location),
                    text: &e.content,
                })
                .collect(),
            related_locations: d
                .related
                .iter()
                .map(|r| RelatedLocation {
                    message: &r.message,
                    location: RdLocation {
                        path: &r.filename,
                        range: range(r.location, r.end_location),
                    },
                })
                .collect(),
        })
        .collect();
    let report = Report {
        source: Source {
            name: "leakhound",
            url: "https://leakhound.dev",
        },
        diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
