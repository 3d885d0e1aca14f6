//! ## What it does
//! Flags `time.Tick(d)` in a function that can return: not `main`, not `init`, and not a
//! function whose body ends in an endless loop with no `return`.
//!
//! ## Why is this bad?
//! `time.Tick` gives no way to stop its ticker. Before Go 1.23 a ticker that is not stopped is
//! never collected: each call leaves a ticker firing forever, costing memory and CPU. A function
//! that returns and is called again leaks one ticker per call.
//!
//! ## Example
//! ```go
//! func poll(ctx context.Context) {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case <-time.Tick(time.Second):
//!             refresh()
//!         }
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func poll(ctx context.Context) {
//!     t := time.NewTicker(time.Second)
//!     defer t.Stop()
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case <-t.C:
//!             refresh()
//!         }
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! Reported only below Go 1.23 (or with `asynctimerchan=1`): from Go 1.23 an unreferenced ticker
//! is garbage-collected, as staticcheck's SA1015 also takes into account.
//!
//! ## Fix safety
//! No automatic fix; the suggestion is `time.NewTicker` with `defer t.Stop()`.
//!
//! ## Related
//! staticcheck SA1015, LH103 ticker-not-stopped.
