//! ## What it does
//! Flags `time.Tick(d)` in a function that can return: not `main`, not `init`, and not a
//! function whose body ends in an endless loop with no `return`.
//!
//! ## Why is this bad?
//! `time.Tick` gives no way to stop its ticker. Before Go 1.23 a ticker that is not stopped is
//! never collected: each call leaves a ticker firing forever, costing memory and CPU. A function
//! that returns and is called again leaks one ticker per call.
//!
//! ## Example
//! ```go
//! func poll(ctx context.Context) {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case <-time.Tick(time.Second):
//!             refresh()
//!         }
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func poll(ctx context.Context) {
//!     t := time.NewTicker(time.Second)
//!     defer t.Stop()
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case <-t.C:
//!             refresh()
//!         }
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! Reported only below Go 1.23 (or with `asynctimerchan=1`): from Go 1.23 an unreferenced ticker
//! is garbage-collected, as staticcheck's SA1015 also takes into account.
//!
//! ## Fix safety
//! No automatic fix; the suggestion is `time.NewTicker` with `defer t.Stop()`.
//!
//! ## Related
//! staticcheck SA1015, LH103 ticker-not-stopped.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::cfg::contains_return;
use leakhound_model::names::{FrameKind, Walk};
use leakhound_syntax::ast::{Block, Expr, UnaryOp};

use crate::context::RuleContext;
use crate::helpers::ends_in_endless_loop;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::TickLeak,
    code: "LH102",
    name: "tick-leak",
    summary: "time.Tick in a function that returns: a ticker that can never be stopped",
    severity: Severity::Error,
    doc: crate::docs::TICK_LEAK,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Names],
};

/// Whether the function can return at all: `main.main`, `init` and functions that end in an
/// endless loop with no `return` keep their ticker for as long as they run anyway.
fn can_return<'a>(
    ctx: &RuleContext<'_, 'a>,
    walk: &Walk<'_, 'a>,
    kind: FrameKind<'a>,
    body: &'a Block<'a>,
) -> bool {
    match kind {
        FrameKind::Decl {
            name: "init",
            is_method: false,
        } => return false,
        FrameKind::Decl {
            name: "main",
            is_method: false,
        } if ctx.is_main_package() => return false,
        _ => {}
    }
    !ends_in_endless_loop(walk, body) || body.stmts.iter().any(contains_return)
}

/// `time.Tick(d)` with a constant `d <= 0` returns nil and starts no ticker.
fn starts_no_ticker(call: &Expr<'_>) -> bool {
    let Expr::Call(call) = call else { return false };
    match call.args.first() {
        Some(Expr::BasicLit(lit)) => lit.value.trim_start_matches('0').is_empty(),
        Some(Expr::Unary(u)) => u.op == UnaryOp::Neg && matches!(u.x, Expr::BasicLit(_)),
        _ => false,
    }
}

/// `call`: every call of the walk; the rule looks at `time.Tick(d)`.
pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    walk: &Walk<'_, 'a>,
    call: &'a Expr<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let Expr::Call(c) = call else { return };
    if walk.resolve(c.fun) != Some(("time", "Tick")) {
        return;
    }
    if ctx.timers().timers_collected() || starts_no_ticker(call) {
        return;
    }
    let Some(frame) = walk.frame() else { return };
    if !can_return(ctx, walk, frame.kind, frame.body) {
        return;
    }
    let message = format!(
        "time.Tick in a function that returns: its ticker can never be stopped and is never collected ({})",
        ctx.timers().reason()
    );
    let mut diagnostic = ctx.diagnostic(&RULE, call.span(), message);
    diagnostic.help =
        Some("use t := time.NewTicker(d) with defer t.Stop(), and receive from t.C".to_string());
    out.push(diagnostic);
}
