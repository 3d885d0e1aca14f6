//! The one context every rule judges with: the file being checked, its source and settings,
//! the package's facts (read-only), and the constructors of what a rule reports (findings and
//! related locations). Dispatchers build it; rules receive it.

use leakhound_diagnostics::{Diagnostic, Related};
use leakhound_model::imports::Imports;
use leakhound_model::package::PackageFacts;
use leakhound_model::summary::PackageSummary;
use leakhound_model::terminal::never_returns_by_imports;
use leakhound_syntax::ast::{Expr, Span};

use crate::registry::{location, Rule};
use crate::PackageFile;

pub(crate) struct RuleContext<'f, 'a> {
    pub files: &'f [PackageFile<'a>],
    pub facts: &'f PackageFacts<'a>,
    /// The file being checked, as an index into `files` and the facts.
    pub file: usize,
    pub imports: &'f Imports<'a>,
}

impl<'f, 'a> RuleContext<'f, 'a> {
    pub fn new(files: &'f [PackageFile<'a>], facts: &'f PackageFacts<'a>, file: usize) -> Self {
        RuleContext {
            files,
            facts,
            file,
            imports: facts.imports(file),
        }
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.files[self.file].settings.rules.contains(rule.id)
    }

    pub fn filename(&self) -> &'f str {
        &self.files[self.file].filename
    }

    pub fn source(&self) -> &'a str {
        self.files[self.file].source
    }

    pub fn text(&self, span: Span) -> &'a str {
        self.source().get(span.range()).unwrap_or("")
    }

    pub fn line(&self, offset: u32) -> usize {
        self.facts.lines(self.file).line_col(offset).0
    }

    pub fn summary(&self) -> &'f PackageSummary<'a> {
        self.facts.summary(self.file)
    }

    /// Calls after which control never comes back, by this file's imports.
    pub fn never_returns(&self, e: &'a Expr<'a>) -> bool {
        never_returns_by_imports(e, self.imports)
    }

    /// A finding of `rule` at `span` of this file, with the rule's severity.
    pub fn diagnostic(&self, rule: &'static Rule, span: Span, message: String) -> Diagnostic {
        rule.at(
            self.filename().to_string(),
            self.facts.lines(self.file),
            span,
            message,
        )
    }

    /// A related location in `file` (the package's file index).
    pub fn related(&self, file: usize, span: Span, message: String) -> Related {
        let lines = self.facts.lines(file);
        Related {
            message,
            filename: self.files[file].filename.clone(),
            location: location(lines, span.start),
            end_location: location(lines, span.end),
        }
    }
}
