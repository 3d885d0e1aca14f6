//! ## What it does
//! Flags a send, in a goroutine, on a channel whose receiver may stop waiting: the function
//! makes an unbuffered (or too small) channel, starts a goroutine that sends on it, and
//! receives it only as a `select` case beside another case (a timeout, `ctx.Done()`, another
//! channel) after which it returns or moves on. Also: N goroutines each sending once into a
//! channel with capacity < N while the receiver takes only the first value. Across functions
//! of one package: a function or method that makes the channel, feeds it from a goroutine and
//! returns it, called by another function of the package as a `select` case beside a timeout.
//! A function literal handed to a `Go` method (`g.Go(func() error { ... })`: errgroup's Group,
//! `sync.WaitGroup` from Go 1.25) is a goroutine like one started with `go`.
//!
//! Stays silent when the buffer has room for every value: one per goroutine (a send followed
//! by `return`, or by a `break` out of the goroutine's only loop, runs once), times the trip
//! count of the loop that starts the goroutines when it is constant (`for i := 0; i < 4; i++`,
//! `range 4`, a range over a local literal). A case does not abandon the sender when it ends
//! the test or process (`t.Fatal`, testify's `require.FailNow`, `log.Fatal`, `panic`, or a
//! `<-ctx.Done()` case asserting with testify's `require` or shoenig/test's `must` that
//! `ctx.Err()` is nil, which it never is then), when a receive of the channel follows it (in the case, or after a `select` outside a loop or
//! one the loop never comes back to), or when it receives a channel every sender closes with
//! `defer` (when it wins, they are done), or a channel the sending goroutine (started once,
//! no loops) sends only after its sends on this one, or right before a `return` (`if err !=
//! nil { errCh <- err; return }; resCh <- v`: when the error case wins, no value follows), or
//! a channel closed only after `wg.Wait()` for a wait group that tracks every sender (`wg.Go`,
//! or `wg.Done()` in the goroutine): when it wins, the senders are done. Nor does a case that
//! starts a goroutine receiving the channel (it drains the late value), or a `select` in a
//! function literal (a callback) with a receive of the channel after it elsewhere: when each
//! runs is not known. A send that reports a failed read after the
//! goroutine already returned on some errors of that read (`if err == io.EOF || ... { return }`)
//! is not stranded when the receiving function closes the read's source on its way out (`defer
//! conn.Close()`, the source followed through wrappers like `dec := json.NewDecoder(conn)`):
//! after the receiver left, the read fails on the close and the goroutine returns. This trusts
//! the goroutine's test to cover the errors of a closed source. Nor is a looping sender that
//! checks a context before each round (a `select` leaving on `<-ctx.Done()`) when the receiver
//! drains the channel in a loop and calls that context's cancel func on every way out of it
//! (in the case, right after the loop, or deferred when the case returns), and the buffer has
//! room for the sends of one round: the round in flight fits, the next check ends the sender.
//! This assumes the receiver, draining every turn, leaves little in the buffer. A goroutine
//! that forwards values it reads from a source the receiver closes on return (`defer
//! conn.Close()`) is not judged by the receiver leaving after some values: whether another
//! value follows is the source's business, which the model cannot see (this gives up
//! following streams whose next frame strands the forwarder).
//!
//! Also flagged: a goroutine that loops over its send on an unbuffered channel while the
//! receiver leaves the loop from
//! the very case that takes the values (after N items, on a sentinel; not a `v, ok := <-ch`
//! case, which may be leaving on the close); and a `return` after the `go` statement and
//! before any receive, in the function that receives later (the early return strands the
//! sender even when the `select` itself waits). The sender's own `defer close(ch)` does not
//! hide its abandoned send.
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

use leakhound_diagnostics::{Diagnostic, Related, Severity};
use leakhound_model::channels::{Cap, FuncModel, Op, OpKind};
use leakhound_model::package::PackageFacts;
use leakhound_syntax::ast::{FuncDecl, Span};

use crate::context::RuleContext;
use crate::PackageFile;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::AbandonedSender,
    code: "LH301",
    name: "abandoned-sender",
    summary: "goroutine sends on a channel whose receiver may stop waiting: it blocks forever",
    severity: Severity::Error,
    doc: crate::docs::ABANDONED_SENDER,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Channels, Fact::Semantic],
};

const HELP: &str =
    "give the channel room for every send (make(chan T, n)), or send in a select with <-ctx.Done()";

fn message(receiver: &str, chan: &str, cap: u64) -> String {
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
) -> Option<(u64, Vec<Span>, Option<u64>)> {
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

/// The receiver drains the channel in a loop and, on every way out of it, cancels the context
/// each round of the sender checks first, and the buffer holds one round of sends: after the
/// receiver left, the sends of the round in flight fit and the next check ends the sender.
fn cancels_sender(m: &FuncModel<'_>, name: &str, cap: u64, recvs: &[&Op<'_>]) -> bool {
    let mut sends = m.ops_on(name).filter(|o| o.kind == OpKind::Send).peekable();
    let Some(guard) = sends.peek().and_then(|o| m.send_guard(o.span)) else {
        return false;
    };
    let mut round = 0;
    for o in sends {
        if m.send_guard(o.span) != Some(guard) {
            return false;
        }
        round += 1;
    }
    let Some(cancel) = m.cancel_of(guard) else {
        return false;
    };
    cap >= round
        && !recvs.is_empty()
        && recvs.iter().all(|r| {
            r.select.is_some_and(|s| {
                let sel = &m.selects[s];
                sel.in_loop
                    && !sel.runs_once
                    && (0..sel.cases.len()).all(|c| {
                        !(m.abandons(name, s, c) || m.leaves_stream(name, s, c))
                            || m.case_calls_on_leaving(s, c, cancel)
                    })
            })
        })
}

/// Within one function: the receive is a `select` case that may be abandoned, or a single
/// receive of the first of many results.
pub(crate) fn check_local(ctx: &RuleContext<'_, '_>, m: &FuncModel<'_>, out: &mut Vec<Diagnostic>) {
    for make in &m.makes {
        let name = make.name;
        let Some((cap, sends, count)) = overfull(m, name) else {
            continue;
        };
        // A close by the sender itself (`defer close(ch)`) does not free its blocked send.
        if m.has(name, OpKind::Returned)
            || m.has(name, OpKind::Range)
            || m.closed_apart_from_senders(name)
        {
            continue;
        }
        let recvs: Vec<_> = m
            .ops_on(name)
            .filter(|o| o.kind == OpKind::Recv && !m.in_goroutine(o.lit))
            .collect();
        // A plain receive elsewhere (`return <-ch` after the select) still takes the value.
        // A sender that keeps sending is stranded too when the receiver leaves the loop from
        // the very case that takes its values.
        let in_selects = recvs.iter().all(|r| r.select.is_some());
        let any_case = |f: &dyn Fn(usize, usize) -> bool| {
            in_selects
                && recvs.iter().any(|r| {
                    r.select
                        .is_some_and(|s| (0..m.selects[s].cases.len()).any(|c| f(s, c)))
                })
        };
        let other_case = any_case(&|s, c| m.abandons(name, s, c));
        // Only a goroutine that loops over its send: goroutines that each send once may be
        // counted by a receiver that leaves after the last.
        let looping = m
            .ops_on(name)
            .any(|o| o.kind == OpKind::Send && o.in_loop && !o.runs_once);
        // On a buffered channel the sends left after the receiver went may all fit: how many
        // there are is not known.
        // A forwarder of values read from a source the receiver closes on return: whether
        // another value comes after the one the receiver left on is the source's business
        // (a finished stream ends the read and the goroutine), which the model cannot see.
        let forwarded = m.ops_on(name).filter(|o| o.kind == OpKind::Send).all(|o| {
            m.read_driven_source(o.span)
                .is_some_and(|src| m.closed_on_return(src))
        });
        let stream_left =
            looping && cap == 0 && !forwarded && any_case(&|s, c| m.leaves_stream(name, s, c));
        let abandoned = (other_case || stream_left) && !cancels_sender(m, name, cap, &recvs);
        let early = if abandoned { None } else { m.early_exit(name) };
        let first_wins = count.is_none()
            && recvs.len() == 1
            && recvs[0].select.is_none()
            && !recvs[0].in_loop
            // A receive in a callback may run once per call.
            && recvs[0].lit.is_none()
            && m.ops_on(name)
                .all(|o| o.kind != OpKind::Recv || !m.in_goroutine(o.lit));
        if !(abandoned || first_wins || early.is_some()) {
            continue;
        }
        let receiver = if other_case {
            "the select takes another case"
        } else if stream_left {
            "the receiver leaves the loop after some values"
        } else if early.is_some() && !first_wins {
            "the function returns before receiving"
        } else {
            "the receiver takes the first value"
        };
        // A send that reports a failed read after the goroutine returned on the read's
        // terminal errors, from a source the receiver closes on its way out: once the receiver
        // left, the read fails on the close and the goroutine returns instead of sending.
        let sends: Vec<Span> = sends
            .into_iter()
            .filter(|s| !m.read_failure_source(*s).is_some_and(|src| m.closed_on_return(src)))
            .collect();
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
            if let Some(exit) = early.filter(|_| !abandoned && !first_wins) {
                d.related.push(ctx.related(
                    ctx.file,
                    exit.span,
                    format!("returns here without receiving from {name}"),
                ));
            }
            out.push(d);
        }
    }
}

/// The package summary: a channel this function makes, feeds from a goroutine with more
/// sends than buffer, and returns.
fn producer<'a>(
    m: &FuncModel<'a>,
) -> Option<(&'a str, u64, Vec<Span>)> {
    m.makes.iter().find_map(|make| {
        let (cap, sends, _) = overfull(m, make.name)?;
        let own_recv = m
            .ops_on(make.name)
            .any(|o| matches!(o.kind, OpKind::Recv | OpKind::Range));
        (m.has(make.name, OpKind::Returned) && !own_recv).then_some((make.name, cap, sends))
    })
}

/// A function that returns a channel fed by its own goroutine with more sends than buffer:
/// a caller that stops waiting strands the goroutine.
struct Producer<'a> {
    decl: &'a FuncDecl<'a>,
    name: &'a str,
    is_method: bool,
    file: usize,
    chan: &'a str,
    cap: u64,
    sends: Vec<Span>,
}

/// Across the package's functions: a producer whose result a caller receives in a `select`
/// beside another case. Reported at the producer's sends, in its file, with the callers'
/// selects as related locations; a caller in another package of the directory (the external
/// test package) calls another function. `models`: every function modelled, with its file.
pub(crate) fn check_across_functions<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    models: &[(usize, &'a FuncDecl<'a>, &FuncModel<'a>)],
    out: &mut [Vec<Diagnostic>],
) {
    let producers: Vec<Producer<'a>> = models
        .iter()
        .filter_map(|(i, func, m)| {
            let (chan, cap, sends) = producer(m)?;
            Some(Producer {
                decl: func,
                name: func.name.name,
                is_method: func.recv.is_some(),
                file: *i,
                chan,
                cap,
                sends,
            })
        })
        .collect();
    if producers.is_empty() {
        return;
    }
    // Callers: a `select` that receives the producer's result beside another case.
    let mut related: Vec<Vec<Related>> = producers.iter().map(|_| Vec::new()).collect();
    let mut callers: Vec<&str> = producers.iter().map(|_| "").collect();
    // The producers' identities in the semantic model, to resolve discarded calls.
    let ids: Vec<_> = producers
        .iter()
        .map(|p| facts.semantic(p.file).func_of(p.file, p.decl))
        .collect();
    for (i, func, m) in models {
        let ctx = RuleContext::new(files, facts, *i);
        let sem = facts.semantic(*i);
        // A call that throws the channel away: nobody ever receives.
        if let Some(caller) = sem.func_of(*i, func).filter(|_| !m.discarded.is_empty()) {
            for call in &m.discarded {
                let (callees, _) = sem.callees(caller, call);
                for (p, id) in ids.iter().enumerate() {
                    let same = facts.same_package(producers[p].file, *i);
                    if same && id.is_some_and(|id| callees.contains(&id)) {
                        related[p].push(ctx.related(
                            *i,
                            call.span,
                            format!("{} discards the channel here", func.name.name),
                        ));
                        callers[p] = func.name.name;
                    }
                }
            }
        }
        for sel in &m.selects {
            for (k, case) in sel.cases.iter().enumerate() {
                let Some((name, is_method)) = case.recv_call else {
                    continue;
                };
                // Another case that lets the caller go on without the value.
                if !sel
                    .cases
                    .iter()
                    .enumerate()
                    .any(|(j, c)| j != k && !c.fatal)
                {
                    continue;
                }
                for (p, producer) in producers.iter().enumerate() {
                    if producer.name == name
                        && producer.is_method == is_method
                        && facts.same_package(producer.file, *i)
                    {
                        let select = Span::sized(sel.span.start, "select".len());
                        related[p].push(ctx.related(
                            *i,
                            select,
                            format!("{} stops waiting here when another case wins", func.name.name),
                        ));
                        callers[p] = func.name.name;
                    }
                }
            }
        }
    }
    for ((producer, related), caller) in producers.iter().zip(related).zip(callers) {
        let ctx = RuleContext::new(files, facts, producer.file);
        if related.is_empty() || !ctx.enabled(&RULE) {
            continue;
        }
        for send in &producer.sends {
            let mut d = ctx.diagnostic(&RULE, *send, message(caller, producer.chan, producer.cap));
            d.help = Some(HELP.to_string());
            d.related = related.clone();
            out[producer.file].push(d);
        }
    }
}
