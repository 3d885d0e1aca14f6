//! LH201 across the package, by the semantic model: a cancel func kept in a field or package
//! variable that nothing reads, and a caller that drops the value owning a cancel func.

use std::collections::{HashMap, HashSet};

use leakhound_diagnostics::Diagnostic;
use leakhound_model::package::PackageFacts;
use leakhound_model::semantic::cancels::{CancelSite, CancelUse, Slot, Within};
use leakhound_model::semantic::{FuncId, Semantic};

use super::RULE;
use crate::context::RuleContext;
use crate::PackageFile;

/// What a function's result holds of a cancel func it makes.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// The cancel func itself.
    Func,
    /// A struct whose field holds it.
    Struct(Slot<'a>),
    /// A function literal that calls it.
    Closure,
}

pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    out: &mut [Vec<Diagnostic>],
) {
    for package in facts.packages() {
        let file = package[0];
        // No `context.With...` call, no cancel func: no model to build.
        let makes_cancel = |f: usize| {
            let src = files[f].source;
            facts.imports(f).imports("context")
                && ["WithCancel", "WithTimeout", "WithDeadline"]
                    .iter()
                    .any(|c| src.contains(c))
        };
        if !package.iter().any(|&f| makes_cancel(f)) {
            continue;
        }
        let sem = facts.semantic(file);
        let sites: Vec<CancelSite<'a>> = sem
            .cancel_sites()
            .into_iter()
            .filter(|s| !s.discarded && !is_main(files, sem, s.func))
            .collect();
        if sites.is_empty() {
            continue;
        }
        let stored: Vec<(&CancelSite<'a>, Vec<Slot<'a>>)> = sites
            .iter()
            .filter_map(|s| Some((s, only_stored(s)?)))
            .collect();
        let owned: Vec<(&CancelSite<'a>, u32, Owner<'a>)> = sites
            .iter()
            .filter_map(|s| {
                let (index, owner) = owned_result(s)?;
                Some((s, index, owner))
            })
            .collect();
        let mut slots: Vec<Slot<'a>> = stored.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        slots.extend(owned.iter().filter_map(|(_, _, o)| match o {
            Owner::Struct(slot) => Some(*slot),
            _ => None,
        }));
        slots.sort_by_key(|s| format!("{s:?}"));
        slots.dedup();
        let reads: HashMap<Slot<'a>, bool> = sem
            .slot_reads(&slots)
            .into_iter()
            .zip(&slots)
            .map(|(r, s)| (*s, !r.is_empty()))
            .collect();
        let read = |s: &Slot<'a>| reads.get(s).copied().unwrap_or(true);
        for (site, slots) in &stored {
            if slots.iter().any(read) {
                continue;
            }
            report_stored(files, facts, sem, site, slots, out);
        }
        // A struct whose field nothing reads is reported at its context.With... call above.
        let owned: Vec<_> = owned
            .into_iter()
            .filter(|(_, _, o)| !matches!(o, Owner::Struct(slot) if !read(slot)))
            .collect();
        let callees: HashSet<FuncId> = owned.iter().map(|(s, _, _)| s.func).collect();
        for d in sem.discards(&callees) {
            if d.caller == d.callee || is_main(files, sem, d.caller) {
                continue;
            }
            for (site, index, owner) in owned.iter().filter(|(s, _, _)| s.func == d.callee) {
                if d.results.as_ref().is_some_and(|r| !r.contains(index)) {
                    continue;
                }
                let ctx = RuleContext::new(files, facts, d.file);
                if !ctx.enabled(&RULE) {
                    continue;
                }
                let callee = sem.func_name(d.callee);
                let what = match owner {
                    Owner::Func => format!("the cancel func returned by {callee}"),
                    Owner::Struct(slot) => {
                        format!("the value returned by {callee}, which holds the cancel func in {},", describe(sem, slot))
                    }
                    Owner::Closure => format!("the func returned by {callee}, which calls the cancel func,"),
                };
                let mut diag = ctx.diagnostic(
                    &RULE,
                    d.call.span,
                    format!(
                        "{what} is discarded: the context from context.{} lives until its parent is cancelled",
                        site.ctor
                    ),
                );
                diag.help = Some("keep the result and call it (or its owner's Close) when the work is done".to_string());
                diag.related.push(ctx.related(
                    site.file,
                    site.call.span,
                    format!("context.{} in {callee}", site.ctor),
                ));
                out[d.file].push(diag);
            }
        }
    }
}

/// `main.main`: returning from it ends the process.
fn is_main(files: &[PackageFile<'_>], sem: &Semantic<'_>, func: FuncId) -> bool {
    let f = sem.func(func);
    f.recv.is_none() && f.name == "main" && files[f.file].parsed.file.package.name == "main"
}

/// The fields and package variables a cancel func is stored in, when that is all that is done
/// with it (and none of them is exported: another package may call it).
fn only_stored<'a>(site: &CancelSite<'a>) -> Option<Vec<Slot<'a>>> {
    let mut slots = Vec::new();
    for (_, u) in &site.uses {
        match u {
            CancelUse::Store { slot, .. } if !slot.exported() => slots.push(*slot),
            CancelUse::Blank => {}
            _ => return None,
        }
    }
    (!slots.is_empty()).then_some(slots)
}

/// The result of its function that carries a cancel func out, when the function does nothing
/// else with it than return it (or a struct or closure holding it) and call it on other paths.
fn owned_result<'a>(site: &CancelSite<'a>) -> Option<(u32, Owner<'a>)> {
    if site.in_literal {
        return None;
    }
    let mut owner = None;
    for (_, u) in &site.uses {
        let this = match *u {
            CancelUse::Return(i) => (i, Owner::Func),
            CancelUse::Store {
                slot,
                returned: Some(i),
            } => (i, Owner::Struct(slot)),
            CancelUse::Call {
                within: Within::ReturnedLiteral(i),
                go: false,
                ..
            } => (i, Owner::Closure),
            // Called on the paths that give up (an error return): not the result's business.
            CancelUse::Call {
                within: Within::Body,
                deferred: false,
                go: false,
            }
            | CancelUse::Blank => continue,
            _ => return None,
        };
        match owner {
            Some((i, _)) if i != this.0 => return None,
            _ => owner = Some(this),
        }
    }
    owner
}

fn describe(sem: &Semantic<'_>, slot: &Slot<'_>) -> String {
    match slot {
        Slot::Field { typ, field } => format!("field {}.{field}", sem.types[*typ as usize].name),
        Slot::PkgVar(name) => format!("package variable {name}"),
    }
}

fn report_stored<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
    sem: &Semantic<'a>,
    site: &CancelSite<'a>,
    slots: &[Slot<'a>],
    out: &mut [Vec<Diagnostic>],
) {
    let ctx = RuleContext::new(files, facts, site.file);
    if !ctx.enabled(&RULE) {
        return;
    }
    let slot = &slots[0];
    let name = describe(sem, slot);
    let mut diag = ctx.diagnostic(
        &RULE,
        site.call.span,
        format!(
            "the cancel func of context.{} is stored in {name}, which nothing in the package calls: the context lives until its parent is cancelled",
            site.ctor
        ),
    );
    diag.help = Some(match slot {
        Slot::Field { field, .. } => format!(
            "call .{field}() where the owner's work ends (its Close or Stop method)"
        ),
        Slot::PkgVar(name) => format!("call {name}() where the work it bounds ends"),
    });
    if let Some((span, _)) = site.uses.iter().find(|(_, u)| matches!(u, CancelUse::Store { .. })) {
        if *span != site.call.span {
            diag.related
                .push(ctx.related(site.file, *span, format!("stored in {name} here")));
        }
    }
    out[site.file].push(diag);
}
