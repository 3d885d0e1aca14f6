//! The timer pass: LH104, per function body, over the body's control-flow view and the
//! timer facts of `leakhound_model::timers`.

use leakhound_diagnostics::Diagnostic;
use leakhound_model::bodies::bodies;
use leakhound_model::package::PackageFacts;
use leakhound_syntax::ast::{Block, Decl};

use crate::context::RuleContext;
use crate::registry::Fact;
use crate::rules;
use crate::PackageFile;

/// One list of findings per file of `files`.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|_| Vec::new()).collect();
    // A drain needs a `Stop` and a receive from a timer's `C`: most files have neither.
    let wanted = |f: &PackageFile<'_>| {
        f.settings.rules.requires(Fact::TimerFlow)
            && f.source.contains(".Stop()")
            && f.source.contains(".C")
    };
    for (i, f) in files.iter().enumerate() {
        if !wanted(f) {
            continue;
        }
        let ctx = RuleContext::new(files, facts, i);
        for decl in &f.parsed.file.decls {
            let Decl::Func(func) = decl else { continue };
            let Some(body) = &func.body else { continue };
            let text = ctx.text(body.span);
            if !(text.contains(".Stop()") && text.contains("<-")) {
                continue;
            }
            let blocks: Vec<&Block<'_>> = bodies(func).iter().map(|b| b.block).collect();
            if ctx.enabled(&rules::timer_drain_block::RULE) {
                rules::timer_drain_block::check(&ctx, func, &blocks, &mut out[i]);
            }
        }
    }
    out
}
