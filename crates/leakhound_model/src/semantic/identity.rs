//! Identity by allocation site: which mutex, wait group, cond, channel or cancel func an
//! expression denotes, whatever it is called where it is used.
//!
//! An [`Identity`] says where the primitive is declared: a field of a package type (`s.mu`,
//! `x.state.mu`, an embedded `sync.Mutex` locked as `s.Lock()`), a package variable, a local of
//! a function, or a parameter. Aliases (`mu := &s.mu`, `c := s.ch`) and accessors
//! (`func (s *S) C() chan T { return s.ch }`) resolve to what they alias. A [`Place`] says
//! which instance, as seen from the function: the same field of the receiver, of a parameter,
//! of a local or of a package variable. Anything else is opaque (`None`).

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{Node as VNode, Visitor};

use super::types::{Binding, Kind, Local, Ty};
use super::{FuncId, Semantic, TypeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity<'a> {
    /// A field of a package struct type: the type that declares it and the field's name.
    Field {
        typ: TypeId,
        field: &'a str,
    },
    PkgVar(&'a str),
    /// A local of a function (its declaring identifier).
    Local {
        func: FuncId,
        decl: Span,
    },
    /// A parameter of a function (receiver not counted).
    Param {
        func: FuncId,
        index: u32,
    },
}

/// The variable an access path starts from, in one function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base<'a> {
    Recv,
    Param(u32),
    /// A local, by its declaring identifier.
    Local(Span),
    PkgVar(&'a str),
    /// Not followed (an element, a call result): the instance is unknown.
    Unknown,
}

/// An instance as seen from one function: a variable and the fields selected from it, as
/// written (`s.mu` is `Recv` + `["mu"]`; `s.Lock()` on an embedded mutex is `Recv` + `[]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Place<'a> {
    pub base: Base<'a>,
    pub path: Vec<&'a str>,
}

impl<'a> Place<'a> {
    pub const UNKNOWN: Place<'static> = Place {
        base: Base::Unknown,
        path: Vec::new(),
    };

    /// Whether two places surely denote the same instance.
    pub fn same(&self, other: &Place<'a>) -> bool {
        self.base != Base::Unknown && self == other
    }
}

/// A primitive an expression denotes: what it is, which one, and which instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved<'a> {
    pub id: Identity<'a>,
    pub kind: Kind,
    pub place: Place<'a>,
}

/// One call of a method on a primitive (`mu.Lock()`, `wg.Add(1)`, `c.Wait()`, `cancel()`), or
/// one channel operation, anywhere in the package.
#[derive(Clone, Debug)]
pub struct PrimUse<'a> {
    pub prim: Resolved<'a>,
    /// The method (`Lock`, `Add`, `Wait`, `Signal`, ...); for a channel: `send`, `recv`,
    /// `range`, `close`; for a cancel func: `call`.
    pub op: &'a str,
    /// The function declaration it is in (function literals belong to their declaration).
    pub func: FuncId,
    pub file: usize,
    /// The call or operation.
    pub span: Span,
    /// Inside a function literal of the declaration.
    pub in_literal: bool,
    /// Inside a `for` or `range` loop of its body (function literals are a body of their own).
    pub in_loop: bool,
    /// Directly in a `go` or `defer` statement.
    pub go: bool,
    pub deferred: bool,
}

impl<'a> Semantic<'a> {
    /// The primitive `e` denotes in `func`, if the model can tell.
    pub fn resolve(&self, func: FuncId, e: &'a Expr<'a>) -> Option<Resolved<'a>> {
        self.resolve_in(func, self.locals(func), e, 0)
    }

    pub(crate) fn resolve_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        e: &'a Expr<'a>,
        depth: u32,
    ) -> Option<Resolved<'a>> {
        if depth > 8 {
            return None;
        }
        let info = &self.funcs[func as usize];
        match unparen(e) {
            Expr::Ident(id) => {
                let kind = self.type_in(func, locals, e).kind()?;
                match self.bind_in(func, locals, id) {
                    Binding::Local(i) => {
                        let l = &locals[i];
                        if l.assigns == 0 {
                            if let Some(init) = l.init.filter(|i| is_alias(i)) {
                                if let Some(r) = self.resolve_in(func, locals, init, depth + 1) {
                                    return Some(r);
                                }
                            }
                        }
                        Some(Resolved {
                            id: Identity::Local { func, decl: l.decl },
                            kind,
                            place: Place {
                                base: Base::Local(l.decl),
                                path: Vec::new(),
                            },
                        })
                    }
                    Binding::Param(index) => Some(Resolved {
                        id: Identity::Param { func, index },
                        kind,
                        place: Place {
                            base: Base::Param(index),
                            path: Vec::new(),
                        },
                    }),
                    Binding::PkgVar(name) => Some(Resolved {
                        id: Identity::PkgVar(name),
                        kind,
                        place: Place {
                            base: Base::PkgVar(name),
                            path: Vec::new(),
                        },
                    }),
                    _ => None,
                }
            }
            Expr::Selector(s) => {
                let Ty::Named(t) = self.type_in(func, locals, s.x).pointee().clone() else {
                    return None;
                };
                let field = self.field(t, s.sel.name)?;
                let kind = field.ty.kind()?;
                let mut place = self.place_in(func, locals, s.x);
                place.path.push(s.sel.name);
                Some(Resolved {
                    id: Identity::Field {
                        typ: field.owner,
                        field: field.name,
                    },
                    kind,
                    place,
                })
            }
            Expr::Unary(u) if u.op == UnaryOp::And => self.resolve_in(func, locals, u.x, depth + 1),
            Expr::Star(s) => self.resolve_in(func, locals, s.x, depth + 1),
            Expr::Call(c) => {
                // An accessor: a package method or function that returns one of its receiver's
                // (or parameters') primitives.
                let callee = self.static_callee(func, locals, c)?;
                let r = self.accessor(callee)?;
                let place = match r.place.base {
                    Base::Recv => {
                        let Expr::Selector(s) = unparen(c.fun) else {
                            return None;
                        };
                        let mut p = self.place_in(func, locals, s.x);
                        p.path.extend(r.place.path.iter().copied());
                        p
                    }
                    Base::Param(i) => {
                        let arg = c.args.get(i as usize)?;
                        if let Identity::Param { .. } = r.id {
                            return self.resolve_in(func, locals, arg, depth + 1);
                        }
                        let mut p = self.place_in(func, locals, arg);
                        p.path.extend(r.place.path.iter().copied());
                        p
                    }
                    Base::PkgVar(_) => r.place.clone(),
                    _ => return None,
                };
                Some(Resolved { place, ..r.clone() })
            }
            _ => {
                let _ = info;
                None
            }
        }
    }

    /// The instance an expression denotes, as a variable and a field path.
    pub fn place(&self, func: FuncId, e: &'a Expr<'a>) -> Place<'a> {
        self.place_in(func, self.locals(func), e)
    }

    pub(crate) fn place_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        e: &'a Expr<'a>,
    ) -> Place<'a> {
        let base = |base| Place {
            base,
            path: Vec::new(),
        };
        match unparen(e) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                // `var b Bumper = c`, `n := s.next`: the same instance as what it was set to.
                Binding::Local(i) => match locals[i].init.filter(|e| is_alias(e)) {
                    Some(init)
                        if locals[i].assigns == 0 && !matches!(unparen(init), Expr::Call(_)) =>
                    {
                        let p = self.place_in(func, &locals[..i], init);
                        if p.base == Base::Unknown {
                            base(Base::Local(locals[i].decl))
                        } else {
                            p
                        }
                    }
                    _ => base(Base::Local(locals[i].decl)),
                },
                Binding::Param(i) => base(Base::Param(i)),
                Binding::Recv => base(Base::Recv),
                Binding::PkgVar(n) => base(Base::PkgVar(n)),
                _ => Place::UNKNOWN,
            },
            Expr::Selector(s) => {
                let mut p = self.place_in(func, locals, s.x);
                if p.base == Base::Unknown {
                    return p;
                }
                p.path.push(s.sel.name);
                p
            }
            Expr::Unary(u) if u.op == UnaryOp::And => self.place_in(func, locals, u.x),
            Expr::Star(s) => self.place_in(func, locals, s.x),
            _ => Place::UNKNOWN,
        }
    }

    /// `x.M(...)` where `x` is a primitive of the package's model (or a type embedding a
    /// mutex, for `Lock`/`Unlock`/`RLock`/`RUnlock`/`TryLock`): the primitive and `M`.
    pub fn prim_call(&self, func: FuncId, e: &'a Expr<'a>) -> Option<(Resolved<'a>, &'a str)> {
        self.prim_call_in(func, self.locals(func), e)
    }

    pub(crate) fn prim_call_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        e: &'a Expr<'a>,
    ) -> Option<(Resolved<'a>, &'a str)> {
        let Expr::Call(c) = unparen(e) else {
            return None;
        };
        let Expr::Selector(s) = unparen(c.fun) else {
            // `cancel()`.
            let r = self.resolve_in(func, locals, c.fun, 0)?;
            return (r.kind == Kind::Cancel).then_some((r, "call"));
        };
        let m = s.sel.name;
        if let Some(r) = self.resolve_in(func, locals, s.x, 0) {
            return Some((r, m));
        }
        if !matches!(
            m,
            "Lock" | "Unlock" | "RLock" | "RUnlock" | "TryLock" | "TryRLock"
        ) {
            return None;
        }
        let Ty::Named(t) = self.type_in(func, locals, s.x).pointee().clone() else {
            return None;
        };
        let (owner, field, kind) = self.embedded_lock(t, m)?;
        Some((
            Resolved {
                id: Identity::Field { typ: owner, field },
                kind,
                place: self.place_in(func, locals, s.x),
            },
            m,
        ))
    }

    /// What an accessor returns: the primitive of its receiver or parameters (or a package
    /// variable) that its one `return` statement gives back.
    pub fn accessor(&self, f: FuncId) -> Option<&Resolved<'a>> {
        self.accessors[f as usize]
            .get_or_init(|| {
                let body = self.funcs[f as usize].decl.body.as_ref()?;
                let [Stmt::Return(r)] = body.stmts.as_slice() else {
                    return None;
                };
                let [e] = r.results.as_slice() else {
                    return None;
                };
                // Guard against accessors returning each other.
                if !matches!(
                    unparen(e),
                    Expr::Selector(_) | Expr::Ident(_) | Expr::Unary(_)
                ) {
                    return None;
                }
                let r = self.resolve_in(f, self.locals(f), e, 4)?;
                matches!(r.place.base, Base::Recv | Base::Param(_) | Base::PkgVar(_)).then_some(r)
            })
            .as_ref()
    }

    /// Every call on a primitive and every channel operation of the package, computed on first
    /// use, in file and source order.
    pub fn uses(&self) -> &[PrimUse<'a>] {
        self.uses.get_or_init(|| {
            let mut out = Vec::new();
            for f in self.func_ids() {
                self.collect_uses(f, true, &mut out);
            }
            out
        })
    }

    /// The channel operations of [`Semantic::uses`] alone, in the functions whose body spells
    /// one of `words` (a channel reached through a field, an accessor or an alias of them is
    /// spelled by the field's or the accessor's name there): far cheaper when a rule asks
    /// about a few fields.
    pub fn chan_uses_spelling(&self, words: &[&str]) -> Vec<PrimUse<'a>> {
        let mut out = Vec::new();
        for f in self.func_ids().filter(|&f| self.spells(f, words)) {
            self.collect_uses(f, false, &mut out);
        }
        out
    }

    /// Whether the body of `func` contains one of `words`.
    pub(crate) fn spells(&self, func: FuncId, words: &[&str]) -> bool {
        let info = &self.funcs[func as usize];
        info.decl.body.as_ref().is_some_and(|b| {
            let text = &self.source(info.file)[b.span.range()];
            words.iter().any(|w| text.contains(w))
        })
    }

    /// The census of one primitive.
    pub fn uses_of<'s>(
        &'s self,
        id: &'s Identity<'a>,
    ) -> impl Iterator<Item = &'s PrimUse<'a>> + 's {
        self.uses().iter().filter(move |u| u.prim.id == *id)
    }

    fn collect_uses(&self, func: FuncId, calls: bool, out: &mut Vec<PrimUse<'a>>) {
        struct V<'s, 'a, 'o> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            file: usize,
            /// Calls on primitives as well as channel operations.
            calls: bool,
            /// The function's locals, typed on the first operation that needs them.
            locals: Option<&'s [Local<'a>]>,
            out: &'o mut Vec<PrimUse<'a>>,
            lits: u32,
            /// Loops entered, per function-literal depth.
            loops: Vec<u32>,
        }
        impl<'s, 'a> V<'s, 'a, '_> {
            fn push(&mut self, prim: Resolved<'a>, op: &'a str, span: Span, parents: &[VNode<'a>]) {
                let direct = |k: fn(&Stmt<'_>) -> bool| matches!(parents.last(), Some(VNode::Stmt(s)) if k(s));
                self.out.push(PrimUse {
                    prim,
                    op,
                    func: self.func,
                    file: self.file,
                    span,
                    in_literal: self.lits > 0,
                    in_loop: self.loops.last().copied().unwrap_or(0) > 0,
                    go: direct(|s| matches!(s, Stmt::Go(_))),
                    deferred: direct(|s| matches!(s, Stmt::Defer(_))),
                });
            }
            fn locals(&mut self) -> &'s [Local<'a>] {
                let (sem, func) = (self.sem, self.func);
                self.locals.get_or_insert_with(|| sem.locals(func))
            }
            fn chan(&mut self, e: &'a Expr<'a>, op: &'a str, span: Span, parents: &[VNode<'a>]) {
                let locals = self.locals();
                if let Some(r) = self.sem.resolve_in(self.func, locals, e, 0) {
                    if r.kind == Kind::Chan {
                        self.push(r, op, span, parents);
                    }
                }
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a, '_> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, parents: &[VNode<'a>]) -> bool {
                match s {
                    Stmt::Send(send) => self.chan(&send.chan, "send", send.span, parents),
                    Stmt::Range(r) => {
                        self.chan(&r.x, "range", r.span, parents);
                    }
                    _ => {}
                }
                if matches!(s, Stmt::For(_) | Stmt::Range(_)) {
                    if let Some(l) = self.loops.last_mut() {
                        *l += 1;
                    }
                }
                true
            }
            fn leave_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) {
                if matches!(s, Stmt::For(_) | Stmt::Range(_)) {
                    if let Some(l) = self.loops.last_mut() {
                        *l -= 1;
                    }
                }
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                match e {
                    Expr::FuncLit(_) => {
                        self.lits += 1;
                        self.loops.push(0);
                    }
                    Expr::Unary(u) if u.op == UnaryOp::Recv => {
                        self.chan(u.x, "recv", u.span, parents);
                    }
                    Expr::Call(c) => {
                        if let Expr::Ident(id) = unparen(c.fun) {
                            if id.name == "close" && c.args.len() == 1 {
                                let locals = self.locals();
                                if let Binding::Unknown = self.sem.bind_in(self.func, locals, id) {
                                    self.chan(&c.args[0], "close", c.span, parents);
                                }
                            }
                        }
                        if self.calls {
                            let locals = self.locals();
                            if let Some((r, m)) = self.sem.prim_call_in(self.func, locals, e) {
                                self.push(r, m, c.span, parents);
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
            fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                if let Expr::FuncLit(_) = e {
                    self.lits -= 1;
                    self.loops.pop();
                }
            }
        }
        let mut v = V {
            sem: self,
            func,
            file: self.funcs[func as usize].file,
            calls,
            locals: None,
            out,
            lits: 0,
            loops: vec![0],
        };
        self.walk_body(func, &mut v);
    }

    /// `Field(S.mu)`-style name of an identity, for messages.
    pub fn describe(&self, id: &Identity<'a>) -> String {
        match id {
            Identity::Field { typ, field } => {
                format!("{}.{}", self.types[*typ as usize].name, field)
            }
            Identity::PkgVar(n) => n.to_string(),
            Identity::Local { func, decl } => {
                let src = self.source(self.funcs[*func as usize].file);
                src.get(decl.range()).unwrap_or("?").to_string()
            }
            Identity::Param { func, index } => self.funcs[*func as usize].params[*index as usize]
                .name
                .unwrap_or("_")
                .to_string(),
        }
    }
}

/// Whether a local's initial value names an existing primitive (an alias) rather than making
/// a new one.
fn is_alias(e: &Expr<'_>) -> bool {
    match unparen(e) {
        Expr::Selector(_) | Expr::Ident(_) => true,
        Expr::Unary(u) if u.op == UnaryOp::And => {
            matches!(unparen(u.x), Expr::Selector(_) | Expr::Ident(_))
        }
        Expr::Call(c) => {
            !matches!(unparen(c.fun), Expr::Ident(id) if id.name == "make" || id.name == "new")
        }
        _ => false,
    }
}
