//! The human formats: `full` (rustc/Ruff style, with the source excerpt) and `concise` (one line
//! per finding, as golangci-lint prints them). Everything taken from files or messages goes
//! through [`clean`]/[`display_line`] so that it cannot carry terminal escapes.

use std::io::{self, Write};

use crate::source::{byte_offset, clean, display_line, display_width, Lines};
use crate::{Applicability, Diagnostic, Location, Severity, SourceLookup};

pub(crate) fn concise(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    for d in diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            clean(&d.filename),
            d.location.row,
            d.location.column,
            d.code,
            clean(&d.message)
        )?;
    }
    Ok(())
}

/// ANSI styles, applied only when colour is on.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, style: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

const BOLD: &str = "1";
const GUTTER: &str = "1;34";
const HELP: &str = "1;36";
const NOTE: &str = "1;32";

pub(crate) fn full(
    diagnostics: &[Diagnostic],
    color: bool,
    sources: &dyn SourceLookup,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint(color);
    let mut lines = Lines::new(sources);
    for d in diagnostics {
        let rows = std::iter::once(d.location.row).chain(d.related.iter().map(|r| r.location.row));
        let gutter = rows.max().unwrap_or(1).to_string().len();
        let pad = " ".repeat(gutter);

        writeln!(
            out,
            "{}:{}:{}: {} {}",
            paint.paint(BOLD, &clean(&d.filename)),
            d.location.row,
            d.location.column,
            paint.paint(severity_style(d.severity), d.code),
            paint.paint(BOLD, &clean(&d.message))
        )?;
        let snippet = Snippet {
            paint,
            gutter,
            style: severity_style(d.severity),
            mark: '^',
        };
        snippet.write(&mut lines, &d.filename, d.location, d.end_location, out)?;
        if let Some(help) = &d.help {
            writeln!(
                out,
                "{pad} = {}: {}",
                paint.paint(HELP, "help"),
                clean(help)
            )?;
        }
        for related in &d.related {
            writeln!(
                out,
                "{}: {}",
                paint.paint(NOTE, "note"),
                clean(&related.message)
            )?;
            writeln!(
                out,
                "{pad}{} {}:{}:{}",
                paint.paint(GUTTER, "-->"),
                clean(&related.filename),
                related.location.row,
                related.location.column
            )?;
            let note = Snippet {
                style: NOTE,
                mark: '-',
                ..snippet
            };
            note.write(
                &mut lines,
                &related.filename,
                related.location,
                related.end_location,
                out,
            )?;
        }
        if let Some(fix) = &d.fix {
            let how = match fix.applicability {
                Applicability::Safe => "safe; --fix applies it",
                Applicability::Unsafe => "unsafe; --fix --unsafe-fixes applies it",
                Applicability::DisplayOnly => "suggestion",
            };
            writeln!(
                out,
                "{}: {} ({how})",
                paint.paint(HELP, "fix"),
                clean(&fix.message)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The gutter-and-carets excerpt of one location: `^` under the finding, `-` under a note.
#[derive(Clone, Copy)]
struct Snippet {
    paint: Paint,
    gutter: usize,
    style: &'static str,
    mark: char,
}

impl Snippet {
    /// Writes the location's first line with carets under the span; a span that runs onto
    /// later lines is marked to the end of its first line. Writes nothing without the source.
    fn write(
        &self,
        lines: &mut Lines,
        filename: &str,
        start: Location,
        end: Location,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let Some(line) = lines.line(filename, start.row) else {
            return Ok(());
        };
        let from = byte_offset(line, start.column);
        let to = if end.row == start.row {
            byte_offset(line, end.column).max(from)
        } else {
            line.len()
        };
        let indent = display_width(&line[..from]);
        let carets = display_width(&line[from..to]).max(1);

        let pad = " ".repeat(self.gutter);
        let bar = self.paint.paint(GUTTER, "|");
        let number = self.paint.paint(
            GUTTER,
            &format!("{:>width$}", start.row, width = self.gutter),
        );
        writeln!(out, "{pad} {bar}")?;
        writeln!(out, "{number} {bar} {}", display_line(line).trim_end())?;
        writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(indent),
            self.paint
                .paint(self.style, &self.mark.to_string().repeat(carets))
        )?;
        writeln!(out, "{pad} {bar}")
    }
}
