//! The channel rules' dispatcher: hands the channel model of each function declaration
//! (`PackageFacts::channel_model`, built when first asked for) in the files whose rules
//! require it to the enabled rules (LH301, LH303, LH304, LH305); LH301 then looks across the
//! package's functions.

use leakhound_diagnostics::Diagnostic;
use leakhound_model::package::PackageFacts;
use leakhound_syntax::ast::Decl;

use crate::context::RuleContext;
use crate::registry::Fact;
use crate::rules;
use crate::PackageFile;

/// One list of findings per file of `files`: LH301 across functions reports in the callee's
/// file.
pub(crate) fn check_package<'a>(
    files: &[PackageFile<'a>],
    facts: &PackageFacts<'a>,
) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = files.iter().map(|_| Vec::new()).collect();
    let mut models = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if !f.settings.rules.requires(Fact::Channels) {
            continue;
        }
        let ctx = RuleContext::new(files, facts, i);
        for (d, decl) in f.parsed.file.decls.iter().enumerate() {
            let Decl::Func(func) = decl else { continue };
            let Some(m) = facts.channel_model(i, d) else {
                continue;
            };
            if ctx.enabled(&rules::abandoned_sender::RULE) {
                rules::abandoned_sender::check_local(&ctx, m, &mut out[i]);
            }
            if ctx.enabled(&rules::send_without_cancel::RULE) {
                rules::send_without_cancel::check(&ctx, func, m, &mut out[i]);
            }
            if ctx.enabled(&rules::unstoppable_loop::RULE) {
                rules::unstoppable_loop::check(&ctx, m, &mut out[i]);
            }
            if ctx.enabled(&rules::producer_no_close::RULE) {
                rules::producer_no_close::check(&ctx, m, &mut out[i]);
            }
            models.push((i, *func, m));
        }
    }
    rules::abandoned_sender::check_across_functions(files, facts, &models, &mut out);
    out
}
