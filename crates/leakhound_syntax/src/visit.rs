//! Walking the tree. [`walk_file`] visits every node in source order (the order of
//! `go/ast.Walk`), calling [`Visitor::visit`] before a node's children and [`Visitor::leave`]
//! after them, with the chain of enclosing nodes (outermost first). Returning `false` from
//! `visit` skips the node's children (and its `leave`). Implement the typed hooks
//! (`visit_stmt`, `visit_expr`, ...) or the generic `visit`/`leave`.

use crate::ast::*;

/// A reference to any node of the tree.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    File(&'a File<'a>),
    Decl(&'a Decl<'a>),
    Spec(&'a Spec<'a>),
    Stmt(&'a Stmt<'a>),
    Expr(&'a Expr<'a>),
    Block(&'a Block<'a>),
    CaseClause(&'a CaseClause<'a>),
    CommClause(&'a CommClause<'a>),
    FieldList(&'a FieldList<'a>),
    Field(&'a Field<'a>),
    /// The signature of a function declaration or literal.
    FuncType(&'a FuncType<'a>),
    /// A name that is not an expression: declared names, labels, selectors, the package name.
    Ident(&'a Ident<'a>),
    /// An import path or a struct tag.
    BasicLit(&'a BasicLit<'a>),
}

impl<'a> Node<'a> {
    pub fn span(&self) -> Span {
        match self {
            Node::File(x) => x.span,
            Node::Decl(x) => x.span(),
            Node::Spec(x) => x.span(),
            Node::Stmt(x) => x.span(),
            Node::Expr(x) => x.span(),
            Node::Block(x) => x.span,
            Node::CaseClause(x) => x.span,
            Node::CommClause(x) => x.span,
            Node::FieldList(x) => x.span,
            Node::Field(x) => x.span,
            Node::FuncType(x) => x.span,
            Node::Ident(x) => x.span,
            Node::BasicLit(x) => x.span,
        }
    }
}

pub trait Visitor<'a> {
    /// Called before the children of `node`; `false` skips them.
    fn visit(&mut self, node: Node<'a>, parents: &[Node<'a>]) -> bool {
        match node {
            Node::Stmt(s) => self.visit_stmt(s, parents),
            Node::Expr(e) => self.visit_expr(e, parents),
            Node::Decl(d) => self.visit_decl(d, parents),
            _ => true,
        }
    }

    /// Called after the children of `node`.
    fn leave(&mut self, node: Node<'a>, parents: &[Node<'a>]) {
        match node {
            Node::Stmt(s) => self.leave_stmt(s, parents),
            Node::Expr(e) => self.leave_expr(e, parents),
            Node::Decl(d) => self.leave_decl(d, parents),
            _ => {}
        }
    }

    fn visit_stmt(&mut self, _stmt: &'a Stmt<'a>, _parents: &[Node<'a>]) -> bool {
        true
    }
    fn leave_stmt(&mut self, _stmt: &'a Stmt<'a>, _parents: &[Node<'a>]) {}
    fn visit_expr(&mut self, _expr: &'a Expr<'a>, _parents: &[Node<'a>]) -> bool {
        true
    }
    fn leave_expr(&mut self, _expr: &'a Expr<'a>, _parents: &[Node<'a>]) {}
    fn visit_decl(&mut self, _decl: &'a Decl<'a>, _parents: &[Node<'a>]) -> bool {
        true
    }
    fn leave_decl(&mut self, _decl: &'a Decl<'a>, _parents: &[Node<'a>]) {}
}

/// Walks the whole file.
pub fn walk_file<'a, V: Visitor<'a>>(file: &'a File<'a>, v: &mut V) {
    Walker {
        v,
        parents: Vec::new(),
    }
    .node(Node::File(file));
}

/// Walks the subtree at `node`, with `parents` as its enclosing chain.
pub fn walk_node<'a, V: Visitor<'a>>(node: Node<'a>, parents: &[Node<'a>], v: &mut V) {
    Walker {
        v,
        parents: parents.to_vec(),
    }
    .node(node);
}

struct Walker<'v, 'a, V> {
    v: &'v mut V,
    parents: Vec<Node<'a>>,
}

impl<'a, V: Visitor<'a>> Walker<'_, 'a, V> {
    fn node(&mut self, n: Node<'a>) {
        if !self.v.visit(n, &self.parents) {
            return;
        }
        self.parents.push(n);
        self.children(n);
        self.parents.pop();
        self.v.leave(n, &self.parents);
    }

    fn expr(&mut self, e: &'a Expr<'a>) {
        self.node(Node::Expr(e));
    }

    fn opt_expr(&mut self, e: &'a Option<Expr<'a>>) {
        if let Some(e) = e {
            self.expr(e);
        }
    }

    fn exprs(&mut self, es: &'a [Expr<'a>]) {
        for e in es {
            self.expr(e);
        }
    }

    fn stmts(&mut self, ss: &'a [Stmt<'a>]) {
        for s in ss {
            self.node(Node::Stmt(s));
        }
    }

    fn opt_stmt(&mut self, s: &'a Option<&'a Stmt<'a>>) {
        if let Some(s) = s {
            self.node(Node::Stmt(s));
        }
    }

    fn ident(&mut self, i: &'a Ident<'a>) {
        self.node(Node::Ident(i));
    }

    fn func_type(&mut self, t: &'a FuncType<'a>, tparams: Option<&'a FieldList<'a>>) {
        let n = Node::FuncType(t);
        if !self.v.visit(n, &self.parents) {
            return;
        }
        self.parents.push(n);
        if let Some(tp) = tparams {
            self.node(Node::FieldList(tp));
        }
        self.node(Node::FieldList(&t.params));
        if let Some(r) = &t.results {
            self.node(Node::FieldList(r));
        }
        self.parents.pop();
        self.v.leave(n, &self.parents);
    }

    fn children(&mut self, n: Node<'a>) {
        match n {
            Node::File(f) => {
                self.ident(&f.package);
                for d in &f.decls {
                    self.node(Node::Decl(d));
                }
            }
            Node::Decl(Decl::Func(f)) => {
                if let Some(r) = &f.recv {
                    self.node(Node::FieldList(r));
                }
                self.ident(&f.name);
                self.func_type(&f.typ, f.type_params.as_ref());
                if let Some(b) = &f.body {
                    self.node(Node::Block(b));
                }
            }
            Node::Decl(Decl::Gen(g)) => {
                for s in &g.specs {
                    self.node(Node::Spec(s));
                }
            }
            Node::Spec(Spec::Import(s)) => {
                if let Some(name) = &s.name {
                    self.ident(name);
                }
                self.node(Node::BasicLit(&s.path));
            }
            Node::Spec(Spec::Value(s)) => {
                for name in &s.names {
                    self.ident(name);
                }
                self.opt_expr(&s.typ);
                self.exprs(&s.values);
            }
            Node::Spec(Spec::Type(s)) => {
                self.ident(&s.name);
                if let Some(tp) = &s.type_params {
                    self.node(Node::FieldList(tp));
                }
                self.expr(&s.typ);
            }
            Node::Block(b) => self.stmts(&b.stmts),
            Node::FieldList(l) => {
                for f in &l.list {
                    self.node(Node::Field(f));
                }
            }
            Node::Field(f) => {
                for name in &f.names {
                    self.ident(name);
                }
                self.expr(&f.typ);
                if let Some(t) = &f.tag {
                    self.node(Node::BasicLit(t));
                }
            }
            Node::FuncType(t) => {
                self.node(Node::FieldList(&t.params));
                if let Some(r) = &t.results {
                    self.node(Node::FieldList(r));
                }
            }
            Node::CaseClause(c) => {
                self.exprs(&c.list);
                self.stmts(&c.body);
            }
            Node::CommClause(c) => {
                self.opt_stmt(&c.comm);
                self.stmts(&c.body);
            }
            Node::Stmt(s) => self.stmt_children(s),
            Node::Expr(e) => self.expr_children(e),
            Node::Ident(_) | Node::BasicLit(_) => {}
        }
    }

    fn stmt_children(&mut self, s: &'a Stmt<'a>) {
        match s {
            Stmt::Decl(g) => {
                for s in &g.specs {
                    self.node(Node::Spec(s));
                }
            }
            Stmt::Labeled(l) => {
                self.ident(&l.label);
                self.node(Node::Stmt(l.stmt));
            }
            Stmt::Expr(e) => self.expr(&e.x),
            Stmt::Send(s) => {
                self.expr(&s.chan);
                self.expr(&s.value);
            }
            Stmt::IncDec(s) => self.expr(&s.x),
            Stmt::Assign(a) => {
                self.exprs(&a.lhs);
                self.exprs(&a.rhs);
            }
            Stmt::Go(g) => self.expr(&g.call),
            Stmt::Defer(d) => self.expr(&d.call),
            Stmt::Return(r) => self.exprs(&r.results),
            Stmt::Branch(b) => {
                if let Some(l) = &b.label {
                    self.ident(l);
                }
            }
            Stmt::Block(b) => self.stmts(&b.stmts),
            Stmt::If(s) => {
                self.opt_stmt(&s.init);
                self.expr(&s.cond);
                self.node(Node::Block(&s.body));
                self.opt_stmt(&s.els);
            }
            Stmt::Switch(s) => {
                self.opt_stmt(&s.init);
                self.opt_expr(&s.tag);
                for c in &s.body {
                    self.node(Node::CaseClause(c));
                }
            }
            Stmt::TypeSwitch(s) => {
                self.opt_stmt(&s.init);
                self.node(Node::Stmt(s.assign));
                for c in &s.body {
                    self.node(Node::CaseClause(c));
                }
            }
            Stmt::Select(s) => {
                for c in &s.body {
                    self.node(Node::CommClause(c));
                }
            }
            Stmt::For(s) => {
                self.opt_stmt(&s.init);
                self.opt_expr(&s.cond);
                self.opt_stmt(&s.post);
                self.node(Node::Block(&s.body));
            }
            Stmt::Range(s) => {
                self.opt_expr(&s.key);
                self.opt_expr(&s.value);
                self.expr(&s.x);
                self.node(Node::Block(&s.body));
            }
            Stmt::Empty(_) | Stmt::Bad(_) => {}
        }
    }

    fn expr_children(&mut self, e: &'a Expr<'a>) {
        match e {
            Expr::Ident(_) | Expr::BasicLit(_) | Expr::Bad(_) => {}
            Expr::CompositeLit(c) => {
                self.opt_expr(&c.typ);
                self.exprs(&c.elts);
            }
            Expr::FuncLit(f) => {
                self.func_type(&f.typ, None);
                self.node(Node::Block(&f.body));
            }
            Expr::Paren(p) => self.expr(p.x),
            Expr::Selector(s) => {
                self.expr(s.x);
                self.ident(&s.sel);
            }
            Expr::Index(i) => {
                self.expr(i.x);
                self.exprs(&i.indices);
            }
            Expr::Slice(s) => {
                self.expr(&s.x);
                self.opt_expr(&s.low);
                self.opt_expr(&s.high);
                self.opt_expr(&s.max);
            }
            Expr::TypeAssert(t) => {
                self.expr(t.x);
                if let Some(t) = &t.typ {
                    self.expr(t);
                }
            }
            Expr::Call(c) => {
                self.expr(c.fun);
                self.exprs(&c.args);
            }
            Expr::Star(s) => self.expr(s.x),
            Expr::Unary(u) => self.expr(u.x),
            Expr::Binary(b) => {
                self.expr(b.x);
                self.expr(b.y);
            }
            Expr::KeyValue(kv) => {
                self.expr(kv.key);
                self.expr(kv.value);
            }
            Expr::ArrayType(a) => {
                self.opt_expr(&a.len);
                self.expr(&a.elt);
            }
            Expr::StructType(s) => self.node(Node::FieldList(&s.fields)),
            Expr::FuncType(f) => {
                self.node(Node::FieldList(&f.params));
                if let Some(r) = &f.results {
                    self.node(Node::FieldList(r));
                }
            }
            Expr::InterfaceType(i) => self.node(Node::FieldList(&i.methods)),
            Expr::MapType(m) => {
                self.expr(&m.key);
                self.expr(&m.value);
            }
            Expr::ChanType(c) => self.expr(&c.value),
            Expr::Ellipsis(e) => {
                if let Some(elt) = &e.elt {
                    self.expr(elt);
                }
            }
        }
    }
}
