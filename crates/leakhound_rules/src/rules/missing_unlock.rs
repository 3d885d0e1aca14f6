//! ## What it does
//! Flags a return (or the end of a function) reached from `x.Lock()` or `x.RLock()` on a path
//! where neither the matching `Unlock`/`RUnlock` ran nor a `defer` of it was registered. Locks
//! are told apart by their receiver as written (`s.mu`, `c.lock`, `mu`). An unlock counts when
//! it is called directly, through a method value (`unlock := mu.Unlock; ... unlock()`), from a
//! deferred closure (`defer func() { mu.Unlock() }()`), or from a method of the same receiver
//! that unlocks that field (`s.unlockAndNotify()`). Panics, `os.Exit` and `log.Fatal` end paths
//! without a return.
//!
//! Not flagged:
//! - functions that lock for their caller: their name says so (`lockAll`, `acquireLock`), their
//!   doc comment does ("returns with s.mu held", "the caller must unlock"), or they never
//!   release that lock on any path (`func (b *buf) WriteMode() { b.mu.Lock() }`): the rule is
//!   about the paths that miss an unlock the function does have;
//! - a lock the function releases without having taken it (it runs with its caller's lock:
//!   `mu.Unlock(); slow(); mu.Lock()`);
//! - a lock handed to other code: a goroutine or callback that unlocks it, a returned
//!   `mu.Unlock` or method that unlocks, a helper whose name says it unlocks
//!   (`return c.updateStateAndUnlock()`, `go c.resetAndUnlock()`), a goroutine of the same
//!   function whose first lock call on it is an unlock (a mutex used as a signal);
//! - a receiver field that a method of the type releases only when a flag says it is held
//!   (`database/sql`'s `Rows.Scan` keeps `closemu` until `Next`);
//! - a lock taken or released under an `if` on a boolean flag of the function
//!   (`if lockHeld { mu.Unlock() }`): the flag, not the path, says whether it is held;
//! - a lock whose holder is passed to a function of the package that releases it
//!   (`return m.wait(w)` where `wait` unlocks `w.mux` first);
//! - a lock kept for the caller on success: held only on paths that return a `nil` error,
//!   released on every path that returns a non-`nil` one, and released (without being taken)
//!   by another function of the package (`bbolt`'s `beginTx`, released by `Tx.Rollback`);
//! - a `Lock()` whose result is used (`unlock, err := mu.Lock()`, `cmd/go`'s
//!   `lockedfile.Mutex`): not a `sync` lock.
//!
//! ## Why is this bad?
//! The next `Lock` of the same mutex — in any goroutine — waits forever. Every goroutine that
//! touches the mutex piles up behind it, and a goroutine profile shows them all parked in
//! `sync.(*Mutex).Lock`. The forgotten unlock is almost always on an early-return error path
//! that the tests never take.
//!
//! ## Example
//! ```go
//! func (c *Cache) Get(k string) (v []byte, err error) {
//!     c.mu.Lock()
//!     e, ok := c.items[k]
//!     if !ok {
//!         return nil, errMiss // c.mu stays locked
//!     }
//!     c.mu.Unlock()
//!     return e.v, nil
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (c *Cache) Get(k string) ([]byte, error) {
//!     c.mu.Lock()
//!     defer c.mu.Unlock()
//!     e, ok := c.items[k]
//!     if !ok {
//!         return nil, errMiss
//!     }
//!     return e.v, nil
//! }
//! ```
//!
//! ## Go version notes
//! None: a mutex left locked blocks its next user on every Go version.
//!
//! ## Fix safety
//! No automatic fix. `defer x.Unlock()` right after the `Lock` is the usual fix, but it moves
//! the unlock to the end of the function: check that nothing after the old unlock must run
//! without the lock (a channel send, a callback, a slow call).
//!
//! ## Related
//! LH402 double-lock, LH403 chan-op-under-lock, go vet's copylocks (a different mistake),
//! staticcheck SA2001 (an empty critical section).

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::bodies::BodyKind;
use leakhound_model::lockflow::{OpenExit, Return};
use leakhound_model::summary::Mode;
use leakhound_syntax::ast::{FuncDecl, Span};

use crate::context::RuleContext;
use crate::helpers::names;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MissingUnlock,
    code: "LH401",
    name: "missing-unlock",
    summary: "a path from Lock to a return with no Unlock and no deferred Unlock",
    severity: Severity::Error,
    doc: crate::docs::MISSING_UNLOCK,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::LockFlow],
};

/// Whether the function's name or doc comment says it locks for its caller.
pub(crate) fn exempt(ctx: &RuleContext<'_, '_>, decl: &FuncDecl<'_>, kind: BodyKind) -> bool {
    if kind != BodyKind::Decl {
        return false;
    }
    if decl.name.name.to_ascii_lowercase().contains("lock") {
        return true;
    }
    let doc = doc_comment(ctx, decl).to_ascii_lowercase();
    doc.contains("lock")
        && [
            "caller",
            "returns with",
            "held",
            "holding",
            "leaves",
            "remains locked",
        ]
        .iter()
        .any(|w| doc.contains(w))
}

/// The comment lines directly above the declaration.
fn doc_comment(ctx: &RuleContext<'_, '_>, decl: &FuncDecl<'_>) -> String {
    let file = &ctx.files[ctx.file];
    let source = file.source.as_bytes();
    let comments = &file.parsed.comments;
    let end = comments.partition_point(|c| c.span.end <= decl.span.start);
    let mut start = decl.span.start as usize;
    let mut doc = Vec::new();
    for c in comments[..end].iter().rev() {
        let gap = source.get(c.span.end as usize..start).unwrap_or(b"x");
        // Only whitespace with at most one newline between comment lines and the `func`.
        if !gap.iter().all(u8::is_ascii_whitespace)
            || gap.iter().filter(|&&b| b == b'\n').count() > 1
        {
            break;
        }
        doc.push(c.text);
        start = c.span.start as usize;
    }
    doc.reverse();
    doc.join("\n")
}

/// The body's exits where a lock may still be held: a finding at each, unless the lock is taken
/// for someone else. A lock the body never releases is taken for its caller (or for good):
/// LH401 is about the paths that miss an unlock the function does have. Also left alone: locks
/// taken or released under a flag guard, released for the caller, handed to other code, and
/// receiver fields held across methods on purpose. `exits` come sorted by place and lock.
pub(crate) fn check(
    ctx: &RuleContext<'_, '_>,
    decl: &FuncDecl<'_>,
    kind: BodyKind,
    recv: Option<(&str, &str)>,
    exits: &[OpenExit<'_>],
    returns: &[Return<'_>],
    out: &mut Vec<Diagnostic>,
) {
    // `beginTx`: the lock stays held on the path that returns a nil error and is released on
    // every path that returns one: it is taken for the caller, who releases it later through
    // another function (checked with `released_elsewhere`).
    let held_at_end: Vec<&str> = exits.iter().filter(|e| e.end).map(|e| e.lock.key).collect();
    let kept_on_success = |name: &str| {
        let (held, freed): (Vec<_>, Vec<_>) = returns.iter().partition(|r| r.held.contains(&name));
        !held_at_end.contains(&name)
            && !held.is_empty()
            && !freed.is_empty()
            && held.iter().all(|r| r.nil)
            && freed.iter().all(|r| !r.nil)
    };
    // A receiver field that a method of the type releases only when it is held is held across
    // methods on purpose (`Rows.Scan` keeps `closemu` until `Next`).
    let across_methods = |name: &str| {
        recv.is_some_and(|(recv, typ)| {
            let field = if name == recv {
                Some("")
            } else {
                name.strip_prefix(recv).and_then(|f| f.strip_prefix('.'))
            };
            field.is_some_and(|f| {
                ctx.summary().holds_across_methods(typ, f)
                    || (ctx.summary().released_elsewhere(typ, f, decl.name.name)
                        && kept_on_success(name))
            })
        })
    };
    let mut open: Vec<&OpenExit<'_>> = exits
        .iter()
        .filter(|e| {
            e.released
                && !e.lock.guarded
                && !e.guarded_release
                && !across_methods(e.lock.key)
                && !e.caller_held
                && !e.handed_off
        })
        .collect();
    open.dedup_by_key(|e| (e.at.start, e.lock.key));
    let func = match kind {
        BodyKind::Decl => decl.name.name,
        _ => "the function literal",
    };
    for e in open {
        out.push(report(ctx, e.at, e.end, func, e.lock.key, e.lock.mode, e.lock.site));
    }
}

/// The diagnostic at a return (or the closing brace, `end`) where `key` may still be locked.
fn report(
    ctx: &RuleContext<'_, '_>,
    at: Span,
    end: bool,
    func: &str,
    key: &str,
    mode: Mode,
    lock: Span,
) -> Diagnostic {
    let (lock_name, unlock) = names(mode);
    let message = if end {
        format!("{key} stays locked at the end of {func}: no {unlock} on this path")
    } else {
        format!("{key} stays locked when this returns: no {unlock} on this path")
    };
    let mut d = ctx.diagnostic(&RULE, at, message);
    d.help = Some(format!(
        "`defer {key}.{unlock}()` right after the {lock_name}, or {unlock} before this return"
    ));
    d.related
        .push(ctx.related(ctx.file, lock, format!("{key} locked here")));
    d
}
