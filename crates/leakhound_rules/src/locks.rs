//! The lock and wait-group rules' dispatcher: LH401–LH408 and LH306, per package; and the
//! other rules that judge on the package's semantic model (LH201 across functions and fields).
//!
//! For each function declaration whose text has something to ask (a `Lock` call, a `.Done()`
//! or `.Wait()`, a `make(chan`), the facts give its bodies (the declaration's and each function
//! literal's) and, per body, its lock flow (`leakhound_model::lockflow`, built when first asked
//! for): the locks that may be held at every step. LH402 and LH403 are asked at each step of
//! the flow's replay, LH401 at the body's exits; LH404, LH405 and LH306 read the bodies, the
//! control-flow views and the package summaries in their rule files.

use std::sync::LazyLock;

use leakhound_diagnostics::Diagnostic;
use leakhound_model::bodies::{literal_kind, Body, BodyKind};
use leakhound_model::lockflow::{BodyFlow, Effect, HeldLock, LockState, OpenExit};
use leakhound_model::package::PackageFacts;
use leakhound_model::summary::{self, lock_call, LockOp};
use leakhound_syntax::ast::*;
use leakhound_syntax::visit::{walk_node, Node as VNode, Visitor};
use memchr::memmem::Finder;

use crate::context::RuleContext;
use crate::registry::Fact;
use crate::rules;
use crate::PackageFile;

/// Runs LH401–LH408, LH306 and LH201's package pass over the files of one package. One list
/// per file.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|_| Vec::new()).collect();
    let wants = |f: &PackageFile<'_>, fact| f.settings.rules.requires(fact);
    let lock_file = |f: &PackageFile<'_>| wants(f, Fact::LockFlow) && has(f.source, &LOCK_CALL);
    let wait_file = |f: &PackageFile<'_>| {
        wants(f, Fact::WaitGroups)
            && (has(f.source, &DONE_CALL) || has(f.source, &WAIT_CALL) || has(f.source, &ADD_CALL))
    };
    let chan_file = |f: &PackageFile<'_>| wants(f, Fact::ChannelUses) && has(f.source, &MAKE_CHAN);
    let cond_file = |f: &PackageFile<'_>| {
        f.settings
            .rules
            .contains(rules::cond_wait_unsignalled::RULE.id)
            && has(f.source, &WAIT_CALL)
    };
    // LH406 first: the lock summaries of recursive calls depend on where the first question
    // enters a cycle; its pass asks for every locking function in one fixed order, so its
    // findings do not depend on which other rules are selected.
    let order = files.iter().any(|f| {
        f.settings
            .rules
            .contains(rules::lock_order_inversion::RULE.id)
    }) && files.iter().any(|f| has(f.source, &LOCK_CALL));
    if order {
        rules::lock_order_inversion::check_package(files, facts, &mut out);
    }
    for (i, f) in files.iter().enumerate() {
        let (locks, waits, chans) = (lock_file(f), wait_file(f), chan_file(f));
        let conds = cond_file(f);
        if !(locks || waits || chans || conds) {
            continue;
        }
        let ctx = RuleContext::new(files, facts, i);
        for (d, decl) in f.parsed.file.decls.iter().enumerate() {
            let Decl::Func(func) = decl else { continue };
            let Some(body) = &func.body else { continue };
            // Most functions use none of these: skip them before listing their bodies. LH404
            // and LH405 need a `.Done()` or a `.Wait()` in the declaration, LH408 an `.Add(`.
            let text = ctx.text(body.span);
            let lock_fn = locks && has(text, &LOCK_CALL);
            let wait_fn =
                waits && (has(text, &DONE_CALL) || has(text, &WAIT_CALL) || has(text, &ADD_CALL));
            let chan_fn = chans && has(text, &MAKE_CHAN);
            let cond_fn = conds && has(text, &WAIT_CALL);
            if !(lock_fn || wait_fn || chan_fn || cond_fn) {
                continue;
            }
            let bodies = facts.bodies(i, d);
            if lock_fn {
                let own: Vec<OwnLocks> = bodies.iter().map(|b| OwnLocks::of(b.block)).collect();
                for k in 0..bodies.len() {
                    // Locks that another goroutine or callback of this declaration releases
                    // without taking them: this body hands them over (or is handed them).
                    let handed: Vec<&str> = own
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k && bodies[*j].kind != BodyKind::Deferred)
                        .flat_map(|(_, o)| &o.released_first)
                        .map(String::as_str)
                        .collect();
                    LockChecks::run(&ctx, func, d, bodies, k, &handed, &mut out[i]);
                }
            }
            if wait_fn {
                rules::done_skipped::check(&ctx, func, bodies, &mut out[i]);
                rules::waitgroup_misuse::check(&ctx, func, bodies, &mut out[i]);
                rules::waitgroup_add_without_done::check(&ctx, func, bodies, &mut out[i]);
            }
            if chan_fn {
                rules::abandoned_receiver::check(&ctx, func, &mut out[i]);
            }
            if cond_fn {
                rules::cond_wait_unsignalled::check(&ctx, func, bodies, &mut out[i]);
            }
        }
    }
    let fields = files.iter().any(|f| {
        f.settings
            .rules
            .contains(rules::abandoned_receiver::RULE.id)
    }) && files.iter().any(|f| f.source.contains("<-"));
    if fields {
        rules::abandoned_receiver::check_package(files, facts, &mut out);
    }
    if files
        .iter()
        .any(|f| f.settings.rules.contains(rules::lost_cancel::RULE.id))
    {
        rules::lost_cancel::check_package(files, facts, &mut out);
    }
    out
}

// The substrings that decide whether a file or function is worth a look: searchers built once,
// since these tests run on every function.
static LOCK_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Lock()"));
static DONE_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(".Done()"));
static WAIT_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(".Wait()"));
static ADD_CALL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(".Add("));
static MAKE_CHAN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("make(chan"));

fn has(text: &str, finder: &Finder<'_>) -> bool {
    finder.find(text.as_bytes()).is_some()
}

/// The lock calls of one body itself and of the closures it defers (other function literals
/// are bodies of their own), in source order: the keys whose first call is a release.
struct OwnLocks {
    seen: Vec<String>,
    released_first: Vec<String>,
}

impl OwnLocks {
    fn of<'a>(block: &'a Block<'a>) -> OwnLocks {
        let mut own = OwnLocks {
            seen: Vec::new(),
            released_first: Vec::new(),
        };
        walk_node(VNode::Block(block), &[], &mut own);
        own
    }
}

impl<'a> Visitor<'a> for OwnLocks {
    fn visit_expr(&mut self, e: &'a Expr<'a>, parents: &[VNode<'a>]) -> bool {
        if let Expr::FuncLit(_) = e {
            return literal_kind(e, parents) == BodyKind::Deferred;
        }
        if let Some((key, op)) = lock_call(e) {
            if !self.seen.contains(&key) {
                if let LockOp::Release(_) = op {
                    self.released_first.push(key.clone());
                }
                self.seen.push(key);
            }
        }
        true
    }
}

/// The lock rules over one body's lock flow: LH402 and LH403 at each effect, against the state
/// before it; LH401 at the body's exits.
struct LockChecks<'c, 'f, 'a> {
    ctx: &'c RuleContext<'f, 'a>,
    flow: &'f BodyFlow<'a>,
    recv: Option<(&'a str, &'a str)>,
    /// Keys another body of the declaration releases without locking them: the lock goes
    /// from one goroutine to another (a mutex used as a signal), not a forgotten unlock.
    handed: Vec<String>,
    /// Channel names made in the declaration, with their literal capacity and send count.
    chans: rules::chan_op_under_lock::LocalChans<'a>,
    /// The declaration's bodies and which one this pass is over.
    decl: &'a FuncDecl<'a>,
    bodies: &'f [Body<'a>],
    body: usize,
    /// The channel operations of the declaration's other bodies, computed when first needed.
    others: std::cell::OnceCell<rules::chan_op_under_lock::OtherBodies<'a>>,
    /// Calls the semantic model resolved for LH402: their one-level summary is not asked.
    deep_calls: std::cell::RefCell<Vec<Span>>,
}

impl<'c, 'f, 'a> LockChecks<'c, 'f, 'a> {
    /// `d`: the declaration's index in its file; `k`: the body's index in `bodies`.
    fn run(
        ctx: &'c RuleContext<'f, 'a>,
        decl: &'a FuncDecl<'a>,
        d: usize,
        bodies: &'f [Body<'a>],
        k: usize,
        handed: &[&str],
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(flow) = ctx.facts.lock_flow(ctx.file, d, k) else {
            return;
        };
        let body = &bodies[k];
        let pass = LockChecks {
            ctx,
            flow,
            recv: flow.recv,
            handed: handed.iter().map(ToString::to_string).collect(),
            chans: rules::chan_op_under_lock::LocalChans::of(ctx, decl, body),
            decl,
            bodies,
            body: k,
            others: std::cell::OnceCell::new(),
            deep_calls: std::cell::RefCell::new(Vec::new()),
        };
        let mut found = Vec::new();
        let (mut exits, returns) = flow.replay(|e, state| pass.check(e, state, &mut found));
        if ctx.enabled(&rules::missing_unlock::RULE)
            && !rules::missing_unlock::exempt(ctx, decl, body.kind)
        {
            let caller_held = if exits.is_empty() {
                Vec::new()
            } else {
                flow.caller_held()
            };
            exits.sort_by_key(|(at, _, h)| (at.start, h.key, h.site.start));
            let exits: Vec<OpenExit<'_>> = exits
                .iter()
                .map(|(at, end, h)| {
                    let key = flow.keys[h.key as usize].as_str();
                    OpenExit {
                        at: *at,
                        end: *end,
                        lock: flow.held_lock(h),
                        released: flow.released(h.key),
                        caller_held: caller_held.contains(&h.key),
                        handed_off: flow.scan.handed_off.iter().any(|k| k == key)
                            || pass.handed.iter().any(|k| k == key),
                        guarded_release: flow.scan.guarded_releases.iter().any(|k| k == key),
                    }
                })
                .collect();
            rules::missing_unlock::check(
                ctx, decl, body.kind, pass.recv, &exits, &returns, &mut found,
            );
        }
        found.sort_by_key(|d| (d.start, d.code));
        found.dedup_by(|a, b| a.start == b.start && a.code == b.code);
        out.extend(found);
    }

    /// The channel operations of the declaration's bodies other than this one (deferred
    /// literals run in this body's goroutine and are part of it).
    fn other_bodies(&self) -> rules::chan_op_under_lock::OtherBodies<'a> {
        let ctx = self.ctx;
        let recv = self.recv.map(|(r, _)| r);
        let bodies = self
            .bodies
            .iter()
            .enumerate()
            .filter(|(j, b)| *j != self.body && b.kind != BodyKind::Deferred)
            .map(|(_, b)| {
                let name = match b.kind {
                    BodyKind::Decl => self.decl.name.name.to_string(),
                    BodyKind::Go => {
                        format!("the goroutine at line {}", ctx.line(b.block.span.start))
                    }
                    _ => format!(
                        "the function literal at line {}",
                        ctx.line(b.block.span.start)
                    ),
                };
                let waits = summary::channel_waits(b.block, &|e| ctx.never_returns(e), recv);
                (name, waits, b.block)
            })
            .collect();
        rules::chan_op_under_lock::OtherBodies {
            bodies,
            this: self.bodies[self.body].block,
        }
    }

    /// LH402 and LH403, against the state before the effect.
    fn check(&self, effect: &Effect<'a>, state: &LockState, out: &mut Vec<Diagnostic>) {
        let ctx = self.ctx;
        match effect {
            Effect::Acquire { key, .. } | Effect::CallLocks { key, .. }
                if self.handed.contains(&self.flow.keys[*key as usize]) => {}
            Effect::CallLocks { call, .. } if self.deep_calls.borrow().contains(call) => {}
            Effect::Call(e) => {
                let Expr::Call(c) = e else { return };
                let held = self.held(state);
                // With nothing held no call can lock twice: the model is not asked.
                if ctx.enabled(&rules::double_lock::RULE) && !held.is_empty() {
                    let skip = |k: &str| self.handed.iter().any(|h| h == k);
                    if rules::double_lock::check_deep_call(ctx, self.decl, c, &held, &skip, out) {
                        self.deep_calls.borrow_mut().push(c.span);
                    }
                }
                let wait = c.args.is_empty()
                    && matches!(unparen(c.fun), Expr::Selector(s) if s.sel.name == "Wait");
                if wait && ctx.enabled(&rules::cond_wait_unsignalled::RULE) {
                    rules::cond_wait_unsignalled::check_held(ctx, self.decl, e, &held, out);
                }
            }
            Effect::Acquire { key, mode, span } if ctx.enabled(&rules::double_lock::RULE) => {
                let at = HeldLock {
                    key: &self.flow.keys[*key as usize],
                    mode: *mode,
                    site: *span,
                    guarded: self.flow.scan.guarded.contains(&span.start),
                };
                rules::double_lock::check_relock(ctx, &self.held(state), &at, out);
            }
            Effect::CallLocks {
                call,
                method,
                key,
                file,
                lock,
            } if ctx.enabled(&rules::double_lock::RULE) => {
                let key = &self.flow.keys[*key as usize];
                let held = self.held(state);
                rules::double_lock::check_call(ctx, &held, *call, method, key, (*file, *lock), out);
            }
            Effect::Chan(node) if ctx.enabled(&rules::chan_op_under_lock::RULE) => {
                let Some(op) = self.chans.op(ctx, *node) else {
                    return;
                };
                let others = self.others.get_or_init(|| self.other_bodies());
                let held = self.held(state);
                rules::chan_op_under_lock::check(
                    ctx, self.decl, &held, self.recv, others, &op, out,
                );
            }
            _ => {}
        }
    }

    /// The locks that may be held in `state`, in the state's order, without those handed over
    /// between this declaration's goroutines.
    fn held(&self, state: &LockState) -> Vec<HeldLock<'_>> {
        state
            .held
            .iter()
            .map(|h| self.flow.held_lock(h))
            .filter(|h| !self.handed.iter().any(|k| k == h.key))
            .collect()
    }
}
