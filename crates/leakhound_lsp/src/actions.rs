//! Code actions: a rule's own fix (safe ones preferred, unsafe ones marked), a `//nolint`
//! comment for the finding's line, and every safe fix of the file at once.

use std::collections::HashMap;

use leakhound_diagnostics::{Applicability, Diagnostic, Edit};
use leakhound_rules::fix::apply_fixes;
use lsp_types::{CodeAction, CodeActionKind, TextEdit, Url, WorkspaceEdit};

use crate::convert::{self, Encoding, Text};

/// The kind of the whole-file action; editors run it on save with `source.fixAll`.
pub const FIX_ALL: &str = "source.fixAll.leakhound";

pub struct Request<'a> {
    pub uri: &'a Url,
    pub text: &'a str,
    /// The file's current findings.
    pub diagnostics: &'a [Diagnostic],
    /// The 1-based lines the editor asks about: a finding anywhere on them qualifies, so the
    /// cursor need not sit inside its span.
    pub first_line: usize,
    pub last_line: usize,
    /// `CodeActionContext::only`: the kinds the client wants, if it says.
    pub only: Option<&'a [CodeActionKind]>,
    pub encoding: Encoding,
    /// The package's texts, for the related locations of the diagnostics sent back.
    pub sources: &'a HashMap<String, String>,
}

pub fn code_actions(req: &Request) -> Vec<CodeAction> {
    let text = Text::new(req.text);
    let mut actions = Vec::new();
    for d in req.diagnostics {
        if d.location.row > req.last_line || d.end_location.row < req.first_line {
            continue;
        }
        let shown = convert::diagnostic(d, &text, req.sources, req.encoding);
        if let Some(fix) = d
            .fix
            .as_ref()
            .filter(|f| f.applicability != Applicability::DisplayOnly && !f.edits.is_empty())
        {
            let safe = fix.applicability == Applicability::Safe;
            actions.push(CodeAction {
                title: if safe {
                    format!("{}: {}", d.code, fix.message)
                } else {
                    format!("{}: {} (unsafe: may change behaviour)", d.code, fix.message)
                },
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown.clone()]),
                edit: Some(workspace_edit(req, &text, &fix.edits)),
                is_preferred: Some(safe),
                ..CodeAction::default()
            });
        }
        if let Some((at, content)) = nolint_insertion(&text, d) {
            actions.push(CodeAction {
                title: format!("{}: suppress with //nolint:{}", d.code, d.code),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown]),
                edit: Some(workspace_edit(
                    req,
                    &text,
                    &[Edit {
                        content,
                        location: d.location,
                        end_location: d.location,
                        start: at,
                        end: at,
                    }],
                )),
                ..CodeAction::default()
            });
        }
    }
    if let Some(fixed) = apply_fixes(req.text, req.diagnostics, false) {
        let edits: Vec<Edit> = fixed
            .applied
            .iter()
            .flat_map(|&i| req.diagnostics[i].fix.iter().flat_map(|f| f.edits.clone()))
            .collect();
        actions.push(CodeAction {
            title: format!(
                "leakhound: apply every safe fix in this file ({})",
                fixed.applied.len()
            ),
            kind: Some(CodeActionKind::new(FIX_ALL)),
            edit: Some(workspace_edit(req, &text, &edits)),
            ..CodeAction::default()
        });
    }
    actions.retain(|a| wanted(a.kind.as_ref(), req.only));
    actions
}

/// Kinds are hierarchical: asking for `source.fixAll` or `source` includes our fix-all.
fn wanted(kind: Option<&CodeActionKind>, only: Option<&[CodeActionKind]>) -> bool {
    let (Some(kind), Some(only)) = (kind, only) else {
        return true;
    };
    only.iter().any(|o| {
        kind.as_str() == o.as_str()
            || kind
                .as_str()
                .strip_prefix(o.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn workspace_edit(req: &Request, text: &Text, edits: &[Edit]) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| TextEdit::new(text.range(e.start, e.end, req.encoding), e.content.clone()))
        .collect();
    WorkspaceEdit::new(HashMap::from([(req.uri.clone(), edits)]))
}

/// `//nolint:CODE` at the end of the finding's line, or on a line of its own above it when the
/// line already ends in a comment (golangci-lint reads `nolint` only at a comment's start).
/// Returns the offset to insert at and the text to insert.
fn nolint_insertion(text: &Text, d: &Diagnostic) -> Option<(usize, String)> {
    let (start, line) = text.line(d.location.row)?;
    Some(if line.contains("//") {
        let indent = &line[..line.len() - line.trim_start().len()];
        (start, format!("{indent}//nolint:{}\n", d.code))
    } else {
        (start + line.len(), format!(" //nolint:{}", d.code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakhound_diagnostics::{Fix, Location, Severity};

    const SRC: &str = "package p\n\nfunc f() {\n\tx := 1\n}\n";

    fn finding(applicability: Applicability) -> Diagnostic {
        let start = SRC.find("x :=").unwrap();
        let at = Location { row: 4, column: 2 };
        Diagnostic {
            code: "LH999",
            name: "test",
            severity: Severity::Warning,
            message: "m".into(),
            help: None,
            filename: "/p/a.go".into(),
            location: at,
            end_location: Location { row: 4, column: 3 },
            fix: Some(Fix {
                message: "rename x".into(),
                applicability,
                edits: vec![Edit {
                    content: "y".into(),
                    location: at,
                    end_location: Location { row: 4, column: 3 },
                    start,
                    end: start + 1,
                }],
            }),
            related: vec![],
            url: String::new(),
            start,
            end: start + 1,
        }
    }

    fn titles(diagnostics: &[Diagnostic]) -> Vec<(String, Option<bool>)> {
        let uri = Url::parse("file:///p/a.go").unwrap();
        let sources = HashMap::new();
        code_actions(&Request {
            uri: &uri,
            text: SRC,
            diagnostics,
            first_line: 4,
            last_line: 4,
            only: None,
            encoding: Encoding::Utf16,
            sources: &sources,
        })
        .into_iter()
        .map(|a| (a.title, a.is_preferred))
        .collect()
    }

    #[test]
    fn unsafe_fixes_are_marked_and_left_out_of_fix_all() {
        let suppress = ("LH999: suppress with //nolint:LH999".to_string(), None);
        assert_eq!(
            titles(&[finding(Applicability::Unsafe)]),
            [
                (
                    "LH999: rename x (unsafe: may change behaviour)".to_string(),
                    Some(false)
                ),
                suppress.clone()
            ]
        );
        let display_only = titles(&[finding(Applicability::DisplayOnly)]);
        assert_eq!(display_only.len(), 1);
        assert_eq!(display_only[0], suppress);
        let safe = titles(&[finding(Applicability::Safe)]);
        assert_eq!(safe[0], ("LH999: rename x".to_string(), Some(true)));
        assert_eq!(safe[1], suppress);
        assert_eq!(
            safe[2].0,
            "leakhound: apply every safe fix in this file (1)"
        );
    }
}
