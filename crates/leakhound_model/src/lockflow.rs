//! What the lock flow of a function body says at one point: the locks that may be held there.
//! The flow itself (a forward pass over the control-flow view) is computed by the lock rules'
//! dispatcher; the rules judge these values.

use leakhound_syntax::ast::Span;

use crate::summary::Mode;

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
