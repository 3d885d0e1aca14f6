//! The channel model of one function declaration: where each local channel is made and with
//! what capacity, every send, receive, close, `range` and other use of it (with the function
//! literal it happens in, whether that literal was started with `go`, and whether it sits in a
//! loop or a `select`), and every `select` with, for each case, whether execution after it can
//! leave the enclosing loop or return. Channels are tracked by local name: fields and
//! parameters have an owner elsewhere. Facts only: the channel rules (LH301, LH303–LH305)
//! judge them.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::cfg::{clause_leaves, contains_return, ends_path, jumps_back, loop_escapes, mentions};
use crate::imports::Imports;
use crate::names::Names;
use crate::terminal::asserts_no_err_of;

/// A buffer capacity as written in `make(chan T, n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    Known(u64),
    /// Not a literal constant: some buffer, size unknown.
    Unknown,
}

pub struct Make<'a> {
    pub name: &'a str,
    pub span: Span,
    pub cap: Cap,
    /// The innermost loop around the `make`: a channel made per iteration is a new channel.
    pub loop_id: Option<usize>,
}

/// What is done with a channel. The model records every kind but `Select`; the lock rules'
/// view of blocking operations (a send, a receive, a `range`, a `select` without `default`)
/// uses the same kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Send,
    Recv,
    Close,
    Range,
    /// A `select` statement: its cases wait together.
    Select,
    /// Returned by the declaration itself.
    Returned,
    /// Any other use: passed, stored, returned from a literal, assigned.
    Escapes,
}

pub struct Op<'a> {
    /// The channel as written (`ch`, `s.out`).
    pub chan: &'a str,
    /// True when `chan` is a plain identifier.
    pub local: bool,
    pub kind: OpKind,
    pub span: Span,
    /// The innermost function literal, by index into [`FuncModel::lits`]; `None` for the
    /// declaration's own body.
    pub lit: Option<usize>,
    /// Inside a loop of its own function (literal boundaries reset this).
    pub in_loop: bool,
    /// A send or receive that is a `select` case: the index of that select.
    pub select: Option<usize>,
    /// A `context.Context` parameter is in scope (its own or a captured one).
    pub ctx_in_scope: bool,
    /// Every path after the send leaves its function (or its only loop) without looping back:
    /// the send runs at most once even inside a loop.
    pub runs_once: bool,
    /// How many loops of its own function (literal) are around it.
    pub loop_depth: u32,
}

pub struct Lit<'a> {
    pub is_go: bool,
    /// The innermost loop around the `go` statement, in the enclosing function.
    pub go_loop: Option<usize>,
    /// How many times the loops around the `go` statement run, when every one of them has a
    /// constant trip count (`for i := 0; i < 4; i++`, `range 4`, a range over a local literal).
    pub go_trips: Option<u64>,
    pub parent: Option<usize>,
    /// `ops[..ops_end]` were recorded before the end of the literal's body: an op at or after
    /// this index comes after the `go` statement in walk order.
    pub ops_end: usize,
    /// The wait group that tracks the goroutine: it was started by `wg.Go(...)`, or calls
    /// `wg.Done()`.
    pub group: Option<&'a str>,
}

/// A `return` of the declaration or of a function literal.
pub struct Exit {
    pub span: Span,
    pub lit: Option<usize>,
    /// The goroutine literals started before it on every path that reaches it: by a `go`
    /// statement earlier in its statement list or in an enclosing one.
    pub started: Vec<usize>,
    /// `ops[..op]` were recorded before it in walk order.
    pub op: usize,
    /// The innermost loop around it.
    pub loop_id: Option<usize>,
    /// No call that never returns (`t.Fatal`, `panic`) comes before it in its statement list
    /// or an enclosing one.
    pub reachable: bool,
}

pub struct Case<'a> {
    /// The received or sent channel when it is an identifier.
    pub chan: Option<&'a str>,
    /// `<-f(...)` / `<-x.f(...)`: the callee's name and whether it was called as a method.
    pub recv_call: Option<(&'a str, bool)>,
    /// Execution after this case can return or leave the enclosing loop normally (a call that
    /// never returns does not count: see `fatal`).
    pub leaves_normally: bool,
    /// The case body contains a `return`.
    pub returns: bool,
    /// The clause, `case` to its last statement.
    pub span: Span,
    /// The case ends in `t.Fatal`, `log.Fatal`, `panic`: a failing test or process, where a
    /// stranded sender no longer matters.
    pub fatal: bool,
    /// The case's statements.
    pub body: &'a [Stmt<'a>],
    /// `v, ok := <-ch`: the case can tell a closed channel from a value.
    pub comma_ok: bool,
}

pub struct Select<'a> {
    pub span: Span,
    pub cases: Vec<Case<'a>>,
    pub in_loop: bool,
    /// In a loop, but every path after it leaves its function (or its only loop) without
    /// looping back: it runs at most once.
    pub runs_once: bool,
    /// The function literal the `select` is in; `None` for the declaration's own body.
    pub lit: Option<usize>,
    /// How many loops of its own function (literal) are around it.
    pub loop_depth: u32,
    /// The innermost loop around it.
    pub loop_id: Option<usize>,
}

/// The values goroutines can send on one channel.
pub struct Sends {
    /// The sends to report: all of them, or only those that repeat when some do.
    pub spans: Vec<Span>,
    /// How many values can be sent in all; `None` when some send repeats an unknown number of
    /// times.
    pub count: Option<u64>,
    /// Some send runs more than once: in a loop, or its goroutine is started in one. A stream
    /// rather than a one-shot result.
    pub repeats: bool,
}

/// An endless loop (`for {}` or `for range t.C` over a ticker) in a goroutine literal, with
/// whether anything leaves it.
pub struct Endless {
    pub span: Span,
    pub ticker: bool,
    pub escapes: bool,
}

#[derive(Default)]
pub struct FuncModel<'a> {
    pub makes: Vec<Make<'a>>,
    pub ops: Vec<Op<'a>>,
    pub selects: Vec<Select<'a>>,
    pub lits: Vec<Lit<'a>>,
    pub endless: Vec<Endless>,
    /// Names bound to `time.NewTicker(...)`.
    tickers: Vec<&'a str>,
    /// `defer close(x)`: the channel and the function literal the `defer` is in.
    pub deferred_closes: Vec<(&'a str, Option<usize>)>,
    /// Every `return`, in walk order.
    pub exits: Vec<Exit>,
    /// Calls whose results are thrown away: a call statement, or `_ = f()`.
    pub discarded: Vec<&'a CallExpr<'a>>,
    /// `for v := range x` loops that nothing leaves but the close of `x`: they take every value
    /// sent until then. The channel and the literal the loop is in.
    pub drains: Vec<(&'a str, Option<usize>)>,
    /// `wg.Wait()` as a statement: the wait group, the literal it is in and where it ends.
    pub waits: Vec<(&'a str, Option<usize>, u32)>,
    /// Sends followed in their statement list by a `return` and no other send.
    pub sends_then_return: Vec<Span>,
    /// Locals bound to the elements of a container by a `range` over a slice, array or map
    /// field or value (`for _, w := range s.waiters`): whoever made them is out of sight.
    pub elements: Vec<&'a str>,
    /// `defer x.Close()`: the closed local and the function literal the `defer` is in.
    pub deferred_close_calls: Vec<(&'a str, Option<usize>)>,
    /// Sends reached only when a read failed with an error the goroutine did not stop on: in
    /// the `err != nil` branch of `err := r.M(...)`, after an `if` on that error that returns
    /// (the read's terminal errors, such as a closed source). The send and the local the read
    /// comes from (`p` for `dec := codec.NewDecoder(p, h)`, `dec.Decode(&m)`).
    pub read_failure_sends: Vec<(Span, &'a str)>,
    /// Sends in a goroutine's loop, at the loop's own level, after a read in the same round
    /// whose failure makes the goroutine return (`v, err := dec.Decode(); if err != nil { ...
    /// return }`): the send and the root local of the read's source. The source decides
    /// whether another value comes.
    pub read_driven_sends: Vec<(Span, &'a str)>,
    /// Sends in a goroutine's loop, at the loop's own level, after a `select` of the same round
    /// that leaves the loop on `<-x.Done()`: the send and `x`. Each runs at most once between
    /// two checks of `x`.
    pub guarded_sends: Vec<(Span, &'a str)>,
    /// `ctx, cancel := context.WithCancel(...)` (or `WithTimeout`, `WithDeadline`, the `Cause`
    /// forms): the context and its cancel func.
    pub cancel_funcs: Vec<(&'a str, &'a str)>,
    /// `defer f()` of a local function value, and the literal the `defer` is in.
    pub deferred_calls: Vec<(&'a str, Option<usize>)>,
    /// A loop followed directly by a call of a local function value (`cancel()`): the loop
    /// and the function.
    pub after_loop_calls: Vec<(usize, &'a str)>,
}

impl<'a> FuncModel<'a> {
    pub fn make_of(&self, name: &str) -> Option<&Make<'a>> {
        self.makes.iter().find(|m| m.name == name)
    }

    pub fn ops_on<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Op<'a>> + 's {
        self.ops.iter().filter(move |o| o.local && o.chan == name)
    }

    /// The literal itself or the nearest enclosing one was started with `go`.
    pub fn in_goroutine(&self, lit: Option<usize>) -> bool {
        let mut cur = lit;
        while let Some(i) = cur {
            if self.lits[i].is_go {
                return true;
            }
            cur = self.lits[i].parent;
        }
        false
    }

    /// Sends on `name` from goroutines, none of them guarded by a `select`, and how many
    /// values they can send: one per goroutine (sends of one goroutine on different paths are
    /// usually alternatives: an error or a result) times the trip count of the loops that start
    /// it, `None` when a send may run an unknown number of times (in a loop, or its goroutine
    /// started in a loop of unknown length).
    pub fn goroutine_sends(&self, name: &str) -> Option<Sends> {
        let make_loop = self.make_of(name).and_then(|m| m.loop_id);
        let mut spans = Vec::new();
        let mut senders: Vec<(Option<usize>, Option<u64>)> = Vec::new();
        let mut repeats = false;
        let mut unknown = false;
        for op in self.ops_on(name).filter(|o| o.kind == OpKind::Send) {
            if !self.in_goroutine(op.lit) || op.select.is_some() {
                return None;
            }
            let looped = op.in_loop && !op.runs_once;
            // A goroutine started in a loop other than the one that makes the channel sends
            // once per iteration: how many iterations, when the loops are counted.
            let started = op.lit.map_or((false, Some(1)), |l| {
                let lit = &self.lits[l];
                if lit.go_loop.is_some() && lit.go_loop != make_loop {
                    (
                        true,
                        if make_loop.is_none() {
                            lit.go_trips
                        } else {
                            None
                        },
                    )
                } else {
                    (false, Some(1))
                }
            });
            repeats |= looped || started.0;
            let again = looped || started.1.is_none();
            unknown |= again;
            if !senders.iter().any(|(l, _)| *l == op.lit) {
                senders.push((op.lit, started.1));
            }
            spans.push((op.span, again));
        }
        let count = if unknown {
            None
        } else {
            senders.iter().map(|(_, n)| *n).sum::<Option<u64>>()
        };
        // When a send repeats, it is the one that overfills the buffer: report there.
        let spans: Vec<Span> = spans
            .into_iter()
            .filter(|(_, again)| !unknown || *again)
            .map(|(s, _)| s)
            .collect();
        (!spans.is_empty()).then_some(Sends {
            spans,
            count,
            repeats,
        })
    }

    /// Whether a deferred `close(x)` in the goroutine that performs `op` (or a literal around
    /// it) means: when `x` is closed, that goroutine has finished.
    pub fn closes_on_exit(&self, x: &str, op: &Op<'_>) -> bool {
        let mut cur = op.lit;
        while let Some(i) = cur {
            if self
                .deferred_closes
                .iter()
                .any(|(c, l)| *c == x && *l == Some(i))
            {
                return true;
            }
            if self.lits[i].is_go {
                return false;
            }
            cur = self.lits[i].parent;
        }
        false
    }

    /// Whether case `case` of select `sel` lets the function go on without receiving from
    /// `name` again: it returns, leaves the loop around the `select`, or (outside a loop) no
    /// receive of `name` follows, in the case or after the `select`. Cases that end in a call
    /// that never returns (a failing test or process) do not count, nor a channel that every
    /// sender closes on its way out (when it wins, the senders are done).
    pub fn abandons(&self, name: &str, sel: usize, case: usize) -> bool {
        let s = &self.selects[sel];
        let c = &s.cases[case];
        if c.chan == Some(name) || c.fatal {
            return false;
        }
        if let Some(x) = c.chan {
            let mut sends = self
                .ops_on(name)
                .filter(|o| o.kind == OpKind::Send)
                .peekable();
            if sends.peek().is_some() && sends.all(|o| self.closes_on_exit(x, o)) {
                return false;
            }
            if self.sent_only_after(x, name) || self.closed_after_senders(x, name) {
                return false;
            }
        }
        // The case hands the channel to a goroutine of its own that receives it (a drain).
        if self.ops_on(name).any(|o| {
            matches!(o.kind, OpKind::Recv | OpKind::Range)
                && o.lit != s.lit
                && self.in_goroutine(o.lit)
                && o.span.start >= c.span.start
                && o.span.end <= c.span.end
        }) {
            return false;
        }
        let in_loop = s.in_loop && !s.runs_once;
        if c.returns || (in_loop && c.leaves_normally) {
            return true;
        }
        if in_loop {
            return false;
        }
        // A receive in the case or after the select; also one after it in another function
        // literal, or out of the literal the select is in (a callback): when each runs is not
        // known, so the later receive may take the value.
        let later = self.ops_on(name).any(|o| {
            matches!(o.kind, OpKind::Recv | OpKind::Range)
                && ((o.lit == s.lit && o.span.start >= c.span.start && o.span.end <= c.span.end)
                    || (o.span.start >= s.span.end
                        && (o.lit == s.lit || !self.in_goroutine(o.lit))))
        });
        !later
    }

    /// `x` is closed only after a `wg.Wait()` in the same literal (closed after it, or by a
    /// `defer` there) and every goroutine that sends on `name` is tracked by that `wg`: when a
    /// receive of `x` wins, the senders are done.
    fn closed_after_senders(&self, x: &str, name: &str) -> bool {
        let mut closes = self
            .ops_on(x)
            .filter(|o| o.kind == OpKind::Close)
            .peekable();
        if closes.peek().is_none() {
            return false;
        }
        let mut groups = Vec::new();
        for c in closes {
            let deferred = self.deferred_closes.contains(&(x, c.lit));
            let Some(wg) = self
                .waits
                .iter()
                .find(|(_, l, at)| *l == c.lit && (deferred || *at <= c.span.start))
                .map(|w| w.0)
            else {
                return false;
            };
            groups.push(wg);
        }
        let mut sends = self
            .ops_on(name)
            .filter(|o| o.kind == OpKind::Send)
            .peekable();
        sends.peek().is_some()
            && sends.all(|o| {
                self.go_root(o.lit)
                    .and_then(|g| self.lits[g].group)
                    .is_some_and(|wg| groups.iter().all(|w| *w == wg))
            })
    }

    /// A receive of `x` can win only once the goroutine that sends on `name` will not send on
    /// it again: one goroutine, started once, outside loops and directly in its body, does all
    /// the sends on both, and each send on `x` comes after every send on `name` (a send on
    /// `name` then completed, or its path skipped it) or is followed by a `return` with no
    /// other send.
    fn sent_only_after(&self, x: &str, name: &str) -> bool {
        let sends = |c| self.ops_on(c).filter(|o| o.kind == OpKind::Send);
        let Some(g) = sends(name).next().and_then(|o| o.lit) else {
            return false;
        };
        let last = sends(name).map(|o| o.span.end).max().unwrap_or(0);
        self.lits[g].is_go
            && self.lits[g].go_loop.is_none()
            && sends(x).next().is_some()
            && sends(name)
                .chain(sends(x))
                .all(|o| !o.in_loop && o.lit == Some(g))
            && sends(x).all(|o| o.span.start > last || self.sends_then_return.contains(&o.span))
    }

    /// The goroutine an op in `lit` runs in: the literal itself or the nearest enclosing one
    /// started with `go`.
    pub fn go_root(&self, lit: Option<usize>) -> Option<usize> {
        let mut cur = lit;
        while let Some(i) = cur {
            if self.lits[i].is_go {
                return Some(i);
            }
            cur = self.lits[i].parent;
        }
        None
    }

    /// Something closes `name` outside the goroutines that send on it (a close by the sender
    /// itself, even deferred, does not free a send that is blocked).
    pub fn closed_apart_from_senders(&self, name: &str) -> bool {
        let senders: Vec<Option<usize>> = self
            .ops_on(name)
            .filter(|o| o.kind == OpKind::Send)
            .map(|o| self.go_root(o.lit))
            .collect();
        self.ops_on(name).any(|o| {
            o.kind == OpKind::Close
                && !self
                    .go_root(o.lit)
                    .is_some_and(|g| senders.contains(&Some(g)))
        })
    }

    /// A `return` after a goroutine that sends on `name` was started, with no receive of
    /// `name` between them in walk order, in the function that receives `name` later: on that
    /// path nothing takes the goroutine's value. `None` when some receive is in a literal of
    /// its own (a deferred drain) or no receive follows the return.
    pub fn early_exit(&self, name: &str) -> Option<&Exit> {
        let recvs: Vec<(usize, &Op<'a>)> = self
            .ops
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.local && o.chan == name && matches!(o.kind, OpKind::Recv | OpKind::Range)
            })
            .filter(|(_, o)| !self.in_goroutine(o.lit))
            .collect();
        let level = recvs.first()?.1.lit;
        if recvs.iter().any(|(_, o)| o.lit != level) {
            return None;
        }
        let senders: Vec<usize> = self
            .ops_on(name)
            .filter(|o| o.kind == OpKind::Send)
            .filter_map(|o| self.go_root(o.lit))
            .collect();
        self.exits.iter().find(|e| {
            e.lit == level
                && e.reachable
                && recvs.iter().any(|(i, _)| *i >= e.op)
                && e.started.iter().any(|g| {
                    // In a loop the `go` statement is not in, a receive later in walk order
                    // may have run on an earlier iteration.
                    senders.contains(g)
                        && e.loop_id == self.lits[*g].go_loop
                        && !recvs
                            .iter()
                            .any(|(i, _)| *i >= self.lits[*g].ops_end && *i < e.op)
                })
        })
    }

    /// Whether case `case` of select `sel` receives `name` itself and then leaves the loop
    /// around the `select` (after some number of values), so a sender that keeps sending is
    /// stranded. A case that can tell a close (`v, ok := <-ch`) may be leaving because the
    /// sender is done: it does not count.
    pub fn leaves_stream(&self, name: &str, sel: usize, case: usize) -> bool {
        let s = &self.selects[sel];
        let c = &s.cases[case];
        c.chan == Some(name)
            && !c.fatal
            && !c.comma_ok
            && s.in_loop
            && !s.runs_once
            && (c.returns || c.leaves_normally)
    }

    /// The local a send reports the failure of a read from, when it is in
    /// [`FuncModel::read_failure_sends`].
    pub fn read_failure_source(&self, send: Span) -> Option<&'a str> {
        self.read_failure_sends
            .iter()
            .find(|(s, _)| *s == send)
            .map(|(_, src)| *src)
    }

    /// The source a send forwards values read from, when it is in
    /// [`FuncModel::read_driven_sends`].
    pub fn read_driven_source(&self, send: Span) -> Option<&'a str> {
        self.read_driven_sends
            .iter()
            .find(|(s, _)| *s == send)
            .map(|(_, src)| *src)
    }

    /// A `defer x.Close()` outside the goroutines: whoever returns from that function closes
    /// `x` on the way out.
    pub fn closed_on_return(&self, x: &str) -> bool {
        self.deferred_close_calls
            .iter()
            .any(|(c, l)| *c == x && !self.in_goroutine(*l))
    }

    /// The context a guarded send checks before each round ([`FuncModel::guarded_sends`]).
    pub fn send_guard(&self, send: Span) -> Option<&'a str> {
        self.guarded_sends
            .iter()
            .find(|(s, _)| *s == send)
            .map(|(_, g)| *g)
    }

    /// The cancel func of the context local `ctx`.
    pub fn cancel_of(&self, ctx: &str) -> Option<&'a str> {
        self.cancel_funcs
            .iter()
            .find(|(c, _)| *c == ctx)
            .map(|(_, f)| *f)
    }

    /// Whether leaving through case `case` of select `sel` calls `f`: in the case, right after
    /// the loop the case breaks out of, or (when it returns) by a `defer` of the function.
    pub fn case_calls_on_leaving(&self, sel: usize, case: usize, f: &str) -> bool {
        let s = &self.selects[sel];
        let c = &s.cases[case];
        if local_calls(c.body).contains(&f) {
            return true;
        }
        if c.returns {
            self.deferred_calls
                .iter()
                .any(|(d, l)| *d == f && *l == s.lit)
        } else {
            s.loop_id
                .is_some_and(|l| self.after_loop_calls.contains(&(l, f)))
        }
    }

    pub fn has(&self, name: &str, kind: OpKind) -> bool {
        self.ops_on(name).any(|o| o.kind == kind)
    }
}

/// Builds the model of one function declaration.
/// Builds the model of one function declaration; `names` resolves calls as the file's scopes
/// do.
pub fn model<'a>(decl: &'a FuncDecl<'a>, names: Names<'_, 'a>, source: &str) -> FuncModel<'a> {
    // A declaration that spells no channel, goroutine, `select` or `range` has no operation to
    // model: only its discarded calls matter (the callers' side of LH301 across functions).
    if !spells_channels(&source[decl.span.range()]) {
        return FuncModel {
            discarded: discarded_calls(decl),
            ..FuncModel::default()
        };
    }
    let mut b = Builder {
        m: FuncModel::default(),
        names,
        lit: None,
        in_loop: false,
        select: None,
        ctx: false,
        loop_id: None,
        loops: 0,
        depth: 0,
        break_leaves_loop: false,
        trips: Vec::new(),
        lens: Vec::new(),
        started: Vec::new(),
        reachable: true,
        sources: Vec::new(),
        reads: Vec::new(),
        read_exits: Vec::new(),
        failure: None,
    };
    b.ctx = has_ctx_param(&decl.typ, names.imports);
    if let Some(body) = &decl.body {
        b.block(body);
    }
    b.m
}

/// Whether the text may hold a channel type or operation, a `go` statement, a `select` or a
/// `range` (over a channel or not: the walk cannot tell without a model).
fn spells_channels(text: &str) -> bool {
    ["chan", "<-", "select", "range", "close("]
        .iter()
        .any(|w| text.contains(w))
        || text
            .match_indices("go")
            .any(|(i, _)| text[i + 2..].starts_with(|c: char| c.is_ascii_whitespace()))
}

/// The calls whose results a declaration throws away (a call statement, or `_ = f()`), its
/// function literals included, in source order: what the model records of them.
fn discarded_calls<'a>(decl: &'a FuncDecl<'a>) -> Vec<&'a CallExpr<'a>> {
    struct V<'a>(Vec<&'a CallExpr<'a>>);
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            match s {
                Stmt::Expr(e) => {
                    if let Expr::Call(call) = unparen(&e.x) {
                        self.0.push(call);
                    }
                }
                Stmt::Assign(a) => {
                    if let ([Expr::Ident(blank)], [value]) = (a.lhs.as_slice(), a.rhs.as_slice()) {
                        if let (Expr::Call(call), "_") = (unparen(value), blank.name) {
                            self.0.push(call);
                        }
                    }
                }
                _ => {}
            }
            true
        }
    }
    let mut v = V(Vec::new());
    if let Some(body) = &decl.body {
        walk_node(VNode::Block(body), &[], &mut v);
    }
    v.0
}

fn is_ctx_type<'a>(typ: &'a Expr<'a>, imports: &Imports<'a>) -> bool {
    match typ {
        Expr::Selector(s) => {
            s.sel.name == "Context"
                && matches!(s.x, Expr::Ident(p) if imports.path_of(p.name) == Some("context"))
        }
        _ => false,
    }
}

fn has_ctx_param<'a>(typ: &'a FuncType<'a>, imports: &Imports<'a>) -> bool {
    typ.params.list.iter().any(|f| is_ctx_type(&f.typ, imports))
}

/// How many times a loop runs when its header says so with constants: `for i := 0; i < 4;
/// i++`, `for i := 0; i <= 3; i++`, `for range 4`.
fn for_trips(f: &ForStmt<'_>) -> Option<u64> {
    let Some(Stmt::Assign(init)) = f.init else {
        return None;
    };
    let (Some(Expr::Ident(i)), Some(Expr::BasicLit(zero))) =
        (init.lhs.first(), init.rhs.first().map(unparen))
    else {
        return None;
    };
    if init.lhs.len() != 1 || zero.value != "0" {
        return None;
    }
    let Some(Expr::Binary(cond)) = f.cond.as_ref().map(unparen) else {
        return None;
    };
    let (Expr::Ident(x), Expr::BasicLit(n)) = (unparen(cond.x), unparen(cond.y)) else {
        return None;
    };
    let Some(Stmt::IncDec(post)) = f.post else {
        return None;
    };
    if x.name != i.name
        || !post.inc
        || !matches!(unparen(&post.x), Expr::Ident(p) if p.name == i.name)
    {
        return None;
    }
    let n = int_lit(n)?;
    match cond.op {
        BinaryOp::Lt => Some(n),
        BinaryOp::Le => n.checked_add(1),
        _ => None,
    }
}

fn int_lit(l: &BasicLit<'_>) -> Option<u64> {
    (l.kind == LitKind::Int).then(|| l.value.replace('_', "").parse().ok())?
}

struct Builder<'a, 'i> {
    m: FuncModel<'a>,
    names: Names<'i, 'a>,
    lit: Option<usize>,
    in_loop: bool,
    select: Option<usize>,
    ctx: bool,
    /// The innermost loop being walked, and how many loops were seen.
    loop_id: Option<usize>,
    loops: usize,
    /// Loops of the current function (literal) around the statement being walked, the trip
    /// count of each when constant, and whether an unlabelled `break` here leaves a loop
    /// (rather than a `switch` or `select`).
    depth: u32,
    trips: Vec<Option<u64>>,
    break_leaves_loop: bool,
    /// Names bound once to a composite literal, with its length: a range over one runs that
    /// many times. `None` once the name is bound again.
    lens: Vec<(&'a str, Option<u64>)>,
    /// Goroutine literals started earlier in the statement lists being walked (of the current
    /// function literal).
    started: Vec<usize>,
    /// No call that never returns was walked earlier in the statement lists being walked.
    reachable: bool,
    /// `x := f(y, ...)` / `x := y.f(...)`: the local `x` wraps `y` (a decoder over a
    /// connection), latest binding last.
    sources: Vec<(&'a str, &'a str)>,
    /// `err := r.M(...)`, `v, err := r.M(...)`: the error local, the local the read comes
    /// from and where the read is, latest binding last.
    reads: Vec<(&'a str, &'a str, u32)>,
    /// Reads in a loop of a goroutine whose failure branch returns: the source's root local,
    /// where the read is, the literal and the loop depth.
    read_exits: Vec<(&'a str, u32, Option<usize>, u32)>,
    /// Walking a read's failure branch past an `if` on the error that returns: the source, the
    /// offset the branch's remaining statements start at, and the literal.
    failure: Option<(&'a str, u32, Option<usize>)>,
}

fn chan_name<'a>(
    e: &'a Expr<'a>,
    source_of: impl Fn(&'a Expr<'a>) -> Option<&'a str>,
) -> Option<(&'a str, bool)> {
    match unparen(e) {
        Expr::Ident(id) => Some((id.name, true)),
        other => source_of(other).map(|s| (s, false)),
    }
}

/// `a.b.c` as one name, for channels that are fields.
fn selector_path<'a>(e: &'a Expr<'a>) -> Option<&'a str> {
    match e {
        Expr::Selector(s) => match unparen(s.x) {
            Expr::Ident(_) | Expr::Selector(_) => Some(s.sel.name),
            _ => None,
        },
        _ => None,
    }
}

impl<'a> Builder<'a, '_> {
    fn op(&mut self, chan: &'a Expr<'a>, kind: OpKind, span: Span) {
        if let Some((name, local)) = chan_name(chan, selector_path) {
            self.m.ops.push(Op {
                chan: name,
                local,
                kind,
                span,
                lit: self.lit,
                in_loop: self.in_loop,
                select: self.select,
                ctx_in_scope: self.ctx,
                runs_once: false,
                loop_depth: self.depth,
            });
        }
        if !matches!(unparen(chan), Expr::Ident(_)) {
            self.expr(chan);
        }
    }

    fn block(&mut self, b: &'a Block<'a>) {
        self.stmts(&b.stmts);
    }

    fn stmts(&mut self, stmts: &'a [Stmt<'a>]) {
        let started = self.started.len();
        let reachable = self.reachable;
        let mut starts = Vec::with_capacity(stmts.len() + 1);
        let mut sels = Vec::with_capacity(stmts.len() + 1);
        for (i, s) in stmts.iter().enumerate() {
            starts.push(self.m.ops.len());
            sels.push(self.m.selects.len());
            let loop_id = self.loops + 1;
            self.stmt(s);
            let inner = match s {
                Stmt::Labeled(l) => l.stmt,
                s => s,
            };
            if matches!(inner, Stmt::For(_) | Stmt::Range(_)) {
                if let Some(f) = stmts.get(i + 1).and_then(local_call) {
                    self.m.after_loop_calls.push((loop_id, f));
                }
            }
            if matches!(s, Stmt::Expr(e) if self.names.never_returns(&e.x)) {
                self.reachable = false;
            }
        }
        starts.push(self.m.ops.len());
        sels.push(self.m.selects.len());
        self.started.truncate(started);
        // `ch <- v` followed in its list by a `return` and no other send: the last send of
        // its function on that path.
        if let Some(Stmt::Return(_)) = stmts.last() {
            let n = stmts.len();
            for i in (0..n).rev() {
                if let Stmt::Send(send) = &stmts[i] {
                    self.m.sends_then_return.push(send.span);
                    break;
                }
                if self.m.ops[starts[i]..starts[i + 1]]
                    .iter()
                    .any(|o| o.kind == OpKind::Send)
                {
                    break;
                }
            }
        }
        self.reachable = reachable;
        // A list that ends by leaving (a `return`, a call that never returns, or a `break` out
        // of the only loop): a send in its tail with no `continue` or `goto` after it runs at
        // most once, however deep in the loop it sits.
        let names = self.names;
        let break_leaves = self.break_leaves_loop && self.depth == 1;
        if self.depth == 0
            || !stmts
                .last()
                .is_some_and(|s| ends_path(s, &|e| names.never_returns(e), break_leaves))
        {
            return;
        }
        for i in (0..stmts.len()).rev() {
            if jumps_back(&stmts[i], self.depth > 1) {
                break;
            }
            let (lit, depth) = (self.lit, self.depth);
            for op in &mut self.m.ops[starts[i]..starts[i + 1]] {
                if op.kind == OpKind::Send && op.lit == lit && op.loop_depth == depth {
                    op.runs_once = true;
                }
            }
            for sel in &mut self.m.selects[sels[i]..sels[i + 1]] {
                if sel.lit == lit && sel.loop_depth == depth {
                    sel.runs_once = true;
                }
            }
        }
    }

    fn looped(&mut self, trips: Option<u64>, f: impl FnOnce(&mut Self)) {
        self.loops += 1;
        let saved = (
            std::mem::replace(&mut self.in_loop, true),
            self.loop_id.replace(self.loops),
            std::mem::replace(&mut self.break_leaves_loop, true),
        );
        self.depth += 1;
        self.trips.push(trips);
        f(self);
        self.trips.pop();
        self.depth -= 1;
        (self.in_loop, self.loop_id, self.break_leaves_loop) = saved;
    }

    /// Walks the body of a `switch` or `select` case: an unlabelled `break` there leaves it.
    fn in_case(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.break_leaves_loop, false);
        f(self);
        self.break_leaves_loop = saved;
    }

    fn stmt(&mut self, s: &'a Stmt<'a>) {
        match s {
            Stmt::Send(send) => {
                if let Some((src, after, lit)) = self.failure {
                    if send.span.start >= after && lit == self.lit {
                        self.m.read_failure_sends.push((send.span, src));
                    }
                }
                self.op(&send.chan, OpKind::Send, send.span);
                self.expr(&send.value);
            }
            Stmt::Assign(a) => {
                if let ([Expr::Ident(blank)], [value]) = (a.lhs.as_slice(), a.rhs.as_slice()) {
                    if let (Expr::Call(call), "_") = (unparen(value), blank.name) {
                        self.m.discarded.push(call);
                    }
                }
                self.assign(a);
            }
            Stmt::Decl(g) => {
                for spec in &g.specs {
                    if let Spec::Value(v) = spec {
                        for (i, value) in v.values.iter().enumerate() {
                            if let Some(name) = v.names.get(i) {
                                self.bind(name.name, value);
                            }
                            self.expr(value);
                        }
                    }
                }
            }
            Stmt::Expr(e) => {
                if let Expr::Call(call) = unparen(&e.x) {
                    if matches!(call.fun, Expr::Ident(id) if id.name == "close")
                        && call.args.len() == 1
                    {
                        self.op(&call.args[0], OpKind::Close, call.span);
                        return;
                    }
                    // `g.Go(func() error { ... })` (errgroup.Group, sync.WaitGroup from Go
                    // 1.25): the literal runs as a goroutine.
                    if let (Expr::Selector(s), [arg]) = (unparen(call.fun), call.args.as_slice()) {
                        if let (Expr::FuncLit(f), "Go") = (unparen(arg), s.sel.name) {
                            self.expr(s.x);
                            let idx = self.m.lits.len();
                            self.func_lit(f, true, self.loop_id);
                            self.m.lits[idx].group = ident(s.x);
                            self.started.push(idx);
                            return;
                        }
                    }
                    self.wait_group_call(call, e.span().end);
                    self.m.discarded.push(call);
                }
                self.expr(&e.x);
            }
            Stmt::Go(g) => {
                if let Expr::Call(call) = unparen(&g.call) {
                    if let Expr::FuncLit(f) = unparen(call.fun) {
                        let idx = self.m.lits.len();
                        self.func_lit(f, true, self.loop_id);
                        self.exprs(&call.args);
                        self.started.push(idx);
                        return;
                    }
                }
                self.expr(&g.call);
            }
            Stmt::Defer(d) => {
                if let Expr::Call(call) = unparen(&d.call) {
                    if let (Expr::Ident(f), [arg]) = (call.fun, call.args.as_slice()) {
                        if let (Expr::Ident(ch), "close") = (unparen(arg), f.name) {
                            self.m.deferred_closes.push((ch.name, self.lit));
                            self.op(arg, OpKind::Close, call.span);
                            return;
                        }
                    }
                    if let (Expr::Ident(f), []) = (call.fun, call.args.as_slice()) {
                        self.m.deferred_calls.push((f.name, self.lit));
                    }
                    self.wait_group_call(call, u32::MAX);
                    if let (Expr::Selector(s), []) = (call.fun, call.args.as_slice()) {
                        if let (Expr::Ident(x), "Close") = (unparen(s.x), s.sel.name) {
                            self.m.deferred_close_calls.push((x.name, self.lit));
                        }
                    }
                }
                self.expr(&d.call);
            }
            Stmt::Return(r) => {
                for e in &r.results {
                    if let (Expr::Ident(id), None) = (unparen(e), self.lit) {
                        self.m.ops.push(Op {
                            chan: id.name,
                            local: true,
                            kind: OpKind::Returned,
                            span: r.span,
                            lit: None,
                            in_loop: self.in_loop,
                            select: None,
                            ctx_in_scope: self.ctx,
                            runs_once: false,
                            loop_depth: self.depth,
                        });
                    } else {
                        self.expr(e);
                    }
                }
                self.m.exits.push(Exit {
                    reachable: self.reachable,
                    span: r.span,
                    lit: self.lit,
                    started: self.started.clone(),
                    op: self.m.ops.len(),
                    loop_id: self.loop_id,
                });
            }
            Stmt::Labeled(l) => self.stmt(l.stmt),
            Stmt::Block(b) => self.block(b),
            Stmt::If(i) => {
                if let Some(init) = &i.init {
                    self.stmt(init);
                }
                self.expr(&i.cond);
                let saved = self.failure;
                if let Some((err, src, pos)) = self.failed_read(i) {
                    if let Some(after) = terminal_test(&i.body, err) {
                        self.failure = Some((src, after, self.lit));
                    }
                    if self.depth > 0 && i.body.stmts.iter().any(contains_return) {
                        self.read_exits.push((src, pos, self.lit, self.depth));
                    }
                }
                self.block(&i.body);
                self.failure = saved;
                if let Some(e) = &i.els {
                    self.stmt(e);
                }
            }
            Stmt::Switch(sw) => {
                if let Some(init) = &sw.init {
                    self.stmt(init);
                }
                if let Some(t) = &sw.tag {
                    self.expr(t);
                }
                for c in &sw.body {
                    self.exprs(&c.list);
                    self.in_case(|b| b.stmts(&c.body));
                }
            }
            Stmt::TypeSwitch(ts) => {
                if let Some(init) = &ts.init {
                    self.stmt(init);
                }
                self.stmt(ts.assign);
                for c in &ts.body {
                    self.in_case(|b| b.stmts(&c.body));
                }
            }
            Stmt::Select(sel) => self.select(sel),
            Stmt::For(f) => {
                if let Some(init) = &f.init {
                    self.stmt(init);
                }
                if let Some(c) = &f.cond {
                    self.expr(c);
                }
                // `for { v, ok := <-x; if !ok { return }; ... }` takes every value until the
                // close, like a `range`.
                if let Some((x, rest)) = crate::fanin::receive_loop(s) {
                    let names = self.names;
                    if matches!(f.body.stmts.first(), Some(Stmt::Assign(_)))
                        && !loop_escapes(rest, &|e| names.never_returns(e))
                    {
                        self.m.drains.push((x, self.lit));
                    }
                }
                if f.cond.is_none() && self.m.in_goroutine(self.lit) {
                    let escapes = loop_escapes(&f.body.stmts, &|e| self.names.never_returns(e));
                    self.m.endless.push(Endless {
                        span: f.span,
                        ticker: false,
                        escapes,
                    });
                }
                let start = self.m.ops.len();
                self.looped(for_trips(f), |b| {
                    if let Some(p) = &f.post {
                        b.stmt(p);
                    }
                    b.block(&f.body);
                });
                self.round_sends(&f.body, start);
            }
            Stmt::Range(r) => {
                // Over a container (not a channel: `range ch` has no second variable, and a
                // channel named by a selector is rare): its values' origin is elsewhere.
                if r.tok == Some(AssignOp::Define) {
                    if let Some(Expr::Ident(v)) = r.value.as_ref().map(unparen) {
                        self.m.elements.push(v.name);
                    }
                }
                self.op(&r.x, OpKind::Range, r.span);
                if let Some(x) = ident(&r.x) {
                    let names = self.names;
                    if !loop_escapes(&r.body.stmts, &|e| names.never_returns(e)) {
                        self.m.drains.push((x, self.lit));
                    }
                }
                if let Expr::Selector(s) = unparen(&r.x) {
                    let ticker = s.sel.name == "C"
                        && matches!(unparen(s.x), Expr::Ident(id) if self.m.tickers.contains(&id.name));
                    if ticker && self.m.in_goroutine(self.lit) {
                        let escapes = loop_escapes(&r.body.stmts, &|e| self.names.never_returns(e));
                        self.m.endless.push(Endless {
                            span: r.span,
                            ticker: true,
                            escapes,
                        });
                    }
                }
                let trips = match unparen(&r.x) {
                    Expr::BasicLit(n) => int_lit(n),
                    Expr::Ident(id) => self
                        .lens
                        .iter()
                        .find(|(n, _)| *n == id.name)
                        .and_then(|(_, len)| *len),
                    _ => None,
                };
                let start = self.m.ops.len();
                self.looped(trips, |b| b.block(&r.body));
                self.round_sends(&r.body, start);
            }
            Stmt::IncDec(i) => self.expr(&i.x),
            Stmt::Branch(_) | Stmt::Empty(_) | Stmt::Bad(_) => {}
        }
    }

    /// `if err != nil` on the error of a read (`if err := r.M(...); err != nil`, or after
    /// `v, err := r.M(...)`): the error local, the root local of the read's source and where
    /// the read is.
    fn failed_read(&self, i: &'a IfStmt<'a>) -> Option<(&'a str, &'a str, u32)> {
        let Expr::Binary(b) = unparen(&i.cond) else {
            return None;
        };
        let (Expr::Ident(err), Expr::Ident(nil)) = (unparen(b.x), unparen(b.y)) else {
            return None;
        };
        if b.op != BinaryOp::Ne || nil.name != "nil" {
            return None;
        }
        let (src, pos) = match i.init {
            Some(Stmt::Assign(a)) => read_of(a)
                .filter(|(e, _)| *e == err.name)
                .map(|r| (r.1, i.span.start)),
            _ => None,
        }
        .or_else(|| {
            self.reads
                .iter()
                .rev()
                .find(|(e, ..)| *e == err.name)
                .map(|r| (r.1, r.2))
        })?;
        Some((err.name, self.source_root(src), pos))
    }

    /// `wg.Done()` marks the goroutine it runs in as tracked by `wg`; `wg.Wait()` is recorded
    /// with where it returns (`u32::MAX` when deferred: it runs last).
    fn wait_group_call(&mut self, call: &'a CallExpr<'a>, at: u32) {
        let (Expr::Selector(s), []) = (unparen(call.fun), call.args.as_slice()) else {
            return;
        };
        let Some(wg) = ident(s.x) else {
            return;
        };
        match s.sel.name {
            "Done" => {
                if let Some(g) = self.m.go_root(self.lit) {
                    self.m.lits[g].group.get_or_insert(wg);
                }
            }
            "Wait" if at != u32::MAX => self.m.waits.push((wg, self.lit, at)),
            _ => {}
        }
    }

    /// After walking a loop of a goroutine, its sends at the loop's own level: those after a
    /// read of the round whose failure returns are driven by the read's source; those after a
    /// `select` of the body that leaves the loop on `<-x.Done()` run at most once per check.
    fn round_sends(&mut self, body: &'a Block<'a>, start: usize) {
        if !self.m.in_goroutine(self.lit) {
            return;
        }
        let (lit, depth) = (self.lit, self.depth + 1);
        for &(src, pos, l, d) in &self.read_exits {
            if l != lit || d != depth {
                continue;
            }
            for op in &self.m.ops[start..] {
                if op.kind == OpKind::Send
                    && op.lit == lit
                    && op.loop_depth == depth
                    && op.select.is_none()
                    && op.span.start > pos
                {
                    self.m.read_driven_sends.push((op.span, src));
                }
            }
        }
        self.read_exits
            .retain(|&(_, _, l, d)| l != lit || d != depth);
        let guard = body.stmts.iter().find_map(|s| {
            let Stmt::Select(sel) = s else {
                return None;
            };
            sel.body.iter().find_map(|clause| {
                let Some(Stmt::Expr(e)) = clause.comm else {
                    return None;
                };
                let Expr::Unary(u) = unparen(&e.x) else {
                    return None;
                };
                let Expr::Call(c) = unparen(u.x) else {
                    return None;
                };
                let Expr::Selector(done) = unparen(c.fun) else {
                    return None;
                };
                (u.op == UnaryOp::Recv && done.sel.name == "Done" && clause_leaves(&clause.body))
                    .then(|| ident(done.x).map(|x| (x, sel.span.start)))
                    .flatten()
            })
        });
        let Some((x, after)) = guard else {
            return;
        };
        for op in &self.m.ops[start..] {
            if op.kind == OpKind::Send
                && op.lit == lit
                && op.loop_depth == depth
                && op.select.is_none()
                && op.span.start > after
            {
                self.m.guarded_sends.push((op.span, x));
            }
        }
    }

    /// The local a chain of wrappers is built on: `p` for `dec` after `dec := NewDecoder(p)`.
    fn source_root(&self, mut x: &'a str) -> &'a str {
        for _ in 0..4 {
            match self.sources.iter().rev().find(|(w, _)| *w == x) {
                Some((_, y)) if *y != x => x = y,
                _ => break,
            }
        }
        x
    }

    fn assign(&mut self, a: &'a AssignStmt<'a>) {
        if let Some((err, src)) = read_of(a) {
            self.reads.push((err, src, a.span.start));
        }
        if let ([Expr::Ident(ctx), Expr::Ident(cancel)], [Expr::Call(c)]) =
            (a.lhs.as_slice(), a.rhs.as_slice())
        {
            let with = matches!(c.fun, Expr::Selector(s) if s.sel.name.starts_with("With"))
                && self.names.resolve(c.fun).is_some_and(|(path, f)| {
                    path == "context"
                        && matches!(
                            f,
                            "WithCancel"
                                | "WithTimeout"
                                | "WithDeadline"
                                | "WithCancelCause"
                                | "WithTimeoutCause"
                                | "WithDeadlineCause"
                        )
                });
            if with {
                self.m.cancel_funcs.push((ctx.name, cancel.name));
            }
        }
        if let ([Expr::Ident(w)], [Expr::Call(c)]) = (a.lhs.as_slice(), a.rhs.as_slice()) {
            let wrapped = match c.fun {
                Expr::Selector(s) => ident(s.x).filter(|x| !self.names.imports.is_import_name(x)),
                _ => None,
            }
            .or_else(|| c.args.iter().find_map(ident));
            if let Some(y) = wrapped {
                self.sources.push((w.name, y));
            }
        }
        if a.lhs.len() == a.rhs.len() {
            for (l, r) in a.lhs.iter().zip(&a.rhs) {
                if let Expr::Ident(id) = unparen(l) {
                    self.bind(id.name, r);
                } else {
                    self.expr(l);
                }
            }
        } else {
            for l in &a.lhs {
                if let Expr::Ident(id) = unparen(l) {
                    self.rebound(id.name);
                }
            }
            self.exprs(&a.lhs);
        }
        for r in &a.rhs {
            self.expr(r);
        }
    }

    /// A name bound again: its literal length no longer holds.
    fn rebound(&mut self, name: &str) {
        for (n, len) in &mut self.lens {
            if *n == name {
                *len = None;
            }
        }
    }

    /// Records `name := make(chan T[, n])` and `name := time.NewTicker(d)`.
    fn bind(&mut self, name: &'a str, value: &'a Expr<'a>) {
        self.rebound(name);
        if let Expr::CompositeLit(c) = unparen(value) {
            // `[]T{5: x}` has six elements: count only literals without keys, or maps.
            let keyed = c.elts.iter().any(|e| matches!(e, Expr::KeyValue(_)));
            let len =
                (!keyed || matches!(c.typ, Some(Expr::MapType(_)))).then_some(c.elts.len() as u64);
            self.lens.push((name, len));
        }
        let Expr::Call(call) = unparen(value) else {
            return;
        };
        match call.fun {
            Expr::Ident(id)
                if id.name == "make" && matches!(call.args.first(), Some(Expr::ChanType(_))) =>
            {
                let cap = match call.args.get(1).map(unparen) {
                    None => Cap::Known(0),
                    Some(Expr::BasicLit(l)) if l.kind == LitKind::Int => l
                        .value
                        .replace('_', "")
                        .parse()
                        .map_or(Cap::Unknown, Cap::Known),
                    Some(_) => Cap::Unknown,
                };
                // A second `make` of the same name is a different channel (sibling function
                // literals that each make their own): the model is by name and cannot tell
                // their operations apart, so it forgets the capacity of both.
                if let Some(i) = self.m.makes.iter().position(|m| m.name == name) {
                    self.m.makes[i].cap = Cap::Unknown;
                } else {
                    self.m.makes.push(Make {
                        name,
                        span: call.span,
                        cap,
                        loop_id: self.loop_id,
                    });
                }
            }
            // The name first: resolving costs a look through the imports.
            Expr::Selector(SelectorExpr { sel, .. }) | Expr::Ident(sel)
                if sel.name == "NewTicker"
                    && self.names.resolve(call.fun) == Some(("time", "NewTicker")) =>
            {
                self.m.tickers.push(name);
            }
            _ => {}
        }
    }

    fn select(&mut self, sel: &'a SelectStmt<'a>) {
        let idx = self.m.selects.len();
        self.m.selects.push(Select {
            span: sel.span,
            cases: Vec::new(),
            in_loop: self.in_loop,
            runs_once: false,
            lit: self.lit,
            loop_depth: self.depth,
            loop_id: self.loop_id,
        });
        // Every case's channel operation first: they are all waited on before any body runs.
        for clause in &sel.body {
            let mut case = Case {
                chan: None,
                recv_call: None,
                leaves_normally: clause_leaves(&clause.body),
                returns: clause.body.iter().any(contains_return),
                span: clause.span,
                fatal: clause.body.iter().any(|s| {
                    matches!(s, Stmt::Expr(e) if self.names.never_returns(&e.x)
                    || done_of(clause.comm).is_some_and(|ctx| {
                        asserts_no_err_of(&e.x, ctx, |f| self.names.resolve(f))
                    }))
                }),
                comma_ok: false,
                body: &clause.body,
            };
            if let Some(comm) = &clause.comm {
                let recv = match &**comm {
                    Stmt::Send(s) => {
                        case.chan = ident(&s.chan);
                        self.select = Some(idx);
                        self.op(&s.chan, OpKind::Send, s.span);
                        self.select = None;
                        self.expr(&s.value);
                        None
                    }
                    Stmt::Expr(e) => Some(&e.x),
                    Stmt::Assign(a) => {
                        case.comma_ok = a.lhs.len() == 2;
                        self.exprs(&a.lhs);
                        a.rhs.first()
                    }
                    _ => None,
                };
                if let Some(Expr::Unary(u)) = recv.map(unparen) {
                    if u.op == UnaryOp::Recv {
                        case.chan = ident(u.x);
                        if let Expr::Call(c) = unparen(u.x) {
                            match c.fun {
                                Expr::Ident(id) => case.recv_call = Some((id.name, false)),
                                Expr::Selector(s) => case.recv_call = Some((s.sel.name, true)),
                                _ => {}
                            }
                        }
                        self.select = Some(idx);
                        self.op(u.x, OpKind::Recv, u.span);
                        self.select = None;
                    }
                }
            }
            self.m.selects[idx].cases.push(case);
        }
        for clause in &sel.body {
            self.in_case(|b| b.stmts(&clause.body));
        }
    }

    fn func_lit(&mut self, f: &'a FuncLit<'a>, is_go: bool, go_loop: Option<usize>) {
        let idx = self.m.lits.len();
        let own_ctx = has_ctx_param(&f.typ, self.names.imports);
        let go_trips = self.trips.iter().copied().product::<Option<u64>>();
        self.m.lits.push(Lit {
            is_go,
            go_loop,
            go_trips,
            parent: self.lit,
            ops_end: 0,
            group: None,
        });
        let saved = (
            self.lit,
            self.in_loop,
            self.ctx,
            self.loop_id,
            self.depth,
            self.break_leaves_loop,
        );
        let saved_trips = std::mem::take(&mut self.trips);
        let saved_started = std::mem::take(&mut self.started);
        let saved_reachable = std::mem::replace(&mut self.reachable, true);
        self.lit = Some(idx);
        self.in_loop = false;
        self.loop_id = None;
        self.depth = 0;
        self.break_leaves_loop = false;
        self.ctx = self.ctx || own_ctx;
        self.block(&f.body);
        (
            self.lit,
            self.in_loop,
            self.ctx,
            self.loop_id,
            self.depth,
            self.break_leaves_loop,
        ) = saved;
        self.trips = saved_trips;
        self.started = saved_started;
        self.reachable = saved_reachable;
        self.m.lits[idx].ops_end = self.m.ops.len();
    }

    fn exprs(&mut self, es: &'a [Expr<'a>]) {
        for e in es {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &'a Expr<'a>) {
        match e {
            Expr::Ident(id) => {
                self.m.ops.push(Op {
                    chan: id.name,
                    local: true,
                    kind: OpKind::Escapes,
                    span: id.span,
                    lit: self.lit,
                    in_loop: self.in_loop,
                    select: None,
                    ctx_in_scope: self.ctx,
                    runs_once: false,
                    loop_depth: self.depth,
                });
            }
            Expr::Unary(u) if u.op == UnaryOp::Recv => self.op(u.x, OpKind::Recv, u.span),
            Expr::Call(c) => {
                // len(ch) and cap(ch) only look at the channel.
                if matches!(c.fun, Expr::Ident(id) if id.name == "len" || id.name == "cap") {
                    return;
                }
                self.expr(c.fun);
                self.exprs(&c.args);
            }
            Expr::FuncLit(f) => self.func_lit(f, false, None),
            Expr::CompositeLit(c) => self.exprs(&c.elts),
            Expr::Paren(p) => self.expr(p.x),
            Expr::Selector(s) => self.expr(s.x),
            Expr::Index(i) => {
                self.expr(i.x);
                self.exprs(&i.indices);
            }
            Expr::Slice(s) => self.expr(&s.x),
            Expr::TypeAssert(t) => self.expr(t.x),
            Expr::Star(s) => self.expr(s.x),
            Expr::Unary(u) => self.expr(u.x),
            Expr::Binary(b) => {
                self.expr(b.x);
                self.expr(b.y);
            }
            Expr::KeyValue(kv) => self.expr(kv.value),
            _ => {}
        }
    }
}

/// In a read's failure branch, an `if` on the error that returns (`if err == io.EOF { return
/// }`): where the statements after it start.
fn terminal_test<'a>(body: &'a Block<'a>, err: &str) -> Option<u32> {
    body.stmts
        .iter()
        .find(|s| match s {
            Stmt::If(t) => {
                mentions(&t.cond, err)
                    && t.body
                        .stmts
                        .last()
                        .is_some_and(|l| matches!(l, Stmt::Return(_)))
            }
            _ => false,
        })
        .map(|t| t.span().end)
}

/// `<-ctx.Done()` as a `select` case: `ctx`.
fn done_of<'a>(comm: Option<&'a Stmt<'a>>) -> Option<&'a str> {
    let Some(Stmt::Expr(e)) = comm else {
        return None;
    };
    let Expr::Unary(u) = unparen(&e.x) else {
        return None;
    };
    let Expr::Call(c) = unparen(u.x) else {
        return None;
    };
    match unparen(c.fun) {
        Expr::Selector(s) if u.op == UnaryOp::Recv && s.sel.name == "Done" && c.args.is_empty() => {
            ident(s.x)
        }
        _ => None,
    }
}

/// `f()` as a statement, `f` an identifier: the call of a local function value.
fn local_call<'a>(s: &'a Stmt<'a>) -> Option<&'a str> {
    match s {
        Stmt::Expr(e) => match unparen(&e.x) {
            Expr::Call(c) if c.args.is_empty() => ident(c.fun),
            _ => None,
        },
        _ => None,
    }
}

/// The local function values called as statements in `stmts`, nested statements included,
/// function literals not.
fn local_calls<'a>(stmts: &'a [Stmt<'a>]) -> Vec<&'a str> {
    struct V<'a>(Vec<&'a str>);
    impl<'a> Visitor<'a> for V<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Some(f) = local_call(s) {
                self.0.push(f);
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            !matches!(e, Expr::FuncLit(_))
        }
    }
    let mut v = V(Vec::new());
    for s in stmts {
        walk_node(VNode::Stmt(s), &[], &mut v);
    }
    v.0
}

/// `err := r.M(...)` or `v, err := r.M(...)` (also `=`): the error local and the receiver.
fn read_of<'a>(a: &'a AssignStmt<'a>) -> Option<(&'a str, &'a str)> {
    let ([.., Expr::Ident(err)], [Expr::Call(c)]) = (a.lhs.as_slice(), a.rhs.as_slice()) else {
        return None;
    };
    let Expr::Selector(s) = unparen(c.fun) else {
        return None;
    };
    Some((err.name, ident(s.x)?))
}

/// The name of a plain identifier, through parentheses.
pub(crate) fn ident<'a>(e: &'a Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Ident(id) => Some(id.name),
        _ => None,
    }
}
