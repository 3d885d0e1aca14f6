//! ## What it does
//! Flags `c.Wait()` on a `sync.Cond` (a field, package variable or local, identified by the
//! semantic model whatever it is called where it is used):
//! - that nothing in the package ever `Signal`s or `Broadcast`s (error): the waiter never wakes;
//! - that checks its condition once, in an `if`, rather than in a loop re-checking it (warning;
//!   a `Wait` under no condition at all is a one-shot handshake and is not reported, nor a
//!   latch: `if x.f == nil` or `if !x.f` where nothing in the package sets a field of that
//!   name back to `nil` or `false`, so the condition stays false once it is);
//! - reached while this function holds a second lock — besides the cond's own `L` — that a
//!   function signalling the cond takes too (warning): the signaller blocks on that lock, and
//!   the waiter waits for the signal.
//!
//! A cond handed to code the package cannot see (passed to a call, stored in an interface) may
//! be signalled there: not reported. A cond that is a parameter comes from the caller: only the
//! loop check applies.
//!
//! ## Why is this bad?
//! `Wait` releases `c.L`, parks the goroutine until a `Signal` or `Broadcast`, and takes `c.L`
//! again. With no signaller it parks forever. Woken by a `Broadcast` meant for another waiter,
//! or after another goroutine changed the state again, a `Wait` that is not in a loop goes on
//! with a condition that is false. And a second lock held across `Wait` is not released by it:
//! a signaller that needs that lock first never gets to `Signal`.
//!
//! ## Example
//! ```go
//! func (q *Queue) Get() Item {
//!     q.mu.Lock()
//!     defer q.mu.Unlock()
//!     if len(q.items) == 0 {
//!         q.cond.Wait() // not in a loop; and Put never calls q.cond.Signal()
//!     }
//!     return q.pop()
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (q *Queue) Get() Item {
//!     q.mu.Lock()
//!     defer q.mu.Unlock()
//!     for len(q.items) == 0 {
//!         q.cond.Wait()
//!     }
//!     return q.pop()
//! }
//!
//! func (q *Queue) Put(it Item) {
//!     q.mu.Lock()
//!     q.items = append(q.items, it)
//!     q.mu.Unlock()
//!     q.cond.Signal()
//! }
//! ```
//!
//! ## Go version notes
//! None: `sync.Cond` has behaved this way since Go 1.0. A channel (closed to broadcast) or a
//! `context` is often simpler than a `Cond`.
//!
//! ## Fix safety
//! No automatic fix: add the missing `Signal`/`Broadcast` where the condition changes, turn the
//! `if` into a `for`, or release the second lock before waiting.
//!
//! ## Related
//! LH402 double-lock, LH406 lock-order-inversion, LH403 chan-op-under-lock.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::Body;
use leakhound_model::lockflow::HeldLock;
use leakhound_model::semantic::identity::{Identity, Resolved};
use leakhound_model::semantic::types::Kind;
use leakhound_model::semantic::FuncId;
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::CondWaitUnsignalled,
    code: "LH407",
    name: "cond-wait-unsignalled",
    summary: "c.Wait() on a sync.Cond nothing signals, outside a loop, or holding a second lock",
    severity: Severity::Error,
    doc: crate::docs::COND_WAIT_UNSIGNALLED,
    since: "0.2.0",
    status: Status::Preview,
    requires: &[Fact::Semantic, Fact::LockFlow],
};

/// The cond a `c.Wait()` call waits on, when the semantic model knows it is one.
pub(crate) fn cond_wait<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    e: &'a Expr<'a>,
) -> Option<(FuncId, Resolved<'a>)> {
    let Expr::Call(c) = unparen(e) else {
        return None;
    };
    if !c.args.is_empty() {
        return None;
    }
    let sem = ctx.facts.semantic(ctx.file);
    let func = sem.func_of(ctx.file, decl)?;
    match sem.prim_call(func, e)? {
        (r, "Wait") if r.kind == Kind::Cond => Some((func, r)),
        _ => None,
    }
}

/// The name a cond is declared under (the census matches uses by name), and whether it comes
/// from the caller (a parameter).
fn declared_name<'a>(ctx: &RuleContext<'_, 'a>, id: &Identity<'a>) -> (String, bool) {
    let sem = ctx.facts.semantic(ctx.file);
    match id {
        Identity::Field { field, .. } => (field.to_string(), false),
        Identity::PkgVar(name) => (name.to_string(), false),
        Identity::Local { .. } => (sem.describe(id), false),
        Identity::Param { .. } => (sem.describe(id), true),
    }
}

/// The first two checks, per `Wait` call of the declaration's bodies.
pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    bodies: &[Body<'a>],
    out: &mut Vec<Diagnostic>,
) {
    for body in bodies {
        for (call, in_loop, checked) in waits(body.block) {
            let latch = checked.is_some_and(|c| latch_holds(ctx, c));
            let checked = checked.is_some();
            let Some((_, cond)) = cond_wait(ctx, decl, call) else {
                continue;
            };
            let (name, from_caller) = declared_name(ctx, &cond.id);
            let sem = ctx.facts.semantic(ctx.file);
            let what = sem.describe(&cond.id);
            let recv = receiver_text(ctx, call);
            // Signalled: a call the model resolves to this cond, a call on a cond of that
            // name it cannot resolve (another cond's is not this one's), a method value or a
            // hand-off of it.
            let census = ctx.facts.census();
            let resolved = |file: usize, span: Span| {
                sem.uses()
                    .iter()
                    .any(|u| u.file == file && u.span == span)
            };
            let signalled = sem
                .uses_of(&cond.id)
                .any(|u| matches!(u.op, "Signal" | "Broadcast"))
                || census.escapes(&name).iter().any(|x| {
                    // Handed on: this cond's, or one the model cannot tell.
                    sem.func_of(x.file, x.decl)
                        .and_then(|f| sem.resolve(f, x.expr))
                        .is_none_or(|r| r.id == cond.id)
                })
                || census
                    .signal_calls(&name)
                    .iter()
                    .any(|&(file, span)| !resolved(file, span))
                // An embedded `sync.Cond` is signalled through its struct (`w.Broadcast()`).
                || name == "Cond"
                    && census
                        .signal_calls("")
                        .iter()
                        .any(|&(file, span)| !resolved(file, span));
            if !signalled && !from_caller {
                let mut d = ctx.diagnostic(
                    &RULE,
                    call.span(),
                    format!(
                        "{recv}.Wait() on {what}, which nothing in the package signals or broadcasts: it never wakes up"
                    ),
                );
                d.help = Some(format!(
                    "call {recv}.Signal() or {recv}.Broadcast() where the condition it waits for changes"
                ));
                out.push(d);
                continue;
            }
            // A condition checked once by an `if`; with no condition at all (a one-shot
            // handshake whose signal comes after the waiter parks) there is nothing to re-check.
            if !in_loop && checked && !latch {
                let mut d = ctx.diagnostic(
                    &RULE,
                    call.span(),
                    format!(
                        "{recv}.Wait() is not in a loop re-checking its condition: woken by a Broadcast or after the state changed again, it goes on with the condition false"
                    ),
                );
                d.severity = Severity::Warning;
                d.help = Some(format!(
                    "wait in a loop: `for !condition {{ {recv}.Wait() }}`"
                ));
                out.push(d);
            }
        }
    }
}

/// The third check, from the lock pass: `c.Wait()` with `held` locks that may be held there.
pub(crate) fn check_held<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    call: &'a Expr<'a>,
    held: &[HeldLock<'_>],
    out: &mut Vec<Diagnostic>,
) {
    if held.is_empty() {
        return;
    }
    let Some((_, cond)) = cond_wait(ctx, decl, call) else {
        return;
    };
    let (name, _) = declared_name(ctx, &cond.id);
    let census = ctx.facts.census();
    // The cond's own lock: the one given to sync.NewCond, or `c.L`. Unknown: silent.
    let Some(own) = census.cond_lock(&name) else {
        return;
    };
    let recv = receiver_text(ctx, call);
    let last = |k: &str| k.rsplit('.').next().unwrap_or(k).to_string();
    let own_lock = |k: &str| last(k) == own || k == format!("{recv}.L");
    let Some(second) = held
        .iter()
        .find(|h| !own_lock(h.key) && census.signaller_locks(&name, &last(h.key)))
    else {
        return;
    };
    let mut d = ctx.diagnostic(
        &RULE,
        call.span(),
        format!(
            "{recv}.Wait() while holding {}, which the code that signals {recv} takes too: it cannot signal, and both wait forever",
            second.key
        ),
    );
    d.severity = Severity::Warning;
    d.help = Some(format!(
        "release {} before waiting, or signal without taking it",
        second.key
    ));
    d.related.push(ctx.related(
        ctx.file,
        second.site,
        format!("{} locked here", second.key),
    ));
    out.push(d);
}

/// `c` in `c.Wait()`, as written.
fn receiver_text<'a>(ctx: &RuleContext<'_, 'a>, call: &'a Expr<'a>) -> &'a str {
    match unparen(call) {
        Expr::Call(c) => match unparen(c.fun) {
            Expr::Selector(s) => ctx.text(s.x.span()),
            _ => "c",
        },
        _ => "c",
    }
}

/// A condition that stays false once it is false: `x.f == nil` where nothing in the package
/// assigns `nil` to a field `f`, or `!x.f` where nothing assigns `false` to one (by the field's
/// name: any such assignment keeps the warning). Woken after the field was set, the waiter
/// finds it still set, so checking once is enough.
fn latch_holds<'a>(ctx: &RuleContext<'_, 'a>, cond: &'a Expr<'a>) -> bool {
    let (field, reset) = match unparen(cond) {
        Expr::Binary(b) if b.op == BinaryOp::Eq => match (unparen(b.x), unparen(b.y)) {
            (Expr::Selector(s), Expr::Ident(nil)) if nil.name == "nil" => (s.sel.name, "nil"),
            _ => return false,
        },
        Expr::Unary(u) if u.op == UnaryOp::Not => match unparen(u.x) {
            Expr::Selector(s) => (s.sel.name, "false"),
            _ => return false,
        },
        _ => return false,
    };
    struct V<'f> {
        field: &'f str,
        reset: &'f str,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                let resets = |(l, r): (&Expr<'_>, &Expr<'_>)| {
                    matches!(unparen(l), Expr::Selector(sel) if sel.sel.name == self.field)
                        && matches!(unparen(r), Expr::Ident(v) if v.name == self.reset)
                };
                if a.lhs.len() == a.rhs.len() && a.lhs.iter().zip(a.rhs.iter()).any(resets) {
                    self.found = true;
                }
            }
            !self.found
        }
    }
    let mut v = V {
        field,
        reset,
        found: false,
    };
    for (i, f) in ctx.files.iter().enumerate() {
        if ctx.facts.same_package(ctx.file, i) {
            for decl in &f.parsed.file.decls {
                walk_node(VNode::Decl(decl), &[], &mut v);
            }
        }
    }
    !v.found
}

/// Stands for the condition of an `else` branch: no latch.
static ELSE: Expr<'static> = Expr::Bad(Span { start: 0, end: 0 });

/// The `x.Wait()` calls of one body (function literals are bodies of their own), with whether
/// each is inside a loop of the body, and the condition of the innermost `if` around it (a
/// condition checked once).
fn waits<'a>(block: &'a Block<'a>) -> Vec<(&'a Expr<'a>, bool, Option<&'a Expr<'a>>)> {
    struct V<'a> {
        out: Vec<(&'a Expr<'a>, bool, Option<&'a Expr<'a>>)>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::FuncLit(_) => return false,
                Expr::Call(c) if c.args.is_empty() => {
                    if matches!(unparen(c.fun), Expr::Selector(s) if s.sel.name == "Wait") {
                        let in_loop = parents
                            .iter()
                            .any(|p| matches!(p, VNode::Stmt(Stmt::For(_) | Stmt::Range(_))));
                        // The condition as written when the `Wait` is in the `if`'s body;
                        // in an `else` it is the opposite, which no latch test reads.
                        let at = e.span();
                        let checked = parents.iter().rev().find_map(|p| match p {
                            VNode::Stmt(Stmt::If(i)) => Some(
                                if i.body.span.contains(at) {
                                    &i.cond
                                } else {
                                    &ELSE
                                },
                            ),
                            _ => None,
                        });
                        self.out.push((e, in_loop, checked));
                    }
                }
                _ => {}
            }
            true
        }
    }
    let mut v = V { out: Vec::new() };
    walk_node(VNode::Block(block), &[], &mut v);
    v.out
}
