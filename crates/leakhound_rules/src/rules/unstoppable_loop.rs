//! ## What it does
//! Flags an endless `for { ... }` in a goroutine started with `go func() { ... }()` (or handed
//! to a `Go` method: `g.Go(func() error { ... })`, errgroup's and `sync.WaitGroup`'s) that has no
//! way out: no `return`, no labelled `break` or `goto` leaving the loop, no `panic`, no
//! `os.Exit` or `log.Fatal`. That includes the classic bug where an unlabelled `break` in a
//! `select` case only leaves the `select`, and a goroutine that ranges over a ticker's channel
//! (`for range t.C`), which is never closed.
//!
//! ## Why is this bad?
//! The goroutine can never exit: whatever it references stays alive for the life of the
//! process, and starting it once per request leaks one goroutine per request.
//!
//! ## Example
//! ```go
//! go func() {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             break // leaves the select, not the loop
//!         case v := <-in:
//!             handle(v)
//!         }
//!     }
//! }()
//! ```
//!
//! ## Use instead
//! ```go
//! go func() {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case v := <-in:
//!             handle(v)
//!         }
//!     }
//! }()
//! ```
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! No automatic fix.
//!
//! ## Related
//! LH102 tick-leak, SA4011 (staticcheck: ineffective break in select).

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::channels::FuncModel;
use leakhound_syntax::ast::Span;

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::UnstoppableLoop,
    code: "LH304",
    name: "unstoppable-loop",
    summary: "endless loop in a goroutine with no way out: the goroutine never exits",
    severity: Severity::Error,
    doc: crate::docs::UNSTOPPABLE_LOOP,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Channels],
};

pub(crate) fn check(ctx: &RuleContext<'_, '_>, m: &FuncModel<'_>, out: &mut Vec<Diagnostic>) {
    for lp in m.endless.iter().filter(|l| !l.escapes) {
        let message = if lp.ticker {
            "goroutine never exits: a ticker's channel is never closed, so this range never ends"
        } else {
            "goroutine never exits: nothing returns from or breaks out of this loop"
        };
        let mut d = ctx.diagnostic(
            &RULE,
            Span::new(lp.span.start, lp.span.start + 3),
            message.to_string(),
        );
        d.help = Some("return on <-ctx.Done() or a done channel; an unlabelled break in a select only leaves the select".to_string());
        out.push(d);
    }
}
