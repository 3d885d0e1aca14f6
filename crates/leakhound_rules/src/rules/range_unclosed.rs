//! ## What it does
//! Flags `for v := range ch` where `ch` is made in the same function (`make(chan T)`), and
//! nothing in that function, its function literals included, ever calls `close(ch)`.
//!
//! Not flagged: a `range` whose body never goes round again (it ends in `return`, `break` or
//! a call that never returns such as `t.Fatalf`, with no `continue`): that is one receive,
//! not a loop waiting for a close.
//!
//! ## Why is this bad?
//! A `range` over a channel ends only when the channel is closed. If nobody closes it, the
//! goroutine running the loop waits for the next value forever after the last one, and every
//! call of the function leaves one more goroutine parked in `chan receive` (the goroutine
//! profile shows them piling up at the `range` line).
//!
//! ## Example
//! ```go
//! func handleBatch(w http.ResponseWriter, r *http.Request) {
//!     items := make(chan int)
//!     go sumItems(items) // ranges over items
//!     for _, it := range batch(r) {
//!         items <- it
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func handleBatch(w http.ResponseWriter, r *http.Request) {
//!     items := make(chan int)
//!     go sumItems(items)
//!     defer close(items)
//!     for _, it := range batch(r) {
//!         items <- it
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! None: a channel that is never closed keeps its receivers blocked on every Go version.
//!
//! Not flagged: a channel closed anywhere in the function or its literals (`defer close(ch)`,
//! a helper goroutine that closes it); a channel that leaves the function (returned, passed to
//! another function, stored): its owner is unknown, so it may be closed elsewhere.
//!
//! ## Fix safety
//! No automatic fix: where the last send happens is the program's decision. The suggestion is
//! `defer close(ch)` in the sender.
//!
//! ## Related
//! LH305 producer-no-close (a returned channel nobody closes), LH304 unstoppable-loop.

use leakhound_diagnostics::Severity;
use leakhound_syntax::ast::{Expr, Ident, unparen};

use crate::checker::{Checker, Frame, FrameKind, Pending, RefKind};
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::RangeUnclosed,
    code: "LH302",
    name: "range-unclosed",
    summary: "range over a channel made here that nothing closes: the loop never ends",
    severity: Severity::Error,
    doc: crate::docs::RANGE_UNCLOSED,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Walk],
};

pub(crate) struct Candidate<'a> {
    name: &'a str,
}

fn is_make_chan(checker: &Checker<'_, '_>, expr: &Expr<'_>) -> bool {
    let Expr::Call(call) = unparen(expr) else {
        return false;
    };
    matches!(call.fun, Expr::Ident(f) if f.name == "make" && !checker.is_shadowed("make"))
        && matches!(call.args.first(), Some(Expr::ChanType(_)))
}

/// `ch := make(chan T)` or `var ch = make(chan T, n)`.
pub(crate) fn candidate<'a>(checker: &mut Checker<'_, 'a>, name: &'a Ident<'a>, rhs: &'a Expr<'a>) {
    if name.name == "_" || !is_make_chan(checker, rhs) {
        return;
    }
    if let Some(frame) = checker.frames.last_mut() {
        frame
            .pending
            .push(Pending::Channel(Candidate { name: name.name }));
    }
}

/// Reports every `range` over the channel when the function and its literals never close it
/// and never let it go anywhere a close could come from.
pub(crate) fn resolve<'a>(checker: &mut Checker<'_, 'a>, frame: &Frame<'a>, candidate: &Candidate<'a>) {
    let name = candidate.name;
    let owned = frame
        .refs
        .iter()
        .filter(|r| r.name == name)
        .all(|r| matches!(r.kind, RefKind::Operated | RefKind::Selected));
    if !owned {
        return;
    }
    let function = match frame.kind {
        FrameKind::Decl { name, .. } => name,
        FrameKind::Literal => "this function",
    };
    for (_, span) in frame.ranges.iter().filter(|(n, _)| *n == name) {
        let message = format!("range over {name} never ends: nothing in {function} closes it, so this loop's goroutine never exits");
        let mut diagnostic = checker.diagnostic(&RULE, *span, Severity::Error, message);
        diagnostic.help = Some(format!(
            "close({name}) after the last send, e.g. `defer close({name})` in the sender"
        ));
        checker.diagnostics.push(diagnostic);
    }
}
