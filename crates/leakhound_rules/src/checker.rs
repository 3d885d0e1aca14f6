//! The one walk over a file. It keeps the context every rule needs — the function or function
//! literal being walked, its loops, the scopes that may shadow an import — and calls the
//! enabled rules at the node kinds they care about. Rules that ask about a variable's later
//! uses (LH103, LH201) record a candidate and are answered when the walk leaves the function,
//! from the references the walk collected on the way.

use leakhound_diagnostics::{Diagnostic, Location, Severity};
use leakhound_model::channels::runs_at_most_once;
use leakhound_model::gomod::TimerSemantics;
use leakhound_model::imports::Imports;
use leakhound_model::terminal;
use leakhound_syntax::ast::*;

use crate::context::RuleContext;
use crate::registry::Rule;
use crate::rules;

/// How a walked function was introduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind<'a> {
    Decl { name: &'a str, is_method: bool },
    Literal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
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
pub(crate) struct Ref<'a> {
    pub name: &'a str,
    pub kind: RefKind,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct LoopCtx<'a> {
    pub label: Option<&'a str>,
}

/// A variable whose fate is decided when its function has been walked.
pub(crate) enum Pending<'a> {
    Cancel(rules::lost_cancel::Candidate<'a>),
    Ticker(rules::ticker_not_stopped::Candidate<'a>),
    Channel(rules::range_unclosed::Candidate<'a>),
}

pub(crate) struct Frame<'a> {
    pub kind: FrameKind<'a>,
    pub body: &'a Block<'a>,
    pub params: Vec<&'a str>,
    /// Every name declared in the function's own body (not in its literals).
    pub locals: Vec<&'a str>,
    pub loops: Vec<LoopCtx<'a>>,
    pub refs: Vec<Ref<'a>>,
    /// `for ... range x` over a plain name, with the statement's span (literals included).
    pub ranges: Vec<(&'a str, Span)>,
    pub pending: Vec<Pending<'a>>,
    pub span: Span,
    /// How many names at the end of `params` are named results (a naked `return` returns them).
    pub named_results: usize,
}

pub(crate) struct Checker<'c, 'a> {
    pub ctx: &'c RuleContext<'c, 'a>,
    pub source: &'a str,
    pub file: &'a File<'a>,
    pub imports: &'c Imports<'a>,
    pub timers: &'c TimerSemantics,
    pub is_main_package: bool,
    scopes: Vec<Vec<&'a str>>,
    pub frames: Vec<Frame<'a>>,
    pub diagnostics: Vec<Diagnostic>,
    /// The label that names the next loop walked (`L: for ...`).
    pending_label: Option<&'a str>,
}

impl<'c, 'a> Checker<'c, 'a> {
    pub fn new(ctx: &'c RuleContext<'c, 'a>, timers: &'c TimerSemantics) -> Self {
        let file = &ctx.facts.parsed(ctx.file).file;
        Checker {
            ctx,
            source: ctx.source(),
            file,
            imports: ctx.imports,
            timers,
            is_main_package: file.package.name == "main",
            scopes: Vec::new(),
            frames: Vec::new(),
            diagnostics: Vec::new(),
            pending_label: None,
        }
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.ctx.enabled(rule)
    }

    pub fn location(&self, offset: u32) -> Location {
        crate::registry::location(self.ctx.facts.lines(self.ctx.file), offset)
    }

    pub fn diagnostic(
        &self,
        rule: &'static Rule,
        span: Span,
        severity: Severity,
        message: String,
    ) -> Diagnostic {
        let mut d = self.ctx.diagnostic(rule, span, message);
        d.severity = severity;
        d
    }

    pub fn text(&self, span: Span) -> &'a str {
        self.source.get(span.range()).unwrap_or("")
    }

    pub fn frame(&self) -> Option<&Frame<'a>> {
        self.frames.last()
    }

    pub fn in_loop(&self) -> bool {
        self.frames.last().is_some_and(|f| !f.loops.is_empty())
    }

    // ---- scopes and resolution ----

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Records a local declaration. Only names that can shadow something we resolve are kept.
    fn declare(&mut self, name: &'a str) {
        if name == "_" {
            return;
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.locals.push(name);
        }
        if self.imports.is_import_name(name)
            || self.imports.has_dot_imports()
            || is_watched_name(name)
        {
            if let Some(scope) = self.scopes.last_mut() {
                scope.push(name);
            }
        }
    }

    pub fn is_shadowed(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(&name))
    }

    /// Whether `name` is declared inside the current function (not in an enclosing one).
    pub fn declared_in_frame(&self, name: &str) -> bool {
        self.frames
            .last()
            .is_some_and(|f| f.locals.contains(&name) || f.params.contains(&name))
    }

    /// Resolves `pkg.Name` or a dot-imported `Name` to (import path, name).
    pub fn resolve(&self, expr: &'a Expr<'a>) -> Option<(&'a str, &'a str)> {
        match expr {
            Expr::Selector(sel) => {
                let Expr::Ident(pkg) = sel.x else { return None };
                if self.is_shadowed(pkg.name) {
                    return None;
                }
                self.imports
                    .path_of(pkg.name)
                    .map(|path| (path, sel.sel.name))
            }
            Expr::Ident(id) if self.imports.has_dot_imports() && !self.is_shadowed(id.name) => {
                ["time", "context", "os", "log", "runtime", "sync"]
                    .into_iter()
                    .find(|p| self.imports.dot_imports(p))
                    .map(|p| (p, id.name))
                    .filter(|(p, name)| dot_member(p, name))
            }
            _ => None,
        }
    }

    /// Whether `call` calls the function `path.name` (one of `names`).
    pub fn calls(&self, expr: &'a Expr<'a>, path: &str, names: &[&str]) -> Option<&'a str> {
        let Expr::Call(call) = unparen(expr) else {
            return None;
        };
        let (p, name) = self.resolve(call.fun)?;
        (p == path && names.contains(&name)).then_some(name)
    }

    /// Calls after which control never comes back (see [`terminal::never_returns`]).
    pub fn never_returns(&self, expr: &'a Expr<'a>) -> bool {
        terminal::never_returns(expr, |fun| self.resolve(fun), !self.is_shadowed("panic"))
    }

    // ---- the walk ----

    pub fn check_file(&mut self) {
        self.push_scope();
        for decl in &self.file.decls {
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
                    self.walk_function(kind, body, params, named_results, func.span);
                }
            } else if let Decl::Gen(gen) = decl {
                // Package-level initialisers can hold function literals.
                for spec in &gen.specs {
                    if let Spec::Value(value) = spec {
                        for v in &value.values {
                            self.walk_expr(v);
                        }
                    }
                }
            }
        }
        self.pop_scope();
    }

    fn walk_function(
        &mut self,
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
            pending: Vec::new(),
            span,
            named_results,
        });
        self.walk_block(body);
        let frame = self.frames.pop().expect("frame pushed above");
        self.pop_scope();
        // A literal's references are its enclosing function's references too (captures).
        if let Some(outer) = self.frames.last_mut() {
            outer.refs.extend(frame.refs.iter().copied());
            outer.ranges.extend(frame.ranges.iter().copied());
        }
        for pending in &frame.pending {
            match pending {
                Pending::Cancel(c) => rules::lost_cancel::resolve(self, &frame, c),
                Pending::Ticker(t) => rules::ticker_not_stopped::resolve(self, &frame, t),
                Pending::Channel(c) => rules::range_unclosed::resolve(self, &frame, c),
            }
        }
    }

    fn walk_block(&mut self, block: &'a Block<'a>) {
        self.push_scope();
        for stmt in &block.stmts {
            self.walk_stmt(stmt);
        }
        self.pop_scope();
    }

    fn add_ref(&mut self, name: &'a str, kind: RefKind) {
        if let Some(frame) = self.frames.last_mut() {
            frame.refs.push(Ref { name, kind });
        }
    }

    fn walk_loop_body(&mut self, body: &'a Block<'a>) {
        let label = self.pending_label.take();
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.push(LoopCtx { label });
        }
        self.walk_block(body);
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.pop();
        }
    }

    fn walk_stmt(&mut self, stmt: &'a Stmt<'a>) {
        if !matches!(stmt, Stmt::Labeled(_)) && !matches!(stmt, Stmt::For(_) | Stmt::Range(_)) {
            self.pending_label = None;
        }
        match stmt {
            Stmt::Decl(decl) => {
                for spec in &decl.specs {
                    match spec {
                        Spec::Value(value) => {
                            for v in &value.values {
                                self.walk_expr(v);
                            }
                            self.on_value_spec(value);
                            for name in &value.names {
                                self.declare(name.name);
                            }
                        }
                        Spec::Type(t) => self.declare(t.name.name),
                        Spec::Import(_) => {}
                    }
                }
            }
            Stmt::Labeled(labeled) => {
                self.pending_label = Some(labeled.label.name);
                self.walk_stmt(labeled.stmt);
                self.pending_label = None;
            }
            Stmt::Expr(e) => {
                self.walk_expr(&e.x);
            }
            Stmt::Send(send) => {
                match &send.chan {
                    Expr::Ident(id) => self.add_ref(id.name, RefKind::Operated),
                    other => self.walk_expr(other),
                }
                self.walk_expr(&send.value);
            }
            Stmt::IncDec(s) => self.walk_expr(&s.x),
            Stmt::Assign(assign) => {
                let blank_lhs = assign
                    .lhs
                    .iter()
                    .all(|e| matches!(e, Expr::Ident(id) if id.name == "_"));
                for rhs in &assign.rhs {
                    if blank_lhs {
                        if let Expr::Ident(id) = unparen(rhs) {
                            self.add_ref(id.name, RefKind::Blank);
                            continue;
                        }
                    }
                    self.walk_expr(rhs);
                }
                for lhs in &assign.lhs {
                    match lhs {
                        Expr::Ident(_) => {}
                        other => self.walk_expr(other),
                    }
                }
                self.on_assign(assign);
                if assign.tok == AssignOp::Define {
                    for lhs in &assign.lhs {
                        if let Expr::Ident(id) = lhs {
                            self.declare(id.name);
                        }
                    }
                }
            }
            Stmt::Go(g) => self.walk_expr(&g.call),
            Stmt::Defer(d) => {
                if self.in_loop() && self.enabled(&rules::defer_in_loop::RULE) {
                    rules::defer_in_loop::check(self, d);
                }
                self.walk_expr(&d.call);
            }
            Stmt::Return(r) => {
                for e in &r.results {
                    self.walk_expr(e);
                }
                // A naked `return` returns every named result.
                if r.results.is_empty() {
                    let named: Vec<&'a str> = self
                        .frames
                        .last()
                        .map(|f| f.params[f.params.len() - f.named_results..].to_vec())
                        .unwrap_or_default();
                    for name in named {
                        self.add_ref(name, RefKind::Escapes);
                    }
                }
            }
            Stmt::Branch(_) | Stmt::Empty(_) | Stmt::Bad(_) => {}
            Stmt::Block(b) => self.walk_block(b),
            Stmt::If(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.walk_stmt(init);
                }
                self.walk_expr(&s.cond);
                self.walk_block(&s.body);
                if let Some(els) = &s.els {
                    self.walk_stmt(els);
                }
                self.pop_scope();
            }
            Stmt::Switch(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.walk_stmt(init);
                }
                if let Some(tag) = &s.tag {
                    self.walk_expr(tag);
                }
                for clause in &s.body {
                    self.push_scope();
                    for e in &clause.list {
                        self.walk_expr(e);
                    }
                    for st in &clause.body {
                        self.walk_stmt(st);
                    }
                    self.pop_scope();
                }
                self.pop_scope();
            }
            Stmt::TypeSwitch(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.walk_stmt(init);
                }
                let bound = type_switch_binding(s.assign);
                self.walk_stmt(s.assign);
                for clause in &s.body {
                    self.push_scope();
                    if let Some(name) = bound {
                        self.declare(name);
                    }
                    for st in &clause.body {
                        self.walk_stmt(st);
                    }
                    self.pop_scope();
                }
                self.pop_scope();
            }
            Stmt::Select(s) => {
                if self.in_loop() && self.enabled(&rules::after_in_loop::RULE) {
                    rules::after_in_loop::check(self, s);
                }
                for clause in &s.body {
                    self.push_scope();
                    if let Some(comm) = &clause.comm {
                        self.walk_stmt(comm);
                    }
                    for st in &clause.body {
                        self.walk_stmt(st);
                    }
                    self.pop_scope();
                }
            }
            Stmt::For(s) => {
                self.push_scope();
                if let Some(init) = &s.init {
                    self.walk_stmt(init);
                }
                if let Some(cond) = &s.cond {
                    self.walk_expr(cond);
                }
                if let Some(post) = &s.post {
                    self.walk_stmt(post);
                }
                self.walk_loop_body(&s.body);
                self.pop_scope();
            }
            Stmt::Range(s) => {
                match unparen(&s.x) {
                    Expr::Ident(id) => {
                        self.add_ref(id.name, RefKind::Operated);
                        let once = runs_at_most_once(&s.body.stmts, self.imports);
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
                    other => self.walk_expr(other),
                }
                self.push_scope();
                for e in [&s.key, &s.value].into_iter().flatten() {
                    match e {
                        Expr::Ident(id) if s.tok == Some(AssignOp::Define) => self.declare(id.name),
                        other => self.walk_expr(other),
                    }
                }
                self.walk_loop_body(&s.body);
                self.pop_scope();
            }
        }
    }

    pub fn walk_expr(&mut self, expr: &'a Expr<'a>) {
        match expr {
            Expr::Ident(id) => self.add_ref(id.name, RefKind::Escapes),
            Expr::BasicLit(_) | Expr::Bad(_) => {}
            Expr::CompositeLit(lit) => {
                for e in &lit.elts {
                    self.walk_expr(e);
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
                self.walk_function(
                    FrameKind::Literal,
                    &lit.body,
                    params,
                    named_results,
                    lit.span,
                );
            }
            Expr::Paren(p) => self.walk_expr(p.x),
            Expr::Selector(sel) => match sel.x {
                Expr::Ident(id) => self.add_ref(id.name, RefKind::Selected),
                other => self.walk_expr(other),
            },
            Expr::Index(ix) => {
                self.walk_expr(ix.x);
                for i in &ix.indices {
                    self.walk_expr(i);
                }
            }
            Expr::Slice(s) => {
                self.walk_expr(&s.x);
                for e in [&s.low, &s.high, &s.max].into_iter().flatten() {
                    self.walk_expr(e);
                }
            }
            Expr::TypeAssert(t) => {
                self.walk_expr(t.x);
            }
            Expr::Call(call) => {
                self.on_call(expr, call);
                if let (Expr::Ident(builtin), [Expr::Ident(arg)]) = (call.fun, call.args.as_slice())
                {
                    let kind = match builtin.name {
                        "close" => Some(RefKind::Closed),
                        "len" | "cap" => Some(RefKind::Operated),
                        _ => None,
                    };
                    if let Some(kind) = kind.filter(|_| !self.is_shadowed(builtin.name)) {
                        self.add_ref(arg.name, kind);
                        return;
                    }
                }
                match call.fun {
                    Expr::Ident(id) => self.add_ref(id.name, RefKind::Called),
                    Expr::Selector(sel) => match sel.x {
                        Expr::Ident(id) if sel.sel.name == "Stop" => {
                            self.add_ref(id.name, RefKind::Stopped);
                        }
                        _ => self.walk_expr(call.fun),
                    },
                    other => self.walk_expr(other),
                }
                for arg in &call.args {
                    self.walk_expr(arg);
                }
            }
            Expr::Star(s) => self.walk_expr(s.x),
            Expr::Unary(u) => match (&u.op, u.x) {
                (UnaryOp::Recv, Expr::Ident(id)) => self.add_ref(id.name, RefKind::Operated),
                _ => self.walk_expr(u.x),
            },
            Expr::Binary(b) => {
                self.walk_expr(b.x);
                self.walk_expr(b.y);
            }
            Expr::KeyValue(kv) => {
                // A struct key is a field name, not a reference.
                if !matches!(kv.key, Expr::Ident(_)) {
                    self.walk_expr(kv.key);
                }
                self.walk_expr(kv.value);
            }
            // Types hold no references the rules ask about.
            _ => {}
        }
    }

    // ---- dispatch ----

    fn on_call(&mut self, expr: &'a Expr<'a>, call: &'a CallExpr<'a>) {
        let Some((path, name)) = self.resolve(call.fun) else {
            return;
        };
        match (path, name) {
            ("time", "Tick") if self.enabled(&rules::tick_leak::RULE) => {
                rules::tick_leak::check(self, expr);
            }
            _ => {}
        }
    }

    fn on_assign(&mut self, assign: &'a AssignStmt<'a>) {
        if assign.rhs.len() != 1 {
            return;
        }
        let rhs = &assign.rhs[0];
        if self.enabled(&rules::range_unclosed::RULE)
            && assign.lhs.len() == 1
            && assign.tok == AssignOp::Define
        {
            if let Expr::Ident(id) = &assign.lhs[0] {
                rules::range_unclosed::candidate(self, id, rhs);
            }
        }
        if self.enabled(&rules::lost_cancel::RULE) && assign.lhs.len() == 2 {
            if let Some(func) = self.calls(rhs, "context", rules::lost_cancel::CONSTRUCTORS) {
                rules::lost_cancel::candidate(
                    self,
                    Binding::Assign(assign),
                    &assign.lhs[1],
                    rhs,
                    func,
                );
            }
        }
        if self.enabled(&rules::ticker_not_stopped::RULE)
            && assign.lhs.len() == 1
            && !self.timers.timers_collected()
            && self.calls(rhs, "time", &["NewTicker"]).is_some()
        {
            rules::ticker_not_stopped::candidate(
                self,
                &assign.lhs[0],
                rhs,
                assign.tok == AssignOp::Define,
            );
        }
    }

    fn on_value_spec(&mut self, spec: &'a ValueSpec<'a>) {
        if spec.values.len() != 1 {
            return;
        }
        let rhs = &spec.values[0];
        if self.enabled(&rules::range_unclosed::RULE) && spec.names.len() == 1 {
            rules::range_unclosed::candidate(self, &spec.names[0], rhs);
        }
        if self.enabled(&rules::lost_cancel::RULE) && spec.names.len() == 2 {
            if let Some(func) = self.calls(rhs, "context", rules::lost_cancel::CONSTRUCTORS) {
                rules::lost_cancel::candidate_spec(self, spec, rhs, func);
            }
        }
        if self.enabled(&rules::ticker_not_stopped::RULE)
            && spec.names.len() == 1
            && !self.timers.timers_collected()
            && self.calls(rhs, "time", &["NewTicker"]).is_some()
        {
            rules::ticker_not_stopped::candidate_name(self, &spec.names[0], rhs);
        }
    }
}

/// Where a cancel function was bound.
#[derive(Clone, Copy)]
pub(crate) enum Binding<'a> {
    Assign(&'a AssignStmt<'a>),
}

/// Names that can be shadowed in a way that changes resolution even without an import of that
/// name (a dot import brings these in).
fn is_watched_name(name: &str) -> bool {
    matches!(
        name,
        "time"
            | "context"
            | "panic"
            | "After"
            | "Tick"
            | "NewTicker"
            | "WithCancel"
            | "WithTimeout"
            | "WithDeadline"
    )
}

/// Functions of dot-importable packages that the rules resolve.
fn dot_member(path: &str, name: &str) -> bool {
    match path {
        "time" => matches!(name, "After" | "Tick" | "NewTicker" | "NewTimer"),
        "context" => rules::lost_cancel::CONSTRUCTORS.contains(&name),
        "os" => name == "Exit",
        "log" => name.starts_with("Fatal") || name.starts_with("Panic"),
        "runtime" => name == "Goexit",
        _ => false,
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
