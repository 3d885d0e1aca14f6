//! Name resolution without a type checker, and the functions of a file as scopes see them.
//!
//! One walk over a file ([`walk_file`]) keeps the scopes that may shadow an import or a name
//! of the API tables ([`crate::api`]), resolves `pkg.Name` and dot-imported names through them,
//! and records for each function declaration or literal a [`Frame`]: its parameters, locals,
//! loops, the references to each local, the `range` statements over a name, and the bindings
//! of call results with what the call resolves to. Callers ride on the walk through
//! [`Events`]: at a call, a `defer`, a `select`, and when a function has been walked.
//!
//! The walk also records which identifier uses refer to a local that shadows such a name
//! ([`Resolution`]), so the analyses that keep no scopes of their own (the channel model, the
//! lock rules) resolve a name the way the walk does ([`Names`]).

use leakhound_syntax::ast::*;

use crate::api::{dot_member, is_watched_name, DOT_IMPORTABLE};
use crate::imports::Imports;
use crate::terminal::{self, TESTIFY_REQUIRE};

/// How a walked function was introduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind<'a> {
    Decl { name: &'a str, is_method: bool },
    Literal,
}

/// How a local name is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// `x()`, also under `defer` and `go`.
    Called,
    /// `x.Stop()`.
    Stopped,
    /// `x.C`, `x.Reset(d)`: the value stays where it is.
    Selected,
    /// `_ = x`: not a use.
    Blank,
    /// A channel operation on `x` that leaves it where it is: `x <- v`, `<-x`, `len(x)`.
    Operated,
    /// `close(x)`.
    Closed,
    /// Anything else: returned, passed, stored, sent, compared.
    Escapes,
}

#[derive(Clone, Copy, Debug)]
pub struct Ref<'a> {
    pub name: &'a str,
    pub kind: RefKind,
}

/// A loop of the function being walked, with its label.
#[derive(Clone, Copy, Debug)]
pub struct LoopCtx<'a> {
    pub label: Option<&'a str>,
    pub body: &'a Block<'a>,
    /// The condition of a `for cond { ... }` loop, tested before each iteration.
    pub cond: Option<&'a Expr<'a>>,
}

/// What a call resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee<'a> {
    /// A function of an imported package: (import path, name).
    Package(&'a str, &'a str),
    /// A builtin function (`make`, `new`, ...) that no local declaration shadows.
    Builtin(&'a str),
}

/// The statement of a [`Binding`].
#[derive(Clone, Copy, Debug)]
pub enum Bound<'a> {
    /// `a, b := f()` or `a, b = f()`.
    Assign(&'a AssignStmt<'a>),
    /// `var a, b = f()`.
    Var(&'a ValueSpec<'a>),
}

/// A statement that binds the result of one resolved call: `x := time.NewTicker(d)`,
/// `ctx, cancel := context.WithCancel(ctx)`, `ch := make(chan T)`.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    pub stmt: Bound<'a>,
    /// The value: the call, as written.
    pub value: &'a Expr<'a>,
    pub callee: Callee<'a>,
    /// The statement is in a loop of its function.
    pub in_loop: bool,
    /// How many of the function's locals were declared before the statement.
    pub locals_before: usize,
}

impl Binding<'_> {
    /// Whether `name` was a parameter or a local of the function when the statement ran.
    pub fn declared_before(&self, frame: &Frame<'_>, name: &str) -> bool {
        frame.locals[..self.locals_before].contains(&name) || frame.params.contains(&name)
    }
}

/// One function declaration or literal, as its walk saw it.
pub struct Frame<'a> {
    pub kind: FrameKind<'a>,
    pub body: &'a Block<'a>,
    /// Receiver, parameters and named results, in that order.
    pub params: Vec<&'a str>,
    /// Every name declared in the function's own body (not in its literals).
    pub locals: Vec<&'a str>,
    pub loops: Vec<LoopCtx<'a>>,
    /// References to names, the function's literals' included (captures).
    pub refs: Vec<Ref<'a>>,
    /// `for ... range x` over a plain name with no way out of its body but the end of `x`, with
    /// the statement's span (literals included).
    pub ranges: Vec<(&'a str, Span)>,
    /// Bindings of resolved calls in the function's own body, in statement order.
    pub bindings: Vec<Binding<'a>>,
    pub span: Span,
    /// How many names at the end of `params` are named results (a naked `return` returns them).
    pub named_results: usize,
}

impl<'a> Frame<'a> {
    pub fn named_results(&self) -> &[&'a str] {
        &self.params[self.params.len() - self.named_results..]
    }
}

/// What a caller does while the walk goes: each hook sees the walk's state at that point.
pub trait Events<'a> {
    /// At every call expression, before its arguments are walked.
    fn call(&mut self, _walk: &Walk<'_, 'a>, _call: &'a Expr<'a>) {}
    /// At every `defer` statement.
    fn defer(&mut self, _walk: &Walk<'_, 'a>, _stmt: &'a DeferStmt<'a>) {}
    /// At every `select` statement, before its cases are walked.
    fn select(&mut self, _walk: &Walk<'_, 'a>, _stmt: &'a SelectStmt<'a>) {}
    /// When a function (declaration or literal) has been walked.
    fn function(&mut self, _walk: &Walk<'_, 'a>, _frame: &Frame<'a>) {}
}

/// No hooks: the walk for its [`Resolution`] alone.
impl<'a> Events<'a> for () {}

/// Which identifier uses refer to a local declaration of a name that resolution tracks (an
/// import name, a name of the API tables, or any name in a file with dot imports), and which
/// refer to a local bound to testify's `require.New(t)`.
#[derive(Debug, Default)]
pub struct Resolution {
    /// Start offsets of those uses, sorted.
    shadowed: Vec<u32>,
    /// Start offsets of the uses of `require.New(t)` locals, sorted.
    require_values: Vec<u32>,
}

impl Resolution {
    /// Whether this use of `id` refers to a local declaration rather than to an import, a dot
    /// import or a builtin.
    pub fn is_local(&self, id: &Ident<'_>) -> bool {
        !self.shadowed.is_empty() && self.shadowed.binary_search(&id.span.start).is_ok()
    }
}

/// A file's imports with its [`Resolution`]: resolves names the way the walk does, for the
/// analyses that keep no scopes.
#[derive(Clone, Copy)]
pub struct Names<'f, 'a> {
    pub imports: &'f Imports<'a>,
    pub resolution: &'f Resolution,
}

impl<'a> Names<'_, 'a> {
    /// Resolves `pkg.Name` or a dot-imported `Name` to (import path, name).
    pub fn resolve(&self, expr: &'a Expr<'a>) -> Option<(&'a str, &'a str)> {
        resolve(self.imports, expr, |id| self.resolution.is_local(id))
    }

    /// Whether `expr` calls the function `path.name` (one of `names`).
    pub fn calls(&self, expr: &'a Expr<'a>, path: &str, names: &[&str]) -> Option<&'a str> {
        calls(expr, path, names, |fun| self.resolve(fun))
    }

    /// Calls after which control never comes back (see [`terminal::never_returns`]).
    pub fn never_returns(&self, expr: &'a Expr<'a>) -> bool {
        let panic_is_builtin = match unparen(expr) {
            Expr::Call(c) => !matches!(c.fun, Expr::Ident(id) if self.resolution.is_local(id)),
            _ => true,
        };
        terminal::never_returns(
            expr,
            |fun| self.resolve(fun),
            panic_is_builtin,
            |id| {
                self.resolution
                    .require_values
                    .binary_search(&id.span.start)
                    .is_ok()
            },
        )
    }
}

fn resolve<'a>(
    imports: &Imports<'a>,
    expr: &'a Expr<'a>,
    is_local: impl Fn(&Ident<'a>) -> bool,
) -> Option<(&'a str, &'a str)> {
    match expr {
        Expr::Selector(sel) => {
            let Expr::Ident(pkg) = sel.x else { return None };
            if is_local(pkg) {
                return None;
            }
            imports.path_of(pkg.name).map(|path| (path, sel.sel.name))
        }
        Expr::Ident(id) if imports.has_dot_imports() && !is_local(id) => DOT_IMPORTABLE
            .iter()
            .copied()
            .find(|p| imports.dot_imports(p))
            .map(|p| (p, id.name))
            .filter(|(p, name)| dot_member(p, name)),
        _ => None,
    }
}

fn calls<'a>(
    expr: &'a Expr<'a>,
    path: &str,
    names: &[&str],
    resolve: impl Fn(&'a Expr<'a>) -> Option<(&'a str, &'a str)>,
) -> Option<&'a str> {
    let Expr::Call(call) = unparen(expr) else {
        return None;
    };
    let (p, name) = resolve(call.fun)?;
    (p == path && names.contains(&name)).then_some(name)
}

/// Go's builtin functions.
fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "append"
            | "cap"
            | "clear"
            | "close"
            | "complex"
            | "copy"
            | "delete"
            | "imag"
            | "len"
            | "make"
            | "max"
            | "min"
            | "new"
            | "panic"
            | "print"
            | "println"
            | "real"
            | "recover"
    )
}

/// Walks `file`, calling `events` on the way; returns the file's [`Resolution`].
pub fn walk_file<'a>(
    file: &'a File<'a>,
    imports: &Imports<'a>,
    events: &mut impl Events<'a>,
) -> Resolution {
    let mut walk = Walk {
        imports,
        declared: Vec::new(),
        scopes: Vec::new(),
        frames: Vec::new(),
        pending_label: None,
        shadowed: Vec::new(),
        require_values: Vec::new(),
        declaring_require: None,
    };
    walk.file(file, events);
    let mut shadowed = walk.shadowed;
    shadowed.sort_unstable();
    shadowed.dedup();
    let mut require_values = walk.require_values;
    require_values.sort_unstable();
    Resolution {
        shadowed,
        require_values,
    }
}

/// A local declaration in scope.
struct Declared<'a> {
    name: &'a str,
    /// Bound to testify's `require.New(t)`: its `Fail*` methods stop the test.
    require_value: bool,
}

/// The walk's state: the scopes and the functions being walked.
pub struct Walk<'i, 'a> {
    imports: &'i Imports<'a>,
    /// The declarations in scope, innermost last: a handful at most, none in most files.
    declared: Vec<Declared<'a>>,
    /// Where each open scope starts in `declared`.
    scopes: Vec<usize>,
    frames: Vec<Frame<'a>>,
    /// The label that names the next loop walked (`L: for ...`).
    pending_label: Option<&'a str>,
    shadowed: Vec<u32>,
    /// Uses of locals bound to testify's `require.New(t)`.
    require_values: Vec<u32>,
    /// The name the statement being walked binds to `require.New(t)`, until it is declared.
    declaring_require: Option<&'a str>,
}

impl<'a> Walk<'_, 'a> {
    /// The innermost function being walked.
    pub fn frame(&self) -> Option<&Frame<'a>> {
        self.frames.last()
    }

    /// Whether the walk is in a loop of the innermost function.
    pub fn in_loop(&self) -> bool {
        self.frames.last().is_some_and(|f| !f.loops.is_empty())
    }

    /// Whether a local declaration in scope shadows `name`.
    pub fn is_shadowed(&self, name: &str) -> bool {
        self.declared.iter().any(|d| d.name == name)
    }

    /// Resolves `pkg.Name` or a dot-imported `Name` to (import path, name), in the current
    /// scopes.
    pub fn resolve(&self, expr: &'a Expr<'a>) -> Option<(&'a str, &'a str)> {
        resolve(self.imports, expr, |id| self.is_shadowed(id.name))
    }

    /// Whether `expr` calls the function `path.name` (one of `names`).
    pub fn calls(&self, expr: &'a Expr<'a>, path: &str, names: &[&str]) -> Option<&'a str> {
        calls(expr, path, names, |fun| self.resolve(fun))
    }

    /// Calls after which control never comes back (see [`terminal::never_returns`]).
    pub fn never_returns(&self, expr: &'a Expr<'a>) -> bool {
        terminal::never_returns(
            expr,
            |fun| self.resolve(fun),
            !self.is_shadowed("panic"),
            |id| self.is_require_value(id.name),
        )
    }

    fn callee(&self, value: &'a Expr<'a>) -> Option<Callee<'a>> {
        let Expr::Call(call) = unparen(value) else {
            return None;
        };
        if let Some((path, name)) = self.resolve(call.fun) {
            return Some(Callee::Package(path, name));
        }
        match call.fun {
            Expr::Ident(id) if is_builtin(id.name) && !self.is_shadowed(id.name) => {
                Some(Callee::Builtin(id.name))
            }
            _ => None,
        }
    }

    fn push_scope(&mut self) {
        self.scopes.push(self.declared.len());
    }

    fn pop_scope(&mut self) {
        if let Some(start) = self.scopes.pop() {
            self.declared.truncate(start);
        }
    }

    /// Records a local declaration. Only names that can shadow something resolution resolves
    /// enter the scopes.
    fn declare(&mut self, name: &'a str) {
        if name == "_" {
            return;
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.locals.push(name);
        }
        let require_value = self.declaring_require.take_if(|n| *n == name).is_some();
        // Outside any scope (package level) nothing is declared locally.
        if !self.scopes.is_empty()
            && (require_value
                || self.imports.is_import_name(name)
                || self.imports.has_dot_imports()
                || is_watched_name(name))
        {
            self.declared.push(Declared {
                name,
                require_value,
            });
        }
    }

    /// Whether `name`, here, is a local bound to testify's `require.New(t)`.
    fn is_require_value(&self, name: &str) -> bool {
        self.declared
            .iter()
            .rev()
            .find(|d| d.name == name)
            .is_some_and(|d| d.require_value)
    }

    /// A use of `id` as a name: a reference of the current function, and a shadowed use when a
    /// local declaration hides what the name would resolve to.
    fn add_ref(&mut self, id: &Ident<'a>, kind: RefKind) {
        if self.is_shadowed(id.name) {
            self.shadowed.push(id.span.start);
            if self.is_require_value(id.name) {
                self.require_values.push(id.span.start);
            }
        }
        self.add_name_ref(id.name, kind);
    }

    fn add_name_ref(&mut self, name: &'a str, kind: RefKind) {
        if let Some(frame) = self.frames.last_mut() {
            frame.refs.push(Ref { name, kind });
        }
    }

    fn bind(&mut self, stmt: Bound<'a>, value: &'a Expr<'a>) {
        let Some(callee) = self.callee(value) else {
            return;
        };
        if callee == Callee::Package(TESTIFY_REQUIRE, "New") {
            let name = match stmt {
                Bound::Assign(a) => a.lhs.first().and_then(|l| match l {
                    Expr::Ident(id) => Some(id.name),
                    _ => None,
                }),
                Bound::Var(v) => v.names.first().map(|n| n.name),
            };
            self.declaring_require = name;
        }
        let in_loop = self.in_loop();
        if let Some(frame) = self.frames.last_mut() {
            frame.bindings.push(Binding {
                stmt,
                value,
                callee,
                in_loop,
                locals_before: frame.locals.len(),
            });
        }
    }

    fn file(&mut self, file: &'a File<'a>, ev: &mut impl Events<'a>) {
        self.push_scope();
        for decl in &file.decls {
            if let Decl::Func(func) = decl {
                if let Some(body) = &func.body {
                    let kind = FrameKind::Decl {
                        name: func.name.name,
                        is_method: func.recv.is_some(),
                    };
                    let mut params = Vec::new();
                    if let Some(recv) = &func.recv {
                        collect_field_names(recv, &mut params);
                    }
                    collect_field_names(&func.typ.params, &mut params);
                    let before = params.len();
                    if let Some(results) = &func.typ.results {
                        collect_field_names(results, &mut params);
                    }
                    let named_results = params.len() - before;
                    self.function(ev, kind, body, params, named_results, func.span);
                }
            } else if let Decl::Gen(gen) = decl {
                // Package-level initialisers can hold function literals.
                for spec in &gen.specs {
                    if let Spec::Value(value) = spec {
                        for v in &value.values {
                            self.expr(ev, v);
                        }
                    }
                }
            }
        }
        self.pop_scope();
    }

    fn function(
        &mut self,
        ev: &mut impl Events<'a>,
        kind: FrameKind<'a>,
        body: &'a Block<'a>,
        params: Vec<&'a str>,
        named_results: usize,
        span: Span,
    ) {
        self.push_scope();
        for p in &params {
            self.declare(p);
        }
        self.frames.push(Frame {
            kind,
            body,
            params,
            locals: Vec::new(),
            loops: Vec::new(),
            refs: Vec::new(),
            ranges: Vec::new(),
            bindings: Vec::new(),
            span,
            named_results,
        });
        self.block(ev, body);
        let frame = self.frames.pop().expect("frame pushed above");
        self.pop_scope();
        // A literal's references are its enclosing function's references too (captures).
        if let Some(outer) = self.frames.last_mut() {
            outer.refs.extend(frame.refs.iter().copied());
            outer.ranges.extend(frame.ranges.iter().copied());
        }
        ev.function(self, &frame);
    }

    fn block(&mut self, ev: &mut impl Events<'a>, block: &'a Block<'a>) {
        self.push_scope();
        for stmt in &block.stmts {
            self.stmt(ev, stmt);
        }
        self.pop_scope();
    }

    fn loop_body(
        &mut self,
        ev: &mut impl Events<'a>,
        body: &'a Block<'a>,
        cond: Option<&'a Expr<'a>>,
    ) {
        let label = self.pending_label.take();
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.push(LoopCtx { label, body, cond });
        }
        self.block(ev, body);
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.pop();
        }
    }

    fn stmt(&mut self, ev: &mut impl Events<'a>, stmt: &'a Stmt<'a>) {
        if !matches!(stmt, Stmt::Labeled(_) | Stmt::For(_) | Stmt::Range(_)) {
            self.pending_label = None;
        }
        match stmt {
            Stmt::Decl(decl) => {
                for spec in &decl.specs {
                    match spec {
                        Spec::Value(value) => {
                            for v in &value.values {
                                self.expr(ev, v);
                            }
                            if let [v] = value.values.as_slice() {
                                self.bind(Bound::Var(value), v);
                            }
                            for name in &value.names {
                                self.declare(name.name);
                            }
                            self.declaring_require = None;
                        }
                        Spec::Type(t) => self.declare(t.name.name),
                        Spec::Import(_) => {}
                    }
                }
            }
            Stmt::Labeled(labeled) => {
                self.pending_label = Some(labeled.label.name);
                self.stmt(ev, labeled.stmt);
                self.pending_label = None;
            }
            Stmt::Expr(e) => self.expr(ev, &e.x),
            Stmt::Send(send) => {
                match &send.chan {
                    Expr::Ident(id) => self.add_ref(id, RefKind::Operated),
                    other => self.expr(ev, other),
                }
                self.expr(ev, &send.value);
            }
            Stmt::IncDec(s) => self.expr(ev, &s.x),
            Stmt::Assign(assign) => {
                let blank_lhs = assign
                    .lhs
                    .iter()
                    .all(|e| matches!(e, Expr::Ident(id) if id.name == "_"));
                for rhs in &assign.rhs {
                    if blank_lhs {
                        if let Expr::Ident(id) = unparen(rhs) {
                            self.add_ref(id, RefKind::Blank);
                            continue;
                        }
                    }
                    self.expr(ev, rhs);
                }
                for lhs in &assign.lhs {
                    match lhs {
                        Expr::Ident(_) => {}
                        other => self.expr(ev, other),
                    }
                }
                if let [value] = assign.rhs.as_slice() {
                    self.bind(Bound::Assign(assign), value);
                }
                if assign.tok == AssignOp::Define {
                    for lhs in &assign.lhs {
                        if let Expr::Ident(id) = lhs {
                            self.declare(id.name);
                        }
                    }
                }
                self.declaring_require = None;
            }
            Stmt::Go(g) => self.expr(ev, &g.call),
            Stmt::Defer(d) => {
                ev.defer(self, d);
                self.expr(ev, &d.call);
            }
            Stmt::Return(r) => {
                for e in &r.results {
                    self.expr(ev, e);
                }
                // A naked `return` returns every named result.
                if r.results.is_empty() {
                    let named: Vec<&'a str> = self
                        .frames
                        .last()
                        .map(|f| f.named_results().to_vec())
                        .unwrap_or_default();
                    for name in named {
                        self.add_name_ref(name, RefKind::Escapes);
                    }
                }
            }
            Stmt::Branch(_) | Stmt::Empty(_) | Stmt::Bad(_) => {}
            Stmt::Block(b) => self.block(ev, b),
            Stmt::If(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.stmt(ev, init);
                }
                self.expr(ev, &s.cond);
                self.block(ev, &s.body);
                if let Some(els) = &s.els {
                    self.stmt(ev, els);
                }
                self.pop_scope();
            }
            Stmt::Switch(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.stmt(ev, init);
                }
                if let Some(tag) = &s.tag {
                    self.expr(ev, tag);
                }
                for clause in &s.body {
                    self.push_scope();
                    for e in &clause.list {
                        self.expr(ev, e);
                    }
                    for st in &clause.body {
                        self.stmt(ev, st);
                    }
                    self.pop_scope();
                }
                self.pop_scope();
            }
            Stmt::TypeSwitch(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.stmt(ev, init);
                }
                let bound = type_switch_binding(s.assign);
                self.stmt(ev, s.assign);
                for clause in &s.body {
                    self.push_scope();
                    if let Some(name) = bound {
                        self.declare(name);
                    }
                    for st in &clause.body {
                        self.stmt(ev, st);
                    }
                    self.pop_scope();
                }
                self.pop_scope();
            }
            Stmt::Select(s) => {
                ev.select(self, s);
                for clause in &s.body {
                    self.push_scope();
                    if let Some(comm) = &clause.comm {
                        self.stmt(ev, comm);
                    }
                    for st in &clause.body {
                        self.stmt(ev, st);
                    }
                    self.pop_scope();
                }
            }
            Stmt::For(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.stmt(ev, init);
                }
                if let Some(cond) = &s.cond {
                    self.expr(ev, cond);
                }
                if let Some(post) = &s.post {
                    self.stmt(ev, post);
                }
                self.loop_body(ev, &s.body, s.cond.as_ref());
                self.pop_scope();
            }
            Stmt::Range(s) => {
                match unparen(&s.x) {
                    Expr::Ident(id) => {
                        self.add_ref(id, RefKind::Operated);
                        // A body that never goes round again is one receive, not a wait for
                        // a close; one with a way out (`break` on a value, `return`) ends on
                        // a value the producer sends, not only on the close.
                        let once =
                            crate::cfg::loop_escapes(&s.body.stmts, &|e| self.never_returns(e));
                        if let Some(frame) = self.frames.last_mut().filter(|_| !once) {
                            frame.ranges.push((
                                id.name,
                                Span {
                                    start: s.span.start,
                                    end: id.span.end,
                                },
                            ));
                        }
                    }
                    other => self.expr(ev, other),
                }
                self.push_scope();
                for e in [&s.key, &s.value].into_iter().flatten() {
                    match e {
                        Expr::Ident(id) if s.tok == Some(AssignOp::Define) => self.declare(id.name),
                        other => self.expr(ev, other),
                    }
                }
                self.loop_body(ev, &s.body, None);
                self.pop_scope();
            }
        }
    }

    fn expr(&mut self, ev: &mut impl Events<'a>, expr: &'a Expr<'a>) {
        match expr {
            Expr::Ident(id) => self.add_ref(id, RefKind::Escapes),
            Expr::BasicLit(_) | Expr::Bad(_) => {}
            Expr::CompositeLit(lit) => {
                for e in &lit.elts {
                    self.expr(ev, e);
                }
            }
            Expr::FuncLit(lit) => {
                let mut params = Vec::new();
                collect_field_names(&lit.typ.params, &mut params);
                let before = params.len();
                if let Some(results) = &lit.typ.results {
                    collect_field_names(results, &mut params);
                }
                let named_results = params.len() - before;
                self.function(
                    ev,
                    FrameKind::Literal,
                    &lit.body,
                    params,
                    named_results,
                    lit.span,
                );
            }
            Expr::Paren(p) => self.expr(ev, p.x),
            Expr::Selector(sel) => match sel.x {
                // A `Stop` method value handed on (`t.Cleanup(ticker.Stop)`) is a stop that
                // runs later.
                Expr::Ident(id) if sel.sel.name == "Stop" => self.add_ref(id, RefKind::Stopped),
                Expr::Ident(id) => self.add_ref(id, RefKind::Selected),
                other => self.expr(ev, other),
            },
            Expr::Index(ix) => {
                self.expr(ev, ix.x);
                for i in &ix.indices {
                    self.expr(ev, i);
                }
            }
            Expr::Slice(s) => {
                self.expr(ev, &s.x);
                for e in [&s.low, &s.high, &s.max].into_iter().flatten() {
                    self.expr(ev, e);
                }
            }
            Expr::TypeAssert(t) => self.expr(ev, t.x),
            Expr::Call(call) => {
                ev.call(self, expr);
                if let (Expr::Ident(builtin), [Expr::Ident(arg)]) = (call.fun, call.args.as_slice())
                {
                    let kind = match builtin.name {
                        "close" => Some(RefKind::Closed),
                        "len" | "cap" => Some(RefKind::Operated),
                        _ => None,
                    };
                    if let Some(kind) = kind.filter(|_| !self.is_shadowed(builtin.name)) {
                        self.add_ref(arg, kind);
                        return;
                    }
                }
                match call.fun {
                    Expr::Ident(id) => self.add_ref(id, RefKind::Called),
                    Expr::Selector(sel) => match sel.x {
                        Expr::Ident(id) if sel.sel.name == "Stop" => {
                            self.add_ref(id, RefKind::Stopped);
                        }
                        _ => self.expr(ev, call.fun),
                    },
                    other => self.expr(ev, other),
                }
                for arg in &call.args {
                    self.expr(ev, arg);
                }
            }
            Expr::Star(s) => self.expr(ev, s.x),
            Expr::Unary(u) => match (&u.op, u.x) {
                (UnaryOp::Recv, Expr::Ident(id)) => self.add_ref(id, RefKind::Operated),
                _ => self.expr(ev, u.x),
            },
            Expr::Binary(b) => {
                self.expr(ev, b.x);
                self.expr(ev, b.y);
            }
            Expr::KeyValue(kv) => {
                // A struct key is a field name, not a reference.
                if !matches!(kv.key, Expr::Ident(_)) {
                    self.expr(ev, kv.key);
                }
                self.expr(ev, kv.value);
            }
            // Types hold no references the analyses ask about.
            _ => {}
        }
    }
}

fn collect_field_names<'a>(fields: &'a FieldList<'a>, out: &mut Vec<&'a str>) {
    for field in &fields.list {
        for name in &field.names {
            out.push(name.name);
        }
    }
}

/// `switch v := x.(type)` binds `v` in every clause.
fn type_switch_binding<'a>(assign: &'a Stmt<'a>) -> Option<&'a str> {
    match assign {
        Stmt::Assign(a) if a.tok == AssignOp::Define => match a.lhs.first() {
            Some(Expr::Ident(id)) => Some(id.name),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolution_of(src: &str, check: impl Fn(&Names<'_, '_>, &File<'_>)) {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let imports = Imports::of(&parsed.file);
        let resolution = walk_file(&parsed.file, &imports, &mut ());
        let names = Names {
            imports: &imports,
            resolution: &resolution,
        };
        check(&names, &parsed.file);
    }

    /// The expression of the `n`th expression statement of function `f`, at any depth.
    fn calls_in<'a>(file: &'a File<'a>) -> Vec<&'a Expr<'a>> {
        use leakhound_syntax::visit::{walk_file, Node, Visitor};
        struct V<'a>(Vec<&'a Expr<'a>>);
        impl<'a> Visitor<'a> for V<'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _: &[Node<'a>]) -> bool {
                if let Stmt::Expr(e) = s {
                    self.0.push(&e.x);
                }
                true
            }
        }
        let mut v = V(Vec::new());
        walk_file(file, &mut v);
        v.0
    }

    #[test]
    fn a_local_shadows_an_import_in_its_scope_only() {
        let src = "package p\nimport \"time\"\nfunc f() {\n\ttime.After(1)\n\t{\n\t\ttime := clock{}\n\t\ttime.After(1)\n\t}\n\ttime.After(1)\n}\n";
        resolution_of(src, |names, file| {
            let calls = calls_in(file);
            let resolved: Vec<_> = calls
                .iter()
                .map(|e| names.calls(e, "time", &["After"]).is_some())
                .collect();
            assert_eq!(resolved, [true, false, true]);
        });
    }

    #[test]
    fn dot_imports_and_shadowed_panic() {
        let src = "package p\nimport . \"time\"\nfunc f() {\n\tAfter(1)\n\tpanic(1)\n}\nfunc g(panic func(int), After func(int)) {\n\tAfter(1)\n\tpanic(1)\n}\n";
        resolution_of(src, |names, file| {
            let calls = calls_in(file);
            assert!(names.calls(calls[0], "time", &["After"]).is_some());
            assert!(names.never_returns(calls[1]));
            assert!(names.calls(calls[2], "time", &["After"]).is_none());
            assert!(!names.never_returns(calls[3]));
        });
    }
}
