//! ## What it does
//! Flags a bare send `out <- v` (not a `select` case) inside a loop, in a function or
//! goroutine that has a `context.Context` in scope, on a channel that is not made locally with
//! a buffer.
//!
//! Only channels named by an identifier (a parameter, a local or captured variable): a channel
//! in a struct field has an owner whose protocol is out of sight (a buffer made in a
//! constructor, a receiver that drains until every worker has exited). And only sends that
//! repeat with the loop: a send after which the function returns (or leaves its only loop)
//! without going round again runs once; it is a one-shot result rather than a stage's output,
//! and LH301 covers those on local channels. Not flagged either: a channel made in the
//! function whose receiver there is a `for range` loop that nothing but the close ends: it
//! takes every value until then.
//!
//! ## Why is this bad?
//! When the consumer stops (its context was cancelled), a pipeline stage blocked on that send
//! waits forever: it never looks at the context it was given.
//!
//! ## Example
//! ```go
//! func stage(ctx context.Context, in <-chan int, out chan<- int) {
//!     for v := range in {
//!         out <- v * 2
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! for v := range in {
//!     select {
//!     case out <- v * 2:
//!     case <-ctx.Done():
//!         return
//!     }
//! }
//! ```
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! Suggested only: returning on cancellation changes what the stage does.
//!
//! ## Related
//! LH301 abandoned-sender.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::channels::{Cap, FuncModel, OpKind};

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::SendWithoutCancel,
    code: "LH303",
    name: "send-without-cancel",
    summary: "bare send in a loop with a context in scope: it cannot be cancelled",
    severity: Severity::Warning,
    doc: crate::docs::SEND_WITHOUT_CANCEL,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Channels],
};

pub(crate) fn check(ctx: &RuleContext<'_, '_>, m: &FuncModel<'_>, out: &mut Vec<Diagnostic>) {
    // Only channels named by an identifier (a parameter, a local or captured variable): a
    // channel in a struct field has an owner whose protocol is out of sight (buffered in a
    // constructor, drained until every worker exits). And only sends that repeat with the
    // loop: a send followed by `return` is a one-shot result, not a stage's output.
    for send in m.ops.iter().filter(|o| {
        o.kind == OpKind::Send
            && o.local
            && o.in_loop
            && !o.runs_once
            && o.ctx_in_scope
            && o.select.is_none()
    }) {
        if send.local
            && m.make_of(send.chan)
                .is_some_and(|mk| mk.cap != Cap::Known(0))
        {
            continue;
        }
        // Made here and drained by a `range` that only a close ends: every value is taken.
        if m.make_of(send.chan).is_some() && m.drains.iter().any(|(c, _)| *c == send.chan) {
            continue;
        }
        let chan = send.chan;
        let mut d = ctx.diagnostic(
            &RULE,
            send.span,
            format!(
                "send on {chan} blocks forever once the receiver stops: it ignores the context"
            ),
        );
        d.help = Some(format!(
            "select {{ case {chan} <- v: case <-ctx.Done(): return }}"
        ));
        out.push(d);
    }
}
