//! The bodies of a function declaration: its own and those of every function literal in it,
//! each with how it runs (the declaration's goroutine, `go`, `defer`, or called later).

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

/// How a function body is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// The declaration's own body.
    Decl,
    /// `go func() { ... }()`.
    Go,
    /// `defer func() { ... }()`.
    Deferred,
    /// Any other function literal.
    Lit,
}

pub struct Body<'a> {
    pub block: &'a Block<'a>,
    pub typ: &'a FuncType<'a>,
    pub kind: BodyKind,
}

/// The declaration's body and every function literal in it, in source order.
pub fn bodies<'a>(decl: &'a FuncDecl<'a>) -> Vec<Body<'a>> {
    struct Finder<'a> {
        out: Vec<Body<'a>>,
    }
    impl<'a> Visitor<'a> for Finder<'a> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
            if let Expr::FuncLit(f) = e {
                self.out.push(Body {
                    block: &f.body,
                    typ: &f.typ,
                    kind: literal_kind(e, parents),
                });
            }
            true
        }
    }
    let Some(block) = &decl.body else {
        return Vec::new();
    };
    let mut finder = Finder {
        out: vec![Body {
            block,
            typ: &decl.typ,
            kind: BodyKind::Decl,
        }],
    };
    walk_node(VNode::Block(block), &[], &mut finder);
    finder.out
}

/// Whether the literal `e` is called by a `go` or `defer` statement directly.
pub fn literal_kind<'a>(e: &'a Expr<'a>, parents: &[VNode<'a>]) -> BodyKind {
    let mut i = parents.len();
    // Skip parentheses around the literal.
    while i > 0 && matches!(parents[i - 1], VNode::Expr(Expr::Paren(_))) {
        i -= 1;
    }
    let called = i >= 1
        && matches!(parents[i - 1], VNode::Expr(Expr::Call(c)) if std::ptr::eq(unparen(c.fun), e));
    if !called || i < 2 {
        return BodyKind::Lit;
    }
    match parents[i - 2] {
        VNode::Stmt(Stmt::Go(_)) => BodyKind::Go,
        VNode::Stmt(Stmt::Defer(_)) => BodyKind::Deferred,
        _ => BodyKind::Lit,
    }
}
