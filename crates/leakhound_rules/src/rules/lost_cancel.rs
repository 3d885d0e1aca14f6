//! ## What it does
//! Flags the cancel function returned by `context.WithCancel`, `WithTimeout`, `WithDeadline`,
//! `WithCancelCause`, `WithTimeoutCause` or `WithDeadlineCause` when it is assigned to `_`, or to
//! a variable that is never called, deferred, returned, stored, or passed on. `_ = cancel` is
//! not a use. `main.main` is exempt: returning from it ends the process.
//!
//! ## Why is this bad?
//! Until cancel is called, the new context stays linked into its parent, and a `WithTimeout` or
//! `WithDeadline` context keeps its timer. For a long-lived parent (a server's base context,
//! `context.Background()`) that is forever. `ctx, _ := context.WithTimeout(ctx, d)` inside a
//! request loop leaks one context and one timer per iteration.
//!
//! ## Example
//! ```go
//! func (s *Server) charge(ctx context.Context, o Order) error {
//!     ctx, _ = context.WithTimeout(ctx, 2*time.Second)
//!     return s.gateway.Charge(ctx, o)
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (s *Server) charge(ctx context.Context, o Order) error {
//!     ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
//!     defer cancel()
//!     return s.gateway.Charge(ctx, o)
//! }
//! ```
//!
//! ## Go version notes
//! None: this leak does not depend on the timer change of Go 1.23.
//!
//! ## Fix safety
//! Outside loops the fix is safe and `--fix` applies it: the cancel function gets a name
//! (`cancel`, or `cancel2`... when taken) and `defer cancel()` is inserted on the next line.
//! Inside a loop body a `defer` would pile up (LH202), so the fix is only suggested: call
//! `cancel()` at the end of each iteration.
//!
//! ## Related
//! go vet lostcancel (reports `_` and paths that skip the cancel, but counts `_ = cancel` and a
//! cancel stored in an unused field as uses), gosec G118, LH202 defer-in-loop.
