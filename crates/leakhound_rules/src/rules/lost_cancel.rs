//! ## What it does
//! Flags the cancel function returned by `context.WithCancel`, `WithTimeout`, `WithDeadline`,
//! `WithCancelCause`, `WithTimeoutCause` or `WithDeadlineCause` when it is assigned to `_`, or to
//! a variable that is never called, deferred, returned, stored, or passed on. `_ = cancel` is
//! not a use. `main.main` is exempt: returning from it ends the process.
//!
//! ## Why is this bad?
//! Until cancel is called, the new context stays linked into its parent, and a `WithTimeout` or
//! `WithDeadline` context keeps its timer. For a long-lived parent (a server's base context,
//! `context.Background()`) that is forever. `ctx, _ := context.WithTimeout(ctx, d)` inside a
//! request loop leaks one context and one timer per iteration.
//!
//! ## Example
//! ```go
//! func (s *Server) charge(ctx context.Context, o Order) error {
//!     ctx, _ = context.WithTimeout(ctx, 2*time.Second)
//!     return s.gateway.Charge(ctx, o)
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (s *Server) charge(ctx context.Context, o Order) error {
//!     ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
//!     defer cancel()
//!     return s.gateway.Charge(ctx, o)
//! }
//! ```
//!
//! ## Go version notes
//! None: this leak does not depend on the timer change of Go 1.23.
//!
//! ## Fix safety
//! Outside loops the fix is safe and `--fix` applies it: the cancel function gets a name
//! (`cancel`, or `cancel2`... when taken) and `defer cancel()` is inserted on the next line.
//! Inside a loop body a `defer` would pile up (LH202), so the fix is only suggested: call
//! `cancel()` at the end of each iteration.
//!
//! ## Related
//! go vet lostcancel (reports `_` and paths that skip the cancel, but counts `_ = cancel` and a
//! cancel stored in an unused field as uses), gosec G118, LH202 defer-in-loop.

use leakhound_diagnostics::{Applicability, Edit, Fix, Severity};
use leakhound_syntax::ast::{AssignOp, AssignStmt, Expr, Span, Stmt, ValueSpec};

use crate::checker::{Binding, Checker, Frame, FrameKind, Pending, RefKind};
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::LostCancel,
    code: "LH201",
    name: "lost-cancel",
    summary: "a context.With* cancel func that is discarded or never used",
    severity: Severity::Error,
    doc: crate::docs::LOST_CANCEL,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Walk],
};

/// The `context` functions that return a cancel func as their second result.
pub(crate) const CONSTRUCTORS: &[&str] = &[
    "WithCancel",
    "WithTimeout",
    "WithDeadline",
    "WithCancelCause",
    "WithTimeoutCause",
    "WithDeadlineCause",
];

enum Cancel<'a> {
    /// Assigned to `_`; the span is the `_`.
    Discarded(Span),
    Named(&'a str),
}

/// How the safe fix may rename `_`: in place, or also turning `=` into `:=`.
enum FixShape {
    Rename,
    RenameAndDefine { op: Span },
    None,
}

pub(crate) struct Candidate<'a> {
    func: &'a str,
    call: Span,
    cancel: Cancel<'a>,
    statement: Span,
    in_loop: bool,
    fix: FixShape,
}

fn exempt(checker: &Checker<'_, '_>) -> bool {
    matches!(
        checker.frame().map(|f| f.kind),
        Some(FrameKind::Decl {
            name: "main",
            is_method: false
        })
    ) && checker.is_main_package
}

fn push<'a>(checker: &mut Checker<'_, 'a>, candidate: Candidate<'a>) {
    if let Some(frame) = checker.frames.last_mut() {
        frame.pending.push(Box::new(candidate));
    }
}

impl<'a> Pending<'a> for Candidate<'a> {
    fn resolve(&self, checker: &mut Checker<'_, 'a>, frame: &Frame<'a>) {
        resolve(checker, frame, self);
    }
}

/// `ctx, cancel := context.WithX(...)` or `ctx, _ = context.WithX(...)`.
pub(crate) fn candidate<'a>(
    checker: &mut Checker<'_, 'a>,
    binding: Binding<'a>,
    lhs: &'a Expr<'a>,
    call: &'a Expr<'a>,
    func: &'a str,
) {
    if exempt(checker) {
        return;
    }
    let Binding::Assign(assign) = binding;
    let Expr::Ident(id) = lhs else { return };
    let in_loop = checker.in_loop();
    let cancel = if id.name == "_" {
        Cancel::Discarded(id.span)
    } else if assign.tok == AssignOp::Define || checker.declared_in_frame(id.name) {
        Cancel::Named(id.name)
    } else {
        // Declared outside this function: other uses may exist (as go vet assumes).
        return;
    };
    let fix = if assign.tok == AssignOp::Define {
        FixShape::Rename
    } else {
        define_shape(checker, assign)
    };
    push(
        checker,
        Candidate {
            func,
            call: call.span(),
            cancel,
            statement: assign.span,
            in_loop,
            fix,
        },
    );
}

/// `var ctx, cancel = context.WithX(...)`.
pub(crate) fn candidate_spec<'a>(
    checker: &mut Checker<'_, 'a>,
    spec: &'a ValueSpec<'a>,
    call: &'a Expr<'a>,
    func: &'a str,
) {
    if exempt(checker) {
        return;
    }
    let name = &spec.names[1];
    let cancel = if name.name == "_" {
        Cancel::Discarded(name.span)
    } else {
        Cancel::Named(name.name)
    };
    let in_loop = checker.in_loop();
    push(
        checker,
        Candidate {
            func,
            call: call.span(),
            cancel,
            statement: spec.span,
            in_loop,
            fix: FixShape::Rename,
        },
    );
}

/// `ctx, _ = context.WithX(ctx, d)` may become `ctx, cancel := ...` only where `:=` redeclares
/// `ctx` instead of shadowing it: a statement of the function body itself, with every other
/// name on the left a parameter of the function.
fn define_shape<'a>(checker: &Checker<'_, 'a>, assign: &'a AssignStmt<'a>) -> FixShape {
    let Some(frame) = checker.frame() else {
        return FixShape::None;
    };
    let top_level = frame
        .body
        .stmts
        .iter()
        .any(|s| matches!(s, Stmt::Assign(a) if std::ptr::eq(a, assign)));
    let params_only = assign.lhs[..1]
        .iter()
        .all(|e| matches!(e, Expr::Ident(id) if id.name == "_" || frame.params.contains(&id.name)));
    let Some(last_lhs) = assign.lhs.last() else {
        return FixShape::None;
    };
    let Some(first_rhs) = assign.rhs.first() else {
        return FixShape::None;
    };
    let between = Span {
        start: last_lhs.span().end,
        end: first_rhs.span().start,
    };
    match checker.text(between).find('=') {
        Some(i) if top_level && params_only => {
            let start = between.start + i as u32;
            FixShape::RenameAndDefine {
                op: Span {
                    start,
                    end: start + 1,
                },
            }
        }
        _ => FixShape::None,
    }
}

pub(crate) fn resolve<'a>(checker: &mut Checker<'_, 'a>, frame: &Frame<'a>, candidate: &Candidate<'a>) {
    let func = candidate.func;
    let (message, blank) = match candidate.cancel {
        Cancel::Discarded(blank) => (
            format!("the cancel function returned by context.{func} is discarded: the context lives until its parent is cancelled"),
            Some(blank),
        ),
        Cancel::Named(name) => {
            let used = frame.refs.iter().any(|r| r.name == name && r.kind != RefKind::Blank);
            if used {
                return;
            }
            (
                format!("{name} is never called: the context from context.{func} lives until its parent is cancelled"),
                None,
            )
        }
    };
    let mut diagnostic = checker.diagnostic(&RULE, candidate.call, Severity::Error, message);
    diagnostic.help = Some(if candidate.in_loop {
        "call cancel() at the end of each iteration (a defer would pile up in the loop)".to_string()
    } else {
        "name the cancel func and `defer cancel()` right after this line".to_string()
    });
    if let (Some(blank), false) = (blank, candidate.in_loop) {
        diagnostic.fix = fix(checker, frame, candidate, blank);
    }
    checker.diagnostics.push(diagnostic);
}

fn fix<'a>(
    checker: &Checker<'_, 'a>,
    frame: &Frame<'a>,
    candidate: &Candidate<'a>,
    blank: Span,
) -> Option<Fix> {
    let name = free_name(checker.text(frame.span));
    let mut edits = vec![edit(checker, blank, &name)];
    match candidate.fix {
        FixShape::Rename => {}
        FixShape::RenameAndDefine { op } => edits.push(edit(checker, op, ":=")),
        FixShape::None => return None,
    }
    // `defer cancel()` on the line after the statement, indented like it.
    let source = checker.source;
    let line_start = source[..candidate.statement.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let end = candidate.statement.end as usize;
    let (at, text) = match source[end..].find('\n') {
        Some(i) => (end + i + 1, format!("{indent}defer {name}()\n")),
        None => (source.len(), format!("\n{indent}defer {name}()\n")),
    };
    edits.push(edit(
        checker,
        Span {
            start: at as u32,
            end: at as u32,
        },
        &text,
    ));
    Some(Fix {
        message: format!("name the cancel func `{name}` and defer it"),
        applicability: Applicability::Safe,
        edits,
    })
}

fn edit(checker: &Checker<'_, '_>, span: Span, content: &str) -> Edit {
    Edit {
        content: content.to_string(),
        location: checker.location(span.start),
        end_location: checker.location(span.end),
        start: span.start as usize,
        end: span.end as usize,
    }
}

/// `cancel`, or `cancel2`, `cancel3`... when the function already mentions that word.
fn free_name(function_text: &str) -> String {
    let taken = |candidate: &str| {
        function_text.match_indices(candidate).any(|(i, _)| {
            let before = function_text[..i].chars().next_back();
            let after = function_text[i + candidate.len()..].chars().next();
            !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
        })
    };
    std::iter::once("cancel".to_string())
        .chain((2..).map(|n| format!("cancel{n}")))
        .find(|c| !taken(c))
        .unwrap_or_else(|| "cancel".to_string())
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::free_name;

    #[test]
    fn picks_a_name_the_function_does_not_use() {
        assert_eq!(free_name("func f() { ctx, _ := x() }"), "cancel");
        assert_eq!(
            free_name("func f(cancel func()) { ctx, _ := x() }"),
            "cancel2"
        );
        assert_eq!(
            free_name("func f() { cancelled := 1; cancel2 := 2 }"),
            "cancel"
        );
    }
}
