//! ## What it does
//! Flags `time.After(d)` used as a case of a `select` inside a loop, when another case or a
//! `default` of that `select` can win and let the loop go on. A case that leaves the loop
//! (`return`, a `break` of the loop, a call that never returns) does not, nor one that gives a
//! variable the loop's condition tests a new value (`for errc == nil { select { case errc =
//! <-quit: ... } }`: the loop ends there); one that updates it (`got = append(got, v)` under
//! `for len(got) < n`) still lets the loop go on.
//!
//! ## Why is this bad?
//! Every iteration makes a new timer. When the other case wins, the timer is abandoned. Before
//! Go 1.23 an abandoned timer stays in the runtime's timer heap until it fires: at 200
//! iterations a second and `d = 5s` that is about 1,000 live timers (about 200 bytes each),
//! forever replenished. From Go 1.23 an unreferenced timer is garbage, but the loop still
//! allocates one per iteration. `time.After` never starts a goroutine; what it retains is a timer.
//!
//! ## Example
//! ```go
//! for order := range orders {
//!     select {
//!     case res := <-process(order):
//!         record(res)
//!     case <-time.After(5 * time.Second):
//!         log.Printf("order %d timed out", order.ID)
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! timer := time.NewTimer(5 * time.Second)
//! defer timer.Stop()
//! for order := range orders {
//!     timer.Reset(5 * time.Second)
//!     select {
//!     case res := <-process(order):
//!         record(res)
//!     case <-timer.C:
//!         log.Printf("order %d timed out", order.ID)
//!     }
//! }
//! ```
//! or a per-iteration `ctx, cancel := context.WithTimeout(ctx, d)` whose `cancel` is called at
//! the end of the iteration.
//!
//! ## Go version notes
//! Severity `warning` below Go 1.23 (the timer is retained until it fires) and `info` from
//! Go 1.23 (the timer is collected; one allocation per iteration remains). A `godebug
//! asynctimerchan=1` line in `go.mod`, or a `//go:debug asynctimerchan=1` directive in the main
//! package, brings back the old semantics. The version comes from the nearest `go.mod`; when it
//! is unknown the old semantics are assumed and the message says so.
//!
//! Not flagged: `time.After` outside loops; `<-time.After(d)` as a statement (a sleep); a
//! `select` whose only case is the timer; a periodic loop where every other case leaves the
//! loop (at most one timer is ever abandoned); `time.After` inside a function literal.
//!
//! ## Fix safety
//! No automatic fix: moving the timer out of the loop changes when it is reset. The suggestion
//! shows the `time.NewTimer` shape.
//!
//! ## Related
//! staticcheck SA1015 (the same problem for `time.Tick`), dgryski/semgrep-go `leaky-time-after`
//! (only `for {}` loops), LH102 tick-leak.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::names::Walk;
use leakhound_model::cfg::mentions;
use leakhound_syntax::ast::{unparen, AssignOp, CommClause, Expr, SelectStmt, Stmt, UnaryOp};

use crate::context::RuleContext;
use crate::helpers::leaves_loop;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::AfterInLoop,
    code: "LH101",
    name: "after-in-loop",
    summary: "time.After as a select case in a loop: a timer per iteration",
    severity: Severity::Warning,
    doc: crate::docs::AFTER_IN_LOOP,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Names],
};

/// The `time.After(d)` call received from by a select clause, if that is what the clause does.
fn after_call<'a>(walk: &Walk<'_, 'a>, comm: &'a Stmt<'a>) -> Option<&'a Expr<'a>> {
    let received = match comm {
        Stmt::Expr(e) => &e.x,
        Stmt::Assign(a) if a.rhs.len() == 1 => &a.rhs[0],
        _ => return None,
    };
    let Expr::Unary(u) = unparen(received) else {
        return None;
    };
    if u.op != UnaryOp::Recv {
        return None;
    }
    walk.calls(u.x, "time", &["After"]).map(|_| unparen(u.x))
}

/// Whether the case gives a variable that the loop's own condition tests a new value (`for
/// errc == nil { select { case errc = <-quit: ... } }`): the loop may end there rather than go
/// on.
fn sets_loop_condition<'a>(walk: &Walk<'_, 'a>, clause: &'a CommClause<'a>) -> bool {
    let Some(cond) = walk.frame().and_then(|f| f.loops.last()).and_then(|l| l.cond) else {
        return false;
    };
    // A new value (`done = true`, `errc = <-quit`), not an update of the old one (`got =
    // append(got, v)`, which the condition may keep counting).
    let assigned = |s: &'a Stmt<'a>| match s {
        Stmt::Assign(a) if a.tok == AssignOp::Assign => a.lhs.iter().any(|l| {
            matches!(unparen(l), Expr::Ident(id)
                if mentions(cond, id.name) && !a.rhs.iter().any(|r| mentions(r, id.name)))
        }),
        _ => false,
    };
    clause.comm.is_some_and(assigned) || clause.body.iter().any(assigned)
}

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    walk: &Walk<'_, 'a>,
    select: &'a SelectStmt<'a>,
    out: &mut Vec<Diagnostic>,
) {
    if !walk.in_loop() || select.body.len() < 2 {
        return;
    }
    for (i, clause) in select.body.iter().enumerate() {
        let Some(comm) = &clause.comm else { continue };
        let Some(call) = after_call(walk, comm) else {
            continue;
        };
        // Another case (or default) that keeps the loop going abandons this timer each time.
        let others_continue = select.body.iter().enumerate().any(|(j, other)| {
            j != i && !leaves_loop(walk, &other.body) && !sets_loop_condition(walk, other)
        });
        if !others_continue {
            continue;
        }
        let collected = ctx.timers().timers_collected();
        let reason = ctx.timers().reason();
        let (severity, message) = if collected {
            (Severity::Info, format!("time.After in a select inside a loop: a timer allocated per iteration ({reason})"))
        } else {
            (
                Severity::Warning,
                format!("time.After in a select inside a loop: a timer per iteration, kept until it fires ({reason})"),
            )
        };
        let mut diagnostic = ctx.diagnostic(&RULE, call.span(), message);
        diagnostic.severity = severity;
        diagnostic.help = Some("create one timer with time.NewTimer before the loop, Reset it each iteration and defer its Stop".to_string());
        out.push(diagnostic);
    }
}
