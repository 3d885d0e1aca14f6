//! `leakhound check`: find the files, analyse each directory's package in parallel, then sort,
//! render, summarise, and fix.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::builder::TypedValueParser;
use leakhound_diagnostics::{render, Diagnostic, OutputFormat, RenderContext};
use leakhound_model::gomod::{GoVersion, TimerSemantics};
use leakhound_rules::registry::{self, RuleSet};
use leakhound_rules::{FileSettings, PackageFile};
use rayon::prelude::*;

use crate::config::Config;
use crate::discover::{self, DiscoverOptions};
use crate::gomod_lookup::{GoModCache, ModuleInfo};
use crate::newcode::{Baseline, ChangedLines};

/// Larger than any hand-written Go file; generated tables beyond it are skipped with a message.
const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories to check; `./...` and `dir/...` work as in the go tool; `-` reads
    /// one file from standard input.
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// The name of the file read from standard input (`-`): findings carry it, and its folder
    /// gives the go.mod and leakhound.toml.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Rules to enable: codes (LH101), names (after-in-loop), prefixes (LH2) or ALL.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rules to disable, in the same forms as --select.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// full, concise, json, github, sarif, checkstyle, codeclimate, junit or rdjson.
    #[arg(long, default_value_t = OutputFormat::Full, value_parser = clap::builder::PossibleValuesParser::new(OutputFormat::names()).try_map(|s| s.parse::<OutputFormat>()))]
    output_format: OutputFormat,
    /// Exit 0 even when findings remain.
    #[arg(long)]
    exit_zero: bool,
    /// Apply safe fixes in place.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Show what --fix would change as a unified diff, without writing.
    #[arg(long)]
    diff: bool,
    /// With --fix or --diff, also apply fixes that may change behaviour (shown as `unsafe`).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Report only findings on lines changed since REV (`git diff REV`, untracked files too).
    #[arg(long, value_name = "REV", group = "new_code")]
    new_from_rev: Option<String>,
    /// Report only findings on lines changed since the merge base of REF and HEAD.
    #[arg(long, value_name = "REF", group = "new_code")]
    new_from_merge_base: Option<String>,
    /// Report only findings on lines a unified diff (`git diff` output) adds or changes.
    #[arg(long, value_name = "FILE", group = "new_code")]
    new_from_patch: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every current finding in a baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "new_code", "fix", "diff"])]
    write_baseline: Option<PathBuf>,
    /// The Go version of the code (overrides go.mod and the config), e.g. 1.22.
    #[arg(long)]
    go_version: Option<GoVersion>,
    /// Use this configuration file instead of looking for leakhound.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore any leakhound.toml.
    #[arg(long, conflicts_with = "config")]
    isolated: bool,
    /// Also check vendor/ directories.
    #[arg(long)]
    include_vendor: bool,
    /// Also check testdata/ directories.
    #[arg(long)]
    include_testdata: bool,
    /// Also check generated files (`// Code generated ... DO NOT EDIT.`).
    #[arg(long)]
    include_generated: bool,
    /// Skip `_test.go` files.
    #[arg(long)]
    skip_tests: bool,
    /// Do not read .gitignore and .ignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Apply the configuration's `exclude` to files named on the command line too.
    #[arg(long)]
    force_exclude: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Files larger than this many bytes are skipped with a message.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Print how many findings each rule has (and how many --fix can fix) instead of the
    /// findings; with `--output-format json`, as JSON.
    #[arg(long)]
    statistics: bool,
    /// Do not print the summary line.
    #[arg(long, short)]
    quiet: bool,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Everything one run decides once and every directory shares.
struct Run {
    config: Option<Config>,
    rules: RuleSet,
    go_version: Option<GoVersion>,
    include_generated: bool,
    max_file_size: u64,
    /// The longest file the parser can address ([`leakhound_syntax::MAX_SOURCE_LEN`]; lower in
    /// tests).
    max_source_len: u64,
    gomods: GoModCache,
    /// The file given on standard input, by the name it is checked under.
    stdin: Option<(PathBuf, String)>,
}

/// What analysing one file produced.
struct FileOutcome {
    path: PathBuf,
    source: Option<String>,
    diagnostics: Vec<Diagnostic>,
    errors: Vec<String>,
    warnings: Vec<String>,
    skipped_generated: bool,
}

impl Run {
    fn rules_for(&self, path: &Path) -> RuleSet {
        match &self.config {
            Some(config) => self.rules.difference(config.ignored_for(path)),
            None => self.rules,
        }
    }

    /// Reads one file, or says why it cannot be checked.
    fn read(&self, path: &Path) -> std::result::Result<String, String> {
        if let Some((name, text)) = &self.stdin {
            if name == path {
                return Ok(text.clone());
            }
        }
        let shown = path.display();
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("{shown}: {}", discover::describe_io(&e)))?;
        if meta.len() > self.max_file_size {
            return Err(format!(
                "{shown}: skipped: {} bytes is more than the limit of {} (--max-file-size)",
                meta.len(),
                self.max_file_size
            ));
        }
        if meta.len() > self.max_source_len {
            return Err(too_long(&shown, meta.len(), self.max_source_len));
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("{shown}: {}", discover::describe_io(&e)))?;
        if let Some(nul) = memchr::memchr(0, &bytes) {
            return Err(format!(
                "{shown}: skipped: binary file (NUL byte at offset {nul})"
            ));
        }
        String::from_utf8(bytes).map_err(|e| {
            format!(
                "{shown}: skipped: not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )
        })
    }

    /// The timer semantics for a directory: `--go-version` or the config wins over go.mod.
    fn timers_for(
        &self,
        dir: &Path,
        directive: Option<leakhound_model::gomod::AsyncTimerChan>,
    ) -> (TimerSemantics, Option<String>) {
        let (mut version, mut setting, mut problem) = (None, None, None);
        match self.gomods.lookup(dir) {
            ModuleInfo::Found(gomod) => {
                version = gomod.go;
                setting = gomod.async_timer_chan;
            }
            ModuleInfo::Invalid { path, message } => {
                problem = Some(format!("{}: invalid go.mod: {message}", path.display()));
            }
            ModuleInfo::None => {}
        }
        let override_version = self
            .go_version
            .or(self.config.as_ref().and_then(|c| c.go_version));
        if override_version.is_some() {
            version = override_version;
        }
        (
            TimerSemantics::decide(version, directive.or(setting)),
            problem,
        )
    }

    fn check_dir(&self, dir: &Path, files: &[PathBuf]) -> (Vec<FileOutcome>, Vec<String>) {
        let mut outcomes: Vec<FileOutcome> = Vec::with_capacity(files.len());
        let mut sources: Vec<(usize, String)> = Vec::new();
        for path in files {
            let mut outcome = FileOutcome {
                path: path.clone(),
                source: None,
                diagnostics: vec![],
                errors: vec![],
                warnings: vec![],
                skipped_generated: false,
            };
            match self.read(path) {
                Ok(text) if !self.include_generated && leakhound_syntax::is_generated(&text) => {
                    outcome.skipped_generated = true;
                }
                Ok(text) => sources.push((outcomes.len(), text)),
                Err(message) => outcome.errors.push(message),
            }
            outcomes.push(outcome);
        }
        // One arena for the package's trees, freed at once when the package is done.
        let arena = leakhound_syntax::Arena::new();
        let parsed: Vec<_> = sources
            .iter()
            .map(|(_, text)| leakhound_syntax::parse_file(text, &arena))
            .collect();
        for ((i, _), parsed) in sources.iter().zip(&parsed) {
            let lines = parsed.line_index();
            let outcome = &mut outcomes[*i];
            for (line, code) in leakhound_rules::unknown_codes(parsed, &lines) {
                let shown = outcome.path.display();
                outcome.warnings.push(format!(
                    "{shown}:{line}: //nolint names {code}, which is no leakhound rule: it suppresses nothing"
                ));
            }
        }
        let directive = parsed
            .iter()
            .find_map(leakhound_rules::asynctimerchan_directive);
        let (timers, problem) = self.timers_for(dir, directive);
        let package: Vec<PackageFile> = sources
            .iter()
            .zip(&parsed)
            .map(|((i, text), parsed)| PackageFile {
                filename: display_name(&outcomes[*i].path),
                source: text,
                parsed,
                settings: FileSettings {
                    rules: self.rules_for(&outcomes[*i].path),
                    timers: timers.clone(),
                },
            })
            .collect();
        let mut diagnostics = leakhound_rules::check_package(&package);
        drop(package);
        drop(parsed);
        drop(arena);
        // Sources are kept only where the output shows them: findings and their related notes.
        let shown: Vec<String> = diagnostics
            .iter()
            .flat_map(|d| d.related.iter().map(|r| r.filename.clone()))
            .collect();
        for (i, text) in sources {
            let name = display_name(&outcomes[i].path);
            let mine: Vec<Diagnostic> = extract_if(&mut diagnostics, |d| d.filename == name);
            if !mine.is_empty() || shown.contains(&name) {
                outcomes[i].source = Some(text);
            }
            outcomes[i].diagnostics = mine;
        }
        (outcomes, problem.into_iter().collect())
    }
}

/// The outcomes of a set of directories, merged and sorted.
struct Collected {
    diagnostics: Vec<Diagnostic>,
    sources: BTreeMap<String, String>,
    /// Every file analysed, by its printed name.
    files: Vec<String>,
    errors: Vec<String>,
    warnings: Vec<String>,
    files_checked: usize,
    generated: usize,
}

impl From<Vec<(Vec<FileOutcome>, Vec<String>)>> for Collected {
    fn from(results: Vec<(Vec<FileOutcome>, Vec<String>)>) -> Self {
        let mut c = Collected {
            diagnostics: vec![],
            sources: BTreeMap::new(),
            files: vec![],
            errors: vec![],
            warnings: vec![],
            files_checked: 0,
            generated: 0,
        };
        for (outcomes, dir_errors) in results {
            c.errors.extend(dir_errors);
            for outcome in outcomes {
                let name = display_name(&outcome.path);
                if outcome.skipped_generated {
                    c.generated += 1;
                } else if outcome.errors.is_empty() {
                    c.files_checked += 1;
                }
                c.errors.extend(outcome.errors);
                c.warnings.extend(outcome.warnings);
                if let Some(source) = outcome.source {
                    c.sources.insert(name.clone(), source);
                }
                c.files.push(name);
                c.diagnostics.extend(outcome.diagnostics);
            }
        }
        c.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        c
    }
}

fn extract_if(v: &mut Vec<Diagnostic>, pred: impl Fn(&Diagnostic) -> bool) -> Vec<Diagnostic> {
    let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(v).into_iter().partition(|d| pred(d));
    *v = kept;
    taken
}

/// Paths print with `/` whatever the platform, as CI systems expect.
fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn build_run(args: &Args) -> Result<Run> {
    let config = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        Some(Config::load(path)?)
    } else {
        let first = match (args.paths.first(), &args.stdin_filename) {
            (Some(p), Some(name)) if p == "-" => name.clone(),
            (Some(p), None) if p == "-" => PathBuf::from("."),
            (Some(p), _) => discover::normalise_arg(p),
            (None, _) => PathBuf::from("."),
        };
        Config::discover(&first)?
    };
    // The command line is explicit: its --select replaces the config's select and ignore.
    let rules = crate::config::effective_rules(config.as_ref(), &args.select, &args.ignore)?;
    Ok(Run {
        config,
        rules,
        go_version: args.go_version,
        include_generated: args.include_generated,
        max_file_size: args.max_file_size,
        max_source_len: max_source_len(),
        gomods: GoModCache::default(),
        stdin: None,
    })
}

/// `check -`: the one file on standard input, under `--stdin-filename` (default `stdin.go`).
fn read_stdin(args: &Args) -> Result<Option<(PathBuf, String)>> {
    if !args.paths.iter().any(|p| p == "-") {
        return Ok(None);
    }
    if args.paths.len() > 1 {
        anyhow::bail!("`-` (standard input) cannot be combined with other paths");
    }
    if args.fix || args.diff {
        anyhow::bail!("--fix and --diff need files; they do not apply to standard input");
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .context("standard input: not valid UTF-8 text")?;
    let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
    if len > max_source_len() {
        anyhow::bail!(too_long(&"standard input", len, max_source_len()));
    }
    let name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("stdin.go"));
    Ok(Some((name, text)))
}

fn max_source_len() -> u64 {
    u64::try_from(leakhound_syntax::MAX_SOURCE_LEN).unwrap_or(u64::MAX)
}

/// Span offsets are `u32`: a longer file is refused rather than truncated.
fn too_long(shown: &dyn std::fmt::Display, len: u64, max: u64) -> String {
    format!("{shown}: skipped: {len} bytes is more than the {max} leakhound can address (positions are 32-bit)")
}

/// The static rules on one file, as `profile --src` needs them: the file's directory is read as
/// its package so that rules across functions see the callers.
pub fn diagnostics_for_file(path: &Path) -> Result<Vec<Diagnostic>> {
    let run = build_run(&Args::defaults_for(path))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}: cannot list the directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "go") && p.file_name() != path.file_name())
        .collect();
    files.push(path.to_path_buf());
    files.sort();
    let (outcomes, _) = run.check_dir(&dir, &files);
    let wanted = display_name(path);
    Ok(outcomes
        .into_iter()
        .flat_map(|o| o.diagnostics)
        .filter(|d| d.filename == wanted)
        .collect())
}

impl Args {
    /// The settings of a plain `leakhound check PATH`.
    fn defaults_for(path: &Path) -> Args {
        Args {
            paths: vec![path.to_string_lossy().into_owned()],
            stdin_filename: None,
            select: vec![],
            ignore: vec![],
            output_format: OutputFormat::Full,
            exit_zero: false,
            fix: false,
            diff: false,
            unsafe_fixes: false,
            new_from_rev: None,
            new_from_merge_base: None,
            new_from_patch: None,
            baseline: None,
            write_baseline: None,
            go_version: None,
            config: None,
            isolated: false,
            include_vendor: false,
            include_testdata: false,
            include_generated: false,
            skip_tests: false,
            no_ignore: false,
            force_exclude: false,
            threads: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            statistics: false,
            quiet: true,
            color: Color::Never,
        }
    }
}

pub fn run(args: Args) -> Result<u8> {
    let started = Instant::now();
    let mut run = build_run(&args)?;
    run.stdin = read_stdin(&args)?;
    // Read before the analysis so that a bad argument fails fast.
    let changed = if let Some(rev) = &args.new_from_rev {
        Some(ChangedLines::from_rev(rev)?)
    } else if let Some(reference) = &args.new_from_merge_base {
        Some(ChangedLines::from_merge_base(reference)?)
    } else if let Some(patch) = &args.new_from_patch {
        Some(ChangedLines::from_patch(patch)?)
    } else {
        None
    };
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let threads = args.threads.unwrap_or(0);
    // Deep trees (a long `else if` chain, a long `+` chain) are walked recursively; a large
    // stack costs address space only.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(64 << 20)
        .build()
        .context("cannot start worker threads")?;
    let options = DiscoverOptions {
        include_vendor: args.include_vendor,
        include_testdata: args.include_testdata,
        skip_tests: args.skip_tests,
        no_ignore: args.no_ignore,
        force_exclude: args.force_exclude,
    };
    let excluded = |p: &Path| run.config.as_ref().is_some_and(|c| c.is_excluded(p));
    let found = match &run.stdin {
        Some((name, _)) => discover::Discovered {
            files: vec![name.clone()],
            errors: vec![],
        },
        None => discover::discover(&args.paths, &options, &excluded),
    };
    let mut errors = found.errors;

    let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in found.files {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        by_dir.entry(dir).or_default().push(file);
    }
    let analyse = |dirs: &BTreeMap<PathBuf, Vec<PathBuf>>| -> Vec<(Vec<FileOutcome>, Vec<String>)> {
        pool.install(|| {
            dirs.par_iter()
                .map(|(dir, files)| run.check_dir(dir, files))
                .collect()
        })
    };
    let mut collected = Collected::from(analyse(&by_dir));

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut fixed = 0;
    let mut warnings: Vec<String> = Vec::new();
    if args.fix || args.diff {
        let outcome = crate::fixing::apply(
            &collected.diagnostics,
            &collected.sources,
            args.diff,
            args.unsafe_fixes,
            &mut out,
        )?;
        fixed = outcome.fixed;
        errors.extend(outcome.errors);
        warnings.extend(outcome.skipped);
        if !args.diff && !outcome.files.is_empty() {
            // What remains is reported against the fixed text, so check those packages again.
            let touched: BTreeMap<PathBuf, Vec<PathBuf>> = by_dir
                .into_iter()
                .filter(|(_, files)| {
                    files
                        .iter()
                        .any(|f| outcome.files.contains(&display_name(f)))
                })
                .collect();
            let again = Collected::from(analyse(&touched));
            collected
                .diagnostics
                .retain(|d| !again.files.contains(&d.filename));
            collected.diagnostics.extend(again.diagnostics);
            collected.sources.extend(again.sources);
            collected
                .diagnostics
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
    }
    errors.extend(collected.errors);
    errors.sort();
    errors.dedup();
    warnings.extend(std::mem::take(&mut collected.warnings));
    warnings.sort();
    warnings.dedup();
    let Collected {
        mut diagnostics,
        sources,
        files_checked,
        generated,
        ..
    } = collected;
    if let Some(path) = &args.write_baseline {
        Baseline::of(&diagnostics, &sources).write(path)?;
        eprintln!(
            "leakhound: wrote {} finding{} to the baseline {}",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(if errors.is_empty() {
            crate::EXIT_CLEAN
        } else {
            crate::EXIT_ERROR
        });
    }
    let mut hidden = 0;
    if let Some(changed) = &changed {
        let before = diagnostics.len();
        diagnostics.retain(|d| changed.contains(d));
        hidden += before - diagnostics.len();
    }
    if let Some(baseline) = &baseline {
        hidden += baseline.filter(&mut diagnostics, &sources);
    }

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let metas: Vec<_> = registry::RULES.iter().map(|r| r.meta()).collect();
    let version = env!("CARGO_PKG_VERSION");
    let ctx = RenderContext {
        rules: &metas,
        tool_version: version,
        color,
    };
    if args.statistics {
        statistics(
            &diagnostics,
            args.output_format == OutputFormat::Json,
            &mut out,
        )?;
    } else if !args.diff {
        render(args.output_format, &diagnostics, &ctx, &sources, &mut out)?;
    }
    out.flush()?;
    for warning in &warnings {
        eprintln!("leakhound: warning: {}", crate::for_terminal(warning));
    }
    for error in &errors {
        eprintln!("leakhound: error: {}", crate::for_terminal(error));
    }
    if !args.quiet {
        eprintln!(
            "{}",
            summary(
                files_checked,
                generated,
                &diagnostics,
                fixed,
                hidden,
                errors.len(),
                started.elapsed().as_secs_f64()
            )
        );
    }
    // `--diff` fails when it shows a change, and like a plain check when findings remain.
    Ok(if !errors.is_empty() {
        crate::EXIT_ERROR
    } else if (!diagnostics.is_empty() || (args.diff && fixed > 0)) && !args.exit_zero {
        crate::EXIT_FINDINGS
    } else {
        crate::EXIT_CLEAN
    })
}

/// One row per rule with findings, most frequent first: count, code, name, and how many of
/// them `--fix` would fix.
#[derive(serde::Serialize)]
struct Statistic {
    count: usize,
    code: &'static str,
    name: &'static str,
    fixable: usize,
}

fn statistics(diagnostics: &[Diagnostic], json: bool, out: &mut dyn Write) -> Result<()> {
    let mut rows: Vec<Statistic> = Vec::new();
    for d in diagnostics {
        let fixable = d.fix.as_ref().is_some_and(|f| {
            f.applicability == leakhound_diagnostics::Applicability::Safe && !f.edits.is_empty()
        });
        match rows.iter_mut().find(|r| r.code == d.code) {
            Some(row) => {
                row.count += 1;
                row.fixable += usize::from(fixable);
            }
            None => rows.push(Statistic {
                count: 1,
                code: d.code,
                name: d.name,
                fixable: usize::from(fixable),
            }),
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(());
    }
    for row in &rows {
        let fixable = if row.fixable > 0 {
            format!("  ({} fixable)", row.fixable)
        } else {
            String::new()
        };
        writeln!(out, "{:>5}  {}  {}{fixable}", row.count, row.code, row.name)?;
    }
    Ok(())
}

fn summary(
    files: usize,
    generated: usize,
    diagnostics: &[Diagnostic],
    fixed: usize,
    hidden: usize,
    errors: usize,
    seconds: f64,
) -> String {
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diagnostics {
        *per_rule.entry(d.code).or_default() += 1;
    }
    let mut line = format!(
        "checked {files} file{} in {seconds:.2}s: {} finding{}",
        if files == 1 { "" } else { "s" },
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
    if !per_rule.is_empty() {
        let parts: Vec<String> = per_rule
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    if fixed > 0 {
        line.push_str(&format!(", {fixed} fixed"));
    }
    if hidden > 0 {
        line.push_str(&format!(", {hidden} old hidden"));
    }
    if generated > 0 {
        line.push_str(&format!(", {generated} generated skipped"));
    }
    if errors > 0 {
        line.push_str(&format!(
            ", {errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_longer_than_positions_can_address_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.go");
        std::fs::write(&path, "package p\n\nfunc f() {}\n").unwrap();
        let mut run = build_run(&Args::defaults_for(&path)).unwrap();
        assert!(run.read(&path).is_ok());
        run.max_source_len = 22;
        let error = run.read(&path).unwrap_err();
        assert_eq!(
            error,
            format!(
                "{}: skipped: 23 bytes is more than the 22 leakhound can address (positions are 32-bit)",
                path.display()
            )
        );
    }
}
