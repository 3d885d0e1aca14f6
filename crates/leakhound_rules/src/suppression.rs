//! Which findings a `//nolint` comment (golangci-lint's grammar, parsed by the syntax crate)
//! suppresses: `//nolint` everything, `//nolint:leakhound` or `//nolint:all` every leakhound
//! rule, `//nolint:LH101,lost-cancel` those rules. A comment covers its own line, or the next
//! line when it stands alone on its line.

use leakhound_diagnostics::Diagnostic;
use leakhound_syntax::{LineIndex, ParsedFile};

use crate::registry;

#[derive(Debug)]
pub(crate) struct Suppressions<'a> {
    /// (line the comment applies to, the linters it names; empty means every linter).
    entries: Vec<(usize, Vec<&'a str>)>,
}

impl<'a> Suppressions<'a> {
    pub(crate) fn of(parsed: &ParsedFile<'a>, lines: &LineIndex) -> Suppressions<'a> {
        let source = parsed.source;
        let entries = parsed
            .directives()
            .nolint()
            .map(|nolint| {
                let start = nolint.span.start as usize;
                let (line, _) = lines.line_col(nolint.span.start);
                let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
                let alone = source[line_start..start].trim().is_empty();
                (if alone { line + 1 } else { line }, nolint.linters.clone())
            })
            .collect();
        Suppressions { entries }
    }

    pub(crate) fn suppresses(&self, diagnostic: &Diagnostic) -> bool {
        self.entries.iter().any(|(line, linters)| {
            *line == diagnostic.location.row
                && (linters.is_empty()
                    || linters.iter().any(|l| {
                        l.eq_ignore_ascii_case("leakhound")
                            || l.eq_ignore_ascii_case("all")
                            || registry::find(l).is_some_and(|r| r.code == diagnostic.code)
                    }))
        })
    }
}
