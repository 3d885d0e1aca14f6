//! The call graph inside the package: each function's calls resolved to the package's
//! functions and methods. Static calls, methods through the receiver's type, interface calls to
//! the package's own implementations (at most [`IFACE_CAP`]), and how the callee runs: called,
//! `go`, `defer`, `once.Do(f)`, or a function value passed to a helper that runs its parameter
//! with `go`. Calls the model cannot resolve have no callee.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{Node as VNode, Visitor};

use super::types::{Binding, Kind, Local, Ty, TypeShape};
use super::{FuncId, Semantic};

/// Interface calls with more local implementations than this stay unresolved.
pub const IFACE_CAP: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Call,
    /// In a `go` statement, or a function value handed to a helper that runs it with `go`.
    Go,
    Defer,
    /// `once.Do(f)`: `f` runs now, at most once.
    OnceDo,
}

#[derive(Clone, Debug)]
pub struct CallSite<'a> {
    pub call: &'a CallExpr<'a>,
    pub kind: CallKind,
    /// The package functions it may run; several for an interface call.
    pub callees: Vec<FuncId>,
    /// Resolved through an interface.
    pub dynamic: bool,
    /// Inside a function literal of the declaration.
    pub in_literal: bool,
}

impl<'a> Semantic<'a> {
    /// The calls of a function declaration (its function literals included), in source order.
    pub fn calls(&self, func: FuncId) -> &[CallSite<'a>] {
        self.calls[func as usize].get_or_init(|| self.build_calls(func))
    }

    /// The package functions a call may run, and whether through an interface.
    pub fn callees(&self, func: FuncId, c: &'a CallExpr<'a>) -> (Vec<FuncId>, bool) {
        self.callees_in(func, self.locals(func), c)
    }

    pub(crate) fn callees_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
    ) -> (Vec<FuncId>, bool) {
        if let Some(f) = self.static_callee(func, locals, c) {
            return (vec![f], false);
        }
        let Expr::Selector(s) = unparen(c.fun) else {
            return (Vec::new(), false);
        };
        let Ty::Named(t) = self.type_in(func, locals, s.x).pointee().clone() else {
            return (Vec::new(), false);
        };
        if !matches!(self.types[t as usize].shape, TypeShape::Interface { .. }) {
            return (Vec::new(), false);
        }
        let impls = self.implementations(t, IFACE_CAP).unwrap_or_default();
        let callees = impls
            .into_iter()
            .filter_map(|i| self.method(i, s.sel.name))
            .collect();
        (callees, true)
    }

    /// The one package function or method a call runs, by its name or its receiver's type.
    pub(crate) fn static_callee(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
    ) -> Option<FuncId> {
        self.func_value_in(func, locals, c.fun)
    }

    /// The package function a function value denotes: `f`, `s.m`, `(*S).m` is not followed.
    pub(crate) fn func_value_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        e: &'a Expr<'a>,
    ) -> Option<FuncId> {
        match unparen(e) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Func(f) => Some(f),
                _ => None,
            },
            // A generic function instantiated explicitly.
            Expr::Index(i) => self.func_value_in(func, locals, i.x),
            Expr::Selector(s) => {
                if let Expr::Ident(pkg) = unparen(s.x) {
                    if matches!(self.bind_in(func, locals, pkg), Binding::Import(_)) {
                        return None;
                    }
                }
                match self.type_in(func, locals, s.x).pointee() {
                    Ty::Named(t) => self.method(*t, s.sel.name),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The package's `Error` or `String` methods that a `fmt` or `log` printing call runs on its
    /// operands (`log.Printf("%v", s)` calls `s.String()`), each with its operand: for the
    /// operands of `Print`/`Println`, and those of a constant format's `%v %s %q %x %X`
    /// verbs; when the operand's type has the method in its method set (a method with a
    /// pointer receiver needs a pointer operand). `Error` first, as `fmt` asks.
    pub(crate) fn stringers_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
    ) -> Vec<(FuncId, &'a Expr<'a>)> {
        let Expr::Selector(s) = unparen(c.fun) else {
            return Vec::new();
        };
        let Expr::Ident(pkg) = unparen(s.x) else {
            return Vec::new();
        };
        let Binding::Import(path) = self.bind_in(func, locals, pkg) else {
            return Vec::new();
        };
        let (format, first) = match (path, s.sel.name) {
            ("fmt", "Print" | "Println" | "Sprint" | "Sprintln")
            | ("log", "Print" | "Println" | "Fatal" | "Fatalln" | "Panic" | "Panicln") => (None, 0),
            ("fmt", "Fprint" | "Fprintln" | "Append" | "Appendln") => (None, 1),
            ("fmt", "Printf" | "Sprintf" | "Errorf") | ("log", "Printf" | "Fatalf" | "Panicf") => {
                (Some(0), 1)
            }
            ("fmt", "Fprintf" | "Appendf") => (Some(1), 2),
            _ => return Vec::new(),
        };
        if c.ellipsis.is_some() {
            return Vec::new();
        }
        let operands: Vec<&'a Expr<'a>> = match format {
            None => c.args.iter().skip(first).collect(),
            Some(i) => {
                let Some(Expr::BasicLit(lit)) = c.args.get(i).map(unparen) else {
                    return Vec::new();
                };
                let Some(verbs) = format_verbs(lit.value) else {
                    return Vec::new();
                };
                verbs
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| matches!(v, Some('v' | 's' | 'q' | 'x' | 'X')))
                    .filter_map(|(k, _)| c.args.get(first + k))
                    .collect()
            }
        };
        let mut out = Vec::new();
        for op in operands {
            let ty = self.type_in(func, locals, op);
            let (t, pointer) = match &ty {
                Ty::Named(t) => (*t, false),
                Ty::Ptr(b) => match **b {
                    Ty::Named(t) => (t, true),
                    _ => continue,
                },
                _ => continue,
            };
            let method = ["Error", "String"].into_iter().find_map(|m| {
                let f = self.method(t, m)?;
                let by_pointer = self.funcs[f as usize]
                    .recv
                    .as_ref()
                    .is_some_and(|r| matches!(r.ty, Ty::Ptr(_)));
                (pointer || !by_pointer).then_some(f)
            });
            if let Some(f) = method {
                out.push((f, op));
            }
        }
        out
    }

    /// The parameters (by position) that a function runs with `go` (`go fn()`), directly.
    pub fn go_params(&self, func: FuncId) -> &[u32] {
        self.go_params[func as usize].get_or_init(|| {
            struct V<'s, 'a> {
                sem: &'s Semantic<'a>,
                func: FuncId,
                out: Vec<u32>,
            }
            impl<'a> Visitor<'a> for V<'_, 'a> {
                fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                    if let Stmt::Go(g) = s {
                        if let Expr::Call(c) = unparen(&g.call) {
                            if let Expr::Ident(id) = unparen(c.fun) {
                                if let Binding::Param(i) = self.sem.bind(self.func, id) {
                                    self.out.push(i);
                                }
                            }
                        }
                    }
                    true
                }
            }
            let mut v = V {
                sem: self,
                func,
                out: Vec::new(),
            };
            self.walk_body(func, &mut v);
            v.out
        })
    }

    fn build_calls(&self, func: FuncId) -> Vec<CallSite<'a>> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            locals: &'s [Local<'a>],
            lits: u32,
            out: Vec<CallSite<'a>>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => self.lits += 1,
                    Expr::Call(c) => {
                        let kind = match parents.last() {
                            Some(VNode::Stmt(Stmt::Go(_))) => CallKind::Go,
                            Some(VNode::Stmt(Stmt::Defer(_))) => CallKind::Defer,
                            _ => CallKind::Call,
                        };
                        let (callees, dynamic) = self.sem.callees_in(self.func, self.locals, c);
                        let in_literal = self.lits > 0;
                        // `once.Do(f)` and helpers that run a parameter with `go`.
                        let mut extra = Vec::new();
                        if let Some((r, "Do")) = self.sem.prim_call_in(self.func, self.locals, e) {
                            if r.kind == Kind::Once {
                                if let Some(f) = c
                                    .args
                                    .first()
                                    .and_then(|a| self.sem.func_value_in(self.func, self.locals, a))
                                {
                                    extra.push((CallKind::OnceDo, f));
                                }
                            }
                        }
                        for &callee in &callees {
                            for &i in self.sem.go_params(callee) {
                                if let Some(f) = c
                                    .args
                                    .get(i as usize)
                                    .and_then(|a| self.sem.func_value_in(self.func, self.locals, a))
                                {
                                    extra.push((CallKind::Go, f));
                                }
                            }
                        }
                        if !callees.is_empty() {
                            self.out.push(CallSite {
                                call: c,
                                kind,
                                callees,
                                dynamic,
                                in_literal,
                            });
                        }
                        for (kind, f) in extra {
                            self.out.push(CallSite {
                                call: c,
                                kind,
                                callees: vec![f],
                                dynamic: false,
                                in_literal,
                            });
                        }
                    }
                    _ => {}
                }
                true
            }
            fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                if let Expr::FuncLit(_) = e {
                    self.lits -= 1;
                }
            }
        }
        let mut v = V {
            sem: self,
            func,
            locals: self.locals(func),
            lits: 0,
            out: Vec::new(),
        };
        self.walk_body(func, &mut v);
        v.out
    }
}

/// The verbs of a format string literal, one per operand it consumes (`None` for a `*` width
/// or precision); `None` when it picks operands by index (`%[2]d`) or is not a plain literal.
fn format_verbs(lit: &str) -> Option<Vec<Option<char>>> {
    let body = lit
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .or_else(|| lit.strip_prefix('`').and_then(|l| l.strip_suffix('`')))?;
    let mut out = Vec::new();
    let mut chars = body.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            continue;
        }
        loop {
            match chars.next()? {
                '%' => break,
                '+' | '-' | '#' | ' ' | '0'..='9' | '.' => {}
                '*' => out.push(None),
                '[' => return None,
                verb => {
                    out.push(Some(verb));
                    break;
                }
            }
        }
    }
    Some(out)
}
