//! The predicates several rules share: does this case body always leave the enclosing loop;
//! does this function end in a loop that never ends; how a lock mode's calls are spelled.

use leakhound_model::bodies::Body;
use leakhound_model::census::Starters;
use leakhound_model::cfg::breaks_out;
use leakhound_model::names::Walk;
use leakhound_model::summary::Mode;
use leakhound_syntax::ast::{unparen, Block, BranchKind, Expr, Span, Stmt};

/// Whether running `body` (a select or switch case) always leaves the loop it is in: it ends
/// in a `return`, a `goto`, a labelled `break` or `continue` to a loop of this function, or a
/// call that never returns. An unlabelled `break` inside a `select` only leaves the `select`.
pub(crate) fn leaves_loop<'a>(walk: &Walk<'_, 'a>, body: &'a [Stmt<'a>]) -> bool {
    let Some(last) = body.iter().rev().find(|s| !matches!(s, Stmt::Empty(_))) else {
        return false;
    };
    stmt_leaves_loop(walk, last)
}

fn stmt_leaves_loop<'a>(walk: &Walk<'_, 'a>, stmt: &'a Stmt<'a>) -> bool {
    match stmt {
        Stmt::Return(_) => true,
        Stmt::Branch(b) => match (b.kind, &b.label) {
            (BranchKind::Goto, _) => true,
            (BranchKind::Break, Some(label)) => loop_label_index(walk, label.name).is_some(),
            // `continue L` leaves the inner loop when L names an outer one.
            (BranchKind::Continue, Some(label)) => loop_label_index(walk, label.name)
                .is_some_and(|i| Some(i + 1) != walk.frame().map(|f| f.loops.len())),
            _ => false,
        },
        Stmt::Expr(e) => walk.never_returns(&e.x),
        Stmt::Block(b) => leaves_loop(walk, &b.stmts),
        Stmt::If(s) => match &s.els {
            Some(els) => leaves_loop(walk, &s.body.stmts) && stmt_leaves_loop(walk, els),
            None => false,
        },
        Stmt::Labeled(l) => stmt_leaves_loop(walk, l.stmt),
        _ => false,
    }
}

fn loop_label_index(walk: &Walk<'_, '_>, label: &str) -> Option<usize> {
    walk.frame()?
        .loops
        .iter()
        .position(|l| l.label == Some(label))
}

/// Whether the block's last statement is a loop that never ends by itself: `for {}` with no
/// `break` out of it, a `range` over a ticker channel (never closed), or `select {}`.
pub(crate) fn ends_in_endless_loop<'a>(walk: &Walk<'_, 'a>, body: &'a Block<'a>) -> bool {
    let Some(last) = body
        .stmts
        .iter()
        .rev()
        .find(|s| !matches!(s, Stmt::Empty(_)))
    else {
        return false;
    };
    let (label, stmt) = match last {
        Stmt::Labeled(l) => (Some(l.label.name), l.stmt),
        other => (None, other),
    };
    match stmt {
        Stmt::For(f) if f.cond.is_none() => !breaks_out(&f.body.stmts, label, 0),
        Stmt::Range(r) => {
            is_ticker_channel(walk, body, &r.x) && !breaks_out(&r.body.stmts, label, 0)
        }
        Stmt::Select(s) => s.body.is_empty(),
        _ => false,
    }
}

/// `time.Tick(d)`, `x.C`, or a name the block bound to `time.Tick(d)`: channels that are
/// never closed.
fn is_ticker_channel<'a>(walk: &Walk<'_, 'a>, body: &'a Block<'a>, expr: &'a Expr<'a>) -> bool {
    match unparen(expr) {
        Expr::Selector(sel) => sel.sel.name == "C",
        Expr::Ident(id) => body.stmts.iter().any(|s| match s {
            Stmt::Assign(a) => {
                a.lhs.len() == 1
                    && a.rhs.len() == 1
                    && matches!(&a.lhs[0], Expr::Ident(l) if l.name == id.name)
                    && walk.calls(&a.rhs[0], "time", &["Tick"]).is_some()
            }
            _ => false,
        }),
        other => walk.calls(other, "time", &["Tick"]).is_some(),
    }
}

/// The lock and unlock methods of a mode, as messages name them.
pub(crate) fn names(mode: Mode) -> (&'static str, &'static str) {
    match mode {
        Mode::Write => ("Lock", "Unlock"),
        Mode::Read => ("RLock", "RUnlock"),
    }
}

/// The bodies of the function literals that a helper of the package runs with `go`
/// (`startWorker(func() {...})`), started from the declaration whose bodies these are:
/// goroutines like a `go func`.
pub(crate) fn helper_started(starters: &Starters<'_>, bodies: &[Body<'_>]) -> Vec<Span> {
    let Some(decl_body) = bodies.first() else {
        return Vec::new();
    };
    starters
        .started_in(decl_body.block)
        .iter()
        .filter(|s| s.helper)
        .filter_map(|s| match unparen(s.func) {
            Expr::FuncLit(f) => Some(f.body.span),
            _ => None,
        })
        .collect()
}
