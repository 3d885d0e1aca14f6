//! ## What it does
//! Flags two locks taken in opposite orders on two paths of the package: `A` then `B` on one,
//! `B` then `A` on the other, in one function or through calls at any depth (a function
//! holding `A` calls one that takes `B`). Locks are told apart by the semantic model: the same
//! field of the same type (`s.mu` of a `*Store`, whatever the variable is called), or the same
//! package variable.
//!
//! Not flagged: the same lock taken twice (that is LH402); two instances of one field
//! (`a.mu` then `b.mu` of two accounts), which programs order by a comparison (by id) before
//! locking; locks the model cannot identify (a lock reached through an interface with several
//! implementations, a function value, an element of a container); locks taken under a bool
//! parameter (`if withA { a.mu.Lock() }`, or a condition implying it: `ok && withA`, a local
//! set from one) that every call of the function sets to the value that skips the lock, or
//! under opposite values of it. Also not flagged, because the two paths cannot wait for each
//! other:
//! - both run under a third lock that excludes them from each other (held as a writer on at
//!   least one side): held where the second lock is taken, or on entry because every call of
//!   the function in the package holds it (through the call graph; an exported function, or
//!   one used as a value, is assumed called with nothing held), or because the function
//!   releases it for its caller (`func (t *Tx) Unlock() { t.commit(); t.mu.Unlock() }`);
//! - one of the two instances is out of the other path's reach: taken out of its container
//!   (`delete(m.items, k)`, `s.jobs = s.jobs[1:]`) while the other lock was held and before
//!   it was locked, or made by the function itself (`c := &Conn{}`, `new(T)`; given up: an
//!   inversion after the new value was published to the other path while still locked);
//! - the first lock was handed to another goroutine or callback that releases it (a function
//!   literal, a package function started with `go` or passed as a value);
//! - one of the two locks is taken only while a value is built once (a double-checked lazy
//!   initialisation: `if built { return }; mu.Lock(); if built { return }`), or on the
//!   last-reference path of a reference count (`if atomic.AddInt32(&refs, -1) == 0 {
//!   mu.Lock() }`: no other holder is left); given up: a cycle between two goroutines building
//!   the same value at the same moment;
//! - both sides hold or want one lock only as readers (`RLock`) and nothing in the package
//!   write-locks it: readers do not block readers. With a writer somewhere, they count: Go's
//!   `RWMutex` queues a new `RLock` behind a waiting `Lock`, so the writer closes the cycle.
//!
//! ## Why is this bad?
//! Two goroutines, one on each path: the first holds `A` and waits for `B`, the second holds
//! `B` and waits for `A`. Neither ever runs again, and every goroutine that later needs either
//! lock joins them. It happens only when both paths run at the same moment, so tests rarely
//! see it; production does.
//!
//! ## Example
//! ```go
//! func (b *Bank) Transfer(a *Account, n int) {
//!     b.mu.Lock()
//!     defer b.mu.Unlock()
//!     a.Credit(n) // a.mu.Lock() inside
//! }
//!
//! func (a *Account) Audit(b *Bank) {
//!     a.mu.Lock()
//!     defer a.mu.Unlock()
//!     b.Record(a.id) // b.mu.Lock() inside: Account.mu then Bank.mu
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (a *Account) Audit(b *Bank) {
//!     a.mu.Lock()
//!     id := a.id
//!     a.mu.Unlock()
//!     b.Record(id) // one lock at a time, or always Bank.mu before Account.mu
//! }
//! ```
//!
//! ## Go version notes
//! None: Go's mutexes have always been non-reentrant and unordered. The runtime reports
//! "all goroutines are asleep" only when every goroutine is blocked, which a server never is.
//!
//! ## Fix safety
//! No automatic fix: pick one global order for the two locks (document it beside their
//! declarations), or release the first before taking the second.
//!
//! ## Related
//! LH402 double-lock (the same lock twice), LH403 chan-op-under-lock.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::cfg::{double_checked, last_reference};
use leakhound_model::package::PackageFacts;
use leakhound_model::semantic::effects::{Acquire, OrderEdge};
use leakhound_model::semantic::entry::EntryLocks;
use leakhound_model::semantic::identity::Identity;
use leakhound_model::semantic::Semantic;
use leakhound_model::summary::Mode;
use leakhound_syntax::ast::{Decl, Span};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;
use crate::PackageFile;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::LockOrderInversion,
    code: "LH406",
    name: "lock-order-inversion",
    summary: "two locks taken in opposite orders on two paths: deadlock when both run",
    severity: Severity::Error,
    doc: crate::docs::LOCK_ORDER_INVERSION,
    since: "0.3.0",
    status: Status::Preview,
    requires: &[Fact::Semantic],
};

/// Whether the `Lock` call at `origin` is a double-checked lazy initialisation (taken only until
/// the value is built once: a cycle through it needs two goroutines building the same value at
/// the same moment) or on the last-reference path of a reference count (no other holder is
/// left to hold the lock).
fn lazy_init(files: &[PackageFile<'_>], (file, at): (usize, Span)) -> bool {
    let f = &files[file];
    f.parsed.file.decls.iter().any(|d| match d {
        Decl::Func(fd) => fd.body.as_ref().is_some_and(|b| {
            b.span.start <= at.start
                && at.end <= b.span.end
                && (double_checked(b, at, f.source) || last_reference(b, at))
        }),
        _ => false,
    })
}

/// Where an edge's second acquisition is: what orders the paths in the file.
fn place(e: &OrderEdge<'_>) -> (usize, u32) {
    (e.second.file, e.second.site.start)
}

/// Locks the rule compares: fields of a type and package variables.
fn comparable(id: &Identity<'_>) -> bool {
    matches!(id, Identity::Field { .. } | Identity::PkgVar(_))
}

/// Every inversion of each package of the directory (the package, its external tests),
/// reported in the file of the path reached second.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    out: &mut [Vec<Diagnostic>],
) {
    for package in facts.packages() {
        check_one(files, facts, facts.semantic(package[0]), out);
    }
}

/// The inversions of one package. One finding per pair of locks: of the pairs of paths that
/// can deadlock, the one whose later path comes first in file order.
fn check_one<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    sem: &Semantic<'a>,
    out: &mut [Vec<Diagnostic>],
) {
    let mut edges: Vec<&OrderEdge<'a>> = sem
        .order_edges()
        .iter()
        .filter(|e| {
            comparable(&e.first.prim.id)
                && comparable(&e.second.prim.id)
                && !e.unreachable
                && [e.first.guard, e.second.guard]
                    .into_iter()
                    .flatten()
                    .all(|g| sem.guard_reachable(e.func, g))
                && !lazy_init(files, e.first.origin)
                && !lazy_init(files, e.second.origin)
        })
        .collect();
    edges.sort_by_key(|e| place(e));
    let mut entry = EntryLocks::new(sem);
    let mut done: Vec<[Identity<'a>; 2]> = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let (a, b) = (e.first.prim.id, e.second.prim.id);
        if done.contains(&[a, b]) || done.contains(&[b, a]) {
            continue;
        }
        // The other path, earlier in file order: report at the path reached second.
        // Of those, preferably one that deadlocks without a waiting writer.
        let other = edges[..i]
            .iter()
            .filter(|o| {
                o.first.prim.id == b
                    && o.second.prim.id == a
                    && blocks(sem, e, o)
                    && !serialised(&mut entry, e, o)
            })
            .min_by_key(|o| read_only(e, o).len());
        let Some(other) = other else { continue };
        done.push([a, b]);
        let file = e.second.file;
        let ctx = RuleContext::new(files, facts, file);
        if ctx.enabled(&RULE) {
            out[file].push(report(&ctx, sem, e, other));
        }
    }
}

/// Whether each path waits for the other: `e` holds `A` and wants `B`, `o` holds `B` and wants
/// `A`. A lock read-held on one side and read-wanted on the other blocks only behind a
/// waiting writer (Go's `RWMutex` queues new readers behind it), so it counts only when the
/// package also write-locks it somewhere.
fn blocks<'a>(sem: &Semantic<'a>, e: &OrderEdge<'a>, o: &OrderEdge<'a>) -> bool {
    let waits = |held: &Acquire<'a>, wanted: &Acquire<'a>| {
        held.mode == Mode::Write
            || wanted.mode == Mode::Write
            || sem
                .uses_of(&held.prim.id)
                .any(|u| u.op == "Lock" && u.prim.kind.is_lock())
    };
    waits(&e.first, &o.second) && waits(&o.first, &e.second)
}

/// The locks of the pair that one path holds and the other wants, both only as readers.
fn read_only<'a>(e: &OrderEdge<'a>, o: &OrderEdge<'a>) -> Vec<Identity<'a>> {
    [(&e.first, &o.second), (&o.first, &e.second)]
        .into_iter()
        .filter(|(held, wanted)| held.mode == Mode::Read && wanted.mode == Mode::Read)
        .map(|(held, _)| held.prim.id)
        .collect()
}

/// Whether both paths hold one third lock (at the inversion, or on entry through every caller
/// of their functions), not both as readers: they never run at the same time.
fn serialised<'a>(entry: &mut EntryLocks<'_, 'a>, e: &OrderEdge<'a>, o: &OrderEdge<'a>) -> bool {
    let mut gates = |x: &OrderEdge<'a>| {
        let mut g = x.held.clone();
        for (id, m) in entry.held_on_entry(x.func) {
            if !x.second.released_before.contains(&id) && !g.contains(&(id, m)) {
                g.push((id, m));
            }
        }
        g.retain(|(id, _)| *id != x.first.prim.id && *id != x.second.prim.id);
        g
    };
    let (ge, go) = (gates(e), gates(o));
    ge.iter().any(|(id, m)| {
        go.iter()
            .any(|(oid, om)| oid == id && !(*m == Mode::Read && *om == Mode::Read))
    })
}

fn report<'a>(
    ctx: &RuleContext<'_, '_>,
    sem: &Semantic<'a>,
    e: &OrderEdge<'a>,
    other: &OrderEdge<'a>,
) -> Diagnostic {
    let a = sem.describe(&e.first.prim.id);
    let b = sem.describe(&e.second.prim.id);
    let how = |acq: &Acquire<'_>| match acq.via {
        Some(f) => format!(" (through {})", sem.func_name(f)),
        None => String::new(),
    };
    // Locks only read on both sides: the cycle closes through a writer waiting on them.
    let readers: Vec<String> = read_only(e, other)
        .iter()
        .map(|id| sem.describe(id))
        .collect();
    let behind = match readers.as_slice() {
        [] => String::new(),
        [name] => format!(" once a writer waits on {name} (both paths only read-lock it)"),
        names => format!(
            " once writers wait on {} (both paths only read-lock them)",
            names.join(" and ")
        ),
    };
    let mut d = ctx.diagnostic(
        &RULE,
        e.second.site,
        format!(
            "{b} is locked{} while {a} is held (line {}), and {} locks {a} while holding {b}: two goroutines on these paths deadlock{behind}",
            how(&e.second),
            ctx.line(e.first.site.start),
            sem.func_name(other.func),
        ),
    );
    d.help = Some(format!(
        "take {a} and {b} in one order everywhere, or release one before taking the other"
    ));
    d.related.push(ctx.related(
        other.first.file,
        other.first.site,
        format!("the other path locks {b} here{}", how(&other.first)),
    ));
    d.related.push(ctx.related(
        other.second.file,
        other.second.site,
        format!("then {a} here{}", how(&other.second)),
    ));
    d
}
