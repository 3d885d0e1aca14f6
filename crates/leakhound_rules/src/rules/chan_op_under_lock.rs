//! ## What it does
//! Flags a blocking channel operation — a send, a receive, a `range` over a channel, a
//! `select` without `default` — on a path where a mutex locked in the same function is still
//! held (a deferred `Unlock` has not run yet either), when the goroutine on the other side of
//! the channel takes that same mutex on its way to its own operation. The other side is looked
//! for where the rule can see it:
//! - a goroutine or function literal of the same declaration (or the declaration's body, for an
//!   operation in a literal) doing the opposite operation on the same channel expression;
//! - when the channel and the mutex are both fields of a method's receiver (`s.done`, `s.mu`),
//!   any method of the same type in the package (package summaries, computed when first
//!   needed);
//! - through the package's semantic model, every function of the package that does the
//!   opposite operation on the same channel on its own goroutine: a field of the same instance
//!   as the mutex (`s.reqs` received in `s.loop()`), a package variable, or a channel this
//!   function makes and passes to a function (`reply := make(chan T); go s.collect(reply)`, the
//!   mutex reached through the callee's receiver or a parameter), with the mutex taken at any
//!   depth of calls (`loop` calls `apply`, which calls `record`, which locks `s.mu`).
//!
//! The opposite of a receive is a send or a `close` (a deferred one happens at the end of its
//! function). The other side takes the lock with its own `Lock`/`RLock` call or by calling a
//! method of the receiver that locks that field first (one call deep: `run` calls
//! `s.compact()`, which locks `s.mu`; any depth through the semantic model). Its first opposite
//! operation on the channel, in the text, is the one that counts, and the lock must come before
//! it: earlier in the text, or anywhere in a loop around that operation in another function
//! (loop order: `for { v := <-s.reqs; s.mu.Lock(); ...; s.mu.Unlock() }` takes the lock before
//! its next receive, so a sender holding `s.mu` can find it waiting there).
//!
//! Not flagged:
//! - an operation whose other side is not visible: channels that are parameters, elements of
//!   slices or maps, range variables, or fields of another instance than the mutex's
//!   (`s.peer.reqs` under `s.mu`); channels whose other side is in another package, behind an
//!   interface or function value, or in a function literal of another function;
//! - another side that never takes the lock, or takes it only after its first operation on
//!   the channel (a pipe's writer holds its write lock while the reader, which never takes it,
//!   hands back counts; a handshake that receives first and locks afterwards);
//! - another side that may still hold the lock at its own operation: then the two can never
//!   meet on an unbuffered channel, and the channel is buffered for them by design
//!   (`net/http`'s `wantConn.tryDeliver` and `cancel`);
//! - another side that assigned the channel while holding the lock (`s.done = make(...)`
//!   under `s.mu`): whoever finds the channel under the lock comes after that critical section;
//! - a send on a channel made in the declaration with a literal buffer at least as large as its
//!   number of sends, or with a capacity that is not a literal (a local or a field:
//!   `b.readySema = make(chan bool, len(all))` is sized for its senders); for an other side
//!   found through the semantic model, a send on a channel made anywhere in the package with
//!   a buffer, and another side that assigns the channel itself;
//! - a `select` with a `default` case; a wait on `ctx.Done()`, a `Done()` method's channel,
//!   `time.After`, `time.Tick` (resolved through the file's imports and scopes: a fake clock's
//!   `c.After(d)` is a goroutine's channel like any other) or a timer's or ticker's `C`, alone
//!   or as a `select` case.
//!
//! ## Why is this bad?
//! The operation waits for another goroutine, and that goroutine needs the same lock first: it
//! waits at the `Lock` for this one to unlock, this one waits at the channel for it. Both wait
//! forever, and every other user of the mutex queues behind them. This mix of a channel and a
//! mutex is the most common blocking bug in large Go systems (Tu et al., ASPLOS 2019).
//!
//! ## Example
//! ```go
//! func (db *DB) Close() error {
//!     db.mu.Lock()
//!     defer db.mu.Unlock()
//!     close(db.stop)
//!     <-db.done // run may be waiting for db.mu in compact: it never closes db.done
//!     return nil
//! }
//!
//! func (db *DB) run() {
//!     defer close(db.done)
//!     for {
//!         select {
//!         case <-db.stop:
//!             return
//!         case <-db.tick:
//!             db.compact() // db.mu.RLock(); defer db.mu.RUnlock()
//!         }
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (db *DB) Close() error {
//!     close(db.stop)
//!     <-db.done // wait without the lock
//!     db.mu.Lock()
//!     defer db.mu.Unlock()
//!     return nil
//! }
//! ```
//! In general: copy what the operation needs, unlock, then operate; or make the operation a
//! `select` with `default` (dropping) or `<-ctx.Done()`.
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! No automatic fix: where to unlock depends on what the lock protects.
//!
//! Precision over recall: on the Go standard library and four large repositories, the earlier
//! form of this rule (any blocking operation under a lock) was right about 2 findings in 101;
//! this form asks for the other side to be visible and to take the lock (docs/precision.md).
//! Deadlocks through a receiver that has gone away while a `close` waits for the lock
//! (`x/crypto/ssh`'s `forwardList.forward`), and other sides in function literals of other
//! functions, are not found.
//!
//! ## Related
//! LH401 missing-unlock, LH402 double-lock, LH303 send-without-cancel, LH301 abandoned-sender.

use std::collections::HashSet;

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::Body;
use leakhound_model::channels::OpKind;
use leakhound_model::lockflow::{ChanNode, HeldLock};
use leakhound_model::names::Names;
use leakhound_model::semantic::identity::{Base, Identity, Place, PrimUse, Resolved};
use leakhound_model::semantic::types::Kind;
use leakhound_model::semantic::{FuncId, Semantic};
use leakhound_model::summary::{
    channel_uses, channel_waits, field_of, key_of, made_channels, make_chan_cap, ChanWait,
    UseKind,
};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ChanOpUnderLock,
    code: "LH403",
    name: "chan-op-under-lock",
    summary: "a blocking channel operation under a lock that the other side takes first",
    severity: Severity::Warning,
    doc: crate::docs::CHAN_OP_UNDER_LOCK,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::LockFlow],
};

/// A channel operation that may block, with the channels it waits on as keys and whether it
/// sends on each.
#[derive(Clone, Debug)]
pub(crate) struct ChanOp<'a> {
    pub kind: OpKind,
    pub span: Span,
    /// The channel as written (empty for a `select`).
    pub chan: &'a str,
    pub waits: Vec<(String, bool)>,
    /// The channel expressions, each with whether this side sends on it.
    pub exprs: Vec<(&'a Expr<'a>, bool)>,
}

/// The other side of a channel operation: who it is, and where it takes the lock (its `Lock`
/// call, or its call of a method that locks).
pub(crate) struct Partner {
    pub name: String,
    pub file: usize,
    pub lock: Span,
    /// The method called that takes the lock, when it is not taken directly.
    pub through: Option<String>,
}

/// The channel operations of the other function bodies of a declaration (its goroutines and
/// function literals, or the declaration's body for a literal), each with a name for the
/// message.
pub(crate) struct OtherBodies<'a> {
    pub bodies: Vec<(String, Vec<ChanWait>, &'a Block<'a>)>,
    /// The body of the operation being checked.
    pub this: &'a Block<'a>,
}

impl OtherBodies<'_> {
    /// Whether `lock`, taken by the other body `other`, is over before this body starts: that
    /// body encloses this one (a goroutine started by it), takes the lock before the `go`
    /// statement in the text, and no loop of its own runs both again. A lock taken and
    /// released before the goroutine exists does not wait for it (nomad's
    /// `TestConsul_ShutdownBlocked` locks its fake, checks it, unlocks, then starts the
    /// goroutine that locks it and sends).
    fn before_start(&self, other: &Block<'_>, lock: Span) -> bool {
        let this = self.this.span;
        other.span.start <= this.start
            && this.end <= other.span.end
            && lock.end <= this.start
            && !loops_in(other)
                .iter()
                .any(|l| l.start <= lock.start && this.end <= l.end)
    }
}

/// Where `w` takes `lock` (a key relative to the same receiver as `w`'s keys) on its way to
/// its operation: its own `Lock` call, or its call of a method of the receiver's type `typ`
/// that locks it first (one call deep), earlier in the text than the operation. `None` when it
/// does not; when it may still hold the lock at the operation (then the two operations can
/// never meet, and the channel is buffered for them by design); or when it assigned the channel
/// under that lock (whoever finds the channel under the lock comes after it).
fn takes_first(
    ctx: &RuleContext<'_, '_>,
    typ: Option<&str>,
    w: &ChanWait,
    lock: &str,
    field: Option<&str>,
) -> Option<(Span, Option<String>)> {
    if w.held.iter().any(|k| k == lock) || w.published_under.iter().any(|k| k == lock) {
        return None;
    }
    if let Some((_, span)) = w.locked_before.iter().find(|(k, _)| k == lock) {
        return (span.start < w.at).then_some((*span, None));
    }
    let (typ, field) = (typ?, field?);
    w.called_before.iter().find_map(|(method, span)| {
        (span.start < w.at
            && ctx
                .summary()
                .lookup(Some(typ), method)
                .any(|f| f.locks.iter().any(|l| l.field == field)))
        .then(|| (*span, Some(method.clone())))
    })
}

/// The first operation of a body (in the text, deferred ones at the end) that is the opposite
/// of a send (`sends`) or a receive on `chan`: operations pair up in order, so that is the one
/// this side waits for.
fn first_opposite<'w>(waits: &'w [ChanWait], chan: &str, sends: bool) -> Option<&'w ChanWait> {
    waits
        .iter()
        .filter(|w| w.chan == chan && w.feeds != sends)
        .min_by_key(|w| w.at)
}

/// The goroutine or method that does the opposite operation on one of `op`'s channels after
/// taking `lock` (and releasing it, or not yet holding it, at that operation): while this body
/// holds the lock and waits, that one waits for the lock.
/// `op` may block: a finding at the first held lock whose other side is visible and takes
/// that lock first (see [`partner`]).
pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    held: &[HeldLock<'_>],
    recv: Option<(&str, &str)>,
    others: &OtherBodies<'_>,
    op: &ChanOp<'a>,
    out: &mut Vec<Diagnostic>,
) {
    for h in held {
        let found = partner(ctx, recv, others, op, h.key)
            .or_else(|| semantic_partner(ctx, decl, op, h.site));
        if let Some(partner) = found {
            out.push(report(ctx, op, h.key, h.site, &partner));
            break;
        }
    }
}

/// The other side searched through the package's semantic model, in every function that
/// touches the channel (by identity: a field of the same instance as the lock, a package
/// variable, or a channel this declaration makes and hands to a function as an argument): a
/// function that does the opposite operation on its own goroutine and takes the same lock
/// (itself or through calls, at any depth) before it, in the text or earlier in a loop around
/// both (the next round). Silent when that function may hold the lock at its operation (the
/// two never meet: buffered by design), when it assigns the channel (whoever finds the channel
/// comes after), when a send's channel is made with a buffer anywhere in the package, and
/// wherever the model is opaque (a channel parameter of this function, a function literal on
/// the other side, an unresolved lock or channel).
fn semantic_partner<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    op: &ChanOp<'a>,
    lock_site: Span,
) -> Option<Partner> {
    let sem = ctx.facts.semantic(ctx.file);
    let f = sem.func_of(ctx.file, decl)?;
    let lock_call = call_at(decl, lock_site)?;
    let (lock, _) = sem.prim_call(f, lock_call).filter(|(r, _)| r.kind.is_lock())?;
    if lock.place.base == Base::Unknown {
        return None;
    }
    for &(e, sends) in &op.exprs {
        let Some(chan) = sem.resolve(f, e).filter(|r| r.kind == Kind::Chan) else {
            continue;
        };
        if matches!(chan.id, Identity::Param { .. }) || chan.place.base == Base::Unknown {
            continue;
        }
        if sends && made_buffered(sem, &chan.id) {
            continue;
        }
        for side in other_sides(sem, f, &chan, &lock) {
            if let Some(p) = takes_before(sem, f, &lock, &side, sends) {
                return Some(p);
            }
        }
    }
    None
}

/// The channel as another function sees it, and the lock's place in that function's frame
/// (`None`: the lock is the same instance wherever it is named as in `f`).
struct Side<'a> {
    chan: Identity<'a>,
    /// The channel's place in the other function, when it must be checked against the lock's.
    chan_place: Option<Place<'a>>,
    /// The place of the caller's expression the other function's receiver or parameter
    /// stands for, with that function and its base: the lock must be reached from it.
    handed: Option<(FuncId, Base<'a>, Place<'a>)>,
}

/// The identities under which other functions reach `chan`: the channel itself (a field or a
/// package variable), and the parameters of the package functions `f` passes it to.
fn other_sides<'a>(
    sem: &Semantic<'a>,
    f: FuncId,
    chan: &Resolved<'a>,
    lock: &Resolved<'a>,
) -> Vec<Side<'a>> {
    let mut out = Vec::new();
    match chan.id {
        Identity::Field { .. } | Identity::PkgVar(_) => out.push(Side {
            chan: chan.id,
            chan_place: Some(chan.place.clone()),
            handed: None,
        }),
        Identity::Local { .. } | Identity::Param { .. } => {}
    }
    for site in sem.calls(f) {
        let [g] = site.callees.as_slice() else {
            continue;
        };
        if site.dynamic || *g == f {
            continue;
        }
        for (i, arg) in site.call.args.iter().enumerate() {
            if sem.resolve(f, arg).is_none_or(|r| r.id != chan.id) {
                continue;
            }
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            // The lock is reached in `g` through its receiver, or through the parameter the
            // caller passes the lock's owner as.
            let handed = match (&lock.place.base, unparen(site.call.fun)) {
                (Base::PkgVar(_), _) => None,
                (_, Expr::Selector(s)) if sem.func(*g).recv.is_some() => {
                    Some((*g, Base::Recv, sem.place(f, s.x)))
                }
                _ => site.call.args.iter().enumerate().find_map(|(j, a)| {
                    let p = sem.place(f, a);
                    (p.base == lock.place.base && lock.place.path.starts_with(&p.path))
                        .then(|| (*g, Base::Param(u32::try_from(j).unwrap_or(u32::MAX)), p))
                }),
            };
            if handed.is_none() && !matches!(lock.place.base, Base::PkgVar(_)) {
                continue;
            }
            out.push(Side {
                chan: Identity::Param { func: *g, index },
                chan_place: None,
                handed,
            });
        }
    }
    out
}

/// Whether the lock `g` takes (at `taken`, in its frame) is the instance `lock` of `f`.
fn same_lock<'a>(
    lock: &Resolved<'a>,
    taken: &Resolved<'a>,
    side: &Side<'a>,
    chan_in_g: &Place<'a>,
) -> bool {
    if taken.id != lock.id {
        return false;
    }
    if let Base::PkgVar(_) = lock.place.base {
        return taken.place == lock.place;
    }
    if let Some((_, base, from)) = &side.handed {
        if taken.place.base != *base || from.base != lock.place.base {
            return false;
        }
        let mut path = from.path.clone();
        path.extend(taken.place.path.iter().copied());
        return path == lock.place.path;
    }
    // A field channel: the lock and the channel hang from one variable on both sides, by the
    // same paths (`s.mu` and `s.ch` in two methods of `S`).
    let Some(chan_in_f) = &side.chan_place else {
        return false;
    };
    chan_in_g.base != Base::Unknown
        && taken.place.base == chan_in_g.base
        && lock.place.base == chan_in_f.base
        && taken.place.path == lock.place.path
        && chan_in_g.path == chan_in_f.path
}

/// A function other than `f` that does the opposite of `sends` on `side.chan` and takes the
/// lock on its way there.
fn takes_before<'a>(
    sem: &Semantic<'a>,
    f: FuncId,
    lock: &Resolved<'a>,
    side: &Side<'a>,
    sends: bool,
) -> Option<Partner> {
    // The functions that spell the channel: its field (or an accessor of it), its variable, or
    // the parameter it is passed as.
    let words: Vec<&str> = match side.chan {
        Identity::Field { field, .. } => {
            let mut words = vec![field];
            words.extend(sem.chan_field_accessors(&HashSet::from([field])));
            words
        }
        Identity::PkgVar(name) => vec![name],
        Identity::Param { func, index } => sem
            .func(func)
            .params
            .get(index as usize)
            .and_then(|p| p.name)
            .into_iter()
            .collect(),
        Identity::Local { .. } => return None,
    };
    let uses = sem.chan_uses_spelling(&words);
    for u in uses.iter().filter(|u| u.prim.id == side.chan) {
        let opposite = if sends {
            matches!(u.op, "recv" | "range")
        } else {
            matches!(u.op, "send" | "close")
        };
        if !opposite || u.func == f || u.go {
            continue;
        }
        if side.handed.as_ref().is_some_and(|(g, _, _)| *g != u.func) {
            continue;
        }
        let g = u.func;
        if assigns_chan(sem, g, &side.chan) {
            continue;
        }
        if u.in_literal {
            if let Some((lock_site, via)) = goroutine_literal_takes(sem, g, u, lock, side) {
                return Some(Partner {
                    name: format!("the goroutine of {}", sem.func_name(g)),
                    file: sem.func(g).file,
                    lock: lock_site,
                    through: via.map(|v| sem.func_name(v)),
                });
            }
            continue;
        }
        let fx = sem.lock_effects(g);
        let same = |a: &Resolved<'a>| same_lock(lock, a, side, &u.prim.place);
        // The locks it may hold at its operation: then the two never meet.
        let held = if u.deferred {
            fx.held_at_return.iter().any(|a| same(&a.prim))
        } else {
            let at = fx.blocking.iter().find(|b| {
                b.via.is_none()
                    && (b.origin.1 == u.span
                        || (b.op == "select" && b.site.contains(u.span)))
            })?;
            at.held.iter().any(|a| a.prim.id == lock.id)
        };
        if held {
            continue;
        }
        let loops = loops_of(sem, g);
        let around = |s: Span| {
            loops
                .iter()
                .any(|l| l.contains(s) && l.contains(u.span))
        };
        let Some(a) = fx.acquires.iter().find(|a| {
            a.guard.is_none()
                && same(&a.prim)
                && (u.deferred || a.site.start < u.span.start || around(a.site))
        }) else {
            continue;
        };
        return Some(Partner {
            name: sem.func_name(g),
            file: sem.func(g).file,
            lock: a.site,
            through: a.via.map(|v| sem.func_name(v)),
        });
    }
    None
}

/// `u` is in a function literal of `g` started with `go` (`go func() { ... }()`): where that
/// goroutine takes the lock on its way to `u` (its own `Lock` call, or a package call that
/// takes it at any depth), earlier in the text or in a loop of the literal around `u`; `None`
/// when it does not, when it may still hold the lock at `u`, or when the literal is anything
/// but a goroutine (a callback: who runs it is out of sight).
fn goroutine_literal_takes<'a>(
    sem: &Semantic<'a>,
    g: FuncId,
    u: &PrimUse<'a>,
    lock: &Resolved<'a>,
    side: &Side<'a>,
) -> Option<(Span, Option<FuncId>)> {
    let info = sem.func(g);
    let lit = go_literal_around(info.decl.body.as_ref()?, u.span)?;
    let recv = info.recv.as_ref().and_then(|r| r.name);
    let waits = channel_waits(&lit.body, &|_| false, recv);
    let w = waits.iter().find(|w| w.span.start == u.span.start)?;
    // The acquisitions of the literal's own body, direct or through package calls.
    let mut takes: Vec<(Span, Option<FuncId>, Place<'a>)> = Vec::new();
    struct V<'s, 'a> {
        sem: &'s Semantic<'a>,
        g: FuncId,
        out: &'s mut Vec<(Span, Option<FuncId>, Resolved<'a>)>,
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Expr::FuncLit(_) = e {
                return false;
            }
            let Expr::Call(c) = e else { return true };
            match self.sem.prim_call(self.g, e) {
                Some((r, "Lock" | "RLock")) if r.kind.is_lock() => {
                    self.out.push((c.span, None, r));
                }
                Some(_) => {}
                None => {
                    for a in self.sem.call_acquires(self.g, c) {
                        self.out.push((c.span, a.via, a.prim));
                    }
                }
            }
            true
        }
    }
    let mut found = Vec::new();
    walk_node(
        VNode::Block(&lit.body),
        &[],
        &mut V {
            sem,
            g,
            out: &mut found,
        },
    );
    for (span, via, r) in found {
        if same_lock(lock, &r, side, &u.prim.place) {
            takes.push((span, via, r.place));
        }
    }
    let loops = loops_in(&lit.body);
    let (site, via, place) = takes.into_iter().find(|(s, _, _)| {
        s.start < w.at
            || loops.iter().any(|l| {
                l.contains(*s) && l.contains(u.span)
            })
    })?;
    // The lock under the literal's own name for it: held at `u`, or the channel assigned under
    // it, and the two never meet.
    let root = match place.base {
        Base::Recv => recv?.to_string(),
        Base::PkgVar(n) => n.to_string(),
        Base::Local(d) => sem.source(info.file).get(d.range())?.to_string(),
        Base::Param(i) => info.params.get(i as usize)?.name?.to_string(),
        Base::Unknown => return None,
    };
    let key = place.path.iter().fold(root, |k, f| format!("{k}.{f}"));
    if w.held.contains(&key) || w.published_under.contains(&key) {
        return None;
    }
    Some((site, via))
}

/// The function literal around `at` that a `go` statement runs, innermost.
fn go_literal_around<'a>(body: &'a Block<'a>, at: Span) -> Option<&'a FuncLit<'a>> {
    struct V<'a> {
        at: Span,
        found: Option<&'a FuncLit<'a>>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            let Expr::FuncLit(lit) = e else { return true };
            if !lit.span.contains(self.at) {
                return false;
            }
            let go = parents.len() >= 2
                && matches!(parents[parents.len() - 1], VNode::Expr(Expr::Call(c)) if std::ptr::eq(c.fun, e))
                && matches!(parents[parents.len() - 2], VNode::Stmt(Stmt::Go(_)));
            self.found = go.then_some(lit);
            true
        }
    }
    let mut v = V { at, found: None };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// The `for` and `range` statements of a block (function literals excluded).
fn loops_in(body: &Block<'_>) -> Vec<Span> {
    struct V {
        out: Vec<Span>,
    }
    impl<'a> Visitor<'a> for V {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::For(_) | Stmt::Range(_) = s {
                self.out.push(s.span());
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            !matches!(e, Expr::FuncLit(_))
        }
    }
    let mut v = V { out: Vec::new() };
    walk_node(VNode::Block(body), &[], &mut v);
    v.out
}

/// The `for` and `range` statements of a function's own body (function literals excluded).
fn loops_of(sem: &Semantic<'_>, g: FuncId) -> Vec<Span> {
    sem.func(g).decl.body.as_ref().map(loops_in).unwrap_or_default()
}

/// Whether `g` assigns the channel (`s.done = make(...)`): it publishes it, and whoever finds
/// it comes after.
fn assigns_chan<'a>(sem: &Semantic<'a>, g: FuncId, chan: &Identity<'a>) -> bool {
    struct V<'s, 'a> {
        sem: &'s Semantic<'a>,
        g: FuncId,
        chan: &'s Identity<'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                self.found |= a
                    .lhs
                    .iter()
                    .any(|l| self.sem.resolve(self.g, l).is_some_and(|r| r.id == *self.chan));
            }
            !self.found
        }
    }
    let Some(body) = &sem.func(g).decl.body else {
        return false;
    };
    let mut v = V {
        sem,
        g,
        chan,
        found: false,
    };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// Whether the package makes the channel anywhere with a buffer (a capacity that is not the
/// literal 0): a send on it need not wait for the other side.
fn made_buffered<'a>(sem: &Semantic<'a>, chan: &Identity<'a>) -> bool {
    struct V<'s, 'a> {
        sem: &'s Semantic<'a>,
        func: FuncId,
        chan: &'s Identity<'a>,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                if a.lhs.len() == a.rhs.len() {
                    for (l, r) in a.lhs.iter().zip(&a.rhs) {
                        if matches!(make_chan_cap(r), Some(c) if c != Some(0))
                            && self.sem.resolve(self.func, l).is_some_and(|x| x.id == *self.chan)
                        {
                            self.found = true;
                        }
                    }
                }
            }
            !self.found
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if let (Expr::CompositeLit(c), Identity::Field { typ, field }) = (e, self.chan) {
                let named = matches!(c.typ.as_ref().map(unparen),
                    Some(Expr::Ident(t)) if self.sem.type_id(t.name) == Some(*typ));
                if named {
                    for elt in &c.elts {
                        if let Expr::KeyValue(kv) = elt {
                            if matches!(kv.key, Expr::Ident(k) if k.name == *field)
                                && matches!(make_chan_cap(kv.value), Some(c) if c != Some(0))
                            {
                                self.found = true;
                            }
                        }
                    }
                }
            }
            !self.found
        }
    }
    let mut v = V {
        sem,
        func: 0,
        chan,
        found: false,
    };
    for g in sem.func_ids() {
        let Some(body) = &sem.func(g).decl.body else {
            continue;
        };
        v.func = g;
        walk_node(VNode::Block(body), &[], &mut v);
        if v.found {
            return true;
        }
    }
    false
}

/// The call expression of the declaration at `span` (a `Lock` call).
fn call_at<'a>(decl: &'a FuncDecl<'a>, span: Span) -> Option<&'a Expr<'a>> {
    struct V<'a> {
        span: Span,
        found: Option<&'a Expr<'a>>,
    }
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if self.found.is_some() {
                return false;
            }
            if matches!(e, Expr::Call(_)) && e.span() == self.span {
                self.found = Some(e);
                return false;
            }
            let s = e.span();
            s.contains(self.span)
        }
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let sp = s.span();
            self.found.is_none() && sp.contains(self.span)
        }
    }
    let mut v = V { span, found: None };
    walk_node(VNode::Block(decl.body.as_ref()?), &[], &mut v);
    v.found
}

fn partner(
    ctx: &RuleContext<'_, '_>,
    recv: Option<(&str, &str)>,
    others: &OtherBodies<'_>,
    op: &ChanOp<'_>,
    lock: &str,
) -> Option<Partner> {
    let typ = recv.map(|(_, t)| t);
    let lock_field = recv.and_then(|(r, _)| field_of(r, lock));
    for (chan, sends) in &op.waits {
        for (name, waits, block) in &others.bodies {
            if let Some(w) = first_opposite(waits, chan, *sends) {
                if let Some((span, through)) = takes_first(ctx, typ, w, lock, lock_field.as_deref())
                    .filter(|(span, _)| !others.before_start(block, *span))
                {
                    return Some(Partner {
                        name: name.clone(),
                        file: ctx.file,
                        lock: span,
                        through,
                    });
                }
            }
        }
        let Some((recv, typ)) = recv else { continue };
        let (Some(chan_field), Some(lock_field)) = (field_of(recv, chan), lock_field.as_deref())
        else {
            continue;
        };
        for f in ctx
            .summary()
            .funcs
            .iter()
            .filter(|f| f.recv_type == Some(typ))
        {
            if let Some(w) =
                first_opposite(f.chan_waits(&|e| ctx.never_returns(e)), &chan_field, *sends)
            {
                if let Some((span, through)) =
                    takes_first(ctx, Some(typ), w, lock_field, Some(lock_field))
                {
                    return Some(Partner {
                        name: f.name.to_string(),
                        file: f.file,
                        lock: span,
                        through,
                    });
                }
            }
        }
    }
    None
}

/// The channels of a function that the rule can say something about: those made in the
/// declaration (with their capacity and number of sends) and the channel-typed parameters.
pub(crate) struct LocalChans<'a> {
    made: Vec<(&'a str, Option<u64>, usize)>,
    /// Fields assigned a channel whose capacity is not a literal in the declaration
    /// (`b.readySema = make(chan bool, len(all))`): sized for their senders.
    sized_fields: Vec<String>,
    params: Vec<&'a str>,
}

impl<'a> LocalChans<'a> {
    pub fn of(ctx: &RuleContext<'_, 'a>, decl: &'a FuncDecl<'a>, body: &Body<'a>) -> LocalChans<'a> {
        let mut params = Vec::new();
        for typ in [&decl.typ, body.typ] {
            for field in &typ.params.list {
                if matches!(unparen(&field.typ), Expr::ChanType(_)) {
                    params.extend(field.names.iter().map(|n| n.name));
                }
            }
        }
        let Some(block) = &decl.body else {
            return LocalChans {
                made: Vec::new(),
                sized_fields: Vec::new(),
                params,
            };
        };
        let makes = made_channels(block);
        let names: Vec<&str> = makes.iter().map(|m| m.name).collect();
        let uses = if names.is_empty() {
            Vec::new()
        } else {
            channel_uses(block, &names, ctx.imports)
        };
        let made = makes
            .iter()
            .map(|m| {
                (
                    m.name,
                    m.cap,
                    uses.iter()
                        .filter(|u| u.name == m.name && u.kind == UseKind::Send)
                        .count(),
                )
            })
            .collect();
        LocalChans {
            made,
            sized_fields: sized_fields(block),
            params,
        }
    }

    fn made(&self, name: &str) -> Option<(Option<u64>, usize)> {
        self.made.iter().find(|m| m.0 == name).map(|m| (m.1, m.2))
    }

    /// The operation as the rule sees it: `None` when it cannot block on a goroutine that
    /// wants the lock.
    pub fn op(&self, ctx: &RuleContext<'_, 'a>, node: ChanNode<'a>) -> Option<ChanOp<'a>> {
        match node {
            ChanNode::Send(s) => self.send(ctx, s),
            ChanNode::Recv(u) => self.recv(ctx, u),
            ChanNode::Range(r) => self.range(ctx, r),
            ChanNode::Select(s) => self.select(ctx, s),
        }
    }

    fn send(&self, ctx: &RuleContext<'_, 'a>, send: &'a SendStmt<'a>) -> Option<ChanOp<'a>> {
        if never_needs_the_lock(ctx.names(), &send.chan) {
            return None;
        }
        if key_of(&send.chan).is_some_and(|k| self.sized_fields.contains(&k)) {
            return None;
        }
        if let Expr::Ident(id) = unparen(&send.chan) {
            match self.made(id.name) {
                // Room for every send, or a size the rule cannot see.
                Some((Some(cap), sends)) if cap > 0 && sends as u64 <= cap => return None,
                Some((None, _)) => return None,
                _ => {}
            }
        }
        Some(ChanOp {
            kind: OpKind::Send,
            span: send.span,
            chan: ctx.text(send.chan.span()),
            waits: key_of(&send.chan).map(|k| (k, true)).into_iter().collect(),
            exprs: vec![(&send.chan, true)],
        })
    }

    fn recv(&self, ctx: &RuleContext<'_, 'a>, u: &'a UnaryExpr<'a>) -> Option<ChanOp<'a>> {
        if never_needs_the_lock(ctx.names(), u.x) {
            return None;
        }
        Some(ChanOp {
            kind: OpKind::Recv,
            span: u.span,
            chan: ctx.text(u.x.span()),
            waits: key_of(u.x).map(|k| (k, false)).into_iter().collect(),
            exprs: vec![(u.x, false)],
        })
    }

    /// A `range` over a name known to be a channel (made here or a channel parameter).
    fn range(&self, ctx: &RuleContext<'_, 'a>, r: &'a RangeStmt<'a>) -> Option<ChanOp<'a>> {
        let Expr::Ident(id) = unparen(&r.x) else {
            return None;
        };
        if self.made(id.name).is_none() && !self.params.contains(&id.name) {
            return None;
        }
        let span = Span::new(r.span.start, r.span.start + 3);
        Some(ChanOp {
            kind: OpKind::Range,
            span,
            chan: ctx.text(r.x.span()),
            waits: key_of(&r.x).map(|k| (k, false)).into_iter().collect(),
            exprs: vec![(&r.x, false)],
        })
    }

    /// A `select` with no `default` and no case that ends without another goroutine.
    fn select(&self, ctx: &RuleContext<'_, 'a>, sel: &'a SelectStmt<'a>) -> Option<ChanOp<'a>> {
        if sel.body.is_empty() {
            return None;
        }
        let mut waits = Vec::new();
        let mut exprs = Vec::new();
        for clause in &sel.body {
            let (chan, sends) = match clause.comm {
                None => return None,
                Some(Stmt::Send(s)) => (&s.chan, true),
                Some(Stmt::Expr(e)) => (recv_chan(&e.x)?, false),
                Some(Stmt::Assign(a)) => (recv_chan(a.rhs.first()?)?, false),
                Some(_) => return None,
            };
            if never_needs_the_lock(ctx.names(), chan) {
                return None;
            }
            waits.extend(key_of(chan).map(|k| (k, sends)));
            exprs.push((chan, sends));
        }
        let span = Span::sized(sel.span.start, "select".len());
        Some(ChanOp {
            kind: OpKind::Select,
            span,
            chan: "",
            waits,
            exprs,
        })
    }
}

/// The fields (`x.f`) the block assigns a `make(chan T, n)` with a capacity that is not a
/// literal, function literals included.
fn sized_fields<'a>(block: &'a Block<'a>) -> Vec<String> {
    struct V {
        out: Vec<String>,
    }
    impl<'a> Visitor<'a> for V {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                if a.lhs.len() == a.rhs.len() {
                    for (l, r) in a.lhs.iter().zip(&a.rhs) {
                        if matches!(unparen(l), Expr::Selector(_)) && make_chan_cap(r) == Some(None)
                        {
                            self.out.extend(key_of(l));
                        }
                    }
                }
            }
            true
        }
    }
    let mut v = V { out: Vec::new() };
    walk_node(VNode::Block(block), &[], &mut v);
    v.out
}

fn recv_chan<'a>(e: &'a Expr<'a>) -> Option<&'a Expr<'a>> {
    match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::Recv => Some(u.x),
        _ => None,
    }
}

/// Channels whose other side is a timer or a cancellation, not a goroutine that could want
/// the lock: `time.After(d)` and `time.Tick(d)` (as the file's names resolve), a `Done()`
/// method of a value (`ctx.Done()`, `x.Done()`; not a package's function), a timer's or
/// ticker's `t.C`.
fn never_needs_the_lock<'a>(names: Names<'_, 'a>, chan: &'a Expr<'a>) -> bool {
    match unparen(chan) {
        Expr::Call(c) => match names.resolve(unparen(c.fun)) {
            Some((path, name)) => path == "time" && matches!(name, "After" | "Tick"),
            None => matches!(unparen(c.fun), Expr::Selector(s) if s.sel.name == "Done"),
        },
        Expr::Selector(s) => s.sel.name == "C",
        _ => false,
    }
}

fn report(
    ctx: &RuleContext<'_, '_>,
    op: &ChanOp<'_>,
    key: &str,
    lock: Span,
    partner: &Partner,
) -> Diagnostic {
    let line = ctx.line(lock.start);
    let who = &partner.name;
    let (what, other) = match op.kind {
        OpKind::Send => (format!("send on {} may block", op.chan), "receiving"),
        OpKind::Range => (
            format!("range over {} waits for each value", op.chan),
            "sending or closing",
        ),
        OpKind::Select => (
            "select without default may block".to_string(),
            "its side of a case",
        ),
        // A receive: the one other kind of operation that waits for a partner.
        OpKind::Recv | OpKind::Close | OpKind::Returned | OpKind::Escapes => (
            format!("receive from {} may block", op.chan),
            "sending or closing",
        ),
    };
    let message = format!(
        "{what} while {key} is held (locked at line {line}): {who} locks it before {other}"
    );
    let mut d = ctx.diagnostic(&RULE, op.span, message);
    d.help = Some(format!(
        "unlock {key} before the channel operation, or make it a select with default or <-ctx.Done()"
    ));
    d.related
        .push(ctx.related(ctx.file, lock, format!("{key} locked here")));
    let how = match &partner.through {
        Some(method) => format!("{who} locks {key} here (in {method})"),
        None => format!("{who} locks {key} here"),
    };
    d.related.push(ctx.related(partner.file, partner.lock, how));
    d
}
