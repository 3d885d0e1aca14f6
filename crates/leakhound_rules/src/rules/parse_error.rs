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

use leakhound_diagnostics::Severity;

use crate::registry::Rule;

pub(crate) const RULE: Rule = Rule {
    code: "E001",
    name: "parse-error",
    summary: "the file does not parse; declarations after the error may not be checked",
    severity: Severity::Error,
    doc: crate::docs::PARSE_ERROR,
};
