//! ## What it does
//! Flags a receive (or a `range`) on a channel made in the function that nothing ever sends on
//! or closes: not the function, not its goroutines and closures, not the same-package
//! functions and methods it is passed to (their package summaries say they neither send on
//! nor close that parameter, nor pass it further). The twin of LH301: there the sender is
//! abandoned, here the receiver.
//!
//! Across the package, by the semantic model: a receive or `range` on an unexported channel
//! field (`<-w.done`, or through an accessor `<-s.Done()` that returns the field) that no
//! function of the package (tests of the same package included) sends on or closes. Silent
//! where the model cannot see every feeder: the field is exported, assigned from a value
//! rather than `make(chan ...)`, passed, stored, returned (other than by an accessor) or
//! aliased, or the struct is built by a composite literal without keys.
//!
//! Not flagged: a channel that leaves the function any other way (returned, stored, sent,
//! passed to another package or to a function value): its sender may be elsewhere; a receive
//! that is one case of a `select` with other cases or a `default` (a dead case, not a
//! wait); a `range` over a channel that is never passed anywhere (LH302 range-unclosed reports
//! it).
//!
//! ## Why is this bad?
//! The receive waits forever: the goroutine that runs it leaks, with everything it references.
//! The usual cause is a helper that was meant to feed or close the channel and no longer does
//! (a refactoring moved the send), or the wrong channel passed to it.
//!
//! ## Example
//! ```go
//! func (s *Syncer) Run() error {
//!     done := make(chan struct{})
//!     go s.watch(done) // watch only checks `done` for shutdown: it never closes it
//!     <-done           // blocks forever
//!     return nil
//! }
//! ```
//!
//! ## Use instead
//! ```go
//! func (s *Syncer) watch(done chan<- struct{}) {
//!     defer close(done)
//!     ...
//! }
//! ```
//!
//! ## Go version notes
//! None: a goroutine blocked on a channel is never collected.
//!
//! ## Fix safety
//! No automatic fix.
//!
//! ## Related
//! LH301 abandoned-sender, LH302 range-unclosed, LH305 producer-no-close.

use std::collections::HashSet;

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::summary::{self, channel_uses, made_channels, Callee, ChanUse, UseKind};
use leakhound_model::package::PackageFacts;
use leakhound_model::semantic::identity::Identity;
use leakhound_model::semantic::types::{Kind, TypeShape};
use leakhound_syntax::ast::{unparen, Decl, Expr, FuncDecl, Span, Spec, StructType};
use leakhound_syntax::ParsedFile;

use crate::PackageFile;
use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::AbandonedReceiver,
    code: "LH306",
    name: "abandoned-receiver",
    summary: "receive on a channel that nothing sends on or closes: it blocks forever",
    severity: Severity::Error,
    doc: crate::docs::ABANDONED_RECEIVER,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::ChannelUses, Fact::Semantic],
};

pub(crate) fn check<'a>(ctx: &RuleContext<'_, 'a>, decl: &'a FuncDecl<'a>, out: &mut Vec<Diagnostic>) {
    if !ctx.enabled(&RULE) {
        return;
    }
    let Some(body) = &decl.body else { return };
    let made = made_channels(body);
    if made.is_empty() {
        return;
    }
    let mut names: Vec<&str> = made.iter().map(|m| m.name).collect();
    names.sort_unstable();
    names.dedup();
    let uses = channel_uses(body, &names, ctx.imports);
    let recv = summary::receiver(decl);
    for name in names {
        let on: Vec<&ChanUse<'_>> = uses.iter().filter(|u| u.name == name).collect();
        let mut passes: Vec<(&str, Span)> = Vec::new();
        let mut fed = false;
        for u in &on {
            match u.kind {
                UseKind::Send | UseKind::Close | UseKind::Returned | UseKind::Escapes => fed = true,
                UseKind::Passed { callee, index } => {
                    match never_feeds(ctx, decl, recv, callee, index) {
                        Some(callee) => passes.push((callee, u.span)),
                        None => fed = true,
                    }
                }
                UseKind::Recv | UseKind::Range => {}
            }
            if fed {
                break;
            }
        }
        if fed {
            continue;
        }
        for u in &on {
            let report = match u.kind {
                UseKind::Recv => !u.select_with_others,
                UseKind::Range => !passes.is_empty(),
                _ => false,
            };
            if !report {
                continue;
            }
            let what = if u.kind == UseKind::Range {
                "range over"
            } else {
                "receive from"
            };
            let message = match passes.first() {
                None => format!("{what} {name} blocks forever: nothing sends on or closes {name}"),
                Some((callee, _)) => {
                    format!("{what} {name} blocks forever: nothing sends on or closes {name}, and {callee} does neither")
                }
            };
            let mut d = ctx.diagnostic(&RULE, u.span, message);
            d.help = Some(format!(
                "send on or close {name} where its value is produced (e.g. `defer close({name})`)"
            ));
            for (callee, span) in &passes {
                d.related.push(ctx.related(
                    ctx.file,
                    *span,
                    format!("passed to {callee}, which never sends on or closes it"),
                ));
            }
            out.push(d);
        }
    }
}

/// The callee's name when every same-package declaration of it neither sends on, closes nor
/// passes on its parameter `index`; `None` when it might, or when the callee is not known.
fn never_feeds<'a>(
    ctx: &RuleContext<'_, 'a>,
    decl: &'a FuncDecl<'a>,
    recv: Option<(Option<&'a str>, &'a str)>,
    callee: Callee<'a>,
    index: usize,
) -> Option<&'a str> {
    let (recv_type, name) = match callee {
        // A parameter or local of that name is a function value, not the package's function.
        Callee::Func(name) if declares(ctx, decl, name) => return None,
        Callee::Func(name) => (None, name),
        // Only methods called on the function's own receiver have a known type.
        Callee::Method { recv: r, name } => match recv {
            Some((Some(own), typ)) if own == r => (Some(typ), name),
            _ => return None,
        },
    };
    let mut found = false;
    for f in ctx.summary().lookup(recv_type, name) {
        let param = f.chan_params.iter().find(|p| p.index == index)?;
        if param.may_feed() {
            return None;
        }
        found = true;
    }
    found.then_some(name)
}

/// Whether the declaration has a parameter or local variable named `name`.
fn declares(ctx: &RuleContext<'_, '_>, decl: &FuncDecl<'_>, name: &str) -> bool {
    let param = decl
        .typ
        .params
        .list
        .iter()
        .flat_map(|f| &f.names)
        .any(|n| n.name == name);
    let text = decl.body.as_ref().map_or("", |b| ctx.text(b.span));
    param || text.contains(&format!("{name} :=")) || text.contains(&format!("var {name} "))
}

/// Across the package, by the semantic model: a receive or `range` on a channel field (named
/// directly or through an accessor) that nothing in the package sends on or closes. Silent
/// when the field is exported (another package may feed it), or the package uses it in a way
/// the model cannot follow: assigned from a value rather than `make`, passed, stored, returned
/// (other than by an accessor), aliased, or set by a composite literal without keys.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    out: &mut [Vec<Diagnostic>],
) {
    for package in facts.packages() {
        let file = package[0];
        // Most packages declare no unexported channel field: no model to build for them.
        let package: Vec<_> = package.iter().map(|&f| files[f].parsed).collect();
        if !has_unexported_chan_field(&package) {
            continue;
        }
        let sem = facts.semantic(file);
        // The unexported channel fields, and where the package spells them: only those
        // functions are walked for their channel operations.
        let unexported: HashSet<&str> = sem
            .types
            .iter()
            .filter_map(|t| match &t.shape {
                TypeShape::Struct(fields) => Some(fields),
                _ => None,
            })
            .flatten()
            .filter(|f| {
                f.ty.kind() == Some(Kind::Chan)
                    && f.name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            })
            .map(|f| f.name)
            .collect();
        let accessors = sem.chan_field_accessors(&unexported);
        let words: Vec<&str> = unexported.iter().chain(&accessors).copied().collect();
        let uses = sem.chan_uses_spelling(&words);
        let candidates: Vec<_> = uses
            .iter()
            .filter(|u| {
                matches!(u.op, "recv" | "range")
                    && matches!(u.prim.id, Identity::Field { field, .. } if unexported.contains(field))
            })
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let fields = candidates
            .iter()
            .filter_map(|u| match u.prim.id {
                Identity::Field { field, .. } => Some(field),
                _ => None,
            })
            .collect();
        let types = candidates
            .iter()
            .filter_map(|u| match u.prim.id {
                Identity::Field { typ, .. } => Some(sem.types[typ as usize].name.as_str()),
                _ => None,
            })
            .collect();
        let refs = sem.field_chan_refs(&fields, &types, accessors);
        for u in candidates {
            let Identity::Field { typ, .. } = u.prim.id else {
                continue;
            };
            if refs.fed_or_opaque(&u.prim.id, &sem.types[typ as usize].name)
                || uses
                    .iter()
                    .any(|o| o.prim.id == u.prim.id && matches!(o.op, "send" | "close"))
                || (u.op == "recv" && refs.select_recvs.contains(&(u.file, u.span)))
            {
                continue;
            }
            let ctx = RuleContext::new(files, facts, u.file);
            if !ctx.enabled(&RULE) {
                continue;
            }
            let name = sem.describe(&u.prim.id);
            let what = if u.op == "range" {
                "range over"
            } else {
                "receive from"
            };
            let mut d = ctx.diagnostic(
                &RULE,
                u.span,
                format!("{what} {name} blocks forever: nothing in the package sends on or closes {name}"),
            );
            d.help = Some(format!(
                "send on or close {name} where its value is produced, or drop the receive"
            ));
            out[u.file].push(d);
        }
    }
}

/// Whether a struct type of the package has an unexported field of a channel type (`chan T`,
/// or a type of the package declared as one), anonymous struct fields included.
fn has_unexported_chan_field(package: &[&ParsedFile<'_>]) -> bool {
    let specs = || {
        package.iter().flat_map(|p| &p.file.decls).flat_map(|d| match d {
            Decl::Gen(g) => g.specs.iter().collect(),
            _ => Vec::new(),
        })
    };
    let chan_types: Vec<&str> = specs()
        .filter_map(|s| match s {
            Spec::Type(t) if matches!(unparen(&t.typ), Expr::ChanType(_)) => Some(t.name.name),
            _ => None,
        })
        .collect();
    fn in_struct(st: &StructType<'_>, chan_types: &[&str]) -> bool {
        st.fields.list.iter().any(|f| {
            let unexported = f
                .names
                .iter()
                .any(|n| n.name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_'));
            match unparen(&f.typ) {
                Expr::ChanType(_) => unexported,
                Expr::Ident(id) => unexported && chan_types.contains(&id.name),
                Expr::StructType(inner) => in_struct(inner, chan_types),
                _ => false,
            }
        })
    }
    specs().any(|s| match s {
        Spec::Type(t) => matches!(unparen(&t.typ), Expr::StructType(st) if in_struct(st, &chan_types)),
        _ => false,
    })
}
