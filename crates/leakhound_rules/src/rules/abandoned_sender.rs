//! ## What it does
//! Flags a send, in a goroutine, on a channel whose receiver may stop waiting: the function
//! makes an unbuffered (or too small) channel, starts a goroutine that sends on it, and
//! receives it only as a `select` case beside another case (a timeout, `ctx.Done()`, another
//! channel) after which it returns or moves on. Also: N goroutines each sending once into a
//! channel with capacity < N while the receiver takes only the first value. Across functions
//! of one package: a function or method that makes the channel, feeds it from a goroutine and
//! returns it, called by another function of the package as a `select` case beside a timeout.
//!
//! Stays silent when the buffer has room for every value: one per goroutine (a send followed
//! by `return`, or by a `break` out of the goroutine's only loop, runs once), times the trip
//! count of the loop that starts the goroutines when it is constant (`for i := 0; i < 4; i++`,
//! `range 4`, a range over a local literal). A case does not abandon the sender when it ends
//! the test or process (`t.Fatal`, testify's `require.FailNow`, `log.Fatal`, `panic`), when a
//! receive of the channel follows it (in the case, or after a `select` outside a loop), or
//! when it receives a channel every sender closes with `defer` (when it wins, they are done).
//!
//! ## Why is this bad?
//! When the other case wins, nobody ever receives: the goroutine blocks on its send forever,
//! with everything it references. One leaked goroutine per timed-out request adds up.
//!
//! ## Example
//! ```go
//! func (s *Service) Process(o Order) <-chan Result {
//!     done := make(chan Result)
//!     go func() {
//!         done <- s.charge(o) // blocks forever when the caller timed out
//!     }()
//!     return done
//! }
//!
//! select {
//! case res := <-s.Process(order):
//!     record(res)
//! case <-time.After(timeout):
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! done := make(chan Result, 1) // room for the one result: the send never blocks
//! ```
//! or make the send a `select` case beside `<-ctx.Done()`.
//!
//! ## Go version notes
//! None: blocked goroutines are never collected.
//!
//! ## Fix safety
//! No automatic fix; the suggested buffer is safe when each goroutine sends once.
//!
//! ## Related
//! LH305 producer-no-close, LH306 abandoned-receiver, goleak.

use leakhound_diagnostics::{Diagnostic, Severity};

use crate::channels::{Cap, Ctx, FuncModel, OpKind};
use crate::registry::Rule;

pub(crate) const RULE: Rule = Rule {
    code: "LH301",
    name: "abandoned-sender",
    summary: "goroutine sends on a channel whose receiver may stop waiting: it blocks forever",
    severity: Severity::Error,
    doc: crate::docs::ABANDONED_SENDER,
};

pub(crate) const HELP: &str =
    "give the channel room for every send (make(chan T, n)), or send in a select with <-ctx.Done()";

pub(crate) fn message(receiver: &str, chan: &str, cap: u64) -> String {
    let room = if cap == 0 {
        format!("{chan} is unbuffered")
    } else {
        format!("{chan} has room for {cap}")
    };
    format!("goroutine blocks forever on this send when {receiver} stops waiting: {room}")
}

/// The channel's sends outnumber its buffer: (capacity, sends) when a goroutine may block.
fn overfull(
    m: &FuncModel<'_>,
    name: &str,
) -> Option<(u64, Vec<leakhound_syntax::ast::Span>, Option<u64>)> {
    let make = m.make_of(name)?;
    let Cap::Known(cap) = make.cap else {
        return None;
    };
    let sends = m.goroutine_sends(name)?;
    if sends.count.is_some_and(|n| n <= cap) || m.has(name, OpKind::Escapes) {
        return None;
    }
    Some((cap, sends.spans, sends.count))
}

/// Within one function: the receive is a `select` case that may be abandoned, or a single
/// receive of the first of many results.
pub(crate) fn check_local(ctx: &Ctx<'_, '_>, m: &FuncModel<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.enabled(&RULE) {
        return;
    }
    for make in &m.makes {
        let name = make.name;
        let Some((cap, sends, count)) = overfull(m, name) else {
            continue;
        };
        if m.has(name, OpKind::Returned) || m.has(name, OpKind::Range) || m.has(name, OpKind::Close)
        {
            continue;
        }
        let recvs: Vec<_> = m
            .ops_on(name)
            .filter(|o| o.kind == OpKind::Recv && !m.in_goroutine(o.lit))
            .collect();
        // A plain receive elsewhere (`return <-ch` after the select) still takes the value.
        let abandoned = recvs.iter().all(|r| r.select.is_some())
            && recvs.iter().any(|r| {
                r.select
                    .is_some_and(|s| (0..m.selects[s].cases.len()).any(|c| m.abandons(name, s, c)))
            });
        let first_wins = count.is_none()
            && recvs.len() == 1
            && recvs[0].select.is_none()
            && !recvs[0].in_loop
            && m.ops_on(name)
                .all(|o| o.kind != OpKind::Recv || !m.in_goroutine(o.lit));
        if !(abandoned || first_wins) {
            continue;
        }
        let receiver = if first_wins && !abandoned {
            "the receiver takes the first value"
        } else {
            "the select takes another case"
        };
        for send in sends {
            let room = if cap == 0 {
                format!("{name} is unbuffered")
            } else {
                format!("{name} has room for {cap}")
            };
            let mut d = ctx.diagnostic(
                &RULE,
                send,
                format!("goroutine blocks forever on this send when {receiver}: {room}"),
            );
            d.help = Some(HELP.to_string());
            out.push(d);
        }
    }
}

/// The package summary: a channel this function makes, feeds from a goroutine with more
/// sends than buffer, and returns.
pub(crate) fn producer<'a>(
    m: &FuncModel<'a>,
) -> Option<(&'a str, u64, Vec<leakhound_syntax::ast::Span>)> {
    m.makes.iter().find_map(|make| {
        let (cap, sends, _) = overfull(m, make.name)?;
        let own_recv = m
            .ops_on(make.name)
            .any(|o| matches!(o.kind, OpKind::Recv | OpKind::Range));
        (m.has(make.name, OpKind::Returned) && !own_recv).then_some((make.name, cap, sends))
    })
}
