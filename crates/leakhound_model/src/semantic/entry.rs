//! The locks a function runs under: those every call of it in the package holds (through the
//! call graph, at any depth), and those it releases for its caller (a function that unlocks a
//! lock it did not take is called with it held). Two lock orders taken only under one common
//! lock never run at the same time.
//!
//! A function the model cannot bound the callers of holds nothing on entry beyond what it
//! releases: an exported name (other packages call it), a function referenced as a value,
//! started with `go`, deferred or called from a function literal, or a method name used on a
//! value whose type the model does not know.

use std::collections::HashMap;

use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};

use super::identity::Identity;
use super::types::{Binding, Local, Ty, TypeShape};
use super::{FuncId, Semantic};
use crate::summary::Mode;

/// Callers further up than this are not followed (nothing is assumed held).
const MAX_DEPTH: usize = 12;

/// A lock by identity, and how it is held (a write lock excludes every other holder).
pub type HeldLock<'a> = (Identity<'a>, Mode);

/// The locks held on entry of the package's functions, computed on demand and kept.
pub struct EntryLocks<'s, 'a> {
    sem: &'s Semantic<'a>,
    memo: HashMap<FuncId, Vec<HeldLock<'a>>>,
    stack: Vec<FuncId>,
}

impl<'s, 'a> EntryLocks<'s, 'a> {
    pub fn new(sem: &'s Semantic<'a>) -> EntryLocks<'s, 'a> {
        EntryLocks {
            sem,
            memo: HashMap::new(),
            stack: Vec::new(),
        }
    }

    /// The locks (fields and package variables) held whenever `f` starts. A recursive cycle
    /// or a chain deeper than [`MAX_DEPTH`] assumes nothing.
    pub fn held_on_entry(&mut self, f: FuncId) -> Vec<HeldLock<'a>> {
        if let Some(v) = self.memo.get(&f) {
            return v.clone();
        }
        if self.stack.contains(&f) || self.stack.len() >= MAX_DEPTH {
            return Vec::new();
        }
        self.stack.push(f);
        let mut out: Vec<HeldLock<'a>> = Vec::new();
        for &(id, m) in &self.sem.lock_effects(f).release_modes {
            if matches!(id, Identity::Field { .. } | Identity::PkgVar(_)) {
                add(&mut out, id, m);
            }
        }
        for (id, m) in self.held_by_callers(f) {
            add(&mut out, id, m);
        }
        self.stack.pop();
        self.memo.insert(f, out.clone());
        out
    }

    /// What every call of `f` holds: at the call, or on entry of the caller and not released
    /// before the call.
    fn held_by_callers(&mut self, f: FuncId) -> Vec<HeldLock<'a>> {
        let name = self.sem.func(f).name;
        if name.starts_with(|c: char| c.is_uppercase()) || name == "main" || name == "init" {
            return Vec::new();
        }
        let Some(sites) = self.sem.call_sites(f) else {
            return Vec::new();
        };
        let mut acc: Option<Vec<HeldLock<'a>>> = None;
        for (caller, site) in sites {
            let record = self
                .sem
                .lock_effects(caller)
                .calls
                .iter()
                .find(|h| h.site == site)
                .cloned();
            let (mut here, released) =
                record.map_or((Vec::new(), Vec::new()), |h| (h.held, h.released));
            for (id, m) in self.held_on_entry(caller) {
                if !released.contains(&id) {
                    add(&mut here, id, m);
                }
            }
            let next = match acc {
                None => here,
                Some(mut a) => {
                    a.retain(|(id, _)| here.iter().any(|(h, _)| h == id));
                    for (id, m) in &mut a {
                        if here.iter().any(|(h, hm)| h == id && *hm == Mode::Read) {
                            *m = Mode::Read;
                        }
                    }
                    a
                }
            };
            if next.is_empty() {
                return next;
            }
            acc = Some(next);
        }
        acc.unwrap_or_default()
    }
}

/// `id` held as `m`, merged into `v` (a write hold wins).
fn add<'a>(v: &mut Vec<HeldLock<'a>>, id: Identity<'a>, m: Mode) {
    match v.iter_mut().find(|(h, _)| *h == id) {
        Some((_, hm)) if m == Mode::Write => *hm = Mode::Write,
        Some(_) => {}
        None => v.push((id, m)),
    }
}

impl<'a> Semantic<'a> {
    /// Every call of `f` in the package that runs it on the caller's goroutine: the caller and
    /// the call's span. `None` when some reference to `f` (or to a name that may be `f`) is
    /// anything else: a value, a `go` or `defer`, a call in a function literal, a method of
    /// an unknown or widely implemented type.
    pub fn call_sites(&self, f: FuncId) -> Option<Vec<(FuncId, Span)>> {
        struct V<'s, 'a> {
            sem: &'s Semantic<'a>,
            caller: FuncId,
            locals: &'s [Local<'a>],
            target: FuncId,
            name: &'a str,
            method: bool,
            lits: u32,
            sites: Vec<(FuncId, Span)>,
            opaque: bool,
        }
        impl<'a> V<'_, 'a> {
            /// Whether `e` (an identifier or selector named like the target) may denote it:
            /// `Some(true)` surely, `Some(false)` surely not, `None` when the model cannot tell.
            fn denotes(&self, e: &'a Expr<'a>) -> Option<bool> {
                let sem = self.sem;
                match unparen(e) {
                    Expr::Ident(id) if !self.method => Some(
                        matches!(sem.bind_in(self.caller, self.locals, id), Binding::Func(g) if g == self.target),
                    ),
                    Expr::Selector(s) if self.method => {
                        if let Expr::Ident(pkg) = unparen(s.x) {
                            if let Binding::Import(_) = sem.bind_in(self.caller, self.locals, pkg) {
                                return Some(false);
                            }
                        }
                        let Ty::Named(t) =
                            sem.type_in(self.caller, self.locals, s.x).pointee().clone()
                        else {
                            return None;
                        };
                        if let TypeShape::Interface { .. } = sem.types[t as usize].shape {
                            let impls = sem.implementations(t, super::callgraph::IFACE_CAP)?;
                            return Some(
                                impls
                                    .into_iter()
                                    .any(|i| sem.method(i, self.name) == Some(self.target)),
                            );
                        }
                        Some(sem.method(t, self.name) == Some(self.target))
                    }
                    _ => Some(false),
                }
            }
        }
        impl<'a> Visitor<'a> for V<'_, 'a> {
            fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
                let named = match e {
                    Expr::FuncLit(_) => {
                        self.lits += 1;
                        return true;
                    }
                    Expr::Ident(id) => id.name == self.name,
                    Expr::Selector(s) => s.sel.name == self.name,
                    _ => false,
                };
                if !named {
                    return true;
                }
                match self.denotes(e) {
                    Some(false) => return true,
                    None => {
                        self.opaque = true;
                        return true;
                    }
                    Some(true) => {}
                }
                let call = match parents.last() {
                    Some(VNode::Expr(Expr::Call(c))) if c.fun.span() == e.span() => Some(c),
                    _ => None,
                };
                let on_own_goroutine = !matches!(
                    parents.iter().rev().nth(1),
                    Some(VNode::Stmt(Stmt::Go(_) | Stmt::Defer(_)))
                );
                match call {
                    Some(c) if self.lits == 0 && on_own_goroutine => {
                        self.sites.push((self.caller, c.span));
                    }
                    _ => self.opaque = true,
                }
                true
            }
            fn leave_expr(&mut self, e: &'a Expr<'a>, _parents: &[VNode<'a>]) {
                if let Expr::FuncLit(_) = e {
                    self.lits -= 1;
                }
            }
        }
        let info = self.func(f);
        let mut sites = Vec::new();
        for caller in self.func_ids() {
            if !self.body_text(caller).contains(info.name) {
                continue;
            }
            let Some(body) = &self.funcs[caller as usize].decl.body else {
                continue;
            };
            let mut v = V {
                sem: self,
                caller,
                locals: self.locals(caller),
                target: f,
                name: info.name,
                method: info.recv.is_some(),
                lits: 0,
                sites: Vec::new(),
                opaque: false,
            };
            walk_node(VNode::Block(body), &[], &mut v);
            if v.opaque {
                return None;
            }
            sites.extend(v.sites);
        }
        Some(sites)
    }
}
