//! ## What it does
//! Flags the cancel function returned by `context.WithCancel`, `WithTimeout`, `WithDeadline`,
//! `WithCancelCause`, `WithTimeoutCause` or `WithDeadlineCause` when it is assigned to `_`, or to
//! a variable that is never called, deferred, returned, stored, or passed on. `_ = cancel` is
//! not a use. `main.main` is exempt: returning from it ends the process.
//!
//! Across the package (the semantic model, `_test.go` files included), it also flags:
//! - a cancel func stored in an unexported field or package variable (`s.cancel = cancel`,
//!   `&S{cancel: cancel}`, `ctx, s.cancel = context.WithCancel(p)`) when that is all that is
//!   done with it and nothing in the package ever reads that field or variable (calls, defers,
//!   returns, passes on or aliases it; a comparison with `nil` is not a read), reported at the
//!   `context.With...` call;
//! - a call of a package function that returns a cancel func (or a struct holding it in a
//!   field, or a function literal that calls it) and does nothing else with it, when the caller
//!   drops that result (`f()` as a statement, `_` in its place), reported at the call.
//!
//! It stays silent where another package or the model may reach the cancel func: an exported
//! field or variable, a read on a value whose type the model cannot tell, a cancel func kept
//! in a map or slice, passed to a function, or called by a goroutine of the function that made it.
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
//! No method of `watcher` ever calls `w.cancel`:
//! ```go
//! func newWatcher(parent context.Context) *watcher {
//!     ctx, cancel := context.WithCancel(parent)
//!     return &watcher{ctx: ctx, cancel: cancel}
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
//! A cancel func kept in a field is called where the owner's work ends:
//! ```go
//! func newWatcher(parent context.Context) *watcher {
//!     ctx, cancel := context.WithCancel(parent)
//!     return &watcher{ctx: ctx, cancel: cancel}
//! }
//!
//! func (w *watcher) Close() { w.cancel() }
//! ```
//!
//! ## Go version notes
//! None: this leak does not depend on the timer change of Go 1.23.
//!
//! ## Fix safety
//! The fix names the cancel function (`cancel`, or `cancel2`... when taken) and inserts
//! `defer cancel()` (`defer cancel(nil)` for `WithCancelCause`, whose cancel takes an error;
//! `WithTimeoutCause` and `WithDeadlineCause` return a plain cancel func) right after the
//! statement, inside the function literal when the call is in one, or first in the body of the
//! `if` whose init makes the context, with an added `else` that calls `cancel()` at once (an
//! `if` that already has an `else` gets no automatic fix). `--fix` applies it only where that is provably safe: the
//! context (or anything assigned from it) is not returned, stored outside the function, sent on
//! a channel or used by a goroutine, so it is not needed after the function returns. When a
//! function literal that may run later (a callback) captures the context, the fix is unsafe and
//! applied only with `--unsafe-fixes`. When the context outlives the function, inside a loop
//! (a `defer` would pile up, LH202), or where the statement is a `switch` or `for` init or an
//! `if` init with an `else`, the fix is only a suggestion: call `cancel()` where the context's
//! use ends. The findings across the package (a field or package variable nothing reads, a
//! dropped owner) carry no fix: where to call the cancel func is the owner's design.
//!
//! ## Related
//! go vet lostcancel (reports `_` and paths that skip the cancel, but counts `_ = cancel` and a
//! cancel stored in an unused field as uses), gosec G118, LH202 defer-in-loop.

mod across;
mod safety;

pub(crate) use across::check_package;

use leakhound_diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use leakhound_model::api::CANCEL_CONSTRUCTORS;
use leakhound_model::names::{Binding, Bound, Callee, Frame, FrameKind, RefKind};
use leakhound_syntax::ast::{offset, AssignOp, AssignStmt, Decl, Expr, FuncType, Span, Stmt};
use leakhound_syntax::visit::{walk_file, Node, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;
use safety::{Lifetime, Placement, Scope};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::LostCancel,
    code: "LH201",
    name: "lost-cancel",
    summary: "a context.With* cancel func that is discarded or never used",
    severity: Severity::Error,
    doc: crate::docs::LOST_CANCEL,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Names, Fact::Semantic],
};

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

/// The variable that receives the context.
enum Target<'a> {
    /// A variable of this function (or `_`).
    Local(&'a str),
    /// Anything that outlives the function: a field, a named result, an outer variable.
    Outer(&'static str),
}

struct Candidate<'a> {
    func: &'a str,
    call: Span,
    cancel: Cancel<'a>,
    context: Target<'a>,
    statement: Span,
    in_loop: bool,
    fix: FixShape,
}

/// `main.main` is exempt: returning from it ends the process.
fn exempt(ctx: &RuleContext<'_, '_>, frame: &Frame<'_>) -> bool {
    frame.kind
        == FrameKind::Decl {
            name: "main",
            is_method: false,
        }
        && ctx.is_main_package()
}

/// The function's cancel funcs, judged when the function has been walked.
pub(crate) fn check<'a>(ctx: &RuleContext<'_, 'a>, frame: &Frame<'a>, out: &mut Vec<Diagnostic>) {
    if frame.bindings.is_empty() || exempt(ctx, frame) {
        return;
    }
    let candidates: Vec<Candidate<'a>> = frame
        .bindings
        .iter()
        .filter_map(|b| candidate(ctx, frame, b))
        .collect();
    for (i, c) in candidates.iter().enumerate() {
        report(ctx, frame, &candidates[..i], c, out);
    }
}

/// `ctx, cancel := context.WithX(...)`, `ctx, _ = context.WithX(...)` or `var ctx, cancel =
/// context.WithX(...)`.
fn candidate<'a>(
    ctx: &RuleContext<'_, 'a>,
    frame: &Frame<'a>,
    b: &Binding<'a>,
) -> Option<Candidate<'a>> {
    let Callee::Package("context", func) = b.callee else {
        return None;
    };
    if !CANCEL_CONSTRUCTORS.contains(&func) {
        return None;
    }
    match b.stmt {
        Bound::Assign(assign) if assign.lhs.len() == 2 => {
            let Expr::Ident(id) = &assign.lhs[1] else {
                return None;
            };
            let cancel = if id.name == "_" {
                Cancel::Discarded(id.span)
            } else if assign.tok == AssignOp::Define || b.declared_before(frame, id.name) {
                Cancel::Named(id.name)
            } else {
                // Declared outside this function: other uses may exist (as go vet assumes).
                return None;
            };
            let fix = if assign.tok == AssignOp::Define {
                FixShape::Rename
            } else {
                define_shape(ctx, frame, assign)
            };
            Some(Candidate {
                func,
                call: b.value.span(),
                cancel,
                context: context_target(frame, b, assign),
                statement: assign.span,
                in_loop: b.in_loop,
                fix,
            })
        }
        Bound::Var(spec) if spec.names.len() == 2 => {
            let name = &spec.names[1];
            let cancel = if name.name == "_" {
                Cancel::Discarded(name.span)
            } else {
                Cancel::Named(name.name)
            };
            Some(Candidate {
                func,
                call: b.value.span(),
                cancel,
                context: Target::Local(spec.names[0].name),
                statement: spec.span,
                in_loop: b.in_loop,
                fix: FixShape::Rename,
            })
        }
        _ => None,
    }
}

/// Where the context goes: a variable of this function, or somewhere that outlives it.
fn context_target<'a>(frame: &Frame<'a>, b: &Binding<'a>, assign: &'a AssignStmt<'a>) -> Target<'a> {
    let Some(Expr::Ident(id)) = assign.lhs.first() else {
        return Target::Outer("it is stored in a field or element");
    };
    if frame.named_results().contains(&id.name) {
        Target::Outer("it is assigned to a named result")
    } else if id.name == "_" || assign.tok == AssignOp::Define || b.declared_before(frame, id.name) {
        Target::Local(id.name)
    } else {
        Target::Outer("it is stored in a variable declared outside the function")
    }
}

/// `ctx, _ = context.WithX(ctx, d)` may become `ctx, cancel := ...` only where `:=` redeclares
/// `ctx` instead of shadowing it: a statement of the function body itself, with every other
/// name on the left a parameter of the function.
fn define_shape<'a>(
    ctx: &RuleContext<'_, 'a>,
    frame: &Frame<'a>,
    assign: &'a AssignStmt<'a>,
) -> FixShape {
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
    match ctx.text(between).find('=') {
        Some(i) if top_level && params_only => {
            let start = between.start + offset(i);
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

/// `earlier`: the function's candidates before this one (fixes are made in statement order).
fn report<'a>(
    ctx: &RuleContext<'_, 'a>,
    frame: &Frame<'a>,
    earlier: &[Candidate<'a>],
    candidate: &Candidate<'a>,
    out: &mut Vec<Diagnostic>,
) {
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
    let mut diagnostic = ctx.diagnostic(&RULE, candidate.call, message);
    diagnostic.help = Some(if candidate.in_loop {
        "call cancel() at the end of each iteration (a defer would pile up in the loop)".to_string()
    } else {
        "name the cancel func and `defer cancel()` right after this line".to_string()
    });
    if let Some(blank) = blank {
        let fix = fix(ctx, frame, earlier, candidate, blank);
        if fix.applicability == Applicability::DisplayOnly && !candidate.in_loop {
            diagnostic.help =
                Some("name the cancel func and call it where the context's use ends".to_string());
        }
        diagnostic.fix = Some(fix);
    }
    out.push(diagnostic);
}

fn fix<'a>(
    ctx: &RuleContext<'_, 'a>,
    frame: &Frame<'a>,
    earlier: &[Candidate<'a>],
    candidate: &Candidate<'a>,
    blank: Span,
) -> Fix {
    // Fixes of one function are made in the order of their statements.
    let earlier = earlier
        .iter()
        .filter(|c| matches!(c.cancel, Cancel::Discarded(_)) && !c.in_loop)
        .count();
    let name = free_name(ctx.text(frame.span), earlier);
    // Only WithCancelCause returns a CancelCauseFunc; the timeout and deadline variants take
    // their cause up front and return a plain CancelFunc.
    let call = if candidate.func == "WithCancelCause" {
        format!("{name}(nil)")
    } else {
        format!("{name}()")
    };
    let suggestion = |why: &str| Fix {
        message: why.to_string(),
        applicability: Applicability::DisplayOnly,
        edits: vec![],
    };
    if candidate.in_loop {
        return suggestion("a defer in a loop would pile up until the function returns");
    }
    let lifetime = match candidate.context {
        Target::Outer(why) => Lifetime::Outlives(why),
        Target::Local(context) => {
            let scope = Scope {
                body: frame.body,
                params: &frame.params,
                locals: &frame.locals,
                named_results: frame.named_results,
                results: signature(ctx, frame.span).and_then(|t| t.results.as_ref()),
            };
            safety::lifetime(&scope, context, candidate.statement.end)
        }
    };
    if let Lifetime::Outlives(why) = lifetime {
        return suggestion(&format!(
            "a deferred {call} would end the context too early ({why})"
        ));
    }
    let mut edits = vec![edit(ctx, blank, &name)];
    match candidate.fix {
        FixShape::Rename => {}
        FixShape::RenameAndDefine { op } => edits.push(edit(ctx, op, ":=")),
        FixShape::None => return suggestion("`=` cannot become `:=` here without shadowing"),
    }
    let source = ctx.source();
    let (at, text) = match safety::placement(source, frame.body, candidate.statement) {
        Ok(Placement::Line { at, indent, eol }) => (at, format!("{indent}defer {call}{eol}")),
        Ok(Placement::IfInit {
            at,
            indent,
            eol,
            body_end,
        }) => {
            // When the condition is false the context is never used again: cancel at once.
            let end = offset(body_end);
            edits.push(edit(
                ctx,
                Span { start: end, end },
                &format!(" else {{{eol}{indent}\t{call}{eol}{indent}}}"),
            ));
            (at, format!("{indent}\tdefer {call}{eol}"))
        }
        Ok(Placement::Inline { at }) => {
            let text = format!("; defer {call}");
            // gofmt keeps a function literal on one line only while it is short and simple.
            let literal = ctx.text(frame.span);
            if !literal.contains('\n')
                && (literal.len() + text.len() > 100 || frame.body.stmts.len() >= 5)
            {
                return suggestion("the one-line function literal would grow too long for gofmt");
            }
            (at, text)
        }
        Err(why) => return suggestion(why),
    };
    let at = offset(at);
    edits.push(edit(ctx, Span { start: at, end: at }, &text));
    Fix {
        message: format!("name the cancel func `{name}` and defer it"),
        applicability: if lifetime == Lifetime::Captured {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits,
    }
}

/// The signature of the function declaration or literal spanning `span`.
fn signature<'a>(ctx: &RuleContext<'_, 'a>, span: Span) -> Option<&'a FuncType<'a>> {
    struct Find<'a> {
        span: Span,
        found: Option<&'a FuncType<'a>>,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit(&mut self, node: Node<'a>, _: &[Node<'a>]) -> bool {
            let s = node.span();
            if self.found.is_some() || s.end < self.span.start || s.start > self.span.end {
                return false;
            }
            match node {
                Node::Decl(Decl::Func(f)) if f.span == self.span => self.found = Some(&f.typ),
                Node::Expr(Expr::FuncLit(l)) if l.span == self.span => self.found = Some(&l.typ),
                _ => {}
            }
            true
        }
    }
    let mut find = Find { span, found: None };
    walk_file(&ctx.facts.parsed(ctx.file).file, &mut find);
    find.found
}

fn edit(ctx: &RuleContext<'_, '_>, span: Span, content: &str) -> Edit {
    Edit {
        content: content.to_string(),
        location: ctx.location(span.start),
        end_location: ctx.location(span.end),
        start: span.start as usize,
        end: span.end as usize,
    }
}

/// `cancel`, or `cancel2`, `cancel3`... when the function already mentions that word; the
/// `earlier`-th such name when earlier fixes of the same function take the ones before it (two
/// fixes naming the same `cancel` may not compile: `:=` with no new variable, or a
/// `CancelCauseFunc` reassigned a `CancelFunc`).
fn free_name(function_text: &str, earlier: usize) -> String {
    let taken = |candidate: &str| {
        function_text.match_indices(candidate).any(|(i, _)| {
            let before = function_text[..i].chars().next_back();
            let after = function_text[i + candidate.len()..].chars().next();
            !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
        })
    };
    std::iter::once("cancel".to_string())
        .chain((2..).map(|n| format!("cancel{n}")))
        .filter(|c| !taken(c))
        .nth(earlier)
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
        assert_eq!(free_name("func f() { ctx, _ := x() }", 0), "cancel");
        assert_eq!(free_name("func f() { ctx, _ := x() }", 1), "cancel2");
        assert_eq!(
            free_name("func f(cancel func()) { ctx, _ := x() }", 0),
            "cancel2"
        );
        assert_eq!(
            free_name("func f() { cancelled := 1; cancel2 := 2 }", 0),
            "cancel"
        );
    }
}
