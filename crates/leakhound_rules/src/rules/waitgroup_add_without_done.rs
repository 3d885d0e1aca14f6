//! ## What it does
//! Flags `wg.Add(n)` on a wait group that some `wg.Wait()` waits for, when the goroutines it
//! counts cannot all reach a matching `Done`:
//! - nothing calls `Done` on that wait group anywhere in the package (nor `Add(-1)`, nor hands
//!   it to code the package cannot see);
//! - a local wait group whose `Add` counts are constants adds more than the goroutines that call
//!   `Done` (each goroutine started once, none in a loop);
//! - an `Add` in a loop whose goroutine — started with `go` or through a helper of the package
//!   that runs its function argument with `go` — never calls `Done` on it, itself or through the
//!   package's functions it calls (to any depth).
//!
//! A wait group is identified by where it is declared: a local of the function (followed into
//! the functions it is passed to), or a field or package variable, by the semantic model (a
//! `Done` it cannot resolve on a wait group of the same name counts, so what the model cannot
//! see never causes a report). Whether a goroutine reaches `Done` is followed through the
//! package's functions by name.
//!
//! Not flagged: a wait group passed to, stored in or returned to code the package cannot see;
//! an `Add` in a loop when another loop of the function that adds nothing itself calls `Done`
//! (a collector counting results down, one per item; the trip counts are not compared);
//! `Add` with a computed count when some goroutine calls `Done`; a wait group nothing waits for.
//!
//! ## Why is this bad?
//! The counter never goes back to zero: `Wait` blocks forever, and with it the goroutine that
//! waits — typically a shutdown, a request handler or a test — and everything it holds.
//!
//! ## Example
//! ```go
//! var wg sync.WaitGroup
//! for _, j := range jobs {
//!     wg.Add(1)
//!     go func() {
//!         results <- run(j) // no wg.Done()
//!     }()
//! }
//! wg.Wait() // never returns
//! ```
//!
//! ## Use instead
//! ```go
//! for _, j := range jobs {
//!     wg.Add(1)
//!     go func() {
//!         defer wg.Done()
//!         results <- run(j)
//!     }()
//! }
//! wg.Wait()
//! ```
//!
//! ## Go version notes
//! Go 1.25's `wg.Go(f)` does the `Add` and the `Done` for you; a wait group used that way is
//! not reported.
//!
//! ## Fix safety
//! No automatic fix: the `Done` belongs at the start of the goroutine that `Add` counts, as
//! `defer wg.Done()`.
//!
//! ## Related
//! LH404 done-skipped (a `Done` some path skips), LH405 waitgroup-misuse.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::{Body, BodyKind};
use leakhound_model::census::{last_name, Census, Started, Starters};
use leakhound_model::semantic::types::Kind;
use leakhound_model::summary::{wait_group_call, WaitGroupOp};
use leakhound_model::waitgroups::{wait_group_params, Calls, WaitGroups};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::WaitgroupAddWithoutDone,
    code: "LH408",
    name: "waitgroup-add-without-done",
    summary: "wg.Add whose goroutines cannot all reach a matching wg.Done: wg.Wait never returns",
    severity: Severity::Error,
    doc: crate::docs::WAITGROUP_ADD_WITHOUT_DONE,
    since: "0.2.0",
    status: Status::Preview,
    requires: &[Fact::WaitGroups, Fact::Semantic],
};

/// One `Add` call of the declaration.
struct Add<'a> {
    key: String,
    call: &'a Expr<'a>,
    /// The constant count, when it is one.
    count: Option<u64>,
    /// The body (index into the declaration's bodies) it is in.
    body: usize,
    /// The innermost loop around it in its body.
    in_loop: Option<&'a Block<'a>>,
}

/// Where the wait group is declared, as far as its identity goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A local of the declaration.
    Local,
    /// A parameter of the declaration: its caller's.
    Param,
    /// A field or package variable, by name.
    Named,
}

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    bodies: &[Body<'a>],
    out: &mut Vec<Diagnostic>,
) {
    if !ctx.enabled(&RULE) || !ctx.text(decl.span).contains(".Add(") {
        return;
    }
    let adds = adds(bodies);
    if adds.is_empty() {
        return;
    }
    let groups = WaitGroups::of(ctx.imports, decl, bodies);
    let census = ctx.facts.census();
    let params = wait_group_params(ctx.imports, &decl.typ);
    let mut done_keys: Vec<&str> = Vec::new();
    for add in &adds {
        if done_keys.contains(&add.key.as_str()) || !groups.contains(ctx.summary(), &add.key) {
            continue;
        }
        let origin = if add.key.contains('.') {
            Origin::Named
        } else if params.contains(&add.key.as_str()) {
            Origin::Param
        } else if declared_in(bodies, &add.key) {
            Origin::Local
        } else {
            Origin::Named
        };
        let last = add.key.rsplit('.').next().unwrap_or(&add.key);
        let wait = match origin {
            Origin::Local => local_wait(ctx, bodies, &add.key),
            Origin::Param => census
                .waits(last)
                .iter()
                .min_by_key(|(file, _)| *file != ctx.file)
                .copied(),
            Origin::Named => named_wait(ctx, decl, add, last),
        };
        let Some(wait) = wait else { continue };
        let report = |message: String, started: Option<Span>| {
            let mut d = ctx.diagnostic(&RULE, add.call.span(), message);
            d.help = Some(format!(
                "`defer {}.Done()` as the first statement of the goroutine it counts",
                add.key
            ));
            if let Some(at) = started {
                d.related
                    .push(ctx.related(ctx.file, at, "the goroutine started here".to_string()));
            }
            d.related.push(ctx.related(
                wait.0,
                wait.1,
                format!("{}.Wait() never returns", add.key),
            ));
            d
        };
        // No Done anywhere.
        let any_done = match origin {
            Origin::Local => local_done(census, bodies, &add.key, true),
            Origin::Param => true,
            Origin::Named => named_done(ctx, decl, add, last),
        };
        if !any_done {
            done_keys.push(&add.key);
            out.push(report(
                format!(
                    "{key}.Add without any {key}.Done() in the package: {key}.Wait() never returns",
                    key = add.key
                ),
                None,
            ));
            continue;
        }
        // Constant counts against the goroutines that call Done.
        if origin == Origin::Local
            && add.in_loop.is_none()
            && !local_done(census, bodies, &add.key, false)
        {
            if let Some((added, dones)) = constant_shortfall(ctx.facts.starters(), bodies, &adds, &add.key)
            {
                done_keys.push(&add.key);
                out.push(report(
                    format!(
                        "{key}.Add adds {added} in all but only {dones} goroutine(s) call {key}.Done(): {key}.Wait() never returns",
                        key = add.key
                    ),
                    None,
                ));
                continue;
            }
        }
        // An Add in a loop whose goroutine never calls Done. A local that is stored or handed
        // to code the package cannot see may reach any goroutine.
        let escapes = origin == Origin::Local && local_done(census, bodies, &add.key, false);
        if let (Some(body), false) = (add.in_loop, escapes) {
            // A `Done` in another loop of the function (a collector counting results down, one
            // per item): it balances the Adds per iteration; the trip counts are not compared.
            if done_in_other_loop(ctx, decl, body, &add.key) {
                continue;
            }
            if let Some(started) = undone_goroutine(ctx, census, body, add, origin) {
                out.push(report(
                    format!(
                        "{key}.Add in a loop whose goroutine never calls {key}.Done(): {key}.Wait() never returns",
                        key = add.key
                    ),
                    Some(started),
                ));
            }
        }
    }
}

/// Whether a field or package wait group gets a `Done`. By the semantic model's identity when
/// it knows the `Add`'s wait group: a `Done` (or `Go`) it resolves to the same one, a `Done` on a
/// wait group of that name it cannot resolve, or the wait group handed on (`&s.wg`, `s.wg.Done`
/// as a value) where it cannot tell whose it is. Otherwise by name.
fn named_done<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    add: &Add<'a>,
    name: &str,
) -> bool {
    let census = ctx.facts.census();
    let sem = ctx.facts.semantic(ctx.file);
    let resolved = sem
        .func_of(ctx.file, decl)
        .and_then(|f| sem.prim_call(f, add.call))
        .filter(|(r, _)| r.kind == Kind::WaitGroup);
    let Some((wg, _)) = resolved else {
        return census.done(name);
    };
    let use_at = |file: usize, span: Span| {
        sem.uses()
            .iter()
            .find(|u| u.file == file && u.span == span)
    };
    sem.uses_of(&wg.id).any(|u| matches!(u.op, "Done" | "Go"))
        || census
            .done_calls(name)
            .iter()
            .any(|&(file, span)| use_at(file, span).is_none_or(|u| u.prim.id == wg.id))
        // An embedded `sync.WaitGroup` is counted down through its struct (`s.Done()`).
        || name == "WaitGroup"
            && census
                .done_calls("")
                .iter()
                .any(|&(file, span)| use_at(file, span).is_none())
        || census.escapes(name).iter().any(|x| {
            sem.func_of(x.file, x.decl)
                .and_then(|f| sem.resolve(f, x.expr))
                .is_none_or(|r| r.id == wg.id)
        })
}

/// A `Wait` on a field or package wait group: one the semantic model resolves to the `Add`'s
/// wait group, or one on a wait group of that name it cannot resolve.
fn named_wait<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    add: &Add<'a>,
    name: &str,
) -> Option<(usize, Span)> {
    let census = ctx.facts.census();
    let sem = ctx.facts.semantic(ctx.file);
    let by_name = || {
        census
            .waits(name)
            .iter()
            .min_by_key(|(file, _)| *file != ctx.file)
            .copied()
    };
    let Some((wg, _)) = sem
        .func_of(ctx.file, decl)
        .and_then(|f| sem.prim_call(f, add.call))
        .filter(|(r, _)| r.kind == Kind::WaitGroup)
    else {
        return by_name();
    };
    if let Some(u) = sem.uses_of(&wg.id).find(|u| u.op == "Wait") {
        return Some((u.file, u.span));
    }
    census.waits(name).iter().copied().find(|&(file, span)| {
        !sem.uses()
            .iter()
            .any(|u| u.file == file && u.span == span)
    })
}

/// Every `wg.Add(n)` of the declaration, with its body and innermost loop.
fn adds<'a>(bodies: &[Body<'a>]) -> Vec<Add<'a>> {
    struct V<'a> {
        body: usize,
        out: Vec<Add<'a>>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            if let Expr::FuncLit(_) = e {
                return false;
            }
            let Some((key, WaitGroupOp::Add)) = wait_group_call(e) else {
                return true;
            };
            let Expr::Call(c) = unparen(e) else {
                return true;
            };
            let count = match unparen(&c.args[0]) {
                Expr::BasicLit(l) if l.kind == LitKind::Int => l.value.parse().ok(),
                _ => None,
            };
            // `Add(-1)` is a Done.
            if negative_add(e) {
                return true;
            }
            let in_loop = parents.iter().rev().find_map(|p| match p {
                VNode::Stmt(Stmt::For(f)) => Some(&f.body),
                VNode::Stmt(Stmt::Range(r)) => Some(&r.body),
                _ => None,
            });
            self.out.push(Add {
                key,
                call: e,
                count,
                body: self.body,
                in_loop,
            });
            true
        }
    }
    let mut v = V {
        body: 0,
        out: Vec::new(),
    };
    for (i, b) in bodies.iter().enumerate() {
        v.body = i;
        walk_node(VNode::Block(b.block), &[], &mut v);
    }
    v.out
}

/// Whether some body of the declaration declares `name` (`var wg sync.WaitGroup`, `wg := ...`).
fn declared_in(bodies: &[Body<'_>], name: &str) -> bool {
    struct V<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            match s {
                Stmt::Decl(g) => {
                    self.found |= g.specs.iter().any(|spec| {
                        matches!(spec, Spec::Value(v) if v.names.iter().any(|n| n.name == self.name))
                    });
                }
                Stmt::Assign(a) if a.tok == AssignOp::Define => {
                    self.found |= a
                        .lhs
                        .iter()
                        .any(|l| matches!(unparen(l), Expr::Ident(id) if id.name == self.name));
                }
                _ => {}
            }
            !self.found
        }
    }
    let mut v = V { name, found: false };
    if let Some(b) = bodies.first() {
        walk_node(VNode::Block(b.block), &[], &mut v);
    }
    v.found
}

/// The first `key.Wait()` of the declaration's bodies.
fn local_wait(ctx: &RuleContext<'_, '_>, bodies: &[Body<'_>], key: &str) -> Option<(usize, Span)> {
    bodies.iter().find_map(|b| {
        Calls::of(b.block)
            .direct
            .iter()
            .find(|(k, op, _, _)| k == key && *op == WaitGroupOp::Wait)
            .map(|(_, _, e, _)| (ctx.file, e.span()))
    })
}

/// Whether a local wait group gets a `Done`: in one of the declaration's bodies, or through a
/// function it is passed to; any other use (stored, returned, `wg.Go`) may do it too. With
/// `direct` false, its own `Done` calls do not count: whether it is used other than by its
/// `Add`, `Wait` and `Done` calls.
fn local_done<'a>(census: &Census<'a>, bodies: &[Body<'a>], key: &str, direct: bool) -> bool {
    struct V<'c, 'k, 'a> {
        census: &'c Census<'a>,
        key: &'k str,
        direct: bool,
        done: bool,
    }
    impl<'a> V<'_, '_, 'a> {
        /// A use of the wait group: `x` is the expression around it (`wg`, `&wg`, `(wg)`),
        /// `parents` the nodes around `x`.
        fn use_of(&self, x: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            match parents.last() {
                Some(VNode::Expr(Expr::Selector(s))) => match s.sel.name {
                    "Wait" => false,
                    "Done" => self.direct,
                    // `wg.Add(-1)` is a Done.
                    "Add" => matches!(
                        parents.get(parents.len().wrapping_sub(2)),
                        Some(VNode::Expr(Expr::Call(c))) if c.args.first().is_some_and(
                            |a| matches!(unparen(a), Expr::Unary(u) if u.op == UnaryOp::Neg))
                    ),
                    _ => true,
                },
                Some(VNode::Expr(Expr::Call(c))) => {
                    let Some(index) = c.args.iter().position(|a| std::ptr::eq(a, x)) else {
                        return true;
                    };
                    let name = match unparen(c.fun) {
                        Expr::Ident(f) => f.name,
                        Expr::Selector(s) => s.sel.name,
                        _ => return true,
                    };
                    self.census
                        .done_through_param(name, index)
                        .unwrap_or(true)
                }
                _ => true,
            }
        }
    }
    impl<'a> Visitor<'a> for V<'_, '_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            if let Expr::Ident(id) = e {
                if id.name == self.key {
                    // Climb out of `&wg`, `(wg)`, `*wg`.
                    let mut k = parents.len();
                    while k > 0
                        && matches!(
                            parents[k - 1],
                            VNode::Expr(Expr::Paren(_) | Expr::Unary(_) | Expr::Star(_))
                        )
                    {
                        k -= 1;
                    }
                    let x = match parents.get(k) {
                        Some(VNode::Expr(x)) => x,
                        _ => e,
                    };
                    self.done |= self.use_of(x, &parents[..k]);
                }
            }
            !self.done
        }
    }
    let mut v = V {
        census,
        key,
        direct,
        done: false,
    };
    if let Some(b) = bodies.first() {
        walk_node(VNode::Block(b.block), &[], &mut v);
    }
    v.done
}

/// For a local wait group whose `Add` counts are all constants, outside loops, in the
/// declaration's own body: the total and the number of goroutines that call `Done` when that
/// number is smaller (`None` when the counts match or cannot be told).
fn constant_shortfall<'a>(
    starters: &Starters<'a>,
    bodies: &[Body<'a>],
    adds: &[Add<'a>],
    key: &str,
) -> Option<(u64, u64)> {
    let mut added = 0u64;
    for a in adds.iter().filter(|a| a.key == key) {
        if a.in_loop.is_some() || bodies[a.body].kind != BodyKind::Decl {
            return None;
        }
        added = added.checked_add(a.count?)?;
    }
    // Goroutine literals started directly by the declaration's body, outside loops.
    let started = starters.started_in(bodies[0].block);
    let mut dones = 0u64;
    for (i, b) in bodies.iter().enumerate() {
        let calls = Calls::of(b.block);
        let has_done = calls
            .direct
            .iter()
            .any(|(k, op, _, _)| k == key && *op == WaitGroupOp::Done)
            || calls
                .deferred
                .iter()
                .any(|(k, op)| k == key && *op == WaitGroupOp::Done);
        if !has_done {
            continue;
        }
        if i == 0 || b.kind != BodyKind::Go && b.kind != BodyKind::Lit {
            return None;
        }
        let once = started.iter().any(|s| {
            matches!(unparen(s.func), Expr::FuncLit(f) if f.body.span == b.block.span)
                && !inside_loop_or_literal(bodies[0].block, s.at)
        });
        if !once || calls.direct.iter().any(|(k, op, _, l)| k == key && *op == WaitGroupOp::Done && *l) {
            return None;
        }
        dones += 1;
    }
    (dones < added).then_some((added, dones))
}

/// Whether `at` lies inside a loop or a function literal of `block`.
fn inside_loop_or_literal<'a>(block: &'a Block<'a>, at: Span) -> bool {
    struct V {
        at: Span,
        found: bool,
    }
    impl<'a> Visitor<'a> for V {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let span = s.span();
            let covers = span.contains(self.at);
            if covers && matches!(s, Stmt::For(_) | Stmt::Range(_)) {
                self.found = true;
            }
            covers && !self.found
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            let span = e.span();
            let covers = span.contains(self.at);
            if covers && matches!(e, Expr::FuncLit(_)) {
                self.found = true;
            }
            covers && !self.found
        }
    }
    let mut v = V { at, found: false };
    walk_node(VNode::Block(block), &[], &mut v);
    v.found
}

/// Whether `key.Done()` is called inside a loop of the declaration (its literals included)
/// that adds nothing to `key` itself and is not the `Add`'s loop `body`.
fn done_in_other_loop<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    body: &'a Block<'a>,
    key: &str,
) -> bool {
    struct V<'c, 'x, 'a> {
        ctx: &'c RuleContext<'x, 'a>,
        key: &'c str,
        loops: Vec<Span>,
        adds: Vec<Span>,
        dones: Vec<Span>,
    }
    impl<'a> Visitor<'a> for V<'_, '_, 'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::For(_) | Stmt::Range(_) = s {
                self.loops.push(s.span());
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Expr::Call(c) = e {
                if let Expr::Selector(sel) = unparen(c.fun) {
                    let at = e.span();
                    let ours = self.ctx.text(sel.x.span()) == self.key;
                    if ours && sel.sel.name == "Add" {
                        self.adds.push(at);
                    }
                    if ours && sel.sel.name == "Done" && c.args.is_empty() {
                        self.dones.push(at);
                    }
                }
            }
            true
        }
    }
    let Some(block) = &decl.body else {
        return false;
    };
    let mut v = V {
        ctx,
        key,
        loops: Vec::new(),
        adds: Vec::new(),
        dones: Vec::new(),
    };
    walk_node(VNode::Block(block), &[], &mut v);
    // A countdown loop: it calls Done and adds nothing itself.
    v.dones.iter().any(|d| {
        !body.span.contains(*d)
            && v.loops.iter().any(|l| {
                l.contains(*d) && !body.span.contains(*l) && !v.adds.iter().any(|a| l.contains(*a))
            })
    })
}


/// For an `Add` in a loop: a goroutine the loop starts after it, when none of the goroutines it
/// starts there calls `Done` on the wait group (and the loop itself does not).
fn undone_goroutine<'a>(
    ctx: &RuleContext<'_, 'a>,
    census: &Census<'a>,
    body: &'a Block<'a>,
    add: &Add<'a>,
    origin: Origin,
) -> Option<Span> {
    let after = add.call.span().end;
    let started: Vec<Started<'a>> = ctx
        .facts
        .starters()
        .started_in(body)
        .into_iter()
        .filter(|s| s.at.start >= after)
        .collect();
    let first = started.first()?.at;
    // A Done in the loop itself (outside the goroutines): the loop counts down on its own.
    let own = Calls::of(body);
    let key = add.key.as_str();
    if own.direct.iter().any(|(k, op, e, _)| {
        k == key && (*op == WaitGroupOp::Done || *op == WaitGroupOp::Add && negative_add(e))
    })
        || own
            .deferred
            .iter()
            .any(|(k, op)| k == key && *op == WaitGroupOp::Done)
    {
        return None;
    }
    let field = (origin != Origin::Local).then(|| key.rsplit('.').next().unwrap_or(key));
    if started
        .iter()
        .any(|s| goroutine_may_done(ctx, census, s, key, field))
    {
        return None;
    }
    Some(first)
}

/// Whether a started goroutine calls `Done` on `key` (or may: code the package cannot see).
/// `field`: the wait group's name when it is a field or package variable (`None` for a local).
fn goroutine_may_done<'a>(
    ctx: &RuleContext<'_, 'a>,
    census: &Census<'a>,
    s: &Started<'a>,
    key: &str,
    field: Option<&str>,
) -> bool {
    let callee_name = |e: &Expr<'a>| match unparen(e) {
        Expr::Ident(f) => Some(f.name),
        Expr::Selector(sel) => Some(sel.sel.name),
        _ => None,
    };
    let root = key.split('.').next().unwrap_or(key);
    match unparen(s.func) {
        Expr::FuncLit(f) => {
            let text = ctx.text(f.body.span);
            if !text.contains(root) && field.is_none() {
                return false;
            }
            // A Done anywhere in it, nested goroutines included.
            if text.contains(&format!("{key}.Done()"))
                || field.is_some_and(|n| text.contains(&format!(".{n}.Done()")))
            {
                return true;
            }
            let calls = Calls::of(&f.body);
            let done = |k: &String, op: WaitGroupOp| {
                op == WaitGroupOp::Done && (k == key || field.is_some_and(|n| last(k) == n))
            };
            if calls.direct.iter().any(|(k, op, _, _)| done(k, *op))
                || calls.deferred.iter().any(|(k, op)| done(k, *op))
            {
                return true;
            }
            literal_reaches_done(census, &f.body, key, field)
        }
        fun => {
            let Some(name) = callee_name(fun) else {
                return true;
            };
            // A function literal handed to the started function (`go t.Run(name, func() {...})`)
            // may be what calls Done.
            let literal_mentions = s.args.iter().any(|a| {
                matches!(unparen(a), Expr::FuncLit(f) if ctx.text(f.body.span).contains(root))
            });
            if literal_mentions {
                return true;
            }
            let passed = s
                .args
                .iter()
                .position(|a| last_name(a).is_some_and(|n| n == last(key)));
            match (field, passed) {
                (_, Some(index)) => census.done_through_param(name, index).unwrap_or(true),
                (Some(field), None) => census.calls_done_on(name, field).unwrap_or(true),
                (None, None) => census.calls_done_on(name, "").is_none(),
            }
        }
    }
}

/// Whether the calls of a goroutine literal may reach a `Done` on the wait group: a package
/// function that calls `Done` on the field, the wait group handed to a function that calls
/// `Done` on that parameter, or handed to (or used by) code the package cannot see.
fn literal_reaches_done<'a>(
    census: &Census<'a>,
    body: &'a Block<'a>,
    key: &str,
    field: Option<&str>,
) -> bool {
    struct V<'c, 'k, 'a> {
        census: &'c Census<'a>,
        key: &'k str,
        field: Option<&'k str>,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_, '_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            let Expr::Call(c) = e else {
                return !self.found;
            };
            let name = match unparen(c.fun) {
                Expr::Ident(f) => Some(f.name),
                Expr::Selector(s) => Some(s.sel.name),
                _ => None,
            };
            let Some(name) = name else { return true };
            if let Some(field) = self.field {
                self.found |= self.census.calls_done_on(name, field) == Some(true);
            }
            for (index, a) in c.args.iter().enumerate() {
                if last_name(a).is_some_and(|n| n == last(self.key)) {
                    self.found |= self.census.done_through_param(name, index).unwrap_or(true);
                }
            }
            !self.found
        }
    }
    let mut v = V {
        census,
        key,
        field,
        found: false,
    };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// `wg.Add(-n)`: a Done.
fn negative_add(e: &Expr<'_>) -> bool {
    matches!(unparen(e), Expr::Call(c) if c.args.first().is_some_and(
        |a| matches!(unparen(a), Expr::Unary(u) if u.op == UnaryOp::Neg)))
}

fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}
