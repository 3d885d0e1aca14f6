//! Which findings a `//nolint` comment (golangci-lint's grammar, parsed by the syntax crate)
//! suppresses: `//nolint` everything, `//nolint:leakhound` or `//nolint:all` every leakhound
//! rule, `//nolint:LH101,lost-cancel` those rules. A comment covers its own line, or the next
//! line when it stands alone on its line; when that line starts a declaration (a function, a
//! `var` or `type` block), it covers the whole declaration, as golangci-lint does.

use leakhound_diagnostics::Diagnostic;
use leakhound_syntax::{LineIndex, ParsedFile};

use crate::registry;

#[derive(Debug)]
pub(crate) struct Suppressions<'a> {
    /// (first and last line the comment covers, the linters it names; empty means every
    /// linter).
    entries: Vec<(usize, usize, Vec<&'a str>)>,
}

impl<'a> Suppressions<'a> {
    pub(crate) fn of(parsed: &ParsedFile<'a>, lines: &LineIndex) -> Suppressions<'a> {
        let source = parsed.source;
        let declarations: Vec<(usize, usize)> = parsed
            .file
            .decls
            .iter()
            .map(|d| {
                let span = d.span();
                (
                    lines.line_col(span.start).0,
                    lines.line_col(span.end.saturating_sub(1).max(span.start)).0,
                )
            })
            .collect();
        let entries = parsed
            .directives()
            .nolint()
            .map(|nolint| {
                let start = nolint.span.start as usize;
                let (line, _) = lines.line_col(nolint.span.start);
                let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
                let alone = source[line_start..start].trim().is_empty();
                let line = if alone { line + 1 } else { line };
                let last = declarations
                    .iter()
                    .find(|(first, _)| *first == line)
                    .map_or(line, |(_, last)| *last);
                (line, last, nolint.linters.clone())
            })
            .collect();
        Suppressions { entries }
    }

    pub(crate) fn suppresses(&self, diagnostic: &Diagnostic) -> bool {
        self.entries.iter().any(|(first, last, linters)| {
            (*first..=*last).contains(&diagnostic.location.row)
                && (linters.is_empty()
                    || linters.iter().any(|l| {
                        l.eq_ignore_ascii_case("leakhound")
                            || l.eq_ignore_ascii_case("all")
                            || registry::find(l).is_some_and(|r| r.code == diagnostic.code)
                    }))
        })
    }
}

/// `//nolint` names that look like leakhound codes (`LH999`, `E002`) but name no rule: a typo
/// that would otherwise suppress nothing, silently. Other linters' names are left alone. Each
/// is the 1-based line and the name as written.
pub fn unknown_codes<'a>(parsed: &ParsedFile<'a>, lines: &LineIndex) -> Vec<(usize, &'a str)> {
    parsed
        .directives()
        .nolint()
        .flat_map(|nolint| {
            let line = lines.line_col(nolint.span.start).0;
            nolint
                .linters
                .iter()
                .filter(|l| looks_like_code(l) && registry::find(l).is_none())
                .map(move |l| (line, *l))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn looks_like_code(name: &str) -> bool {
    let digits = name
        .strip_prefix("LH")
        .or_else(|| name.strip_prefix("lh"))
        .or_else(|| name.strip_prefix('E'));
    digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_codes_are_the_code_shaped_names_with_no_rule() {
        let src = "package p\n\n//nolint:LH201,LH999,errcheck // why\nvar x = 1 //nolint:E001,E002,lost-cancel,lostcancel\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let lines = parsed.line_index();
        assert_eq!(
            super::unknown_codes(&parsed, &lines),
            [(3, "LH999"), (4, "E002")]
        );
    }
}
