//! The diagnostic model shared by every rule, and the renderers that turn diagnostics into the
//! text, CI and machine formats users read.
//!
//! Positions are kept twice on purpose: byte offsets for applying fixes, 1-based line and byte
//! column for people and CI systems. Both are computed once, where the source is at hand.
//! End positions are exclusive: `end_location` is the position just after the last byte.
//!
//! [`render`] writes diagnostics in one of the [`OutputFormat`]s; each format lives in its own
//! module and reads source text only through [`SourceLookup`], so a missing file degrades to
//! output without a snippet rather than an error.

mod checkstyle;
mod codeclimate;
mod fingerprint;
mod github;
mod json;
mod junit;
mod rdjson;
mod sarif;
mod source;
mod text;
mod xml;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use serde::Serialize;

/// How bad a finding is, as the rule catalog defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A leak that grows without bound.
    Error,
    /// A likely leak, or a leak bounded by time.
    Warning,
    /// Waste rather than a leak.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A 1-based line (`row`) and 1-based byte column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// One replacement of the byte range `start..end` of a file by `content`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub content: String,
    pub location: Location,
    pub end_location: Location,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

/// Whether `--fix` may apply a fix without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the program's meaning; applied by `--fix`.
    Safe,
    /// May change behaviour; shown, never applied automatically.
    Unsafe,
    /// A suggestion to read; its edits are illustrative.
    DisplayOnly,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A second place that explains a diagnostic (the caller's `select`, the `Lock` call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub message: String,
    pub filename: String,
    pub location: Location,
    pub end_location: Location,
}

/// One finding. `filename` is the path as the user named it (relative when they gave a
/// relative path), with `/` separators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// One line of advice shown as `help:` under the source excerpt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub filename: String,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    pub url: String,
    /// Byte range of the finding in its file; used by fixes and snippets, not serialised.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

impl Diagnostic {
    /// The order every output uses: path, then line, then column, then code.
    pub fn sort_key(&self) -> (&str, Location, &'static str) {
        (&self.filename, self.location, self.code)
    }
}

/// What a renderer needs to know about a rule: the catalog entry and its documentation.
#[derive(Clone, Debug, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The full documentation in Markdown (What it does, Why is this bad, ...).
    pub doc: &'static str,
    pub severity: Severity,
    pub url: String,
}

/// The formats `leakhound check --output-format` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// rustc/Ruff style: header, source excerpt with carets, help, notes, fix.
    Full,
    /// One `path:line:col: CODE message` line per finding.
    Concise,
    /// A pretty-printed JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// Checkstyle XML (Jenkins warnings-ng, reviewdog -f=checkstyle).
    Checkstyle,
    /// GitLab Code Quality (Code Climate subset) JSON.
    Codeclimate,
    /// JUnit XML (GitLab test reports, Jenkins).
    Junit,
    /// reviewdog Diagnostic Format, one JSON object.
    Rdjson,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 9] = [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Github,
        OutputFormat::Sarif,
        OutputFormat::Checkstyle,
        OutputFormat::Codeclimate,
        OutputFormat::Junit,
        OutputFormat::Rdjson,
    ];

    /// The name users type after `--output-format`.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::Github => "github",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Checkstyle => "checkstyle",
            OutputFormat::Codeclimate => "codeclimate",
            OutputFormat::Junit => "junit",
            OutputFormat::Rdjson => "rdjson",
        }
    }

    /// Every format name, in the order help text lists them.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|f| f.name())
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An output format name that is not one of [`OutputFormat::names`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = OutputFormat::names().collect();
        write!(
            f,
            "unknown output format `{}` (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for OutputFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Gives renderers the text of the files diagnostics point into, keyed by `Diagnostic::filename`.
pub trait SourceLookup {
    fn source(&self, filename: &str) -> Option<&str>;
}

impl SourceLookup for BTreeMap<String, String> {
    fn source(&self, filename: &str) -> Option<&str> {
        self.get(filename).map(String::as_str)
    }
}

/// What every renderer may consult besides the diagnostics.
pub struct RenderContext<'a> {
    /// Every rule of the catalog; SARIF lists them all, others look up docs and severities.
    pub rules: &'a [RuleMeta],
    pub tool_version: &'a str,
    /// ANSI colour for `full`; ignored by every other format.
    pub color: bool,
}

/// Writes `diagnostics` (already sorted) in `format`.
///
/// Paths in SARIF, Code Quality and GitHub annotations must be relative to the repository
/// root; absolute filenames under the current directory are made relative to it.
pub fn render(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    ctx: &RenderContext,
    sources: &dyn SourceLookup,
    out: &mut dyn Write,
) -> io::Result<()> {
    let base = std::env::current_dir().ok();
    let base = base.as_deref();
    match format {
        OutputFormat::Full => text::full(diagnostics, ctx.color, sources, out),
        OutputFormat::Concise => text::concise(diagnostics, out),
        OutputFormat::Json => json::render(diagnostics, out),
        OutputFormat::Github => github::render(diagnostics, sources, base, out),
        OutputFormat::Sarif => sarif::render(diagnostics, ctx, sources, base, out),
        OutputFormat::Checkstyle => checkstyle::render(diagnostics, sources, out),
        OutputFormat::Codeclimate => codeclimate::render(diagnostics, sources, base, out),
        OutputFormat::Junit => junit::render(diagnostics, out),
        OutputFormat::Rdjson => rdjson::render(diagnostics, out),
    }
}

/// The fingerprint of each diagnostic, as SARIF and Code Quality print them: it survives edits
/// that only move a finding (a baseline is keyed by it). Paths count relative to the current
/// directory.
pub fn fingerprints(diagnostics: &[Diagnostic], sources: &dyn SourceLookup) -> Vec<String> {
    let base = std::env::current_dir().ok();
    fingerprint::fingerprints(
        diagnostics,
        &mut source::Lines::new(sources),
        base.as_deref(),
    )
}
