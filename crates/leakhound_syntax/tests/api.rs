//! The tree as the rules see it: shapes of the constructs they match on, and the visitor.

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_file, Node, Visitor};
use leakhound_syntax::{parse_file, LineIndex};

fn body<'a>(file: &'a File<'a>, name: &str) -> &'a [Stmt<'a>] {
    file.decls
        .iter()
        .find_map(|d| match d {
            Decl::Func(f) if f.name.name == name => f.body.as_ref().map(|b| b.stmts.as_slice()),
            _ => None,
        })
        .expect("function")
}

const SRC: &str = r#"package main

import (
	"context"
	t "time"
)

func (b Box[T]) Map[U any](f func(T) U) Box[U] { return Box[U]{f(b.v)} }

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), t.Second)
	defer cancel()
	for i := range 10 {
		select {
		case <-t.After(t.Second):
		case v, ok := <-ch:
		default:
		}
	}
	switch x := y.(type) {
	case int:
	}
	_ = Map[int, string]
	go func() {}()
L:
	for {
		break L
	}
}
"#;

#[test]
fn shapes_the_rules_match_on() {
    let arena = leakhound_syntax::Arena::new();
    let parsed = parse_file(SRC, &arena);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let file = &parsed.file;
    assert_eq!(file.package.name, "main");
    assert_eq!(
        file.imports
            .iter()
            .map(|i| (i.name.map(|n| n.name), i.path_value()))
            .collect::<Vec<_>>(),
        [(None, "context"), (Some("t"), "time")]
    );

    let Decl::Func(m) = &file.decls[1] else {
        panic!("method")
    };
    assert!(m.recv.is_some());
    assert_eq!(
        m.type_params.as_ref().map(|t| t.list[0].names[0].name),
        Some("U"),
        "Go 1.27 generic method"
    );

    let stmts = body(file, "main");
    let Stmt::Assign(a) = &stmts[0] else {
        panic!("assign")
    };
    assert_eq!((a.tok, a.lhs.len(), a.rhs.len()), (AssignOp::Define, 2, 1));
    let Expr::Call(call) = &a.rhs[0] else {
        panic!("call")
    };
    let Expr::Selector(sel) = call.fun else {
        panic!("selector")
    };
    assert_eq!(sel.sel.name, "WithTimeout");
    assert!(matches!(&stmts[1], Stmt::Defer(d) if matches!(d.call, Expr::Call(_))));

    let Stmt::Range(r) = &stmts[2] else {
        panic!("range")
    };
    assert_eq!(r.tok, Some(AssignOp::Define));
    assert!(matches!(
        r.x,
        Expr::BasicLit(BasicLit {
            kind: LitKind::Int,
            value: "10",
            ..
        })
    ));
    let Stmt::Select(s) = &r.body.stmts[0] else {
        panic!("select")
    };
    assert_eq!(s.body.len(), 3);
    assert!(
        matches!(s.body[0].comm, Some(Stmt::Expr(e)) if matches!(&e.x, Expr::Unary(u) if u.op == UnaryOp::Recv))
    );
    assert!(matches!(s.body[1].comm, Some(Stmt::Assign(a)) if a.lhs.len() == 2));
    assert!(s.body[2].comm.is_none(), "default");

    let Stmt::TypeSwitch(ts) = &stmts[3] else {
        panic!("type switch")
    };
    assert!(
        matches!(ts.assign, Stmt::Assign(a) if matches!(&a.rhs[0], Expr::TypeAssert(t) if t.typ.is_none()))
    );
    assert!(
        matches!(&stmts[4], Stmt::Assign(a) if matches!(&a.rhs[0], Expr::Index(i) if i.indices.len() == 2))
    );
    assert!(
        matches!(&stmts[5], Stmt::Go(g) if matches!(&g.call, Expr::Call(c) if matches!(c.fun, Expr::FuncLit(_))))
    );
    let Stmt::Labeled(l) = &stmts[6] else {
        panic!("labeled")
    };
    let Stmt::For(f) = l.stmt else { panic!("for") };
    assert!(
        matches!(&f.body.stmts[0], Stmt::Branch(b) if b.kind == BranchKind::Break && b.label.map(|l| l.name) == Some("L"))
    );

    let (line, col) = LineIndex::new(SRC).line_col(a.span.start);
    assert_eq!((line, col), (11, 2));
    assert_eq!(
        &SRC[a.span.range()],
        "ctx, cancel := context.WithTimeout(context.Background(), t.Second)"
    );
}

/// Records, for each call, the kinds of its enclosing nodes.
struct Calls(Vec<(String, Vec<&'static str>)>);

impl<'a> Visitor<'a> for Calls {
    fn visit_expr(&mut self, expr: &'a Expr<'a>, parents: &[Node<'a>]) -> bool {
        if let Expr::Call(c) = expr {
            if let Expr::Selector(s) = c.fun {
                let kinds = parents
                    .iter()
                    .map(|p| match p {
                        Node::Stmt(Stmt::Range(_)) => "range",
                        Node::Stmt(Stmt::Select(_)) => "select",
                        Node::CommClause(_) => "case",
                        Node::Decl(_) => "func",
                        _ => "",
                    })
                    .filter(|k| !k.is_empty())
                    .collect();
                self.0.push((s.sel.name.to_string(), kinds));
            }
        }
        true
    }
}

#[test]
fn visitor_gives_the_parent_chain() {
    let arena = leakhound_syntax::Arena::new();
    let parsed = parse_file(SRC, &arena);
    let mut calls = Calls(Vec::new());
    walk_file(&parsed.file, &mut calls);
    let after = calls.0.iter().find(|(n, _)| n == "After").expect("t.After");
    assert_eq!(after.1, ["func", "range", "select", "case"]);
    assert_eq!(
        calls.0.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["WithTimeout", "Background", "After"]
    );
}

#[test]
fn recovery_keeps_the_declarations_around_an_error() {
    let arena = leakhound_syntax::Arena::new();
    let parsed = parse_file(
        "package p\n\nfunc a() {\n\tx := \n}\n\nfunc b() {}\n",
        &arena,
    );
    assert_eq!(parsed.errors[0].message, "expected operand, found '}'");
    assert!(parsed
        .file
        .decls
        .iter()
        .any(|d| matches!(d, Decl::Func(f) if f.name.name == "b")));
}
