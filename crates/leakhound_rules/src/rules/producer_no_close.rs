//! ## What it does
//! Flags a function that makes a channel, returns it, and starts a goroutine that sends on it
//! repeatedly, while nothing in that function or goroutine closes it.
//!
//! ## Why is this bad?
//! Callers `range` over such a channel. Without a `close`, their loop waits for one more value
//! after the last one forever, and the caller's goroutine leaks.
//!
//! ## Example
//! ```go
//! func generate(n int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         for i := 0; i < n; i++ {
//!             out <- i
//!         }
//!     }()
//!     return out
//! }
//! ```
//!
//! ## Use instead
//! ```go
//!     go func() {
//!         defer close(out)
//!         for i := 0; i < n; i++ {
//!             out <- i
//!         }
//!     }()
//! ```
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! Suggested only: `defer close(ch)` as the goroutine's first statement.
//!
//! ## Related
//! LH302 range-unclosed.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::channels::{FuncModel, OpKind};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ProducerNoClose,
    code: "LH305",
    name: "producer-no-close",
    summary: "returned channel fed by a goroutine that never closes it: callers' range never ends",
    severity: Severity::Error,
    doc: crate::docs::PRODUCER_NO_CLOSE,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Channels],
};

pub(crate) fn check(ctx: &RuleContext<'_, '_>, m: &FuncModel<'_>, out: &mut Vec<Diagnostic>) {
    for make in &m.makes {
        let name = make.name;
        if !m.has(name, OpKind::Returned)
            || m.ops_on(name)
                .any(|o| matches!(o.kind, OpKind::Close | OpKind::Escapes))
        {
            continue;
        }
        // A stream: some send repeats. A one-shot result channel is received, not ranged.
        if !m.goroutine_sends(name).is_some_and(|s| s.repeats) {
            continue;
        }
        let mut d = ctx.diagnostic(&RULE, make.span, format!("{name} is returned and fed by a goroutine that never closes it: a range over it never ends"));
        d.help = Some(format!(
            "add `defer close({name})` as the goroutine's first statement"
        ));
        out.push(d);
    }
}
