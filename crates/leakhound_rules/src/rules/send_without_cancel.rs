//! ## What it does
//! Flags a bare send `out <- v` (not a `select` case) inside a loop, in a function or
//! goroutine that has a `context.Context` in scope, on a channel that is not made locally with
//! a buffer.
//!
//! Only channels named by an identifier (a parameter, a local or captured variable): a channel
//! in a struct field has an owner whose protocol is out of sight (a buffer made in a
//! constructor, a receiver that drains until every worker has exited). And only sends that
//! repeat with the loop: a send after which the function returns (or leaves its only loop)
//! without going round again runs once; it is a one-shot result rather than a stage's output,
//! and LH301 covers those on local channels. Not flagged either: a channel made in the
//! function whose receiver there is a `for range` loop that nothing but the close ends: it
//! takes every value until then (also `for { v, ok := <-ch; if !ok { return }; ... }`). Nor
//! a counted fan-in: the function's receiver loops once per item of a collection (`for range
//! reqs`, `for i := 0; i < len(reqs); i++`) with no way out, taking one value per iteration
//! from the result channels (a `select` of receives, or a receive), while one goroutine literal
//! sends at most one value per item on them (started per item, or workers over a channel fed
//! once per item): sends never outnumber receives. Nor a send in a handler whose every caller in the package
//! drains its output channel until the handler returns (a wrapper that makes the channel,
//! starts a goroutine that ranges over it until the close, or loops on a `select` until a
//! channel closed after the call, and then calls the handler; the handler is an unexported
//! function called directly, or a literal passed to a package function that calls it or hands
//! it on): a handler whose callers are out of sight is still flagged. The handler may also be
//! an unexported method (never called through an interface), or a literal bound to a local
//! that is only called or handed to package functions that call it; and a caller also drains
//! when it runs the handler in goroutines a wait group tracks (`defer wg.Done()`) and drains
//! the channel until that wait group is done: a `range` ended by a `close` after `wg.Wait()`,
//! or a `for { select }` whose leaving cases receive a channel closed or sent to after
//! `wg.Wait()`. Nor a channel taken from a container (`for _, w := range s.waiters { w <- v
//! }`): it was made and buffered where it was stored, out of sight.
//!
//! ## Why is this bad?
//! When the consumer stops (its context was cancelled), a pipeline stage blocked on that send
//! waits forever: it never looks at the context it was given.
//!
//! ## Example
//! ```go
//! func stage(ctx context.Context, in <-chan int, out chan<- int) {
//!     for v := range in {
//!         out <- v * 2
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! for v := range in {
//!     select {
//!     case out <- v * 2:
//!     case <-ctx.Done():
//!         return
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! Suggested only: returning on cancellation changes what the stage does.
//!
//! ## Related
//! LH301 abandoned-sender.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::cfg::{clause_leaves, loop_escapes};
use leakhound_model::channels::{Cap, FuncModel, OpKind};
use leakhound_model::fanin::counted_fan_in;
use leakhound_model::semantic::types::{Binding, Ty};
use leakhound_model::semantic::{FuncId, Semantic};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::SendWithoutCancel,
    code: "LH303",
    name: "send-without-cancel",
    summary: "bare send in a loop with a context in scope: it cannot be cancelled",
    severity: Severity::Warning,
    doc: crate::docs::SEND_WITHOUT_CANCEL,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Channels],
};

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    m: &FuncModel<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let mut counted = None;
    // Only channels named by an identifier (a parameter, a local or captured variable): a
    // channel in a struct field has an owner whose protocol is out of sight (buffered in a
    // constructor, drained until every worker exits). And only sends that repeat with the
    // loop: a send followed by `return` is a one-shot result, not a stage's output.
    for send in m.ops.iter().filter(|o| {
        o.kind == OpKind::Send
            && o.local
            && o.in_loop
            && !o.runs_once
            && o.ctx_in_scope
            && o.select.is_none()
    }) {
        if send.local
            && m.make_of(send.chan)
                .is_some_and(|mk| mk.cap != Cap::Known(0))
        {
            continue;
        }
        // An element of a container (`for _, w := range s.waiters { w <- v }`): the channel's
        // buffer and receiver are where it was made and stored, out of sight.
        if m.elements.contains(&send.chan) && m.make_of(send.chan).is_none() {
            continue;
        }
        // Made here and drained by a `range` that only a close ends: every value is taken.
        if m.make_of(send.chan).is_some() && m.drains.iter().any(|(c, _)| *c == send.chan) {
            continue;
        }
        let chan = send.chan;
        if counted
            .get_or_insert_with(|| counted_fan_in(decl, &|e| ctx.never_returns(e)))
            .contains(&chan)
        {
            continue;
        }
        if drained_by_wrappers(ctx, decl, send.span, chan) {
            continue;
        }
        let mut d = ctx.diagnostic(
            &RULE,
            send.span,
            format!(
                "send on {chan} blocks forever once the receiver stops: it ignores the context"
            ),
        );
        d.help = Some(format!(
            "select {{ case {chan} <- v: case <-ctx.Done(): return }}"
        ));
        out.push(d);
    }
}

/// A send on a parameter `chan` of a handler whose every caller the package can see drains
/// that channel until the handler returns: the caller makes the channel, starts a goroutine
/// that receives from it until it is closed (`for v := range out`) or until a channel the
/// caller closes after the call (`case <-done: return`), then calls the handler. The handler is
/// the declaration itself (unexported, called directly) or a function literal passed to a
/// package function that calls it, or hands it on to another that does (`Register(m, func(ctx,
/// p, out) {...})`). Any other use of the handler (stored, passed to another package) leaves
/// its callers out of sight: the finding stands.
fn drained_by_wrappers<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    send: Span,
    chan: &str,
) -> bool {
    let Some(body) = &decl.body else {
        return false;
    };
    let sem = ctx.facts.semantic(ctx.file);
    let Some(f) = sem.func_of(ctx.file, decl) else {
        return false;
    };
    let (typ, lit) = innermost_func(decl, body, send);
    // A parameter of the innermost function, or of the declaration captured by a literal.
    let (index, lit) = match (param_index(typ, chan), param_index(&decl.typ, chan)) {
        (Some(i), _) => (i, lit),
        (None, Some(i)) => (i, None),
        (None, None) => return returned_and_drained(sem, f, body, chan),
    };
    let mut calls = Vec::new();
    let visible = match lit {
        // Handed as a value to another package's function: that package's wrapper owns the
        // channel, and the model cannot see how it drains it.
        None if handed_to_other_package(sem, f) => return true,
        // The declaration itself: its direct calls in the package.
        None => {
            let exported = decl.name.name.starts_with(|c: char| c.is_ascii_uppercase());
            !exported && direct_calls(sem, f, index, &mut calls)
        }
        // A literal bound to a local (`process := func(...)`): its calls in the declaration.
        Some(None) => local_calls(sem, f, body, send, index, &mut calls),
        // A literal passed as argument `j` to a package function.
        Some(Some((c, j))) => {
            let (callees, dynamic) = sem.callees(f, c);
            match callees.as_slice() {
                [r] if !dynamic => follow_param(sem, *r, j, index, 0, &mut calls),
                _ => false,
            }
        }
    };
    visible
        && !calls.is_empty()
        && calls
            .iter()
            .all(|&(g, c, i)| drains_during(sem, g, c, i))
}

/// A function literal, with the call it is an argument of and its position there.
type Lit<'a> = Option<(&'a CallExpr<'a>, u32)>;

/// The innermost function around `at`: its type, and for a function literal, the call it is
/// an argument of (`None` for the declaration itself).
fn innermost_func<'a>(
    decl: &'a FuncDecl<'a>,
    body: &'a Block<'a>,
    at: Span,
) -> (&'a FuncType<'a>, Option<Lit<'a>>) {
    struct V<'a> {
        at: Span,
        found: Option<(&'a FuncType<'a>, Lit<'a>)>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            let Expr::FuncLit(lit) = e else { return true };
            if !lit.span.contains(self.at) {
                return false;
            }
            let call = match parents.last() {
                Some(VNode::Expr(Expr::Call(c))) => c
                    .args
                    .iter()
                    .position(|a| std::ptr::eq(a, e))
                    .map(|j| (c, u32::try_from(j).unwrap_or(u32::MAX))),
                _ => None,
            };
            self.found = Some((&lit.typ, call));
            true
        }
    }
    let mut v = V { at, found: None };
    walk_node(VNode::Block(body), &[], &mut v);
    match v.found {
        Some((typ, call)) => (typ, Some(call)),
        None => (&decl.typ, None),
    }
}

fn param_index(typ: &FuncType<'_>, name: &str) -> Option<u32> {
    let mut i = 0u32;
    for field in &typ.params.list {
        if field.names.is_empty() {
            i += 1;
        }
        for n in &field.names {
            if n.name == name {
                return Some(i);
            }
            i += 1;
        }
    }
    None
}

/// The calls of `h` in the package (callers, call, channel argument's position). False when
/// `h` is referred to otherwise than called (a value handed on: callers out of sight).
fn direct_calls<'a>(
    sem: &Semantic<'a>,
    h: FuncId,
    index: u32,
    out: &mut Vec<(FuncId, &'a CallExpr<'a>, u32)>,
) -> bool {
    let name = sem.func(h).name;
    for g in sem.func_ids() {
        // Called through an interface: the call sites are not all in sight.
        if sem.calls(g).iter().any(|s| s.dynamic && s.callees.contains(&h)) {
            return false;
        }
        let called: Vec<&'a CallExpr<'a>> = sem
            .calls(g)
            .iter()
            .filter(|s| s.callees == [h] && !s.dynamic)
            .map(|s| s.call)
            .collect();
        let Some(body) = &sem.func(g).decl.body else {
            continue;
        };
        // Every mention of the name must be one of those calls.
        let src = sem.source(sem.func(g).file);
        // Whole words only: `move` is not mentioned by `mover`.
        let text = src.get(body.span.range()).unwrap_or("");
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mentions = text
            .match_indices(name)
            .filter(|(k, _)| {
                !word(text[..*k].chars().next_back()) && !word(text[k + name.len()..].chars().next())
            })
            .count();
        if mentions > called.len() {
            return false;
        }
        for c in called {
            if c.args.len() <= index as usize {
                return false;
            }
            out.push((g, c, index));
        }
    }
    true
}

/// The handler is parameter `param` of `r`: every use of it in `r` is a call (to check) or an
/// argument of a package function (followed, a few levels deep).
fn follow_param<'a>(
    sem: &Semantic<'a>,
    r: FuncId,
    param: u32,
    index: u32,
    depth: u32,
    out: &mut Vec<(FuncId, &'a CallExpr<'a>, u32)>,
) -> bool {
    struct V<'s, 'a> {
        sem: &'s Semantic<'a>,
        r: FuncId,
        param: u32,
        /// Uses as a call's function, uses as an argument (call, position), other uses.
        called: Vec<&'a CallExpr<'a>>,
        passed: Vec<(&'a CallExpr<'a>, u32)>,
        other: bool,
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            let Expr::Ident(id) = e else { return true };
            if self.sem.bind(self.r, id) != Binding::Param(self.param) {
                return true;
            }
            match parents.last() {
                Some(VNode::Expr(Expr::Call(c))) if std::ptr::eq(c.fun, e) => self.called.push(c),
                Some(VNode::Expr(Expr::Call(c))) => {
                    match c.args.iter().position(|a| std::ptr::eq(a, e)) {
                        Some(k) => self.passed.push((c, u32::try_from(k).unwrap_or(u32::MAX))),
                        None => self.other = true,
                    }
                }
                _ => self.other = true,
            }
            true
        }
    }
    if depth > 3 {
        return false;
    }
    let Some(body) = &sem.func(r).decl.body else {
        return false;
    };
    let mut v = V {
        sem,
        r,
        param,
        called: Vec::new(),
        passed: Vec::new(),
        other: false,
    };
    walk_node(VNode::Block(body), &[], &mut v);
    if v.other {
        return false;
    }
    for c in v.called {
        if c.args.len() <= index as usize {
            return false;
        }
        out.push((r, c, index));
    }
    v.passed.into_iter().all(|(c, k)| {
        let (callees, dynamic) = sem.callees(r, c);
        match callees.as_slice() {
            [r2] if !dynamic => follow_param(sem, *r2, k, index, depth + 1, out),
            _ => false,
        }
    })
}

/// Whether `g` drains argument `i` of its call `c` while the call runs: the argument is a
/// channel `g` makes, and a goroutine started earlier in the same statement list receives from
/// it until it is closed, or until a channel closed after the call.
fn drains_during<'a>(sem: &Semantic<'a>, g: FuncId, c: &'a CallExpr<'a>, i: u32) -> bool {
    drains_while_running(sem, g, c, i) || drains_until_done(sem, g, c, i)
}

/// The channel argument `i` of `c` when it is a local `g` makes.
fn made_arg<'a>(sem: &Semantic<'a>, g: FuncId, c: &'a CallExpr<'a>, i: u32) -> Option<&'a str> {
    let Some(Expr::Ident(arg)) = c.args.get(i as usize).map(unparen) else {
        return None;
    };
    let Binding::Local(l) = sem.bind(g, arg) else {
        return None;
    };
    let made = sem.locals(g)[l].init.is_some_and(|e| {
        matches!(unparen(e), Expr::Call(m) if matches!(unparen(m.fun), Expr::Ident(id) if id.name == "make"))
    });
    made.then_some(arg.name)
}

/// The call runs in a goroutine of `g` that a wait group `wg` tracks (`defer wg.Done()`), and
/// `g` drains the channel until `wg` is done: a `range` over it with `close(ch)` after
/// `wg.Wait()`, or a `for { select }` whose leaving cases receive a channel closed or sent to
/// after `wg.Wait()`. Every send of the call happens before the drain stops.
fn drains_until_done<'a>(sem: &Semantic<'a>, g: FuncId, c: &'a CallExpr<'a>, i: u32) -> bool {
    let Some(arg) = made_arg(sem, g, c, i) else {
        return false;
    };
    let Some(body) = &sem.func(g).decl.body else {
        return false;
    };
    let Some(wg) = tracking_group(body, c.span) else {
        return false;
    };
    let mut lists = Lists(Vec::new());
    walk_node(VNode::Block(body), &[], &mut lists);
    // What is closed or sent to after `wg.Wait()` in the same list.
    let mut after_wait: Vec<&str> = Vec::new();
    for list in &lists.0 {
        let Some(k) = list.iter().position(|s| is_call_on(s, wg, "Wait")) else {
            continue;
        };
        for s in &list[k + 1..] {
            if let Some(x) = closed_name(s) {
                after_wait.push(x);
            }
            if let Stmt::Send(send) = s {
                if let Expr::Ident(x) = unparen(&send.chan) {
                    after_wait.push(x.name);
                }
            }
        }
    }
    lists.0.iter().flat_map(|l| l.iter()).any(|s| {
        (after_wait.contains(&arg) && drain_loop(s, arg, &[]))
            || (!after_wait.is_empty() && drain_loop(s, arg, &after_wait))
    })
}

/// Every statement list of a body, function literals included.
struct Lists<'a>(Vec<&'a [Stmt<'a>]>);

impl<'a> Visitor<'a> for Lists<'a> {
    fn visit_stmt(&mut self, _s: &'a Stmt<'a>, parents: &[VNode<'a>]) -> bool {
        let list: Option<&'a [Stmt<'a>]> = match parents.last() {
            Some(VNode::Block(b)) => Some(&b.stmts),
            Some(VNode::CaseClause(c)) => Some(&c.body),
            Some(VNode::CommClause(c)) => Some(&c.body),
            _ => None,
        };
        if let Some(l) = list {
            if !self.0.iter().any(|x| std::ptr::eq(*x, l)) {
                self.0.push(l);
            }
        }
        true
    }
}

/// `x.name()` as a statement (or deferred), `x` a plain name.
fn is_call_on(s: &Stmt<'_>, x: &str, name: &str) -> bool {
    let call = match s {
        Stmt::Expr(e) => &e.x,
        Stmt::Defer(d) => &d.call,
        _ => return false,
    };
    matches!(unparen(call), Expr::Call(c) if c.args.is_empty()
        && matches!(unparen(c.fun), Expr::Selector(sel) if sel.sel.name == name
            && matches!(unparen(sel.x), Expr::Ident(id) if id.name == x)))
}

/// The wait group that tracks the goroutine literal around `at`: its body calls `wg.Done()`
/// (deferred, or as its last statement).
fn tracking_group<'a>(body: &'a Block<'a>, at: Span) -> Option<&'a str> {
    struct V<'a> {
        at: Span,
        found: Option<&'a Block<'a>>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let sp = s.span();
            if !sp.contains(self.at) {
                return false;
            }
            if let Stmt::Go(g) = s {
                if let Expr::Call(c) = unparen(&g.call) {
                    if let Expr::FuncLit(lit) = unparen(c.fun) {
                        self.found = Some(&lit.body);
                    }
                }
            }
            true
        }
    }
    let mut v = V { at, found: None };
    walk_node(VNode::Block(body), &[], &mut v);
    let lit = v.found?;
    lit.stmts.iter().find_map(|s| {
        let call = match s {
            Stmt::Defer(d) => &d.call,
            Stmt::Expr(e) => &e.x,
            _ => return None,
        };
        match unparen(call) {
            Expr::Call(c) if c.args.is_empty() => match unparen(c.fun) {
                Expr::Selector(sel) if sel.sel.name == "Done" => match unparen(sel.x) {
                    Expr::Ident(id) => Some(id.name),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    })
}

/// The calls of a function literal bound to a local (`process := func(...)`) that is only ever
/// called or handed to package functions that call it: (caller, call, channel argument's
/// position).
fn local_calls<'a>(
    sem: &Semantic<'a>,
    f: FuncId,
    body: &'a Block<'a>,
    at: Span,
    index: u32,
    out: &mut Vec<(FuncId, &'a CallExpr<'a>, u32)>,
) -> bool {
    struct B<'a> {
        at: Span,
        name: Option<&'a str>,
    }
    impl<'a> Visitor<'a> for B<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                if let ([Expr::Ident(x)], [Expr::FuncLit(lit)]) = (a.lhs.as_slice(), a.rhs.as_slice()) {
                    if lit.span.contains(self.at) {
                        self.name = Some(x.name);
                    }
                }
            }
            true
        }
    }
    struct U<'a> {
        name: &'a str,
        called: Vec<&'a CallExpr<'a>>,
        passed: Vec<(&'a CallExpr<'a>, u32)>,
        other: bool,
    }
    impl<'a> Visitor<'a> for U<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            if let Expr::Ident(id) = e {
                if id.name == self.name {
                    match parents.last() {
                        Some(VNode::Expr(Expr::Call(c))) if std::ptr::eq(c.fun, e) => {
                            self.called.push(c);
                        }
                        Some(VNode::Expr(Expr::Call(c))) => {
                            match c.args.iter().position(|a| std::ptr::eq(a, e)) {
                                Some(k) => {
                                    self.passed.push((c, u32::try_from(k).unwrap_or(u32::MAX)));
                                }
                                None => self.other = true,
                            }
                        }
                        Some(VNode::Stmt(Stmt::Assign(a)))
                            if a.lhs.iter().any(|l| std::ptr::eq(l, e)) => {}
                        _ => self.other = true,
                    }
                }
            }
            true
        }
    }
    let mut b = B { at, name: None };
    walk_node(VNode::Block(body), &[], &mut b);
    let Some(name) = b.name else {
        return false;
    };
    let mut u = U {
        name,
        called: Vec::new(),
        passed: Vec::new(),
        other: false,
    };
    walk_node(VNode::Block(body), &[], &mut u);
    if u.other || (u.called.is_empty() && u.passed.is_empty()) {
        return false;
    }
    for c in u.called {
        if c.args.len() <= index as usize {
            return false;
        }
        out.push((f, c, index));
    }
    // Handed to a package function: its calls of that parameter.
    u.passed.into_iter().all(|(c, k)| {
        let (callees, dynamic) = sem.callees(f, c);
        match callees.as_slice() {
            [r] if !dynamic => follow_param(sem, *r, k, index, 0, out),
            _ => false,
        }
    })
}

/// The call runs while a goroutine started before it in the same statement list drains the
/// channel: until it is closed, or until a channel closed after the call.
fn drains_while_running<'a>(sem: &Semantic<'a>, g: FuncId, c: &'a CallExpr<'a>, i: u32) -> bool {
    let Some(Expr::Ident(arg)) = c.args.get(i as usize).map(unparen) else {
        return false;
    };
    let Binding::Local(l) = sem.bind(g, arg) else {
        return false;
    };
    let made = sem.locals(g)[l].init.is_some_and(|e| {
        matches!(unparen(e), Expr::Call(m) if matches!(unparen(m.fun), Expr::Ident(id) if id.name == "make"))
    });
    if !made {
        return false;
    }
    let Some(body) = &sem.func(g).decl.body else {
        return false;
    };
    let Some((stmts, k)) = statement_of(body, c.span) else {
        return false;
    };
    let closed_after: Vec<&str> = stmts[k + 1..]
        .iter()
        .chain(stmts[..k].iter().filter(|s| matches!(s, Stmt::Defer(_))))
        .filter_map(closed_name)
        .collect();
    stmts[..k].iter().any(|s| {
        let Stmt::Go(go) = s else { return false };
        let Expr::Call(gc) = unparen(&go.call) else {
            return false;
        };
        let Expr::FuncLit(lit) = unparen(gc.fun) else {
            return false;
        };
        lit.body
            .stmts
            .iter()
            .any(|s| drain_loop(s, arg.name, &closed_after))
    })
}

/// `for v := range name { ... }` that nothing leaves, or `for { select { ... } }` with a case
/// receiving from `name` whose leaving cases receive from `name` or from a channel in `closed`.
fn drain_loop(s: &Stmt<'_>, name: &str, closed: &[&str]) -> bool {
    let is_name = |e: &Expr<'_>| matches!(unparen(e), Expr::Ident(id) if id.name == name);
    match s {
        Stmt::Range(r) => is_name(&r.x) && !loop_escapes(&r.body.stmts, &|_| false),
        Stmt::For(f) if f.cond.is_none() => {
            let [Stmt::Select(sel)] = f.body.stmts.as_slice() else {
                return false;
            };
            let recv_of = |c: &CommClause<'_>| -> Option<String> {
                let e = match c.comm? {
                    Stmt::Expr(e) => &e.x,
                    Stmt::Assign(a) => a.rhs.first()?,
                    _ => return None,
                };
                match unparen(e) {
                    Expr::Unary(u) if u.op == UnaryOp::Recv => match unparen(u.x) {
                        Expr::Ident(id) => Some(id.name.to_string()),
                        _ => Some(String::new()),
                    },
                    _ => None,
                }
            };
            sel.body.iter().any(|c| recv_of(c).is_some_and(|n| n == name))
                && sel.body.iter().all(|c| {
                    !clause_leaves(&c.body)
                        || recv_of(c).is_some_and(|n| n == name || closed.contains(&n.as_str()))
                })
        }
        _ => false,
    }
}

/// `close(x)` or `defer close(x)`: `x`.
fn closed_name<'a>(s: &'a Stmt<'a>) -> Option<&'a str> {
    let call = match s {
        Stmt::Expr(e) => &e.x,
        Stmt::Defer(d) => &d.call,
        _ => return None,
    };
    let Expr::Call(c) = unparen(call) else {
        return None;
    };
    match (unparen(c.fun), c.args.as_slice()) {
        (Expr::Ident(f), [Expr::Ident(x)]) if f.name == "close" => Some(x.name),
        _ => None,
    }
}

/// The statement list (of a block, a case clause or a comm clause) with a statement around
/// `at`, and that statement's position: the innermost one.
fn statement_of<'a>(body: &'a Block<'a>, at: Span) -> Option<(&'a [Stmt<'a>], usize)> {
    struct V<'a> {
        at: Span,
        found: Option<(&'a [Stmt<'a>], usize)>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, parents: &[VNode<'a>]) -> bool {
            let sp = s.span();
            if !sp.contains(self.at) {
                return false;
            }
            let list: &'a [Stmt<'a>] = match parents.last() {
                Some(VNode::Block(b)) => &b.stmts,
                Some(VNode::CaseClause(c)) => &c.body,
                Some(VNode::CommClause(c)) => &c.body,
                _ => return true,
            };
            if let Some(k) = list.iter().position(|x| std::ptr::eq(x, s)) {
                self.found = Some((list, k));
            }
            true
        }
    }
    let mut v = V { at, found: None };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// Whether the package hands `h` as a function value (`s.Handler`, `handler`) to a call it
/// cannot resolve: a function of another package (a framework's `Register`).
fn handed_to_other_package(sem: &Semantic<'_>, h: FuncId) -> bool {
    struct V<'s, 'a> {
        sem: &'s Semantic<'a>,
        g: FuncId,
        h: FuncId,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            let name = self.sem.func(self.h).name;
            let denotes = match e {
                Expr::Ident(id) => id.name == name && self.sem.bind(self.g, id) == Binding::Func(self.h),
                Expr::Selector(s) if s.sel.name == name => {
                    matches!(self.sem.type_of(self.g, s.x).pointee(), Ty::Named(t) if self.sem.method(*t, name) == Some(self.h))
                }
                _ => false,
            };
            if denotes {
                if let Some(VNode::Expr(Expr::Call(c))) = parents.last() {
                    if c.args.iter().any(|a| std::ptr::eq(a, e)) && self.sem.callees(self.g, c).0.is_empty() {
                        self.found = true;
                    }
                }
            }
            !self.found
        }
    }
    let mut v = V {
        sem,
        g: 0,
        h,
        found: false,
    };
    for g in sem.func_ids() {
        let Some(body) = &sem.func(g).decl.body else {
            continue;
        };
        v.g = g;
        walk_node(VNode::Block(body), &[], &mut v);
        if v.found {
            return true;
        }
    }
    false
}

/// `chan` is made in `f` (unexported) and returned, and every call of `f` in the package
/// binds the result to a variable that a `range` nothing leaves then drains: every value sent
/// is taken.
fn returned_and_drained<'a>(sem: &Semantic<'a>, f: FuncId, body: &'a Block<'a>, chan: &str) -> bool {
    struct R<'n> {
        chan: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for R<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Return(r) = s {
                self.found |= r
                    .results
                    .iter()
                    .any(|e| matches!(unparen(e), Expr::Ident(id) if id.name == self.chan));
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            !matches!(e, Expr::FuncLit(_))
        }
    }
    if sem.func(f).name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    let mut r = R { chan, found: false };
    walk_node(VNode::Block(body), &[], &mut r);
    if !r.found {
        return false;
    }
    let mut called = false;
    for g in sem.func_ids() {
        for site in sem.calls(g) {
            if !site.callees.contains(&f) {
                continue;
            }
            called = true;
            let Some(gbody) = &sem.func(g).decl.body else {
                return false;
            };
            let Some((stmts, k)) = statement_of(gbody, site.call.span) else {
                return false;
            };
            let Stmt::Assign(a) = &stmts[k] else {
                return false;
            };
            let bound = matches!((a.lhs.as_slice(), a.rhs.as_slice()),
                ([Expr::Ident(_), ..], [rhs]) if rhs.span() == site.call.span);
            let Some(Expr::Ident(x)) = a.lhs.first().filter(|_| bound) else {
                return false;
            };
            let drained = stmts[k + 1..].iter().any(|s| {
                matches!(s, Stmt::Range(rs) if matches!(unparen(&rs.x), Expr::Ident(id) if id.name == x.name)
                    && !loop_escapes(&rs.body.stmts, &|_| false))
            });
            if !drained {
                return false;
            }
        }
    }
    called
}
