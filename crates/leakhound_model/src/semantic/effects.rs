//! What each function of the package does with locks, bottom-up to any depth: the locks it
//! acquires (itself or through the calls it makes), those it releases for its caller, those it
//! leaves held at return, the order in which it takes two locks (for lock-order inversions),
//! and the channel operations it may block on, with the locks held there. Each is conditioned on the function's bool parameters when the lock sits under
//! `if needLock {` or `if !locked {`: a call with a constant argument selects the branch.
//!
//! One forward pass per function body over its control-flow view ([`crate::cfg`]); callees'
//! effects are substituted at each call (receiver and arguments mapped to the caller's
//! instances). Recursion is cut: a function whose effects are being computed contributes
//! nothing to its own callers inside the cycle. Function literals, `go` statements and
//! unresolved calls are not followed.

use std::collections::HashMap;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use super::identity::{Base, Identity, Place, Resolved};
use super::types::{Binding, Kind, Local, Ty};
use super::{FuncId, Semantic};
use crate::cfg::{Cfg, Node, Term};
use crate::summary::Mode;

/// One acquisition of a lock, as seen from one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acquire<'a> {
    /// The lock, its place relative to this function.
    pub prim: Resolved<'a>,
    pub mode: Mode,
    /// This function's file.
    pub file: usize,
    /// The `Lock` call, or the call of this function that leads to it.
    pub site: Span,
    /// The `Lock` call itself: (file, span).
    pub origin: (usize, Span),
    /// The callee the acquisition is reached through.
    pub via: Option<FuncId>,
    /// Taken only when the bool parameter at that position has that value.
    pub guard: Option<(u32, bool)>,
    /// On some path this function released the same instance first (it re-takes its
    /// caller's lock).
    pub after_release: bool,
    /// Locks released on some path before this acquisition, by this function or the callee
    /// it goes through: a caller's lock given up first (`a.mu.Unlock(); b.mu.Lock()`) is not
    /// held while this one is taken.
    pub released_before: Vec<Identity<'a>>,
}

/// Lock `first` held while `second` is taken, in `func`.
#[derive(Clone, Debug)]
pub struct OrderEdge<'a> {
    pub func: FuncId,
    pub first: Acquire<'a>,
    pub second: Acquire<'a>,
    /// The other locks this function holds on every path to the second acquisition, and how.
    pub held: Vec<(Identity<'a>, Mode)>,
    /// One of the two instances is out of other paths' reach: taken out of its container (a
    /// map `delete`, a slice cut or a container replaced) while the other lock was held and
    /// before it was locked, or made by this function (`c := &T{...}`, `new(T)`).
    pub unreachable: bool,
}

/// What a function holds at one of its calls of a package function, when it holds or has
/// released anything there.
#[derive(Clone, Debug)]
pub struct CallHeld<'a> {
    /// The call.
    pub site: Span,
    /// Locks held on every path to the call.
    pub held: Vec<(Identity<'a>, Mode)>,
    /// Locks released on some path before the call.
    pub released: Vec<Identity<'a>>,
}

/// A channel operation that can block (a send, a receive, a `range` over a channel, a `select`
/// without `default`), on the function's own goroutine or in a callee; and each `close`, which
/// does not block but is the other side of a receive (the locks held there count as much).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocking<'a> {
    /// The channel, when the model identifies it (none for a `select`, or a callee's local).
    pub chan: Option<Resolved<'a>>,
    /// `send`, `recv`, `range`, `select` or `close`.
    pub op: &'static str,
    /// This function's file.
    pub file: usize,
    /// The operation, or the call of this function that leads to it.
    pub site: Span,
    /// The operation itself: (file, span).
    pub origin: (usize, Span),
    pub via: Option<FuncId>,
    /// The locks this function may hold there.
    pub held: Vec<Acquire<'a>>,
}

#[derive(Clone, Debug, Default)]
pub struct LockEffects<'a> {
    /// Every acquisition on the function's own goroutine, in source order.
    pub acquires: Vec<Acquire<'a>>,
    /// Locks still held (and not released by a deferred call) at some return.
    pub held_at_return: Vec<Acquire<'a>>,
    /// Instances released on some path without having been acquired: the caller's.
    pub releases: Vec<Resolved<'a>>,
    /// Two locks held in order.
    pub edges: Vec<OrderEdge<'a>>,
    /// Blocking channel operations, with the locks held there.
    pub blocking: Vec<Blocking<'a>>,
    /// How each instance of `releases` is released (`Unlock`: write, `RUnlock`: read).
    pub release_modes: Vec<(Identity<'a>, Mode)>,
    /// The calls of package functions made while holding or after releasing a lock.
    pub calls: Vec<CallHeld<'a>>,
}

static EMPTY: LockEffects<'static> = LockEffects {
    acquires: Vec::new(),
    held_at_return: Vec::new(),
    releases: Vec::new(),
    edges: Vec::new(),
    blocking: Vec::new(),
    release_modes: Vec::new(),
    calls: Vec::new(),
};

impl<'a> Semantic<'a> {
    /// The lock effects of a function, computed on first use (its callees' first).
    pub fn lock_effects(&self, func: FuncId) -> &LockEffects<'a> {
        if let Some(e) = self.effects[func as usize].get() {
            return e;
        }

        if self.in_progress.borrow()[func as usize] {
            return &EMPTY;
        }
        self.in_progress.borrow_mut()[func as usize] = true;
        let computed = self.compute_effects(func);
        self.in_progress.borrow_mut()[func as usize] = false;
        let _ = self.effects[func as usize].set(computed);
        self.effects[func as usize].get().unwrap_or(&EMPTY)
    }

    /// Acquisitions a call makes on the caller's instances, after substituting the callee's
    /// receiver and arguments: what holding a lock across this call would re-take. Bool guards
    /// are resolved against the call's arguments (a guard the arguments do not settle drops
    /// the acquisition). Acquisitions the callee makes after releasing the same lock are left
    /// out.
    pub fn call_acquires(&self, func: FuncId, c: &'a CallExpr<'a>) -> Vec<Acquire<'a>> {
        let locals = self.locals(func);
        let (callees, _) = self.callees_in(func, locals, c);
        let mut runs: Vec<(FuncId, Option<&'a Expr<'a>>)> = match callees.as_slice() {
            [callee] => vec![(*callee, None)],
            _ => Vec::new(),
        };
        runs.extend(
            self.stringers_in(func, locals, c)
                .into_iter()
                .map(|(g, operand)| (g, Some(operand))),
        );
        let file = self.funcs[func as usize].file;
        let mut out = Vec::new();
        for (callee, recv) in runs {
            for a in &self.lock_effects(callee).acquires {
                if a.after_release {
                    continue;
                }
                if let Some(s) = self.substitute(func, locals, c, recv, callee, a, file) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// Every lock-order edge of the package, computed on first use. An edge needs a lock held
    /// in the function that makes it, so only functions that lock themselves are asked (their
    /// callees are summarised as they need).
    pub fn order_edges(&self) -> &[OrderEdge<'a>] {
        self.order.get_or_init(|| {
            self.func_ids()
                .filter(|&f| self.body_text(f).contains("Lock()"))
                .flat_map(|f| self.lock_effects(f).edges.iter().cloned())
                .collect()
        })
    }

    pub(crate) fn body_text(&self, func: FuncId) -> &'a str {
        let info = &self.funcs[func as usize];
        info.decl.body.as_ref().map_or("", |b| {
            self.source(info.file).get(b.span.range()).unwrap_or("")
        })
    }

    /// Whether some call of `func` in the package may pass `value` as its bool parameter
    /// `param`: a constant that equals it, or anything not constant. A function the package
    /// never calls may be called with anything (from another package).
    pub fn guard_reachable(&self, func: FuncId, (param, value): (u32, bool)) -> bool {
        let mut called = false;
        for f in self.func_ids() {
            for site in self.calls(f) {
                if site.kind != super::callgraph::CallKind::Call || !site.callees.contains(&func) {
                    continue;
                }
                called = true;
                let arg = site.call.args.get(param as usize);
                match arg.and_then(|a| self.bool_arg(f, self.locals(f), a)) {
                    Some(BoolArg::Const(v)) if v != value => {}
                    _ => return true,
                }
            }
        }
        !called
    }

    /// `a`, an acquisition of `callee`, as made by the call `c` of `func`. `recv` overrides the
    /// receiver expression (for `once.Do(s.init)`).
    #[allow(clippy::too_many_arguments)]
    fn substitute(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
        recv: Option<&'a Expr<'a>>,
        callee: FuncId,
        a: &Acquire<'a>,
        file: usize,
    ) -> Option<Acquire<'a>> {
        let guard = match a.guard {
            None => None,
            Some((i, want)) => match self.bool_arg(func, locals, c.args.get(i as usize)?)? {
                BoolArg::Const(v) if v == want => None,
                BoolArg::Const(_) => return None,
                BoolArg::Param(j, negated) => Some((j, want != negated)),
            },
        };
        let prim = self.substitute_prim(func, locals, c, recv, &a.prim)?;
        Some(Acquire {
            prim,
            mode: a.mode,
            file,
            site: c.span,
            origin: a.origin,
            via: Some(callee),
            guard,
            after_release: false,
            released_before: a.released_before.clone(),
        })
    }

    fn substitute_prim(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
        recv: Option<&'a Expr<'a>>,
        r: &Resolved<'a>,
    ) -> Option<Resolved<'a>> {
        let extend = |mut p: Place<'a>| {
            if p.base != Base::Unknown {
                p.path.extend(r.place.path.iter().copied());
            }
            p
        };
        let place = match r.place.base {
            Base::Recv => {
                let x = match recv {
                    Some(x) => Some(x),
                    None => match unparen(c.fun) {
                        Expr::Selector(s) => Some(s.x),
                        _ => None,
                    },
                };
                x.map_or(Place::UNKNOWN, |x| extend(self.place_in(func, locals, x)))
            }
            Base::Param(i) => {
                let arg = c.args.get(i as usize)?;
                if let Identity::Param { .. } = r.id {
                    return self.resolve_in(func, locals, arg, 0);
                }
                extend(self.place_in(func, locals, arg))
            }
            Base::PkgVar(_) => r.place.clone(),
            Base::Local(_) | Base::Unknown => Place::UNKNOWN,
        };
        if let Identity::Param { .. } | Identity::Local { .. } = r.id {
            // Another function's local or parameter: not an instance the caller can name.
            return None;
        }
        Some(Resolved {
            id: r.id,
            kind: r.kind,
            place,
        })
    }

    fn bool_arg(&self, func: FuncId, locals: &[Local<'a>], e: &'a Expr<'a>) -> Option<BoolArg> {
        match unparen(e) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Param(j)
                    if self.funcs[func as usize].params[j as usize].ty == Ty::Bool =>
                {
                    Some(BoolArg::Param(j, false))
                }
                Binding::Unknown if id.name == "true" => Some(BoolArg::Const(true)),
                Binding::Unknown if id.name == "false" => Some(BoolArg::Const(false)),
                _ => None,
            },
            Expr::Unary(u) if u.op == UnaryOp::Not => match self.bool_arg(func, locals, u.x)? {
                BoolArg::Const(v) => Some(BoolArg::Const(!v)),
                BoolArg::Param(j, n) => Some(BoolArg::Param(j, !n)),
            },
            _ => None,
        }
    }

    fn compute_effects(&self, func: FuncId) -> LockEffects<'a> {
        let info = &self.funcs[func as usize];
        let Some(body) = &info.decl.body else {
            return LockEffects::default();
        };
        // Most functions neither lock nor call anything of the package that does.
        if !self.may_lock(func) {
            return LockEffects::default();
        }
        let locals = self.locals(func);
        let prep = Prep::of(self, func, locals, body);
        // `pkg.Name` of an import the function does not shadow; no scoped view of `panic` or
        // of `require.New(t)` values here, which only makes fewer paths end.
        let imports = &self.imports[info.file];
        let resolve = |fun: &'a Expr<'a>| {
            let Expr::Selector(s) = unparen(fun) else {
                return None;
            };
            let Expr::Ident(pkg) = unparen(s.x) else {
                return None;
            };
            match self.bind_in(func, locals, pkg) {
                Binding::Import(name) => imports.path_of(name).map(|path| (path, s.sel.name)),
                _ => None,
            }
        };
        let never_returns =
            |e: &'a Expr<'a>| crate::terminal::never_returns(e, resolve, true, |_| false);
        let cfg = Cfg::build(body, &never_returns);
        let mut pass = Pass {
            sem: self,
            func,
            file: info.file,
            locals,
            prep: &prep,
            in_comm: false,
        };
        let events: Vec<Vec<Ev<'a>>> = cfg
            .blocks
            .iter()
            .map(|b| {
                let mut out = Vec::new();
                for n in &b.nodes {
                    pass.node(n, &mut out);
                }
                out
            })
            .collect();
        // Calls alone: nothing held or released anywhere.
        if events.iter().flatten().all(|e| matches!(e, Ev::Call(_))) {
            return LockEffects::default();
        }
        let mut sink = None;
        let states = cfg.forward_blocks(
            St::default(),
            |b, st| events[b].iter().for_each(|e| apply(e, st, &mut sink)),
            join,
        );
        let mut fx = LockEffects::default();
        for (b, block) in cfg.blocks.iter().enumerate() {
            let Some(mut st) = states[b].clone() else {
                continue;
            };
            let mut sink = Some(Sink { func, fx: &mut fx });
            for e in &events[b] {
                apply(e, &mut st, &mut sink);
            }
            // Held at a return: only a lock this function never releases (it locks for its
            // caller). One it releases on other paths is a leak on this one (LH401's business)
            // or a pairing the path-insensitive flow cannot see; passing it on to callers would
            // make every caller hold it.
            if matches!(block.term, Term::Return(_) | Term::End(_)) {
                let released = |h: &Held<'a>| {
                    events.iter().flatten().any(|e| match e {
                        Ev::Release(r, _) | Ev::Defer(r) => {
                            releases(r, &h.acq.prim) || r.id == h.acq.prim.id
                        }
                        _ => false,
                    })
                };
                for h in st.held.iter().filter(|h| !h.deferred && !released(h)) {
                    if !fx.held_at_return.contains(&h.acq) {
                        fx.held_at_return.push(h.acq.clone());
                    }
                }
            }
        }
        fx.acquires.sort_by_key(|a| (a.site.start, a.origin));
        if !prep.handed.is_empty() {
            fx.edges.retain(|e| !prep.handed.contains(&e.first.prim.id));
            fx.held_at_return
                .retain(|a| !prep.handed.contains(&a.prim.id));
        }
        fx
    }

    /// Whether a function locks, blocks on a channel, or calls a package function: a cheap
    /// test on its text first.
    fn may_lock(&self, func: FuncId) -> bool {
        let text = self.body_text(func);
        // `Lock()`, `RLock()`, `Unlock()`, `RUnlock()`.
        text.contains("ock()")
            || text.contains("<-")
            || text.contains("select")
            || !self.calls(func).is_empty()
    }
}

/// `&T{...}`, `T{...}`, `new(T)`: a value no one else holds yet.
fn is_new(e: &Expr<'_>) -> bool {
    match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::And => matches!(unparen(u.x), Expr::CompositeLit(_)),
        Expr::CompositeLit(_) => true,
        Expr::Call(c) => matches!(unparen(c.fun), Expr::Ident(id) if id.name == "new"),
        _ => false,
    }
}

impl<'a> Semantic<'a> {
    fn key_in(&self, func: FuncId, locals: &[Local<'a>], e: &'a Expr<'a>) -> Key<'a> {
        let p = self.place_in(func, locals, e);
        if p.base != Base::Unknown {
            return Key::Place(p);
        }
        let src = self.source(self.funcs[func as usize].file);
        Key::Text(src.get(e.span().range()).unwrap_or(""))
    }
}

impl<'a> Semantic<'a> {
    /// The value of a bool parameter that taking the `branch` of `if cond` implies:
    /// `needLock`, `!locked`, `ok && needLock` (then-branch), `done || !needLock` (else-branch),
    /// or a local declared once from one of these (`inPlace := o.node == nil && needLock`).
    fn implied_guard(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        cond: &'a Expr<'a>,
        branch: bool,
        depth: u32,
    ) -> Option<(u32, bool)> {
        if let Some(BoolArg::Param(j, negated)) = self.bool_arg(func, locals, cond) {
            return Some((j, branch != negated));
        }
        if depth > 4 {
            return None;
        }
        match unparen(cond) {
            Expr::Binary(b)
                if (b.op == BinaryOp::LAnd && branch) || (b.op == BinaryOp::LOr && !branch) =>
            {
                self.implied_guard(func, locals, b.x, branch, depth + 1)
                    .or_else(|| self.implied_guard(func, locals, b.y, branch, depth + 1))
            }
            Expr::Unary(u) if u.op == UnaryOp::Not => {
                self.implied_guard(func, locals, u.x, !branch, depth + 1)
            }
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Local(i) if locals[i].assigns == 0 => {
                    let init = locals[i].init?;
                    self.implied_guard(func, locals, init, branch, depth + 1)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

enum BoolArg {
    Const(bool),
    /// The caller's bool parameter, negated or not.
    Param(u32, bool),
}

/// What the statements around each lock call say: its bool-parameter guard, the `if`
/// condition it sits under, and, per `if` condition, the releases its branches make.
#[derive(Default)]
struct Prep<'a> {
    guards: HashMap<u32, (u32, bool)>,
    conds: HashMap<u32, (&'a str, bool)>,
    clears: HashMap<u32, Vec<CondRelease<'a>>>,
    /// Locks a function literal of the declaration releases (a goroutine or callback that
    /// unlocks what the body locked), or a package function it starts with `go` or passes as
    /// a function value: handed over, not held by this body until it returns.
    handed: Vec<Identity<'a>>,
    /// Locals declared once from an element of a container (`b, ok := m.buckets[k]`,
    /// `for k, b := range m.buckets`), by declaring identifier: the container and the key.
    elements: HashMap<u32, (Place<'a>, Option<Key<'a>>)>,
    /// Locals declared once from a new value (`c := &T{...}`, `new(T)`), by declaring
    /// identifier.
    fresh: Vec<u32>,
}

/// Where the instance of a lock comes from, when that puts it out of other paths' reach.
#[derive(Clone, Debug, Default)]
struct Reach<'a> {
    /// An element of this container, at this key.
    elem: Option<(Place<'a>, Option<Key<'a>>)>,
    /// Made by this function.
    fresh: bool,
}

/// A map key or slice index as the function names it: an instance when the model knows one,
/// else its text.
#[derive(Clone, Debug, PartialEq)]
enum Key<'a> {
    Place(Place<'a>),
    Text(&'a str),
}

/// A container that lost an element (`key`) or all of them (`None`), and the locks held on
/// every path there.
#[derive(Clone, Debug, PartialEq)]
struct Unlinked<'a> {
    container: Place<'a>,
    key: Option<Key<'a>>,
    under: Vec<Identity<'a>>,
}

/// An instance released under an `if` condition (its text) and branch.
type CondRelease<'a> = (Place<'a>, (&'a str, bool));

impl<'a> Prep<'a> {
    fn of(sem: &Semantic<'a>, func: FuncId, locals: &[Local<'a>], body: &'a Block<'a>) -> Prep<'a> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            locals: &'s [Local<'a>],
            src: &'a str,
            prep: Prep<'a>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                match s {
                    // `b := m.buckets[k]`, `b, ok := m.buckets[k]`.
                    Stmt::Assign(a) if a.tok == AssignOp::Define => {
                        if a.lhs.len() == a.rhs.len() {
                            for (l, r) in a.lhs.iter().zip(a.rhs.iter()) {
                                if let (Expr::Ident(id), true) = (unparen(l), is_new(r)) {
                                    if self
                                        .locals
                                        .iter()
                                        .any(|l| l.decl == id.span && l.assigns == 0)
                                    {
                                        self.prep.fresh.push(id.span.start);
                                    }
                                }
                            }
                        }
                        if let (Some(Expr::Ident(id)), [rhs], 1 | 2) =
                            (a.lhs.first().map(unparen), a.rhs.as_slice(), a.lhs.len())
                        {
                            if let Expr::Index(ix) = unparen(rhs) {
                                if let [k] = ix.indices.as_slice() {
                                    self.element(id, ix.x, Some(k));
                                }
                            }
                        }
                    }
                    Stmt::Range(r) if r.tok == Some(AssignOp::Define) => {
                        if let Some(Expr::Ident(id)) = r.value.as_ref().map(unparen) {
                            self.element(id, &r.x, r.key.as_ref());
                        }
                    }
                    // A package function started with `go` that releases a lock.
                    Stmt::Go(g) => {
                        if let Expr::Call(c) = unparen(&g.call) {
                            let (callees, _) = self.sem.callees_in(self.func, self.locals, c);
                            for f in callees {
                                self.hand_over(f);
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                if let Expr::FuncLit(f) = e {
                    let deferred = matches!(
                        crate::bodies::literal_kind(e, parents),
                        crate::bodies::BodyKind::Deferred
                    );
                    if !deferred {
                        self.handed_in(&f.body);
                    }
                    return false;
                }
                let Expr::Call(call) = e else { return true };
                // A package function passed as a value (a callback) that releases a lock.
                for arg in call.args {
                    if let Some(f) = self.sem.func_value_in(self.func, self.locals, arg) {
                        self.hand_over(f);
                    }
                }
                let (r, m) = match self.sem.prim_call_in(self.func, self.locals, e) {
                    Some((r, m)) if r.kind.is_lock() => (Some(r), m),
                    _ => (None, ""),
                };
                // Any call: the locks a callee takes under it carry the guard too.
                let acquire = r.is_none() || matches!(m, "Lock" | "RLock");
                let release = matches!(m, "Unlock" | "RUnlock");
                let at = e.span().start;
                let mut innermost = true;
                for p in parents.iter().rev() {
                    let VNode::Stmt(Stmt::If(i)) = p else {
                        continue;
                    };
                    let branch = if i.body.span.start <= at && at < i.body.span.end {
                        true
                    } else if i
                        .els
                        .is_some_and(|s| s.span().start <= at && at < s.span().end)
                    {
                        false
                    } else {
                        continue;
                    };
                    let text = self.src.get(i.cond.span().range()).unwrap_or("");
                    if let (true, Some(r)) = (innermost, &r) {
                        innermost = false;
                        if acquire {
                            self.prep.conds.insert(at, (text, branch));
                        }
                        if release {
                            self.prep
                                .clears
                                .entry(i.cond.span().start)
                                .or_default()
                                .push((r.place.clone(), (text, branch)));
                        }
                    }
                    if acquire && !self.prep.guards.contains_key(&at) {
                        if let Some(g) =
                            self.sem
                                .implied_guard(self.func, self.locals, &i.cond, branch, 0)
                        {
                            self.prep.guards.insert(at, g);
                        }
                    }
                }
                true
            }
        }
        impl<'a> V<'_, 'a> {
            /// `id`, declared once from an element of the container `x` at `key`.
            fn element(&mut self, id: &Ident<'a>, x: &'a Expr<'a>, key: Option<&'a Expr<'a>>) {
                if !matches!(
                    self.sem.type_in(self.func, self.locals, x).pointee(),
                    Ty::Map(_) | Ty::Slice(_)
                ) {
                    return;
                }
                if !self
                    .locals
                    .iter()
                    .any(|l| l.decl == id.span && l.assigns == 0)
                {
                    return;
                }
                let container = self.sem.place_in(self.func, self.locals, x);
                if container.base == Base::Unknown {
                    return;
                }
                let key = key
                    .filter(|k| !matches!(unparen(k), Expr::Ident(i) if i.name == "_"))
                    .map(|k| self.sem.key_in(self.func, self.locals, k));
                self.prep.elements.insert(id.span.start, (container, key));
            }
            /// The locks a package function releases for its caller, when it runs elsewhere.
            fn hand_over(&mut self, f: FuncId) {
                for r in &self.sem.lock_effects(f).releases {
                    if matches!(r.id, Identity::Field { .. } | Identity::PkgVar(_))
                        && !self.prep.handed.contains(&r.id)
                    {
                        self.prep.handed.push(r.id);
                    }
                }
            }
            fn handed_in(&mut self, body: &'a Block<'a>) {
                struct H<'s, 'v, 'a> {
                    v: &'v mut V<'s, 'a>,
                }
                impl<'a> Visitor<'a> for H<'_, '_, 'a> {
                    fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                        let v = &mut *self.v;
                        if let Some((r, "Unlock" | "RUnlock")) =
                            v.sem.prim_call_in(v.func, v.locals, e)
                        {
                            if !v.prep.handed.contains(&r.id) {
                                v.prep.handed.push(r.id);
                            }
                        }
                        true
                    }
                }
                walk_node(VNode::Block(body), &[], &mut H { v: self });
            }
        }
        let mut v = V {
            sem,
            func,
            locals,
            src: sem.source(sem.funcs[func as usize].file),
            prep: Prep::default(),
        };
        walk_node(VNode::Block(body), &[], &mut v);
        v.prep
    }
}

#[derive(Clone, Debug)]
enum Ev<'a> {
    /// `keep`: the lock stays held (a `Lock` here), or not (a callee's lock-and-unlock).
    /// The last: the container the instance is an element of, and its key.
    Acquire(Acquire<'a>, bool, Option<(&'a str, bool)>, Reach<'a>),
    /// A callee's lock held at its return: held from here on.
    Hold(Acquire<'a>),
    Release(Resolved<'a>, Mode),
    /// A call of a package function.
    Call(Span),
    /// An element (or, without a key, every element) taken out of a container.
    Unlink(Place<'a>, Option<Key<'a>>),
    Defer(Resolved<'a>),
    /// An `if` condition whose branch releases these instances: locks taken under the same
    /// condition are released on both branches (the condition holds or they were not taken).
    Clear(Vec<CondRelease<'a>>),
    Block(Blocking<'a>),
}

#[derive(Clone, Debug, PartialEq)]
struct Held<'a> {
    acq: Acquire<'a>,
    deferred: bool,
    cond: Option<(&'a str, bool)>,
    /// Taken on an instance that had been taken out of its container while these locks
    /// were held.
    unlinked_under: Vec<Identity<'a>>,
    /// Taken on an instance this function made.
    fresh: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct St<'a> {
    /// Locks held on some path.
    held: Vec<Held<'a>>,
    released: Vec<Place<'a>>,
    released_ids: Vec<Identity<'a>>,
    /// Locks held on every path.
    must: Vec<(Resolved<'a>, Mode)>,
    /// Containers that lost elements on every path.
    unlinked: Vec<Unlinked<'a>>,
}

fn join<'a>(into: &mut St<'a>, from: &St<'a>) -> bool {
    let before = (into.held.len(), into.released.len());
    let ids = into.released_ids.len();
    let (must, unlinked) = (into.must.clone(), into.unlinked.clone());
    into.must
        .retain(|(r, _)| from.must.iter().any(|(f, _)| f == r));
    for (r, m) in &mut into.must {
        if from.must.iter().any(|(f, fm)| f == r && *fm == Mode::Read) {
            *m = Mode::Read;
        }
    }
    into.unlinked.retain_mut(|u| {
        let Some(f) = from
            .unlinked
            .iter()
            .find(|f| f.container == u.container && f.key == u.key)
        else {
            return false;
        };
        u.under.retain(|id| f.under.contains(id));
        true
    });
    let narrowed = must != into.must || unlinked != into.unlinked;
    for h in &from.held {
        if !into.held.contains(h) {
            into.held.push(h.clone());
        }
    }
    for p in &from.released {
        if !into.released.contains(p) {
            into.released.push(p.clone());
        }
    }
    for id in &from.released_ids {
        if !into.released_ids.contains(id) {
            into.released_ids.push(*id);
        }
    }
    narrowed || before != (into.held.len(), into.released.len()) || into.released_ids.len() != ids
}

/// Where the replay pass records what it sees.
struct Sink<'f, 'a> {
    func: FuncId,
    fx: &'f mut LockEffects<'a>,
}

/// Whether the two lock calls denote the same instance: the same place, or the same identity
/// where neither place is known.
fn same_instance(a: &Resolved<'_>, b: &Resolved<'_>) -> bool {
    if a.place.base == Base::Unknown || b.place.base == Base::Unknown {
        return false;
    }
    a.id == b.id && a.place == b.place
}

/// Whether releasing `r` releases the held `h`: the same instance, or the same identity when
/// neither instance is known (`s.peers[i].mu`).
fn releases(r: &Resolved<'_>, h: &Resolved<'_>) -> bool {
    same_instance(h, r)
        || (r.place.base == Base::Unknown && h.place.base == Base::Unknown && h.id == r.id)
}

fn apply<'a>(e: &Ev<'a>, st: &mut St<'a>, sink: &mut Option<Sink<'_, 'a>>) {
    match e {
        Ev::Acquire(a, keep, cond, reach) => {
            let mut a = a.clone();
            a.after_release = a.place_released(&st.released);
            for id in &st.released_ids {
                if !a.released_before.contains(id) {
                    a.released_before.push(*id);
                }
            }
            let unlinked_under = reach
                .elem
                .as_ref()
                .map(|(c, k)| st.unlinked_under(c, k.as_ref()))
                .unwrap_or_default();
            if let Some(sink) = sink {
                for h in &st.held {
                    if h.acq.prim.id != a.prim.id
                        && !conflicting_guards(h.acq.guard, a.guard)
                        && !a.released_before.contains(&h.acq.prim.id)
                    {
                        let held = st
                            .must
                            .iter()
                            .filter(|(r, _)| r.id != a.prim.id && r.id != h.acq.prim.id)
                            .map(|(r, m)| (r.id, *m))
                            .collect();
                        sink.fx.edges.push(OrderEdge {
                            func: sink.func,
                            first: h.acq.clone(),
                            second: a.clone(),
                            held,
                            unreachable: reach.fresh
                                || h.fresh
                                || unlinked_under.contains(&h.acq.prim.id)
                                || h.unlinked_under.contains(&a.prim.id),
                        });
                    }
                }
                if !sink.fx.acquires.contains(&a) {
                    sink.fx.acquires.push(a.clone());
                }
            }
            if *keep {
                st.released_ids.retain(|id| *id != a.prim.id);
                push_held(st, a, *cond, unlinked_under, reach.fresh);
            }
        }
        Ev::Hold(a) => {
            st.released_ids.retain(|id| *id != a.prim.id);
            push_held(st, a.clone(), None, Vec::new(), false);
        }
        Ev::Release(r, mode) => {
            let before = st.held.len();
            st.held.retain(|h| !releases(r, &h.acq.prim));
            st.must.retain(|(h, _)| !releases(r, h));
            if st.held.len() == before && r.place.base != Base::Unknown {
                if let Some(sink) = sink {
                    if !sink.fx.releases.contains(r) {
                        sink.fx.releases.push(r.clone());
                        sink.fx.release_modes.push((r.id, *mode));
                    }
                }
            }
            if r.place.base != Base::Unknown && !st.released.contains(&r.place) {
                st.released.push(r.place.clone());
            }
            if !st.released_ids.contains(&r.id) {
                st.released_ids.push(r.id);
            }
        }
        Ev::Defer(r) => {
            for h in &mut st.held {
                if releases(r, &h.acq.prim) {
                    h.deferred = true;
                }
            }
        }
        Ev::Block(b) => {
            if let Some(sink) = sink {
                let mut b = b.clone();
                b.held = st.held.iter().map(|h| h.acq.clone()).collect();
                if !sink.fx.blocking.contains(&b) {
                    sink.fx.blocking.push(b);
                }
            }
        }
        Ev::Clear(list) => {
            let mut cleared = Vec::new();
            st.held.retain(|h| {
                let clear = list
                    .iter()
                    .any(|(p, c)| h.cond == Some(*c) && h.acq.prim.place.same(p));
                if clear {
                    cleared.push(h.acq.prim.clone());
                }
                !clear
            });
            st.must.retain(|(h, _)| !cleared.contains(h));
        }
        Ev::Call(site) => {
            if let Some(sink) = sink {
                if !st.must.is_empty() || !st.released_ids.is_empty() {
                    sink.fx.calls.push(CallHeld {
                        site: *site,
                        held: st.must.iter().map(|(r, m)| (r.id, *m)).collect(),
                        released: st.released_ids.clone(),
                    });
                }
            }
        }
        Ev::Unlink(container, key) => {
            let under = st.must.iter().map(|(r, _)| r.id).collect();
            st.unlinked
                .retain(|u| !(u.container == *container && u.key == *key));
            st.unlinked.push(Unlinked {
                container: container.clone(),
                key: key.clone(),
                under,
            });
        }
    }
}

impl<'a> St<'a> {
    /// The locks held when the element `key` of `container` was taken out of it on every
    /// path (empty when it was not).
    fn unlinked_under(&self, container: &Place<'a>, key: Option<&Key<'a>>) -> Vec<Identity<'a>> {
        self.unlinked
            .iter()
            .filter(|u| {
                u.container == *container
                    && match (&u.key, key) {
                        (None, _) => true,
                        (Some(a), Some(b)) => a == b,
                        (Some(_), None) => false,
                    }
            })
            .flat_map(|u| u.under.iter().copied())
            .collect()
    }
}

fn push_held<'a>(
    st: &mut St<'a>,
    acq: Acquire<'a>,
    cond: Option<(&'a str, bool)>,
    unlinked_under: Vec<Identity<'a>>,
    fresh: bool,
) {
    if !st.must.iter().any(|(r, _)| *r == acq.prim) {
        st.must.push((acq.prim.clone(), acq.mode));
    }
    let h = Held {
        acq,
        deferred: false,
        cond,
        unlinked_under,
        fresh,
    };
    if !st.held.contains(&h) {
        st.held.push(h);
    }
}

/// Guards on the same parameter with different values: the two locks are never both taken.
pub fn conflicting_guards(a: Option<(u32, bool)>, b: Option<(u32, bool)>) -> bool {
    matches!((a, b), (Some((i, x)), Some((j, y))) if i == j && x != y)
}

impl Acquire<'_> {
    fn place_released(&self, released: &[Place<'_>]) -> bool {
        self.prim.place.base != Base::Unknown && released.contains(&self.prim.place)
    }
}

struct Pass<'s, 'a> {
    sem: &'s Semantic<'a>,
    func: FuncId,
    file: usize,
    locals: &'s [Local<'a>],
    prep: &'s Prep<'a>,
    /// In a `select` case's communication: the `select` is the blocking operation.
    in_comm: bool,
}

impl<'a> Pass<'_, 'a> {
    fn block(&self, chan: Option<&'a Expr<'a>>, op: &'static str, site: Span) -> Ev<'a> {
        let chan = chan.and_then(|c| self.sem.resolve_in(self.func, self.locals, c, 0));
        Ev::Block(Blocking {
            chan,
            op,
            file: self.file,
            site,
            origin: (self.file, site),
            via: None,
            held: Vec::new(),
        })
    }

    fn node(&mut self, n: &Node<'a>, out: &mut Vec<Ev<'a>>) {
        match n {
            Node::Stmt(s) => match s {
                Stmt::Go(_) => {}
                Stmt::Defer(d) => self.defer(&d.call, out),
                Stmt::Assign(a) => {
                    self.exprs(VNode::Stmt(s), out);
                    self.unlinks(a, out);
                }
                Stmt::Send(send) => {
                    self.exprs(VNode::Expr(&send.value), out);
                    out.push(self.block(Some(&send.chan), "send", send.span));
                }
                _ => self.exprs(VNode::Stmt(s), out),
            },
            Node::Cond(e) => {
                self.exprs(VNode::Expr(e), out);
                if let Some(list) = self.prep.clears.get(&e.span().start) {
                    out.push(Ev::Clear(list.clone()));
                }
            }
            Node::Range(r) => {
                self.exprs(VNode::Expr(&r.x), out);
                if let Ty::Chan(_) = self.sem.type_in(self.func, self.locals, &r.x).pointee() {
                    out.push(self.block(Some(&r.x), "range", r.span));
                }
            }
            Node::Select(sel) => {
                if !sel.body.iter().any(|c| c.comm.is_none()) {
                    out.push(self.block(None, "select", sel.span));
                }
            }
            Node::Comm(s) => {
                self.in_comm = true;
                self.exprs(VNode::Stmt(s), out);
                self.in_comm = false;
            }
        }
    }

    /// The lock calls and package calls of a node, in evaluation order (arguments first);
    /// function literals are not entered.
    fn exprs(&mut self, node: VNode<'a>, out: &mut Vec<Ev<'a>>) {
        struct V<'p, 's, 'a> {
            pass: &'p mut Pass<'s, 'a>,
            out: &'p mut Vec<Ev<'a>>,
        }
        impl<'a> Visitor<'a> for V<'_, '_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                !matches!(e, Expr::FuncLit(_))
            }
            fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                match e {
                    Expr::Call(c) => self.pass.call(e, c, self.out),
                    Expr::Unary(u) if u.op == UnaryOp::Recv && !self.pass.in_comm => {
                        let ev = self.pass.block(Some(u.x), "recv", u.span);
                        self.out.push(ev);
                    }
                    _ => {}
                }
            }
        }
        walk_node(node, &[], &mut V { pass: self, out });
    }

    fn call(&mut self, e: &'a Expr<'a>, c: &'a CallExpr<'a>, out: &mut Vec<Ev<'a>>) {
        let sem = self.sem;
        if let (Expr::Ident(id), [arg]) = (unparen(c.fun), c.args.as_slice()) {
            if id.name == "close" && sem.bind_in(self.func, self.locals, id) == Binding::Unknown {
                out.push(self.block(Some(arg), "close", c.span));
                return;
            }
        }
        if let Some((r, m)) = sem.prim_call_in(self.func, self.locals, e) {
            if r.kind.is_lock() {
                let at = c.span.start;
                let elem = self.element(&r);
                match m {
                    "Lock" | "RLock" => out.push(Ev::Acquire(
                        Acquire {
                            prim: r,
                            mode: if m == "Lock" { Mode::Write } else { Mode::Read },
                            file: self.file,
                            site: c.span,
                            origin: (self.file, c.span),
                            via: None,
                            guard: self.prep.guards.get(&at).copied(),
                            after_release: false,
                            released_before: Vec::new(),
                        },
                        true,
                        self.prep.conds.get(&at).copied(),
                        elem,
                    )),
                    "Unlock" => out.push(Ev::Release(r, Mode::Write)),
                    "RUnlock" => out.push(Ev::Release(r, Mode::Read)),
                    _ => {}
                }
                return;
            }
            if r.kind == Kind::Once && m == "Do" {
                let Some(arg) = c.args.first() else { return };
                let Some(f) = sem.func_value_in(self.func, self.locals, arg) else {
                    return;
                };
                let recv = match unparen(arg) {
                    Expr::Selector(s) => Some(s.x),
                    _ => None,
                };
                self.callee(c, recv, f, out);
                return;
            }
        }
        if let Expr::Ident(id) = unparen(c.fun) {
            if let ("delete", [m, k]) = (id.name, c.args.as_slice()) {
                if let Binding::Unknown = sem.bind_in(self.func, self.locals, id) {
                    let container = sem.place_in(self.func, self.locals, m);
                    if container.base != Base::Unknown {
                        let key = sem.key_in(self.func, self.locals, k);
                        out.push(Ev::Unlink(container, Some(key)));
                    }
                    return;
                }
            }
        }
        let (callees, _) = sem.callees_in(self.func, self.locals, c);
        if !callees.is_empty() {
            out.push(Ev::Call(c.span));
        }
        if callees.len() == 1 {
            self.callee(c, None, callees[0], out);
        }
        for (g, operand) in sem.stringers_in(self.func, self.locals, c) {
            self.callee(c, Some(operand), g, out);
        }
    }

    /// Where the local the lock belongs to comes from.
    fn element(&self, r: &Resolved<'a>) -> Reach<'a> {
        match r.place.base {
            Base::Local(decl) => Reach {
                elem: self.prep.elements.get(&decl.start).cloned(),
                fresh: self.prep.fresh.contains(&decl.start),
            },
            _ => Reach::default(),
        }
    }

    /// `s.items = s.items[1:]`, `s.items = append(s.items[:i], s.items[i+1:]...)`,
    /// `s.byID = make(map[string]*T)`, `s.list = nil`: the elements taken from the container
    /// before are no longer in it.
    fn unlinks(&self, a: &'a AssignStmt<'a>, out: &mut Vec<Ev<'a>>) {
        if a.tok != AssignOp::Assign || a.lhs.len() != a.rhs.len() {
            return;
        }
        let sem = self.sem;
        for (l, r) in a.lhs.iter().zip(a.rhs.iter()) {
            let container = sem.place_in(self.func, self.locals, l);
            if container.base == Base::Unknown || container.path.is_empty() {
                continue;
            }
            let cut = |e: &'a Expr<'a>| match unparen(e) {
                Expr::Slice(x) => sem.place_in(self.func, self.locals, &x.x) == container,
                _ => false,
            };
            let replaced = match unparen(r) {
                Expr::Slice(_) => cut(r),
                Expr::Ident(id) => id.name == "nil",
                Expr::CompositeLit(_) => true,
                Expr::Call(c) => match unparen(c.fun) {
                    Expr::Ident(id) if id.name == "make" => true,
                    Expr::Ident(id) if id.name == "append" => c.args.first().is_some_and(cut),
                    _ => false,
                },
                _ => false,
            };
            if replaced {
                out.push(Ev::Unlink(container, None));
            }
        }
    }

    fn callee(
        &mut self,
        c: &'a CallExpr<'a>,
        recv: Option<&'a Expr<'a>>,
        g: FuncId,
        out: &mut Vec<Ev<'a>>,
    ) {
        let sem = self.sem;
        let fx = sem.lock_effects(g);
        // The call itself under `if needLock {`: so are the locks it takes.
        let site_guard = self.prep.guards.get(&c.span.start).copied();
        for a in fx.acquires.iter().filter(|a| !a.after_release) {
            if let Some(mut s) = sem.substitute(self.func, self.locals, c, recv, g, a, self.file) {
                if conflicting_guards(s.guard, site_guard) {
                    continue;
                }
                s.guard = s.guard.or(site_guard);
                let elem = self.element(&s.prim);
                out.push(Ev::Acquire(s, false, None, elem));
            }
        }
        for r in &fx.releases {
            if let Some(s) = sem.substitute_prim(self.func, self.locals, c, recv, r) {
                let mode = fx
                    .release_modes
                    .iter()
                    .find(|(id, _)| *id == r.id)
                    .map_or(Mode::Read, |(_, m)| *m);
                out.push(Ev::Release(s, mode));
            }
        }
        for b in &fx.blocking {
            let chan = b
                .chan
                .as_ref()
                .and_then(|r| sem.substitute_prim(self.func, self.locals, c, recv, r));
            out.push(Ev::Block(Blocking {
                chan,
                op: b.op,
                file: self.file,
                site: c.span,
                origin: b.origin,
                via: Some(g),
                held: Vec::new(),
            }));
        }
        for a in &fx.held_at_return {
            if let Some(s) = sem.substitute(self.func, self.locals, c, recv, g, a, self.file) {
                out.push(Ev::Hold(s));
            }
        }
    }

    /// `defer mu.Unlock()`, `defer func() { ...; mu.Unlock() }()`, `defer s.release()`.
    fn defer(&mut self, call: &'a Expr<'a>, out: &mut Vec<Ev<'a>>) {
        let Expr::Call(c) = unparen(call) else { return };
        let mut evs = Vec::new();
        if let Expr::FuncLit(f) = unparen(c.fun) {
            struct V<'p, 's, 'a> {
                pass: &'p mut Pass<'s, 'a>,
                out: &'p mut Vec<Ev<'a>>,
            }
            impl<'a> Visitor<'a> for V<'_, '_, 'a> {
                fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                    if let Expr::Call(c) = e {
                        self.pass.call(e, c, self.out);
                    }
                }
            }
            walk_node(
                VNode::Block(&f.body),
                &[],
                &mut V {
                    pass: self,
                    out: &mut evs,
                },
            );
        } else {
            self.call(call, c, &mut evs);
        }
        out.extend(evs.into_iter().filter_map(|e| match e {
            Ev::Release(r, _) => Some(Ev::Defer(r)),
            _ => None,
        }));
    }
}
