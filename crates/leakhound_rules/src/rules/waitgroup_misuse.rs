//! ## What it does
//! Flags two misuses of `sync.WaitGroup`:
//! - `wg.Add` called inside the goroutine it counts: a goroutine started with `go` that calls
//!   `wg.Add(1)` and `wg.Done()` itself (and starts no goroutine of its own that `Add` could be
//!   for);
//! - `wg.Wait()` inside the loop that starts the goroutines it waits for, when the count was
//!   added before the loop (`wg.Add(len(xs))`) and the loop adds nothing: the first `Wait`
//!   waits for goroutines the loop has not started yet.
//!
//! A function literal passed to a helper of the package that runs its function parameter with
//! `go` is a goroutine like a `go func`; an `Add` followed by such a helper call starts the
//! goroutine it counts.
//!
//! Not flagged: `Wait` after the spawn loop; `Wait` in an outer loop around the spawn loop (one
//! batch per iteration); a loop that calls `Add` itself before its `Wait` (one goroutine at a
//! time on purpose: isolating a `Goexit` or a panic, or a benchmark of goroutine start-up).
//!
//! ## Why is this bad?
//! `Add` inside the goroutine races with `Wait`: when `Wait` runs first it sees a zero counter
//! and returns while the goroutine is still running — the caller goes on (closes a channel, returns
//! a result) under the goroutine's feet, and the goroutine may block forever on what was
//! torn down. A `Wait` inside the spawn loop after an `Add` for every iteration never returns:
//! the counter cannot reach zero before the loop has started all the goroutines, and the loop
//! is stuck in its first `Wait`.
//!
//! ## Example
//! ```go
//! for _, u := range urls {
//!     go func() {
//!         wg.Add(1) // too late: wg.Wait() may already have returned
//!         defer wg.Done()
//!         fetch(u)
//!     }()
//! }
//! wg.Wait()
//!
//! wg.Add(len(jobs))
//! for _, j := range jobs {
//!     go func() { defer wg.Done(); run(j) }()
//!     wg.Wait() // waits for len(jobs) goroutines; one is started
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! for _, u := range urls {
//!     wg.Add(1)
//!     go func() {
//!         defer wg.Done()
//!         fetch(u)
//!     }()
//! }
//! wg.Wait()
//! ```
//! and `wg.Wait()` after the `for _, j := range jobs` loop.
//!
//! ## Go version notes
//! Go 1.25's `wg.Go(f)` does the `Add` before starting the goroutine and the `Done` after it.
//! go vet's `waitgroup` analyzer (Go 1.25) reports `Add` as the first statement of the
//! goroutine.
//!
//! ## Fix safety
//! No automatic fix: move `Add` before the `go` statement, `Wait` after the loop.
//!
//! ## Related
//! LH404 done-skipped, go vet waitgroup.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::{Body, BodyKind};
use leakhound_model::summary::{wait_group_call, WaitGroupOp};
use leakhound_model::waitgroups::{Calls, WaitGroups};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::WaitgroupMisuse,
    code: "LH405",
    name: "waitgroup-misuse",
    summary: "wg.Add inside the goroutine it counts, or wg.Wait inside the spawn loop",
    severity: Severity::Warning,
    doc: crate::docs::WAITGROUP_MISUSE,
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
    if !ctx.enabled(&RULE) {
        return;
    }
    let text = ctx.text(decl.span);
    if text.contains(".Add(") && text.contains(".Done()") {
        // The census (a walk of the whole package) only for a literal that adds to a wait
        // group it also counts down: it may be a helper-started goroutine.
        let helper_started = std::cell::OnceCell::new();
        for body in bodies {
            if !matches!(body.kind, BodyKind::Go | BodyKind::Lit) {
                continue;
            }
            let calls = Calls::of(body.block);
            let adds = counted_adds(&calls);
            if adds.is_empty()
                || (body.kind == BodyKind::Lit
                    && !helper_started
                        .get_or_init(|| crate::helpers::helper_started(ctx.facts.starters(), bodies))
                        .contains(&body.block.span))
            {
                continue;
            }
            add_inside(ctx, body, &adds, out);
        }
    }
    if text.contains(".Wait()") && text.contains("go ") {
        let mut groups = None;
        for body in bodies {
            wait_in_loop(ctx, decl, bodies, body, &mut groups, out);
        }
    }
}

/// The `Add` calls of a body on wait groups the same body also calls `Done` on.
fn counted_adds<'c, 'a>(calls: &'c Calls<'a>) -> Vec<(&'c String, &'a Expr<'a>)> {
    let done = |key: &String| {
        calls
            .direct
            .iter()
            .any(|(k, o, _, _)| k == key && *o == WaitGroupOp::Done)
            || calls
                .deferred
                .iter()
                .any(|(k, o)| k == key && *o == WaitGroupOp::Done)
    };
    calls
        .direct
        .iter()
        .filter(|(key, op, _, _)| *op == WaitGroupOp::Add && done(key))
        .map(|(key, _, add, _)| (key, *add))
        .collect()
}

/// `wg.Add` in a goroutine that also calls `wg.Done`, and starts no goroutine of its own that
/// could be what `Add` counts.
fn add_inside<'a>(
    ctx: &RuleContext<'_, 'a>,
    body: &Body<'a>,
    adds: &[(&String, &'a Expr<'a>)],
    out: &mut Vec<Diagnostic>,
) {
    for &(key, add) in adds {
        if starts_goroutine_with(ctx, body.block, key) {
            continue;
        }
        let mut d = ctx.diagnostic(
            &RULE,
            add.span(),
            format!(
                "{key}.Add inside the goroutine it counts: {key}.Wait() may return before it runs"
            ),
        );
        d.help = Some(format!("call {key}.Add before the go statement"));
        out.push(d);
    }
}

/// Whether a goroutine started in `block` (by a `go` statement, or by a helper of the package
/// that runs its function parameter with `go`) mentions `key` or the variable it is a field of.
fn starts_goroutine_with<'a>(ctx: &RuleContext<'_, 'a>, block: &'a Block<'a>, key: &str) -> bool {
    let root = key.split('.').next().unwrap_or(key);
    ctx.facts.starters().started_in(block).iter().any(|s| {
        let text = ctx.text(s.at);
        text.contains(key) || (s.helper && mentions_word(text, root))
    })
}

/// Whether `text` has `word` as a whole identifier.
fn mentions_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// `wg.Wait()` in a loop that starts a goroutine counted by `wg` before it, when the loop
/// itself never calls `wg.Add`: the count was added for all iterations before the loop, so the
/// first `Wait` waits for goroutines that are not started yet.
fn wait_in_loop<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    bodies: &[Body<'a>],
    body: &Body<'a>,
    groups: &mut Option<WaitGroups>,
    out: &mut Vec<Diagnostic>,
) {
    struct V<'a> {
        /// `go` statements with their innermost loop.
        gos: Vec<(Span, &'a GoStmt<'a>)>,
        /// `wg.Wait()` calls with their innermost loop.
        waits: Vec<(Span, String, &'a Expr<'a>)>,
        /// `wg.Add(n)` calls.
        adds: Vec<(String, Span)>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            if let Expr::FuncLit(_) = e {
                return false;
            }
            match (wait_group_call(e), innermost_loop(parents)) {
                (Some((key, WaitGroupOp::Add)), _) => self.adds.push((key, e.span())),
                (Some((key, WaitGroupOp::Wait)), Some(l)) => self.waits.push((l, key, e)),
                _ => {}
            }
            true
        }
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, parents: &[VNode<'a>]) -> bool {
            if let (Stmt::Go(g), Some(l)) = (s, innermost_loop(parents)) {
                self.gos.push((l, g));
            }
            true
        }
    }
    if !ctx.text(body.block.span).contains(".Wait()") {
        return;
    }
    let mut v = V {
        gos: Vec::new(),
        waits: Vec::new(),
        adds: Vec::new(),
    };
    walk_node(VNode::Block(body.block), &[], &mut v);
    for (lp, key, wait) in &v.waits {
        let Some((_, go)) = v.gos.iter().find(|(l, g)| {
            l == lp && g.span.start < wait.span().start && ctx.text(g.span).contains(key.as_str())
        }) else {
            continue;
        };
        let inside = |span: Span| lp.contains(span);
        if v.adds.iter().any(|(k, span)| k == key && inside(*span)) {
            continue;
        }
        if !groups
            .get_or_insert_with(|| WaitGroups::of(ctx.imports, decl, bodies))
            .contains(ctx.summary(), key)
        {
            continue;
        }
        let mut d = ctx.diagnostic(
            &RULE,
            wait.span(),
            format!(
                "{key}.Wait() inside the loop that starts its goroutines: the first Wait waits for goroutines not started yet"
            ),
        );
        d.help = Some(format!("call {key}.Wait() after the loop"));
        d.related
            .push(ctx.related(ctx.file, go.span, "goroutine started here".to_string()));
        out.push(d);
    }
}

/// The span of the innermost `for` or `range` statement among `parents`.
fn innermost_loop(parents: &[VNode<'_>]) -> Option<Span> {
    parents.iter().rev().find_map(|p| match p {
        VNode::Stmt(l @ (Stmt::For(_) | Stmt::Range(_))) => Some(l.span()),
        _ => None,
    })
}
