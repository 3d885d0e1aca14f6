//! `//nolint` comments, in golangci-lint's grammar: `//nolint` (everything),
//! `//nolint:leakhound` or `//nolint:all` (every leakhound rule), `//nolint:LH101,lost-cancel`
//! (those rules), optionally followed by `// reason`. A comment suppresses findings on its own
//! line, or on the next line when it stands alone on its line.

use leakhound_diagnostics::Diagnostic;
use leakhound_syntax::{LineIndex, ParsedFile};

use crate::registry;

#[derive(Debug, PartialEq, Eq)]
enum Scope {
    Everything,
    Rules(Vec<String>),
}

#[derive(Debug)]
pub(crate) struct Suppressions {
    /// (line the comment applies to, what it suppresses).
    entries: Vec<(usize, Scope)>,
}

/// Parses the text of one comment; `None` when it is not a nolint directive.
fn parse(comment: &str) -> Option<Scope> {
    let body = comment.strip_prefix("//")?.trim_start();
    let rest = body.strip_prefix("nolint")?;
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        return Some(Scope::Everything);
    }
    let list = rest.strip_prefix(':')?;
    let list = list.split(char::is_whitespace).next().unwrap_or("");
    let names: Vec<String> = list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case("leakhound") || n.eq_ignore_ascii_case("all")) {
        return Some(Scope::Everything);
    }
    Some(Scope::Rules(names))
}

impl Suppressions {
    pub(crate) fn of(parsed: &ParsedFile<'_>, source: &str) -> Suppressions {
        let lines = LineIndex::new(source);
        let mut entries = Vec::new();
        for comment in parsed.comments() {
            let Some(scope) = parse(comment.text) else { continue };
            let (line, _) = lines.line_col(comment.span.start);
            let line_start = source[..comment.span.start as usize].rfind('\n').map_or(0, |i| i + 1);
            let alone = source[line_start..comment.span.start as usize].trim().is_empty();
            entries.push((if alone { line + 1 } else { line }, scope));
        }
        Suppressions { entries }
    }

    pub(crate) fn suppresses(&self, diagnostic: &Diagnostic) -> bool {
        self.entries.iter().any(|(line, scope)| {
            *line == diagnostic.location.row
                && match scope {
                    Scope::Everything => true,
                    Scope::Rules(names) => names.iter().any(|n| {
                        registry::find(n).is_some_and(|r| r.code == diagnostic.code)
                    }),
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse("//nolint"), Some(Scope::Everything));
        assert_eq!(parse("// nolint // reason"), Some(Scope::Everything));
        assert_eq!(parse("//nolint:leakhound"), Some(Scope::Everything));
        assert_eq!(parse("//nolint:all // x"), Some(Scope::Everything));
        assert_eq!(parse("//nolint:LH101,lost-cancel // reason"), Some(Scope::Rules(vec!["LH101".into(), "lost-cancel".into()])));
        assert_eq!(parse("//nolint:govet // want LH201"), Some(Scope::Rules(vec!["govet".into()])));
        assert_eq!(parse("//nolintx"), None);
        assert_eq!(parse("// a comment about nolint"), None);
    }
}
