//! The lock and wait-group pass: LH401–LH405 and LH306, per package.
//!
//! The package summaries (`leakhound_model::summary`) come from the package's facts, built
//! when first asked for; every function body — each declaration and each function literal,
//! separately — gets its control-flow view (`leakhound_model::cfg`) when it has something to
//! ask: a `Lock` call, a `wg.Done()`. For locks one forward pass computes, at every statement,
//! which locks may be held (by receiver text: `s.mu`, `mu`), from which `Lock` call, and whether
//! an `Unlock` of it is deferred; LH401, LH402 and LH403 read that state. LH404, LH405 and LH306
//! live in their rule files and use the same views and summaries.

use std::sync::LazyLock;

use leakhound_diagnostics::Diagnostic;
use leakhound_model::bodies::{bodies, literal_kind, Body, BodyKind};
use leakhound_model::cfg::{Cfg, Node, Term};
use leakhound_model::lockflow::{HeldLock, OpenExit, Return};
use leakhound_model::package::PackageFacts;
use leakhound_model::semantic::identity::Base;
use leakhound_model::summary::{
    self, key_of, lock_call, unlock_method_value, LockOp, Mode, PackageSummary,
};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};
use memchr::memmem::Finder;

use crate::context::RuleContext;
use crate::registry::Fact;
use crate::rules;
use crate::PackageFile;

/// Runs LH401–LH405 and LH306 over the files of one package. One list per file.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|_| Vec::new()).collect();
    let wants = |f: &PackageFile<'_>, fact| f.settings.rules.requires(fact);
    let lock_file = |f: &PackageFile<'_>| wants(f, Fact::LockFlow) && has(f.source, &LOCK_CALL);
    let wait_file = |f: &PackageFile<'_>| {
        wants(f, Fact::WaitGroups) && (has(f.source, &DONE_CALL) || has(f.source, &WAIT_CALL))
    };
    let chan_file = |f: &PackageFile<'_>| wants(f, Fact::ChannelUses) && has(f.source, &MAKE_CHAN);
    for (i, f) in files.iter().enumerate() {
        let (locks, waits, chans) = (lock_file(f), wait_file(f), chan_file(f));
        if !(locks || waits || chans) {
            continue;
        }
        let ctx = RuleContext::new(files, facts, i);
        for decl in &f.parsed.file.decls {
            let Decl::Func(func) = decl else { continue };
            let Some(body) = &func.body else { continue };
            // Most functions use none of these: skip them before listing their bodies. LH404
            // and LH405 need a `.Done()` or a `.Wait()` in the declaration.
            let text = ctx.text(body.span);
            let lock_fn = locks && has(text, &LOCK_CALL);
            let wait_fn = waits && (has(text, &DONE_CALL) || has(text, &WAIT_CALL));
            let chan_fn = chans && has(text, &MAKE_CHAN);
            if !(lock_fn || wait_fn || chan_fn) {
                continue;
            }
            let bodies = bodies(func);
            if lock_fn {
                let own: Vec<OwnLocks> = bodies.iter().map(|b| OwnLocks::of(b.block)).collect();
                for (k, b) in bodies.iter().enumerate() {
                    if !has(ctx.text(b.block.span), &LOCK_CALL) {
                        continue;
                    }
                    // Locks that another goroutine or callback of this declaration releases
                    // without taking them: this body hands them over (or is handed them).
                    let handed: Vec<&str> = own
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k && bodies[*j].kind != BodyKind::Deferred)
                        .flat_map(|(_, o)| &o.released_first)
                        .map(String::as_str)
                        .collect();
                    LockPass::run(&ctx, func, &bodies, k, &handed, &mut out[i]);
                }
            }
            if wait_fn {
                rules::done_skipped::check(&ctx, func, &bodies, &mut out[i]);
                rules::waitgroup_misuse::check(&ctx, func, &bodies, &mut out[i]);
            }
            if chan_fn {
                rules::abandoned_receiver::check(&ctx, func, &mut out[i]);
            }
        }
    }
    let order = files.iter().any(|f| {
        f.settings
            .rules
            .contains(rules::lock_order_inversion::RULE.id)
    }) && files.iter().any(|f| has(f.source, &LOCK_CALL));
    if order {
        rules::lock_order_inversion::check_package(files, facts, &mut out);
    }
    let fields = files.iter().any(|f| {
        f.settings
            .rules
            .contains(rules::abandoned_receiver::RULE.id)
    }) && files.iter().any(|f| f.source.contains("<-"));
    if fields {
        rules::abandoned_receiver::check_package(files, facts, &mut out);
    }
    out
}

// The substrings that decide whether a file or function is worth a look: searchers built once,
// since these tests run on every function.
static LOCK_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Lock()"));
static DONE_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(".Done()"));
static WAIT_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(".Wait()"));
static MAKE_CHAN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("make(chan"));

fn has(text: &str, finder: &Finder<'_>) -> bool {
    finder.find(text.as_bytes()).is_some()
}

/// The lock calls of one body itself and of the closures it defers (other function literals
/// are bodies of their own), in source order: the keys whose first call is a release.
struct OwnLocks {
    seen: Vec<String>,
    released_first: Vec<String>,
}

impl OwnLocks {
    fn of<'a>(block: &'a Block<'a>) -> OwnLocks {
        let mut own = OwnLocks {
            seen: Vec::new(),
            released_first: Vec::new(),
        };
        walk_node(VNode::Block(block), &[], &mut own);
        own
    }
}

impl<'a> Visitor<'a> for OwnLocks {
    fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
        if let Expr::FuncLit(_) = e {
            return literal_kind(e, parents) == BodyKind::Deferred;
        }
        if let Some((key, op)) = lock_call(e) {
            if !self.seen.contains(&key) {
                if let LockOp::Release(_) = op {
                    self.released_first.push(key.clone());
                }
                self.seen.push(key);
            }
        }
        true
    }
}

/// A lock that may be held: its key (index into [`LockPass::keys`]), mode, the `Lock` call,
/// and whether an unlock of it is deferred on the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    key: u32,
    mode: Mode,
    site: Span,
    deferred: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LockState {
    held: Vec<Held>,
    /// Keys with a deferred unlock registered before they were locked.
    deferred: Vec<u32>,
}

/// What one node does to the lock state, in evaluation order.
#[derive(Clone, Debug)]
enum Effect<'a> {
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
    Chan(rules::chan_op_under_lock::ChanOp<'a>),
}

/// Per body: what the statements around the lock calls say about them.
#[derive(Default)]
struct Scan<'a> {
    /// `unlock := mu.Unlock`: calling `unlock` releases `mu`.
    method_values: Vec<(&'a str, String, Mode)>,
    /// Keys released by code that runs somewhere else: another function literal, a method value
    /// that is returned, stored or passed on. The lock is handed over; its fate is not here.
    handed_off: Vec<String>,
    /// Lock calls (their span start) under an `if` on a boolean flag of the function
    /// (`if !locked { mu.Lock(); locked = true }`): the flag, not the path, says whether the
    /// lock is held, and a path-by-path view would pair up paths the flag keeps apart.
    guarded: Vec<u32>,
    /// Keys with such a guarded release (`if locked { mu.Unlock() }`).
    guarded_releases: Vec<String>,
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
    /// over too.
    /// `params`: the bool parameters of the declaration (`fooLocked(needLock bool)`), flags
    /// too. `src`: the file's source, to compare `if` conditions.
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
            /// Lock calls of the body under an `if`: span start, key, whether a release, and
            /// the innermost `if`: its start, its condition's text and the branch.
            under_if: Vec<(u32, String, bool, IfBranch<'a>)>,
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
                    Expr::Call(_) => {
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
        };
        walk_node(VNode::Block(body), &[], &mut v);
        // `if x != nil { mu.Lock() } ... if x != nil { mu.Unlock() }`: the same condition
        // decides both, so the paths that take one branch and skip the other do not happen.
        for (at, key, released, cond) in &v.under_if {
            let paired = v.under_if.iter().any(|(_, k, r, c)| {
                k == key && r != released && c.0 != cond.0 && (c.1, c.2) == (cond.1, cond.2)
            });
            if paired {
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

struct LockPass<'c, 'f, 'a> {
    ctx: &'c RuleContext<'f, 'a>,
    keys: Vec<String>,
    scan: Scan<'a>,
    /// The receiver's name and type when the body belongs to a method.
    recv: Option<(&'a str, &'a str)>,
    /// Keys another body of the declaration releases without locking them: the lock goes
    /// from one goroutine to another (a mutex used as a signal), not a forgotten unlock.
    handed: Vec<String>,
    /// Channel names made in the declaration, with their literal capacity and send count.
    chans: rules::chan_op_under_lock::LocalChans<'a>,
    /// The declaration's bodies and which one this pass is over.
    decl: &'a FuncDecl<'a>,
    bodies: &'c [Body<'a>],
    body: usize,
    /// The channel operations of the declaration's other bodies, computed when first needed.
    others: std::cell::OnceCell<rules::chan_op_under_lock::OtherBodies>,
}

impl<'c, 'f, 'a> LockPass<'c, 'f, 'a> {
    fn run(
        ctx: &'c RuleContext<'f, 'a>,
        decl: &'a FuncDecl<'a>,
        bodies: &'c [Body<'a>],
        k: usize,
        handed: &[&str],
        out: &mut Vec<Diagnostic>,
    ) {
        let body = &bodies[k];
        let recv = match summary::receiver(decl) {
            Some((Some(name), typ)) => Some((name, typ)),
            _ => None,
        };
        let mut pass = LockPass {
            ctx,
            keys: Vec::new(),
            scan: Scan::of(
                body.block,
                ctx.summary(),
                recv,
                &bool_params(&decl.typ),
                ctx.source(),
            ),
            recv,
            handed: handed.iter().map(ToString::to_string).collect(),
            chans: rules::chan_op_under_lock::LocalChans::of(ctx, decl, body),
            decl,
            bodies,
            body: k,
            others: std::cell::OnceCell::new(),
        };
        let cfg = Cfg::build(body.block, &|e| ctx.never_returns(e));
        let effects: Vec<Vec<Effect<'a>>> = cfg
            .blocks
            .iter()
            .map(|b| {
                let mut out = Vec::new();
                for node in &b.nodes {
                    pass.node_effects(node, &mut out);
                }
                out
            })
            .collect();
        if !effects
            .iter()
            .flatten()
            .any(|e| matches!(e, Effect::Acquire { .. }))
        {
            return;
        }
        // Every key a rename can produce, chains of two renames included.
        for _ in 0..2 {
            for e in effects.iter().flatten() {
                if let Effect::Rename { from, to } = e {
                    pass.rename(from, to);
                }
            }
        }
        let states = cfg.forward_blocks(
            LockState::default(),
            |b, state| {
                for e in &effects[b] {
                    pass.apply(e, state);
                }
            },
            join,
        );
        // The fixed point is known: replay each block once, checking before each effect.
        let mut exits: Vec<(Span, bool, Held)> = Vec::new();
        let mut returns: Vec<Return<'_>> = Vec::new();
        let mut found = Vec::new();
        for (b, block) in cfg.blocks.iter().enumerate() {
            let Some(mut state) = states[b].clone() else {
                continue;
            };
            for e in &effects[b] {
                pass.check(e, &state, &mut found);
                pass.apply(e, &mut state);
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
                    .map(|h| pass.keys[h.key as usize].as_str())
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
        if ctx.enabled(&rules::missing_unlock::RULE)
            && !rules::missing_unlock::exempt(ctx, decl, body.kind)
        {
            let caller_held = if exits.is_empty() {
                Vec::new()
            } else {
                pass.caller_held(&cfg, &effects)
            };
            // Whether the body releases the lock anywhere (or defers its release).
            let released = |key: u32| {
                let name = &pass.keys[key as usize];
                effects.iter().flatten().any(|e| match e {
                    Effect::Release { key: k, .. } | Effect::Defer { key: k, .. } => *k == key,
                    Effect::ReleaseUnder { root } | Effect::DeferUnder { root } => {
                        under(name, root.as_deref())
                    }
                    _ => false,
                })
            };
            exits.sort_by_key(|(at, _, h)| (at.start, h.key, h.site.start));
            let exits: Vec<OpenExit<'_>> = exits
                .iter()
                .map(|(at, end, h)| {
                    let key = pass.keys[h.key as usize].as_str();
                    OpenExit {
                        at: *at,
                        end: *end,
                        lock: HeldLock {
                            key,
                            mode: h.mode,
                            site: h.site,
                            guarded: pass.scan.guarded.contains(&h.site.start),
                        },
                        released: released(h.key),
                        caller_held: caller_held.contains(&h.key),
                        handed_off: pass.scan.handed_off.iter().any(|k| k == key)
                            || pass.handed.iter().any(|k| k == key),
                        guarded_release: pass.scan.guarded_releases.iter().any(|k| k == key),
                    }
                })
                .collect();
            rules::missing_unlock::check(
                ctx, decl, body.kind, pass.recv, &exits, &returns, &mut found,
            );
        }
        found.sort_by_key(|d| (d.start, d.code));
        found.dedup_by(|a, b| a.start == b.start && a.code == b.code);
        out.extend(found);
    }

    /// The channel operations of the declaration's bodies other than this one (deferred
    /// literals run in this body's goroutine and are part of it).
    fn other_bodies(&self) -> rules::chan_op_under_lock::OtherBodies {
        let ctx = self.ctx;
        let recv = self.recv.map(|(r, _)| r);
        let bodies = self
            .bodies
            .iter()
            .enumerate()
            .filter(|(j, b)| *j != self.body && b.kind != BodyKind::Deferred)
            .map(|(_, b)| {
                let name = match b.kind {
                    BodyKind::Decl => self.decl.name.name.to_string(),
                    BodyKind::Go => {
                        format!("the goroutine at line {}", ctx.line(b.block.span.start))
                    }
                    _ => format!(
                        "the function literal at line {}",
                        ctx.line(b.block.span.start)
                    ),
                };
                let waits = summary::channel_waits(b.block, &|e| ctx.never_returns(e), recv);
                (name, waits)
            })
            .collect();
        rules::chan_op_under_lock::OtherBodies { bodies }
    }

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
                    if let Some(op) = self.chans.send(self.ctx, send) {
                        out.push(Effect::Chan(op));
                    }
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
                if let Some(op) = self.chans.range(self.ctx, r) {
                    out.push(Effect::Chan(op));
                }
                for e in [&r.key, &r.value].into_iter().flatten() {
                    if let Some(root) = key_of(e) {
                        out.push(Effect::Forget { root });
                    }
                }
            }
            Node::Select(sel) => {
                if let Some(op) = self.chans.select(self.ctx, sel) {
                    out.push(Effect::Chan(op));
                }
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
        for f in self.ctx.summary().lookup(typ, name) {
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
            .ctx
            .summary()
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
            struct Unlocks<'a, 'p, 'c, 'f> {
                pass: &'p mut LockPass<'c, 'f, 'a>,
                out: Vec<Effect<'a>>,
            }
            impl<'a> Visitor<'a> for Unlocks<'a, '_, '_, '_> {
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
        struct V<'a, 'p, 'c, 'f> {
            pass: &'p mut LockPass<'c, 'f, 'a>,
            out: &'p mut Vec<Effect<'a>>,
            statement: bool,
        }
        impl<'a> Visitor<'a> for V<'a, '_, '_, '_> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => return false,
                    Expr::Unary(u) if u.op == UnaryOp::Recv => {
                        if let Some(op) = self.pass.chans.recv(self.pass.ctx, u) {
                            self.out.push(Effect::Chan(op));
                        }
                    }
                    Expr::Call(c) => {
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
    /// The semantic model follows the call to any depth, through the callee's type and bool
    /// guards; where it cannot resolve the call, the receiver's one-level summary answers.
    fn call_locks(&mut self, c: &'a CallExpr<'a>, out: &mut Vec<Effect<'a>>) {
        if self.model_call_locks(c, out) {
            return;
        }
        let Some((recv, typ)) = self.recv else { return };
        let Expr::Selector(s) = unparen(c.fun) else {
            return;
        };
        if !matches!(unparen(s.x), Expr::Ident(id) if id.name == recv) {
            return;
        }
        let summary = self.ctx.summary();
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

    /// The locks a call takes at any depth, by the semantic model, as keys of this body
    /// (`s.mu` for the callee's receiver field `mu` when the call is `s.helper()`). False when
    /// the model does not resolve the call (or LH402 is off).
    fn model_call_locks(&mut self, c: &'a CallExpr<'a>, out: &mut Vec<Effect<'a>>) -> bool {
        if !self.ctx.enabled(&rules::double_lock::RULE) {
            return false;
        }
        let sem = self.ctx.facts.semantic();
        let Some(func) = sem.func_of(self.ctx.file, self.decl) else {
            return false;
        };
        let (callees, _) = sem.callees(func, c);
        let [callee] = callees.as_slice() else {
            return false;
        };
        let method = sem.func(*callee).name;
        for a in sem.call_acquires(func, c) {
            let root = match a.prim.place.base {
                Base::Recv => sem.func(func).recv.as_ref().and_then(|r| r.name),
                Base::Param(i) => sem.func(func).params[i as usize].name,
                Base::Local(span) => self.ctx.source().get(span.range()),
                Base::PkgVar(name) => Some(name),
                Base::Unknown => None,
            };
            let Some(root) = root else { continue };
            let mut key = root.to_string();
            for f in &a.prim.place.path {
                key.push('.');
                key.push_str(f);
            }
            let key = self.intern(key);
            out.push(Effect::CallLocks {
                call: c.span,
                method,
                key,
                file: a.origin.0,
                lock: a.origin.1,
            });
        }
        true
    }

    /// Keys the body releases without having locked them on some path: its caller locked
    /// them. A second, must-held pass over the same effects (intersection at joins), so the
    /// answer does not depend on the order the lock-state pass visits blocks in.
    fn caller_held(&self, cfg: &Cfg<'a>, effects: &[Vec<Effect<'a>>]) -> Vec<u32> {
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

    fn apply(&self, effect: &Effect<'a>, state: &mut LockState) {
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
            Effect::CallLocks { .. } | Effect::Chan(_) => {}
        }
        state
            .held
            .sort_by_key(|h| (h.key, h.site.start, h.deferred));
        state.held.dedup();
    }

    /// LH402 and LH403, against the state before the effect.
    fn check(&self, effect: &Effect<'a>, state: &LockState, out: &mut Vec<Diagnostic>) {
        let ctx = self.ctx;
        match effect {
            Effect::Acquire { key, .. } | Effect::CallLocks { key, .. }
                if self.handed.contains(&self.keys[*key as usize]) => {}
            Effect::Acquire { key, mode, span } if ctx.enabled(&rules::double_lock::RULE) => {
                let at = HeldLock {
                    key: &self.keys[*key as usize],
                    mode: *mode,
                    site: *span,
                    guarded: self.scan.guarded.contains(&span.start),
                };
                rules::double_lock::check_relock(ctx, &self.held(state), &at, out);
            }
            Effect::CallLocks {
                call,
                method,
                key,
                file,
                lock,
            } if ctx.enabled(&rules::double_lock::RULE) => {
                let key = &self.keys[*key as usize];
                let held = self.held(state);
                rules::double_lock::check_call(ctx, &held, *call, method, key, (*file, *lock), out);
            }
            Effect::Chan(op) if ctx.enabled(&rules::chan_op_under_lock::RULE) => {
                let others = self.others.get_or_init(|| self.other_bodies());
                let held = self.held(state);
                rules::chan_op_under_lock::check(ctx, &held, self.recv, others, op, out);
            }
            _ => {}
        }
    }

    /// The locks that may be held in `state`, in the state's order, without those handed over
    /// between this declaration's goroutines.
    fn held(&self, state: &LockState) -> Vec<HeldLock<'_>> {
        state
            .held
            .iter()
            .map(|h| HeldLock {
                key: &self.keys[h.key as usize],
                mode: h.mode,
                site: h.site,
                guarded: self.scan.guarded.contains(&h.site.start),
            })
            .filter(|h| !self.handed.iter().any(|k| k == h.key))
            .collect()
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
fn under(key: &str, root: Option<&str>) -> bool {
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
fn field_key(recv: &str, field: &str) -> String {
    if field.is_empty() {
        recv.to_string()
    } else {
        format!("{recv}.{field}")
    }
}
