//! The diagnostic model shared by every rule, and the renderers that turn diagnostics into the
//! text, CI and machine formats users read.
//!
//! Positions are kept twice on purpose: byte offsets for applying fixes, 1-based line and byte
//! column for people and CI systems. Both are computed once, where the source is at hand.

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
