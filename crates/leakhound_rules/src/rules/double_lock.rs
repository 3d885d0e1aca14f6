//! ## What it does
//! Flags a `Lock` of a mutex that the same function may already hold on that path (no
//! `Unlock` in between), and a call, while holding `s.mu`, of a method of the same receiver
//! that locks `s.mu` itself (`s.mu.Lock()` then `s.helper()`, where `helper` starts with
//! `s.mu.Lock()`). `RLock` after `Lock` and `Lock` after `RLock` count; `RLock` after `RLock`
//! counts only across a call, where it is the usual way this bug hides.
//!
//! Calls are followed to any depth in the package, and into the `String` and `Error` methods
//! that `fmt` and `log` call on an operand (`log.Printf("%v", s)` while holding the lock that
//! `s.String()` takes): for the operands of `Print`/`Println` and of a constant format's
//! `%v %s %q %x %X` verbs, when the operand's type has the method in its method set.
//!
//! Locks are told apart by their receiver as written; when the name is assigned again (the
//! next node of a list, the next element of a `range`), it names another lock.
//!
//! Not flagged: a mutex another goroutine of the function releases first (a mutex used as a
//! signal: `m.Lock(); go func() { ...; m.Unlock() }(); m.Lock()` waits for the goroutine); a
//! `Lock` under an `if` on a boolean flag (`if !locked { mu.Lock(); locked = true }`); a method
//! that reassigns its receiver before locking (`c = c.parent; c.mu.Lock()` locks another
//! value); a call in a `go` statement (it locks in another goroutine).
//!
//! ## Why is this bad?
//! Go's mutexes are not reentrant: the second `Lock` waits for the first `Unlock`, which the
//! same goroutine will never reach. For a `sync.RWMutex`, a second `RLock` deadlocks as soon as
//! a writer queues between the two: the writer waits for the first reader, the second `RLock`
//! waits behind the writer.
//!
//! ## Example
//! ```go
//! func (s *Store) Put(k string, v []byte) {
//!     s.mu.Lock()
//!     defer s.mu.Unlock()
//!     if s.size() > s.limit { // size() also does s.mu.Lock()
//!         s.evict()
//!     }
//!     s.items[k] = v
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! // sizeLocked requires s.mu held.
//! func (s *Store) sizeLocked() int { return len(s.items) }
//! ```
//! and call `s.sizeLocked()` from methods that already hold the lock.
//!
//! ## Go version notes
//! None: `sync.Mutex` has never been reentrant.
//!
//! ## Fix safety
//! No automatic fix: split the helper into a locking wrapper and a `...Locked` body.
//!
//! ## Related
//! LH401 missing-unlock, go vet's copylocks.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::lockflow::HeldLock;
use leakhound_model::semantic::identity::Base;
use leakhound_model::summary::Mode;
use leakhound_syntax::ast::{CallExpr, FuncDecl, Span};

use crate::context::RuleContext;
use crate::helpers::names;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::DoubleLock,
    code: "LH402",
    name: "double-lock",
    summary: "a mutex locked again by the goroutine that holds it: deadlock",
    severity: Severity::Error,
    doc: crate::docs::DOUBLE_LOCK,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::LockFlow, Fact::Semantic],
};

/// Whether acquiring in `new` mode while holding in `held` mode deadlocks within one function.
fn conflicts(held: Mode, new: Mode) -> bool {
    !(held == Mode::Read && new == Mode::Read)
}

/// Whether `h` was locked by the name it is held under. A lock held under another name
/// (`remote.Lock()`, then `c.leaf.remote = remote`; `sc.mu.Lock()`, then `c = sc`) is left
/// out: the flow renames it, and a release through the old name does not reach it.
fn locked_as(ctx: &RuleContext<'_, '_>, h: &HeldLock<'_>, key: &str) -> bool {
    ctx.text(h.site)
        .strip_prefix(key)
        .is_some_and(|rest| rest.starts_with('.'))
}

/// `at` takes a lock: a finding when that lock may already be held in a conflicting mode.
/// Locks taken under a flag guard are left alone (the flag keeps the paths apart).
pub(crate) fn check_relock(
    ctx: &RuleContext<'_, '_>,
    held: &[HeldLock<'_>],
    at: &HeldLock<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if at.guarded {
        return;
    }
    if let Some(first) = held.iter().find(|h| {
        h.key == at.key && conflicts(h.mode, at.mode) && !h.guarded && locked_as(ctx, h, at.key)
    }) {
        out.push(relock(ctx, at.site, at.key, at.mode, first.site));
    }
}

/// `call` calls a same-package method that locks `key` first: a finding when `key` may be
/// held (and not taken under a flag guard). `callee_lock` is the method's `Lock` call: (file index in the package, span).
pub(crate) fn check_call(
    ctx: &RuleContext<'_, '_>,
    held: &[HeldLock<'_>],
    call: Span,
    method: &str,
    key: &str,
    callee_lock: (usize, Span),
    out: &mut Vec<Diagnostic>,
) {
    if let Some(h) = held
        .iter()
        .find(|h| h.key == key && !h.guarded && locked_as(ctx, h, key))
    {
        out.push(locked_call(ctx, call, method, key, h.site, callee_lock));
    }
}

/// A second acquisition of `key` in the same function.
fn relock(
    ctx: &RuleContext<'_, '_>,
    at: Span,
    key: &str,
    mode: Mode,
    first: Span,
) -> Diagnostic {
    let (lock, _) = names(mode);
    let mut d = ctx.diagnostic(
        &RULE,
        at,
        format!(
            "{key}.{lock}() while {key} is already held (line {}): this goroutine deadlocks",
            ctx.line(first.start)
        ),
    );
    d.help = Some(format!(
        "unlock {key} before locking it again, or do not lock it twice"
    ));
    d.related
        .push(ctx.related(ctx.file, first, format!("{key} first locked here")));
    d
}

/// A call of a same-package method that locks `key` while it is held.
fn locked_call(
    ctx: &RuleContext<'_, '_>,
    at: Span,
    method: &str,
    key: &str,
    held: Span,
    callee_lock: (usize, Span),
) -> Diagnostic {
    let mut d = ctx.diagnostic(
        &RULE,
        at,
        format!(
            "{method} locks {key}, which is already held here (line {}): deadlock",
            ctx.line(held.start)
        ),
    );
    d.help = Some(format!(
        "call a variant of {method} that expects {key} held, or unlock before the call"
    ));
    d.related
        .push(ctx.related(ctx.file, held, format!("{key} locked here")));
    d.related.push(ctx.related(
        callee_lock.0,
        callee_lock.1,
        format!("{method} locks {key} again here"),
    ));
    d
}

/// A call the semantic model resolves to one package function (or a `fmt`/`log` call that runs
/// an operand's `String`/`Error` method): the locks it takes at any depth
/// on this body's instances (`s.mu` for the callee's receiver field `mu` when the call is
/// `s.helper()`, bool guards settled by constant arguments), each checked like a
/// one-level [`check_call`]. `skip`: keys handed over between the declaration's goroutines.
/// False when the model does not resolve the call (the one-level summary answers then).
pub(crate) fn check_deep_call<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    c: &'a CallExpr<'a>,
    held: &[HeldLock<'_>],
    skip: &dyn Fn(&str) -> bool,
    out: &mut Vec<Diagnostic>,
) -> bool {
    // A call into another package reaches no lock of this one, but for the `String`/`Error`
    // methods `fmt` and `log` call on their operands: the model is not asked (nor built) for
    // any other.
    if !matches!(ctx.names().resolve(c.fun), None | Some(("fmt" | "log", _))) {
        return false;
    }
    let sem = ctx.facts.semantic(ctx.file);
    let Some(func) = sem.func_of(ctx.file, decl) else {
        return false;
    };
    let (callees, _) = sem.callees(func, c);
    let acquires = sem.call_acquires(func, c);
    let resolved = callees.len() == 1 || !acquires.is_empty();
    for a in acquires {
        let Some(via) = a.via else { continue };
        let method = sem.func(via).name;
        let root = match a.prim.place.base {
            Base::Recv => sem.func(func).recv.as_ref().and_then(|r| r.name),
            Base::Param(i) => sem.func(func).params[i as usize].name,
            Base::Local(span) => ctx.source().get(span.range()),
            Base::PkgVar(name) => Some(name),
            Base::Unknown => None,
        };
        let Some(root) = root else { continue };
        let mut key = root.to_string();
        for f in &a.prim.place.path {
            key.push('.');
            key.push_str(f);
        }
        if !skip(&key) {
            check_call(ctx, held, c.span, method, &key, a.origin, out);
        }
    }
    resolved
}
