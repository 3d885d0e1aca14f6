//! `json`: the diagnostics as a pretty-printed array, for scripts. The shape is spelled out here
//! (not derived from the model) so that it stays the same when the model grows.

use std::io::{self, Write};

use serde::Serialize;

use crate::{Diagnostic, Fix, Location, Related, Severity};

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    filename: &'a str,
    location: Location,
    end_location: Location,
    fix: Option<&'a Fix>,
    related: &'a [Related],
    url: &'a str,
}

pub(crate) fn render(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<_> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            name: d.name,
            severity: d.severity,
            message: &d.message,
            help: d.help.as_deref(),
            filename: &d.filename,
            location: d.location,
            end_location: d.end_location,
            fix: d.fix.as_ref(),
            related: &d.related,
            url: &d.url,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}
