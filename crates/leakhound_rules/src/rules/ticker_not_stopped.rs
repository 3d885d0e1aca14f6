//! ## What it does
//! Flags `t := time.NewTicker(d)` held in a local variable that is never stopped (`t.Stop()` or
//! `defer t.Stop()`) in the function and does not escape it: not returned, not assigned to a
//! field, global or outer variable, not passed to a function, not captured by a function literal.
//!
//! ## Why is this bad?
//! Before Go 1.23 a ticker that is never stopped stays in the runtime's timer heap and keeps
//! firing forever, even after nothing refers to it. Each call of the function leaks one.
//!
//! ## Example
//! ```go
//! func waitReady(c *Client) {
//!     t := time.NewTicker(100 * time.Millisecond)
//!     for range t.C {
//!         if c.Ready() {
//!             return
//!         }
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func waitReady(c *Client) {
//!     t := time.NewTicker(100 * time.Millisecond)
//!     defer t.Stop()
//!     for range t.C {
//!         if c.Ready() {
//!             return
//!         }
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! Reported only below Go 1.23 (or with `asynctimerchan=1`): from Go 1.23 an unreferenced ticker
//! is collected. A goroutine that loops on a ticker's channel with no exit leaks whatever the
//! version; that is LH304 unstoppable-loop.
//!
//! ## Fix safety
//! No automatic fix; the suggestion is `defer t.Stop()` after the call.
//!
//! ## Related
//! orijtech/tickeryzer, LH102 tick-leak, LH304 unstoppable-loop.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::names::{Bound, Callee, Frame, RefKind};
use leakhound_syntax::ast::{AssignOp, Expr, Span};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::TickerNotStopped,
    code: "LH103",
    name: "ticker-not-stopped",
    summary: "a local time.NewTicker that is never stopped and never leaves the function",
    severity: Severity::Error,
    doc: crate::docs::TICKER_NOT_STOPPED,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Names],
};

/// The function's tickers bound to a name of its own (`t := time.NewTicker(d)`, `t =
/// time.NewTicker(d)` with `t` local, `var t = time.NewTicker(d)`), judged when the function has
/// been walked.
pub(crate) fn check<'a>(ctx: &RuleContext<'_, 'a>, frame: &Frame<'a>, out: &mut Vec<Diagnostic>) {
    if ctx.timers().timers_collected() {
        return;
    }
    for b in &frame.bindings {
        if b.callee != Callee::Package("time", "NewTicker") {
            continue;
        }
        let name = match b.stmt {
            Bound::Assign(a) if a.lhs.len() == 1 => match &a.lhs[0] {
                Expr::Ident(id)
                    if id.name != "_"
                        && (a.tok == AssignOp::Define || b.declared_before(frame, id.name)) =>
                {
                    id.name
                }
                _ => continue,
            },
            Bound::Var(spec) if spec.names.len() == 1 && spec.names[0].name != "_" => {
                spec.names[0].name
            }
            _ => continue,
        };
        report(ctx, frame, name, b.value.span(), out);
    }
}

/// Reports the ticker when nothing in the function (its literals included) stops it and no use
/// lets it escape: `t.C` and `t.Reset` keep it here; returning, storing or passing it does not.
fn report<'a>(
    ctx: &RuleContext<'_, 'a>,
    frame: &Frame<'a>,
    name: &'a str,
    call: Span,
    out: &mut Vec<Diagnostic>,
) {
    let mut refs = frame.refs.iter().filter(|r| r.name == name);
    if refs.any(|r| {
        matches!(
            r.kind,
            RefKind::Stopped | RefKind::Escapes | RefKind::Called
        )
    }) {
        return;
    }
    let message = format!(
        "ticker {name} is never stopped: it keeps firing and is never collected ({})",
        ctx.timers().reason()
    );
    let mut diagnostic = ctx.diagnostic(&RULE, call, message);
    diagnostic.help = Some(format!("add `defer {name}.Stop()` after creating it"));
    out.push(diagnostic);
}
