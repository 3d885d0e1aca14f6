//! Cancel funcs across the package: where the cancel func of each `context.With...` call goes
//! (every use of the local that receives it, a field, a package variable, a result), which
//! fields and package variables anything reads, and which calls drop which results. Facts
//! only: what counts as losing a cancel func is the rules' business.

use std::collections::HashSet;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use super::types::{type_from_expr, Binding, Local, Ty};
use super::{FuncId, Semantic, TypeId};
use crate::api::CANCEL_CONSTRUCTORS;

/// Where a value may be kept beyond the function that made it: a field of a package struct
/// type (the type that declares it), or a package variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot<'a> {
    Field { typ: TypeId, field: &'a str },
    PkgVar(&'a str),
}

impl Slot<'_> {
    /// Whether another package may read it: an exported field or package variable.
    pub fn exported(&self) -> bool {
        let name = match self {
            Slot::Field { field, .. } => field,
            Slot::PkgVar(name) => name,
        };
        name.starts_with(|c: char| c.is_uppercase())
    }
}

/// Where a use sits in its function declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Within {
    /// The declaration's own body.
    Body,
    /// A function literal that the declaration's body returns, at that result index.
    ReturnedLiteral(u32),
    /// Any other function literal.
    Literal,
}

/// One use of a cancel func.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelUse<'a> {
    /// `cancel()`, `defer cancel()`, `go cancel()`.
    Call {
        within: Within,
        deferred: bool,
        go: bool,
    },
    /// Stored in a field or package variable (`s.cancel = cancel`, `&S{cancel: cancel}`,
    /// `ctx, s.cancel = context.WithCancel(p)`); `returned`: the result index when the store is
    /// a composite literal that the declaration's body returns.
    Store {
        slot: Slot<'a>,
        returned: Option<u32>,
    },
    /// Returned by the declaration's body, at that result index.
    Return(u32),
    /// `_ = cancel`.
    Blank,
    /// Anything the model does not follow: passed, aliased, sent, appended, stored in an
    /// element, reassigned, returned by a function literal.
    Other,
}

/// A `context.With...` call that returns a cancel func, and where that func goes.
#[derive(Clone, Debug)]
pub struct CancelSite<'a> {
    pub func: FuncId,
    pub file: usize,
    pub call: &'a CallExpr<'a>,
    /// `WithCancel`, `WithTimeout`, ...
    pub ctor: &'a str,
    /// Inside a function literal of the declaration.
    pub in_literal: bool,
    /// Assigned to `_`.
    pub discarded: bool,
    /// Every use of the cancel func (of the local that receives it, in its whole declaration),
    /// with where it is.
    pub uses: Vec<(Span, CancelUse<'a>)>,
}

/// A call of a package function whose results are dropped, in whole or in part.
#[derive(Clone, Debug)]
pub struct Discard<'a> {
    pub caller: FuncId,
    pub file: usize,
    pub call: &'a CallExpr<'a>,
    pub callee: FuncId,
    /// The result indices assigned to `_`; `None` when the call is a statement (all dropped).
    pub results: Option<Vec<u32>>,
}

impl<'a> Semantic<'a> {
    /// The constructor a call is, when it is a `context.With...` call returning a cancel func.
    fn cancel_ctor(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
    ) -> Option<&'a str> {
        let file = self.funcs[func as usize].file;
        let s = match unparen(c.fun) {
            Expr::Selector(s) => s,
            // `import . "context"`.
            Expr::Ident(id) => {
                return (CANCEL_CONSTRUCTORS.contains(&id.name)
                    && self.imports[file].dot_imports("context")
                    && self.bind_in(func, locals, id) == Binding::Unknown)
                    .then_some(id.name);
            }
            _ => return None,
        };
        let ctor = s.sel.name;
        if !CANCEL_CONSTRUCTORS.contains(&ctor) {
            return None;
        }
        let Expr::Ident(pkg) = unparen(s.x) else {
            return None;
        };
        if self.imports[file].path_of(pkg.name) != Some("context") {
            return None;
        }
        matches!(self.bind_in(func, locals, pkg), Binding::Import(_)).then_some(ctor)
    }

    /// The field or package variable an assignment target or selector denotes.
    fn slot_of(&self, func: FuncId, locals: &[Local<'a>], e: &'a Expr<'a>) -> Option<Slot<'a>> {
        match unparen(e) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::PkgVar(name) => Some(Slot::PkgVar(name)),
                _ => None,
            },
            Expr::Selector(s) => {
                let Ty::Named(t) = self.type_in(func, locals, s.x).pointee().clone() else {
                    return None;
                };
                let f = self.field(t, s.sel.name)?;
                Some(Slot::Field {
                    typ: f.owner,
                    field: f.name,
                })
            }
            _ => None,
        }
    }

    /// Every `context.With...` call of the package that returns a cancel func, in file and
    /// source order, with where its cancel func goes. Computed on each call: ask once.
    pub fn cancel_sites(&self) -> Vec<CancelSite<'a>> {
        let mut out = Vec::new();
        for func in self.func_ids() {
            let info = &self.funcs[func as usize];
            let Some(body) = &info.decl.body else {
                continue;
            };
            // Typing the locals is the cost: only where a constructor may be called.
            let text = self.source(info.file).get(body.span.range()).unwrap_or("");
            if !["WithCancel", "WithTimeout", "WithDeadline"]
                .iter()
                .any(|c| text.contains(c))
            {
                continue;
            }
            let locals = self.locals(func);
            let mut v = SiteVisitor {
                sem: self,
                func,
                locals,
                out: Vec::new(),
            };
            walk_node(VNode::Block(body), &[], &mut v);
            out.extend(v.out);
        }
        out
    }

    /// Where the cancel func of the call at the end of `parents` goes.
    fn site(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        call: &'a CallExpr<'a>,
        ctor: &'a str,
        parents: &[VNode<'a>],
    ) -> CancelSite<'a> {
        let info = &self.funcs[func as usize];
        let in_literal = parents
            .iter()
            .any(|p| matches!(p, VNode::Expr(Expr::FuncLit(_))));
        let mut site = CancelSite {
            func,
            file: info.file,
            call,
            ctor,
            in_literal,
            discarded: false,
            uses: Vec::new(),
        };
        let other = vec![(call.span, CancelUse::Other)];
        // The variable (or field) that receives the cancel func.
        let target: Option<&'a Expr<'a>> = match parents.last() {
            Some(VNode::Stmt(Stmt::Assign(a))) if a.lhs.len() == 2 && a.rhs.len() == 1 => {
                Some(&a.lhs[1])
            }
            Some(VNode::Spec(Spec::Value(v))) if v.names.len() == 2 && v.values.len() == 1 => {
                let name = &v.names[1];
                if name.name == "_" {
                    site.discarded = true;
                    return site;
                }
                site.uses = match locals.iter().position(|l| l.decl == name.span) {
                    Some(i) => self.local_uses(func, locals, i),
                    None => other,
                };
                return site;
            }
            Some(VNode::Stmt(Stmt::Return(r))) if r.results.len() == 1 && !in_literal => {
                site.uses = vec![(call.span, CancelUse::Return(1))];
                return site;
            }
            _ => None,
        };
        let Some(target) = target else {
            site.uses = other;
            return site;
        };
        site.uses = match unparen(target) {
            Expr::Ident(id) if id.name == "_" => {
                site.discarded = true;
                Vec::new()
            }
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Local(i) => self.local_uses(func, locals, i),
                Binding::PkgVar(name) => vec![(
                    target.span(),
                    CancelUse::Store {
                        slot: Slot::PkgVar(name),
                        returned: None,
                    },
                )],
                _ => other,
            },
            Expr::Selector(_) => match self.slot_of(func, locals, target) {
                Some(slot) => vec![(
                    target.span(),
                    CancelUse::Store {
                        slot,
                        returned: None,
                    },
                )],
                None => other,
            },
            _ => other,
        };
        site
    }

    /// Every use of local `i` of `func` (its declaration and the assignments of a
    /// `context.With...` call to it left out).
    fn local_uses(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        i: usize,
    ) -> Vec<(Span, CancelUse<'a>)> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            locals: &'s [Local<'a>],
            local: usize,
            out: Vec<(Span, CancelUse<'a>)>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                let Expr::Ident(id) = e else { return true };
                if id.span == self.locals[self.local].decl
                    || is_composite_key(e, parents)
                    || self.sem.bind_in(self.func, self.locals, id) != Binding::Local(self.local)
                {
                    return true;
                }
                if let Some(u) = self.sem.classify(self.func, self.locals, e, parents) {
                    self.out.push((id.span, u));
                }
                true
            }
        }
        let Some(body) = &self.funcs[func as usize].decl.body else {
            return Vec::new();
        };
        let mut v = V {
            sem: self,
            func,
            locals,
            local: i,
            out: Vec::new(),
        };
        walk_node(VNode::Block(body), &[], &mut v);
        v.out
    }

    /// What one reference `e` to a cancel func does with it; `None` for an assignment of a
    /// `context.With...` call to it (another site).
    fn classify(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        e: &'a Expr<'a>,
        parents: &[VNode<'a>],
    ) -> Option<CancelUse<'a>> {
        let span = e.span();
        let n = parents.len();
        // The result index of `parents[at]` (or of `e` itself, at `n`) when it is directly a
        // result of a `return` of the declaration's body.
        let returned = |at: usize| -> Option<u32> {
            let VNode::Stmt(Stmt::Return(r)) = parents.get(at.checked_sub(1)?)? else {
                return None;
            };
            if parents[..at]
                .iter()
                .any(|p| matches!(p, VNode::Expr(Expr::FuncLit(_))))
            {
                return None;
            }
            let child = parents.get(at).map_or(span, VNode::span);
            r.results
                .iter()
                .position(|x| x.span() == child)
                .map(super::id)
        };
        let use_ = match parents.last()? {
            VNode::Expr(Expr::Call(c)) if unparen(c.fun).span() == span => {
                let stmt = n.checked_sub(2).and_then(|i| parents.get(i));
                let within = match parents
                    .iter()
                    .rposition(|p| matches!(p, VNode::Expr(Expr::FuncLit(_))))
                {
                    None => Within::Body,
                    Some(at) => returned(at).map_or(Within::Literal, Within::ReturnedLiteral),
                };
                CancelUse::Call {
                    within,
                    deferred: matches!(stmt, Some(VNode::Stmt(Stmt::Defer(_)))),
                    go: matches!(stmt, Some(VNode::Stmt(Stmt::Go(_)))),
                }
            }
            VNode::Stmt(Stmt::Assign(a)) => {
                if a.lhs.iter().any(|l| l.span() == span) {
                    let from_ctor = matches!(a.rhs.as_slice(), [Expr::Call(c)]
                        if self.cancel_ctor(func, locals, c).is_some());
                    return (!from_ctor).then_some(CancelUse::Other);
                }
                let k = a.rhs.iter().position(|r| r.span() == span)?;
                match a.lhs.get(k).filter(|_| a.lhs.len() == a.rhs.len()) {
                    Some(Expr::Ident(id)) if id.name == "_" => CancelUse::Blank,
                    Some(l) if a.tok == AssignOp::Assign => match self.slot_of(func, locals, l) {
                        Some(slot) => CancelUse::Store {
                            slot,
                            returned: None,
                        },
                        None => CancelUse::Other,
                    },
                    _ => CancelUse::Other,
                }
            }
            VNode::Expr(Expr::KeyValue(kv)) if unparen(kv.value).span() == span => {
                let Some(VNode::Expr(Expr::CompositeLit(c))) =
                    n.checked_sub(2).and_then(|i| parents.get(i))
                else {
                    return Some(CancelUse::Other);
                };
                let (Some(typ), Expr::Ident(key)) = (&c.typ, unparen(kv.key)) else {
                    return Some(CancelUse::Other);
                };
                let file = self.funcs[func as usize].file;
                let Ty::Named(t) = type_from_expr(self, &self.imports[file], typ) else {
                    return Some(CancelUse::Other);
                };
                let Some(f) = self.field(t, key.name) else {
                    return Some(CancelUse::Other);
                };
                // `return &S{...}` or `return S{...}`.
                let lit = n - 2;
                let returned = match lit.checked_sub(1).and_then(|i| parents.get(i)) {
                    Some(VNode::Expr(Expr::Unary(u))) if u.op == UnaryOp::And => returned(lit - 1),
                    _ => returned(lit),
                };
                CancelUse::Store {
                    slot: Slot::Field {
                        typ: f.owner,
                        field: f.name,
                    },
                    returned,
                }
            }
            VNode::Stmt(Stmt::Return(_)) => returned(n).map_or(CancelUse::Other, CancelUse::Return),
            _ => CancelUse::Other,
        };
        Some(use_)
    }

    /// For each slot, where anything in the package reads it: every mention of the field (on
    /// a value of its type, or of a type the model cannot tell) or package variable other than
    /// as an assignment's target or in a comparison with `nil`. In package-level initialisers
    /// (no function to type them in) every mention of the name counts.
    pub fn slot_reads(&self, slots: &[Slot<'a>]) -> Vec<Vec<(usize, Span)>> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            file: usize,
            locals: &'s [Local<'a>],
            slots: &'s [Slot<'a>],
            fields: HashSet<&'a str>,
            vars: HashSet<&'a str>,
            out: Vec<Vec<(usize, Span)>>,
        }
        impl<'a> V<'_, 'a> {
            fn read(&mut self, slot: impl Fn(&Slot<'a>) -> bool, span: Span) {
                for (i, s) in self.slots.iter().enumerate() {
                    if slot(s) {
                        self.out[i].push((self.file, span));
                    }
                }
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::Selector(s) if self.fields.contains(s.sel.name) => {
                        if written_or_nil_compared(e, parents) {
                            return true;
                        }
                        if let Expr::Ident(pkg) = unparen(s.x) {
                            if let Binding::Import(_) =
                                self.sem.bind_in(self.func, self.locals, pkg)
                            {
                                return true;
                            }
                        }
                        let name = s.sel.name;
                        match self
                            .sem
                            .type_in(self.func, self.locals, s.x)
                            .pointee()
                            .clone()
                        {
                            Ty::Named(t) => {
                                let Some(f) = self.sem.field(t, name) else {
                                    return true;
                                };
                                self.read(
                                    |slot| {
                                        *slot
                                            == Slot::Field {
                                                typ: f.owner,
                                                field: name,
                                            }
                                    },
                                    e.span(),
                                );
                            }
                            // A value the model cannot type may be of the slot's type.
                            _ => self.read(
                                |slot| matches!(slot, Slot::Field { field, .. } if *field == name),
                                e.span(),
                            ),
                        }
                    }
                    Expr::Ident(id) if self.vars.contains(id.name) => {
                        if written_or_nil_compared(e, parents) || is_composite_key(e, parents) {
                            return true;
                        }
                        if self.sem.bind_in(self.func, self.locals, id) == Binding::PkgVar(id.name)
                        {
                            self.read(|slot| *slot == Slot::PkgVar(id.name), e.span());
                        }
                    }
                    _ => {}
                }
                true
            }
        }
        let mut out = vec![Vec::new(); slots.len()];
        let fields: HashSet<&'a str> = slots
            .iter()
            .filter_map(|s| match s {
                Slot::Field { field, .. } => Some(*field),
                Slot::PkgVar(_) => None,
            })
            .collect();
        let vars: HashSet<&'a str> = slots
            .iter()
            .filter_map(|s| match s {
                Slot::PkgVar(name) => Some(*name),
                Slot::Field { .. } => None,
            })
            .collect();
        // Only a function that spells a slot's name can read it.
        let words: Vec<&str> = fields.iter().chain(&vars).copied().collect();
        let mut v = V {
            sem: self,
            func: 0,
            file: 0,
            locals: &[],
            slots,
            fields,
            vars,
            out: Vec::new(),
        };
        for func in self.func_ids().filter(|&f| self.spells(f, &words)) {
            let info = &self.funcs[func as usize];
            let Some(body) = &info.decl.body else {
                continue;
            };
            v.func = func;
            v.file = info.file;
            v.locals = self.locals(func);
            v.out = std::mem::take(&mut out);
            walk_node(VNode::Block(body), &[], &mut v);
            out = std::mem::take(&mut v.out);
        }
        let mut v = InitReads {
            sem: self,
            slots,
            file: 0,
            out,
        };
        for (file, parsed) in self.each_file() {
            v.file = file;
            for decl in &parsed.file.decls {
                if let Decl::Gen(_) = decl {
                    walk_node(VNode::Decl(decl), &[], &mut v);
                }
            }
        }
        v.out
    }

    /// The calls of `callees` (package functions, called by name or through a receiver of a
    /// package type) that drop results: a call statement, or an assignment of the call's
    /// results with `_` among them.
    pub fn discards(&self, callees: &HashSet<FuncId>) -> Vec<Discard<'a>> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            file: usize,
            locals: &'s [Local<'a>],
            callees: &'s HashSet<FuncId>,
            out: Vec<Discard<'a>>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                let (call, results) = match s {
                    Stmt::Expr(x) => match unparen(&x.x) {
                        Expr::Call(c) => (c, None),
                        _ => return true,
                    },
                    Stmt::Assign(a) if a.rhs.len() == 1 => {
                        let Expr::Call(c) = unparen(&a.rhs[0]) else {
                            return true;
                        };
                        let blanks: Vec<u32> = a
                            .lhs
                            .iter()
                            .enumerate()
                            .filter(
                                |(_, l)| matches!(unparen(l), Expr::Ident(id) if id.name == "_"),
                            )
                            .map(|(i, _)| super::id(i))
                            .collect();
                        if blanks.is_empty() {
                            return true;
                        }
                        (c, Some(blanks))
                    }
                    _ => return true,
                };
                if let Some(callee) = self.sem.static_callee(self.func, self.locals, call) {
                    if self.callees.contains(&callee) {
                        self.out.push(Discard {
                            caller: self.func,
                            file: self.file,
                            call,
                            callee,
                            results,
                        });
                    }
                }
                true
            }
        }
        let mut out = Vec::new();
        if callees.is_empty() {
            return out;
        }
        for func in self.func_ids() {
            let info = &self.funcs[func as usize];
            let Some(body) = &info.decl.body else {
                continue;
            };
            let mut v = V {
                sem: self,
                func,
                file: info.file,
                locals: self.locals(func),
                callees,
                out: Vec::new(),
            };
            walk_node(VNode::Block(body), &[], &mut v);
            out.extend(v.out);
        }
        out
    }
}

/// Reads of the slots in package-level declarations: a field on a parameter of a function
/// literal or on a package variable, by its declared type; any other mention by name.
struct InitReads<'s, 'a> {
    sem: &'s Semantic<'a>,
    slots: &'s [Slot<'a>],
    file: usize,
    out: Vec<Vec<(usize, Span)>>,
}

impl<'a> InitReads<'_, 'a> {
    /// The declared type of `x` when it is a function literal's parameter or a package variable.
    fn type_of(&self, x: &Expr<'a>, parents: &[VNode<'a>]) -> Ty {
        let Expr::Ident(id) = unparen(x) else {
            return Ty::Opaque;
        };
        for p in parents.iter().rev() {
            if let VNode::Expr(Expr::FuncLit(f)) = p {
                if let Some(field) = f
                    .typ
                    .params
                    .list
                    .iter()
                    .find(|field| field.names.iter().any(|n| n.name == id.name))
                {
                    return type_from_expr(self.sem, &self.sem.imports[self.file], &field.typ);
                }
            }
        }
        self.sem
            .vars
            .get(id.name)
            .map_or(Ty::Opaque, |v| v.0.clone())
    }
}

impl<'a> Visitor<'a> for InitReads<'_, 'a> {
    fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
        let owner = match e {
            Expr::Selector(s) => match self.type_of(s.x, parents).pointee() {
                Ty::Named(t) => match self.sem.field(*t, s.sel.name) {
                    Some(f) => Some(f.owner),
                    None => return true,
                },
                _ => None,
            },
            Expr::Ident(_) if !is_composite_key(e, parents) => None,
            _ => return true,
        };
        for (i, slot) in self.slots.iter().enumerate() {
            let hit = match (e, slot) {
                (Expr::Selector(s), Slot::Field { typ, field }) => {
                    *field == s.sel.name && owner.is_none_or(|o| o == *typ)
                }
                (Expr::Ident(id), Slot::PkgVar(var)) => *var == id.name,
                _ => false,
            };
            if hit {
                self.out[i].push((self.file, e.span()));
            }
        }
        true
    }
}

struct SiteVisitor<'s, 'a> {
    sem: &'s Semantic<'a>,
    func: FuncId,
    locals: &'s [Local<'a>],
    out: Vec<CancelSite<'a>>,
}

impl<'a> Visitor<'a> for SiteVisitor<'_, 'a> {
    fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
        if let Expr::Call(c) = e {
            if let Some(ctor) = self.sem.cancel_ctor(self.func, self.locals, c) {
                let site = self.sem.site(self.func, self.locals, c, ctor, parents);
                self.out.push(site);
            }
        }
        true
    }
}

/// A key of a composite literal's element (`cancel` in `S{cancel: c}`): a field name, not a
/// use of a variable.
fn is_composite_key(e: &Expr<'_>, parents: &[VNode<'_>]) -> bool {
    let n = parents.len();
    matches!(parents.last(), Some(VNode::Expr(Expr::KeyValue(kv))) if kv.key.span() == e.span())
        && matches!(
            n.checked_sub(2).and_then(|i| parents.get(i)),
            Some(VNode::Expr(Expr::CompositeLit(_)))
        )
}

/// Whether `e` is an assignment's target, or compared with `nil`.
fn written_or_nil_compared(e: &Expr<'_>, parents: &[VNode<'_>]) -> bool {
    let span = e.span();
    match parents.last() {
        Some(VNode::Stmt(Stmt::Assign(a))) => a.lhs.iter().any(|l| unparen(l).span() == span),
        Some(VNode::Expr(Expr::Binary(b))) if matches!(b.op, BinaryOp::Eq | BinaryOp::Ne) => {
            let nil = |x: &Expr<'_>| matches!(unparen(x), Expr::Ident(id) if id.name == "nil");
            nil(b.x) || nil(b.y)
        }
        _ => false,
    }
}
