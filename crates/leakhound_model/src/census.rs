//! A census of the package's conds, wait groups and timers, and (apart, as it is far cheaper to
//! take) of its goroutine-starting helpers, over every file of the directory (tests included:
//! test goroutines leak too).
//!
//! Identity is by declared name: a field or package variable is the last name of its key
//! (`wg` in `s.pool.wg`), matched against every use of that name in the package. That merges
//! same-named fields of different types, so a question such as "does anything signal this cond"
//! is answered yes when any of them is signalled: the census errs towards "used", and a rule
//! reading it stays silent where the answer is unclear. Locals are the rules' business (they
//! live in one declaration).

use std::collections::{HashMap, HashSet};

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};
use leakhound_syntax::ParsedFile;

use crate::imports::Imports;
use crate::summary::{lock_call, LockOp};

/// The last name of a key expression: `wg` for `s.pool.wg`, `&wg`, `(*s).wg`.
pub fn last_name<'a>(e: &Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Ident(id) => Some(id.name),
        Expr::Selector(s) => Some(s.sel.name),
        Expr::Star(s) => last_name(s.x),
        Expr::Unary(u) if u.op == UnaryOp::And => last_name(u.x),
        _ => None,
    }
}

/// The `sync` or `time` type a declared type names: `sync.Cond`, `*time.Timer`, ...
pub fn named_type<'a>(typ: &Expr<'a>, imports: &Imports<'a>) -> Option<(&'a str, &'a str)> {
    match unparen(typ) {
        Expr::Star(s) => named_type(s.x, imports),
        Expr::Selector(s) => {
            let Expr::Ident(pkg) = unparen(s.x) else {
                return None;
            };
            Some((imports.path_of(pkg.name)?, s.sel.name))
        }
        _ => None,
    }
}

/// A function value started as a goroutine: by a `go` statement or by a helper that runs its
/// function parameter with `go`.
#[derive(Clone, Copy, Debug)]
pub struct Started<'a> {
    /// The `go` statement's call, or the helper call.
    pub at: Span,
    /// What runs: a function literal, or the function of a `go f(x)` call / a method value.
    pub func: &'a Expr<'a>,
    /// The arguments of a `go f(x)` call (empty for a helper-started value).
    pub args: &'a [Expr<'a>],
    /// Started by a helper rather than a `go` statement.
    pub helper: bool,
}

/// An expression through which a primitive leaves its declaration's sight.
#[derive(Clone, Copy, Debug)]
pub struct Escape<'a> {
    pub file: usize,
    pub decl: &'a FuncDecl<'a>,
    /// The argument (`&s.wg`, `c`) or method value's receiver (`c` in `c.Broadcast`).
    pub expr: &'a Expr<'a>,
}

#[derive(Default)]
pub struct Census<'a> {
    /// Names declared as `sync.Cond` fields or package variables, or assigned `sync.NewCond`.
    conds: HashSet<&'a str>,
    /// Names declared as `time.Timer` fields, variables or parameters.
    timers: HashSet<&'a str>,
    /// Last names on which `Signal` or `Broadcast` is called or taken as a method value, or
    /// that leave through a call argument (what the callee does is its business).
    signalled: HashSet<&'a str>,
    /// Last names taken as `Signal`/`Broadcast`/`Done` method values or handed to a call: the
    /// method value's receiver or the argument, in its file and declaration.
    escapes: HashMap<&'a str, Vec<Escape<'a>>>,
    /// The direct `Done` (and `Add(-n)`) calls on each last name (all `Done` calls under `""`):
    /// file and call.
    done_calls: HashMap<&'a str, Vec<(usize, Span)>>,
    /// The direct `Signal`/`Broadcast` calls on each last name (all of them under `""`, for a
    /// cond embedded in a struct, whose methods are called on the struct): file and call.
    signal_calls: HashMap<&'a str, Vec<(usize, Span)>>,
    /// A cond's name and the last name of the lock given to its `sync.NewCond`.
    cond_locks: HashMap<&'a str, &'a str>,
    /// A cond's name and the locks (last names) taken by the functions that signal it.
    signaller_locks: HashMap<&'a str, Vec<String>>,
    /// Last names with a `Done` call, a `Done` method value or passed as a call argument.
    done: HashSet<&'a str>,
    /// Last names with a `Wait` call, and where (file, call).
    waits: HashMap<&'a str, Vec<(usize, Span)>>,
    /// Functions and methods (by name) that call `Done` themselves on a field or variable of
    /// that name (an entry for every function of the package).
    done_by: HashMap<&'a str, HashSet<&'a str>>,
    /// The package's functions (by name) each function calls, for `done_by` to any depth.
    calls: HashMap<&'a str, HashSet<&'a str>>,
    /// Functions and methods (by name) that call `Done` on their parameter at that index, or
    /// pass it on.
    done_params: HashMap<&'a str, HashSet<usize>>,
}

impl<'a> Census<'a> {
    pub fn new<'p>(files: impl IntoIterator<Item = (&'p Imports<'a>, &'a ParsedFile<'a>)>) -> Self
    where
        'a: 'p,
    {
        let mut census = Census::default();
        for (file, (imports, parsed)) in files.into_iter().enumerate() {
            for decl in &parsed.file.decls {
                match decl {
                    Decl::Gen(g) => census.declarations(g, imports),
                    Decl::Func(f) => census.function(file, f, imports),
                }
            }
        }
        census
    }

    fn declarations(&mut self, g: &'a GenDecl<'a>, imports: &Imports<'a>) {
        for spec in &g.specs {
            match spec {
                Spec::Type(t) => {
                    if let Expr::StructType(st) = &t.typ {
                        for field in &st.fields.list {
                            self.declared(&field.typ, field.names.iter().map(|n| n.name), imports);
                        }
                    }
                }
                Spec::Value(v) => {
                    if let Some(t) = &v.typ {
                        self.declared(t, v.names.iter().map(|n| n.name), imports);
                    }
                }
                Spec::Import(_) => {}
            }
        }
    }

    fn declared(
        &mut self,
        typ: &Expr<'a>,
        names: impl Iterator<Item = &'a str>,
        imports: &Imports<'a>,
    ) {
        match named_type(typ, imports) {
            Some(("sync", "Cond")) => self.conds.extend(names),
            Some(("time", "Timer")) => self.timers.extend(names),
            _ => {}
        }
    }

    fn function(&mut self, file: usize, f: &'a FuncDecl<'a>, imports: &Imports<'a>) {
        let Some(body) = &f.body else { return };
        let mut params: Vec<(&'a str, usize, &'a Expr<'a>)> = Vec::new();
        let mut index = 0;
        for field in &f.typ.params.list {
            for name in &field.names {
                params.push((name.name, index, &field.typ));
                index += 1;
            }
            if field.names.is_empty() {
                index += 1;
            }
            self.declared(&field.typ, field.names.iter().map(|n| n.name), imports);
        }
        let mut v = FuncVisitor {
            census: self,
            decl: f,
            imports,
            file,
            params: &params,
            locks: Vec::new(),
            signals: Vec::new(),
            callees: HashSet::new(),
            done_fields: HashSet::new(),
            done_params: HashSet::new(),
        };
        walk_node(VNode::Block(body), &[], &mut v);
        let FuncVisitor {
            locks,
            signals,
            callees,
            done_fields,
            done_params,
            ..
        } = v;
        for cond in signals {
            self.signaller_locks
                .entry(cond)
                .or_default()
                .extend(locks.iter().cloned());
        }
        let name = f.name.name;
        self.calls.entry(name).or_default().extend(callees);
        self.done_by.entry(name).or_default().extend(done_fields);
        if !done_params.is_empty() {
            self.done_params
                .entry(name)
                .or_default()
                .extend(done_params);
        }
    }

    pub fn is_cond(&self, name: &str) -> bool {
        self.conds.contains(name)
    }

    pub fn is_timer(&self, name: &str) -> bool {
        self.timers.contains(name)
    }

    /// Whether anything in the package signals (or may signal) a cond of that name.
    pub fn signalled(&self, name: &str) -> bool {
        self.signalled.contains(name)
    }

    /// Where a primitive of that name is taken as a `Signal`/`Broadcast`/`Done` method value or
    /// handed to a call, which may signal it or call `Done`.
    pub fn escapes(&self, name: &str) -> &[Escape<'a>] {
        self.escapes.get(name).map_or(&[], Vec::as_slice)
    }

    /// The direct `Signal`/`Broadcast` calls on conds of that name: file and call.
    pub fn signal_calls(&self, name: &str) -> &[(usize, Span)] {
        self.signal_calls.get(name).map_or(&[], Vec::as_slice)
    }

    /// The last name of the lock a cond of that name was made with (`sync.NewCond(&s.mu)`).
    pub fn cond_lock(&self, name: &str) -> Option<&'a str> {
        self.cond_locks.get(name).copied()
    }

    /// Whether a function that signals a cond of that name also takes a lock of that name.
    pub fn signaller_locks(&self, cond: &str, lock: &str) -> bool {
        self.signaller_locks
            .get(cond)
            .is_some_and(|locks| locks.iter().any(|l| l == lock))
    }

    /// Whether anything in the package calls `Done` on a wait group of that name (or may).
    pub fn done(&self, name: &str) -> bool {
        self.done.contains(name)
    }

    /// The direct `Done` (and `Add(-n)`) calls on wait groups of that name: file and call.
    pub fn done_calls(&self, name: &str) -> &[(usize, Span)] {
        self.done_calls.get(name).map_or(&[], Vec::as_slice)
    }

    /// The `Wait` calls on wait groups of that name.
    pub fn waits(&self, name: &str) -> &[(usize, Span)] {
        self.waits.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether a function of that name (any of them) calls `Done` on a field of that name, to
    /// any depth; `None` when the package has no function of that name (it is opaque).
    pub fn calls_done_on(&self, func: &str, field: &str) -> Option<bool> {
        self.done_by.get(func)?;
        // Searched per question (few are asked) rather than closed over the whole package.
        let mut seen: HashSet<&str> = HashSet::from([func]);
        let mut stack = vec![func];
        while let Some(f) = stack.pop() {
            if self
                .done_by
                .get(f)
                .is_some_and(|fields| fields.contains(field))
            {
                return Some(true);
            }
            for &callee in self.calls.get(f).into_iter().flatten() {
                if seen.insert(callee) {
                    stack.push(callee);
                }
            }
        }
        Some(false)
    }

    /// Whether a function of that name (any of them) calls `Done` on (or passes on) its
    /// parameter at `index`; `None` when the package has no function of that name.
    pub fn done_through_param(&self, func: &str, index: usize) -> Option<bool> {
        if !self.done_by.contains_key(func) {
            return None;
        }
        Some(
            self.done_params
                .get(func)
                .is_some_and(|p| p.contains(&index)),
        )
    }
}

/// The package's goroutine-starting helpers: functions and methods (by name) that run their
/// function parameter at an index with `go` (`go f()`, or `go func() { ...; f() }()`). Only
/// declarations with a function parameter are walked.
#[derive(Default)]
pub struct Starters<'a> {
    starters: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Starters<'a> {
    pub fn new(files: impl IntoIterator<Item = &'a ParsedFile<'a>>) -> Self {
        struct V<'p, 'a> {
            /// The function parameters: name and index.
            params: &'p [(&'a str, usize)],
            out: Vec<usize>,
            /// Inside the literal of a `go` statement.
            in_go: usize,
        }
        impl<'a> V<'_, 'a> {
            fn started(&mut self, f: &Expr<'a>) {
                if let Expr::Ident(id) = unparen(f) {
                    if let Some((_, i)) = self.params.iter().find(|(n, _)| *n == id.name) {
                        self.out.push(*i);
                    }
                }
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                let Stmt::Go(g) = s else { return true };
                let Expr::Call(c) = unparen(&g.call) else {
                    return true;
                };
                self.started(c.fun);
                if let Expr::FuncLit(f) = unparen(c.fun) {
                    self.in_go += 1;
                    walk_node(VNode::Block(&f.body), &[], self);
                    self.in_go -= 1;
                    for a in &c.args {
                        walk_node(VNode::Expr(a), &[], self);
                    }
                    return false;
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Expr::Call(c) = e {
                    if self.in_go > 0 {
                        self.started(c.fun);
                    }
                }
                true
            }
        }
        let mut starters = Starters::default();
        for parsed in files {
            for decl in &parsed.file.decls {
                let Decl::Func(f) = decl else { continue };
                let Some(body) = &f.body else { continue };
                let mut params = Vec::new();
                let mut index = 0;
                for field in &f.typ.params.list {
                    for name in &field.names {
                        if matches!(unparen(&field.typ), Expr::FuncType(_)) {
                            params.push((name.name, index));
                        }
                        index += 1;
                    }
                    if field.names.is_empty() {
                        index += 1;
                    }
                }
                if params.is_empty() {
                    continue;
                }
                let mut v = V {
                    params: &params,
                    out: Vec::new(),
                    in_go: 0,
                };
                walk_node(VNode::Block(body), &[], &mut v);
                if !v.out.is_empty() {
                    starters
                        .starters
                        .entry(f.name.name)
                        .or_default()
                        .extend(v.out);
                }
            }
        }
        starters
    }

    /// The parameter indices a function of that name runs with `go`.
    pub fn starter(&self, name: &str) -> Option<&[usize]> {
        self.starters.get(name).map(Vec::as_slice)
    }

    /// The goroutines a call starts through a helper: `startWorker(func() {...})`, where a
    /// function of the package named `startWorker` runs that parameter with `go`.
    pub fn helper_started(&self, call: &'a CallExpr<'a>) -> Vec<Started<'a>> {
        let name = match unparen(call.fun) {
            Expr::Ident(id) => id.name,
            Expr::Selector(s) => s.sel.name,
            _ => return Vec::new(),
        };
        let Some(indices) = self.starter(name) else {
            return Vec::new();
        };
        indices
            .iter()
            .filter_map(|&i| call.args.get(i))
            .map(|func| Started {
                at: call.span,
                func,
                args: &[],
                helper: true,
            })
            .collect()
    }

    /// The goroutines started in `block`, nested function literals included: `go` statements
    /// and calls of the package's goroutine-starting helpers, in source order.
    pub fn started_in(&self, block: &'a Block<'a>) -> Vec<Started<'a>> {
        struct V<'c, 'a> {
            starters: &'c Starters<'a>,
            out: Vec<Started<'a>>,
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Stmt::Go(g) = s {
                    if let Some(started) = go_started(g) {
                        self.out.push(started);
                    }
                }
                true
            }
            fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
                if let Expr::Call(c) = e {
                    self.out.extend(self.starters.helper_started(c));
                }
                true
            }
        }
        let mut v = V {
            starters: self,
            out: Vec::new(),
        };
        walk_node(VNode::Block(block), &[], &mut v);
        v.out
    }
}

struct FuncVisitor<'c, 'i, 'p, 'a> {
    census: &'c mut Census<'a>,
    decl: &'a FuncDecl<'a>,
    imports: &'i Imports<'a>,
    file: usize,
    params: &'p [(&'a str, usize, &'a Expr<'a>)],
    /// Lock keys' last names taken anywhere in the function.
    locks: Vec<String>,
    /// Conds (last names) the function signals.
    signals: Vec<&'a str>,
    /// Names of the functions and methods it calls.
    callees: HashSet<&'a str>,
    done_fields: HashSet<&'a str>,
    done_params: HashSet<usize>,
}

impl<'a> FuncVisitor<'_, '_, '_, 'a> {
    fn param(&self, name: &str) -> Option<(usize, &'a Expr<'a>)> {
        self.params
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, i, t)| (*i, *t))
    }

    fn method(&mut self, call: &'a CallExpr<'a>, s: &'a SelectorExpr<'a>) {
        let recv = last_name(s.x);
        match (s.sel.name, call.args.len(), recv) {
            ("Signal" | "Broadcast", 0, Some(r)) => {
                self.census.signalled.insert(r);
                for name in [r, ""] {
                    self.census
                        .signal_calls
                        .entry(name)
                        .or_default()
                        .push((self.file, call.span));
                }
                self.signals.push(r);
            }
            ("Done", 0, Some(r)) => {
                self.done(s.x, r);
                for name in [r, ""] {
                    self.census
                        .done_calls
                        .entry(name)
                        .or_default()
                        .push((self.file, call.span));
                }
            }
            // `wg.Add(-1)` is a `Done`.
            ("Add", 1, Some(r)) if matches!(unparen(&call.args[0]), Expr::Unary(u) if u.op == UnaryOp::Neg) =>
            {
                self.done(s.x, r);
                self.census
                    .done_calls
                    .entry(r)
                    .or_default()
                    .push((self.file, call.span));
            }
            ("Wait", 0, Some(r)) => self
                .census
                .waits
                .entry(r)
                .or_default()
                .push((self.file, call.span)),
            _ => {}
        }
    }

    fn done(&mut self, x: &'a Expr<'a>, name: &'a str) {
        self.census.done.insert(name);
        match unparen(x) {
            Expr::Ident(id) if self.param(id.name).is_some() => {
                if let Some((i, _)) = self.param(id.name) {
                    self.done_params.insert(i);
                }
            }
            // A field, or a package variable (a local by that name is the rules' business).
            _ => {
                self.done_fields.insert(name);
            }
        }
    }
}

impl<'a> FuncVisitor<'_, '_, '_, 'a> {
    /// A field or variable copied somewhere (`flush: b.curFlush`, `wg := s.wg`, `return &s.wg`):
    /// whatever is done to the copy may be done to it.
    fn copied(&mut self, e: &'a Expr<'a>) {
        if !matches!(
            unparen(e),
            Expr::Selector(_) | Expr::Unary(_) | Expr::Ident(_)
        ) {
            return;
        }
        let Some(name) = last_name(e) else { return };
        self.census.signalled.insert(name);
        self.census.done.insert(name);
        let escape = Escape {
            file: self.file,
            decl: self.decl,
            expr: e,
        };
        self.census.escapes.entry(name).or_default().push(escape);
    }
}

impl<'a> Visitor<'a> for FuncVisitor<'_, '_, '_, 'a> {
    fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
        match s {
            Stmt::Return(r) => r.results.iter().for_each(|e| self.copied(e)),
            Stmt::Go(g) => {
                if let Expr::Call(c) = unparen(&g.call) {
                    if let Expr::FuncLit(f) = unparen(c.fun) {
                        walk_node(VNode::Block(&f.body), &[], self);
                        for a in &c.args {
                            walk_node(VNode::Expr(a), &[], self);
                        }
                        return false;
                    }
                }
            }
            Stmt::Assign(a) if a.lhs.len() == a.rhs.len() => {
                for (l, r) in a.lhs.iter().zip(&a.rhs) {
                    self.copied(r);
                    if is_new_cond(self.imports, r) {
                        if let Some(name) = last_name(l) {
                            self.census.conds.insert(name);
                            self.new_cond(name, r);
                        }
                    }
                }
            }
            Stmt::Decl(g) => {
                for spec in &g.specs {
                    let Spec::Value(v) = spec else { continue };
                    if let Some(t) = &v.typ {
                        self.census
                            .declared(t, v.names.iter().map(|n| n.name), self.imports);
                    }
                    for (n, value) in v.names.iter().zip(&v.values) {
                        if is_new_cond(self.imports, value) {
                            self.census.conds.insert(n.name);
                            self.new_cond(n.name, value);
                        }
                    }
                }
            }
            _ => {}
        }
        true
    }

    fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
        match e {
            Expr::Call(c) => {
                if let Some((key, op)) = lock_call(e) {
                    if matches!(op, LockOp::Acquire(_)) {
                        let last = key.rsplit('.').next().unwrap_or(&key).to_string();
                        self.locks.push(last);
                    }
                }
                match unparen(c.fun) {
                    Expr::Selector(s) => {
                        self.method(c, s);
                        let import = matches!(unparen(s.x), Expr::Ident(id) if self.imports.is_import_name(id.name));
                        if !import {
                            self.callees.insert(s.sel.name);
                        }
                    }
                    Expr::Ident(id) => {
                        self.callees.insert(id.name);
                    }
                    _ => {}
                }
                // A wait group or cond passed on: its callee may signal it or call Done.
                for a in &c.args {
                    if let Some(name) = last_name(a) {
                        if matches!(unparen(a), Expr::Unary(_) | Expr::Selector(_))
                            || self.census.conds.contains(name)
                        {
                            self.census.signalled.insert(name);
                            let escape = Escape {
                                file: self.file,
                                decl: self.decl,
                                expr: a,
                            };
                            self.census.escapes.entry(name).or_default().push(escape);
                            self.census.done.insert(name);
                        }
                        if let Expr::Ident(id) = unparen(a) {
                            if let Some((i, _)) = self.param(id.name) {
                                self.done_params.insert(i);
                            }
                        }
                    }
                }
            }
            Expr::CompositeLit(c) => {
                for elt in &c.elts {
                    match unparen(elt) {
                        Expr::KeyValue(kv) => self.copied(kv.value),
                        other => self.copied(other),
                    }
                }
            }
            // Method values: callbacks (`cb := c.Broadcast`, `f(wg.Done)`); a called selector
            // is seen here too, before its call.
            Expr::Selector(s) => {
                let (method, Some(r)) = (s.sel.name, last_name(s.x)) else {
                    return true;
                };
                if !matches!(method, "Signal" | "Broadcast" | "Done") {
                    return true;
                }
                let called = matches!(parents.last(), Some(VNode::Expr(Expr::Call(c))) if std::ptr::eq(unparen(c.fun), e));
                if !called {
                    let escape = Escape {
                        file: self.file,
                        decl: self.decl,
                        expr: s.x,
                    };
                    self.census.escapes.entry(r).or_default().push(escape);
                }
                if method == "Done" {
                    self.done(s.x, r);
                } else {
                    self.census.signalled.insert(r);
                    self.signals.push(r);
                }
            }
            _ => {}
        }
        true
    }
}

impl<'a> FuncVisitor<'_, '_, '_, 'a> {
    fn new_cond(&mut self, name: &'a str, e: &'a Expr<'a>) {
        if let Expr::Call(c) = unparen(e) {
            if let Some(lock) = c.args.first().and_then(last_name) {
                self.census.cond_locks.insert(name, lock);
            }
        }
    }
}

/// What a `go` statement starts.
pub fn go_started<'a>(g: &'a GoStmt<'a>) -> Option<Started<'a>> {
    let Expr::Call(c) = unparen(&g.call) else {
        return None;
    };
    Some(Started {
        at: g.span,
        func: c.fun,
        args: c.args.as_slice(),
        helper: false,
    })
}

/// `sync.NewCond(l)`.
pub fn is_new_cond(imports: &Imports<'_>, e: &Expr<'_>) -> bool {
    let Expr::Call(c) = unparen(e) else {
        return false;
    };
    match unparen(c.fun) {
        Expr::Selector(s) => {
            s.sel.name == "NewCond"
                && matches!(unparen(s.x), Expr::Ident(p) if imports.path_of(p.name) == Some("sync"))
        }
        Expr::Ident(id) => id.name == "NewCond" && imports.dot_imports("sync"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census_of(src: &str, f: impl FnOnce(&Census<'_>, &Starters<'_>)) {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let imports = Imports::of(&parsed.file);
        let census = Census::new([(&imports, &parsed)]);
        f(&census, &Starters::new([&parsed]));
    }

    #[test]
    fn helpers_conds_and_wait_groups() {
        let src = "package p\nimport \"sync\"\ntype S struct {\n\tc *sync.Cond\n\tq sync.Cond\n\tmu sync.Mutex\n\twg sync.WaitGroup\n}\nfunc start(f func(), n int) {\n\tgo func() { f() }()\n}\nfunc run(g func()) {\n\tgo g()\n}\nfunc (s *S) init() {\n\ts.c = sync.NewCond(&s.mu)\n}\nfunc (s *S) put() {\n\ts.mu.Lock()\n\ts.c.Broadcast()\n\ts.mu.Unlock()\n}\nfunc (s *S) work() {\n\ts.finish()\n}\nfunc (s *S) finish() {\n\tdefer s.wg.Done()\n}\nfunc worker(wg *sync.WaitGroup, n int) {\n\twg.Done()\n}\nfunc (s *S) stop() {\n\ts.wg.Wait()\n}\n";
        census_of(src, |c, starters| {
            assert_eq!(starters.starter("start"), Some(&[0][..]));
            assert_eq!(starters.starter("run"), Some(&[0][..]));
            assert!(starters.starter("worker").is_none());
            assert!(c.is_cond("c") && c.is_cond("q") && !c.is_cond("mu"));
            assert!(c.signalled("c") && !c.signalled("q"));
            assert_eq!(c.cond_lock("c"), Some("mu"));
            assert!(c.signaller_locks("c", "mu") && !c.signaller_locks("c", "other"));
            assert!(c.done("wg"));
            assert_eq!(c.calls_done_on("work", "wg"), Some(true));
            assert_eq!(c.calls_done_on("put", "wg"), Some(false));
            assert_eq!(c.calls_done_on("nowhere", "wg"), None);
            assert_eq!(c.done_through_param("worker", 0), Some(true));
            assert_eq!(c.done_through_param("worker", 1), Some(false));
            assert_eq!(c.waits("wg").len(), 1);
        });
    }
}
