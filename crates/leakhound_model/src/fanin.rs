//! Counted fan-in inside one function declaration: result channels whose every value is taken
//! because the receiver counts them. A loop that runs once per item of a collection (`for
//! range items`, `for i := 0; i < len(items); i++`) with no way out, receiving one value per
//! iteration from a set of channels (a `select` whose every case receives one of them, or a
//! plain receive), while the goroutines send at most one value per item on that set: one
//! goroutine started per item, or workers ranging over a channel fed once per item. Sends never
//! outnumber receives, so no send on those channels waits for a receiver that left. Facts only.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::cfg::loop_escapes;
use crate::channels::ident;

/// The channels of `decl` (by local name) fed one value per item and received by a counted
/// loop over the same items.
pub fn counted_fan_in<'a>(
    decl: &'a FuncDecl<'a>,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
) -> Vec<&'a str> {
    let Some(body) = &decl.body else {
        return Vec::new();
    };
    let mut loops = Loops::default();
    walk_node(VNode::Block(body), &[], &mut loops);
    let mut out = Vec::new();
    for (items, lp) in &loops.counted {
        if loop_escapes(&lp.stmts, never_returns) {
            continue;
        }
        let Some(results) = one_receive_per_round(lp) else {
            continue;
        };
        // One goroutine literal (started once per item, or workers) does every send.
        let senders: Vec<&Goroutine<'a>> = loops
            .goroutines
            .iter()
            .filter(|g| results.iter().any(|r| sends_on(&g.body.stmts, r)))
            .collect();
        let fed = matches!(senders.as_slice(), [g] if g.sends_once_per_item(&results, items, &loops))
            && results
                .iter()
                .all(|r| loops.sends.iter().filter(|s| s.0 == *r).all(|s| s.1));
        if fed {
            out.extend(results);
        }
    }
    out
}

/// A `go func() { ... }()` literal: the loop it is started in (over which collection, if a
/// `range`), and its body.
struct Goroutine<'a> {
    started_over: Option<&'a str>,
    body: &'a Block<'a>,
}

#[derive(Default)]
struct Loops<'a> {
    /// Loops counted by a collection: `for range c`, `for i := 0; i < len(c); i++`.
    counted: Vec<(&'a str, &'a Block<'a>)>,
    goroutines: Vec<Goroutine<'a>>,
    /// Every send on a plain name, and whether it is in a goroutine literal.
    sends: Vec<(&'a str, bool)>,
    /// `for _, x := range c { w <- x }` feeders: the fed channel and the collection, when the
    /// loop body sends on it once and does nothing else that could skip it.
    feeders: Vec<(&'a str, &'a str)>,
    stack: Vec<Frame<'a>>,
}

/// The innermost enclosing loop over a collection, and whether a goroutine literal is open.
struct Frame<'a> {
    over: Option<&'a str>,
    go: bool,
    end: u32,
}

impl<'a> Visitor<'a> for Loops<'a> {
    fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
        let start = s.span().start;
        self.stack.retain(|f| f.end > start);
        match s {
            Stmt::Range(r) => {
                let over = ident(&r.x);
                if let Some(c) = over {
                    self.counted.push((c, &r.body));
                    if let [Stmt::Send(send)] = r.body.stmts.as_slice() {
                        let sent_item = match (&r.value, &r.key) {
                            (Some(v), _) => same_ident(v, &send.value),
                            (None, Some(k)) => same_ident(k, &send.value),
                            _ => false,
                        };
                        if let (Some(w), true) = (ident(&send.chan), sent_item) {
                            self.feeders.push((w, c));
                        }
                    }
                }
                self.stack.push(Frame {
                    over,
                    go: false,
                    end: s.span().end,
                });
            }
            Stmt::For(f) => {
                let over = len_bound(f);
                if let Some(c) = over {
                    self.counted.push((c, &f.body));
                }
                self.stack.push(Frame {
                    over,
                    go: false,
                    end: s.span().end,
                });
            }
            Stmt::Go(g) => {
                if let Expr::Call(c) = unparen(&g.call) {
                    if let Expr::FuncLit(lit) = unparen(c.fun) {
                        let started_over =
                            self.stack.iter().rev().find(|f| !f.go).and_then(|f| f.over);
                        self.goroutines.push(Goroutine {
                            started_over,
                            body: &lit.body,
                        });
                        self.stack.push(Frame {
                            over: None,
                            go: true,
                            end: s.span().end,
                        });
                    }
                }
            }
            Stmt::Send(send) => {
                if let Some(ch) = ident(&send.chan) {
                    let in_go = self.stack.iter().any(|f| f.go);
                    self.sends.push((ch, in_go));
                }
            }
            _ => {}
        }
        true
    }
}

impl<'a> Goroutine<'a> {
    /// Whether this goroutine sends on `r` at most once per item of `items` (and on the other
    /// `results` only as alternatives to it): started once per item, or a worker ranging over a
    /// channel fed once per item.
    fn sends_once_per_item(&self, results: &[&'a str], items: &str, loops: &Loops<'a>) -> bool {
        if self.started_over == Some(items) {
            return at_most_one_send(&self.body.stmts, results);
        }
        // A worker: its one loop ranges over a channel fed once per item, and it sends
        // nowhere else.
        let mut worker = None;
        for s in self.body.stmts {
            if let Some((ch, body)) = receive_loop(s) {
                if results.iter().any(|r| sends_on(body, r)) {
                    worker = Some((ch, body));
                    continue;
                }
            }
            if results.iter().any(|r| sends_on(std::slice::from_ref(s), r)) {
                return false;
            }
        }
        worker.is_some_and(|(ch, body)| {
            loops.feeders.contains(&(ch, items)) && at_most_one_send(body, results)
        })
    }
}

/// A loop that takes values from a channel until it is closed: `for v := range ch { body }`,
/// or `for { v, ok := <-ch; if !ok { return }; body }` (also `break`). The channel and the
/// statements run per value.
pub fn receive_loop<'a>(s: &'a Stmt<'a>) -> Option<(&'a str, &'a [Stmt<'a>])> {
    match s {
        Stmt::Range(r) => Some((ident(&r.x)?, &r.body.stmts)),
        Stmt::For(f) if f.init.is_none() && f.cond.is_none() && f.post.is_none() => {
            let [Stmt::Assign(a), Stmt::If(check), rest @ ..] = f.body.stmts.as_slice() else {
                return None;
            };
            let ([_, Expr::Ident(ok)], [v]) = (a.lhs.as_slice(), a.rhs.as_slice()) else {
                return None;
            };
            let ch = recv_of(v)?;
            let not_ok = matches!(unparen(&check.cond), Expr::Unary(u) if u.op == UnaryOp::Not
                && matches!(unparen(u.x), Expr::Ident(x) if x.name == ok.name));
            let leaves = match check.body.stmts.as_slice() {
                [Stmt::Return(_)] => true,
                [Stmt::Branch(b)] => b.kind == BranchKind::Break && b.label.is_none(),
                _ => false,
            };
            (not_ok && leaves && check.els.is_none() && check.init.is_none()).then_some((ch, rest))
        }
        _ => None,
    }
}

/// The channels one iteration of a counted loop receives exactly once from: a `select` of the
/// body whose cases all receive from plain names (no `default`), or one plain receive.
fn one_receive_per_round<'a>(body: &'a Block<'a>) -> Option<Vec<&'a str>> {
    let mut found: Option<Vec<&'a str>> = None;
    for s in body.stmts {
        let here = match s {
            Stmt::Select(sel) => {
                let mut chans = Vec::new();
                for c in &sel.body {
                    chans.push(comm_recv(c.comm?)?);
                }
                Some(chans)
            }
            Stmt::Expr(e) => recv_of(&e.x).map(|c| vec![c]),
            Stmt::Assign(a) => match a.rhs.as_slice() {
                [v] => recv_of(v).map(|c| vec![c]),
                _ => None,
            },
            _ => None,
        };
        if let Some(chans) = here {
            if found.is_some() {
                return None;
            }
            found = Some(chans);
        }
    }
    found
}

fn comm_recv<'a>(s: &'a Stmt<'a>) -> Option<&'a str> {
    match s {
        Stmt::Expr(e) => recv_of(&e.x),
        Stmt::Assign(a) => match a.rhs.as_slice() {
            [v] => recv_of(v),
            _ => None,
        },
        _ => None,
    }
}

fn recv_of<'a>(e: &'a Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::Recv => ident(u.x),
        _ => None,
    }
}

/// At most one send on any of `chans` runs per pass over `stmts`: none in a loop or a
/// function literal, and two only as the two branches of one `if`/`else`.
fn at_most_one_send(stmts: &[Stmt<'_>], chans: &[&str]) -> bool {
    let mut sends = Vec::new();
    let mut looped = false;
    collect_sends(stmts, chans, false, &mut sends, &mut looped);
    if looped {
        return false;
    }
    match sends.len() {
        0 | 1 => true,
        2 => stmts.iter().any(|s| splits(s, sends[0], sends[1])),
        _ => false,
    }
}

/// Whether `s` is (or contains) an `if` with one span in its body and the other in its `else`.
fn splits(s: &Stmt<'_>, a: Span, b: Span) -> bool {
    match s {
        Stmt::If(i) => {
            let Some(els) = i.els else {
                return i.body.stmts.iter().any(|t| splits(t, a, b));
            };
            let (body, other) = (i.body.span, els.span());
            (body.contains(a) && other.contains(b))
                || (body.contains(b) && other.contains(a))
                || i.body.stmts.iter().any(|t| splits(t, a, b))
                || splits(els, a, b)
        }
        Stmt::Block(bl) => bl.stmts.iter().any(|t| splits(t, a, b)),
        _ => false,
    }
}

fn collect_sends(
    stmts: &[Stmt<'_>],
    chans: &[&str],
    in_loop: bool,
    out: &mut Vec<Span>,
    looped: &mut bool,
) {
    for s in stmts {
        match s {
            Stmt::Send(send) if ident(&send.chan).is_some_and(|c| chans.contains(&c)) => {
                *looped |= in_loop;
                out.push(send.span);
            }
            Stmt::Block(b) => collect_sends(&b.stmts, chans, in_loop, out, looped),
            Stmt::Labeled(l) => {
                collect_sends(std::slice::from_ref(l.stmt), chans, in_loop, out, looped);
            }
            Stmt::If(i) => {
                collect_sends(&i.body.stmts, chans, in_loop, out, looped);
                if let Some(e) = i.els {
                    collect_sends(std::slice::from_ref(e), chans, in_loop, out, looped);
                }
            }
            Stmt::Switch(sw) => sw
                .body
                .iter()
                .for_each(|c| collect_sends(&c.body, chans, in_loop, out, looped)),
            Stmt::TypeSwitch(ts) => ts
                .body
                .iter()
                .for_each(|c| collect_sends(&c.body, chans, in_loop, out, looped)),
            Stmt::Select(sel) => sel
                .body
                .iter()
                .for_each(|c| collect_sends(&c.body, chans, in_loop, out, looped)),
            Stmt::For(f) => collect_sends(&f.body.stmts, chans, true, out, looped),
            Stmt::Range(r) => collect_sends(&r.body.stmts, chans, true, out, looped),
            _ => {}
        }
    }
    // A send in a function literal may run any number of times.
    let mut lits = LitSends {
        chans,
        found: false,
    };
    for s in stmts {
        walk_node(VNode::Stmt(s), &[], &mut lits);
    }
    *looped |= lits.found;
}

struct LitSends<'c> {
    chans: &'c [&'c str],
    found: bool,
}

impl<'a> Visitor<'a> for LitSends<'_> {
    fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
        if let Expr::FuncLit(f) = e {
            let mut sends = Vec::new();
            let mut looped = false;
            collect_sends(&f.body.stmts, self.chans, false, &mut sends, &mut looped);
            self.found |= !sends.is_empty() || looped;
            return false;
        }
        !self.found
    }
}

fn sends_on(stmts: &[Stmt<'_>], chan: &str) -> bool {
    let mut sends = Vec::new();
    let mut looped = false;
    collect_sends(stmts, &[chan], false, &mut sends, &mut looped);
    !sends.is_empty()
}

/// `for i := 0; i < len(c); i++`: `c`.
fn len_bound<'a>(f: &'a ForStmt<'a>) -> Option<&'a str> {
    let Some(Expr::Binary(cond)) = f.cond.as_ref().map(unparen) else {
        return None;
    };
    if cond.op != BinaryOp::Lt || !matches!(f.post, Some(Stmt::IncDec(p)) if p.inc) {
        return None;
    }
    let Expr::Call(c) = unparen(cond.y) else {
        return None;
    };
    match (unparen(c.fun), c.args.as_slice()) {
        (Expr::Ident(len), [arg]) if len.name == "len" => ident(arg),
        _ => None,
    }
}

fn same_ident(a: &Expr<'_>, b: &Expr<'_>) -> bool {
    matches!((unparen(a), unparen(b)), (Expr::Ident(x), Expr::Ident(y)) if x.name == y.name)
}
