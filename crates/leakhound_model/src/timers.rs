//! Timers in one function body: which keys are `time.Timer`s, the "stop and drain" receives
//! (`if !t.Stop() { <-t.C }`, `t.Stop(); <-t.C`), and what each node of the body's
//! control-flow view does to a timer (receives from its channel, re-arms or replaces it).
//! Facts only: LH104 judges them.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::census::{named_type, Census};
use crate::cfg::Node;
use crate::imports::Imports;
use crate::summary::key_of;

/// A receive that drains a stopped timer's channel.
#[derive(Clone, Debug)]
pub struct Drain<'a> {
    /// The timer's key (`t`, `s.timer`).
    pub key: String,
    /// The `<-t.C` expression.
    pub recv: &'a Expr<'a>,
    /// Inside `if !t.Stop() { ... }` (the classic idiom); otherwise it directly follows a
    /// `t.Stop()` statement.
    pub guarded: bool,
}

/// What a node of the control-flow view does to one timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerOp {
    /// Receives from the timer's channel (a statement, a `select` case, a `range`).
    Recv(Span),
    /// `t.Reset(d)`, or `t` assigned another timer: a value may come again.
    Rearm,
}

/// The keys that denote a `time.Timer` in `decl`: made by `time.NewTimer` in it, declared with
/// the type `time.Timer` (locals, parameters, and the package's fields and variables by name),
/// or used as `!t.Stop()` (only a timer's `Stop` reports whether it stopped anything).
pub fn timer_keys<'a>(
    imports: &Imports<'a>,
    census: &Census<'a>,
    decl: &'a FuncDecl<'a>,
) -> Vec<String> {
    struct V<'i, 'c, 'a> {
        imports: &'i Imports<'a>,
        census: &'c Census<'a>,
        keys: Vec<String>,
    }
    impl<'a> V<'_, '_, 'a> {
        fn candidate(&mut self, e: &'a Expr<'a>) {
            let Some(key) = key_of(e) else { return };
            let last = key.rsplit('.').next().unwrap_or(&key);
            if self.census.is_timer(last) && !self.keys.contains(&key) {
                self.keys.push(key);
            }
        }
        fn push(&mut self, key: Option<String>) {
            if let Some(key) = key {
                if !self.keys.contains(&key) {
                    self.keys.push(key);
                }
            }
        }
    }
    impl<'a> Visitor<'a> for V<'_, '_, 'a> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            match s {
                Stmt::Assign(a) if a.lhs.len() == a.rhs.len() => {
                    for (l, r) in a.lhs.iter().zip(&a.rhs) {
                        if is_new_timer(self.imports, r) {
                            self.push(key_of(l));
                        }
                    }
                }
                Stmt::Decl(g) => {
                    for spec in &g.specs {
                        let Spec::Value(v) = spec else { continue };
                        let typed = v.typ.as_ref().and_then(|t| named_type(t, self.imports))
                            == Some(("time", "Timer"));
                        for (i, n) in v.names.iter().enumerate() {
                            if typed
                                || v.values
                                    .get(i)
                                    .is_some_and(|x| is_new_timer(self.imports, x))
                            {
                                self.push(Some(n.name.to_string()));
                            }
                        }
                    }
                }
                _ => {}
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::Unary(u) if u.op == UnaryOp::Not => {
                    if let Some(x) = stop_call(u.x) {
                        self.push(key_of(x));
                    }
                }
                Expr::Selector(s) if matches!(s.sel.name, "C" | "Stop" | "Reset") => {
                    self.candidate(s.x);
                }
                _ => {}
            }
            true
        }
    }
    let mut v = V {
        imports,
        census,
        keys: Vec::new(),
    };
    for field in &decl.typ.params.list {
        if named_type(&field.typ, imports) == Some(("time", "Timer")) {
            v.keys
                .extend(field.names.iter().map(|n| n.name.to_string()));
        }
    }
    if let Some(body) = &decl.body {
        walk_node(VNode::Block(body), &[], &mut v);
    }
    v.keys
}

/// `time.NewTimer(d)`.
fn is_new_timer(imports: &Imports<'_>, e: &Expr<'_>) -> bool {
    let Expr::Call(c) = unparen(e) else {
        return false;
    };
    match unparen(c.fun) {
        Expr::Selector(s) => {
            s.sel.name == "NewTimer"
                && matches!(unparen(s.x), Expr::Ident(p) if imports.path_of(p.name) == Some("time"))
        }
        Expr::Ident(id) => id.name == "NewTimer" && imports.dot_imports("time"),
        _ => false,
    }
}

/// `x.Stop()`: the receiver `x`.
fn stop_call<'a>(e: &'a Expr<'a>) -> Option<&'a Expr<'a>> {
    let Expr::Call(c) = unparen(e) else {
        return None;
    };
    match unparen(c.fun) {
        Expr::Selector(s) if s.sel.name == "Stop" && c.args.is_empty() => Some(s.x),
        _ => None,
    }
}

/// `<-x.C`: the key of `x`.
fn timer_recv(e: &Expr<'_>) -> Option<String> {
    let Expr::Unary(u) = unparen(e) else {
        return None;
    };
    if u.op != UnaryOp::Recv {
        return None;
    }
    chan_of(u.x)
}

/// `x.C`: the key of `x`.
fn chan_of(e: &Expr<'_>) -> Option<String> {
    match unparen(e) {
        Expr::Selector(s) if s.sel.name == "C" => key_of(s.x),
        _ => None,
    }
}

/// The drains of a body itself (function literals are bodies of their own) on the timers
/// `keys`: a `<-t.C` statement inside `if !t.Stop() { ... }` (whose condition is only that),
/// or right after a `t.Stop()` statement.
pub fn drains<'a>(block: &'a Block<'a>, keys: &[String]) -> Vec<Drain<'a>> {
    struct V<'k, 'a> {
        keys: &'k [String],
        out: Vec<Drain<'a>>,
    }
    impl<'a> V<'_, 'a> {
        /// Bare drains: `t.Stop()` then `<-t.C` in one statement list.
        fn list(&mut self, stmts: &'a [Stmt<'a>]) {
            let mut stopped: Option<String> = None;
            for s in stmts {
                let Stmt::Expr(e) = s else {
                    stopped = None;
                    continue;
                };
                if let Some(key) = timer_recv(&e.x) {
                    if stopped.as_ref() == Some(&key) {
                        self.out.push(Drain {
                            key,
                            recv: &e.x,
                            guarded: false,
                        });
                    }
                }
                stopped = stop_call(&e.x)
                    .and_then(key_of)
                    .filter(|k| self.keys.contains(k));
            }
        }

        /// `if !t.Stop() { <-t.C }`.
        fn guarded(&mut self, i: &'a IfStmt<'a>) {
            let stopped = match unparen(&i.cond) {
                Expr::Unary(u) if u.op == UnaryOp::Not => stop_call(u.x).and_then(key_of),
                _ => None,
            };
            let Some(key) = stopped.filter(|k| self.keys.contains(k)) else {
                return;
            };
            for st in &i.body.stmts {
                if let Stmt::Expr(e) = st {
                    if timer_recv(&e.x).as_ref() == Some(&key) {
                        self.out.push(Drain {
                            key: key.clone(),
                            recv: &e.x,
                            guarded: true,
                        });
                    }
                }
            }
        }
    }
    impl<'a> Visitor<'a> for V<'_, 'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            !matches!(e, Expr::FuncLit(_))
        }
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            match s {
                Stmt::If(i) => {
                    self.guarded(i);
                    self.list(&i.body.stmts);
                }
                Stmt::For(f) => self.list(&f.body.stmts),
                Stmt::Range(r) => self.list(&r.body.stmts),
                Stmt::Block(b) => self.list(&b.stmts),
                Stmt::Switch(sw) => sw.body.iter().for_each(|c| self.list(&c.body)),
                Stmt::TypeSwitch(ts) => ts.body.iter().for_each(|c| self.list(&c.body)),
                Stmt::Select(sel) => sel.body.iter().for_each(|c| self.list(&c.body)),
                _ => {}
            }
            true
        }
    }
    let mut v = V {
        keys,
        out: Vec::new(),
    };
    v.list(&block.stmts);
    walk_node(VNode::Block(block), &[], &mut v);
    v.out.sort_by_key(|d| d.recv.span().start);
    v.out.dedup_by_key(|d| d.recv.span().start);
    v.out
}

/// Whether the `select` case whose receive is at `recv` re-arms the timer `key` (`Reset`, or a
/// new timer assigned) on some path of its body.
pub fn case_rearms<'a>(block: &'a Block<'a>, recv: Span, key: &str) -> bool {
    struct V<'k> {
        recv: Span,
        key: &'k str,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            let Stmt::Select(sel) = s else {
                return !self.found;
            };
            for c in &sel.body {
                let Some(comm) = c.comm else { continue };
                let span = comm.span();
                if span.contains(self.recv) {
                    self.found = c.body.iter().any(|b| {
                        let mut stmts = vec![b];
                        while let Some(st) = stmts.pop() {
                            if node_ops(&Node::Stmt(st), self.key).contains(&TimerOp::Rearm) {
                                return true;
                            }
                            nested(st, &mut stmts);
                        }
                        false
                    });
                    return false;
                }
            }
            !self.found
        }
    }
    let mut v = V {
        recv,
        key,
        found: false,
    };
    walk_node(VNode::Block(block), &[], &mut v);
    v.found
}

/// The statements directly nested in `s` (its blocks and clauses).
fn nested<'a>(s: &'a Stmt<'a>, out: &mut Vec<&'a Stmt<'a>>) {
    match s {
        Stmt::Block(b) => out.extend(b.stmts.iter()),
        Stmt::Labeled(l) => out.push(l.stmt),
        Stmt::If(i) => {
            out.extend(i.body.stmts.iter());
            out.extend(i.els);
        }
        Stmt::Switch(sw) => sw.body.iter().for_each(|c| out.extend(c.body.iter())),
        Stmt::TypeSwitch(ts) => ts.body.iter().for_each(|c| out.extend(c.body.iter())),
        Stmt::Select(sel) => sel.body.iter().for_each(|c| out.extend(c.body.iter())),
        Stmt::For(f) => out.extend(f.body.stmts.iter()),
        Stmt::Range(r) => out.extend(r.body.stmts.iter()),
        _ => {}
    }
}

/// What `node` does to the timer `key`, in evaluation order (function literals not entered).
pub fn node_ops<'a>(node: &Node<'a>, key: &str) -> Vec<TimerOp> {
    struct V<'k> {
        key: &'k str,
        out: Vec<TimerOp>,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::FuncLit(_) => return false,
                Expr::Unary(u)
                    if u.op == UnaryOp::Recv && chan_of(u.x).as_deref() == Some(self.key) =>
                {
                    self.out.push(TimerOp::Recv(e.span()));
                }
                Expr::Call(c) => {
                    if let Expr::Selector(s) = unparen(c.fun) {
                        if s.sel.name == "Reset" && key_of(s.x).as_deref() == Some(self.key) {
                            self.out.push(TimerOp::Rearm);
                        }
                    }
                }
                _ => {}
            }
            true
        }
    }
    let mut v = V {
        key,
        out: Vec::new(),
    };
    let assigned =
        |lhs: &Expr<'_>| key_of(lhs).is_some_and(|l| key == l || key.starts_with(&format!("{l}.")));
    match node {
        Node::Stmt(s) | Node::Comm(s) => {
            walk_node(VNode::Stmt(s), &[], &mut v);
            match s {
                Stmt::Assign(a) if a.lhs.iter().any(assigned) => v.out.push(TimerOp::Rearm),
                Stmt::Decl(g) => {
                    let declares = g.specs.iter().any(|spec| {
                        matches!(spec, Spec::Value(val) if val.names.iter().any(|n| n.name == key))
                    });
                    if declares {
                        v.out.push(TimerOp::Rearm);
                    }
                }
                _ => {}
            }
        }
        Node::Cond(e) => walk_node(VNode::Expr(e), &[], &mut v),
        Node::Range(r) => {
            walk_node(VNode::Expr(&r.x), &[], &mut v);
            if chan_of(&r.x).as_deref() == Some(key) {
                v.out.push(TimerOp::Recv(r.x.span()));
            }
        }
        Node::Select(_) => {}
    }
    v.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drains_and_ops() {
        let src = "package p\nimport \"time\"\nfunc f(in chan int) {\n\tt := time.NewTimer(time.Second)\n\tfor {\n\t\tselect {\n\t\tcase <-t.C:\n\t\tcase <-in:\n\t\t}\n\t\tif !t.Stop() {\n\t\t\t<-t.C\n\t\t}\n\t\tt.Reset(time.Second)\n\t\tu.Stop()\n\t\t<-u.C\n\t}\n}\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let imports = Imports::of(&parsed.file);
        let census = Census::new([(&imports, &parsed)]);
        let Decl::Func(f) = &parsed.file.decls[1] else {
            panic!()
        };
        let keys = timer_keys(&imports, &census, f);
        assert_eq!(keys, vec!["t".to_string()]);
        let body = f.body.as_ref().unwrap();
        let d = drains(body, &keys);
        assert_eq!(d.len(), 1);
        assert!(d[0].guarded && d[0].key == "t");
        let with_u = drains(body, &["t".to_string(), "u".to_string()]);
        assert_eq!(with_u.len(), 2);
        assert!(!with_u[1].guarded);
        let cfg = crate::cfg::Cfg::build(body, &|_| false);
        let ops: Vec<TimerOp> = cfg
            .blocks
            .iter()
            .flat_map(|b| b.nodes.iter().flat_map(|n| node_ops(n, "t")))
            .collect();
        assert!(ops.contains(&TimerOp::Rearm));
        assert_eq!(
            ops.iter().filter(|o| matches!(o, TimerOp::Recv(_))).count(),
            2
        );
    }
}
