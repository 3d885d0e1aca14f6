//! Types inside one package, without a type checker: the package's named types (struct fields
//! with embedding, interfaces' method names), the `sync` and `context` types the lock, wait-group
//! and cancel rules care about, and the type of an expression as far as the package itself tells
//! it (locals flow-insensitively, fields, method and function results). Whatever comes from
//! another package is [`Ty::Opaque`].

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use super::{FuncId, Semantic, TypeId};
use crate::imports::Imports;

/// The primitives the model gives an identity to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Mutex,
    RWMutex,
    Cond,
    WaitGroup,
    Once,
    Chan,
    /// `context.CancelFunc` (and `CancelCauseFunc`).
    Cancel,
}

impl Kind {
    pub fn is_lock(self) -> bool {
        matches!(self, Kind::Mutex | Kind::RWMutex)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A type declared in the package (or an anonymous struct of one of its fields).
    Named(TypeId),
    /// A `sync` or `context` type of [`Kind`] (never [`Kind::Chan`]).
    Sync(Kind),
    Ptr(Box<Ty>),
    /// A slice or an array, by element.
    Slice(Box<Ty>),
    /// A map, by value.
    Map(Box<Ty>),
    Chan(Box<Ty>),
    /// `bool`: the guard parameters of the `fooLocked(needLock bool)` idiom.
    Bool,
    Opaque,
}

impl Ty {
    /// The type behind any pointers.
    pub fn pointee(&self) -> &Ty {
        match self {
            Ty::Ptr(t) => t.pointee(),
            t => t,
        }
    }

    /// The primitive kind of a value of this type (through pointers).
    pub fn kind(&self) -> Option<Kind> {
        match self.pointee() {
            Ty::Sync(k) => Some(*k),
            Ty::Chan(_) => Some(Kind::Chan),
            _ => None,
        }
    }

    /// The element of a slice, map value, channel or pointer to an array.
    pub fn elem(&self) -> Ty {
        match self.pointee() {
            Ty::Slice(t) | Ty::Map(t) | Ty::Chan(t) => (**t).clone(),
            _ => Ty::Opaque,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FieldInfo<'a> {
    /// For an embedded field, the type's name (`Mutex` for `sync.Mutex`).
    pub name: &'a str,
    pub ty: Ty,
    pub embedded: bool,
}

#[derive(Clone, Debug)]
pub enum TypeShape<'a> {
    Struct(Vec<FieldInfo<'a>>),
    /// The names of the methods it declares itself; `complete` is false when it embeds another
    /// interface (its methods are then not all known).
    Interface {
        methods: Vec<&'a str>,
        complete: bool,
    },
    /// Any other underlying type.
    Other(Ty),
}

#[derive(Clone, Debug)]
pub struct TypeInfo<'a> {
    /// The declared name; `Outer.field` for the anonymous struct type of a field.
    pub name: String,
    pub file: usize,
    pub shape: TypeShape<'a>,
}

/// A local of a function (its own or of a function literal in it, parameters of literals
/// included), typed flow-insensitively from its declaration.
#[derive(Clone, Debug)]
pub struct Local<'a> {
    pub name: &'a str,
    /// The declaring identifier.
    pub decl: Span,
    /// Where the name is visible: the innermost block or statement around the declaration.
    pub scope: Span,
    pub ty: Ty,
    /// The single value it is declared with (`x := e`, `var x = e`), if any.
    pub init: Option<&'a Expr<'a>>,
    /// How many times it is assigned after its declaration.
    pub assigns: u32,
}

/// What an identifier refers to at one place of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding<'a> {
    /// An index into the function's locals.
    Local(usize),
    /// A parameter of the declaration (receiver not counted).
    Param(u32),
    Recv,
    PkgVar(&'a str),
    Func(FuncId),
    Type(TypeId),
    Import(&'a str),
    Unknown,
}

/// The type an expression denotes in a type position: `sync.Mutex`, `*S`, `[]chan T`.
pub(crate) fn type_from_expr<'a>(sem: &Semantic<'a>, imports: &Imports<'a>, e: &Expr<'a>) -> Ty {
    match unparen(e) {
        Expr::Ident(id) => match id.name {
            "bool" => Ty::Bool,
            name => sem.type_id(name).map_or(Ty::Opaque, Ty::Named),
        },
        Expr::Selector(s) => {
            let Expr::Ident(pkg) = unparen(s.x) else {
                return Ty::Opaque;
            };
            match (imports.path_of(pkg.name), s.sel.name) {
                (Some("sync"), "Mutex") => Ty::Sync(Kind::Mutex),
                (Some("sync"), "RWMutex") => Ty::Sync(Kind::RWMutex),
                (Some("sync"), "Cond") => Ty::Sync(Kind::Cond),
                (Some("sync"), "WaitGroup") => Ty::Sync(Kind::WaitGroup),
                (Some("sync"), "Once") => Ty::Sync(Kind::Once),
                (Some("context"), "CancelFunc" | "CancelCauseFunc") => Ty::Sync(Kind::Cancel),
                _ => Ty::Opaque,
            }
        }
        Expr::Star(s) => Ty::Ptr(Box::new(type_from_expr(sem, imports, s.x))),
        Expr::ArrayType(a) => Ty::Slice(Box::new(type_from_expr(sem, imports, &a.elt))),
        Expr::MapType(m) => Ty::Map(Box::new(type_from_expr(sem, imports, &m.value))),
        Expr::ChanType(c) => Ty::Chan(Box::new(type_from_expr(sem, imports, &c.value))),
        Expr::Index(i) => type_from_expr(sem, imports, i.x),
        Expr::StructType(st) => sem.anon_struct(st.span).map_or(Ty::Opaque, Ty::Named),
        _ => Ty::Opaque,
    }
}

impl<'a> Semantic<'a> {
    /// The locals of a function declaration, computed on first use.
    pub fn locals(&self, func: FuncId) -> &[Local<'a>] {
        self.locals[func as usize].get_or_init(|| self.build_locals(func))
    }

    fn build_locals(&self, func: FuncId) -> Vec<Local<'a>> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            func: FuncId,
            imports: &'s Imports<'a>,
            locals: Vec<Local<'a>>,
        }
        fn scope_of(parents: &[VNode<'_>]) -> Span {
            for p in parents.iter().rev() {
                match p {
                    VNode::Block(_) | VNode::CaseClause(_) | VNode::CommClause(_) => {
                        return p.span()
                    }
                    VNode::Stmt(
                        Stmt::If(_)
                        | Stmt::For(_)
                        | Stmt::Range(_)
                        | Stmt::Switch(_)
                        | Stmt::TypeSwitch(_),
                    ) => return p.span(),
                    VNode::Expr(Expr::FuncLit(f)) => return f.span,
                    _ => {}
                }
            }
            Span::default()
        }
        impl<'a> V<'_, 'a> {
            fn add(&mut self, id: &Ident<'a>, scope: Span, ty: Ty, init: Option<&'a Expr<'a>>) {
                if id.name == "_" {
                    return;
                }
                self.locals.push(Local {
                    name: id.name,
                    decl: id.span,
                    scope,
                    ty,
                    init,
                    assigns: 0,
                });
            }
            fn type_of(&self, e: &'a Expr<'a>) -> Ty {
                self.sem.type_in(self.func, &self.locals, e)
            }
            /// The types of `lhs` from `rhs`: one value each, or the results of one call.
            fn types(&self, n: usize, rhs: &'a [Expr<'a>]) -> Vec<(Ty, Option<&'a Expr<'a>>)> {
                if rhs.len() == n {
                    return rhs.iter().map(|e| (self.type_of(e), Some(e))).collect();
                }
                let mut tys = match rhs.first().map(unparen) {
                    Some(Expr::Call(c)) if rhs.len() == 1 => {
                        self.sem.call_results(self.func, &self.locals, c)
                    }
                    // `v, ok := m[k]`, `v, ok := <-ch`, `v, ok := x.(T)`.
                    Some(e) if rhs.len() == 1 => vec![self.type_of(e), Ty::Bool],
                    _ => Vec::new(),
                };
                tys.resize(n, Ty::Opaque);
                tys.into_iter().map(|t| (t, None)).collect()
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, parents: &[VNode<'a>]) -> bool {
                match s {
                    Stmt::Assign(a) if a.tok == AssignOp::Define => {
                        let scope = scope_of(parents);
                        let types = self.types(a.lhs.len(), &a.rhs);
                        for (l, (ty, init)) in a.lhs.iter().zip(types) {
                            let Expr::Ident(id) = unparen(l) else {
                                continue;
                            };
                            // `x, err := f()` with `err` declared before: an assignment.
                            if let Some(i) = self.redeclared(id, scope) {
                                self.locals[i].assigns += 1;
                                continue;
                            }
                            self.add(id, scope, ty, init);
                        }
                    }
                    Stmt::Assign(a) => {
                        for l in &a.lhs {
                            if let Expr::Ident(id) = unparen(l) {
                                if let Binding::Local(i) =
                                    self.sem.bind_in(self.func, &self.locals, id)
                                {
                                    self.locals[i].assigns += 1;
                                }
                            }
                        }
                    }
                    Stmt::Decl(g) if g.kind == GenKind::Var => {
                        let scope = scope_of(parents);
                        for spec in &g.specs {
                            let Spec::Value(v) = spec else { continue };
                            let declared = v
                                .typ
                                .as_ref()
                                .map(|t| type_from_expr(self.sem, self.imports, t));
                            let types = self.types(v.names.len(), &v.values);
                            for (i, n) in v.names.iter().enumerate() {
                                let (ty, init) =
                                    types.get(i).cloned().unwrap_or((Ty::Opaque, None));
                                self.add(n, scope, declared.clone().unwrap_or(ty), init);
                            }
                        }
                    }
                    Stmt::Range(r) if r.tok == Some(AssignOp::Define) => {
                        let x = self.type_of(&r.x);
                        let (key, value) = match x.pointee() {
                            Ty::Chan(t) => ((**t).clone(), Ty::Opaque),
                            Ty::Slice(t) | Ty::Map(t) => (Ty::Opaque, (**t).clone()),
                            _ => (Ty::Opaque, Ty::Opaque),
                        };
                        for (e, ty) in [(&r.key, key), (&r.value, value)] {
                            if let Some(Expr::Ident(id)) = e.as_ref().map(unparen) {
                                self.add(id, s.span(), ty, None);
                            }
                        }
                    }
                    Stmt::TypeSwitch(ts) => {
                        if let Stmt::Assign(a) = ts.assign {
                            if let Some(Expr::Ident(id)) = a.lhs.first().map(unparen) {
                                self.add(id, s.span(), Ty::Opaque, None);
                            }
                        }
                        if let Some(init) = ts.init {
                            walk_node(VNode::Stmt(init), parents, self);
                        }
                        for clause in &ts.body {
                            for st in &clause.body {
                                let mut ps = parents.to_vec();
                                ps.push(VNode::Stmt(s));
                                ps.push(VNode::CaseClause(clause));
                                walk_node(VNode::Stmt(st), &ps, self);
                            }
                        }
                        return false;
                    }
                    _ => {}
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Expr::FuncLit(f) = e {
                    for field in &f.typ.params.list {
                        let ty = type_from_expr(self.sem, self.imports, &field.typ);
                        for n in &field.names {
                            self.add(n, f.span, ty.clone(), None);
                        }
                    }
                }
                true
            }
        }
        impl<'a> V<'_, 'a> {
            fn redeclared(&self, id: &Ident<'a>, scope: Span) -> Option<usize> {
                self.locals
                    .iter()
                    .rposition(|l| l.name == id.name && l.scope == scope)
            }
        }
        let mut v = V {
            sem: self,
            func,
            imports: &self.imports[self.funcs[func as usize].file],
            locals: Vec::new(),
        };
        self.walk_body(func, &mut v);
        v.locals
    }

    /// What `id` refers to in `func`, given the locals known so far.
    pub(crate) fn bind_in(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        id: &Ident<'a>,
    ) -> Binding<'a> {
        let at = id.span.start;
        let local = locals
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.name == id.name && l.decl.start <= at && l.scope.start <= at && at < l.scope.end
            })
            .max_by_key(|(_, l)| l.decl.start);
        if let Some((i, _)) = local {
            return Binding::Local(i);
        }
        let info = &self.funcs[func as usize];
        if info.recv.as_ref().is_some_and(|r| r.name == Some(id.name)) {
            return Binding::Recv;
        }
        if let Some(i) = info.params.iter().position(|p| p.name == Some(id.name)) {
            return Binding::Param(super::id(i));
        }
        if self.vars.contains_key(id.name) {
            return Binding::PkgVar(id.name);
        }
        if let Some(&f) = self.func_names.get(id.name) {
            return Binding::Func(f);
        }
        if let Some(t) = self.type_id(id.name) {
            return Binding::Type(t);
        }
        if self.imports[info.file].is_import_name(id.name) {
            return Binding::Import(id.name);
        }
        Binding::Unknown
    }

    /// What `id` refers to in `func`.
    pub fn bind(&self, func: FuncId, id: &Ident<'a>) -> Binding<'a> {
        self.bind_in(func, self.locals(func), id)
    }

    /// The type of `e` in `func`, as far as the package tells it.
    pub fn type_of(&self, func: FuncId, e: &'a Expr<'a>) -> Ty {
        self.type_in(func, self.locals(func), e)
    }

    pub(crate) fn type_in(&self, func: FuncId, locals: &[Local<'a>], e: &'a Expr<'a>) -> Ty {
        let info = &self.funcs[func as usize];
        match unparen(e) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Local(i) => locals[i].ty.clone(),
                Binding::Param(i) => info.params[i as usize].ty.clone(),
                Binding::Recv => info.recv.as_ref().map_or(Ty::Opaque, |r| r.ty.clone()),
                Binding::PkgVar(name) => self.vars.get(name).map_or(Ty::Opaque, |v| v.0.clone()),
                _ => match id.name {
                    "true" | "false" => Ty::Bool,
                    _ => Ty::Opaque,
                },
            },
            Expr::Selector(s) => {
                if let Expr::Ident(pkg) = unparen(s.x) {
                    if let Binding::Import(_) = self.bind_in(func, locals, pkg) {
                        return Ty::Opaque;
                    }
                }
                let Ty::Named(t) = self.type_in(func, locals, s.x).pointee().clone() else {
                    return Ty::Opaque;
                };
                self.field(t, s.sel.name).map_or(Ty::Opaque, |f| f.ty)
            }
            Expr::Call(c) => self
                .call_results(func, locals, c)
                .into_iter()
                .next()
                .unwrap_or(Ty::Opaque),
            Expr::Unary(u) => match u.op {
                UnaryOp::And => Ty::Ptr(Box::new(self.type_in(func, locals, u.x))),
                UnaryOp::Recv => self.type_in(func, locals, u.x).elem(),
                UnaryOp::Not => Ty::Bool,
                _ => Ty::Opaque,
            },
            Expr::Star(s) => match self.type_in(func, locals, s.x) {
                Ty::Ptr(t) => *t,
                _ => Ty::Opaque,
            },
            Expr::CompositeLit(c) => c.typ.as_ref().map_or(Ty::Opaque, |t| {
                type_from_expr(self, &self.imports[info.file], t)
            }),
            Expr::Index(i) => self.type_in(func, locals, i.x).elem(),
            Expr::TypeAssert(a) => a.typ.map_or(Ty::Opaque, |t| {
                type_from_expr(self, &self.imports[info.file], t)
            }),
            Expr::Binary(b) => match b.op {
                BinaryOp::LAnd
                | BinaryOp::LOr
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Ty::Bool,
                _ => Ty::Opaque,
            },
            _ => Ty::Opaque,
        }
    }

    /// The result types of a call: a package function or method, a conversion to a package
    /// type, `new`, `make`, and the `sync`/`context` constructors.
    pub(crate) fn call_results(
        &self,
        func: FuncId,
        locals: &[Local<'a>],
        c: &'a CallExpr<'a>,
    ) -> Vec<Ty> {
        let imports = &self.imports[self.funcs[func as usize].file];
        match unparen(c.fun) {
            Expr::Ident(id) => match self.bind_in(func, locals, id) {
                Binding::Func(f) => return self.funcs[f as usize].results.clone(),
                Binding::Type(t) => return vec![Ty::Named(t)],
                Binding::Unknown => {
                    let arg = || c.args.first().map(|a| type_from_expr(self, imports, a));
                    match id.name {
                        "new" => return vec![Ty::Ptr(Box::new(arg().unwrap_or(Ty::Opaque)))],
                        "make" => return vec![arg().unwrap_or(Ty::Opaque)],
                        "append" => {
                            return c
                                .args
                                .first()
                                .map(|a| vec![self.type_in(func, locals, a)])
                                .unwrap_or_default()
                        }
                        _ => {}
                    }
                }
                _ => {}
            },
            Expr::Selector(s) => {
                if let Expr::Ident(pkg) = unparen(s.x) {
                    if let Binding::Import(name) = self.bind_in(func, locals, pkg) {
                        return match (imports.path_of(name), s.sel.name) {
                            (Some("context"), n)
                                if n.starts_with("With") && n.contains("Cancel")
                                    || matches!(
                                        n,
                                        "WithTimeout"
                                            | "WithDeadline"
                                            | "WithTimeoutCause"
                                            | "WithDeadlineCause"
                                    ) =>
                            {
                                vec![Ty::Opaque, Ty::Sync(Kind::Cancel)]
                            }
                            (Some("sync"), "NewCond") => {
                                vec![Ty::Ptr(Box::new(Ty::Sync(Kind::Cond)))]
                            }
                            _ => Vec::new(),
                        };
                    }
                }
                if let Ty::Named(t) = self.type_in(func, locals, s.x).pointee() {
                    if let Some(m) = self.method(*t, s.sel.name) {
                        return self.funcs[m as usize].results.clone();
                    }
                }
            }
            Expr::Paren(_) | Expr::ArrayType(_) | Expr::MapType(_) | Expr::ChanType(_) => {
                return vec![type_from_expr(self, imports, c.fun)];
            }
            // A generic function instantiated explicitly: `NewStream[A, B](x)`.
            Expr::Index(_) => {
                if let Some(f) = self.func_value_in(func, locals, c.fun) {
                    return self.funcs[f as usize].results.clone();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// A field of a struct type, promoted through embedded package types.
    pub fn field(&self, t: TypeId, name: &str) -> Option<FieldRef<'a>> {
        self.promoted(t, 0, &|t| {
            let TypeShape::Struct(fields) = &self.types.get(t as usize)?.shape else {
                return None;
            };
            let f = fields.iter().find(|f| f.name == name)?;
            Some(FieldRef {
                owner: t,
                name: f.name,
                ty: f.ty.clone(),
            })
        })
    }

    /// A method of a package type, its own or promoted from an embedded package type.
    pub fn method(&self, t: TypeId, name: &str) -> Option<FuncId> {
        self.promoted(t, 0, &|t| self.methods.get(&(t, name)).copied())
    }

    /// What `own` finds on `t` itself, or else on the package types embedded in it (in field
    /// order, to four levels).
    fn promoted<R>(&self, t: TypeId, depth: u32, own: &impl Fn(TypeId) -> Option<R>) -> Option<R> {
        if let Some(r) = own(t) {
            return Some(r);
        }
        let TypeShape::Struct(fields) = &self.types.get(t as usize)?.shape else {
            return None;
        };
        if depth >= 4 {
            return None;
        }
        fields
            .iter()
            .filter(|f| f.embedded)
            .find_map(|f| match f.ty.pointee() {
                Ty::Named(e) => self.promoted(*e, depth + 1, own),
                _ => None,
            })
    }

    /// The embedded `sync.Mutex` or `sync.RWMutex` a value of type `t` locks with `x.Lock()`
    /// (when `t` has no `Lock` method of its own): the struct declaring it and its kind.
    pub fn embedded_lock(&self, t: TypeId, method: &str) -> Option<(TypeId, &'a str, Kind)> {
        if self.method(t, method).is_some() {
            return None;
        }
        self.embedded_lock_depth(t, 0)
    }

    fn embedded_lock_depth(&self, t: TypeId, depth: u32) -> Option<(TypeId, &'a str, Kind)> {
        let TypeShape::Struct(fields) = &self.types.get(t as usize)?.shape else {
            return None;
        };
        for f in fields.iter().filter(|f| f.embedded) {
            match f.ty.pointee() {
                Ty::Sync(k) if k.is_lock() => return Some((t, f.name, *k)),
                Ty::Named(e) if depth < 4 => {
                    if let Some(found) = self.embedded_lock_depth(*e, depth + 1) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The package's types that implement interface `t` (by method names), when there are
    /// at most `cap` of them; `None` when `t` is not a package interface or there are more.
    pub fn implementations(&self, t: TypeId, cap: usize) -> Option<Vec<TypeId>> {
        let TypeShape::Interface { methods, complete } = &self.types.get(t as usize)?.shape else {
            return None;
        };
        if methods.is_empty() || !complete {
            return None;
        }
        let mut out = Vec::new();
        for (i, info) in self.types.iter().enumerate() {
            if matches!(info.shape, TypeShape::Interface { .. }) {
                continue;
            }
            if methods
                .iter()
                .all(|m| self.method(super::id(i), m).is_some())
            {
                out.push(super::id(i));
                if out.len() > cap {
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// A field found by [`Semantic::field`]: the struct that declares it, its name and type.
#[derive(Clone, Debug)]
pub struct FieldRef<'a> {
    pub owner: TypeId,
    pub name: &'a str,
    pub ty: Ty,
}
