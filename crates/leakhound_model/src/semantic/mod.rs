//! The semantic model of one package: what the syntax means across the functions and fields of
//! the package, computed lazily (most of it per function, on first use).
//!
//! - [`types`]: the package's named types, fields (with embedding), method sets, signatures,
//!   package variables and the flow-insensitive types of locals;
//! - [`identity`]: mutexes, wait groups, conds, channels and cancel funcs by where they are
//!   declared (a field of a type, a package variable, a local, a parameter), aliases and
//!   accessors merged, and the census of their calls;
//! - [`callgraph`]: the calls of each function resolved to the package's functions (static
//!   calls, methods through types, interface calls to the package's own implementations,
//!   `go`, `defer`, `Once.Do`, function values run by a helper with `go`);
//! - [`effects`]: what each function does with locks, bottom-up to any depth;
//! - [`entry`]: the locks every caller of a function holds when it runs (gate locks);
//! - [`cancels`]: where each `context.With...` call's cancel func goes, the reads of fields and
//!   package variables, and the calls that drop results.
//!
//! Anything that comes from another package, or that the model cannot follow (a value in an
//! interface or a container, a function value), is opaque: no identity, no callee.

pub mod callgraph;
pub mod cancels;
pub mod chanrefs;
pub mod effects;
pub mod entry;
pub mod identity;
pub mod types;

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};
use leakhound_syntax::ParsedFile;

use crate::imports::Imports;
use types::{type_from_expr, FieldInfo, Local, Ty, TypeInfo, TypeShape};

pub type FuncId = u32;
pub type TypeId = u32;

/// The id of the `i`th function or type: a package has far fewer than `u32::MAX` of either
/// (a source file is at most `u32::MAX` bytes), so the last id stands for any beyond.
pub(crate) fn id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A method's receiver.
#[derive(Clone, Debug)]
pub struct Recv<'a> {
    pub name: Option<&'a str>,
    pub typ: TypeId,
    /// The receiver's type as declared (`*S` or `S`).
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct Param<'a> {
    /// `None` for an unnamed or `_` parameter.
    pub name: Option<&'a str>,
    pub ty: Ty,
}

/// A function or method declared in the package (with a body or not).
#[derive(Clone, Debug)]
pub struct FuncInfo<'a> {
    pub decl: &'a FuncDecl<'a>,
    /// The file, as numbered by the package's facts.
    pub file: usize,
    pub name: &'a str,
    pub recv: Option<Recv<'a>>,
    pub params: Vec<Param<'a>>,
    pub results: Vec<Ty>,
}

pub struct Semantic<'a> {
    pub(crate) files: Vec<Option<&'a ParsedFile<'a>>>,
    pub(crate) imports: Vec<Imports<'a>>,
    pub types: Vec<TypeInfo<'a>>,
    type_names: HashMap<&'a str, TypeId>,
    /// Anonymous struct types of fields, by the span of their `struct` expression.
    anon: HashMap<u32, TypeId>,
    pub funcs: Vec<FuncInfo<'a>>,
    pub(crate) func_names: HashMap<&'a str, FuncId>,
    pub(crate) methods: HashMap<(TypeId, &'a str), FuncId>,
    by_pos: HashMap<(usize, u32), FuncId>,
    /// Package variables: type and declaring identifier's file and span.
    pub(crate) vars: HashMap<&'a str, (Ty, usize, Span)>,
    pub(crate) locals: Vec<OnceCell<Vec<Local<'a>>>>,
    pub(crate) calls: Vec<OnceCell<Vec<callgraph::CallSite<'a>>>>,
    pub(crate) go_params: Vec<OnceCell<Vec<u32>>>,
    pub(crate) accessors: Vec<OnceCell<Option<identity::Resolved<'a>>>>,
    pub(crate) effects: Vec<OnceCell<effects::LockEffects<'a>>>,
    /// Functions whose effects are being computed (recursion).
    pub(crate) in_progress: RefCell<Vec<bool>>,
    pub(crate) uses: OnceCell<Vec<identity::PrimUse<'a>>>,
    pub(crate) order: OnceCell<Vec<effects::OrderEdge<'a>>>,
}

impl<'a> Semantic<'a> {
    /// The model of the files given (index = file number of the package's facts; `None` for
    /// a file outside the package, such as an external `_test` package).
    pub fn build(files: Vec<Option<&'a ParsedFile<'a>>>) -> Semantic<'a> {
        let imports = files
            .iter()
            .map(|f| f.map(|p| Imports::of(&p.file)).unwrap_or_default())
            .collect();
        let mut sem = Semantic {
            files,
            imports,
            types: Vec::new(),
            type_names: HashMap::new(),
            anon: HashMap::new(),
            funcs: Vec::new(),
            func_names: HashMap::new(),
            methods: HashMap::new(),
            by_pos: HashMap::new(),
            vars: HashMap::new(),
            locals: Vec::new(),
            calls: Vec::new(),
            go_params: Vec::new(),
            accessors: Vec::new(),
            effects: Vec::new(),
            in_progress: RefCell::new(Vec::new()),
            uses: OnceCell::new(),
            order: OnceCell::new(),
        };
        sem.declare_types();
        sem.resolve_types();
        sem.declare_funcs_and_vars();
        let n = sem.funcs.len();
        sem.locals = (0..n).map(|_| OnceCell::new()).collect();
        sem.calls = (0..n).map(|_| OnceCell::new()).collect();
        sem.go_params = (0..n).map(|_| OnceCell::new()).collect();
        sem.accessors = (0..n).map(|_| OnceCell::new()).collect();
        sem.effects = (0..n).map(|_| OnceCell::new()).collect();
        sem.in_progress = RefCell::new(vec![false; n]);
        sem
    }

    fn each_file(&self) -> impl Iterator<Item = (usize, &'a ParsedFile<'a>)> + '_ {
        self.files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
    }

    fn type_specs(&self) -> Vec<(usize, &'a TypeSpec<'a>)> {
        let mut out = Vec::new();
        for (i, parsed) in self.each_file() {
            for decl in &parsed.file.decls {
                if let Decl::Gen(g) = decl {
                    for spec in &g.specs {
                        if let Spec::Type(t) = spec {
                            out.push((i, t));
                        }
                    }
                }
            }
        }
        out
    }

    /// Names first, so that fields can name types declared later.
    fn declare_types(&mut self) {
        for (file, t) in self.type_specs() {
            if self.type_names.contains_key(t.name.name) {
                continue;
            }
            self.type_names.insert(t.name.name, id(self.types.len()));
            self.types.push(TypeInfo {
                name: t.name.name.to_string(),
                file,
                shape: TypeShape::Other(Ty::Opaque),
            });
        }
    }

    fn resolve_types(&mut self) {
        for (file, t) in self.type_specs() {
            let Some(&id) = self.type_names.get(t.name.name) else {
                continue;
            };
            if self.types[id as usize].file != file {
                continue;
            }
            let shape = self.shape(file, t.name.name, &t.typ);
            self.types[id as usize].shape = shape;
        }
    }

    fn shape(&mut self, file: usize, name: &str, typ: &'a Expr<'a>) -> TypeShape<'a> {
        match unparen(typ) {
            Expr::StructType(st) => {
                let mut fields = Vec::new();
                for f in &st.fields.list {
                    let ty = match unparen(&f.typ) {
                        Expr::StructType(inner) => {
                            let anon = id(self.types.len());
                            self.anon.insert(inner.span.start, anon);
                            let field = f.names.first().map_or("", |n| n.name);
                            self.types.push(TypeInfo {
                                name: format!("{name}.{field}"),
                                file,
                                shape: TypeShape::Other(Ty::Opaque),
                            });
                            let shape = self.shape(file, &format!("{name}.{field}"), &f.typ);
                            self.types[anon as usize].shape = shape;
                            Ty::Named(anon)
                        }
                        _ => type_from_expr(self, &self.imports[file], &f.typ),
                    };
                    if f.names.is_empty() {
                        fields.push(FieldInfo {
                            name: embedded_name(&f.typ),
                            ty: ty.clone(),
                            embedded: true,
                        });
                    }
                    for n in &f.names {
                        fields.push(FieldInfo {
                            name: n.name,
                            ty: ty.clone(),
                            embedded: false,
                        });
                    }
                }
                TypeShape::Struct(fields)
            }
            Expr::InterfaceType(it) => {
                let mut methods = Vec::new();
                let mut complete = true;
                for f in &it.methods.list {
                    match (f.names.first(), &f.typ) {
                        (Some(n), Expr::FuncType(_)) => methods.push(n.name),
                        _ => complete = false,
                    }
                }
                TypeShape::Interface { methods, complete }
            }
            other => TypeShape::Other(type_from_expr(self, &self.imports[file], other)),
        }
    }

    fn declare_funcs_and_vars(&mut self) {
        let files: Vec<(usize, &'a ParsedFile<'a>)> = self.each_file().collect();
        for (file, parsed) in files {
            for decl in &parsed.file.decls {
                match decl {
                    Decl::Func(f) => self.declare_func(file, f),
                    Decl::Gen(g) if g.kind == GenKind::Var => {
                        for spec in &g.specs {
                            let Spec::Value(v) = spec else { continue };
                            let ty = match (&v.typ, v.values.first()) {
                                (Some(t), _) => type_from_expr(self, &self.imports[file], t),
                                (None, Some(e)) if v.values.len() == v.names.len() => {
                                    self.const_type(file, e)
                                }
                                _ => Ty::Opaque,
                            };
                            for n in &v.names {
                                if n.name != "_" {
                                    self.vars.insert(n.name, (ty.clone(), file, n.span));
                                }
                            }
                        }
                    }
                    Decl::Gen(_) => {}
                }
            }
        }
    }

    /// The type of a package variable's initial value: composite literals, `new`, `make`.
    fn const_type(&self, file: usize, e: &'a Expr<'a>) -> Ty {
        let imports = &self.imports[file];
        match unparen(e) {
            Expr::CompositeLit(c) => c
                .typ
                .as_ref()
                .map_or(Ty::Opaque, |t| type_from_expr(self, imports, t)),
            Expr::Unary(u) if u.op == UnaryOp::And => Ty::Ptr(Box::new(self.const_type(file, u.x))),
            Expr::Call(c) => match (unparen(c.fun), c.args.first()) {
                (Expr::Ident(id), Some(a)) if id.name == "make" => type_from_expr(self, imports, a),
                (Expr::Ident(id), Some(a)) if id.name == "new" => {
                    Ty::Ptr(Box::new(type_from_expr(self, imports, a)))
                }
                _ => Ty::Opaque,
            },
            _ => Ty::Opaque,
        }
    }

    fn declare_func(&mut self, file: usize, f: &'a FuncDecl<'a>) {
        let imports = &self.imports[file];
        let recv = f
            .recv
            .as_ref()
            .and_then(|r| r.list.first())
            .and_then(|field| {
                let typ = self.type_id(receiver_type_name(&field.typ)?)?;
                let ty = match unparen(&field.typ) {
                    Expr::Star(_) => Ty::Ptr(Box::new(Ty::Named(typ))),
                    _ => Ty::Named(typ),
                };
                Some(Recv {
                    name: field.names.first().map(|n| n.name).filter(|n| *n != "_"),
                    typ,
                    ty,
                })
            });
        if f.recv.is_some() && recv.is_none() {
            return;
        }
        let mut params = Vec::new();
        for field in &f.typ.params.list {
            let ty = type_from_expr(self, imports, &field.typ);
            if field.names.is_empty() {
                params.push(Param { name: None, ty });
                continue;
            }
            for n in &field.names {
                params.push(Param {
                    name: Some(n.name).filter(|n| *n != "_"),
                    ty: ty.clone(),
                });
            }
        }
        let mut results = Vec::new();
        for field in f.typ.results.iter().flat_map(|r| &r.list) {
            let ty = type_from_expr(self, imports, &field.typ);
            for _ in 0..field.names.len().max(1) {
                results.push(ty.clone());
            }
        }
        let fid = id(self.funcs.len());
        match &recv {
            Some(r) => {
                self.methods.entry((r.typ, f.name.name)).or_insert(fid);
            }
            None => {
                self.func_names.entry(f.name.name).or_insert(fid);
            }
        }
        self.by_pos.insert((file, f.span.start), fid);
        self.funcs.push(FuncInfo {
            decl: f,
            file,
            name: f.name.name,
            recv,
            params,
            results,
        });
    }

    /// A type declared in the package, by name.
    pub fn type_id(&self, name: &str) -> Option<TypeId> {
        self.type_names.get(name).copied()
    }

    pub(crate) fn anon_struct(&self, span: Span) -> Option<TypeId> {
        self.anon.get(&span.start).copied()
    }

    /// The model's id of a function declaration of file `file`.
    pub fn func_of(&self, file: usize, decl: &FuncDecl<'_>) -> Option<FuncId> {
        self.by_pos.get(&(file, decl.span.start)).copied()
    }

    /// Every function of the model, by id.
    pub fn func_ids(&self) -> impl Iterator<Item = FuncId> {
        (0..).take(self.funcs.len())
    }

    /// Walks the body of `func` with `v` (nothing for a declaration without one).
    pub(crate) fn walk_body(&self, func: FuncId, v: &mut impl Visitor<'a>) {
        if let Some(body) = &self.funcs[func as usize].decl.body {
            walk_node(VNode::Block(body), &[], v);
        }
    }

    pub fn func(&self, id: FuncId) -> &FuncInfo<'a> {
        &self.funcs[id as usize]
    }

    /// The source of a file of the model.
    pub fn source(&self, file: usize) -> &'a str {
        self.files[file].map_or("", |p| p.source)
    }

    /// `S.Name` or `Name`, for messages.
    pub fn func_name(&self, id: FuncId) -> String {
        let f = &self.funcs[id as usize];
        match &f.recv {
            Some(r) => format!("{}.{}", self.types[r.typ as usize].name, f.name),
            None => f.name.to_string(),
        }
    }
}

/// The name an embedded field goes by: the type's name without package or pointer.
fn embedded_name<'a>(e: &Expr<'a>) -> &'a str {
    match unparen(e) {
        Expr::Ident(id) => id.name,
        Expr::Selector(s) => s.sel.name,
        Expr::Star(s) => embedded_name(s.x),
        Expr::Index(i) => embedded_name(i.x),
        _ => "",
    }
}

fn receiver_type_name<'a>(e: &Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Ident(id) => Some(id.name),
        Expr::Star(s) => receiver_type_name(s.x),
        Expr::Index(i) => receiver_type_name(i.x),
        _ => None,
    }
}
