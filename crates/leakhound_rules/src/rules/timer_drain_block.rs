//! ## What it does
//! Flags the "stop and drain" receive `<-t.C` on a `time.Timer` — inside `if !t.Stop() { ... }`,
//! or right after a `t.Stop()` statement — when the drain can block forever:
//! - some path reaches the drain from an earlier receive of `t.C` in the same function (a
//!   `select` case that took the fired value, a loop's previous iteration) with no `t.Reset`
//!   and no new timer in between: the value is gone, `Stop` returns `false`, and nothing will
//!   ever be sent again;
//! - from Go 1.23 (`asynctimerchan=0`), a bare `t.Stop(); <-t.C`: `Stop` discards any value that
//!   was not received yet, so no value ever comes.
//!
//! A timer is a local made by `time.NewTimer`, a variable, parameter or field declared with the
//! type `time.Timer`, or anything used as `!t.Stop()`. The receives are searched in the same
//! function body (function literals are bodies of their own).
//!
//! Not flagged: a drain in a `select` with a `default` case; a drain whose `if` also tests a flag
//! (`if !t.Stop() && !fired { <-t.C }`: the flag says whether the value was taken); a timer whose
//! channel is not received from earlier on any path to the drain; a receive followed by
//! `t.Reset` before the drain; a `select` case that takes the value and re-arms the timer on
//! some of its paths (the program keeps the timer armed by an invariant of its own, such as
//! "armed while requests are pending", which the paths alone do not show; given up: a drain
//! reached on the path where that case skipped the re-arm).
//!
//! ## Why is this bad?
//! A goroutine blocked on `<-t.C` of a stopped timer never wakes up: nothing else sends on a
//! timer's channel. The "stop and drain" idiom is only correct when nothing else can have taken
//! the value; in a loop whose `select` also receives from `t.C`, the iteration after the timer
//! fired finds the channel empty, `Stop` returns `false` (the timer already fired) and the drain
//! waits forever, with whatever locks and resources the goroutine holds.
//!
//! ## Example
//! ```go
//! t := time.NewTimer(idle)
//! for {
//!     select {
//!     case <-t.C:
//!         flush()
//!     case m := <-in:
//!         buf = append(buf, m)
//!     }
//!     if !t.Stop() {
//!         <-t.C // blocks forever after the iteration that took the value above
//!     }
//!     t.Reset(idle)
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! if !t.Stop() {
//!     select {
//!     case <-t.C:
//!     default:
//!     }
//! }
//! t.Reset(idle)
//! ```
//! or, from Go 1.23, just `t.Reset(idle)`: `Reset` and `Stop` discard a value not yet received.
//!
//! ## Go version notes
//! Before Go 1.23 (and with `asynctimerchan=1` or `2`) a timer's channel has a buffer of one:
//! the fired value waits there until someone receives it, and `Stop` returns `false` once the
//! timer fired, whether or not the value was taken. From Go 1.23 with synchronous timer
//! channels, `Stop` and `Reset` discard a value not yet received and `Stop` returns `false` only
//! when the value was already received (or the timer was stopped before): the guarded drain is
//! never needed, it runs only when it blocks, and a bare drain after `Stop` always blocks.
//!
//! ## Fix safety
//! The suggested fix (not applied automatically) turns the receive into a `select` with a
//! `default` case, which never blocks; it keeps the stale-value drain the code wanted before
//! Go 1.23.
//!
//! ## Related
//! staticcheck SA1015 (time.Tick leak), LH101 after-in-loop, LH103 ticker-not-stopped.

use leakhound_diagnostics::{Applicability, Diagnostic, Edit, Fix, Severity};
use leakhound_model::cfg::Cfg;
use leakhound_model::timers::{case_rearms, drains, node_ops, timer_keys, Drain, TimerOp};
use leakhound_syntax::ast::*;

use crate::context::RuleContext;
use crate::registry::{location, Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::TimerDrainBlock,
    code: "LH104",
    name: "timer-drain-block",
    summary: "<-t.C after t.Stop() on a timer whose value may already be taken: blocks forever",
    severity: Severity::Error,
    doc: crate::docs::TIMER_DRAIN_BLOCK,
    since: "0.2.0",
    status: Status::Preview,
    requires: &[Fact::TimerFlow],
};

pub(crate) fn check<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    bodies: &[&'a Block<'a>],
    out: &mut Vec<Diagnostic>,
) {
    let mut keys = None;
    for &block in bodies {
        let text = ctx.text(block.span);
        if !(text.contains(".Stop()") && text.contains(".C")) {
            continue;
        }
        let keys = keys.get_or_insert_with(|| {
            timer_keys(ctx.imports, ctx.facts.census(), decl)
        });
        let found = drains(block, keys);
        if found.is_empty() {
            continue;
        }
        let cfg = Cfg::build(block, &|e| ctx.never_returns(e));
        for drain in &found {
            check_drain(ctx, block, &cfg, drain, &found, out);
        }
    }
}

fn check_drain<'a>(
    ctx: &RuleContext<'_, 'a>,
    block: &'a Block<'a>,
    cfg: &Cfg<'a>,
    drain: &Drain<'a>,
    all: &[Drain<'a>],
    out: &mut Vec<Diagnostic>,
) {
    let key = drain.key.as_str();
    let at = drain.recv.span();
    let is_drain = |span: Span| all.iter().any(|d| d.key == key && d.recv.span() == span);
    // The state: an earlier receive of `key.C` that may reach this point with no re-arm since
    // (the first one found); drains themselves do not count.
    let mut earlier: Option<Span> = None;
    let states = cfg.forward(
        None,
        |node, state: &mut Option<Span>| {
            for op in node_ops(node, key) {
                match op {
                    TimerOp::Rearm => *state = None,
                    TimerOp::Recv(span) if !is_drain(span) => {
                        state.get_or_insert(span);
                    }
                    TimerOp::Recv(_) => {}
                }
            }
        },
        |into, from| {
            if into.is_none() && from.is_some() {
                *into = *from;
                return true;
            }
            false
        },
    );
    'blocks: for (b, block) in cfg.blocks.iter().enumerate() {
        let Some(mut state) = states[b] else { continue };
        for node in &block.nodes {
            let here = node_ops(node, key);
            if here.contains(&TimerOp::Recv(at)) {
                earlier = state;
                break 'blocks;
            }
            for op in here {
                match op {
                    TimerOp::Rearm => state = None,
                    TimerOp::Recv(span) if !is_drain(span) => {
                        state.get_or_insert(span);
                    }
                    TimerOp::Recv(_) => {}
                }
            }
        }
    }
    // A case that takes the value and re-arms the timer on some of its paths: the program
    // keeps the timer armed by an invariant of its own (armed whenever something is being
    // timed), which the paths alone do not show.
    if earlier.is_some_and(|recv| case_rearms(block, recv, key)) {
        return;
    }
    let timers = &ctx.files[ctx.file].settings.timers;
    let sync = timers.sync_timer_chans();
    let message = match (earlier, drain.guarded, sync) {
        (Some(_), true, _) => format!(
            "<-{key}.C blocks forever when the timer's value was already received: {key}.Stop() then returns false and nothing is sent again ({})",
            timers.reason()
        ),
        (Some(_), false, _) => format!(
            "<-{key}.C after {key}.Stop() blocks forever when the timer's value was already received: nothing is sent again ({})",
            timers.reason()
        ),
        (None, false, true) => format!(
            "<-{key}.C after {key}.Stop() blocks forever: from Go 1.23 Stop discards a value not yet received, so none ever comes ({})",
            timers.reason()
        ),
        (None, _, _) => return,
    };
    let mut d = ctx.diagnostic(&RULE, at, message);
    d.help = Some(if sync {
        format!("drop the drain (from Go 1.23 {key}.Stop() and {key}.Reset() discard a stale value), or drain in a select with a default case")
    } else {
        format!("drain in a select with a default case: `select {{ case <-{key}.C: default: }}`")
    });
    if let Some(recv) = earlier {
        d.related.push(ctx.related(
            ctx.file,
            recv,
            format!("{key}.C may already have been received from here"),
        ));
    }
    let lines = ctx.facts.lines(ctx.file);
    d.fix = Some(Fix {
        message: "drain without blocking: a select with a default case".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            content: format!("select {{ case <-{key}.C: default: }}"),
            location: location(lines, at.start),
            end_location: location(lines, at.end),
            start: at.start as usize,
            end: at.end as usize,
        }],
    });
    out.push(d);
}
