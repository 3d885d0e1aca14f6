//! ## What it does
//! Flags a blocking channel operation — a send, a receive, a `range` over a channel, a
//! `select` without `default` — on a path where a mutex locked in the same function is still
//! held (a deferred `Unlock` has not run yet either).
//!
//! Not flagged: a send on a channel made in the function with a literal buffer at least as
//! large as its number of sends; a channel made here whose capacity is not a literal (its size
//! is usually computed from its senders, and the rule cannot see it); a `select` with a
//! `default` case; a wait on `ctx.Done()`, a `Done()` channel, `time.After`, `time.Tick` or a
//! timer's or ticker's `C`, alone or as a `select` case: those end without anyone taking the
//! lock.
//!
//! ## Why is this bad?
//! The operation waits for another goroutine. If that goroutine needs the same lock first — to
//! produce the value, to drain the channel, to reach its own receive — both wait forever, and
//! every other user of the mutex queues behind them. This mix of a channel and a mutex is the
//! most common blocking bug in large Go systems (Tu et al., ASPLOS 2019).
//!
//! ## Example
//! ```go
//! func (b *Broker) Publish(m Msg) {
//!     b.mu.Lock()
//!     defer b.mu.Unlock()
//!     for _, sub := range b.subs {
//!         sub.ch <- m // a subscriber that calls b.Unsubscribe() first never receives
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (b *Broker) Publish(m Msg) {
//!     b.mu.Lock()
//!     subs := slices.Clone(b.subs)
//!     b.mu.Unlock()
//!     for _, sub := range subs {
//!         sub.ch <- m
//!     }
//! }
//! ```
//! or send in a `select` with `default` (dropping) or `<-ctx.Done()`.
//!
//! ## Go version notes
//! None.
//!
//! ## Fix safety
//! No automatic fix: copy what the operation needs, unlock, then operate.
//!
//! ## Related
//! LH401 missing-unlock, LH303 send-without-cancel.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::summary::{channel_uses, made_channels, UseKind};
use leakhound_syntax::ast::*;

use crate::checker::unparen;
use crate::locks::{Body, Ctx};
use crate::registry::Rule;

pub(crate) const RULE: Rule = Rule {
    code: "LH403",
    name: "chan-op-under-lock",
    summary: "a blocking channel operation while a mutex is held",
    severity: Severity::Warning,
    doc: crate::docs::CHAN_OP_UNDER_LOCK,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpKind {
    Send,
    Recv,
    Range,
    Select,
}

/// A channel operation that may block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChanOp<'a> {
    pub kind: OpKind,
    pub span: Span,
    /// The channel as written, when there is one expression.
    pub chan: &'a str,
}

/// The channels of a function that the rule can say something about: those made in the
/// declaration (with their capacity and number of sends) and the channel-typed parameters.
pub(crate) struct LocalChans<'a> {
    made: Vec<(&'a str, Option<u64>, usize)>,
    params: Vec<&'a str>,
}

impl<'a> LocalChans<'a> {
    pub fn of(ctx: &Ctx<'_, 'a>, decl: &'a FuncDecl<'a>, body: &Body<'a>) -> LocalChans<'a> {
        let mut params = Vec::new();
        for typ in [&decl.typ, body.typ] {
            for field in &typ.params.list {
                if matches!(unparen(&field.typ), Expr::ChanType(_)) {
                    params.extend(field.names.iter().map(|n| n.name));
                }
            }
        }
        let Some(block) = &decl.body else {
            return LocalChans {
                made: Vec::new(),
                params,
            };
        };
        let makes = made_channels(block);
        let names: Vec<&str> = makes.iter().map(|m| m.name).collect();
        let uses = if names.is_empty() {
            Vec::new()
        } else {
            channel_uses(block, &names, ctx.imports)
        };
        let made = makes
            .iter()
            .map(|m| {
                (
                    m.name,
                    m.cap,
                    uses.iter()
                        .filter(|u| u.name == m.name && u.kind == UseKind::Send)
                        .count(),
                )
            })
            .collect();
        LocalChans { made, params }
    }

    fn made(&self, name: &str) -> Option<(Option<u64>, usize)> {
        self.made.iter().find(|m| m.0 == name).map(|m| (m.1, m.2))
    }

    pub fn send(&self, ctx: &Ctx<'_, 'a>, send: &'a SendStmt<'a>) -> Option<ChanOp<'a>> {
        if never_needs_the_lock(&send.chan) {
            return None;
        }
        if let Expr::Ident(id) = unparen(&send.chan) {
            match self.made(id.name) {
                // Room for every send, or a size the rule cannot see.
                Some((Some(cap), sends)) if cap > 0 && sends as u64 <= cap => return None,
                Some((None, _)) => return None,
                _ => {}
            }
        }
        Some(ChanOp {
            kind: OpKind::Send,
            span: send.span,
            chan: ctx.text(send.chan.span()),
        })
    }

    pub fn recv(&self, ctx: &Ctx<'_, 'a>, u: &'a UnaryExpr<'a>) -> Option<ChanOp<'a>> {
        if never_needs_the_lock(&u.x) {
            return None;
        }
        Some(ChanOp {
            kind: OpKind::Recv,
            span: u.span,
            chan: ctx.text(u.x.span()),
        })
    }

    /// A `range` over a name known to be a channel (made here or a channel parameter).
    pub fn range(&self, ctx: &Ctx<'_, 'a>, r: &'a RangeStmt<'a>) -> Option<ChanOp<'a>> {
        let Expr::Ident(id) = unparen(&r.x) else {
            return None;
        };
        if self.made(id.name).is_none() && !self.params.contains(&id.name) {
            return None;
        }
        let span = Span::new(r.span.start, r.span.start + 3);
        Some(ChanOp {
            kind: OpKind::Range,
            span,
            chan: ctx.text(r.x.span()),
        })
    }

    /// A `select` with no `default` and no case that ends without another goroutine.
    pub fn select(&self, _ctx: &Ctx<'_, 'a>, sel: &'a SelectStmt<'a>) -> Option<ChanOp<'a>> {
        if sel.body.is_empty() {
            return None;
        }
        for clause in &sel.body {
            let chan = match clause.comm.as_deref() {
                None => return None,
                Some(Stmt::Send(s)) => &s.chan,
                Some(Stmt::Expr(e)) => recv_chan(&e.x)?,
                Some(Stmt::Assign(a)) => recv_chan(a.rhs.first()?)?,
                Some(_) => return None,
            };
            if never_needs_the_lock(chan) {
                return None;
            }
        }
        let span = Span::new(sel.span.start, sel.span.start + "select".len() as u32);
        Some(ChanOp {
            kind: OpKind::Select,
            span,
            chan: "",
        })
    }
}

fn recv_chan<'a>(e: &'a Expr<'a>) -> Option<&'a Expr<'a>> {
    match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::Recv => Some(&u.x),
        _ => None,
    }
}

/// Channels whose other side is a timer or a cancellation, not a goroutine that could want
/// the lock: `ctx.Done()`, `x.Done()`, `time.After(d)`, `time.Tick(d)`, `t.C`.
fn never_needs_the_lock(chan: &Expr<'_>) -> bool {
    match unparen(chan) {
        Expr::Call(c) => match unparen(&c.fun) {
            Expr::Selector(s) => matches!(s.sel.name, "Done" | "After" | "Tick"),
            _ => false,
        },
        Expr::Selector(s) => s.sel.name == "C",
        _ => false,
    }
}

pub(crate) fn report(ctx: &Ctx<'_, '_>, op: &ChanOp<'_>, key: &str, lock: Span) -> Diagnostic {
    let line = ctx.line(lock.start);
    let message = match op.kind {
        OpKind::Send => format!(
            "send on {} may block while {key} is held (locked at line {line})",
            op.chan
        ),
        OpKind::Recv => format!(
            "receive from {} may block while {key} is held (locked at line {line})",
            op.chan
        ),
        OpKind::Range => format!(
            "range over {} waits for each value while {key} is held (locked at line {line})",
            op.chan
        ),
        OpKind::Select => {
            format!("select without default may block while {key} is held (locked at line {line})")
        }
    };
    let mut d = ctx.diagnostic(&RULE, op.span, message);
    d.help = Some(format!("unlock {key} before the channel operation, or make it a select with default or <-ctx.Done()"));
    d.related
        .push(ctx.related(ctx.file, lock, format!("{key} locked here")));
    d
}
