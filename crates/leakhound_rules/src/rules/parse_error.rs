//! ## What it does
//! Reports a Go file that does not parse, once, at its first syntax error.
//!
//! ## Why is this bad?
//! leakhound cannot see what it cannot parse. The parser recovers at the next top-level
//! declaration, so the declarations that did parse are still checked; the rest of the file is
//! not.
//!
//! ## Example
//! ```go
//! func process(orders <-chan Order {
//! ```
//!
//! ## Use instead
//! Fix the syntax error; `gofmt -l` and `go vet` report the same position.
//!
//! ## Go version notes
//! leakhound parses all of Go up to 1.27, including generic methods. A file that uses syntax
//! from a newer release than leakhound knows gets this error.
//!
//! ## Fix safety
//! No fix.
//!
//! ## Related
//! gofmt, go vet.

use leakhound_diagnostics::{Diagnostic, Severity};
use leakhound_syntax::ast::Span;
use leakhound_syntax::ParsedFile;

use crate::context::RuleContext;
use crate::registry::{Fact, Rule, Status};
use crate::rules::RuleId;

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ParseError,
    code: "E001",
    name: "parse-error",
    summary: "the file does not parse; declarations after the error may not be checked",
    severity: Severity::Error,
    doc: crate::docs::PARSE_ERROR,
    since: "0.1.0",
    status: Status::Stable,
    requires: &[Fact::Syntax],
};

/// The first syntax error of the file, spanning at least its start.
pub(crate) fn check(ctx: &RuleContext<'_, '_>, parsed: &ParsedFile<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(error) = parsed.errors.first() {
        let start = error.span.start;
        let span = Span::new(start, error.span.end.max(start));
        out.push(ctx.diagnostic(&RULE, span, error.message.clone()));
    }
}
