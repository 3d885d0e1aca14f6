//! `junit`: JUnit XML for GitLab's test report and Jenkins' JUnit plugin. One test suite per
//! file, one failing test case per finding; a run without findings is one passing case, so the
//! report shows that leakhound ran rather than looking empty.

use std::io::{self, Write};

use crate::xml::{attr, text};
use crate::Diagnostic;

pub(crate) fn render(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    if diagnostics.is_empty() {
        writeln!(
            out,
            r#"<testsuites name="leakhound" tests="1" failures="0" errors="0">"#
        )?;
        writeln!(
            out,
            r#"  <testsuite name="leakhound" tests="1" failures="0" errors="0" skipped="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="no leaks found" classname="leakhound"/>"#
        )?;
        writeln!(out, "  </testsuite>")?;
        return writeln!(out, "</testsuites>");
    }
    let n = diagnostics.len();
    writeln!(
        out,
        r#"<testsuites name="leakhound" tests="{n}" failures="{n}" errors="0">"#
    )?;
    // Diagnostics arrive sorted by path, so each file's findings are one run.
    for group in diagnostics.chunk_by(|a, b| a.filename == b.filename) {
        let file = attr(&group[0].filename);
        let k = group.len();
        writeln!(
            out,
            r#"  <testsuite name="{file}" tests="{k}" failures="{k}" errors="0" skipped="0">"#
        )?;
        for d in group {
            let (row, col) = (d.location.row, d.location.column);
            writeln!(
                out,
                r#"    <testcase name="{} {} at {row}:{col}" classname="{file}" file="{file}" line="{row}">"#,
                attr(d.code),
                attr(d.name)
            )?;
            let mut body = format!("{}:{row}:{col}: {} {}", d.filename, d.code, d.message);
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                attr(&d.message),
                attr(d.code),
                text(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}
