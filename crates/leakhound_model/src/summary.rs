//! Package summaries: what each function and method of one package does with its channel
//! parameters, whether it returns a channel fed by its own goroutine, and which receiver fields
//! it locks or unlocks. Computed once per package from the syntax alone (no types), and used by
//! the rules one call deep, within the package: a channel passed to `drain(ch)` that never
//! sends on it (LH306), a method that locks `s.mu` called while the caller holds it (LH402), a
//! helper that unlocks its caller's lock (LH401 does not report that caller).
//!
//! Also here, because the summaries and the rules both need them: recognising lock and
//! wait-group calls by their receiver expression ([`lock_call`], [`wait_group_call`],
//! [`key_of`]), and the uses of named channels in a function and its literals
//! ([`channel_uses`]).

use std::collections::HashMap;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};
use leakhound_syntax::ParsedFile;

use crate::cfg::{Cfg, Node};
use crate::imports::Imports;

/// The receiver expression of a lock or wait-group call as one key: `s.mu`, `mu`, `c.state.mu`
/// (`(*s).mu` is `s.mu`). Index expressions and calls have no key: which element or result is
/// locked is not known from the text.
pub fn key_of(e: &Expr<'_>) -> Option<String> {
    match e {
        Expr::Ident(id) => Some(id.name.to_string()),
        Expr::Selector(s) => Some(format!("{}.{}", key_of(s.x)?, s.sel.name)),
        Expr::Paren(p) => key_of(p.x),
        Expr::Star(s) => key_of(s.x),
        Expr::Unary(u) if u.op == UnaryOp::And => key_of(u.x),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `Lock`/`Unlock`.
    Write,
    /// `RLock`/`RUnlock`.
    Read,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockOp {
    Acquire(Mode),
    Release(Mode),
}

/// `x.Lock()`, `x.Unlock()`, `x.RLock()`, `x.RUnlock()` with no arguments: the key of `x` and
/// the operation.
pub fn lock_call<'a>(e: &'a Expr<'a>) -> Option<(String, LockOp)> {
    let (recv, name, args) = method_call(e)?;
    if !args.is_empty() {
        return None;
    }
    let op = match name {
        "Lock" => LockOp::Acquire(Mode::Write),
        "RLock" => LockOp::Acquire(Mode::Read),
        "Unlock" => LockOp::Release(Mode::Write),
        "RUnlock" => LockOp::Release(Mode::Read),
        _ => return None,
    };
    Some((key_of(recv)?, op))
}

/// `x.Unlock` or `x.RUnlock` as a method value (not called): the key and the mode it releases.
pub fn unlock_method_value<'a>(e: &'a Expr<'a>) -> Option<(String, Mode)> {
    let Expr::Selector(s) = unparen(e) else {
        return None;
    };
    let mode = match s.sel.name {
        "Unlock" => Mode::Write,
        "RUnlock" => Mode::Read,
        _ => return None,
    };
    Some((key_of(s.x)?, mode))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitGroupOp {
    Add,
    Done,
    Wait,
}

/// `wg.Add(n)`, `wg.Done()`, `wg.Wait()`: the key of `wg` and the operation. Whether `wg` is a
/// `sync.WaitGroup` is the caller's question ([`PackageSummary::is_wait_group_field`]).
pub fn wait_group_call<'a>(e: &'a Expr<'a>) -> Option<(String, WaitGroupOp)> {
    let (recv, name, args) = method_call(e)?;
    let op = match (name, args.len()) {
        ("Add", 1) => WaitGroupOp::Add,
        ("Done", 0) => WaitGroupOp::Done,
        ("Wait", 0) => WaitGroupOp::Wait,
        _ => return None,
    };
    Some((key_of(recv)?, op))
}

fn method_call<'a>(e: &'a Expr<'a>) -> Option<(&'a Expr<'a>, &'a str, &'a [Expr<'a>])> {
    let Expr::Call(call) = unparen(e) else {
        return None;
    };
    let Expr::Selector(s) = unparen(call.fun) else {
        return None;
    };
    Some((s.x, s.sel.name, &call.args))
}

/// The `sync` types the lock and wait-group rules care about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncKind {
    Mutex,
    RWMutex,
    WaitGroup,
}

/// `sync.Mutex`, `*sync.WaitGroup`, ... resolved through the file's imports.
pub fn sync_kind(typ: &Expr<'_>, imports: &Imports<'_>) -> Option<SyncKind> {
    match unparen(typ) {
        Expr::Star(s) => sync_kind(s.x, imports),
        Expr::Selector(s) => {
            let Expr::Ident(pkg) = unparen(s.x) else {
                return None;
            };
            if imports.path_of(pkg.name) != Some("sync") {
                return None;
            }
            match s.sel.name {
                "Mutex" => Some(SyncKind::Mutex),
                "RWMutex" => Some(SyncKind::RWMutex),
                "WaitGroup" => Some(SyncKind::WaitGroup),
                _ => None,
            }
        }
        Expr::Ident(id) if imports.dot_imports("sync") => match id.name {
            "Mutex" => Some(SyncKind::Mutex),
            "RWMutex" => Some(SyncKind::RWMutex),
            "WaitGroup" => Some(SyncKind::WaitGroup),
            _ => None,
        },
        _ => None,
    }
}

/// A receiver field a method locks, relative to the receiver: `mu` for `s.mu`, `""` for the
/// receiver itself (an embedded mutex, `s.Lock()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLock {
    pub field: String,
    pub mode: Mode,
    /// The file (as numbered by [`PackageSummary::add_file`]) and span of the `Lock` call.
    pub file: usize,
    pub span: Span,
}

/// What a function does with one of its channel parameters, its own goroutines included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamUse<'a> {
    pub name: &'a str,
    /// The position among the parameters (the receiver not counted).
    pub index: usize,
    pub sends: bool,
    pub receives: bool,
    pub closes: bool,
    /// Passed on, stored, returned or assigned: what happens to it is not known here.
    pub escapes: bool,
}

impl ParamUse<'_> {
    /// Whether a value or a close can come out of this function on the channel.
    pub fn may_feed(&self) -> bool {
        self.sends || self.closes || self.escapes
    }
}

#[derive(Clone, Debug)]
pub struct FuncSummary<'a> {
    pub name: &'a str,
    /// The receiver's type name without `*` and type parameters (`Server` for
    /// `func (s *Server[T]) ...`); `None` for a function.
    pub recv_type: Option<&'a str>,
    /// The channel-typed parameters (`chan T`, `chan<- T`, `<-chan T`).
    pub chan_params: Vec<ParamUse<'a>>,
    /// Returns a channel it made and that a goroutine it started sends on.
    pub returns_fed_channel: bool,
    /// Receiver fields locked on some path before any unlock of them: calling this method
    /// while holding that field blocks.
    pub locks: Vec<FieldLock>,
    /// Receiver fields unlocked before any lock of them and left unlocked at a return, on
    /// some path: the method releases a lock its caller holds.
    pub releases: Vec<String>,
    /// Those of `releases` that some paths leave alone (`if rs.scanHold { rs.mu.RUnlock() }`):
    /// the type keeps track of whether the lock is held, across its methods.
    pub releases_if_held: Vec<String>,
    /// The body and the receiver's name, for [`FuncSummary::chan_waits`].
    body: &'a Block<'a>,
    recv_name: Option<&'a str>,
    /// Computed on first use: most methods are never asked.
    chan_waits: std::cell::OnceCell<Vec<ChanWait>>,
    /// Locks under its parameters that it releases for its caller, as [`FuncSummary::releases`]
    /// does for the receiver: the parameter's position (the receiver not counted) and the field
    /// (`(0, "mux")` for `func wait(w *waiters) { ...; w.mux.Unlock() }`).
    pub releases_params: Vec<(usize, String)>,
    /// The file the method is in (as numbered by [`PackageSummary::add_file`]).
    pub file: usize,
}

impl<'a> FuncSummary<'a> {
    /// The channel operations of a method on its receiver's fields, with what it did before
    /// each (keys relative to the receiver, as in [`FieldLock::field`]); empty for a function.
    /// `never_returns` as for [`PackageSummary::add_file`].
    pub fn chan_waits(&self, never_returns: &dyn Fn(&'a Expr<'a>) -> bool) -> &[ChanWait] {
        self.chan_waits.get_or_init(|| {
            let Some(recv) = self.recv_name else {
                return Vec::new();
            };
            channel_waits(self.body, never_returns, Some(recv))
                .into_iter()
                .filter_map(|mut w| {
                    w.chan = field_of(recv, &w.chan)?;
                    w.locked_before
                        .retain_mut(|(key, _)| match field_of(recv, key) {
                            Some(f) => {
                                *key = f;
                                true
                            }
                            None => false,
                        });
                    w.held = w.held.iter().filter_map(|k| field_of(recv, k)).collect();
                    w.published_under = w
                        .published_under
                        .iter()
                        .filter_map(|k| field_of(recv, k))
                        .collect();
                    Some(w)
                })
                .collect()
        })
    }
}

/// The summaries of the functions and methods of one package.
#[derive(Default)]
pub struct PackageSummary<'a> {
    pub funcs: Vec<FuncSummary<'a>>,
    /// Indices into `funcs` by function or method name.
    by_name: HashMap<&'a str, Vec<usize>>,
    /// Struct fields and package-level variables declared with a `sync` type, by name.
    sync_names: HashMap<&'a str, SyncKind>,
}

impl<'a> PackageSummary<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Summarises the functions of one file of the package. `file` numbers it for
    /// [`FieldLock::file`]; `never_returns` says which calls end a path (see [`Cfg::build`]).
    pub fn add_file(
        &mut self,
        file: usize,
        parsed: &'a ParsedFile<'a>,
        never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    ) {
        let imports = Imports::of(&parsed.file);
        for decl in &parsed.file.decls {
            match decl {
                Decl::Func(func) => {
                    let Some(body) = &func.body else { continue };
                    let summary =
                        summarise(file, parsed.source, func, body, &imports, never_returns);
                    self.by_name
                        .entry(summary.name)
                        .or_default()
                        .push(self.funcs.len());
                    self.funcs.push(summary);
                }
                Decl::Gen(gen) => self.sync_declarations(gen, &imports),
            }
        }
    }

    fn sync_declarations(&mut self, gen: &'a GenDecl<'a>, imports: &Imports<'a>) {
        for spec in &gen.specs {
            match spec {
                Spec::Type(t) => {
                    if let Expr::StructType(st) = &t.typ {
                        for field in &st.fields.list {
                            let Some(kind) = sync_kind(&field.typ, imports) else {
                                continue;
                            };
                            for name in &field.names {
                                self.sync_names.insert(name.name, kind);
                            }
                        }
                    }
                }
                Spec::Value(v) => {
                    if let Some(kind) = v.typ.as_ref().and_then(|t| sync_kind(t, imports)) {
                        for name in &v.names {
                            self.sync_names.insert(name.name, kind);
                        }
                    }
                }
                Spec::Import(_) => {}
            }
        }
    }

    /// The functions (`recv_type` `None`) or methods of that receiver type with that name;
    /// several when build-constrained files declare it more than once.
    pub fn lookup<'s>(
        &'s self,
        recv_type: Option<&'s str>,
        name: &str,
    ) -> impl Iterator<Item = &'s FuncSummary<'a>> + 's {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.funcs[i])
            .filter(move |f| f.recv_type == recv_type)
    }

    /// Whether some method of `recv_type` releases `field` for its caller only when it is held
    /// (see [`FuncSummary::releases_if_held`]): the lock is held across methods on purpose.
    pub fn holds_across_methods(&self, recv_type: &str, field: &str) -> bool {
        self.funcs.iter().any(|f| {
            f.recv_type == Some(recv_type) && f.releases_if_held.iter().any(|r| r == field)
        })
    }

    /// Whether a function of the package other than `except` releases the receiver field
    /// `field` of `recv_type` without taking it: a method of that type that unlocks `field`
    /// first, or a method of another type that unlocks a field path ending in it
    /// (`tx.db.rwlock.Unlock()` for `DB.rwlock`). The lock is taken in one function and
    /// released in another (`beginTx` and `Tx.Rollback`), on purpose.
    pub fn released_elsewhere(&self, recv_type: &str, field: &str, except: &str) -> bool {
        let suffix = format!(".{field}");
        self.funcs.iter().any(|f| {
            !(f.recv_type == Some(recv_type) && f.name == except)
                && f.releases.iter().any(|r| {
                    if f.recv_type == Some(recv_type) {
                        r == field
                    } else {
                        !field.is_empty() && r.ends_with(&suffix)
                    }
                })
        })
    }

    /// The `sync` type of a struct field or package-level variable of this package with that
    /// name, if one is declared.
    pub fn sync_kind_of(&self, name: &str) -> Option<SyncKind> {
        self.sync_names.get(name).copied()
    }

    /// Whether the last element of `key` (`wg` in `s.wg`) is declared as a `sync.WaitGroup`
    /// field or variable of this package.
    pub fn is_wait_group_field(&self, key: &str) -> bool {
        let last = key.rsplit('.').next().unwrap_or(key);
        self.sync_kind_of(last) == Some(SyncKind::WaitGroup)
    }
}

/// The receiver's name and type name.
pub fn receiver<'a>(func: &'a FuncDecl<'a>) -> Option<(Option<&'a str>, &'a str)> {
    let field = func.recv.as_ref()?.list.first()?;
    let name = field.names.first().map(|n| n.name).filter(|n| *n != "_");
    Some((name, type_name(&field.typ)?))
}

fn type_name<'a>(e: &'a Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Ident(id) => Some(id.name),
        Expr::Star(s) => type_name(s.x),
        Expr::Index(i) => type_name(i.x),
        _ => None,
    }
}

fn summarise<'a>(
    file: usize,
    source: &str,
    func: &'a FuncDecl<'a>,
    body: &'a Block<'a>,
    imports: &Imports<'a>,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
) -> FuncSummary<'a> {
    let recv = receiver(func);
    let mut chan_params = Vec::new();
    let mut index = 0;
    for field in &func.typ.params.list {
        let is_chan = matches!(unparen(&field.typ), Expr::ChanType(_));
        for name in &field.names {
            if is_chan && name.name != "_" {
                chan_params.push(ParamUse {
                    name: name.name,
                    index,
                    ..ParamUse::default()
                });
            }
            index += 1;
        }
        if field.names.is_empty() {
            index += 1;
        }
    }
    let text = source.get(body.span.range()).unwrap_or("");
    let made: Vec<&'a str> = if text.contains("chan") {
        made_channels(body).iter().map(|m| m.name).collect()
    } else {
        Vec::new()
    };
    let mut names: Vec<&'a str> = chan_params.iter().map(|p| p.name).collect();
    names.extend(made.iter().copied());
    let mut returns_fed_channel = false;
    if !names.is_empty() {
        let uses = channel_uses(body, &names, imports);
        for p in &mut chan_params {
            for u in uses.iter().filter(|u| u.name == p.name) {
                match u.kind {
                    UseKind::Send => p.sends = true,
                    UseKind::Recv | UseKind::Range => p.receives = true,
                    UseKind::Close => p.closes = true,
                    UseKind::Passed { .. } | UseKind::Returned | UseKind::Escapes => {
                        p.escapes = true;
                    }
                }
            }
        }
        returns_fed_channel = made.iter().any(|m| {
            let on = || uses.iter().filter(move |u| u.name == *m);
            on().any(|u| u.kind == UseKind::Returned && !u.in_literal)
                && on().any(|u| u.kind == UseKind::Send && u.in_go)
        });
    }
    let mut releases_params = Vec::new();
    if text.contains("nlock()") {
        let mut index = 0;
        for field in &func.typ.params.list {
            for name in &field.names {
                if name.name != "_" && text.contains(name.name) && !assigns(body, name.name) {
                    let released = receiver_locks(file, name.name, body, never_returns).releases;
                    releases_params.extend(released.into_iter().map(|f| (index, f)));
                }
                index += 1;
            }
            if field.names.is_empty() {
                index += 1;
            }
        }
    }
    let mut locks = ReceiverLocks::default();
    if let Some((Some(recv_name), _)) = recv {
        // After `c = c.parent` the receiver's fields are another value's.
        let reassigned = text.contains("ock()") && assigns(body, recv_name);
        if text.contains("ock()") && !reassigned {
            locks = receiver_locks(file, recv_name, body, never_returns);
        }
    }
    FuncSummary {
        name: func.name.name,
        recv_type: recv.map(|(_, t)| t),
        chan_params,
        returns_fed_channel,
        locks: locks.locks,
        releases: locks.releases,
        releases_if_held: locks.releases_if_held,
        body,
        recv_name: recv.and_then(|(n, _)| n),
        chan_waits: std::cell::OnceCell::new(),
        releases_params,
        file,
    }
}

/// A channel made by `name := make(chan T[, n])` or `var name = make(chan T[, n])`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MadeChan<'a> {
    pub name: &'a str,
    /// The literal capacity (0 when unbuffered); `None` when it is not a literal.
    pub cap: Option<u64>,
    /// The `make` call.
    pub span: Span,
}

/// The channels made in the statements and their function literals.
pub fn made_channels<'a>(body: &'a Block<'a>) -> Vec<MadeChan<'a>> {
    let mut out = Vec::new();
    collect_makes(&body.stmts, &mut out);
    out
}

fn collect_makes<'a>(stmts: &'a [Stmt<'a>], out: &mut Vec<MadeChan<'a>>) {
    let mut one = |name: &'a str, value: &'a Expr<'a>| {
        if let Some(cap) = make_chan_cap(value) {
            out.push(MadeChan {
                name,
                cap,
                span: value.span(),
            });
        }
    };
    let mut nested: Vec<&'a Block<'a>> = Vec::new();
    for s in stmts {
        match s {
            Stmt::Assign(a) if a.lhs.len() == a.rhs.len() => {
                for (l, r) in a.lhs.iter().zip(&a.rhs) {
                    if let Expr::Ident(id) = unparen(l) {
                        one(id.name, r);
                    }
                }
            }
            Stmt::Decl(g) => {
                for spec in &g.specs {
                    if let Spec::Value(v) = spec {
                        for (n, value) in v.names.iter().zip(&v.values) {
                            one(n.name, value);
                        }
                    }
                }
            }
            _ => {}
        }
        literal_bodies(s, &mut nested);
    }
    for s in stmts {
        for_each_child_block(s, &mut |b| collect_makes(b, out));
    }
    for b in nested {
        collect_makes(&b.stmts, out);
    }
}

/// The bodies of `go func() {...}()` and `defer func() {...}()` directly in `s`, and of
/// function literals assigned by it: where channels made for the caller usually live.
fn literal_bodies<'a>(s: &'a Stmt<'a>, out: &mut Vec<&'a Block<'a>>) {
    let call = match s {
        Stmt::Go(g) => &g.call,
        Stmt::Defer(d) => &d.call,
        Stmt::Expr(e) => &e.x,
        Stmt::Assign(a) => {
            for r in &a.rhs {
                if let Expr::FuncLit(f) = unparen(r) {
                    out.push(&f.body);
                }
            }
            return;
        }
        _ => return,
    };
    if let Expr::Call(c) = unparen(call) {
        if let Expr::FuncLit(f) = unparen(c.fun) {
            out.push(&f.body);
        }
    }
}

/// The buffer of `make(chan T, n)`: `Some(Some(n))` for a literal capacity (0 when
/// unbuffered), `Some(None)` when it is not a literal, `None` when `e` is not a `make(chan ..)`.
pub fn make_chan_cap(e: &Expr<'_>) -> Option<Option<u64>> {
    let Expr::Call(call) = unparen(e) else {
        return None;
    };
    let is_make = matches!(call.fun, Expr::Ident(id) if id.name == "make");
    if !is_make || !matches!(call.args.first(), Some(Expr::ChanType(_))) {
        return None;
    }
    Some(match call.args.get(1).map(unparen) {
        None => Some(0),
        Some(Expr::BasicLit(lit)) if lit.kind == LitKind::Int => {
            lit.value.replace('_', "").parse().ok()
        }
        Some(_) => None,
    })
}

/// Calls `f` with the statement lists nested directly in `s` (not inside function literals).
pub fn for_each_child_block<'a>(s: &'a Stmt<'a>, f: &mut dyn FnMut(&'a [Stmt<'a>])) {
    match s {
        Stmt::Labeled(l) => f(std::slice::from_ref(l.stmt)),
        Stmt::Block(b) => f(&b.stmts),
        Stmt::If(i) => {
            if let Some(init) = &i.init {
                f(std::slice::from_ref(&**init));
            }
            f(&i.body.stmts);
            if let Some(e) = &i.els {
                f(std::slice::from_ref(&**e));
            }
        }
        Stmt::Switch(sw) => {
            if let Some(init) = &sw.init {
                f(std::slice::from_ref(&**init));
            }
            sw.body.iter().for_each(|c| f(&c.body));
        }
        Stmt::TypeSwitch(ts) => ts.body.iter().for_each(|c| f(&c.body)),
        Stmt::Select(sel) => sel.body.iter().for_each(|c| f(&c.body)),
        Stmt::For(fs) => {
            if let Some(init) = &fs.init {
                f(std::slice::from_ref(&**init));
            }
            f(&fs.body.stmts);
        }
        Stmt::Range(r) => f(&r.body.stmts),
        _ => {}
    }
}

/// Where a method stands with one receiver field on one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Touch {
    Untouched,
    Locked,
    Unlocked,
}

/// What a method does to its receiver's locks (a forward pass over its control-flow view).
#[derive(Default)]
struct ReceiverLocks {
    locks: Vec<FieldLock>,
    releases: Vec<String>,
    releases_if_held: Vec<String>,
}

/// The receiver fields a method locks before unlocking them (on some path), those it releases
/// for its caller (unlocked before any lock of them and left unlocked at a return), and among
/// those the ones it releases on some paths only. A method that unlocks and locks again
/// (`s.mu.Unlock(); slow(); s.mu.Lock()`) releases nothing.
fn receiver_locks<'a>(
    file: usize,
    recv: &str,
    body: &'a Block<'a>,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
) -> ReceiverLocks {
    let field = |key: &str| field_of(recv, key);
    let cfg = Cfg::build(body, never_returns);
    let mut out = ReceiverLocks::default();
    let mut unlocked_first: Vec<String> = Vec::new();
    let op_of = |node: &Node<'a>| -> Option<(String, LockOp, Span)> {
        let Node::Stmt(Stmt::Expr(e)) = node else {
            return None;
        };
        let (key, op) = lock_call(&e.x)?;
        Some((field(&key)?, op, e.x.span()))
    };
    // Every field starts untouched; the state is the set of (field, touch) some path has.
    let mut entry: Vec<(String, Touch)> = Vec::new();
    for b in &cfg.blocks {
        for (f, _, _) in b.nodes.iter().filter_map(op_of) {
            if !entry.iter().any(|(e, _)| *e == f) {
                entry.push((f, Touch::Untouched));
            }
        }
    }
    if entry.is_empty() {
        return out;
    }
    let mut transfer = |node: &Node<'a>, state: &mut Vec<(String, Touch)>| {
        let Some((f, op, span)) = op_of(node) else {
            return;
        };
        let first = state.contains(&(f.clone(), Touch::Untouched));
        let now = match op {
            LockOp::Acquire(mode) => {
                if first && !out.locks.iter().any(|l| l.field == f && l.mode == mode) {
                    out.locks.push(FieldLock {
                        field: f.clone(),
                        mode,
                        file,
                        span,
                    });
                }
                Touch::Locked
            }
            LockOp::Release(_) => {
                if first && !unlocked_first.contains(&f) {
                    unlocked_first.push(f.clone());
                }
                Touch::Unlocked
            }
        };
        state.retain(|(t, _)| *t != f);
        state.push((f, now));
    };
    let states = cfg.forward(
        entry,
        &mut transfer,
        |into: &mut Vec<(String, Touch)>, from: &Vec<(String, Touch)>| {
            let before = into.len();
            for f in from {
                if !into.contains(f) {
                    into.push(f.clone());
                }
            }
            into.len() != before
        },
    );
    let at_exit = states[crate::cfg::EXIT].clone().unwrap_or_default();
    for f in unlocked_first {
        if at_exit.contains(&(f.clone(), Touch::Unlocked)) {
            if at_exit.contains(&(f.clone(), Touch::Untouched)) {
                out.releases_if_held.push(f.clone());
            }
            out.releases.push(f);
        }
    }
    out
}

/// `recv.f.g` relative to the receiver `recv`: `f.g`; `""` for `recv` itself.
pub fn field_of(recv: &str, key: &str) -> Option<String> {
    if key == recv {
        Some(String::new())
    } else {
        key.strip_prefix(recv)?
            .strip_prefix('.')
            .map(str::to_string)
    }
}

/// A channel operation of a function body, with what the body may have done on the way there:
/// the locks it took (released since or not) and the methods of its receiver it called. If
/// another goroutine holds one of those locks while it waits for this operation, this body
/// waits at the `Lock` and never gets to the operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChanWait {
    /// The channel as a key ([`key_of`]).
    pub chan: String,
    /// A send or a `close` (it lets a receiver go on); otherwise a receive (a `range` or a
    /// `select` case included).
    pub feeds: bool,
    pub span: Span,
    /// The keys locked on some path before it, each with its (first) `Lock` call.
    pub locked_before: Vec<(String, Span)>,
    /// The receiver's methods called on some path before it (`s.flush()`), with the call: their
    /// locks are in their summaries.
    pub called_before: Vec<(String, Span)>,
    /// The keys that may still be held at the operation (a deferred unlock has not run yet).
    pub held: Vec<String>,
    /// Where it happens in the body's text: the operation's start, or the body's end for a
    /// deferred one. Rules compare it with `Lock` calls in source order.
    pub at: u32,
    /// The locks held (on some path) where this body assigns the channel (`s.done = make(...)`
    /// under `s.mu`): anyone who finds the channel under that lock comes after that critical
    /// section, and the body's own taking of the lock before it does not make it wait.
    pub published_under: Vec<String>,
}

#[derive(Clone, Default)]
struct WaitState {
    taken: Vec<(String, Span)>,
    called: Vec<(String, Span)>,
    held: Vec<String>,
    deferred: Vec<String>,
    /// Keys assigned, with the locks held there.
    assigned: Vec<(String, Vec<String>)>,
}

fn add<T: PartialEq + Clone>(into: &mut Vec<T>, item: T) -> bool {
    if into.contains(&item) {
        false
    } else {
        into.push(item);
        true
    }
}

fn add_keyed(into: &mut Vec<(String, Span)>, key: &str, span: Span) -> bool {
    if into.iter().any(|(k, _)| k == key) {
        false
    } else {
        into.push((key.to_string(), span));
        true
    }
}

/// The channel operations of `body` (its function literals excluded, the bodies of deferred
/// literals included, at the exit) with what the body did before each: a forward pass over the
/// body's control-flow view. `recv` is the receiver's name, for [`ChanWait::called_before`].
pub fn channel_waits<'a>(
    body: &'a Block<'a>,
    never_returns: &dyn Fn(&'a Expr<'a>) -> bool,
    recv: Option<&str>,
) -> Vec<ChanWait> {
    let cfg = Cfg::build(body, never_returns);
    let transfer = |node: &Node<'a>, state: &mut WaitState| {
        let s = match node {
            Node::Stmt(s) | Node::Comm(s) => *s,
            Node::Cond(e) => {
                receiver_calls(e, recv, &mut state.called);
                return;
            }
            Node::Range(r) => {
                receiver_calls(&r.x, recv, &mut state.called);
                return;
            }
            Node::Select(_) => return,
        };
        if let Stmt::Defer(d) = s {
            let mut released = Vec::new();
            deferred_unlocks(&d.call, &mut released);
            for key in released {
                add(&mut state.deferred, key);
            }
            return;
        }
        each_expr(s, &mut |e| receiver_calls(e, recv, &mut state.called));
        if let Stmt::Assign(a) = s {
            if !state.held.is_empty() {
                for l in &a.lhs {
                    if let Some(k) = key_of(l) {
                        let held = state.held.clone();
                        add(&mut state.assigned, (k, held));
                    }
                }
            }
        }
        if let Stmt::Expr(e) = s {
            match lock_call(&e.x) {
                Some((key, LockOp::Acquire(_))) => {
                    add_keyed(&mut state.taken, &key, e.x.span());
                    add(&mut state.held, key);
                }
                Some((key, LockOp::Release(_))) => state.held.retain(|k| *k != key),
                None => {}
            }
        }
    };
    let join = |into: &mut WaitState, from: &WaitState| {
        let mut changed = false;
        for (k, span) in &from.taken {
            changed |= add_keyed(&mut into.taken, k, *span);
        }
        for (k, span) in &from.called {
            changed |= add_keyed(&mut into.called, k, *span);
        }
        for k in &from.held {
            changed |= add(&mut into.held, k.clone());
        }
        for k in &from.deferred {
            changed |= add(&mut into.deferred, k.clone());
        }
        for a in &from.assigned {
            changed |= add(&mut into.assigned, a.clone());
        }
        changed
    };
    let states = cfg.forward(WaitState::default(), transfer, join);
    let wait = |chan: &'a Expr<'a>, feeds: bool, span: Span, at: u32, state: &WaitState| {
        let mut held = state.held.clone();
        for k in &state.deferred {
            add(&mut held, k.clone());
        }
        let chan = key_of(chan)?;
        let mut published_under = Vec::new();
        for (k, locks) in &state.assigned {
            if *k == chan {
                for l in locks {
                    add(&mut published_under, l.clone());
                }
            }
        }
        Some(ChanWait {
            chan,
            feeds,
            span,
            locked_before: state.taken.clone(),
            called_before: state.called.clone(),
            held,
            at,
            published_under,
        })
    };
    let mut out = Vec::new();
    let mut deferred: Vec<(&'a Expr<'a>, bool, Span)> = Vec::new();
    for (b, block) in cfg.blocks.iter().enumerate() {
        let Some(mut state) = states[b].clone() else {
            continue;
        };
        for node in &block.nodes {
            let mut ops: Vec<(&'a Expr<'a>, bool, Span)> = Vec::new();
            match node {
                Node::Stmt(Stmt::Defer(d)) => chan_ops_in_defer(&d.call, &mut deferred),
                Node::Stmt(Stmt::Send(send)) | Node::Comm(Stmt::Send(send)) => {
                    ops.push((&send.chan, true, send.span));
                    receives(&send.value, &mut ops);
                }
                Node::Stmt(s) | Node::Comm(s) => {
                    each_expr(s, &mut |e| receives(e, &mut ops));
                    if let Stmt::Expr(e) = s {
                        if let Some(ch) = closed_chan(&e.x) {
                            ops.push((ch, true, e.x.span()));
                        }
                    }
                }
                Node::Cond(e) => receives(e, &mut ops),
                Node::Range(r) => {
                    receives(&r.x, &mut ops);
                    ops.push((&r.x, false, r.span));
                }
                Node::Select(_) => {}
            }
            out.extend(
                ops.into_iter()
                    .filter_map(|(c, f, span)| wait(c, f, span, span.start, &state)),
            );
            transfer(node, &mut state);
        }
    }
    // Deferred operations run at the exit, after whatever any path did.
    if let Some(exit) = &states[crate::cfg::EXIT] {
        let end = body.span.end;
        out.extend(
            deferred
                .into_iter()
                .filter_map(|(c, f, span)| wait(c, f, span, end, exit)),
        );
    }
    out
}

/// `recv.m(...)` calls in an expression (function literals excluded): the method names.
fn receiver_calls<'a>(e: &'a Expr<'a>, recv: Option<&str>, out: &mut Vec<(String, Span)>) {
    let Some(recv) = recv else { return };
    struct V<'r, 'o> {
        recv: &'r str,
        out: &'o mut Vec<(String, Span)>,
    }
    impl<'a> Visitor<'a> for V<'_, '_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::FuncLit(_) => false,
                Expr::Call(c) => {
                    if let Expr::Selector(s) = unparen(c.fun) {
                        if matches!(unparen(s.x), Expr::Ident(id) if id.name == self.recv) {
                            add_keyed(self.out, s.sel.name, c.span);
                        }
                    }
                    true
                }
                _ => true,
            }
        }
    }
    walk_node(VNode::Expr(e), &[], &mut V { recv, out });
}

/// The keys a deferred call unlocks: `defer mu.Unlock()`, `defer func() { mu.Unlock() }()`.
fn deferred_unlocks<'a>(call: &'a Expr<'a>, out: &mut Vec<String>) {
    if let Some((key, LockOp::Release(_))) = lock_call(call) {
        out.push(key);
        return;
    }
    let Expr::Call(c) = unparen(call) else { return };
    let Expr::FuncLit(f) = unparen(c.fun) else {
        return;
    };
    struct V<'o> {
        out: &'o mut Vec<String>,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Some((key, LockOp::Release(_))) = lock_call(e) {
                self.out.push(key);
            }
            !matches!(e, Expr::FuncLit(_))
        }
    }
    walk_node(VNode::Block(&f.body), &[], &mut V { out });
}

/// The channel operations a deferred call makes: `defer close(ch)`, and the sends, receives
/// and closes of `defer func() { ... }()`.
fn chan_ops_in_defer<'a>(call: &'a Expr<'a>, out: &mut Vec<(&'a Expr<'a>, bool, Span)>) {
    let Expr::Call(c) = unparen(call) else { return };
    if let Some(ch) = closed_chan(call) {
        out.push((ch, true, c.span));
        return;
    }
    let Expr::FuncLit(f) = unparen(c.fun) else {
        return;
    };
    struct V<'a, 'o> {
        out: &'o mut Vec<(&'a Expr<'a>, bool, Span)>,
    }
    impl<'a> Visitor<'a> for V<'a, '_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Send(send) = s {
                self.out.push((&send.chan, true, send.span));
            }
            true
        }
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::FuncLit(_) => return false,
                Expr::Unary(u) if u.op == UnaryOp::Recv => self.out.push((u.x, false, u.span)),
                _ => {
                    if let Some(ch) = closed_chan(e) {
                        self.out.push((ch, true, e.span()));
                    }
                }
            }
            true
        }
    }
    walk_node(VNode::Block(&f.body), &[], &mut V { out });
}

/// `close(ch)`: the channel.
fn closed_chan<'a>(e: &'a Expr<'a>) -> Option<&'a Expr<'a>> {
    let Expr::Call(c) = unparen(e) else {
        return None;
    };
    match (unparen(c.fun), c.args.as_slice()) {
        (Expr::Ident(id), [ch]) if id.name == "close" => Some(ch),
        _ => None,
    }
}

/// The receives `<-x` in an expression (function literals excluded).
fn receives<'a>(e: &'a Expr<'a>, out: &mut Vec<(&'a Expr<'a>, bool, Span)>) {
    struct V<'a, 'o> {
        out: &'o mut Vec<(&'a Expr<'a>, bool, Span)>,
    }
    impl<'a> Visitor<'a> for V<'a, '_> {
        fn visit_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) -> bool {
            match e {
                Expr::FuncLit(_) => false,
                Expr::Unary(u) if u.op == UnaryOp::Recv => {
                    self.out.push((u.x, false, u.span));
                    true
                }
                _ => true,
            }
        }
    }
    walk_node(VNode::Expr(e), &[], &mut V { out });
}

/// The expressions a simple statement evaluates.
fn each_expr<'a>(s: &'a Stmt<'a>, f: &mut dyn FnMut(&'a Expr<'a>)) {
    match s {
        Stmt::Expr(e) => f(&e.x),
        Stmt::Assign(a) => a.rhs.iter().for_each(f),
        Stmt::Return(r) => r.results.iter().for_each(f),
        Stmt::Decl(g) => {
            for spec in &g.specs {
                if let Spec::Value(v) = spec {
                    v.values.iter().for_each(&mut *f);
                }
            }
        }
        Stmt::IncDec(i) => f(&i.x),
        _ => {}
    }
}

/// Whether `name` is assigned anywhere in the block (function literals included).
fn assigns<'a>(body: &'a Block<'a>, name: &str) -> bool {
    struct V<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt<'a>, _parents: &[VNode<'a>]) -> bool {
            if let Stmt::Assign(a) = s {
                self.found |= a
                    .lhs
                    .iter()
                    .any(|l| matches!(unparen(l), Expr::Ident(id) if id.name == self.name));
            }
            !self.found
        }
    }
    let mut v = V { name, found: false };
    walk_node(VNode::Block(body), &[], &mut v);
    v.found
}

/// A function called with a channel argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee<'a> {
    /// `f(ch)`: a function of this package (not an import).
    Func(&'a str),
    /// `x.m(ch)` where `x` is not an import: the receiver expression's root name and the method.
    Method { recv: &'a str, name: &'a str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseKind<'a> {
    Send,
    Recv,
    Close,
    Range,
    /// An argument of a call to a function or method of this package.
    Passed {
        callee: Callee<'a>,
        index: usize,
    },
    /// Returned by the function itself (not by a literal).
    Returned,
    /// Any other use: assigned, stored, sent, passed to another package, returned by a literal.
    Escapes,
}

#[derive(Clone, Copy, Debug)]
pub struct ChanUse<'a> {
    pub name: &'a str,
    pub kind: UseKind<'a>,
    pub span: Span,
    /// Inside a function literal.
    pub in_literal: bool,
    /// Inside a function literal started with `go` (or nested in one).
    pub in_go: bool,
    /// A send or receive that is a case of a `select` with another case or a `default`.
    pub select_with_others: bool,
}

/// Every use of the channels named `names` in `body` and its function literals. Names are
/// matched as written (no scopes): a literal's parameter with the same name is taken for the
/// same channel, which only makes more uses, never fewer.
pub fn channel_uses<'a>(
    body: &'a Block<'a>,
    names: &[&'a str],
    imports: &Imports<'a>,
) -> Vec<ChanUse<'a>> {
    let mut w = UseWalker {
        names,
        imports,
        out: Vec::new(),
        in_literal: false,
        in_go: false,
        depth: 0,
    };
    w.stmts(&body.stmts);
    w.out
}

struct UseWalker<'a, 'n> {
    names: &'n [&'a str],
    imports: &'n Imports<'a>,
    out: Vec<ChanUse<'a>>,
    in_literal: bool,
    in_go: bool,
    /// Nesting of the walk, bounded like the parser's tree depth.
    depth: usize,
}

impl<'a> UseWalker<'a, '_> {
    fn tracked(&self, e: &'a Expr<'a>) -> Option<&'a str> {
        match unparen(e) {
            Expr::Ident(id) if self.names.contains(&id.name) => Some(id.name),
            _ => None,
        }
    }

    fn record(&mut self, name: &'a str, kind: UseKind<'a>, span: Span, select_with_others: bool) {
        self.out.push(ChanUse {
            name,
            kind,
            span,
            in_literal: self.in_literal,
            in_go: self.in_go,
            select_with_others,
        });
    }

    fn stmts(&mut self, stmts: &'a [Stmt<'a>]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a Stmt<'a>) {
        match s {
            Stmt::Send(send) => self.send(send, false),
            Stmt::Expr(e) => self.expr(&e.x),
            Stmt::Go(g) => self.call_stmt(&g.call, true),
            Stmt::Defer(d) => self.call_stmt(&d.call, false),
            Stmt::Return(r) => {
                for e in &r.results {
                    match self.tracked(e) {
                        Some(name) if !self.in_literal => {
                            self.record(name, UseKind::Returned, e.span(), false);
                        }
                        _ => self.expr(e),
                    }
                }
            }
            Stmt::Assign(a) => {
                for e in a.lhs {
                    // Assigning *to* a channel variable is not a use of the channel it held.
                    if self.tracked(e).is_none() {
                        self.expr(e);
                    }
                }
                for e in &a.rhs {
                    self.expr(e);
                }
            }
            Stmt::Decl(g) => {
                for spec in &g.specs {
                    if let Spec::Value(v) = spec {
                        for e in &v.values {
                            self.expr(e);
                        }
                    }
                }
            }
            Stmt::IncDec(i) => self.expr(&i.x),
            Stmt::Range(r) => {
                match self.tracked(&r.x) {
                    Some(name) => self.record(name, UseKind::Range, r.span, false),
                    None => self.expr(&r.x),
                }
                self.stmts(&r.body.stmts);
            }
            Stmt::If(i) => {
                if let Some(init) = &i.init {
                    self.stmt(init);
                }
                self.expr(&i.cond);
                self.stmts(&i.body.stmts);
                if let Some(e) = &i.els {
                    self.stmt(e);
                }
            }
            Stmt::Switch(sw) => {
                if let Some(init) = &sw.init {
                    self.stmt(init);
                }
                if let Some(tag) = &sw.tag {
                    self.expr(tag);
                }
                for c in &sw.body {
                    for e in &c.list {
                        self.expr(e);
                    }
                    self.stmts(&c.body);
                }
            }
            Stmt::TypeSwitch(ts) => {
                if let Some(init) = &ts.init {
                    self.stmt(init);
                }
                self.stmt(ts.assign);
                for c in &ts.body {
                    self.stmts(&c.body);
                }
            }
            Stmt::Select(sel) => {
                let others = sel.body.len() > 1;
                for c in &sel.body {
                    match c.comm {
                        Some(Stmt::Send(send)) => self.send(send, others),
                        Some(Stmt::Expr(e)) => self.recv_case(&e.x, others),
                        Some(Stmt::Assign(a)) => {
                            for r in &a.rhs {
                                self.recv_case(r, others);
                            }
                        }
                        _ => {}
                    }
                    self.stmts(&c.body);
                }
            }
            Stmt::For(f) => {
                if let Some(init) = &f.init {
                    self.stmt(init);
                }
                if let Some(c) = &f.cond {
                    self.expr(c);
                }
                if let Some(p) = &f.post {
                    self.stmt(p);
                }
                self.stmts(&f.body.stmts);
            }
            Stmt::Labeled(l) => self.stmt(l.stmt),
            Stmt::Block(b) => self.stmts(&b.stmts),
            Stmt::Branch(_) | Stmt::Empty(_) | Stmt::Bad(_) => {}
        }
    }

    fn send(&mut self, send: &'a SendStmt<'a>, select_with_others: bool) {
        match self.tracked(&send.chan) {
            Some(name) => self.record(name, UseKind::Send, send.span, select_with_others),
            None => self.expr(&send.chan),
        }
        self.expr(&send.value);
    }

    fn recv_case(&mut self, e: &'a Expr<'a>, others: bool) {
        if let Expr::Unary(u) = unparen(e) {
            if u.op == UnaryOp::Recv {
                if let Some(name) = self.tracked(u.x) {
                    self.record(name, UseKind::Recv, u.span, others);
                    return;
                }
            }
        }
        self.expr(e);
    }

    /// `go f(...)` and `defer f(...)`: a literal's body is walked (in a goroutine for `go`).
    fn call_stmt(&mut self, call: &'a Expr<'a>, is_go: bool) {
        if let Expr::Call(c) = unparen(call) {
            if let Expr::FuncLit(f) = unparen(c.fun) {
                let saved = (self.in_literal, self.in_go);
                self.in_literal = true;
                self.in_go |= is_go;
                self.stmts(&f.body.stmts);
                (self.in_literal, self.in_go) = saved;
                for a in &c.args {
                    self.expr(a);
                }
                return;
            }
        }
        self.expr(call);
    }

    fn expr(&mut self, e: &'a Expr<'a>) {
        if self.depth > 200 {
            return;
        }
        self.depth += 1;
        self.expr_inner(e);
        self.depth -= 1;
    }

    fn expr_inner(&mut self, e: &'a Expr<'a>) {
        match e {
            Expr::Ident(id) if self.names.contains(&id.name) => {
                self.record(id.name, UseKind::Escapes, id.span, false);
            }
            Expr::Unary(u) if u.op == UnaryOp::Recv => match self.tracked(u.x) {
                Some(name) => self.record(name, UseKind::Recv, u.span, false),
                None => self.expr(u.x),
            },
            Expr::Call(c) => self.call(c),
            Expr::FuncLit(f) => {
                let saved = self.in_literal;
                self.in_literal = true;
                self.stmts(&f.body.stmts);
                self.in_literal = saved;
            }
            // Comparing a channel (`ch == nil`) does not let it go anywhere.
            Expr::Binary(b) if matches!(b.op, BinaryOp::Eq | BinaryOp::Ne) => {
                if self.tracked(b.x).is_none() {
                    self.expr(b.x);
                }
                if self.tracked(b.y).is_none() {
                    self.expr(b.y);
                }
            }
            Expr::Binary(b) => {
                self.expr(b.x);
                self.expr(b.y);
            }
            Expr::CompositeLit(c) => c.elts.iter().for_each(|x| self.expr(x)),
            Expr::Paren(p) => self.expr(p.x),
            Expr::Selector(s) => self.expr(s.x),
            Expr::Index(i) => {
                self.expr(i.x);
                i.indices.iter().for_each(|x| self.expr(x));
            }
            Expr::Slice(s) => self.expr(&s.x),
            Expr::TypeAssert(t) => self.expr(t.x),
            Expr::Star(s) => self.expr(s.x),
            Expr::Unary(u) => self.expr(u.x),
            Expr::KeyValue(kv) => self.expr(kv.value),
            _ => {}
        }
    }

    fn call(&mut self, c: &'a CallExpr<'a>) {
        match unparen(c.fun) {
            Expr::Ident(id) if id.name == "close" && c.args.len() == 1 => {
                if let Some(name) = self.tracked(&c.args[0]) {
                    self.record(name, UseKind::Close, c.span, false);
                    return;
                }
            }
            // len(ch) and cap(ch) only look at the channel.
            Expr::Ident(id) if matches!(id.name, "len" | "cap") => return,
            _ => {}
        }
        let callee = match unparen(c.fun) {
            Expr::Ident(id) if !self.names.contains(&id.name) => Some(Callee::Func(id.name)),
            Expr::Selector(s) => match root_ident(s.x) {
                Some(root)
                    if matches!(unparen(s.x), Expr::Ident(_))
                        && self.imports.is_import_name(root) =>
                {
                    None
                }
                Some(root) => Some(Callee::Method {
                    recv: root,
                    name: s.sel.name,
                }),
                None => None,
            },
            _ => None,
        };
        self.expr(c.fun);
        for (index, a) in c.args.iter().enumerate() {
            match (self.tracked(a), callee) {
                (Some(name), Some(callee)) => {
                    self.record(name, UseKind::Passed { callee, index }, a.span(), false);
                }
                _ => self.expr(a),
            }
        }
    }
}

fn root_ident<'a>(e: &'a Expr<'a>) -> Option<&'a str> {
    match unparen(e) {
        Expr::Ident(id) => Some(id.name),
        Expr::Selector(s) => root_ident(s.x),
        Expr::Star(s) => root_ident(s.x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(src: &str, f: impl FnOnce(&PackageSummary<'_>)) {
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let mut s = PackageSummary::new();
        s.add_file(0, &parsed, &|_| false);
        f(&s);
    }

    #[test]
    fn channel_parameters() {
        let src = "package p\nfunc drain(in <-chan int, out chan<- int, done chan struct{}, other chan int, _ int) {\n\tfor v := range in {\n\t\tgo func() { out <- v }()\n\t}\n\tclose(done)\n\tkeep(other)\n}\n";
        summary_of(src, |s| {
            let f = s.lookup(None, "drain").next().unwrap();
            let by = |n: &str| f.chan_params.iter().find(|p| p.name == n).unwrap().clone();
            assert!(by("in").receives && !by("in").may_feed());
            assert!(by("out").sends && by("out").index == 1);
            assert!(by("done").closes);
            assert!(by("other").escapes);
            assert_eq!(f.chan_params.len(), 4);
        });
    }

    #[test]
    fn returns_a_channel_fed_by_its_goroutine() {
        let src = "package p\ntype S struct{}\nfunc (s *S) Process() <-chan int {\n\tdone := make(chan int)\n\tgo func() { done <- 1 }()\n\treturn done\n}\nfunc plain() chan int {\n\tc := make(chan int, 1)\n\tc <- 1\n\treturn c\n}\n";
        summary_of(src, |s| {
            assert!(
                s.lookup(Some("S"), "Process")
                    .next()
                    .unwrap()
                    .returns_fed_channel
            );
            assert!(s.lookup(None, "Process").next().is_none());
            assert!(!s.lookup(None, "plain").next().unwrap().returns_fed_channel);
        });
    }

    #[test]
    fn receiver_locks_and_unlocks() {
        let src = "package p\nimport \"sync\"\ntype S struct {\n\tmu sync.RWMutex\n\twg sync.WaitGroup\n}\nfunc (s *S) get() int {\n\ts.mu.RLock()\n\tdefer s.mu.RUnlock()\n\treturn 1\n}\nfunc (s *S) slow() {\n\ts.mu.Unlock()\n\twork()\n\ts.mu.Lock()\n}\nfunc (s *S) done() {\n\tif s.held {\n\t\ts.mu.Unlock()\n\t}\n}\nfunc (s *S) release() {\n\ts.n++\n\ts.mu.Unlock()\n}\nfunc (s S) other(t *S) {\n\tt.mu.Lock()\n\tt.mu.Unlock()\n}\n";
        summary_of(src, |s| {
            let get = s.lookup(Some("S"), "get").next().unwrap();
            assert_eq!(
                get.locks
                    .iter()
                    .map(|l| (l.field.as_str(), l.mode))
                    .collect::<Vec<_>>(),
                vec![("mu", Mode::Read)]
            );
            let slow = s.lookup(Some("S"), "slow").next().unwrap();
            assert!(slow.locks.is_empty() && slow.releases.is_empty());
            let done = s.lookup(Some("S"), "done").next().unwrap();
            assert_eq!(done.releases, vec!["mu".to_string()]);
            assert_eq!(done.releases_if_held, vec!["mu".to_string()]);
            let release = s.lookup(Some("S"), "release").next().unwrap();
            assert!(release.releases == ["mu"] && release.releases_if_held.is_empty());
            assert!(s.holds_across_methods("S", "mu") && !s.holds_across_methods("S", "wg"));
            assert!(s
                .lookup(Some("S"), "other")
                .next()
                .unwrap()
                .locks
                .is_empty());
            assert!(s.is_wait_group_field("s.wg") && !s.is_wait_group_field("s.mu"));
            assert_eq!(s.sync_kind_of("mu"), Some(SyncKind::RWMutex));
        });
    }

    #[test]
    fn keys_and_calls() {
        let src = "package p\nfunc f() {\n\t(*s).mu.Lock()\n\tc.locks[i].Lock()\n\twg.Add(1)\n\tx.Lock(1)\n}\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let Decl::Func(f) = &parsed.file.decls[0] else {
            panic!()
        };
        let exprs: Vec<&Expr<'_>> = f
            .body
            .as_ref()
            .unwrap()
            .stmts
            .iter()
            .map(|s| match s {
                Stmt::Expr(e) => &e.x,
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            lock_call(exprs[0]),
            Some(("s.mu".to_string(), LockOp::Acquire(Mode::Write)))
        );
        assert_eq!(lock_call(exprs[1]), None);
        assert_eq!(
            wait_group_call(exprs[2]),
            Some(("wg".to_string(), WaitGroupOp::Add))
        );
        assert_eq!(lock_call(exprs[3]), None);
    }

    #[test]
    fn passed_to_a_package_function_but_not_to_an_import() {
        let src = "package p\nimport \"fmt\"\nfunc f() {\n\tch := make(chan int)\n\tfeed(ch)\n\tfmt.Println(ch)\n\ts.run(1, ch)\n\tselect {\n\tcase <-ch:\n\tdefault:\n\t}\n}\n";
        let arena = leakhound_syntax::Arena::new();
        let parsed = leakhound_syntax::parse_file(src, &arena);
        let imports = Imports::of(&parsed.file);
        let Decl::Func(f) = &parsed.file.decls[1] else {
            panic!()
        };
        let uses = channel_uses(f.body.as_ref().unwrap(), &["ch"], &imports);
        let kinds: Vec<_> = uses.iter().map(|u| u.kind).collect();
        assert_eq!(
            kinds,
            vec![
                UseKind::Passed {
                    callee: Callee::Func("feed"),
                    index: 0
                },
                UseKind::Escapes,
                UseKind::Passed {
                    callee: Callee::Method {
                        recv: "s",
                        name: "run"
                    },
                    index: 1
                },
                UseKind::Recv,
            ]
        );
        assert!(uses[3].select_with_others);
        assert_eq!(
            make_chan_cap(&parsed_make("make(chan int, 4)")),
            Some(Some(4))
        );
    }

    fn parsed_make(src: &str) -> Expr<'static> {
        let text: &'static str = Box::leak(format!("package p\nvar x = {src}\n").into_boxed_str());
        let arena: &'static _ = Box::leak(Box::new(leakhound_syntax::Arena::new()));
        let parsed: &'static _ = Box::leak(Box::new(leakhound_syntax::parse_file(text, arena)));
        let Decl::Gen(g) = &parsed.file.decls[0] else {
            panic!()
        };
        let Spec::Value(v) = &g.specs[0] else {
            panic!()
        };
        v.values[0].clone()
    }
}
