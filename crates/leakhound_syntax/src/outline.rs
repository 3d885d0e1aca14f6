//! The canonical outline of a parsed file that `tests/outline/outline.go` prints from
//! `go/parser`'s tree: one line per node in `go/ast.Inspect` order with its kind (the go/ast
//! type name), byte span, and operator or token. Comparing the two is the conformance test.

use std::fmt::Write;

use crate::ast::*;
use crate::visit::{walk_file, Node, Visitor};
use crate::ParsedFile;

/// The outline, or `"ERROR\n"` when the file has syntax errors.
pub fn outline(parsed: &ParsedFile<'_>) -> String {
    if !parsed.errors.is_empty() {
        return "ERROR\n".to_string();
    }
    let mut o = Outliner { out: String::new() };
    walk_file(&parsed.file, &mut o);
    o.out
}

struct Outliner {
    out: String,
}

impl Outliner {
    fn line(&mut self, kind: &str, span: Span, extra: &str) {
        let sep = if extra.is_empty() { "" } else { " " };
        let _ = writeln!(self.out, "{kind} {} {}{sep}{extra}", span.start, span.end);
    }
}

fn lit_kind(k: LitKind) -> &'static str {
    match k {
        LitKind::Int => "INT",
        LitKind::Float => "FLOAT",
        LitKind::Imag => "IMAG",
        LitKind::Char => "CHAR",
        LitKind::String => "STRING",
    }
}

fn expr_line(e: &Expr<'_>) -> (&'static str, String) {
    match e {
        Expr::Ident(i) => ("Ident", i.name.to_string()),
        Expr::BasicLit(l) => ("BasicLit", lit_kind(l.kind).to_string()),
        Expr::CompositeLit(_) => ("CompositeLit", String::new()),
        Expr::FuncLit(_) => ("FuncLit", String::new()),
        Expr::Paren(_) => ("ParenExpr", String::new()),
        Expr::Selector(_) => ("SelectorExpr", String::new()),
        Expr::Index(_) => ("IndexExpr", String::new()),
        Expr::Slice(s) => (
            "SliceExpr",
            if s.slice3 { "3".into() } else { String::new() },
        ),
        Expr::TypeAssert(_) => ("TypeAssertExpr", String::new()),
        Expr::Call(c) => (
            "CallExpr",
            if c.ellipsis.is_some() {
                "...".into()
            } else {
                String::new()
            },
        ),
        Expr::Star(_) => ("StarExpr", String::new()),
        Expr::Unary(u) => ("UnaryExpr", u.op.as_str().to_string()),
        Expr::Binary(b) => ("BinaryExpr", b.op.as_str().to_string()),
        Expr::KeyValue(_) => ("KeyValueExpr", String::new()),
        Expr::ArrayType(_) => ("ArrayType", String::new()),
        Expr::StructType(_) => ("StructType", String::new()),
        Expr::FuncType(_) => ("FuncType", String::new()),
        Expr::InterfaceType(_) => ("InterfaceType", String::new()),
        Expr::MapType(_) => ("MapType", String::new()),
        Expr::ChanType(c) => (
            "ChanType",
            match c.dir {
                ChanDir::Send => "1",
                ChanDir::Recv => "2",
                ChanDir::Both => "3",
            }
            .to_string(),
        ),
        Expr::Ellipsis(_) => ("Ellipsis", String::new()),
        Expr::Bad(_) => ("BadExpr", String::new()),
    }
}

fn gen_tok(k: GenKind) -> &'static str {
    match k {
        GenKind::Import => "import",
        GenKind::Const => "const",
        GenKind::Type => "type",
        GenKind::Var => "var",
    }
}

fn stmt_line(s: &Stmt<'_>) -> (&'static str, String) {
    match s {
        Stmt::Decl(_) => ("DeclStmt", String::new()),
        Stmt::Labeled(_) => ("LabeledStmt", String::new()),
        Stmt::Expr(_) => ("ExprStmt", String::new()),
        Stmt::Send(_) => ("SendStmt", String::new()),
        Stmt::IncDec(s) => ("IncDecStmt", if s.inc { "++" } else { "--" }.to_string()),
        Stmt::Assign(a) => ("AssignStmt", a.tok.as_str().to_string()),
        Stmt::Go(_) => ("GoStmt", String::new()),
        Stmt::Defer(_) => ("DeferStmt", String::new()),
        Stmt::Return(_) => ("ReturnStmt", String::new()),
        Stmt::Branch(b) => ("BranchStmt", b.kind.as_str().to_string()),
        Stmt::Block(_) => ("BlockStmt", String::new()),
        Stmt::If(_) => ("IfStmt", String::new()),
        Stmt::Switch(_) => ("SwitchStmt", String::new()),
        Stmt::TypeSwitch(_) => ("TypeSwitchStmt", String::new()),
        Stmt::Select(_) => ("SelectStmt", String::new()),
        Stmt::For(_) => ("ForStmt", String::new()),
        Stmt::Range(r) => (
            "RangeStmt",
            r.tok.map_or(String::new(), |t| t.as_str().to_string()),
        ),
        Stmt::Empty(e) => (
            "EmptyStmt",
            if e.implicit {
                "implicit".into()
            } else {
                String::new()
            },
        ),
        Stmt::Bad(_) => ("BadStmt", String::new()),
    }
}

impl<'a> Visitor<'a> for Outliner {
    fn visit(&mut self, node: Node<'a>, parents: &[Node<'a>]) -> bool {
        let span = node.span();
        match node {
            Node::File(_) => self.line("File", span, ""),
            Node::Decl(Decl::Func(_)) => self.line("FuncDecl", span, ""),
            Node::Decl(Decl::Gen(g)) => self.line("GenDecl", span, gen_tok(g.kind)),
            Node::Stmt(Stmt::Decl(g)) => {
                self.line("DeclStmt", span, "");
                self.line("GenDecl", span, gen_tok(g.kind));
            }
            Node::Spec(Spec::Import(_)) => self.line("ImportSpec", span, ""),
            Node::Spec(Spec::Value(_)) => self.line("ValueSpec", span, ""),
            Node::Spec(Spec::Type(t)) => {
                self.line("TypeSpec", span, if t.alias { "alias" } else { "" });
            }
            Node::Stmt(s) => {
                let (k, x) = stmt_line(s);
                self.line(k, span, &x);
            }
            Node::Expr(e) => {
                let (k, x) = expr_line(e);
                self.line(k, span, &x);
            }
            Node::Block(_) => self.line("BlockStmt", span, ""),
            Node::CaseClause(_) => self.line("CaseClause", span, ""),
            Node::CommClause(_) => self.line("CommClause", span, ""),
            Node::FieldList(_) => self.line("FieldList", span, ""),
            Node::Field(_) => self.line("Field", span, ""),
            Node::FuncType(_) => self.line("FuncType", span, ""),
            Node::Ident(i) => self.line("Ident", span, i.name),
            Node::BasicLit(l) => self.line("BasicLit", span, lit_kind(l.kind)),
        }
        let _ = parents;
        true
    }
}
