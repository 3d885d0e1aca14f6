//! The lock flow of a function body: at every step of its control-flow view, which locks may
//! be held (by receiver text: `s.mu`, `mu`), from which `Lock` call, and whether an unlock of
//! each is deferred. One forward pass over the view ([`crate::cfg`]) with the effects of each
//! step (lock calls, unlock helpers and method values, methods of the receiver that lock or
//! release its fields, by the package summaries; assignments that forget or rename a lock);
//! channel operations are marked where they happen, unjudged. [`crate::package::PackageFacts`]
//! builds it per body, when a lock rule first asks; the rules replay it and judge.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::bodies::{literal_kind, Body, BodyKind};
use crate::cfg::{Cfg, Node, Term};
use crate::summary::{self, key_of, lock_call, unlock_method_value, LockOp, Mode, PackageSummary};

/// A lock that may be held (or is being taken): its key as written (`s.mu`, `mu`), its mode,
/// its `Lock` call, and whether that call sits under an `if` on a boolean flag of the function
/// (`if !locked { mu.Lock(); locked = true }`): then the flag, not the path, says whether the
/// lock is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldLock<'k> {
    pub key: &'k str,
    pub mode: Mode,
    pub site: Span,
    pub guarded: bool,
}

/// A lock that may still be held, with no deferred unlock, where a body ends: at a `return`
/// (its span) or at the closing brace (`end`).
#[derive(Clone, Debug)]
pub struct OpenExit<'k> {
    pub at: Span,
    pub end: bool,
    pub lock: HeldLock<'k>,
    /// The body releases this lock (or defers its release) somewhere.
    pub released: bool,
    /// On some path the body releases this lock without having taken it: its caller's.
    pub caller_held: bool,
    /// Released by code that runs elsewhere (another function literal, a method value that is
    /// passed on) or by another goroutine of the declaration: the lock is handed over.
    pub handed_off: bool,
    /// Released under a flag guard (`if locked { mu.Unlock() }`).
    pub guarded_release: bool,
}

/// A `return` reached: whether its last result is `nil`, and the locks held there with no
/// deferred unlock.
#[derive(Clone, Debug)]
pub struct Return<'k> {
    pub nil: bool,
    pub held: Vec<&'k str>,
}

/// A channel operation of the body, as written.
#[derive(Clone, Copy, Debug)]
pub enum ChanNode<'a> {
    Send(&'a SendStmt<'a>),
    Recv(&'a UnaryExpr<'a>),
    Range(&'a RangeStmt<'a>),
    Select(&'a SelectStmt<'a>),
}

/// A lock that may be held: its key (index into [`BodyFlow::keys`]), mode, the `Lock` call,
/// and whether an unlock of it is deferred on the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub key: u32,
    pub mode: Mode,
    pub site: Span,
    pub deferred: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockState {
    pub held: Vec<Held>,
    /// Keys with a deferred unlock registered before they were locked.
    pub deferred: Vec<u32>,
}

/// What one node does to the lock state, in evaluation order.
#[derive(Clone, Debug)]
pub enum Effect<'a> {
    Acquire {
        key: u32,
        mode: Mode,
        span: Span,
    },
    /// `mode` `None`: whichever mode is held (an unlock helper or a method value).
    Release {
        key: u32,
        mode: Option<Mode>,
    },
    /// A call of an `unlock...` function whose effect is unknown: releases every lock whose key
    /// starts with `root` (every lock when `None`).
    ReleaseUnder {
        root: Option<String>,
    },
    Defer {
        key: u32,
        mode: Option<Mode>,
    },
    DeferUnder {
        root: Option<String>,
    },
    /// The name (or field path) is assigned: keys under it now denote another lock.
    Forget {
        root: String,
    },
    /// `to = from`: locks held under `from` are held under `to` from now on.
    Rename {
        from: String,
        to: String,
    },
    /// A same-package method on the receiver that locks `key` before anything else.
    CallLocks {
        call: Span,
        method: &'a str,
        key: u32,
        file: usize,
        lock: Span,
    },
    /// A channel operation that may wait for another goroutine: the lock rules judge it.
    Chan(ChanNode<'a>),
    /// Any call (an `Expr::Call`), before the effects it has here: rules that follow calls
    /// through the semantic model, or look at `x.Wait()`, ask the state there.
    Call(&'a Expr<'a>),
}

/// Per body: what the statements around the lock calls say about them.
#[derive(Default)]
pub struct Scan<'a> {
    /// `unlock := mu.Unlock`: calling `unlock` releases `mu`.
    method_values: Vec<(&'a str, String, Mode)>,
    /// Keys released by code that runs somewhere else: another function literal, a method value
    /// that is returned, stored or passed on. The lock is handed over; its fate is not here.
    pub handed_off: Vec<String>,
    /// Lock calls (their span start) under an `if` on a boolean flag of the function
    /// (`if !locked { mu.Lock(); locked = true }`): the flag, not the path, says whether the
    /// lock is held, and a path-by-path view would pair up paths the flag keeps apart.
    pub guarded: Vec<u32>,
    /// Keys with such a guarded release (`if locked { mu.Unlock() }`).
    pub guarded_releases: Vec<String>,
}

/// A lock call under an `if`: its span start, key, whether it releases, and the innermost `if`.
type UnderIf<'a> = (u32, String, bool, IfBranch<'a>);

/// An `if` statement's start, its condition's text, and one of its branches (`true`: the body).
type IfBranch<'a> = (u32, &'a str, bool);

/// The innermost `if` of the body around `at`: its start, its condition's text, the branch.
fn innermost_if<'a>(at: u32, parents: &[VNode<'a>], src: &'a str) -> Option<IfBranch<'a>> {
    parents.iter().rev().find_map(|p| {
        let VNode::Stmt(Stmt::If(i)) = p else {
            return None;
        };
        let text = src.get(i.cond.span().range()).unwrap_or("");
        if i.body.span.start <= at && at < i.body.span.end {
            Some((i.span.start, text, true))
        } else if i
            .els
            .is_some_and(|e| e.span().start <= at && at < e.span().end)
        {
            Some((i.span.start, text, false))
        } else {
            None
        }
    })
}

/// The names of a signature's `bool` parameters.
fn bool_params<'a>(typ: &'a FuncType<'a>) -> Vec<&'a str> {
    typ.params
        .list
        .iter()
        .filter(|f| matches!(&f.typ, Expr::Ident(id) if id.name == "bool"))
        .flat_map(|f| f.names.iter().map(|n| n.name))
        .collect()
}

/// The names the body assigns `true` or `false`.
fn bool_flags<'a>(body: &'a Block<'a>) -> Vec<&'a str> {
    struct V<'a> {
        flags: Vec<&'a str>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let is_bool = |e: &Expr<'_>| matches!(unparen(e), Expr::Ident(id) if id.name == "true" || id.name == "false");
            match s {
                Stmt::Assign(a) if a.lhs.len() == a.rhs.len() => {
                    for (l, r) in a.lhs.iter().zip(&a.rhs) {
                        if let (Expr::Ident(id), true) = (unparen(l), is_bool(r)) {
                            self.flags.push(id.name);
                        }
                    }
                }
                Stmt::Decl(g) => {
                    for spec in &g.specs {
                        if let Spec::Value(v) = spec {
                            for (n, value) in v.names.iter().zip(&v.values) {
                                if is_bool(value) {
                                    self.flags.push(n.name);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
            true
        }
    }
    let mut v = V { flags: Vec::new() };
    walk_node(VNode::Block(body), &[], &mut v);
    v.flags
}

/// Whether the expression mentions one of `names`.
fn mentions(e: &Expr<'_>, names: &[&str]) -> bool {
    struct V<'n> {
        names: &'n [&'n str],
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Expr::Ident(id) = e {
                self.found |= self.names.contains(&id.name);
            }
            !self.found
        }
    }
    let mut v = V {
        names,
        found: false,
    };
    walk_node(VNode::Expr(e), &[], &mut v);
    v.found
}

impl<'a> Scan<'a> {
    /// `recv` is the method's receiver name and type: a method value of the receiver that
    /// releases one of its fields (`return tx.dc, tx.closemuRUnlockRelease`) hands that lock
    /// over too. `params`: the bool parameters of the declaration (`fooLocked(needLock bool)`),
    /// flags too. `src`: the file's source, to compare `if` conditions.
    fn of(
        body: &'a Block<'a>,
        summary: &PackageSummary<'a>,
        recv: Option<(&'a str, &'a str)>,
        params: &[&'a str],
        src: &'a str,
    ) -> Scan<'a> {
        struct V<'a, 's> {
            scan: Scan<'a>,
            flags: Vec<&'a str>,
            /// Function literals entered, with whether each is deferred directly by the body.
            lits: Vec<bool>,
            summary: &'s PackageSummary<'a>,
            recv: Option<(&'a str, &'a str)>,
            src: &'a str,
            /// The bool parameters: a lock taken under one is taken for the caller's choice.
            params: Vec<&'a str>,
            /// Lock calls of the body under an `if`.
            under_if: Vec<UnderIf<'a>>,
            /// The text of every name or field passed to a call (`c.send(m, locked)`).
            args: Vec<&'a str>,
        }
        impl<'a> V<'a, '_> {
            fn releasing_method_value(&mut self, e: &'a Expr<'a>) {
                let (Some((recv, typ)), Expr::Selector(s)) = (self.recv, e) else {
                    return;
                };
                if !matches!(unparen(s.x), Expr::Ident(id) if id.name == recv) {
                    return;
                }
                for f in self.summary.lookup(Some(typ), s.sel.name) {
                    self.scan
                        .handed_off
                        .extend(f.releases.iter().map(|field| field_key(recv, field)));
                }
            }
        }
        impl<'a> Visitor<'a> for V<'a, '_> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => {
                        let deferred = self
                            .lits
                            .first()
                            .copied()
                            .unwrap_or(literal_kind(e, parents) == BodyKind::Deferred);
                        self.lits.push(deferred);
                    }
                    Expr::Call(c) => {
                        for a in &c.args {
                            if let Expr::Ident(_) | Expr::Selector(_) = unparen(a) {
                                self.args.push(self.src.get(a.span().range()).unwrap_or(""));
                            }
                        }
                        let Some((key, op)) = lock_call(e) else {
                            return true;
                        };
                        let released = matches!(op, LockOp::Release(_));
                        if !self.lits.is_empty() && !self.lits[0] {
                            if released {
                                self.scan.handed_off.push(key);
                            }
                            return true;
                        }
                        let deferred = matches!(parents.last(), Some(VNode::Stmt(Stmt::Defer(_))));
                        if let (false, Some(cond)) =
                            (deferred, innermost_if(e.span().start, parents, self.src))
                        {
                            self.under_if
                                .push((e.span().start, key.clone(), released, cond));
                        }
                        let flags = &self.flags;
                        let params = &self.params;
                        let guarded = parents.iter().any(|p| {
                            matches!(p, VNode::Stmt(Stmt::If(i)) if mentions(&i.cond, flags)
                                || (!released && mentions(&i.cond, params)))
                        });
                        if guarded {
                            self.scan.guarded.push(e.span().start);
                            if released {
                                self.scan.guarded_releases.push(key);
                            }
                        }
                    }
                    Expr::Selector(_) => {
                        let is_call = matches!(parents.last(), Some(VNode::Expr(Expr::Call(c))) if std::ptr::eq(unparen(c.fun), e));
                        if is_call {
                            return true;
                        }
                        let Some((key, mode)) = unlock_method_value(e) else {
                            self.releasing_method_value(e);
                            return true;
                        };
                        match parents.last() {
                            Some(VNode::Stmt(Stmt::Assign(a)))
                                if self.lits.is_empty() && a.lhs.len() == 1 =>
                            {
                                if let Expr::Ident(name) = unparen(&a.lhs[0]) {
                                    self.scan.method_values.push((name.name, key, mode));
                                    return true;
                                }
                                self.scan.handed_off.push(key);
                            }
                            _ => self.scan.handed_off.push(key),
                        }
                    }
                    _ => {}
                }
                true
            }
            fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                if let Expr::FuncLit(_) = e {
                    self.lits.pop();
                }
            }
        }
        let mut v = V {
            scan: Scan::default(),
            flags: bool_flags(body),
            params: params.to_vec(),
            lits: Vec::new(),
            summary,
            recv,
            src,
            under_if: Vec::new(),
            args: Vec::new(),
        };
        walk_node(VNode::Block(body), &[], &mut v);
        // `if x != nil { mu.Lock() } ... if x != nil { mu.Unlock() }`: the same condition
        // decides both, so the paths that take one branch and skip the other do not happen.
        for (at, key, released, cond) in &v.under_if {
            let paired = v.under_if.iter().any(|(_, k, r, c)| {
                k == key && r != released && c.0 != cond.0 && (c.1, c.2) == (cond.1, cond.2)
            });
            // `if upd { c.out.Lock() } ... c.set(upd)`: the condition goes to the callee as its
            // `locked` parameter, which decides whether the callee locks.
            let passed = !*released && v.args.contains(&cond.1);
            if paired || passed {
                if *released {
                    v.scan.guarded_releases.push(key.clone());
                } else {
                    v.scan.guarded.push(*at);
                }
            }
        }
        v.scan
    }
}

/// Whether a called function's name says it unlocks (`unlock`, `s.unlockAll`): its effect on
/// the locks is unknown, so it is taken to release them.
fn unlock_helper<'a>(fun: &'a Expr<'a>) -> Option<Option<String>> {
    let (name, root) = match unparen(fun) {
        Expr::Ident(id) => (id.name, None),
        Expr::Selector(s) => (s.sel.name, key_of(s.x)),
        _ => return None,
    };
    (name.len() > 6 && name.to_ascii_lowercase().contains("unlock") || name == "unlock")
        .then_some(root)
}

/// The lock flow of one body (see the module documentation).
pub struct BodyFlow<'a> {
    /// Every lock key the body names (and every key a rename can produce): effects and states
    /// refer to keys by index.
    pub keys: Vec<String>,
    pub scan: Scan<'a>,
    /// The receiver's name and type when the body belongs to a method.
    pub recv: Option<(&'a str, &'a str)>,
    pub cfg: Cfg<'a>,
    /// Per block of `cfg`, the effects of its steps in order.
    pub effects: Vec<Vec<Effect<'a>>>,
    /// Per block, the state at its entry (`None`: unreachable).
    states: Vec<Option<LockState>>,
}

impl<'a> BodyFlow<'a> {
    /// The flow of `body` (of the declaration `decl`); `None` when the body takes no lock.
    pub fn of(
        decl: &'a FuncDecl<'a>,
        body: &Body<'a>,
        summary: &PackageSummary<'a>,
        src: &'a str,
        never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    ) -> Option<BodyFlow<'a>> {
        let recv = match summary::receiver(decl) {
            Some((Some(name), typ)) => Some((name, typ)),
            _ => None,
        };
        let mut b = Builder {
            keys: Vec::new(),
            scan: Scan::of(body.block, summary, recv, &bool_params(&decl.typ), src),
            recv,
            summary,
        };
        let cfg = Cfg::build(body.block, never_returns);
        let effects: Vec<Vec<Effect<'a>>> = cfg
            .blocks
            .iter()
            .map(|block| {
                let mut out = Vec::new();
                for node in &block.nodes {
                    b.node_effects(node, &mut out);
                }
                out
            })
            .collect();
        if !effects
            .iter()
            .flatten()
            .any(|e| matches!(e, Effect::Acquire { .. }))
        {
            return None;
        }
        // Every key a rename can produce, chains of two renames included.
        for _ in 0..2 {
            for e in effects.iter().flatten() {
                if let Effect::Rename { from, to } = e {
                    b.rename(from, to);
                }
            }
        }
        let mut flow = BodyFlow {
            keys: b.keys,
            scan: b.scan,
            recv,
            cfg,
            effects,
            states: Vec::new(),
        };
        flow.states = flow.cfg.forward_blocks(
            LockState::default(),
            |b, state| {
                for e in &flow.effects[b] {
                    flow.apply(e, state);
                }
            },
            join,
        );
        Some(flow)
    }

    /// Replays every reachable block once from its fixed-point entry state, calling `visit`
    /// with each effect and the state before it; returns where the body ends with locks held
    /// and no deferred unlock (each `return` or closing brace, `true` for the brace, with such
    /// a lock) and each `return` with the locks held there.
    pub fn replay(
        &self,
        mut visit: impl FnMut(&Effect<'a>, &LockState),
    ) -> (Vec<(Span, bool, Held)>, Vec<Return<'_>>) {
        let mut exits = Vec::new();
        let mut returns = Vec::new();
        for (b, block) in self.cfg.blocks.iter().enumerate() {
            let Some(mut state) = self.states[b].clone() else {
                continue;
            };
            for e in &self.effects[b] {
                visit(e, &state);
                self.apply(e, &mut state);
            }
            let exit = match block.term {
                Term::Return(r) => Some((r.span, false)),
                Term::End(span) => Some((span, true)),
                Term::Jump | Term::NoReturn(_) => None,
            };
            if let Term::Return(r) = block.term {
                let nil = matches!(r.results.last().map(unparen), Some(Expr::Ident(id)) if id.name == "nil");
                let held = state
                    .held
                    .iter()
                    .filter(|h| !h.deferred)
                    .map(|h| self.keys[h.key as usize].as_str())
                    .collect();
                returns.push(Return { nil, held });
            }
            if let Some((at, end)) = exit {
                exits.extend(
                    state
                        .held
                        .iter()
                        .filter(|h| !h.deferred)
                        .map(|h| (at, end, *h)),
                );
            }
        }
        (exits, returns)
    }

    /// Whether the body releases the lock anywhere (or defers its release).
    pub fn released(&self, key: u32) -> bool {
        let name = &self.keys[key as usize];
        self.effects.iter().flatten().any(|e| match e {
            Effect::Release { key: k, .. } | Effect::Defer { key: k, .. } => *k == key,
            Effect::ReleaseUnder { root } | Effect::DeferUnder { root } => {
                under(name, root.as_deref())
            }
            _ => false,
        })
    }

    /// A held lock as the rules see it.
    pub fn held_lock(&self, h: &Held) -> HeldLock<'_> {
        HeldLock {
            key: &self.keys[h.key as usize],
            mode: h.mode,
            site: h.site,
            guarded: self.scan.guarded.contains(&h.site.start),
        }
    }

    /// Keys the body releases without having locked them on some path: its caller locked
    /// them. A second, must-held pass over the same effects (intersection at joins), so the
    /// answer does not depend on the order the lock-state pass visits blocks in.
    pub fn caller_held(&self) -> Vec<u32> {
        let (cfg, effects) = (&self.cfg, &self.effects);
        let transfer = |e: &Effect<'a>, held: &mut Vec<(u32, Mode)>| match e {
            Effect::Acquire { key, mode, .. } if !held.contains(&(*key, *mode)) => {
                held.push((*key, *mode));
            }
            Effect::Release { key, mode } => {
                held.retain(|(k, m)| k != key || mode.is_some_and(|mode| mode != *m));
            }
            Effect::ReleaseUnder { root } => {
                held.retain(|(k, _)| !under(&self.keys[*k as usize], root.as_deref()));
            }
            Effect::Forget { root } => {
                held.retain(|(k, _)| !under(&self.keys[*k as usize], Some(root)));
            }
            Effect::Rename { from, to } => {
                for (k, _) in held.iter_mut() {
                    *k = self.renamed(*k, from, to);
                }
            }
            _ => {}
        };
        let states = cfg.forward_blocks(
            Vec::new(),
            |b, held| effects[b].iter().for_each(|e| transfer(e, held)),
            |into: &mut Vec<(u32, Mode)>, from: &Vec<(u32, Mode)>| {
                let before = into.len();
                into.retain(|h| from.contains(h));
                into.len() != before
            },
        );
        let mut caller_held = Vec::new();
        for (b, state) in states.iter().enumerate() {
            let Some(mut held) = state.clone() else {
                continue;
            };
            for e in &effects[b] {
                if let Effect::Release { key, mode } = e {
                    let surely = held
                        .iter()
                        .any(|(k, m)| k == key && mode.is_none_or(|mode| mode == *m));
                    if !surely && !caller_held.contains(key) {
                        caller_held.push(*key);
                    }
                }
                transfer(e, &mut held);
            }
        }
        caller_held
    }

    /// The key `key` denotes after `to = from` (itself when it is not under `from`).
    fn renamed(&self, key: u32, from: &str, to: &str) -> u32 {
        let name = &self.keys[key as usize];
        if !under(name, Some(from)) {
            return key;
        }
        let renamed = format!("{to}{}", &name[from.len()..]);
        self.keys
            .iter()
            .position(|k| *k == renamed)
            .map_or(key, offset)
    }

    pub fn apply(&self, effect: &Effect<'a>, state: &mut LockState) {
        match effect {
            Effect::Acquire { key, mode, span } => {
                let deferred = state.deferred.contains(key);
                let held = Held {
                    key: *key,
                    mode: *mode,
                    site: *span,
                    deferred,
                };
                if !state.held.contains(&held) {
                    state.held.push(held);
                }
            }
            Effect::Release { key, mode } => {
                state
                    .held
                    .retain(|h| h.key != *key || mode.is_some_and(|m| m != h.mode));
            }
            Effect::ReleaseUnder { root } => {
                let keys = &self.keys;
                state
                    .held
                    .retain(|h| !under(&keys[h.key as usize], root.as_deref()));
            }
            Effect::Defer { key, mode } => {
                for h in state
                    .held
                    .iter_mut()
                    .filter(|h| h.key == *key && mode.is_none_or(|m| m == h.mode))
                {
                    h.deferred = true;
                }
                if !state.deferred.contains(key) {
                    state.deferred.push(*key);
                }
            }
            Effect::DeferUnder { root } => {
                for h in &mut state.held {
                    if under(&self.keys[h.key as usize], root.as_deref()) {
                        h.deferred = true;
                    }
                }
            }
            Effect::Forget { root } => {
                let keys = &self.keys;
                state
                    .held
                    .retain(|h| !under(&keys[h.key as usize], Some(root)));
            }
            Effect::Rename { from, to } => {
                for h in &mut state.held {
                    h.key = self.renamed(h.key, from, to);
                }
            }
            Effect::CallLocks { .. } | Effect::Chan(_) | Effect::Call(_) => {}
        }
        state
            .held
            .sort_by_key(|h| (h.key, h.site.start, h.deferred));
        state.held.dedup();
    }
}

/// Builds a body's effects, interning the keys it names.
struct Builder<'s, 'a> {
    keys: Vec<String>,
    scan: Scan<'a>,
    recv: Option<(&'a str, &'a str)>,
    summary: &'s PackageSummary<'a>,
}

impl<'s, 'a> Builder<'s, 'a> {
    /// Interns the keys a [`Effect::Rename`] can produce, so that applying it needs no
    /// allocation.
    fn rename(&mut self, from: &str, to: &str) {
        let renamed: Vec<String> = self
            .keys
            .iter()
            .filter(|k| under(k, Some(from)))
            .map(|k| format!("{to}{}", &k[from.len()..]))
            .collect();
        for k in renamed {
            self.intern(k);
        }
    }

    /// A key's index. Every key is text of the source, which has fewer than `u32::MAX` bytes,
    /// so the count fits as an offset does.
    fn intern(&mut self, key: String) -> u32 {
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => offset(i),
            None => {
                self.keys.push(key);
                offset(self.keys.len() - 1)
            }
        }
    }

    fn node_effects(&mut self, node: &Node<'a>, out: &mut Vec<Effect<'a>>) {
        match node {
            Node::Stmt(s) => match s {
                Stmt::Expr(e) => self.exprs(std::slice::from_ref(&e.x), true, out),
                Stmt::Send(send) => {
                    self.exprs(std::slice::from_ref(&send.value), false, out);
                    out.push(Effect::Chan(ChanNode::Send(send)));
                }
                Stmt::Assign(a) => {
                    self.exprs(&a.rhs, false, out);
                    for (i, l) in a.lhs.iter().enumerate() {
                        let Some(root) = key_of(l) else { continue };
                        out.push(Effect::Forget { root: root.clone() });
                        // `n = next`: the locks held through `next` are now held through `n`.
                        let from = (a.lhs.len() == a.rhs.len())
                            .then(|| key_of(&a.rhs[i]))
                            .flatten();
                        if let Some(from) = from {
                            out.push(Effect::Rename { from, to: root });
                        }
                    }
                }
                Stmt::Decl(g) => {
                    for spec in &g.specs {
                        if let Spec::Value(v) = spec {
                            self.exprs(&v.values, false, out);
                            out.extend(v.names.iter().map(|n| Effect::Forget {
                                root: n.name.to_string(),
                            }));
                        }
                    }
                }
                Stmt::Return(r) => self.exprs(&r.results, false, out),
                Stmt::Defer(d) => self.defer(&d.call, out),
                // `go s.resetAndUnlock()`: the goroutine releases the lock; whatever it takes, it
                // takes in another goroutine.
                Stmt::Go(g) => {
                    let mut effects = Vec::new();
                    self.call_effects(&g.call, true, &mut effects);
                    out.extend(effects.into_iter().filter(|e| {
                        matches!(e, Effect::Release { .. } | Effect::ReleaseUnder { .. })
                    }));
                }
                Stmt::TypeSwitch(_) | Stmt::IncDec(_) => {}
                _ => {}
            },
            Node::Cond(e) => self.exprs(std::slice::from_ref(*e), false, out),
            Node::Range(r) => {
                self.exprs(std::slice::from_ref(&r.x), false, out);
                out.push(Effect::Chan(ChanNode::Range(r)));
                for e in [&r.key, &r.value].into_iter().flatten() {
                    if let Some(root) = key_of(e) {
                        out.push(Effect::Forget { root });
                    }
                }
            }
            Node::Select(sel) => {
                out.push(Effect::Chan(ChanNode::Select(sel)));
            }
            Node::Comm(Stmt::Assign(a)) => {
                for l in &a.lhs {
                    if let Some(root) = key_of(l) {
                        out.push(Effect::Forget { root });
                    }
                }
            }
            Node::Comm(_) => {}
        }
    }

    /// The lock calls: `mu.Lock()`, `unlock()` (a method value), `s.release()` (a method that
    /// releases a receiver field), `s.updateAndUnlock()` (a name that says so). A `Lock()`
    /// whose result is used (`unlock, err := r.mu.Lock()`) is some other type's: only
    /// `statement` calls count.
    fn call_effects(&mut self, e: &'a Expr<'a>, statement: bool, out: &mut Vec<Effect<'a>>) {
        if let Some((key, op)) = lock_call(e) {
            if !statement {
                return;
            }
            let key = self.intern(key);
            out.push(match op {
                LockOp::Acquire(mode) => Effect::Acquire {
                    key,
                    mode,
                    span: e.span(),
                },
                LockOp::Release(mode) => Effect::Release {
                    key,
                    mode: Some(mode),
                },
            });
            return;
        }
        let Expr::Call(call) = unparen(e) else { return };
        if let Expr::Ident(id) = unparen(call.fun) {
            if let Some((_, key, mode)) = self
                .scan
                .method_values
                .iter()
                .find(|(n, _, _)| *n == id.name)
            {
                let (key, mode) = (key.clone(), *mode);
                let key = self.intern(key);
                out.push(Effect::Release {
                    key,
                    mode: Some(mode),
                });
                return;
            }
        }
        let before = out.len();
        self.released_through_params(call, out);
        if out.len() > before {
            return;
        }
        if let Some(released) = self.released_by_method(call.fun) {
            for key in released {
                let key = self.intern(key);
                out.push(Effect::Release { key, mode: None });
            }
        } else if let Some(root) = unlock_helper(call.fun) {
            out.push(Effect::ReleaseUnder { root });
        }
    }

    /// `wait(w)` or `s.wait(w)`, a function or receiver method of the package that releases a
    /// lock under its parameter (`w.mux.Unlock()` first): the caller's `w.mux` is released.
    fn released_through_params(&mut self, call: &'a CallExpr<'a>, out: &mut Vec<Effect<'a>>) {
        let (typ, name) = match unparen(call.fun) {
            Expr::Ident(id) => (None, id.name),
            Expr::Selector(s) => match (self.recv, unparen(s.x)) {
                (Some((recv, typ)), Expr::Ident(id)) if id.name == recv => (Some(typ), s.sel.name),
                _ => return,
            },
            _ => return,
        };
        let mut keys = Vec::new();
        for f in self.summary.lookup(typ, name) {
            for (index, field) in &f.releases_params {
                let Some(root) = call.args.get(*index).and_then(key_of) else {
                    continue;
                };
                keys.push(field_key(&root, field));
            }
        }
        for key in keys {
            let key = self.intern(key);
            out.push(Effect::Release { key, mode: None });
        }
    }

    /// `recv.m` where `m` is a method of the receiver's type that releases receiver fields
    /// for its caller: the keys it releases (`None` when `fun` is not such a method).
    fn released_by_method(&self, fun: &'a Expr<'a>) -> Option<Vec<String>> {
        let (recv, typ) = self.recv?;
        let Expr::Selector(s) = unparen(fun) else {
            return None;
        };
        if !matches!(unparen(s.x), Expr::Ident(id) if id.name == recv) {
            return None;
        }
        let keys: Vec<String> = self
            .summary
            .lookup(Some(typ), s.sel.name)
            .flat_map(|f| f.releases.iter())
            .map(|field| field_key(recv, field))
            .collect();
        (!keys.is_empty()).then_some(keys)
    }

    fn defer(&mut self, call: &'a Expr<'a>, out: &mut Vec<Effect<'a>>) {
        let Expr::Call(c) = unparen(call) else { return };
        let mut released = Vec::new();
        self.call_effects(call, true, &mut released);
        // `defer func() { ...; mu.Unlock() }()`: every unlock in the closure is deferred.
        if let Expr::FuncLit(f) = unparen(c.fun) {
            struct Unlocks<'a, 'p, 's> {
                pass: &'p mut Builder<'s, 'a>,
                out: Vec<Effect<'a>>,
            }
            impl<'a> Visitor<'a> for Unlocks<'a, '_, '_> {
                fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                    if let Stmt::Expr(e) = s {
                        self.pass.call_effects(&e.x, true, &mut self.out);
                    }
                    true
                }
            }
            let mut v = Unlocks {
                pass: self,
                out: Vec::new(),
            };
            walk_node(VNode::Block(&f.body), &[], &mut v);
            released = v.out;
        }
        for e in released {
            out.push(match e {
                Effect::Release { key, mode } => Effect::Defer { key, mode },
                Effect::ReleaseUnder { root } => Effect::DeferUnder { root },
                _ => continue,
            });
        }
    }

    /// Receives and calls inside expressions (function literals excluded); `statement`: the
    /// expression is an expression statement.
    fn exprs(&mut self, es: &'a [Expr<'a>], statement: bool, out: &mut Vec<Effect<'a>>) {
        struct V<'a, 'p, 's> {
            pass: &'p mut Builder<'s, 'a>,
            out: &'p mut Vec<Effect<'a>>,
            statement: bool,
        }
        impl<'a> Visitor<'a> for V<'a, '_, '_> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => return false,
                    Expr::Unary(u) if u.op == UnaryOp::Recv => {
                        self.out.push(Effect::Chan(ChanNode::Recv(u)));
                    }
                    Expr::Call(c) => {
                        self.out.push(Effect::Call(e));
                        self.pass.call_locks(c, self.out);
                        let statement = self.statement && parents.is_empty();
                        self.pass.call_effects(e, statement, self.out);
                    }
                    _ => {}
                }
                true
            }
        }
        let mut v = V {
            pass: self,
            out,
            statement,
        };
        for e in es {
            walk_node(VNode::Expr(e), &[], &mut v);
        }
    }

    /// `s.helper()` where `helper` locks a field of `s` first: LH402 when that field is held.
    fn call_locks(&mut self, c: &'a CallExpr<'a>, out: &mut Vec<Effect<'a>>) {
        let Some((recv, typ)) = self.recv else { return };
        let Expr::Selector(s) = unparen(c.fun) else {
            return;
        };
        if !matches!(unparen(s.x), Expr::Ident(id) if id.name == recv) {
            return;
        }
        let summary = self.summary;
        for f in summary.lookup(Some(typ), s.sel.name) {
            for lock in &f.locks {
                let key = self.intern(field_key(recv, &lock.field));
                out.push(Effect::CallLocks {
                    call: c.span,
                    method: s.sel.name,
                    key,
                    file: lock.file,
                    lock: lock.span,
                });
            }
        }
    }
}

fn join(into: &mut LockState, from: &LockState) -> bool {
    let before = (into.held.len(), into.deferred.len());
    for h in &from.held {
        if !into.held.contains(h) {
            into.held.push(*h);
        }
    }
    for k in &from.deferred {
        if !into.deferred.contains(k) {
            into.deferred.push(*k);
        }
    }
    into.held.sort_by_key(|h| (h.key, h.site.start, h.deferred));
    before != (into.held.len(), into.deferred.len())
}

/// Whether `key` is `root` or a field path under it (every key when `root` is `None`).
pub fn under(key: &str, root: Option<&str>) -> bool {
    match root {
        None => true,
        Some(root) => {
            key == root
                || key
                    .strip_prefix(root)
                    .is_some_and(|rest| rest.starts_with('.'))
        }
    }
}

/// The caller's key for a receiver field of a summary: `s.mu` for `mu`, `s` for the receiver.
pub fn field_key(recv: &str, field: &str) -> String {
    if field.is_empty() {
        recv.to_string()
    } else {
        format!("{recv}.{field}")
    }
}
