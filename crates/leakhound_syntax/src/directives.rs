//! Directive comments: `//nolint`, `//go:build`, `//go:debug`, other `//go:` directives, and
//! the `// Code generated ... DO NOT EDIT.` header.

use crate::ast::Span;
use crate::lexer::{Comment, Lexer, Tok};

/// A `//nolint` comment in golangci-lint's grammar: `//nolint` (every linter),
/// `//nolint:a,b` (those), optionally followed by `// reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nolint<'a> {
    /// Empty means every linter.
    pub linters: Vec<&'a str>,
    pub reason: Option<&'a str>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive<'a> {
    Nolint(Nolint<'a>),
    /// `//go:build expr`: the constraint expression.
    GoBuild {
        expr: &'a str,
        span: Span,
    },
    /// `//go:debug key=value`.
    GoDebug {
        key: &'a str,
        value: &'a str,
        span: Span,
    },
    /// Any other `//go:name args` (`go:generate`, `go:embed`, `go:linkname`...).
    Go {
        name: &'a str,
        args: &'a str,
        span: Span,
    },
}

/// The directives of one file, in source order.
#[derive(Clone, Debug, Default)]
pub struct Directives<'a> {
    pub list: Vec<Directive<'a>>,
    generated: bool,
}

/// Parses the text of a `//nolint` comment; `None` when the comment is not one.
pub fn parse_nolint<'a>(comment: &Comment<'a>) -> Option<Nolint<'a>> {
    let body = comment.text.strip_prefix("//")?.trim_start();
    let rest = body.strip_prefix("nolint")?;
    let (list, after) = if let Some(list) = rest.strip_prefix(':') {
        let end = list.find(char::is_whitespace).unwrap_or(list.len());
        (&list[..end], &list[end..])
    } else if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        ("", rest)
    } else {
        return None;
    };
    let linters = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let reason = after
        .trim_start()
        .strip_prefix("//")
        .map(str::trim)
        .filter(|r| !r.is_empty());
    Some(Nolint {
        linters,
        reason,
        span: comment.span,
    })
}

fn parse_directive<'a>(comment: &Comment<'a>) -> Option<Directive<'a>> {
    if let Some(n) = parse_nolint(comment) {
        return Some(Directive::Nolint(n));
    }
    let body = comment.text.strip_prefix("//go:")?;
    let (name, args) = body.split_once([' ', '\t']).unwrap_or((body, ""));
    let args = args.trim();
    let span = comment.span;
    Some(match name {
        "build" => Directive::GoBuild { expr: args, span },
        "debug" => {
            let (key, value) = args.split_once('=')?;
            Directive::GoDebug {
                key: key.trim(),
                value: value.trim(),
                span,
            }
        }
        _ => Directive::Go { name, args, span },
    })
}

/// go/ast's `IsGenerated` test on the comments before the package clause.
fn generated_header<'c>(
    comments: impl IntoIterator<Item = &'c Comment<'c>>,
    package_pos: u32,
) -> bool {
    const PREFIX: &str = "// Code generated ";
    comments
        .into_iter()
        .take_while(|c| c.span.start <= package_pos)
        .any(|c| {
            c.text.contains(PREFIX)
                && c.text.split('\n').any(|line| {
                    line.strip_prefix(PREFIX)
                        .is_some_and(|rest| rest.ends_with(" DO NOT EDIT."))
                })
        })
}

impl<'a> Directives<'a> {
    pub fn new(_src: &'a str, comments: &[Comment<'a>], package_pos: u32) -> Directives<'a> {
        Directives {
            list: comments.iter().filter_map(parse_directive).collect(),
            generated: generated_header(comments, package_pos),
        }
    }

    pub fn nolint(&self) -> impl Iterator<Item = &Nolint<'a>> + '_ {
        self.list.iter().filter_map(|d| match d {
            Directive::Nolint(n) => Some(n),
            _ => None,
        })
    }

    /// `(key, value)` of every `//go:debug` directive.
    pub fn go_debug(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.list.iter().filter_map(|d| match d {
            Directive::GoDebug { key, value, .. } => Some((*key, *value)),
            _ => None,
        })
    }

    /// The `//go:build` expression, if any.
    pub fn go_build(&self) -> Option<&'a str> {
        self.list.iter().find_map(|d| match d {
            Directive::GoBuild { expr, .. } => Some(*expr),
            _ => None,
        })
    }

    /// Whether the file has a `// Code generated ... DO NOT EDIT.` comment before its package clause.
    pub fn is_generated(&self) -> bool {
        self.generated
    }
}

/// Whether `src` has the generated-code header, without parsing the file: scans only the
/// comments before the first token.
pub fn is_generated(src: &str) -> bool {
    let mut lx = Lexer::new(src);
    let first = lx.next_token();
    let package_pos = if first.tok == Tok::Package {
        first.pos
    } else {
        u32::MAX
    };
    generated_header(&lx.comments, package_pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_file;

    #[test]
    fn nolint_grammar() {
        let c = |text| Comment {
            text,
            span: Span::default(),
        };
        let n = parse_nolint(&c("//nolint:LH101,lost-cancel // reason here")).unwrap();
        assert_eq!(n.linters, ["LH101", "lost-cancel"]);
        assert_eq!(n.reason, Some("reason here"));
        let n = parse_nolint(&c("//nolint")).unwrap();
        assert!(n.linters.is_empty() && n.reason.is_none());
        assert!(parse_nolint(&c("// nolint // why")).is_some_and(|n| n.reason == Some("why")));
        assert!(parse_nolint(&c("//nolintx")).is_none());
        assert!(parse_nolint(&c("// a comment about nolint")).is_none());
        assert!(parse_nolint(&c("/* nolint */")).is_none());
    }

    #[test]
    fn directives_and_generated() {
        let src = "// Code generated by x. DO NOT EDIT.\n\n//go:build linux && !cgo\n\n//go:debug asynctimerchan=1\npackage main\n\n//go:generate stringer -type=T\nvar x = 1 //nolint:lll\n";
        let arena = crate::Arena::new();
        let p = parse_file(src, &arena);
        assert!(p.errors.is_empty());
        let d = p.directives();
        assert!(d.is_generated());
        assert!(is_generated(src));
        assert_eq!(d.go_build(), Some("linux && !cgo"));
        assert_eq!(d.go_debug().collect::<Vec<_>>(), [("asynctimerchan", "1")]);
        assert_eq!(
            d.nolint().next().map(|n| n.linters.clone()),
            Some(vec!["lll"])
        );
        assert!(d.list.iter().any(|x| matches!(
            x,
            Directive::Go {
                name: "generate",
                ..
            }
        )));
    }

    #[test]
    fn generated_only_before_package() {
        assert!(!is_generated(
            "package p\n// Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated(
            "// Code generated by x. DO NOT EDIT\npackage p\n"
        ));
        assert!(is_generated(
            "/*\n// Code generated by x. DO NOT EDIT.\n*/\npackage p\n"
        ));
        assert!(!parse_file(
            "package p\n// Code generated by x. DO NOT EDIT.\n",
            &crate::Arena::new()
        )
        .is_generated());
    }
}
