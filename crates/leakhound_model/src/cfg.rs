//! A control-flow view of one function body: basic blocks of statements and the edges between
//! them, built from the syntax tree alone.
//!
//! Every `if`/`else`, `switch`, type switch, `select`, `for` and `range` (with `break`,
//! `continue`, labels, `goto` and `fallthrough`) becomes edges; a `return` and the end of the
//! body lead to the one [`EXIT`] block; a call that never returns (the caller says which:
//! `panic`, `os.Exit`, `log.Fatal*`, `t.Fatal*`, `runtime.Goexit`) ends its block with no
//! successor, and so does `select {}`. Function literals are not entered: each has its own view.
//! `defer` statements stay in the block that registers them, so a forward pass over the blocks
//! knows which defers are registered on each path ([`Cfg::forward`]).
//!
//! Rules ask their questions ("is a lock still held at this return", "which locks are held at
//! this send") as forward data-flow problems over these blocks. Questions about one statement
//! list ("does this loop body ever leave the loop", "does this case return") are answered by
//! the flow predicates at the end of this module, on the tree itself, with the same edges.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

pub type BlockId = usize;

/// The entry block: the first statement of the body.
pub const ENTRY: BlockId = 0;
/// The exit block: every `return` and the end of the body lead here; it has no nodes.
pub const EXIT: BlockId = 1;

/// One step of a block, in execution order.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    /// A simple statement: an expression, send, inc/dec, assignment, declaration, `go`,
    /// `defer` or `return` statement.
    Stmt(&'a Stmt<'a>),
    /// An expression evaluated to choose a branch: an `if` or `for` condition, a `switch` tag or
    /// case value.
    Cond(&'a Expr<'a>),
    /// The header of a `range` loop, evaluated before each iteration (a receive when it ranges
    /// over a channel); it binds the loop's key and value.
    Range(&'a RangeStmt<'a>),
    /// A `select`: where the goroutine waits until one of its cases can proceed.
    Select(&'a SelectStmt<'a>),
    /// The send or receive of the `select` case whose body follows.
    Comm(&'a Stmt<'a>),
}

/// How control leaves a block that has no successor inside the function body.
#[derive(Clone, Copy, Debug)]
pub enum Term<'a> {
    /// Control goes on to the successors (none for `select {}` or an unresolved `goto`).
    Jump,
    /// `return`; the successor is [`EXIT`].
    Return(&'a ReturnStmt<'a>),
    /// The end of the body; the span is the closing brace. The successor is [`EXIT`].
    End(Span),
    /// A call that never returns ends the path; no successor.
    NoReturn(&'a Expr<'a>),
}

#[derive(Clone, Debug)]
pub struct BasicBlock<'a> {
    pub nodes: Vec<Node<'a>>,
    pub succs: Vec<BlockId>,
    pub term: Term<'a>,
}

/// A loop of the body: its header block (the condition or `range`) and its statement.
#[derive(Clone, Copy, Debug)]
pub struct Loop<'a> {
    pub head: BlockId,
    pub stmt: &'a Stmt<'a>,
}

#[derive(Clone, Debug)]
pub struct Cfg<'a> {
    pub blocks: Vec<BasicBlock<'a>>,
    pub loops: Vec<Loop<'a>>,
}

/// A jump target for `break` and `continue`.
struct Target<'a> {
    label: Option<&'a str>,
    brk: BlockId,
    /// `None` for `switch` and `select`, which `continue` passes through.
    cont: Option<BlockId>,
}

struct Builder<'a, 'p> {
    blocks: Vec<BasicBlock<'a>>,
    loops: Vec<Loop<'a>>,
    /// The block statements are appended to; `None` after a jump (dead code follows).
    cur: Option<BlockId>,
    targets: Vec<Target<'a>>,
    labels: Vec<(&'a str, BlockId)>,
    gotos: Vec<(BlockId, &'a str)>,
    /// The label of the statement being built, for `break L` / `continue L`.
    label: Option<&'a str>,
    /// Where `fallthrough` in the current case clause goes.
    fallthrough: Option<BlockId>,
    never_returns: &'p dyn Fn(&'a Expr<'a>) -> bool,
}

impl<'a> Cfg<'a> {
    /// Builds the view of a function body. `never_returns` says which calls end a path (it is
    /// asked about the expression of each expression statement).
    pub fn build(body: &'a Block<'a>, never_returns: &dyn Fn(&'a Expr<'a>) -> bool) -> Cfg<'a> {
        let mut b = Builder {
            blocks: Vec::new(),
            loops: Vec::new(),
            cur: None,
            targets: Vec::new(),
            labels: Vec::new(),
            gotos: Vec::new(),
            label: None,
            fallthrough: None,
            never_returns,
        };
        let entry = b.new_block();
        let exit = b.new_block();
        debug_assert_eq!((entry, exit), (ENTRY, EXIT));
        b.cur = Some(entry);
        b.stmts(&body.stmts);
        if let Some(cur) = b.cur {
            let close = Span::new(body.span.end.saturating_sub(1), body.span.end);
            b.blocks[cur].term = Term::End(close);
            b.edge(cur, EXIT);
        }
        for (from, label) in std::mem::take(&mut b.gotos) {
            if let Some(&(_, to)) = b.labels.iter().find(|(l, _)| *l == label) {
                b.edge(from, to);
            }
        }
        Cfg {
            blocks: b.blocks,
            loops: b.loops,
        }
    }

    /// The predecessors of every block.
    pub fn preds(&self) -> Vec<Vec<BlockId>> {
        let mut preds = vec![Vec::new(); self.blocks.len()];
        for (i, b) in self.blocks.iter().enumerate() {
            for &s in &b.succs {
                preds[s].push(i);
            }
        }
        preds
    }

    /// Blocks reachable from `from` (itself included).
    pub fn reachable_from(&self, from: BlockId) -> Vec<bool> {
        let mut seen = vec![false; self.blocks.len()];
        let mut stack = vec![from];
        while let Some(b) = stack.pop() {
            if b >= seen.len() || std::mem::replace(&mut seen[b], true) {
                continue;
            }
            stack.extend(self.blocks[b].succs.iter().copied());
        }
        seen
    }

    /// Blocks from which [`EXIT`] can be reached: the others only loop forever or end in a
    /// call that never returns.
    pub fn reaches_exit(&self) -> Vec<bool> {
        let preds = self.preds();
        let mut seen = vec![false; self.blocks.len()];
        let mut stack = vec![EXIT];
        while let Some(b) = stack.pop() {
            if std::mem::replace(&mut seen[b], true) {
                continue;
            }
            stack.extend(preds[b].iter().copied());
        }
        seen
    }

    /// A forward data-flow pass: the state at the start of every block reachable from
    /// [`ENTRY`] (`None` for dead code). `transfer` applies one node to a state; `join` merges
    /// a predecessor's out-state into a block's in-state and says whether it changed. With a
    /// finite lattice the pass reaches its fixed point; the number of block visits is bounded
    /// all the same, so a non-monotone transfer cannot loop forever.
    pub fn forward<S: Clone>(
        &self,
        entry: S,
        mut transfer: impl FnMut(&Node<'a>, &mut S),
        join: impl FnMut(&mut S, &S) -> bool,
    ) -> Vec<Option<S>> {
        self.forward_blocks(
            entry,
            |b, state| {
                for node in &self.blocks[b].nodes {
                    transfer(node, state);
                }
            },
            join,
        )
    }

    /// [`Cfg::forward`] with a transfer function per block: for callers that prepared
    /// something per block (or per node, by index) before the pass.
    pub fn forward_blocks<S: Clone>(
        &self,
        entry: S,
        mut transfer: impl FnMut(BlockId, &mut S),
        mut join: impl FnMut(&mut S, &S) -> bool,
    ) -> Vec<Option<S>> {
        let mut states: Vec<Option<S>> = vec![None; self.blocks.len()];
        states[ENTRY] = Some(entry);
        let mut work = vec![ENTRY];
        let mut queued = vec![false; self.blocks.len()];
        queued[ENTRY] = true;
        let mut budget = self.blocks.len().saturating_mul(64).max(1024);
        while let Some(b) = work.pop() {
            queued[b] = false;
            if budget == 0 {
                break;
            }
            budget -= 1;
            let Some(mut state) = states[b].clone() else {
                continue;
            };
            transfer(b, &mut state);
            for &s in &self.blocks[b].succs {
                let changed = match &mut states[s] {
                    Some(existing) => join(existing, &state),
                    slot @ None => {
                        *slot = Some(state.clone());
                        true
                    }
                };
                if changed && !queued[s] {
                    queued[s] = true;
                    work.push(s);
                }
            }
        }
        states
    }
}

impl<'a> Builder<'a, '_> {
    fn new_block(&mut self) -> BlockId {
        self.blocks.push(BasicBlock {
            nodes: Vec::new(),
            succs: Vec::new(),
            term: Term::Jump,
        });
        self.blocks.len() - 1
    }

    fn edge(&mut self, from: BlockId, to: BlockId) {
        if !self.blocks[from].succs.contains(&to) {
            self.blocks[from].succs.push(to);
        }
    }

    /// The block to append to; dead code gets a block of its own, unreachable from the entry.
    fn current(&mut self) -> BlockId {
        match self.cur {
            Some(b) => b,
            None => {
                let b = self.new_block();
                self.cur = Some(b);
                b
            }
        }
    }

    fn push(&mut self, node: Node<'a>) {
        let b = self.current();
        self.blocks[b].nodes.push(node);
    }

    /// Ends the current block with an edge to `to`; what follows is dead until a new block.
    fn jump(&mut self, to: BlockId) {
        if let Some(cur) = self.cur.take() {
            self.edge(cur, to);
        }
    }

    /// Continues in `next`, falling into it from the current block if that is live.
    fn start(&mut self, next: BlockId) {
        self.jump(next);
        self.cur = Some(next);
    }

    fn stmts(&mut self, stmts: &'a [Stmt<'a>]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a Stmt<'a>) {
        let label = self.label.take();
        match s {
            Stmt::Expr(e) => {
                self.push(Node::Stmt(s));
                if (self.never_returns)(&e.x) {
                    if let Some(cur) = self.cur.take() {
                        self.blocks[cur].term = Term::NoReturn(&e.x);
                    }
                }
            }
            Stmt::Decl(_)
            | Stmt::Send(_)
            | Stmt::IncDec(_)
            | Stmt::Assign(_)
            | Stmt::Go(_)
            | Stmt::Defer(_) => self.push(Node::Stmt(s)),
            Stmt::Empty(_) | Stmt::Bad(_) => {}
            Stmt::Return(r) => {
                self.push(Node::Stmt(s));
                if let Some(cur) = self.cur.take() {
                    self.blocks[cur].term = Term::Return(r);
                    self.edge(cur, EXIT);
                }
            }
            Stmt::Block(b) => self.stmts(&b.stmts),
            Stmt::Labeled(l) => {
                let target = self.new_block();
                self.start(target);
                self.labels.push((l.label.name, target));
                self.label = Some(l.label.name);
                self.stmt(l.stmt);
                self.label = None;
            }
            Stmt::Branch(b) => self.branch(b),
            Stmt::If(i) => {
                if let Some(init) = &i.init {
                    self.stmt(init);
                }
                self.push(Node::Cond(&i.cond));
                let head = self.current();
                let after = self.new_block();
                let then = self.new_block();
                self.edge(head, then);
                self.cur = Some(then);
                self.stmts(&i.body.stmts);
                self.jump(after);
                match &i.els {
                    Some(els) => {
                        let other = self.new_block();
                        self.edge(head, other);
                        self.cur = Some(other);
                        self.stmt(els);
                        self.jump(after);
                    }
                    None => self.edge(head, after),
                }
                self.cur = Some(after);
            }
            Stmt::Switch(sw) => {
                if let Some(init) = &sw.init {
                    self.stmt(init);
                }
                if let Some(tag) = &sw.tag {
                    self.push(Node::Cond(tag));
                }
                for clause in &sw.body {
                    for e in &clause.list {
                        self.push(Node::Cond(e));
                    }
                }
                self.clauses(&sw.body, label);
            }
            Stmt::TypeSwitch(ts) => {
                if let Some(init) = &ts.init {
                    self.stmt(init);
                }
                self.push(Node::Stmt(ts.assign));
                self.clauses(&ts.body, label);
            }
            Stmt::Select(sel) => {
                self.push(Node::Select(sel));
                let head = self.current();
                let after = self.new_block();
                self.targets.push(Target {
                    label,
                    brk: after,
                    cont: None,
                });
                for clause in &sel.body {
                    let case = self.new_block();
                    self.edge(head, case);
                    self.cur = Some(case);
                    if let Some(comm) = &clause.comm {
                        self.push(Node::Comm(comm));
                    }
                    self.stmts(&clause.body);
                    self.jump(after);
                }
                self.targets.pop();
                // `select {}` blocks forever: nothing reaches `after` but a `break` or `goto`.
                self.cur = Some(after);
            }
            Stmt::For(f) => {
                if let Some(init) = &f.init {
                    self.stmt(init);
                }
                let head = self.new_block();
                self.start(head);
                self.loops.push(Loop { head, stmt: s });
                if let Some(cond) = &f.cond {
                    self.push(Node::Cond(cond));
                }
                let body = self.new_block();
                let post = self.new_block();
                let after = self.new_block();
                self.edge(head, body);
                if f.cond.is_some() {
                    self.edge(head, after);
                }
                self.targets.push(Target {
                    label,
                    brk: after,
                    cont: Some(post),
                });
                self.cur = Some(body);
                self.stmts(&f.body.stmts);
                self.targets.pop();
                self.start(post);
                if let Some(p) = &f.post {
                    self.stmt(p);
                }
                self.jump(head);
                self.cur = Some(after);
            }
            Stmt::Range(r) => {
                let head = self.new_block();
                self.start(head);
                self.loops.push(Loop { head, stmt: s });
                self.push(Node::Range(r));
                let body = self.new_block();
                let after = self.new_block();
                self.edge(head, body);
                self.edge(head, after);
                self.targets.push(Target {
                    label,
                    brk: after,
                    cont: Some(head),
                });
                self.cur = Some(body);
                self.stmts(&r.body.stmts);
                self.targets.pop();
                self.jump(head);
                self.cur = Some(after);
            }
        }
    }

    /// The clauses of a `switch` or type switch: from the header to each clause body (and past
    /// the switch when there is no `default`), `fallthrough` into the next body.
    fn clauses(&mut self, clauses: &'a [CaseClause<'a>], label: Option<&'a str>) {
        let head = self.current();
        let after = self.new_block();
        let bodies: Vec<BlockId> = clauses.iter().map(|_| self.new_block()).collect();
        for &b in &bodies {
            self.edge(head, b);
        }
        if !clauses.iter().any(|c| c.is_default) {
            self.edge(head, after);
        }
        self.targets.push(Target {
            label,
            brk: after,
            cont: None,
        });
        let saved = self.fallthrough;
        for (i, clause) in clauses.iter().enumerate() {
            self.fallthrough = bodies.get(i + 1).copied();
            self.cur = Some(bodies[i]);
            self.stmts(&clause.body);
            self.jump(after);
        }
        self.fallthrough = saved;
        self.targets.pop();
        self.cur = Some(after);
    }

    fn branch(&mut self, b: &'a BranchStmt<'a>) {
        let label = b.label.map(|l| l.name);
        let to = match b.kind {
            BranchKind::Break => self
                .targets
                .iter()
                .rev()
                .find(|t| label.is_none() || t.label == label)
                .map(|t| t.brk),
            BranchKind::Continue => self
                .targets
                .iter()
                .rev()
                .filter(|t| t.cont.is_some())
                .find(|t| label.is_none() || t.label == label)
                .and_then(|t| t.cont),
            BranchKind::Fallthrough => self.fallthrough,
            BranchKind::Goto => {
                if let (Some(label), Some(cur)) = (label, self.cur) {
                    self.gotos.push((cur, label));
                }
                None
            }
        };
        match to {
            Some(to) => self.jump(to),
            None => self.cur = None,
        }
    }
}

// ---- Flow predicates ----
//
// The questions the analyses ask of a statement list without building its blocks: does it
// return, can it go back to the top of its loop, can it leave its loop, does it end the path.
// They follow the same edges as the view (labels, `goto`, an unlabelled `break` leaving only
// the innermost `switch`, `select` or loop, calls that never return) and do not enter
// function literals either.

/// Whether the statement contains a `return` of its own function (function literals are not
/// followed).
pub fn contains_return(s: &Stmt<'_>) -> bool {
    let mut found = matches!(s, Stmt::Return(_));
    for_children(s, &mut |c| found |= c.iter().any(contains_return));
    found
}

/// Whether a loop with this body runs it at most once: its last statement leaves (a `return`,
/// a call that never returns, an unlabelled `break`) and nothing in it goes back to the top.
/// A `range` over a channel with such a body is a single receive, not a loop waiting for a
/// close.
pub fn runs_at_most_once<'a>(
    body: &'a [Stmt<'a>],
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
) -> bool {
    let leaves = match body.last() {
        Some(Stmt::Return(_)) => true,
        Some(Stmt::Branch(b)) => b.kind == BranchKind::Break && b.label.is_none(),
        Some(Stmt::Expr(e)) => never_returns(&e.x),
        _ => false,
    };
    leaves && !body.iter().any(|s| jumps_back(s, false))
}

/// Whether the statement can go back to the top of a loop around it: a `continue` or `goto`
/// (an unlabelled `continue` of a nested loop only restarts that loop), or, with
/// `breaks_too`, any `break` (it may leave an inner loop of an outer one that repeats).
pub fn jumps_back(s: &Stmt<'_>, breaks_too: bool) -> bool {
    fn walk(s: &Stmt<'_>, breaks_too: bool, nested_loop: bool) -> bool {
        match s {
            Stmt::Branch(b) => match b.kind {
                BranchKind::Goto => true,
                BranchKind::Continue => b.label.is_some() || !nested_loop,
                BranchKind::Break => breaks_too,
                BranchKind::Fallthrough => false,
            },
            Stmt::For(f) => f.body.stmts.iter().any(|c| walk(c, breaks_too, true)),
            Stmt::Range(r) => r.body.stmts.iter().any(|c| walk(c, breaks_too, true)),
            _ => {
                let mut found = false;
                for_children(s, &mut |c| {
                    found |= c.iter().any(|c| walk(c, breaks_too, nested_loop));
                });
                found
            }
        }
    }
    walk(s, breaks_too, false)
}

/// Whether execution in `body` (a loop body) can leave the loop: a return, a `goto`, a
/// labelled `break` or `continue` to an outer statement, a call that never returns, or an
/// unlabelled `break` that is not inside a nested `for`, `switch` or `select` (those only
/// leave the nested statement). Function literals are not followed.
pub fn loop_escapes<'a>(
    body: &'a [Stmt<'a>],
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
) -> bool {
    let mut labels = Vec::new();
    collect_labels(body, &mut labels);
    escapes(body, Some(never_returns), &labels, true)
}

/// Whether code after a `select` case can return or leave the loop around the `select`
/// normally (calls that never return are not counted).
pub fn clause_leaves<'a>(body: &'a [Stmt<'a>]) -> bool {
    let mut labels = Vec::new();
    collect_labels(body, &mut labels);
    escapes(body, None, &labels, false)
}

fn collect_labels<'a>(stmts: &'a [Stmt<'a>], out: &mut Vec<&'a str>) {
    for s in stmts {
        if let Stmt::Labeled(l) = s {
            out.push(l.label.name);
        }
        for_children(s, &mut |c| collect_labels(c, out));
    }
}

fn for_children<'a>(s: &'a Stmt<'a>, f: &mut dyn FnMut(&'a [Stmt<'a>])) {
    match s {
        Stmt::Labeled(l) => f(std::slice::from_ref(l.stmt)),
        Stmt::Block(b) => f(&b.stmts),
        Stmt::If(i) => {
            f(&i.body.stmts);
            if let Some(e) = &i.els {
                f(std::slice::from_ref(&**e));
            }
        }
        Stmt::Switch(sw) => sw.body.iter().for_each(|c| f(&c.body)),
        Stmt::TypeSwitch(ts) => ts.body.iter().for_each(|c| f(&c.body)),
        Stmt::Select(sel) => sel.body.iter().for_each(|c| f(&c.body)),
        Stmt::For(fs) => f(&fs.body.stmts),
        Stmt::Range(r) => f(&r.body.stmts),
        _ => {}
    }
}

/// `plain_break`: an unlabelled `break` here leaves the loop being examined. Calls that never
/// return count as leaving when `never_returns` is given, and not without it.
fn escapes<'a>(
    stmts: &'a [Stmt<'a>],
    never_returns: Option<&dyn Fn(&'a Expr<'a>) -> bool>,
    inner: &[&'a str],
    plain_break: bool,
) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Return(_) => true,
        Stmt::Branch(b) => match (b.kind, &b.label) {
            (BranchKind::Goto, _) => true,
            (BranchKind::Break, None) => plain_break,
            (BranchKind::Break | BranchKind::Continue, Some(l)) => !inner.contains(&l.name),
            _ => false,
        },
        Stmt::Expr(e) => never_returns.is_some_and(|f| f(&e.x)),
        Stmt::Labeled(l) => escapes(
            std::slice::from_ref(l.stmt),
            never_returns,
            inner,
            plain_break,
        ),
        Stmt::Block(b) => escapes(&b.stmts, never_returns, inner, plain_break),
        Stmt::If(i) => {
            escapes(&i.body.stmts, never_returns, inner, plain_break)
                || i.els.is_some_and(|e| {
                    escapes(std::slice::from_ref(e), never_returns, inner, plain_break)
                })
        }
        Stmt::Switch(sw) => sw
            .body
            .iter()
            .any(|c| escapes(&c.body, never_returns, inner, false)),
        Stmt::TypeSwitch(ts) => ts
            .body
            .iter()
            .any(|c| escapes(&c.body, never_returns, inner, false)),
        Stmt::Select(sel) => sel
            .body
            .iter()
            .any(|c| escapes(&c.body, never_returns, inner, false)),
        Stmt::For(f) => escapes(&f.body.stmts, never_returns, inner, false),
        Stmt::Range(r) => escapes(&r.body.stmts, never_returns, inner, false),
        _ => false,
    })
}

/// Whether every path from the statement at `at` (a statement somewhere in `body`, the body of
/// the innermost loop around it) leaves the loop before going round again: each enclosing
/// statement list, from the innermost out, either ends (a `return`, a call that never returns,
/// or, when `break_leaves`, an unlabelled `break` outside any `switch` or `select`) or falls
/// through to the next one, and no `continue` or `goto` follows on the way. Reaching the end of
/// the loop body goes round again.
pub fn leaves_after<'a>(
    body: &'a [Stmt<'a>],
    at: Span,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    break_leaves: bool,
) -> bool {
    after(body, at, never_returns, break_leaves) == Some(true)
}

/// `Some(true)`: every path from `at` leaves; `Some(false)`: some path goes back or may;
/// `None`: it falls through past the end of `stmts`.
fn after<'a>(
    stmts: &'a [Stmt<'a>],
    at: Span,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    break_leaves: bool,
) -> Option<bool> {
    let within = |o: Span| o.contains(at);
    let i = stmts.iter().position(|s| within(s.span()))?;
    let s = &stmts[i];
    let inner = if s.span() == at {
        None
    } else {
        match s {
            Stmt::Block(b) => after(&b.stmts, at, never_returns, break_leaves),
            Stmt::Labeled(l) => after(
                std::slice::from_ref(l.stmt),
                at,
                never_returns,
                break_leaves,
            ),
            Stmt::If(f) if within(f.body.span) => {
                after(&f.body.stmts, at, never_returns, break_leaves)
            }
            Stmt::If(f) => match f.els {
                Some(e) => after(std::slice::from_ref(e), at, never_returns, break_leaves),
                None => return Some(false),
            },
            // In a case, an unlabelled `break` leaves only the `switch` or `select`.
            Stmt::Switch(sw) => sw
                .body
                .iter()
                .find(|c| within(c.span))
                .map_or(Some(false), |c| after(&c.body, at, never_returns, false)),
            Stmt::TypeSwitch(ts) => ts
                .body
                .iter()
                .find(|c| within(c.span))
                .map_or(Some(false), |c| after(&c.body, at, never_returns, false)),
            Stmt::Select(sel) => sel
                .body
                .iter()
                .find(|c| within(c.span))
                .map_or(Some(false), |c| after(&c.body, at, never_returns, false)),
            _ => return Some(false),
        }
    };
    if inner.is_some() {
        return inner;
    }
    let tail = &stmts[i + 1..];
    if tail.iter().any(|t| jumps_back(t, false)) {
        return Some(false);
    }
    match tail.last() {
        Some(last) if ends_path(last, never_returns, break_leaves) => Some(true),
        _ => None,
    }
}

/// Whether the statement ends the path for good, so that nothing after it in its list runs: a
/// `return`, a call that never returns, or, when `break_leaves`, an unlabelled `break` (it
/// leaves the only loop around it).
pub fn ends_path<'a>(
    s: &'a Stmt<'a>,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    break_leaves: bool,
) -> bool {
    match s {
        Stmt::Return(_) => true,
        Stmt::Branch(b) => b.kind == BranchKind::Break && b.label.is_none() && break_leaves,
        Stmt::Expr(e) => never_returns(&e.x),
        _ => false,
    }
}

/// Whether a `break` in `stmts` leaves the loop they belong to (the one labelled `label`, when
/// it has one). `depth` counts the breakable statements (switch, select, inner loops) between
/// here and that loop: an unlabelled break only leaves the innermost one.
pub fn breaks_out(stmts: &[Stmt<'_>], label: Option<&str>, depth: usize) -> bool {
    stmts.iter().any(|s| stmt_breaks_out(s, label, depth))
}

fn stmt_breaks_out(stmt: &Stmt<'_>, label: Option<&str>, depth: usize) -> bool {
    match stmt {
        Stmt::Branch(b) => match (b.kind, &b.label) {
            (BranchKind::Break, None) => depth == 0,
            (BranchKind::Break, Some(l)) => Some(l.name) == label,
            (BranchKind::Goto, _) => true,
            _ => false,
        },
        Stmt::Block(b) => breaks_out(&b.stmts, label, depth),
        Stmt::Labeled(l) => stmt_breaks_out(l.stmt, label, depth),
        Stmt::If(s) => {
            breaks_out(&s.body.stmts, label, depth)
                || s.els.is_some_and(|e| stmt_breaks_out(e, label, depth))
        }
        Stmt::Switch(s) => s.body.iter().any(|c| breaks_out(&c.body, label, depth + 1)),
        Stmt::TypeSwitch(s) => s.body.iter().any(|c| breaks_out(&c.body, label, depth + 1)),
        Stmt::Select(s) => s.body.iter().any(|c| breaks_out(&c.body, label, depth + 1)),
        Stmt::For(f) => breaks_out(&f.body.stmts, label, depth + 1),
        Stmt::Range(r) => breaks_out(&r.body.stmts, label, depth + 1),
        _ => false,
    }
}

/// Whether the statement holding the call at `at` (somewhere in `body`) is a double-checked
/// lazy initialisation: an `if` before it in its list that returns under some condition, and
/// the same condition (as written) tested again after it, also returning — `if n.ready() {
/// return n }; n.mu.Lock(); defer n.mu.Unlock(); if n.ready() { return n }; ...`. The lock is
/// taken only until the value is built once.
pub fn double_checked(body: &Block<'_>, at: Span, source: &str) -> bool {
    fn find<'s, 'a>(stmts: &'s [Stmt<'a>], at: Span) -> Option<(&'s [Stmt<'a>], usize)> {
        let i = stmts.iter().position(|s| s.span().contains(at))?;
        let inner = match &stmts[i] {
            Stmt::Block(b) => find(&b.stmts, at),
            Stmt::If(f) if f.body.span.contains(at) => find(&f.body.stmts, at),
            _ => None,
        };
        inner.or(Some((stmts, i)))
    }
    let Some((stmts, k)) = find(&body.stmts, at) else {
        return false;
    };
    let guard = |s: &Stmt<'_>| match s {
        Stmt::If(f)
            if f.init.is_none()
                && f.els.is_none()
                && matches!(f.body.stmts.last(), Some(Stmt::Return(_))) =>
        {
            source.get(f.cond.span().range())
        }
        _ => None,
    };
    stmts[..k].iter().filter_map(guard).any(|before| {
        stmts[k + 1..]
            .iter()
            .filter_map(guard)
            .any(|after| after == before)
    })
}

/// Whether the call at `at` (somewhere in `body`) runs only on the last-reference path of a
/// reference count: inside `if atomic.AddInt32(&x.refs, -1) == 0 { ... }` (or a `.Add(-1)`
/// method of an atomic counter). When the count reaches zero no other holder is left, so no
/// other path can hold the object's lock.
pub fn last_reference(body: &Block<'_>, at: Span) -> bool {
    struct V {
        at: Span,
        found: bool,
    }
    impl<'a> Visitor<'a> for V {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let sp = s.span();
            if !sp.contains(self.at) {
                return false;
            }
            if let Stmt::If(f) = s {
                let inside = f.body.span.contains(self.at);
                self.found |= inside && decrements_to_zero(&f.cond);
            }
            !self.found
        }
    }
    let mut v = V { at, found: false };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// `atomic.AddInt32(&n, -1) == 0`, `n.Add(-1) == 0`.
fn decrements_to_zero(cond: &Expr<'_>) -> bool {
    let Expr::Binary(b) = unparen(cond) else {
        return false;
    };
    let zero = |e: &Expr<'_>| matches!(unparen(e), Expr::BasicLit(l) if l.value == "0");
    let minus_one = |e: &Expr<'_>| match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::Neg => {
            matches!(unparen(u.x), Expr::BasicLit(l) if l.value == "1")
        }
        Expr::BasicLit(l) => l.value == "-1",
        _ => false,
    };
    let add = |e: &Expr<'_>| match unparen(e) {
        Expr::Call(c) => {
            matches!(unparen(c.fun), Expr::Selector(s) if s.sel.name.starts_with("Add"))
                && c.args.last().is_some_and(minus_one)
        }
        _ => false,
    };
    b.op == BinaryOp::Eq && ((add(b.x) && zero(b.y)) || (zero(b.x) && add(b.y)))
}

/// Whether `e` uses the identifier `name`.
pub fn mentions(e: &Expr<'_>, name: &str) -> bool {
    struct V<'n>(&'n str, bool);
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if matches!(e, Expr::Ident(id) if id.name == self.0) {
                self.1 = true;
            }
            !self.1
        }
    }
    let mut v = V(name, false);
    walk_node(VNode::Expr(e), &[], &mut v);
    v.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cfg(src: &str, f: impl FnOnce(&Cfg<'_>)) {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let Decl::Func(func) = parsed.file.decls.last().unwrap() else {
            panic!("no func")
        };
        let never = |e: &Expr<'_>| matches!(e, Expr::Call(c) if matches!(c.fun, Expr::Ident(id) if id.name == "panic"));
        let cfg = Cfg::build(func.body.as_ref().unwrap(), &never);
        f(&cfg);
    }

    /// The statements (as source text) of every block that can reach the exit, in block order.
    fn texts(src: &str, cfg: &Cfg<'_>, blocks: impl Fn(BlockId) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for (i, b) in cfg.blocks.iter().enumerate() {
            if !blocks(i) {
                continue;
            }
            for n in &b.nodes {
                let span = match n {
                    Node::Stmt(s) | Node::Comm(s) => s.span(),
                    Node::Cond(e) => e.span(),
                    Node::Range(r) => r.span,
                    Node::Select(s) => s.span,
                };
                out.push(src[span.range()].lines().next().unwrap().to_string());
            }
        }
        out
    }

    #[test]
    fn return_and_end_lead_to_exit_and_panic_ends_the_path() {
        let src = "package p\nfunc f() {\n\ta()\n\tif x {\n\t\treturn\n\t}\n\tif y {\n\t\tpanic(1)\n\t}\n\tb()\n}\n";
        with_cfg(src, |cfg| {
            let exits: Vec<_> = cfg
                .blocks
                .iter()
                .filter(|b| b.succs.contains(&EXIT))
                .map(|b| b.term)
                .collect();
            assert_eq!(exits.len(), 2);
            assert!(matches!(exits[0], Term::Return(_)));
            assert!(matches!(exits[1], Term::End(span) if &src[span.range()] == "}"));
            assert!(cfg
                .blocks
                .iter()
                .any(|b| matches!(b.term, Term::NoReturn(_)) && b.succs.is_empty()));
            let reach = cfg.reaches_exit();
            assert_eq!(texts(src, cfg, |i| !reach[i]), vec!["panic(1)"]);
        });
    }

    #[test]
    fn endless_loop_never_reaches_exit_unless_a_labelled_break_leaves_it() {
        let src = "package p\nfunc f() {\n\tfor {\n\t\tselect {\n\t\tcase <-c:\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        with_cfg(src, |cfg| assert!(!cfg.reaches_exit()[ENTRY]));
        let src = "package p\nfunc f() {\nL:\n\tfor {\n\t\tselect {\n\t\tcase <-c:\n\t\t\tbreak L\n\t\t}\n\t}\n}\n";
        with_cfg(src, |cfg| {
            assert!(cfg.reaches_exit()[ENTRY]);
            assert_eq!(cfg.loops.len(), 1);
        });
    }

    #[test]
    fn continue_goes_to_the_post_statement_and_goto_to_its_label() {
        let src = "package p\nfunc f() {\n\tfor i := 0; i < n; i++ {\n\t\tif a {\n\t\t\tcontinue\n\t\t}\n\t\tb()\n\t}\nagain:\n\tc()\n\tif d {\n\t\tgoto again\n\t}\n}\n";
        with_cfg(src, |cfg| {
            let reach = cfg.reachable_from(ENTRY);
            assert_eq!(texts(src, cfg, |i| reach[i]).len(), 7);
            // `goto again` makes a cycle through c().
            let again = cfg.blocks.iter().position(|b| {
                matches!(b.nodes.first(), Some(Node::Stmt(Stmt::Expr(_)))) && b.succs.len() == 2
            });
            assert!(again
                .is_some_and(|b| cfg.reachable_from(cfg.blocks[b].succs[0]).get(b) == Some(&true)));
        });
    }

    #[test]
    fn fallthrough_and_switch_without_default() {
        let src = "package p\nfunc f() {\n\tswitch x {\n\tcase 1:\n\t\ta()\n\t\tfallthrough\n\tcase 2:\n\t\tb()\n\t}\n\tc()\n}\n";
        with_cfg(src, |cfg| {
            // The path through case 1 reaches b() through the fallthrough.
            let a = cfg
                .blocks
                .iter()
                .position(|b| b.nodes.len() == 1 && texts_eq(src, &b.nodes[0], "a()"))
                .unwrap();
            let b = cfg
                .blocks
                .iter()
                .position(|b| b.nodes.len() == 1 && texts_eq(src, &b.nodes[0], "b()"))
                .unwrap();
            assert!(cfg.blocks[a].succs.contains(&b));
            // Without a default the header goes straight past the switch too.
            assert!(cfg.blocks[ENTRY].succs.len() == 3);
        });
    }

    fn texts_eq(src: &str, n: &Node<'_>, want: &str) -> bool {
        let Node::Stmt(s) = n else { return false };
        &src[s.span().range()] == want
    }

    #[test]
    fn forward_pass_tracks_facts_per_path() {
        // A fact set on one branch only: at the end it may or may not hold.
        let src = "package p\nfunc f() {\n\tif x {\n\t\tset()\n\t}\n\tuse()\n}\n";
        with_cfg(src, |cfg| {
            // (may be set, must be set)
            let states = cfg.forward(
                (false, false),
                |n, s| {
                    if let Node::Stmt(st) = n {
                        if texts_eq(src, &Node::Stmt(st), "set()") {
                            *s = (true, true);
                        }
                    }
                },
                |into, from| {
                    let joined = (into.0 || from.0, into.1 && from.1);
                    let changed = joined != *into;
                    *into = joined;
                    changed
                },
            );
            let at_exit = states[EXIT].unwrap();
            assert_eq!(at_exit, (true, false));
        });
    }

    #[test]
    fn select_without_cases_blocks_forever_and_dead_code_is_unreachable() {
        let src = "package p\nfunc f() {\n\tselect {}\n\ta()\n}\n";
        with_cfg(src, |cfg| {
            assert!(!cfg.reaches_exit()[ENTRY]);
            let reach = cfg.reachable_from(ENTRY);
            assert_eq!(texts(src, cfg, |i| reach[i]), vec!["select {}"]);
        });
    }

    #[test]
    fn flow_predicates_follow_the_same_edges() {
        let src = "package p\nfunc f() {\n\tfor {\n\t\tselect {\n\t\tcase <-a:\n\t\t\tbreak\n\t\tcase <-b:\n\t\t\treturn\n\t\t}\n\t}\n}\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let Decl::Func(f) = &parsed.file.decls[0] else {
            panic!("no function")
        };
        let Stmt::For(l) = &f.body.as_ref().unwrap().stmts[0] else {
            panic!("no loop")
        };
        let Stmt::Select(sel) = &l.body.stmts[0] else {
            panic!("no select")
        };
        let never = |_: &Expr<'_>| false;
        // The `return` case leaves the loop; the `break` only leaves the select.
        assert!(loop_escapes(&l.body.stmts, &never));
        assert!(!clause_leaves(&sel.body[0].body));
        assert!(clause_leaves(&sel.body[1].body));
        assert!(!breaks_out(&l.body.stmts, None, 0));
        assert!(contains_return(&l.body.stmts[0]));
        assert!(!jumps_back(&l.body.stmts[0], false));
        assert!(jumps_back(&l.body.stmts[0], true));
        assert!(ends_path(&sel.body[1].body[0], &never, false));
        assert!(!ends_path(&sel.body[0].body[0], &never, false));
    }
}
