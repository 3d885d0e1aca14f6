//! Parses arbitrary text and walks the tree: nothing may panic, hang or overflow the stack,
//! and every span must lie inside the source.
#![no_main]

use leakhound_syntax::visit::{walk_file, Node, Visitor};
use libfuzzer_sys::fuzz_target;

struct Check(u32);

impl<'a> Visitor<'a> for Check {
    fn visit(&mut self, node: Node<'a>, _parents: &[Node<'a>]) -> bool {
        let s = node.span();
        assert!(s.end <= self.0, "span {s:?} past the end {}", self.0);
        true
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let parsed = leakhound_syntax::parse_file(src);
    walk_file(&parsed.file, &mut Check(src.len() as u32));
    let _ = leakhound_syntax::outline::outline(&parsed);
    let _ = parsed.directives();
    let lines = parsed.line_index();
    for e in &parsed.errors {
        let _ = lines.line_col(e.span.start);
    }
});
