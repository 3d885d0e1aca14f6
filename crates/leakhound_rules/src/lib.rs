//! leakhound's rules: the catalog of `shared/spec/rules.md`, one rule per file with its
//! documentation beside its code, and the checker that runs the enabled rules over a package
//! in one walk per file.

mod channels;
mod checker;
pub mod fix;
mod flow;
mod locks;
pub mod registry;
mod rules;
mod suppression;

pub use suppression::unknown_codes;

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_model::gomod::{AsyncTimerChan, TimerSemantics};
use leakhound_syntax::ParsedFile;

use registry::RuleSet;

/// What applies to one file: the rules switched on for it and the timer semantics of its module.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub rules: RuleSet,
    pub timers: TimerSemantics,
}

/// One parsed file of a package (the `.go` files of one directory).
pub struct PackageFile<'a> {
    /// The path as it is printed, with `/` separators.
    pub filename: String,
    pub source: &'a str,
    pub parsed: &'a ParsedFile<'a>,
    pub settings: FileSettings,
}

/// Runs the enabled rules over every file of a package. Diagnostics come back unsorted;
/// suppressed ones are already gone.
pub fn check_package(files: &[PackageFile<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lines: Vec<_> = files.iter().map(|f| f.parsed.line_index()).collect();
    // The channel rules see the whole package: LH301 reports in a callee's file.
    let channel = channels::check_package(files, &lines);
    // The lock and wait-group rules too: LH402 follows a call into another file's method.
    let locks = locks::check_package(files, &lines);
    for (((file, lines), mut channel), mut locks) in
        files.iter().zip(&lines).zip(channel).zip(locks)
    {
        let mut diagnostics = check_file(file, lines);
        diagnostics.append(&mut channel);
        diagnostics.append(&mut locks);
        let nolint = suppression::Suppressions::of(file.parsed, lines);
        diagnostics.retain(|d| !nolint.suppresses(d));
        out.append(&mut diagnostics);
    }
    out
}

fn check_file(file: &PackageFile<'_>, lines: &leakhound_syntax::LineIndex) -> Vec<Diagnostic> {
    let mut checker = checker::Checker::new(
        &file.filename,
        file.source,
        &file.parsed.file,
        lines,
        file.settings.rules,
        &file.settings.timers,
    );
    if let Some(error) = file.parsed.errors.first() {
        if checker.enabled(&rules::parse_error::RULE) {
            let start = error.span.start;
            let end = error.span.end.max(start);
            let span = leakhound_syntax::ast::Span { start, end };
            let diagnostic = checker.diagnostic(
                &rules::parse_error::RULE,
                span,
                Severity::Error,
                error.message.clone(),
            );
            checker.diagnostics.push(diagnostic);
        }
    }
    // With only E001 selected nothing needs the walk: `--select E001` is the parse-only floor
    // that BENCHMARKS.md compares against.
    let mut walking = file.settings.rules;
    walking.remove(rules::parse_error::RULE.code);
    if !walking.is_empty() {
        checker.check_file();
    }
    checker.diagnostics
}

/// A `//go:debug asynctimerchan=N` directive in a main package file: it sets the timer
/// semantics for the whole program.
pub fn asynctimerchan_directive(parsed: &ParsedFile<'_>) -> Option<AsyncTimerChan> {
    if parsed.file.package.name != "main" {
        return None;
    }
    parsed
        .directives()
        .go_debug()
        .find(|(key, _)| *key == "asynctimerchan")
        .and_then(|(_, value)| AsyncTimerChan::parse(value))
}
