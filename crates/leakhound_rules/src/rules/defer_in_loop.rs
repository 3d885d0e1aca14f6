//! ## What it does
//! Flags a `defer` statement directly in a loop body (not inside a function literal) from which
//! a path goes round the loop again.
//!
//! Not flagged: a `defer` after which every path leaves the loop — `if err != nil { defer
//! f(); return err }`, `defer f.Close(); ...; return v`, or a `break` of the function's only
//! loop (a `break` in a `switch` or `select` case only leaves that statement, and one in an
//! inner loop goes on with the outer loop): it runs at most once.
//!
//! ## Why is this bad?
//! Deferred calls run when the enclosing function returns, not at the end of the iteration.
//! `defer cancel()`, `defer t.Stop()`, `defer f.Close()` or `defer mu.Unlock()` in a loop pile
//! up one pending call per iteration; in a long-running consumer loop they never run, and the
//! contexts, timers and files they should release live as long as the loop.
//!
//! ## Example
//! ```go
//! for order := range orders {
//!     ctx, cancel := context.WithTimeout(ctx, time.Second)
//!     defer cancel()
//!     process(ctx, order)
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! for order := range orders {
//!     func() {
//!         ctx, cancel := context.WithTimeout(ctx, time.Second)
//!         defer cancel()
//!         process(ctx, order)
//!     }()
//! }
//! ```
//! or call `cancel()` at the end of the iteration.
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! No automatic fix: wrapping the body in a function literal changes `return`, `break` and
//! `continue`.
//!
//! ## Related
//! gocritic deferInLoop, revive `defer` (loop option), CodeQL DeferInLoop, LH201 lost-cancel.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::cfg::leaves_after;
use leakhound_model::names::Walk;
use leakhound_syntax::ast::DeferStmt;

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::DeferInLoop,
    code: "LH202",
    name: "defer-in-loop",
    summary: "defer directly in a loop body: deferred calls pile up until the function returns",
    severity: Severity::Warning,
    doc: crate::docs::DEFER_IN_LOOP,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Names],
};

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    walk: &Walk<'_, 'a>,
    stmt: &'a DeferStmt<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(frame) = walk.frame() else {
        return;
    };
    let Some(lp) = frame.loops.last() else {
        return;
    };
    // Every path after the `defer` leaves the loop (`if err != nil { defer f(); return err }`):
    // it runs once, not once per iteration.
    let break_leaves = frame.loops.len() == 1;
    if leaves_after(&lp.body.stmts, stmt.span, &|e| walk.never_returns(e), break_leaves) {
        return;
    }
    let call = ctx.text(stmt.call.span());
    let call = call.lines().next().unwrap_or(call);
    let message = format!(
        "defer in a loop: `{call}` runs when the function returns, not at the end of the iteration"
    );
    let mut diagnostic = ctx.diagnostic(&RULE, stmt.span, message);
    diagnostic.help = Some(
        "call it at the end of the iteration, or move the loop body into a function".to_string(),
    );
    out.push(diagnostic);
}
