//! leakhound's rules: the catalog of `shared/spec/rules.md`, one rule per file with its
//! documentation beside its code, and the checker that runs the enabled rules over a package
//! in one walk per file.

mod channels;
mod checker;
mod context;
pub mod fix;
mod helpers;
mod locks;
pub mod registry;
mod rules;
mod suppression;
mod timers;

pub use suppression::unknown_codes;

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

use context::RuleContext;
use leakhound_diagnostics::Diagnostic;
use leakhound_model::gomod::{AsyncTimerChan, TimerSemantics};
use leakhound_model::package::PackageFacts;
use leakhound_syntax::ParsedFile;

use registry::{Fact, RuleSet};

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
pub fn check_package<'a>(files: &[PackageFile<'a>]) -> Vec<Diagnostic> {
    let facts = PackageFacts::new(files.iter().map(|f| (f.filename.as_str(), f.parsed)));
    // The scope walk first: its resolution is then there for the analyses that read names.
    let walked: Vec<Vec<Diagnostic>> = (0..files.len())
        .map(|i| check_file(&RuleContext::new(files, &facts, i)))
        .collect();
    // The channel rules see the whole package: LH301 reports in a callee's file.
    let channel = channels::check_package(files, &facts);
    // The lock and wait-group rules too: LH402 follows a call into another file's method.
    let locks = locks::check_package(files, &facts);
    let timers = timers::check_package(files, &facts);
    let mut out = Vec::new();
    for ((((i, mut diagnostics), mut channel), mut locks), mut timers) in walked
        .into_iter()
        .enumerate()
        .zip(channel)
        .zip(locks)
        .zip(timers)
    {
        diagnostics.append(&mut channel);
        diagnostics.append(&mut locks);
        diagnostics.append(&mut timers);
        let nolint = suppression::Suppressions::of(files[i].parsed, facts.lines(i));
        diagnostics.retain(|d| !nolint.suppresses(d));
        out.append(&mut diagnostics);
    }
    out
}

/// The rules of one file: E001 and the rules that ride on the scope walk.
fn check_file(ctx: &RuleContext<'_, '_>) -> Vec<Diagnostic> {
    let file = &ctx.files[ctx.file];
    let mut diagnostics = Vec::new();
    if ctx.enabled(&rules::parse_error::RULE) {
        rules::parse_error::check(ctx, file.parsed, &mut diagnostics);
    }
    // With only E001 selected nothing needs the walk: `--select E001` is the parse-only floor
    // that BENCHMARKS.md compares against. Rules that need other facts do not need it either.
    if file.settings.rules.requires(Fact::Names) {
        let mut checker = checker::Checker {
            ctx,
            diagnostics: Vec::new(),
        };
        ctx.facts.walk_names(ctx.file, &mut checker);
        diagnostics.append(&mut checker.diagnostics);
    }
    diagnostics
}

/// Checks one package given as (path, source) pairs, every file with the same settings: parses
/// them, runs the enabled rules, and returns the findings sorted by path, line and column. The
/// entry point for callers that hold sources rather than parsed files (an editor's buffers).
pub fn check_sources(files: &[(&str, &str)], settings: &FileSettings) -> Vec<Diagnostic> {
    let arena = leakhound_syntax::Arena::new();
    let parsed: Vec<_> = files
        .iter()
        .map(|(_, source)| leakhound_syntax::parse_file(source, &arena))
        .collect();
    let package: Vec<PackageFile<'_>> = files
        .iter()
        .zip(&parsed)
        .map(|((path, source), parsed)| PackageFile {
            filename: (*path).to_string(),
            source,
            parsed,
            settings: settings.clone(),
        })
        .collect();
    let mut diagnostics = check_package(&package);
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
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
