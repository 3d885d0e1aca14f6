//! Wait groups in one declaration: which keys are wait groups, and the `Add`/`Done`/`Wait`
//! calls of each body. Facts only: LH404 and LH405 judge them.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use crate::bodies::{literal_kind, Body, BodyKind};
use crate::imports::Imports;
use crate::summary::{key_of, sync_kind, wait_group_call, PackageSummary, SyncKind, WaitGroupOp};

/// The keys known to be wait groups in one declaration: declared with a `sync.WaitGroup` type
/// (parameters, locals, package fields and variables) or given an `Add` somewhere in it.
pub struct WaitGroups {
    keys: Vec<String>,
}

impl WaitGroups {
    pub fn of<'a>(
        imports: &Imports<'a>,
        decl: &'a FuncDecl<'a>,
        bodies: &[Body<'a>],
    ) -> WaitGroups {
        struct V<'i, 'a> {
            imports: &'i Imports<'a>,
            keys: Vec<String>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Some((key, WaitGroupOp::Add)) = wait_group_call(e) {
                    self.keys.push(key);
                }
                true
            }
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                match s {
                    Stmt::Assign(a) if a.lhs.len() == a.rhs.len() => {
                        for (l, r) in a.lhs.iter().zip(&a.rhs) {
                            if is_new_wait_group(self.imports, r) {
                                self.keys.extend(key_of(l));
                            }
                        }
                    }
                    Stmt::Decl(g) => {
                        for spec in &g.specs {
                            let Spec::Value(v) = spec else { continue };
                            let typed = v.typ.as_ref().is_some_and(|t| {
                                sync_kind(t, self.imports) == Some(SyncKind::WaitGroup)
                            });
                            for (i, n) in v.names.iter().enumerate() {
                                if typed
                                    || v.values
                                        .get(i)
                                        .is_some_and(|x| is_new_wait_group(self.imports, x))
                                {
                                    self.keys.push(n.name.to_string());
                                }
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
        }
        let mut v = V {
            imports,
            keys: Vec::new(),
        };
        for typ in std::iter::once(&decl.typ).chain(bodies.iter().map(|b| b.typ)) {
            v.keys.extend(
                wait_group_params(imports, typ)
                    .into_iter()
                    .map(str::to_string),
            );
        }
        if let Some(body) = &decl.body {
            walk_node(VNode::Block(body), &[], &mut v);
        }
        WaitGroups { keys: v.keys }
    }

    /// `summary`: the package's, which knows the wait-group fields and variables.
    pub fn contains(&self, summary: &PackageSummary<'_>, key: &str) -> bool {
        self.keys.iter().any(|k| k == key) || summary.is_wait_group_field(key)
    }
}

/// `sync.WaitGroup{}`, `&sync.WaitGroup{}`, `new(sync.WaitGroup)`.
fn is_new_wait_group(imports: &Imports<'_>, e: &Expr<'_>) -> bool {
    let is_wg = |t: &Expr<'_>| sync_kind(t, imports) == Some(SyncKind::WaitGroup);
    match unparen(e) {
        Expr::CompositeLit(c) => c.typ.as_ref().is_some_and(is_wg),
        Expr::Unary(u) if u.op == UnaryOp::And => is_new_wait_group(imports, u.x),
        Expr::Call(c) => {
            matches!(c.fun, Expr::Ident(id) if id.name == "new")
                && c.args.first().is_some_and(is_wg)
        }
        _ => false,
    }
}

/// The parameters typed `sync.WaitGroup` or `*sync.WaitGroup`.
pub fn wait_group_params<'a>(imports: &Imports<'a>, typ: &'a FuncType<'a>) -> Vec<&'a str> {
    typ.params
        .list
        .iter()
        .filter(|f| sync_kind(&f.typ, imports) == Some(SyncKind::WaitGroup))
        .flat_map(|f| f.names.iter().map(|n| n.name))
        .collect()
}

/// The wait-group calls of a body itself (function literals other than deferred closures are
/// not entered), split into direct calls and calls that are deferred.
pub struct Calls<'a> {
    /// Key, operation, call, and whether the call is inside a loop of the body.
    pub direct: Vec<(String, WaitGroupOp, &'a Expr<'a>, bool)>,
    pub deferred: Vec<(String, WaitGroupOp)>,
    /// A deferred function calls `recover()`.
    pub recovers: bool,
}

impl<'a> Calls<'a> {
    pub fn of(block: &'a Block<'a>) -> Calls<'a> {
        struct V<'a> {
            calls: Calls<'a>,
            /// Inside a deferred closure.
            deferred: bool,
        }
        impl<'a> Visitor<'a> for V<'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Stmt::Defer(d) = s {
                    if let Some((key, op)) = wait_group_call(&d.call) {
                        self.calls.deferred.push((key, op));
                        return false;
                    }
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => {
                        let deferred =
                            self.deferred || literal_kind(e, parents) == BodyKind::Deferred;
                        if !deferred {
                            return false;
                        }
                        let saved = std::mem::replace(&mut self.deferred, true);
                        let Expr::FuncLit(f) = e else { return false };
                        walk_node(VNode::Block(&f.body), &[], self);
                        self.deferred = saved;
                        false
                    }
                    Expr::Call(c) => {
                        if self.deferred && matches!(c.fun, Expr::Ident(id) if id.name == "recover")
                        {
                            self.calls.recovers = true;
                        }
                        if let Some((key, op)) = wait_group_call(e) {
                            if self.deferred {
                                self.calls.deferred.push((key, op));
                            } else {
                                let in_loop = parents.iter().any(|p| {
                                    matches!(p, VNode::Stmt(Stmt::For(_) | Stmt::Range(_)))
                                });
                                self.calls.direct.push((key, op, e, in_loop));
                            }
                        }
                        true
                    }
                    _ => true,
                }
            }
        }
        let mut v = V {
            calls: Calls {
                direct: Vec::new(),
                deferred: Vec::new(),
                recovers: false,
            },
            deferred: false,
        };
        walk_node(VNode::Block(block), &[], &mut v);
        v.calls
    }
}
