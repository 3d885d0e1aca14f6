//! ## What it does
//! Flags a goroutine that calls `wg.Done()` (not deferred) and has a path on which it never
//! gets there: a `return` (or the end of a `go func() {...}()` literal) before it, an endless
//! loop, or a panic that a deferred `recover` catches. A goroutine is a function literal started
//! with `go`, or a function that takes a `*sync.WaitGroup` (as in `go worker(&wg)`).
//!
//! A function literal passed to a helper of the package that runs its function parameter with
//! `go` (`startWorker(func() {...})`) is a goroutine too.
//!
//! Not flagged: a `Done` inside a loop (it counts items, not the goroutine); a panic that is not
//! recovered (the program crashes, `Wait` no longer matters); a function with a wait-group
//! parameter that calls `Done` only on some paths and otherwise falls off its end (a helper
//! that signals once, such as a recursion's base case); a `Done` in the function that adds to
//! the wait group and starts the goroutines, compensating for one that failed to start
//! (`wg.Add(1); if !startWorker(f) { wg.Done() }`): that function is not the counted goroutine.
//!
//! `wg` must be known to be a wait group: declared as a `sync.WaitGroup` (a local, a parameter,
//! a struct field or variable of the package), or given an `Add` in the same function.
//!
//! ## Why is this bad?
//! The counter never reaches zero, so `wg.Wait()` never returns: the goroutine that waits leaks,
//! and whatever waits for it (a shutdown, a request) hangs. The skipped `Done` is nearly always
//! on an error path (`if err != nil { return }`) added after the `Done` at the bottom.
//!
//! ## Example
//! ```go
//! for _, f := range files {
//!     wg.Add(1)
//!     go func() {
//!         data, err := os.ReadFile(f)
//!         if err != nil {
//!             return // wg.Done() skipped: wg.Wait() never returns
//!         }
//!         results <- data
//!         wg.Done()
//!     }()
//! }
//! wg.Wait()
//! ```
//!
//! ## Use instead
//! ```go
//! go func() {
//!     defer wg.Done()
//!     ...
//! }()
//! ```
//!
//! ## Go version notes
//! Go 1.25 added `wg.Go(f)`, which calls `Done` for you.
//!
//! ## Fix safety
//! No automatic fix; `defer wg.Done()` as the goroutine's first statement is the suggestion. It
//! is safe unless the goroutine relies on `Done` running before something else it does.
//!
//! ## Related
//! LH405 waitgroup-misuse, LH401 missing-unlock (the same mistake with a mutex).

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::{Body, BodyKind};
use leakhound_model::cfg::{Cfg, Node, Term};
use leakhound_model::summary::{wait_group_call, WaitGroupOp};
use leakhound_model::waitgroups::{wait_group_params, Calls, WaitGroups};
use leakhound_syntax::ast::*;

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::DoneSkipped,
    code: "LH404",
    name: "done-skipped",
    summary: "a goroutine path that skips wg.Done(): wg.Wait() never returns",
    severity: Severity::Error,
    doc: crate::docs::DONE_SKIPPED,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::WaitGroups],
};

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    bodies: &[Body<'a>],
    out: &mut Vec<Diagnostic>,
) {
    if !ctx.enabled(&RULE) || !ctx.text(decl.span).contains(".Done()") {
        return;
    }
    let starters = ctx.facts.starters();
    let helper_started = std::cell::OnceCell::new();
    let mut groups = None;
    for body in bodies {
        if body.kind == BodyKind::Deferred || !ctx.text(body.block.span).contains(".Done()") {
            continue;
        }
        let calls = Calls::of(body.block);
        let mut keys: Vec<&String> = calls
            .direct
            .iter()
            .filter(|(k, op, _, _)| {
                *op == WaitGroupOp::Done
                    && !calls
                        .deferred
                        .iter()
                        .any(|(d, dop)| d == k && *dop == WaitGroupOp::Done)
                    // A Done in a loop counts items, not this goroutine.
                    && !calls
                        .direct
                        .iter()
                        .any(|(d, dop, _, in_loop)| d == k && *dop == WaitGroupOp::Done && *in_loop)
            })
            .map(|(k, _, _, _)| k)
            .collect();
        let groups = groups.get_or_insert_with(|| WaitGroups::of(ctx.imports, decl, bodies));
        keys.retain(|k| groups.contains(ctx.summary(), k));
        if keys.is_empty() {
            continue;
        }
        let goroutine = match body.kind {
            BodyKind::Go => true,
            BodyKind::Decl => !wait_group_params(ctx.imports, body.typ).is_empty(),
            BodyKind::Lit => helper_started
                .get_or_init(|| crate::helpers::helper_started(starters, bodies))
                .contains(&body.block.span),
            BodyKind::Deferred => false,
        };
        if !goroutine {
            continue;
        }
        // A body that adds to the wait group and starts goroutines is their starter: its
        // `Done` compensates for one that failed to start (`if !startWorker(f) { wg.Done() }`).
        let adds = |k: &String| {
            calls
                .direct
                .iter()
                .any(|(d, dop, _, _)| d == k && *dop == WaitGroupOp::Add)
        };
        if keys.iter().any(|k| adds(k)) && !starters.started_in(body.block).is_empty() {
            keys.retain(|k| !adds(k));
        }
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            continue;
        }
        for key in keys {
            check_key(ctx, body, key, &calls, out);
        }
    }
}

/// The paths of one goroutine body that end without `key.Done()`.
fn check_key<'a>(
    ctx: &RuleContext<'_, 'a>,
    body: &Body<'a>,
    key: &str,
    calls: &Calls<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let is_done = |node: &Node<'a>| match node {
        Node::Stmt(Stmt::Expr(e)) => {
            wait_group_call(&e.x).is_some_and(|(k, op)| op == WaitGroupOp::Done && k == key)
        }
        _ => false,
    };
    let cfg = Cfg::build(body.block, &|e| ctx.never_returns(e));
    // The state: on some path to here, Done has not run yet.
    let states = cfg.forward(
        true,
        |node, missing| {
            if is_done(node) {
                *missing = false;
            }
        },
        |into, from| {
            let joined = *into || *from;
            std::mem::replace(into, joined) != joined
        },
    );
    let Some(done) = calls
        .direct
        .iter()
        .find(|(k, op, _, _)| k == key && *op == WaitGroupOp::Done)
        .map(|(_, _, e, _)| e.span())
    else {
        return;
    };
    let reaches_exit = cfg.reaches_exit();
    let has_done: Vec<bool> = cfg
        .blocks
        .iter()
        .map(|b| b.nodes.iter().any(is_done))
        .collect();
    let report = |at: Span, message: String| {
        let mut d = ctx.diagnostic(&RULE, at, message);
        d.help = Some(format!(
            "`defer {key}.Done()` as the goroutine's first statement"
        ));
        d.related
            .push(ctx.related(ctx.file, done, format!("{key}.Done() here")));
        d
    };
    for (b, block) in cfg.blocks.iter().enumerate() {
        let Some(mut missing) = states[b] else {
            continue;
        };
        for node in &block.nodes {
            if is_done(node) {
                missing = false;
            }
        }
        if !missing {
            continue;
        }
        match block.term {
            Term::Return(r) => out.push(report(
                r.span,
                format!("returns without {key}.Done(): {key}.Wait() never returns"),
            )),
            // A declared function that falls off its end without Done is more often a helper
            // that signals once (a recursion's base case) than a goroutine: only literals.
            Term::End(span) if body.kind == BodyKind::Go => out.push(report(
                span,
                format!(
                    "goroutine ends without {key}.Done() on this path: {key}.Wait() never returns"
                ),
            )),
            Term::NoReturn(e) if calls.recovers && is_panic(e) => out.push(report(
                e.span(),
                format!("the recovered panic skips {key}.Done(): {key}.Wait() never returns"),
            )),
            Term::End(_) | Term::NoReturn(_) | Term::Jump => {}
        }
    }
    // An endless loop entered before Done, from which no Done can be reached; the outermost
    // one only (loops are listed outer first).
    let mut reported: Vec<Vec<bool>> = Vec::new();
    for l in &cfg.loops {
        if reaches_exit[l.head]
            || !states[l.head].unwrap_or(false)
            || reported.iter().any(|r| r[l.head])
        {
            continue;
        }
        let reach = cfg.reachable_from(l.head);
        if reach.iter().zip(&has_done).any(|(r, d)| *r && *d) {
            continue;
        }
        reported.push(reach);
        let start = l.stmt.span().start;
        out.push(report(
            Span::new(start, start + 3),
            format!("goroutine loops forever before {key}.Done(): {key}.Wait() never returns"),
        ));
    }
}

fn is_panic(e: &Expr<'_>) -> bool {
    matches!(unparen(e), Expr::Call(c) if matches!(c.fun, Expr::Ident(id) if id.name == "panic"))
}
