//! Scans arbitrary text to the end: the lexer must always make progress.
#![no_main]

use leakhound_syntax::lexer::{Lexer, Tok};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let mut lx = Lexer::new(src);
    let mut last = 0;
    for _ in 0..=src.len() * 2 + 2 {
        let t = lx.next_token();
        assert!(t.pos <= t.end && t.end as usize <= src.len());
        assert!(t.end >= last || t.auto, "went backwards");
        last = t.end.max(last);
        if t.tok == Tok::Eof {
            return;
        }
    }
    panic!("lexer did not reach EOF");
});
