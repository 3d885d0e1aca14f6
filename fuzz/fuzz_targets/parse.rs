//! Parses arbitrary text and walks the tree: nothing may panic, hang or overflow the stack.
//! In a file without errors every span lies inside the source; with errors, a span that ends
//! after a missing closing token may end one byte past it (as in go/ast).
#![no_main]

use leakhound_syntax::visit::{walk_file, Node, Visitor};
use libfuzzer_sys::fuzz_target;

struct Check {
    len: u32,
    valid: bool,
}

impl<'a> Visitor<'a> for Check {
    fn visit(&mut self, node: Node<'a>, _parents: &[Node<'a>]) -> bool {
        let s = node.span();
        if self.valid {
            assert!(s.start <= s.end && s.end <= self.len, "span {s:?} outside 0..{}", self.len);
        } else {
            assert!(s.end <= self.len + 1, "span {s:?} past the end {}", self.len);
        }
        true
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let arena = leakhound_syntax::Arena::new();
    let parsed = leakhound_syntax::parse_file(src, &arena);
    let mut check = Check { len: src.len() as u32, valid: parsed.errors.is_empty() };
    walk_file(&parsed.file, &mut check);
    let _ = leakhound_syntax::outline::outline(&parsed);
    let _ = parsed.directives();
    let lines = parsed.line_index();
    for e in &parsed.errors {
        let _ = lines.line_col(e.span.start);
    }
});
