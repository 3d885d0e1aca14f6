//! How the package refers to channel fields beyond sending and receiving: the facts a rule
//! needs before it calls a field channel abandoned. By identity where the model resolves the
//! field, and by name where it does not (an over-approximation: an unresolved `x.f` used in an
//! opaque way makes every field named `f` opaque).

use std::collections::HashSet;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use super::identity::Identity;
use super::types::Kind;
use super::{FuncId, Semantic};

impl<'a> FieldChanRefs<'a> {
    /// Whether something may send on or close the field, or the model cannot tell.
    pub fn fed_or_opaque(&self, id: &Identity<'a>, type_name: &str) -> bool {
        let Identity::Field { field, .. } = id else {
            return true;
        };
        self.fed_ids.contains(id)
            || self.opaque_ids.contains(id)
            || self.fed.contains(field)
            || self.opaque.contains(field)
            || self.positional.contains(type_name)
    }
}

#[derive(Default)]
pub struct FieldChanRefs<'a> {
    /// Fields something sends on or closes: resolved ones by identity, others by name.
    pub fed_ids: HashSet<Identity<'a>>,
    pub fed: HashSet<&'a str>,
    /// Fields used in a way the model cannot follow, resolved ones by identity.
    pub opaque_ids: HashSet<Identity<'a>>,
    /// Field names used as anything else than an operand of a receive, `range`, `len`/`cap`,
    /// the target of `= make(chan ...)`, or the result of an unexported accessor: assigned
    /// from a value, passed, stored, returned, or an alias taken. The model cannot follow
    /// those.
    pub opaque: HashSet<&'a str>,
    /// Types built by a composite literal without keys: their fields are set from values.
    pub positional: HashSet<&'a str>,
    /// Receives that are a `select` case beside another case (or `default`): (file, span).
    pub select_recvs: HashSet<(usize, Span)>,
}

fn is_make_chan(e: &Expr<'_>) -> bool {
    matches!(unparen(e), Expr::Call(c)
        if matches!(c.fun, Expr::Ident(id) if id.name == "make")
            && matches!(c.args.first(), Some(Expr::ChanType(_))))
}

/// The name a call is made by: the function's, or the method's.
fn callee_name<'a>(c: &CallExpr<'a>) -> Option<&'a str> {
    match unparen(c.fun) {
        Expr::Ident(id) => Some(id.name),
        Expr::Selector(s) => Some(s.sel.name),
        _ => None,
    }
}

fn same(a: &Expr<'_>, b: &Expr<'_>) -> bool {
    std::ptr::eq(unparen(a), unparen(b))
}

impl<'a> Semantic<'a> {
    /// The names of the package's accessors of the channel fields of these names, and of
    /// those that return their channel parameter (they hand on whatever they are given).
    pub fn chan_field_accessors(&self, fields: &HashSet<&str>) -> HashSet<&'a str> {
        self.func_ids()
            .filter(|&f| {
                self.accessor(f).is_some_and(|r| {
                    r.kind == Kind::Chan
                        && match r.id {
                            Identity::Field { field, .. } => fields.contains(field),
                            Identity::Param { .. } => true,
                            _ => false,
                        }
                })
            })
            .map(|f| self.funcs[f as usize].name)
            .collect()
    }

    /// The package's references to the channel fields of these names (and to their
    /// `accessors`), computed on call: only what can concern those fields is resolved, in the
    /// functions that spell one of those names or of the fields' `types`.
    pub fn field_chan_refs(
        &self,
        fields: &HashSet<&str>,
        types: &HashSet<&str>,
        accessors: HashSet<&'a str>,
    ) -> FieldChanRefs<'a> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            fields: &'s HashSet<&'s str>,
            accessors: HashSet<&'a str>,
            func: FuncId,
            file: usize,
            accessor: bool,
            out: FieldChanRefs<'a>,
        }
        impl<'a> V<'_, 'a> {
            /// `e` denotes the field `name`: classify the position it is used in.
            fn place(&mut self, e: &'a Expr<'a>, name: &'a str, parents: &[VNode<'a>]) {
                // Parentheses do not change the position.
                let mut up = parents.iter().rev();
                let mut parent = up.next();
                while let Some(VNode::Expr(Expr::Paren(_))) = parent {
                    parent = up.next();
                }
                let fed = match parent {
                    Some(VNode::Expr(Expr::Unary(u))) if u.op == UnaryOp::Recv => return,
                    Some(VNode::Stmt(Stmt::Range(r))) if same(&r.x, e) => return,
                    Some(VNode::Stmt(Stmt::Send(s))) => same(&s.chan, e),
                    Some(VNode::Expr(Expr::Call(c))) => match c.fun {
                        Expr::Ident(f) if f.name == "len" || f.name == "cap" => return,
                        Expr::Ident(f) if f.name == "close" => true,
                        _ => false,
                    },
                    Some(VNode::Stmt(Stmt::Assign(a))) => {
                        let made = a.lhs.len() == a.rhs.len()
                            && a.lhs
                                .iter()
                                .zip(&a.rhs)
                                .any(|(l, r)| same(l, e) && is_make_chan(r));
                        if made {
                            return;
                        }
                        false
                    }
                    Some(VNode::Stmt(Stmt::Return(_))) if self.accessor => return,
                    _ => false,
                };
                let id = self
                    .sem
                    .resolve(self.func, e)
                    .filter(|r| r.kind == Kind::Chan)
                    .map(|r| r.id)
                    .filter(|id| matches!(id, Identity::Field { .. }));
                match (id, fed) {
                    (Some(id), true) => self.out.fed_ids.insert(id),
                    (Some(id), false) => self.out.opaque_ids.insert(id),
                    (None, true) => self.out.fed.insert(name),
                    (None, false) => self.out.opaque.insert(name),
                };
            }
        }
        impl<'a> V<'_, 'a> {
            /// `T{k: v}` with a value that is not a new channel: the field of `T` when the
            /// literal names a package type, any field `k` otherwise.
            fn keyed(&mut self, c: &'a CompositeLit<'a>, k: &'a str) {
                let typ = match c.typ.as_ref().map(unparen) {
                    Some(Expr::Ident(t)) => self.sem.type_id(t.name),
                    _ => None,
                };
                match typ {
                    Some(typ) => self
                        .out
                        .opaque_ids
                        .insert(Identity::Field { typ, field: k }),
                    None => self.out.opaque.insert(k),
                };
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Stmt::Select(sel) = s {
                    if sel.body.len() > 1 {
                        for clause in &sel.body {
                            let recv = match clause.comm {
                                Some(Stmt::Expr(e)) => Some(&e.x),
                                Some(Stmt::Assign(a)) => a.rhs.first(),
                                _ => None,
                            };
                            if let Some(Expr::Unary(u)) = recv.map(unparen) {
                                self.out.select_recvs.insert((self.file, u.span));
                            }
                        }
                    }
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::Selector(s) if self.fields.contains(s.sel.name) => {
                        self.place(e, s.sel.name, parents);
                    }
                    Expr::Call(c) if callee_name(c).is_some_and(|n| self.accessors.contains(n)) => {
                        if let Some(r) = self.sem.resolve(self.func, e) {
                            if let (Kind::Chan, Identity::Field { field, .. }) = (r.kind, r.id) {
                                self.place(e, field, parents);
                            }
                        }
                    }
                    Expr::CompositeLit(c) => {
                        for elt in &c.elts {
                            match elt {
                                Expr::KeyValue(kv) => {
                                    if let Expr::Ident(k) = kv.key {
                                        if !is_make_chan(kv.value) {
                                            self.keyed(c, k.name);
                                        }
                                    }
                                }
                                _ => {
                                    if let Some(Expr::Ident(t)) = c.typ.as_ref().map(unparen) {
                                        self.out.positional.insert(t.name);
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
        }
        let words: Vec<&str> = fields
            .iter()
            .chain(types)
            .chain(&accessors)
            .copied()
            .collect();
        let mut v = V {
            sem: self,
            fields,
            accessors,
            func: 0,
            file: 0,
            accessor: false,
            out: FieldChanRefs::default(),
        };
        for f in 0..super::id(self.funcs.len()) {
            let info = &self.funcs[f as usize];
            let Some(body) = &info.decl.body else {
                continue;
            };
            if !self.spells(f, &words) {
                continue;
            }
            v.func = f;
            v.file = info.file;
            // An exported accessor hands the channel to other packages: not followed.
            v.accessor = self.accessor(f).is_some_and(|r| r.kind == Kind::Chan)
                && info
                    .name
                    .starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
            walk_node(VNode::Block(body), &[], &mut v);
        }
        v.out
    }
}
