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
