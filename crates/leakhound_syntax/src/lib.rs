//! leakhound's Go parser.
//!
//! [`parse_file`] scans and parses one Go source file (Go 1.27 grammar, generic methods
//! included) into the typed tree of [`ast`]. The lexer works on bytes and the tree borrows
//! identifiers and literals from the source; its nodes and lists live in an [`Arena`] the
//! caller owns (one per file or per package), so building a tree is pointer bumps and freeing
//! it is one reset, with nothing to drop. The parser is a close port of `go/parser`: it accepts and rejects the same
//! files and gives every node the byte span `go/ast` gives it (checked against `go/parser`
//! on all of GOROOT, see `docs/parser-conformance.md`). Syntax errors are recorded with
//! go/parser's messages (the first one is go/parser's first error); after an error parsing
//! restarts at the next line that begins a top-level declaration (`recover.rs`), so the
//! declarations around a broken one stay usable. Nesting is capped ([`parser::MAX_DEPTH`],
//! [`parser::MAX_TREE_DEPTH`]) so no input can overflow the stack.
//!
//! Around the tree: [`LineIndex`] for line/column positions, [`Directives`] for `//nolint`,
//! `//go:build`, `//go:debug` and the generated-code header, and [`visit`] for walking the
//! tree with the chain of parents.

pub mod ast;
pub mod directives;
pub mod lexer;
mod line_index;
pub mod outline;
pub mod parser;
mod recover;
pub mod visit;

/// The arena a file's tree lives in: one per file (or per package), freed with the tree.
pub use bumpalo::Bump as Arena;
pub use directives::{is_generated, Directive, Directives, Nolint};
pub use lexer::Comment;
pub use line_index::LineIndex;
pub use visit::{walk_file, Node, Visitor};

use ast::Span;

/// A syntax error at `span` (an empty span at the offending position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// A parsed file: the tree, the comments, and the syntax errors (sorted by position; the
/// first one is the diagnostic to show).
#[derive(Clone, Debug)]
pub struct ParsedFile<'a> {
    pub source: &'a str,
    pub file: ast::File<'a>,
    pub comments: Vec<Comment<'a>>,
    pub errors: Vec<SyntaxError>,
}

impl<'a> ParsedFile<'a> {
    pub fn comments(&self) -> impl Iterator<Item = &Comment<'a>> + '_ {
        self.comments.iter()
    }

    /// The directive comments of the file, parsed.
    pub fn directives(&self) -> Directives<'a> {
        Directives::new(self.source, &self.comments, self.file.package_pos)
    }

    pub fn line_index(&self) -> LineIndex {
        LineIndex::new(self.source)
    }

    pub fn is_generated(&self) -> bool {
        self.directives().is_generated()
    }
}

/// The longest source [`parse_file`] takes: span offsets are `u32`.
pub const MAX_SOURCE_LEN: usize = u32::MAX as usize;

/// Parses a Go source file into `arena`. Never panics; malformed input gives a partial tree
/// and errors, and a source longer than [`MAX_SOURCE_LEN`] an empty tree and one error.
pub fn parse_file<'a>(src: &'a str, arena: &'a Arena) -> ParsedFile<'a> {
    parse_file_up_to(src, arena, MAX_SOURCE_LEN)
}

/// [`parse_file`] with the longest source it takes as a parameter, so that the refusal is
/// tested without a 4 GiB source.
fn parse_file_up_to<'a>(src: &'a str, arena: &'a Arena, max_len: usize) -> ParsedFile<'a> {
    if src.len() > max_len {
        return ParsedFile {
            source: src,
            file: parser::Parser::new("", arena).parse_file().file,
            comments: Vec::new(),
            errors: vec![SyntaxError {
                span: Span::new(0, 0),
                message: format!(
                    "file too large: {} bytes, more than the {max_len} a position can address",
                    src.len()
                ),
            }],
        };
    }
    let mut out = parser::Parser::new(src, arena).parse_file();
    if let Some(first) = out.errors.first() {
        recover::resume(
            src,
            arena,
            &mut out.file,
            &mut out.comments,
            first.span.start,
        );
    }
    ParsedFile {
        source: src,
        file: out.file,
        comments: out.comments,
        errors: out.errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_longer_than_positions_can_address_is_refused() {
        let arena = Arena::new();
        let src = "package p\n\nfunc f() {}\n";
        let parsed = parse_file_up_to(src, &arena, src.len() - 1);
        assert!(parsed.file.decls.is_empty());
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].span, Span::new(0, 0));
        assert!(
            parsed.errors[0]
                .message
                .starts_with("file too large: 23 bytes"),
            "{}",
            parsed.errors[0].message
        );
        assert!(parse_file_up_to(src, &arena, src.len()).errors.is_empty());
    }
}
