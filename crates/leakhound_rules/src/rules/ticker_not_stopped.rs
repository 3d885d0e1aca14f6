//! ## What it does
//! Flags `t := time.NewTicker(d)` held in a local variable that is never stopped (`t.Stop()` or
//! `defer t.Stop()`) in the function and does not escape it: not returned, not assigned to a
//! field, global or outer variable, not passed to a function, not captured by a function literal.
//!
//! ## Why is this bad?
//! Before Go 1.23 a ticker that is never stopped stays in the runtime's timer heap and keeps
//! firing forever, even after nothing refers to it. Each call of the function leaks one.
//!
//! ## Example
//! ```go
//! func waitReady(c *Client) {
//!     t := time.NewTicker(100 * time.Millisecond)
//!     for range t.C {
//!         if c.Ready() {
//!             return
//!         }
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func waitReady(c *Client) {
//!     t := time.NewTicker(100 * time.Millisecond)
//!     defer t.Stop()
//!     for range t.C {
//!         if c.Ready() {
//!             return
//!         }
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! Reported only below Go 1.23 (or with `asynctimerchan=1`): from Go 1.23 an unreferenced ticker
//! is collected. A goroutine that loops on a ticker's channel with no exit leaks whatever the
//! version; that is LH304 unstoppable-loop.
//!
//! ## Fix safety
//! No automatic fix; the suggestion is `defer t.Stop()` after the call.
//!
//! ## Related
//! orijtech/tickeryzer, LH102 tick-leak, LH304 unstoppable-loop.
