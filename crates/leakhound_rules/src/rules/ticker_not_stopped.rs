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

use leakhound_diagnostics::Severity;
use leakhound_syntax::ast::{Expr, Ident, Span};

use crate::checker::{Checker, Frame, RefKind};
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
    requires: &[Fact::Walk],
};

pub(crate) struct Candidate<'a> {
    name: &'a str,
    call: Span,
}

/// `t := time.NewTicker(d)` or `t = time.NewTicker(d)` with `t` local to the function.
pub(crate) fn candidate<'a>(
    checker: &mut Checker<'_, 'a>,
    lhs: &'a Expr<'a>,
    call: &'a Expr<'a>,
    defines: bool,
) {
    let Expr::Ident(id) = lhs else { return };
    if id.name == "_" || (!defines && !checker.declared_in_frame(id.name)) {
        return;
    }
    push(checker, id.name, call.span());
}

/// `var t = time.NewTicker(d)`.
pub(crate) fn candidate_name<'a>(
    checker: &mut Checker<'_, 'a>,
    name: &'a Ident<'a>,
    call: &'a Expr<'a>,
) {
    if name.name != "_" {
        push(checker, name.name, call.span());
    }
}

fn push<'a>(checker: &mut Checker<'_, 'a>, name: &'a str, call: Span) {
    if let Some(frame) = checker.frames.last_mut() {
        frame
            .pending
            .push(crate::checker::Pending::Ticker(Candidate { name, call }));
    }
}

/// Reports the ticker when nothing in the function (its literals included) stops it and no use
/// lets it escape: `t.C` and `t.Reset` keep it here; returning, storing or passing it does not.
pub(crate) fn resolve<'a>(checker: &mut Checker<'_, 'a>, frame: &Frame<'a>, candidate: &Candidate<'a>) {
    let mut refs = frame.refs.iter().filter(|r| r.name == candidate.name);
    if refs.any(|r| {
        matches!(
            r.kind,
            RefKind::Stopped | RefKind::Escapes | RefKind::Called
        )
    }) {
        return;
    }
    let message = format!(
        "ticker {} is never stopped: it keeps firing and is never collected ({})",
        candidate.name,
        checker.timers.reason()
    );
    let mut diagnostic = checker.diagnostic(&RULE, candidate.call, Severity::Error, message);
    diagnostic.help = Some(format!(
        "add `defer {}.Stop()` after creating it",
        candidate.name
    ));
    checker.diagnostics.push(diagnostic);
}
