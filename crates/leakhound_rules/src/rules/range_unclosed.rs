//! ## What it does
//! Flags `for v := range ch` where `ch` is made in the same function (`make(chan T)`), and
//! nothing in that function, its function literals included, ever calls `close(ch)`.
//!
//! Not flagged: a `range` whose body has a way out (a `return`, a `break` of the loop itself,
//! a call that never returns such as `t.Fatalf`): it ends on a value the producer sends (the
//! fifth item, a sentinel), not only on a close; a body that never goes round again is one
//! receive. Given up: a sentinel the producer never sends.
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

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::names::{Bound, Callee, Frame, FrameKind, RefKind};
use leakhound_syntax::ast::{unparen, AssignOp, Expr};

use crate::context::RuleContext;
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
    requires: &[Fact::Names],
};

/// `make(chan T)` or `make(chan T, n)` (the builtin: resolution says no local shadows it).
fn makes_chan(value: &Expr<'_>) -> bool {
    matches!(unparen(value), Expr::Call(call) if matches!(call.args.first(), Some(Expr::ChanType(_))))
}

/// The function's channels made into a name of its own (`ch := make(chan T)`, `var ch =
/// make(chan T, n)`), each judged when the function has been walked.
pub(crate) fn check<'a>(ctx: &RuleContext<'_, 'a>, frame: &Frame<'a>, out: &mut Vec<Diagnostic>) {
    for b in &frame.bindings {
        if b.callee != Callee::Builtin("make") || !makes_chan(b.value) {
            continue;
        }
        let name = match b.stmt {
            Bound::Assign(a) if a.lhs.len() == 1 && a.tok == AssignOp::Define => match &a.lhs[0] {
                Expr::Ident(id) => id.name,
                _ => continue,
            },
            Bound::Var(spec) if spec.names.len() == 1 => spec.names[0].name,
            _ => continue,
        };
        if name != "_" {
            report(ctx, frame, name, out);
        }
    }
}

/// Reports every `range` over the channel when the function and its literals never close it
/// and never let it go anywhere a close could come from.
fn report<'a>(ctx: &RuleContext<'_, 'a>, frame: &Frame<'a>, name: &'a str, out: &mut Vec<Diagnostic>) {
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
        let mut diagnostic = ctx.diagnostic(&RULE, *span, message);
        diagnostic.help = Some(format!(
            "close({name}) after the last send, e.g. `defer close({name})` in the sender"
        ));
        out.push(diagnostic);
    }
}
