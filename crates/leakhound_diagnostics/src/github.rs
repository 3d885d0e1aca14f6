//! `github`: GitHub Actions workflow commands, which the runner turns into annotations on the
//! pull request diff. Paths are made repository-relative, as annotations require. Escaping
//! follows the runner's rules: `%`, CR and LF in the message; also `:` and `,` in properties,
//! which would otherwise end the property.

use std::io::{self, Write};
use std::path::Path;

use crate::source::{char_region, relative_path, safe_char, Lines};
use crate::{Diagnostic, Severity, SourceLookup};

pub(crate) fn render(
    diagnostics: &[Diagnostic],
    sources: &dyn SourceLookup,
    base: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut lines = Lines::new(sources);
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (col, end_col) = char_region(&mut lines, &d.filename, d.location, d.end_location);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            property(&format!("{} {}", d.code, d.name)),
            property(&relative_path(&d.filename, base)),
            d.location.row,
            col,
            d.end_location.row,
            end_col,
            data(&message)
        )?;
    }
    Ok(())
}

fn data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // Other control characters would reach the log viewer raw.
            _ => out.push(safe_char(c).unwrap_or(c)),
        }
    }
    out
}

fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(
            data("50% done\r\nnext\u{1b}"),
            "50%25 done%0D%0Anext\u{241b}"
        );
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
