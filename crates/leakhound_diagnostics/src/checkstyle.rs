//! `checkstyle`: Checkstyle XML, read by Jenkins (warnings-ng), reviewdog `-f=checkstyle` and
//! many IDE plugins. One `<file>` per file with findings.

use std::io::{self, Write};

use crate::source::{char_column, Lines};
use crate::xml::attr;
use crate::{Diagnostic, SourceLookup};

pub(crate) fn render(
    diagnostics: &[Diagnostic],
    sources: &dyn SourceLookup,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut lines = Lines::new(sources);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    // Diagnostics arrive sorted by path, so each file's findings are one run.
    for group in diagnostics.chunk_by(|a, b| a.filename == b.filename) {
        writeln!(out, r#"  <file name="{}">"#, attr(&group[0].filename))?;
        for d in group {
            let column = char_column(lines.line(&d.filename, d.location.row), d.location.column);
            writeln!(
                out,
                r#"    <error line="{}" column="{column}" severity="{}" message="{}" source="leakhound.{}"/>"#,
                d.location.row,
                d.severity.as_str(),
                attr(&d.message),
                attr(d.code)
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}
